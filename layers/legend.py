"""Map legends: the one legend box (title, swatches, gradient, note) and its Leaflet control.

Every layer module builds its legend here, so all legends look alike and the council
mode can enlarge them all through one CSS class (:data:`CSS_CLASS`, see
:mod:`layers.maps`). Plain HTML with inline styles in a ``L.control``: no branca
colormap (inside streamlit-folium it would load d3 from a CDN), no external assets.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from branca.element import MacroElement
from jinja2 import Template

#: Class of every legend box; ``.atlas-legend-swatch`` marks its swatches.
CSS_CLASS = "atlas-legend"
SWATCH_CLASS = "atlas-legend-swatch"
POSITIONS = ("bottomleft", "bottomright", "topleft", "topright")


@dataclass(frozen=True)
class Swatch:
    """The little square before a legend label.

    Parameters
    ----------
    fill : str
        CSS colour of the square (``"transparent"`` for an outline only).
    border : str
        CSS ``border`` shorthand, e.g. ``"2px dashed #222"``.
    round : bool
        A circle (for point markers) instead of a square.
    """

    fill: str = "transparent"
    border: str = "1px solid #888"
    round: bool = False

    def css(self) -> str:
        shape = ";border-radius:50%" if self.round else ""
        return f"background:{self.fill};border:{self.border}{shape}"


@dataclass(frozen=True)
class Gradient:
    """A continuous colour ramp with its end labels, e.g. density from 0 to the maximum.

    Parameters
    ----------
    colours : sequence of str
        CSS colours from the low to the high end.
    low, high : str
        Labels under the two ends.
    """

    colours: Sequence[str]
    low: str
    high: str


def legend_box(title: str, rows: Sequence[tuple[str | Swatch, str]] = (), *,
                gradient: Gradient | None = None, note: str = "") -> str:
    """The legend box as an HTML fragment (inline styles only, texts escaped).

    Parameters
    ----------
    title : str
        Bold first line.
    rows : sequence of (swatch, label)
        One line each; a plain colour string stands for ``Swatch(fill=colour)``.
    gradient : Gradient, optional
        A colour ramp below the rows.
    note : str
        Grey text at the end (method, caveats).

    Returns
    -------
    str
        One ``<div class="atlas-legend">``.
    """
    parts = [f"<b>{html.escape(title)}</b>"]
    for swatch, label in rows:
        spec = Swatch(fill=swatch) if isinstance(swatch, str) else swatch
        parts.append(f'<div><span class="{SWATCH_CLASS}" style="display:inline-block;width:12px;height:12px;'
                     f'margin-right:6px;{spec.css()}"></span>{html.escape(label)}</div>')
    if gradient is not None:
        parts.append(f'<div style="height:10px;margin:4px 0;'
                     f'background:linear-gradient(to right,{",".join(gradient.colours)})"></div>'
                     f'<div style="display:flex;justify-content:space-between">'
                     f'<span>{html.escape(gradient.low)}</span><span>{html.escape(gradient.high)}</span></div>')
    if note:
        parts.append(f'<div style="margin-top:4px;color:#555">{html.escape(note)}</div>')
    return (f'<div class="{CSS_CLASS}" style="font:12px sans-serif;background:#fff;padding:6px 8px;'
            f'max-width:260px;box-shadow:0 0 4px rgba(0,0,0,.3)">{"".join(parts)}</div>')


class HtmlLegend(MacroElement):
    """An HTML fragment (from :func:`legend_box`) as a Leaflet control.

    Added to a map (``m.add_child(HtmlLegend(html))``) it is always shown; added to a layer
    (e.g. the ``FeatureGroup`` of a result) it is shown exactly while that layer is on the map,
    so switching the layer off, or replacing it in place (streamlit-folium's
    ``feature_group_to_add``), takes its legend along.

    Parameters
    ----------
    html_text : str
        The control's content.
    position : str
        Leaflet control corner: ``"bottomleft"``, ``"bottomright"``, ``"topleft"``, ``"topright"``.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
          var legend = L.control({position: {{ this.position|tojson }}});
          legend.onAdd = function() {
            var div = L.DomUtil.create("div");
            div.innerHTML = {{ this.html|tojson }};
            return div;
          };
          var owner = {{ this._parent.get_name() }};
          if (owner instanceof L.Map) {
            legend.addTo(owner);
          } else {  // in a layer: shown while the layer is on the map
            owner.on("add", function(e) { legend.addTo(e.target._map); });
            owner.on("remove", function() { legend.remove(); });
          }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, *, position: str = "bottomright") -> None:
        if position not in POSITIONS:
            raise ValueError(f"position must be one of {POSITIONS}, not {position!r}")
        super().__init__()
        self._name = "Legend"
        self.html = html_text
        self.position = position
