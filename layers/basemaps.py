"""The background map (Hintergrundkarte): tiles under every other layer, or none.

Choices, keyed as in the URL (``karte=``, see :data:`BASEMAPS`): basemap.de grey (the
default) or colour, OpenStreetMap, none, and local tiles for installations without
internet. Background tiles are the only thing the map may fetch from outside the app;
everything else (Leaflet, boundaries) stays local. With ``keine`` the map is exactly
the map without background: no tile layer, no request leaves 127.0.0.1.

The tiles lie in their own pane :data:`PANE` (:data:`layers.maps.PANES`, z-index 150),
below Leaflet's overlayPane (400) where the Gemeinden are, and below every pane of
ours. When no tile arrives (no internet, a proxy refuses them) the map says so in one
line and works on without background. On the shared screen (`council`) the background
is calmer: grey, lower contrast, 60 % opaque, so the hotspot classes stay readable
from 3 m.

Local tiles (``lokal``, ``ATLAS_TILES``) are read and published by :mod:`layers.local_tiles`.
"""

from __future__ import annotations

import functools
import html
import logging
import os
from dataclasses import dataclass

import folium
from branca.element import MacroElement
from jinja2 import Template

from geo.lang import translate
from layers.local_tiles import (
    TILES_DIR,
    TileSourceError,
    local_source,
)

_log = logging.getLogger(__name__)

#: Key (``karte=``) → German label; the UI shows ``translate(label, lang)`` (see :func:`label`).
BASEMAPS = {
    "basemapde": "basemap.de grau",
    "basemapde-farbe": "basemap.de farbig",
    "osm": "OpenStreetMap",
    "keine": "keine",
    "lokal": "lokale Kacheln",
}
DEFAULT_BASEMAP = "basemapde"
BASEMAP_ENV = "ATLAS_BASEMAP"  # the installation's default background
PANE = "hintergrund"

UNREACHABLE = "Hintergrundkarte nicht erreichbar – Karte ohne Hintergrund"
#: Tile errors, with no tile loaded, after which the map says :data:`UNREACHABLE`.
ERRORS_BEFORE_NOTE = 3
#: Shared screen: the same background, calmer (tile opacity and a filter on the pane).
COUNCIL_OPACITY = 0.6
COUNCIL_FILTER = "grayscale(1) contrast(0.8) brightness(1.1)"


@dataclass(frozen=True)
class _Online:
    url: str
    attribution: str  # HTML, German; the link text goes through translate()
    max_zoom: int
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None


_BASEMAPDE = ("https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/{layer}/default/"
              "GLOBAL_WEBMERCATOR/{{z}}/{{y}}/{{x}}.png")  # WMTS REST: row {y} before column {x}
# The BKG asks for "Datenquelle: © basemap.de / BKG <Monat Jahr>" under CC BY 4.0 on the web
# raster; a month would be stale the month after, so we name the source and the licence,
# linked to basemap.de (as agreed for this atlas).
_BASEMAPDE_ATTR = ('<a href="https://basemap.de" target="_blank" rel="noopener">'
                   "© basemap.de / BKG (CC BY 4.0)</a>")
_GERMANY = ((47.2, 5.8), (55.1, 15.1))  # basemap.de covers Germany only: ask for no tile beyond
_ONLINE = {
    # GLOBAL_WEBMERCATOR has levels 0–18 (the atlas map stops at 18 as well).
    "basemapde": _Online(_BASEMAPDE.format(layer="de_basemapde_web_raster_grau"), _BASEMAPDE_ATTR,
                         18, _GERMANY),
    "basemapde-farbe": _Online(_BASEMAPDE.format(layer="de_basemapde_web_raster_farbe"), _BASEMAPDE_ATTR,
                               18, _GERMANY),
    # OpenStreetMap's tile usage policy (operations.osmfoundation.org/policies/tiles): visible
    # attribution "© OpenStreetMap" linked to the copyright page; a valid Referer (the browser
    # sends the app's origin, see referrerPolicy below) and User-Agent; no bulk downloading
    # or prefetching of tiles (Leaflet loads only the tiles in view, we never preload other
    # zooms or areas); tiles up to zoom 19 only; honour the caching headers (the browser does).
    # For heavy use the policy asks for one's own tile server: that is ``lokal``.
    "osm": _Online("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                   '<a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener">'
                   "{osm}</a>", 19),
}
_OSM_TEXT = "© OpenStreetMap-Mitwirkende"


def label(key: str, *, lang: str = "de") -> str:
    """The label of background `key` in `lang` (``"basemap.de grau"``, ``"basemap.de grey"``)."""
    return translate(BASEMAPS[key], lang)


def configured_default() -> str:
    """The installation's background: ``ATLAS_BASEMAP`` if it names one of :data:`BASEMAPS`,
    else :data:`DEFAULT_BASEMAP` (an unknown value is logged, never an error)."""
    raw = os.environ.get(BASEMAP_ENV, "").strip().lower()
    if raw in BASEMAPS:
        return raw
    if raw:
        _unknown_default(raw)
    return DEFAULT_BASEMAP


@functools.cache
def _unknown_default(raw: str) -> None:
    """Log an unknown ``ATLAS_BASEMAP`` once, not on every rerun."""
    _log.warning("%s=%r ist unbekannt (erlaubt: %s); Hintergrund %s.", BASEMAP_ENV, raw,
                 ", ".join(BASEMAPS), DEFAULT_BASEMAP)


class _Watch(MacroElement):
    """Says :data:`UNREACHABLE` in the map when no tile of `layer` arrives (or at once
    without a layer, with `reason` beneath); on the shared screen calms the tile pane."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function(map, layer) {
          var errors = 0, loads = 0, note = null;
          var show = function() {
            if (note || loads) return;
            note = L.control({position: "bottomright"});
            note.onAdd = function() {
              var div = L.DomUtil.create("div", "atlas-basemap-note");
              div.setAttribute("role", "status");
              div.style.cssText = "background:#fff3cd;border:1px solid #b58900;padding:4px 8px;"
                                  + "font-size:14px;max-width:480px";
              div.textContent = {{ this.text|tojson }};
              {%- if this.reason %}
              var small = L.DomUtil.create("div", "", div);
              small.style.fontSize = "smaller";
              small.textContent = {{ this.reason|tojson }};
              {%- endif %}
              return div;
            };
            note.addTo(map);
          };
          map.atlasBasemap = {{ this.key|tojson }};
          {%- if this.filter %}
          map.getPane({{ this.pane|tojson }}).style.filter = {{ this.filter|tojson }};
          {%- endif %}
          if (!layer) { show(); return; }
          layer.on("tileerror", function() { errors += 1; if (errors >= {{ this.limit }}) show(); });
          layer.on("load", function() { if (errors) show(); });  // all tiles in view done, none loaded
          layer.on("tileload", function() {
            loads += 1;
            if (note) { map.removeControl(note); note = null; }
          });
        })({{ this._parent.get_name() }}, {{ this.layer }});
        {% endmacro %}
        """
    )

    def __init__(self, key: str, layer: folium.TileLayer | None, *, council: bool, lang: str,
                 reason: str = "") -> None:
        super().__init__()
        self._name = "BasemapWatch"
        self.key = key
        self.layer = layer.get_name() if layer is not None else "null"
        self.text = translate(UNREACHABLE, lang)
        self.reason = reason
        self.limit = ERRORS_BEFORE_NOTE
        self.pane = PANE
        self.filter = COUNCIL_FILTER if council and layer is not None else ""


class _AttributionLine(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "BasemapAttribution"
        self.text = html.escape(text)


def tile_layer(key: str, *, served: str | None = None, council: bool = False,
               lang: str = "de") -> folium.TileLayer | None:
    """The tile layer of background `key`, drawn in :data:`PANE`; None for ``keine``, and for
    ``lokal`` when there is no app to serve the tiles (`served` None) or no usable source.

    Raises
    ------
    ValueError
        `key` is not one of :data:`BASEMAPS`.
    """
    if key not in BASEMAPS:
        raise ValueError(f"unbekannte Hintergrundkarte {key!r}; erlaubt: {', '.join(BASEMAPS)}")
    options: dict[str, object] = {"pane": PANE, "opacity": COUNCIL_OPACITY if council else 1.0,
                                  "referrer_policy": "strict-origin-when-cross-origin",
                                  "class_name": "atlas-basemap"}
    if key in _ONLINE:
        spec = _ONLINE[key]
        url, attribution = spec.url, spec.attribution.format(osm=html.escape(translate(_OSM_TEXT, lang)))
        options.update(max_zoom=spec.max_zoom, max_native_zoom=spec.max_zoom)
        bounds = spec.bounds
    elif key == "lokal" and served is not None:
        try:
            tiles = local_source()
        except TileSourceError:
            return None
        url = f"{served}/{TILES_DIR}/{{z}}/{{x}}/{{y}}.{tiles.ext}"
        attribution = html.escape(tiles.attribution or translate("lokale Kacheln", lang))
        options.update(min_native_zoom=tiles.min_zoom, max_native_zoom=tiles.max_zoom)
        bounds = tiles.bounds
    else:
        return None
    if bounds is not None:
        options["bounds"] = [list(bounds[0]), list(bounds[1])]
    return folium.TileLayer(url, attr=attribution, name=translate("Hintergrundkarte", lang), control=False,
                            **options)


def add_basemap(m: folium.Map, key: str, *, served: str | None = None, council: bool = False,
                lang: str = "de") -> folium.Map:
    """Put background `key` under the layers of `m` (in place; returns `m`).

    Call it after the panes exist (:func:`layers.maps.base_map` does). ``keine`` adds
    nothing at all. Online tiles come with their attribution and the note for when they
    cannot be loaded. ``lokal`` needs `served` (the URL path of the app's static files,
    where :func:`publish_local` put the tiles): without it (an exported file) the map has
    no background and its attribution says why; without a usable ``ATLAS_TILES`` the map
    says so in its note.

    Parameters
    ----------
    m : folium.Map
    key : str
        One of :data:`BASEMAPS`.
    served : str, optional
        URL path of the files the app serves (``"/app/static"``); None for a standalone page.
    council : bool
        Shared screen: the calmer background.
    lang : str
        Language of attribution and note.
    """
    layer = tile_layer(key, served=served, council=council, lang=lang)
    if layer is not None:
        m.add_child(layer)
        m.add_child(_Watch(key, layer, council=council, lang=lang))
    elif key == "lokal" and served is None:
        m.add_child(_AttributionLine(translate("Ohne Hintergrundkarte: lokale Kacheln liefert nur die "
                                               "laufende App aus.", lang)))
    elif key == "lokal":
        try:
            local_source()
            reason = ""
        except TileSourceError as err:
            reason = translate(err.args[0], lang)
        m.add_child(_Watch(key, None, council=council, lang=lang, reason=reason))
    return m
