"""The one place that builds a folium map: offline assets, attribution, controls."""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.sources import MAP_ATTRIBUTION
from layers import legend, style
from layers.offline import make_offline

#: (south, west), (north, east) of Saxony in WGS84, with a small margin.
SACHSEN_BOUNDS = ((50.15, 11.85), (51.70, 15.05))
MIN_ZOOM, MAX_ZOOM = 6, 18


class _Attribution(MacroElement):
    """Adds source lines to Leaflet's attribution control (there is no tile layer to carry them)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.setPrefix(false);
        {% for line in this.lines %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ line|tojson }});
        {% endfor %}
        {% endmacro %}
        """
    )

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__()
        self._name = "Attribution"
        self.lines = list(lines)


class _MetricScale(MacroElement):
    """A scale bar in metres and kilometres only."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, maxWidth: 160}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )


class _Style(MacroElement):
    """Page style inside the map frame: plain background, compact attribution, text size.

    `large` (council screen): 20 px text in tooltips, scale and the :mod:`layers.legend` boxes,
    larger swatches, no layer switcher.
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .leaflet-container { background: {{ this.colour }}; }
        .leaflet-control-attribution { font-size: 10px; max-width: 60%; }
        {% if this.large %}
        .leaflet-container, .leaflet-control, .leaflet-tooltip { font-size: 20px !important; }
        .leaflet-control-layers { display: none; }
        .leaflet-control-scale-line { font-size: 20px !important; }
        .{{ this.legend }}, .{{ this.legend }} * { font-size: 20px !important; }
        .{{ this.legend }} .{{ this.swatch }} { width: 22px !important; height: 22px !important; }
        .{{ this.legend }} { max-width: 420px !important; }
        .leaflet-control-attribution { font-size: 14px !important; }
        {% endif %}
        </style>
        {% endmacro %}
        """
    )

    def __init__(self, colour: str, *, large: bool) -> None:
        super().__init__()
        self._name = "Style"
        self.colour = colour
        self.large = large
        self.legend = legend.CSS_CLASS
        self.swatch = legend.SWATCH_CLASS


def base_map(*, bounds: Sequence[Sequence[float]] = SACHSEN_BOUNDS,
             attribution: Sequence[str] = MAP_ATTRIBUTION, large_text: bool = False) -> folium.Map:
    """An empty map fitted to `bounds` ((south, west), (north, east)), no tiles, offline-ready.

    `large_text` is for the shared screen: legends, tooltips and attribution at 20 px,
    no layer switcher. Layers are added by the caller; call :func:`finish` after the last one.
    """
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    # Without a tile layer folium passes no zoom limits to Leaflet; marker clusters need them.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    m.fit_bounds([list(bounds[0]), list(bounds[1])])
    m.add_child(_Style(style.BACKGROUND, large=large_text))
    m.add_child(_MetricScale())
    m.add_child(_Attribution(attribution))
    return m


def finish(m: folium.Map, *, layer_control: bool = True) -> folium.Map:
    """Add the layer control and swap every CDN asset for a local one (in place)."""
    if layer_control:
        overlays = sum(isinstance(c, folium.map.Layer) and c.control for c in m._children.values())
        folium.LayerControl(collapsed=overlays > 5).add_to(m)  # a long list would cover the map
    return make_offline(m)
