"""The one place that builds a folium map: offline assets, attribution, controls, panes.

Drawing order is fixed by Leaflet panes (:data:`PANES`), not by the order layers are
added: the app adds result layers to a map that is already drawn
(streamlit-folium's ``feature_group_to_add``), yet Kreis borders and the selected
area must stay on top of them. :class:`FitView` and :class:`KeepVisibility` make such
added layers behave like part of the map: the first zooms to the view's area once,
the second keeps a layer switched off if the user switched it off before.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.sources import MAP_ATTRIBUTION
from layers import basemaps, legend, rendering, style
from layers.offline import make_offline
from layers.tooltips import TextLayerControl

rendering.install()  # see layers/rendering.py: no Jinja pass over rendered map data

#: (south, west), (north, east) of Saxony in WGS84, with a small margin.
SACHSEN_BOUNDS = ((50.15, 11.85), (51.70, 15.05))
MIN_ZOOM, MAX_ZOOM = 6, 18

#: Custom panes, bottom to top: name → (z-index, takes pointer events). Leaflet's own:
#: tilePane 200 (unused), overlayPane 400 (the Gemeinden, for tooltip and click), markerPane 600,
#: tooltipPane 650.
PANES = {
    basemaps.PANE: (150, False),  # background tiles (layers/basemaps.py): under everything
    "zusatz": (420, True),  # ASSKomm network, survey layers: above the Gemeinde fills
    "ergebnis": (430, True),  # density image, Gi*/LISA cells, Kreis choropleth
    "massnahmen": (440, True),  # places of measures (outline, light fill): above the result they annotate
    "kreisgrenzen": (450, False),
    "auswahl": (460, False),  # outline of the selected area
}


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
        .leaflet-tooltip table { font-size: inherit; }  /* quirks mode: tables would not inherit */
        /* Leaflet opens a tooltip towards the map's wider half: at most 45 % wide, it always fits. */
        .leaflet-tooltip { width: max-content; max-width: 45vw; white-space: normal; }
        {% if this.large %}
        .leaflet-container, .leaflet-control, .leaflet-tooltip { font-size: 20px !important; }
        .leaflet-control-layers { display: none; }
        .leaflet-control-scale-line { font-size: 20px !important; }
        .{{ this.legend }}, .{{ this.legend }} * { font-size: 20px !important; }
        .{{ this.legend }} .{{ this.swatch }} { width: 22px !important; height: 22px !important; }
        .{{ this.legend }} { max-width: 420px !important; }
        .leaflet-control-attribution { font-size: 20px !important; max-width: 75%; }
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


class _LayerMemory(MacroElement):
    """Remembers in the page which overlays the user switched on or off in the layer control
    (``window.__atlasShown``, by layer name), for :class:`KeepVisibility`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.__atlasShown = window.__atlasShown || {};
        {{ this._parent.get_name() }}.getContainer().addEventListener("change", function(e) {
          var input = e.target;
          if (!input.classList || !input.classList.contains("leaflet-control-layers-selector")) return;
          var label = input.closest("label");
          if (label) window.__atlasShown[label.textContent.trim()] = input.checked;
        }, true);
        {% endmacro %}
        """
    )


class _Assets(MacroElement):
    """Loads JS/CSS with the base map, for layers that arrive later (streamlit-folium loads a
    map's assets once, when the map is first drawn)."""

    def __init__(self, js: Sequence[tuple[str, str]], css: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "Assets"
        self.default_js = list(js)
        self.default_css = list(css)


class FitView(MacroElement):
    """Child of a layer: when the layer is added, zoom the map to `bounds` ((south, west),
    (north, east)) – unless the map was last fitted to these very bounds, so that a redraw
    of the same area keeps the user's pan and zoom."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(layer) {
          var bounds = L.latLngBounds({{ this.bounds|tojson }});
          layer.on("add", function(e) {
            var map = e.target._map;
            map.atlasDraws = (map.atlasDraws || 0) + 1;  // views shown; browser tests wait on it
            if (map.__atlasBounds && map.__atlasBounds.equals(bounds)) return;
            map.__atlasBounds = bounds;
            map.fitBounds(bounds);
          });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "FitView"
        self.bounds = [list(map(float, bounds[0])), list(map(float, bounds[1]))]


class KeepVisibility(MacroElement):
    """Child of a layer that is added to a map already drawn: it stays switched off if the user
    switched a layer of its name off before (or, never touched, if it starts hidden).

    streamlit-folium adds every layer it is given, whatever its ``show``; this takes it off
    again straight away, and that first add draws none of the layer's content: a marker cluster
    would start clustering its points in chunks and, taken off mid-way, fail on the next chunk
    ("Cannot read properties of null (reading 'getMinZoom')") and lose the rest of its points.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(layer) {
          var chosen = (window.__atlasShown || {})[{{ this.name|tojson }}];
          if (chosen === undefined ? {{ this.show|tojson }} : chosen) return;
          layer.onAdd = function() { delete layer.onAdd; };  // the next add draws as usual
          layer.once("add", function(e) { e.target._map.removeLayer(e.target); });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, *, show: bool) -> None:
        super().__init__()
        self._name = "KeepVisibility"
        self.name = name
        self.show = show


def add_panes(m: folium.Map) -> folium.Map:
    """Create the :data:`PANES` on `m` (in place; returns `m`)."""
    for name, (z_index, pointer_events) in PANES.items():
        m.add_child(folium.map.CustomPane(name, z_index=z_index, pointer_events=pointer_events))
    return m


def base_map(*, bounds: Sequence[Sequence[float]] = SACHSEN_BOUNDS,
             attribution: Sequence[str] = MAP_ATTRIBUTION, large_text: bool = False,
             basemap: str = "keine", served: str | None = None, lang: str = "de") -> folium.Map:
    """An empty map fitted to `bounds` ((south, west), (north, east)), offline-ready.

    `large_text` is for the shared screen: legends, tooltips and attribution at 20 px,
    no layer switcher, a calmer background. `basemap` (a key of
    :data:`layers.basemaps.BASEMAPS`) lies in the lowest pane, under every layer; with
    ``"keine"`` the map has no tiles and fetches nothing. `served` and `lang` as for
    :func:`layers.basemaps.add_basemap`. Layers are added by the caller; call
    :func:`finish` after the last one.
    """
    m = folium.Map(tiles=None, control_scale=False, zoom_snap=0.25)
    # Without a tile layer folium passes no zoom limits to Leaflet; marker clusters need them.
    m.options.update(min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM)
    m.fit_bounds([list(bounds[0]), list(bounds[1])])
    m.add_child(_Style(style.BACKGROUND, large=large_text))
    m.add_child(_MetricScale())
    m.add_child(_Attribution(attribution))
    m.add_child(_LayerMemory())
    add_panes(m)
    return basemaps.add_basemap(m, basemap, served=served, council=large_text, lang=lang)


def preload(m: folium.Map, *elements: type[MacroElement] | MacroElement) -> folium.Map:
    """Load the JS/CSS assets of `elements` (classes or instances) with `m` (in place; returns
    `m`), so that layers of their kind can be added to the drawn map later."""
    js = [asset for e in elements for asset in getattr(e, "default_js", [])]
    css = [asset for e in elements for asset in getattr(e, "default_css", [])]
    m.add_child(_Assets(js, css))
    return m


def layer_control(n_layers: int) -> TextLayerControl:
    """The layer switcher (names shown as text); collapsed from six layers on (a long list would
    cover the map)."""
    return TextLayerControl(collapsed=n_layers > 5)


def finish(m: folium.Map, *, with_layer_control: bool = True) -> folium.Map:
    """Add the layer control and swap every CDN asset for a local one (in place)."""
    if with_layer_control:
        layers = sum(isinstance(c, folium.map.Layer) and c.control for c in m._children.values())
        layer_control(layers).add_to(m)
    return make_offline(m)
