"""Leaflet and its plugins from local files, so the map works with no internet.

folium points every element's ``default_js``/``default_css`` at a CDN; offline that
leaves a blank map and no error. :func:`make_offline` walks a built map and replaces
each asset by a ``data:`` URL of the same file shipped in the ``xstatic-leaflet*``
wheels. An asset it does not know is an error, not a silent CDN request: whoever adds
a plugin must add its local files to ``_ASSETS`` too.

A saved map keeps the ``data:`` URLs (it must open anywhere, offline). The running app
may instead serve the same files itself (:func:`served_files`, Streamlit's static file
serving): ``make_offline(m, served="/app/static")`` then points at them, and a redraw
does not send Leaflet to the browser again.
"""

from __future__ import annotations

import base64
import functools
import re
from collections.abc import Iterator
from pathlib import Path

import xstatic.pkg.leaflet as xs_leaflet
import xstatic.pkg.leaflet_markercluster as xs_markercluster
from branca.element import Element

_LEAFLET = Path(xs_leaflet.BASE_DIR)
_MARKERCLUSTER = Path(xs_markercluster.BASE_DIR)

#: folium asset name → local file. Names folium uses that we never need (jQuery,
#: Bootstrap, awesome-markers, Font Awesome) are in ``_UNUSED`` and dropped.
_ASSETS: dict[str, Path] = {
    "leaflet": _LEAFLET / "leaflet.js",
    "leaflet_css": _LEAFLET / "leaflet.css",
    "markerclusterjs": _MARKERCLUSTER / "leaflet.markercluster.js",
    "markerclustercss": _MARKERCLUSTER / "MarkerCluster.css",
    "markerclusterdefaultcss": _MARKERCLUSTER / "MarkerCluster.Default.css",
}
_UNUSED = {
    "jquery",
    "bootstrap",
    "awesome_markers",
    "bootstrap_css",
    "glyphicons_css",
    "awesome_markers_font_css",
    "awesome_markers_css",
    "awesome_rotate_css",
}


class OfflineAssetError(RuntimeError):
    """A map element wants a JS/CSS file that is not shipped locally."""


@functools.cache
def data_url(name: str) -> str:
    """The asset `name` as a ``data:`` URL (CSS with its images inlined)."""
    mime = "text/css" if _ASSETS[name].suffix == ".css" else "text/javascript"
    return f"data:{mime};charset=utf-8;base64,{base64.b64encode(_content(name)).decode('ascii')}"


def _content(name: str) -> bytes:
    """The asset `name` as shipped; a stylesheet with its images inlined (it must stand alone)."""
    path = _ASSETS[name]
    if path.suffix == ".css":
        return _inline_css_images(path.read_text(encoding="utf-8"), path.parent).encode("utf-8")
    return path.read_bytes()


def _inline_css_images(css: str, base: Path) -> str:
    def repl(match: re.Match[str]) -> str:
        image = base / match.group(1)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", repl, css)


def _elements(root: Element) -> Iterator[Element]:
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def served_files() -> dict[str, bytes]:
    """File name → content of every local asset, for a directory the app serves."""
    return {path.name: _content(name) for name, path in _ASSETS.items()}


def _localise(assets: list[tuple[str, str]], owner: Element, served: str | None) -> list[tuple[str, str]]:
    local = []
    for name, url in assets:
        if name in _UNUSED:
            continue
        if name not in _ASSETS:
            msg = (
                f"{type(owner).__name__} lädt '{name}' von {url}; diese Datei ist nicht lokal "
                "hinterlegt (layers/offline.py, _ASSETS). Ohne Internet bliebe die Karte leer."
            )
            raise OfflineAssetError(msg)
        local.append((name, data_url(name) if served is None else f"{served}/{_ASSETS[name].name}"))
    return local


def make_offline(m: Element, *, served: str | None = None) -> Element:
    """Point every asset of `m` and its children at local files (in place; returns `m`).

    Parameters
    ----------
    m : Map or any element
    served : str, optional
        URL path where :func:`served_files` are served; default: inline ``data:`` URLs.
    """
    for element in _elements(m):
        for attr in ("default_js", "default_css"):
            assets = getattr(element, attr, None)
            if assets:
                setattr(element, attr, _localise(list(assets), element, served))
    return m
