"""Render folium elements without compiling their output as Jinja templates.

branca's ``MacroElement.render`` wraps each rendered part (header, html, script) in
``Element(text)``, whose constructor compiles `text` as a Jinja template that is
rendered once more when the page is put together. For this map that is wrong twice:

* slow – the Gemeinde layer's script is 0.8 MB of GeoJSON, the KDE image a long
  ``data:`` URL, the point layer thousands of coordinates; lexing them costs about
  0.1 s per 0.8 MB on every render, and streamlit-folium renders the map twice per rerun;
* unsafe – text from imported files (a place name in a survey, a Gemeinde label) that
  happens to contain ``{{ … }}`` would be evaluated as a template instead of shown.

:func:`install` replaces ``MacroElement.render`` by :func:`render_macro`, which adds the
same parts as plain text. The page is otherwise identical (``tests/layers/test_rendering.py``).
"""

from __future__ import annotations

from branca.element import Element, Figure, MacroElement

_ORIGINAL = MacroElement.render


class RawText(Element):
    """Text put into the page exactly as given."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawText"
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


def render_macro(self: MacroElement, **kwargs) -> None:
    """``MacroElement.render`` with the rendered parts added as :class:`RawText`."""
    figure = self.get_root()
    if not isinstance(figure, Figure):
        raise TypeError(f"{type(self).__name__} must be in a Figure to be rendered")
    module = self._template.module.__dict__
    for part in ("header", "html", "script"):
        macro = module.get(part)
        if macro is not None:
            getattr(figure, part).add_child(RawText(macro(self, kwargs)), name=self.get_name())
    for element in self._children.values():
        element.render(**kwargs)


def install() -> None:
    """Use :func:`render_macro` for every folium/branca macro element (idempotent)."""
    MacroElement.render = render_macro


def uninstall() -> None:
    """Back to branca's own ``MacroElement.render`` (for the comparison in the tests)."""
    MacroElement.render = _ORIGINAL
