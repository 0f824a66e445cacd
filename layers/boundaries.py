"""Gemeinde and Kreis boundaries, and the highlight of a selected area.

The Gemeinden are the one layer of the map that never changes: drawn once, with a
tooltip (name, Kreis, Einwohner, AGS) and click target. The rates choropleth colours
these same shapes in the browser (:class:`GemeindeFills`) instead of sending a second
copy of them, so a new category or period costs kilobytes, not the boundaries again.
Both boundary layers are built from GeoJSON strings made once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo import display
from geo.fmt import zahl
from geo.lang import translate
from layers import style

#: Tooltip rows of a Gemeinde: (property, label).
GEMEINDE_TOOLTIP = (("name", "Gemeinde"), ("kreis", "Kreis"), ("einwohner_text", "Einwohner"), ("ags", "AGS"))


@functools.cache
def gemeinden_geojson() -> str:
    """Compact GeoJSON of the display Gemeinden with the tooltip's fields."""
    gdf = display.gemeinden_display()
    gdf["kreis"] = gdf["kreis_name"]
    gdf["einwohner_text"] = gdf["einwohner"].map(zahl)
    return display.to_geojson(gdf, properties=["ags", "name", "kreis", "einwohner_text"])


@functools.cache
def kreis_borders_geojson() -> str:
    """Compact GeoJSON of all Kreis borders (one MultiLineString)."""
    return display.geometry_to_geojson(display.kreis_borders_display())


class BoundaryLayer(folium.map.Layer):
    """A GeoJSON layer from a ready string, styled in the browser.

    Unlike ``folium.GeoJson`` it neither parses nor re-serialises its data on every
    render (the Gemeinden are 0.77 MB). Features may be recoloured by AGS through the
    layer's ``atlasState.fills`` and given extra tooltip rows through
    ``atlasState.rows`` (see :class:`GemeindeFills`); the layer that carries the
    Gemeinde tooltip registers itself as ``window.atlasGemeinden`` for that.

    Parameters
    ----------
    geojson : str
        FeatureCollection in WGS84.
    name : str
        Name in the layer control.
    line_style : dict
        Leaflet path style of every feature.
    tooltip : sequence of (property, label), optional
        Rows of a sticky tooltip; with it the layer is interactive (hover, click).
    pane : str
        Leaflet pane (see :data:`layers.maps.PANES`).
    url : str, optional
        Load the data from this URL in the browser (the running app serves it, see
        :func:`layers.compose.publish`) instead of writing it into the page.
    regroup : sequence of str
        Tooltip properties holding integers grouped the German way (``40.485``) that the
        browser shows grouped the English way (``40,485``); the data stays one file for
        both languages.
    failed_text : str
        With `url`: the note the map shows when the data cannot be loaded (instead of a
        map silently without these shapes).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }}_state = {fills: null, rows: null};
        var {{ this.get_name() }} = L.geoJson({{ "null" if this.url else this.geojson }}, {
          pane: {{ this.pane|tojson }},
          interactive: {{ this.interactive|tojson }},
          smoothFactor: 0.5,
          style: function(feature) {
            var fills = {{ this.get_name() }}_state.fills;
            var fill = fills && fills[feature.properties.ags];
            return Object.assign({}, {{ this.line_style|tojson }},
                                 fill ? {fillColor: fill, fillOpacity: {{ this.fill_opacity }}} : {});
          }
          {%- if this.interactive %},
          onEachFeature: function(feature, layer) {
            layer.on({
              mouseover: function(e) {
                e.target.setStyle({{ this.get_name() }}_state.fills ? {{ this.hover_line|tojson }}
                                                                   : {{ this.hover|tojson }});
              },
              mouseout: function(e) { {{ this.get_name() }}.resetStyle(e.target); }
            });
          }
          {%- endif %}
        });
        {{ this.get_name() }}.atlasState = {{ this.get_name() }}_state;
        {%- if this.url %}
        fetch({{ this.url|tojson }})
          .then(function(r) { if (!r.ok) throw new Error(r.status + " " + r.url); return r.json(); })
          .then(function(data) { {{ this.get_name() }}.addData(data); })
          .catch(function(err) {
            console.error(err);
            var say = function(map) {
              var note = L.control({position: "topright"});
              note.onAdd = function() {
                var div = L.DomUtil.create("div", "atlas-load-error");
                div.setAttribute("role", "alert");
                div.style.cssText = "background:#fff3cd;border:1px solid #b58900;padding:6px 10px;"
                                    + "font-size:14px;max-width:320px";
                div.textContent = {{ this.failed_text|tojson }};
                return div;
              };
              note.addTo(map);
            };
            if ({{ this.get_name() }}._map) say({{ this.get_name() }}._map);
            else {{ this.get_name() }}.once("add", function(e) { say(e.target._map); });
          });
        {%- endif %}
        {%- if this.interactive %}
        {{ this.get_name() }}.bindTooltip(function(layer) {
          var p = layer.feature.properties;
          var esc = function(s) {
            return String(s).replace(/[&<>"']/g, function(c) {
              return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
            });
          };
          var rows = {{ this.tooltip|tojson }}.map(function(r) { return [r[1], p[r[0]]]; });
          {%- if this.regroup %}
          // German-grouped integers ("40.485") regrouped for English readers ("40,485")
          {{ this.regroup|tojson }}.forEach(function(i) {
            rows[i][1] = String(rows[i][1]).replace(/\\./g, ",");
          });
          {%- endif %}
          var extra = {{ this.get_name() }}_state.rows && {{ this.get_name() }}_state.rows[p.ags];
          if (extra) rows = rows.concat(extra);
          return "<table>" + rows.map(function(r) {
            return '<tr><th style="text-align:left;padding-right:8px">' + esc(r[0]) + "</th><td>"
                   + esc(r[1]) + "</td></tr>";
          }).join("") + "</table>";
        }, {sticky: true});
        window.atlasGemeinden = {{ this.get_name() }};
        {%- endif %}
        {% endmacro %}
        """
    )

    def __init__(self, geojson: str, *, name: str, line_style: Mapping[str, object],
                 tooltip: Sequence[tuple[str, str]] = (), pane: str = "overlayPane",
                 url: str | None = None, regroup: Sequence[str] = (), failed_text: str = "") -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "BoundaryLayer"
        self.geojson = geojson
        self.url = url
        self.failed_text = failed_text or translate(_FAILED, "de").format(what=name)
        self.line_style = dict(line_style)
        self.tooltip = [list(row) for row in tooltip]
        self.regroup = [i for i, (prop, _) in enumerate(self.tooltip) if prop in regroup]  # row numbers
        self.interactive = bool(tooltip)
        self.pane = pane
        self.hover = style.GEMEINDE_HOVER
        self.hover_line = {k: v for k, v in style.GEMEINDE_HOVER.items() if not k.startswith("fill")}
        self.fill_opacity = style.CHOROPLETH_OPACITY


class GemeindeFills(MacroElement):
    """Child of a layer: while it is on the map, the Gemeinden are filled per AGS and their
    tooltip gets extra rows (a choropleth drawn on the one Gemeinde layer).

    Parameters
    ----------
    fills : mapping
        AGS → CSS colour; Gemeinden not in it keep their plain style.
    rows : mapping
        AGS → list of (label, text) appended to the Gemeinde tooltip.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(layer) {
          var fills = {{ this.fills|tojson }}, rows = {{ this.rows|tojson }};
          layer.on("add", function() {
            var g = window.atlasGemeinden;
            if (!g) return;
            g.atlasState.fills = fills;
            g.atlasState.rows = rows;
            g.resetStyle();
          });
          layer.on("remove", function() {
            var g = window.atlasGemeinden;
            if (!g || g.atlasState.fills !== fills) return;
            g.atlasState.fills = null;
            g.atlasState.rows = null;
            g.resetStyle();
          });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, fills: Mapping[str, str], rows: Mapping[str, Sequence[tuple[str, str]]]) -> None:
        super().__init__()
        self._name = "GemeindeFills"
        self.fills = dict(fills)
        self.rows = {ags: [list(r) for r in rs] for ags, rs in rows.items()}


_FAILED = "Kartenebene „{what}“ konnte nicht geladen werden. Bitte die Seite neu laden."

#: File names of the boundary GeoJSON when the app serves it (:func:`layers.compose.publish`).
GEMEINDEN_FILE, KREISGRENZEN_FILE = "gemeinden.geojson", "kreisgrenzen.geojson"


def gemeinden_layer(*, served: str | None = None, lang: str = "de") -> BoundaryLayer:
    """All 418 Gemeinden: thin borders, hover highlight, tooltip with name, Kreis, Einwohner, AGS.

    `served`: URL path where :data:`GEMEINDEN_FILE` is served; default: data in the page.
    `lang`: language of the layer name and the tooltip labels (and of the Einwohner figure).
    """
    tooltip = [(prop, translate(label, lang)) for prop, label in GEMEINDE_TOOLTIP]
    return BoundaryLayer(gemeinden_geojson(), name=translate("Gemeinden", lang),
                         line_style={**style.GEMEINDE_BORDER, **style.GEMEINDE_FILL},
                         tooltip=tooltip, url=served and f"{served}/{GEMEINDEN_FILE}",
                         regroup=["einwohner_text"] if lang == "en" else [],
                         failed_text=translate(_FAILED, lang).format(what=translate("Gemeinden", lang)))


def kreis_borders_layer(*, served: str | None = None, lang: str = "de") -> BoundaryLayer:
    """Kreis and Land borders, drawn stronger than Gemeinde borders, not interactive, on top."""
    return BoundaryLayer(kreis_borders_geojson(), name=translate("Kreisgrenzen", lang),
                         line_style=style.KREIS_BORDER, pane="kreisgrenzen",
                         url=served and f"{served}/{KREISGRENZEN_FILE}",
                         failed_text=translate(_FAILED, lang).format(what=translate("Kreisgrenzen", lang)))


def selection_layer(geojson: str, *, name: str, lang: str = "de") -> folium.GeoJson:
    """The selected Gemeinde or Kreis outlined in the selection colour (not interactive)."""
    return folium.GeoJson(
        geojson,
        name=translate("Auswahl: {name}", lang).format(name=name),
        style_function=lambda _: style.SELECTION,
        interactive=False,
        pane="auswahl",
    )
