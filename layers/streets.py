"""Streets and named places from OpenStreetMap (:mod:`geo.osm`) as thin vector layers.

For a Gemeinde or Kreis view: the named streets within the area's bounding box (plus a
margin) as grey lines (main streets stronger), the names of the main streets as labels
from zoom :data:`LABEL_ZOOM` on, and the places as small circles in switchable groups
(Haltestellen und Bahnhöfe, Schulen und Spielplätze, Parks und Plätze, Nachtleben,
Abfallbehälter). It works without any background tiles. The payload is bounded: lines
simplified to :data:`SIMPLIFY_M` metres, coordinates to 5 decimals (about 1 m), at most
:data:`MAX_STREETS` lines (the longest first). Names come from OSM data, so they are
escaped like every text from data.
"""

from __future__ import annotations

import functools
import hashlib
import html
import json
from pathlib import Path

import folium
import geopandas as gpd
import shapely
from branca.element import MacroElement
from jinja2 import Template

from geo.files import write_atomic
from geo.lang import translate
from geo.osm import ATTRIBUTION, OsmData
from layers.tooltips import TextTooltip

SIMPLIFY_M = 4.0
MARGIN_M = 500.0
MAX_STREETS = 12_000
LABEL_ZOOM = 15
MAIN = ("motorway", "trunk", "primary", "secondary", "tertiary", "pedestrian")
#: Place groups shown as switchable layers: German name → (classes, colour).
PLACE_GROUPS = {
    "Haltestellen und Bahnhöfe": (("Haltestelle", "Bahnhof", "Busbahnhof"), "#1f5fa8"),
    "Schulen und Spielplätze": (("Schule", "Spielplatz"), "#7b3fa0"),
    "Parks und Plätze": (("Park", "Platz"), "#3a7d2c"),
    "Nachtleben": (("Bar", "Gaststätte", "Club"), "#b8620b"),
    "Abfallbehälter und Container": (
        ("Abfallbehälter", "Wertstoffcontainer", "Wertstoffhof", "Müllcontainer"), "#6b6b6b"),
}
LAYER_NAME = "Straßen (OpenStreetMap)"


Bounds = tuple[float, float, float, float]  # EPSG:25833 metres: xmin, ymin, xmax, ymax


def _window(osm: OsmData, bounds: Bounds) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    xmin, ymin, xmax, ymax = bounds
    box = (slice(xmin - MARGIN_M, xmax + MARGIN_M), slice(ymin - MARGIN_M, ymax + MARGIN_M))
    return osm.streets.cx[box], osm.places.cx[box]


@functools.lru_cache(maxsize=8)
def street_features(osm: OsmData, bounds: Bounds) -> dict:
    """GeoJSON (EPSG:4326) of the streets in `bounds` (EPSG:25833) plus margin: one feature per
    street name and kind (``name``, ``main``), its ways merged into as few lines as they form.
    Cached per extract (by identity) and area: a redraw of the same town builds nothing again;
    treat the result as read-only."""
    streets, _ = _window(osm, bounds)
    if len(streets) > MAX_STREETS:
        streets = streets.assign(length=streets.length).nlargest(MAX_STREETS, "length")
    frame = gpd.GeoDataFrame({"name": streets["name"].fillna("").to_numpy(),
                              "main": streets["highway"].isin(MAIN).to_numpy()},
                             geometry=shapely.simplify(streets.geometry.to_numpy(), SIMPLIFY_M),
                             crs=streets.crs)
    merged = frame.dissolve(by=["name", "main"], as_index=False)
    merged["geometry"] = shapely.line_merge(merged.geometry.to_numpy())
    merged = merged.to_crs("EPSG:4326")
    merged["geometry"] = shapely.set_precision(merged.geometry.to_numpy(), 1e-5)
    return json.loads(merged.to_json(drop_id=True))


@functools.lru_cache(maxsize=8)
def _labels(osm: OsmData, bounds: Bounds) -> list[tuple[float, float, str]]:
    """(lat, lon, name) at the middle of the longest piece of each named main street."""
    streets, _ = _window(osm, bounds)
    main = streets[streets["highway"].isin(MAIN) & streets["name"].notna()]
    if main.empty:
        return []
    longest = main.assign(length=main.length).sort_values("length").drop_duplicates("name", keep="last")
    middles = longest.geometry.interpolate(0.5, normalized=True).to_crs("EPSG:4326")
    return [(p.y, p.x, name) for p, name in zip(middles, longest["name"], strict=True)]


class _ZoomLabels(MacroElement):
    """Street labels only from zoom :data:`LABEL_ZOOM` on (a class on the map container)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function() {
            var group = {{ this._parent.get_name() }};
            if (!document.getElementById('atlas-strassennamen-stil')) {  // once per page; a redraw
                var style = document.createElement('style');              // brings no new <head>
                style.id = 'atlas-strassennamen-stil';
                style.textContent = {{ this.css|tojson }};
                document.head.appendChild(style);
            }
            function wire(map) {
                function toggle() {
                    var near = map.getZoom() >= {{ this.zoom }};
                    map.getContainer().classList.toggle('atlas-strassennamen', near);
                }
                map.on('zoomend', toggle); toggle();
            }
            if (group._map) { wire(group._map); }
            else { group.once('add', function() { wire(group._map); }); }
        })();
        {% endmacro %}
    """)

    css = (".atlas-street-label {display: none; font: 11px/1.2 Arial, sans-serif; color: #333; "
           "white-space: nowrap; text-shadow: 0 0 2px #fff, 0 0 2px #fff; pointer-events: none; "
           "transform: translate(-50%, -50%);} .atlas-strassennamen .atlas-street-label {display: block;}")

    def __init__(self, zoom: int) -> None:
        super().__init__()
        self._name = "ZoomLabels"
        self.zoom = zoom


class _StreetLines(MacroElement):
    """The streets as one Leaflet GeoJSON layer: data in the page, or fetched from `url` (served
    by the app, cached by the browser, so a redraw does not send them again). Names are
    escaped in the tooltip; the ODbL attribution comes with the layer."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ "null" if this.url else this.data|tojson }}, {
            attribution: {{ this.attribution|tojson }},
            style: function(f) {
                return f.properties.main ? {{ this.main|tojson }} : {{ this.minor|tojson }};
            }
        });
        {{ this.get_name() }}.bindTooltip(function(layer) {
            return String(layer.feature.properties.name).replace(/[&<>"']/g, function(c) {
                return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c];
            });
        }, {sticky: true});
        {%- if this.url %}
        fetch({{ this.url|tojson }})
            .then(function(r) { if (!r.ok) throw new Error(r.status + " " + r.url); return r.json(); })
            .then(function(data) { {{ this.get_name() }}.addData(data); })
            .catch(function(err) { console.error(err); });
        {%- endif %}
        {{ this.get_name() }}.addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, data: dict | None, url: str | None) -> None:
        super().__init__()
        self._name = "StreetLines"
        self.data, self.url, self.attribution = data, url, ATTRIBUTION
        self.main = {"color": "#6e6e6e", "weight": 2.2, "opacity": 0.9}
        self.minor = {"color": "#9a9a9a", "weight": 1.0, "opacity": 0.9}


STREETS_DIR = "strassen"


def published_streets(osm: OsmData, key: str, bounds: Bounds, directory: Path) -> str:
    """Write the streets of area `key` into `directory`/strassen once per extract; the file name."""
    stamp = hashlib.sha256(f"{osm.source}|{osm.imported}|{osm.date}".encode()).hexdigest()[:12]
    name = f"{STREETS_DIR}/{key}-{stamp}.json"
    target = directory / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, json.dumps(street_features(osm, bounds)).encode("utf-8"))
    return name


def streets_layer(osm: OsmData, bounds: Bounds, *, lang: str = "de", show: bool = True,
                  url: str | None = None) -> folium.FeatureGroup:
    """The streets of `bounds` (EPSG:25833) with labels of the main streets, as one group; with
    `url` the browser fetches the lines from there (:func:`published_streets`)."""
    group = folium.FeatureGroup(name=translate(LAYER_NAME, lang), show=show, control=True)
    group.add_child(_StreetLines(None if url else street_features(osm, bounds), url))
    for lat, lon, name in _labels(osm, bounds):
        folium.Marker((lat, lon), icon=folium.DivIcon(
            html=f'<div class="atlas-street-label">{html.escape(name)}</div>', icon_size=(0, 0)),
            interactive=False).add_to(group)
    group.add_child(_ZoomLabels(LABEL_ZOOM))
    return group


def place_layers(osm: OsmData, bounds: Bounds, *,
                 lang: str = "de") -> list[folium.FeatureGroup]:
    """One switchable group per kind of place (:data:`PLACE_GROUPS`), switched off at first."""
    _, places = _window(osm, bounds)
    places = places.to_crs("EPSG:4326")
    groups = []
    for name, (classes, colour) in PLACE_GROUPS.items():
        chosen = places[places["klasse"].isin(classes)]
        if chosen.empty:
            continue
        group = folium.FeatureGroup(name=translate(name, lang), show=False)
        for point, klasse, label in zip(chosen.geometry, chosen["klasse"], chosen["name"], strict=True):
            text = translate(klasse, lang) + (f": {label}" if isinstance(label, str) and label else "")
            folium.CircleMarker((point.y, point.x), radius=3, color=colour, weight=1, fill=True,
                                fill_opacity=0.9, tooltip=TextTooltip(text)).add_to(group)
        groups.append(group)
    return groups


def payload_bytes(osm: OsmData, bounds: Bounds) -> int:
    """Size of the streets' GeoJSON for `bounds` (for the benchmark and the README)."""
    return len(json.dumps(street_features(osm, bounds)).encode("utf-8"))


