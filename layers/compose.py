"""The atlas map of one `Analysis`: which layers, in which panes, for which audience.

The map is two parts. The *base* (:func:`base`) is the same for every view of a mode:
the 418 Gemeinden (tooltip, click target, and the shapes the rates choropleth colours),
the Kreis borders, controls, styles and assets. The *view* (:func:`view_groups`) is a few
``FeatureGroup``s: overlays, the method's result with its legend, incident points
(planner only) and the selected area. The app draws the base once and replaces only the
view's groups on a redraw (streamlit-folium's ``feature_group_to_add``); an export adds
the same groups to a fresh base (:func:`atlas_map`). Panes (:data:`layers.maps.PANES`)
fix the drawing order either way: Gemeinden, overlays, result, Kreis borders, selection,
points. In the council mode (``council=True``) no incident points are added, ever: only
aggregated layers with the privacy threshold applied.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import folium
from branca.element import MacroElement
from folium.plugins import FastMarkerCluster

from geo import display
from geo.analysis import Analysis
from geo.boundaries import area as area_of
from geo.export import result_bytes
from geo.files import write_atomic
from geo.hotspots.points import select
from geo.osm import OsmData
from layers import asskomm as asskomm_layers
from layers import boundaries as boundary_layers
from layers import local_tiles, maps
from layers import measures as measure_layers
from layers import streets as street_layers
from layers import survey as survey_layers
from layers.emerging import emerging_layer, emerging_legend_html
from layers.hotspots import (
    gi_layer,
    gi_legend_html,
    kde_layer,
    kde_legend_html,
    lisa_layer,
    lisa_legend_html,
)
from layers.incidents import incident_layers
from layers.legend import HtmlLegend
from layers.offline import make_offline, served_files
from layers.rates import rates_layer, rates_legend
from layers.static import view_png
from layers.tooltips import TextLayerControl


def base(*, council: bool = False, served: str | None = None, lang: str = "de",
         basemap: str = "keine") -> folium.Map:
    """The part of the map that no view changes: Sachsen, Gemeinden, Kreis borders, controls.

    `council` (shared screen): large text, no layer switcher, a calmer background. Offline-ready; for the
    planner the marker-cluster assets are loaded with it so that point layers can come later.
    `served`: URL path where the app serves :func:`publish`'s files; the browser then loads
    boundaries, Leaflet and local tiles from there once instead of receiving them with every redraw.
    `lang` (``"de"`` or ``"en"``): language of layer names and the Gemeinde tooltip.
    `basemap`: the background (:data:`layers.basemaps.BASEMAPS`), under every layer; the app
    passes the URL's choice or :func:`layers.basemaps.configured_default`. ``"keine"`` (the
    default here) fetches nothing from outside.
    """
    m = maps.base_map(large_text=council, basemap=basemap, served=served, lang=lang)
    boundary_layers.gemeinden_layer(served=served, lang=lang).add_to(m)
    boundary_layers.kreis_borders_layer(served=served, lang=lang).add_to(m)
    if not council:  # the shared screen never shows incident points
        maps.preload(m, FastMarkerCluster)
    return make_offline(m, served=served)


#: Where :func:`publish` wrote the served files (per-view files such as a town's streets go there too).
_PUBLISHED: dict[str, Path] = {}


def publish(directory: Path) -> None:
    """Write the files :func:`base` loads when served (boundaries, Leaflet and plugins) into
    `directory`; only files whose content changed are rewritten, each atomically. The local
    tiles ``ATLAS_TILES`` names go to ``directory/kacheln`` (:func:`layers.local_tiles.publish_local`;
    skipped while unchanged)."""
    files = {**served_files(),
             boundary_layers.GEMEINDEN_FILE: boundary_layers.gemeinden_geojson().encode("utf-8"),
             boundary_layers.KREISGRENZEN_FILE: boundary_layers.kreis_borders_geojson().encode("utf-8")}
    directory.mkdir(parents=True, exist_ok=True)
    _PUBLISHED["directory"] = directory
    for name, content in files.items():
        target = directory / name
        if not (target.exists() and target.read_bytes() == content):
            write_atomic(target, content)
    local_tiles.publish_local(directory)


def view_groups(analysis: Analysis, *, points=None, council: bool = False,
                overlays: Sequence[folium.FeatureGroup] = (), served: str | None = None,
                lang: str = "de", osm: OsmData | None = None) -> list[folium.FeatureGroup]:
    """The layers of one view, as groups for :func:`base`, bottom to top; offline-ready.

    `points` (planner view only, see :func:`map_points`) adds clustered incidents,
    switched off at first. `overlays` come from :func:`overlay_layers`. The result group
    carries the legend and zooms the map to the view's area when it arrives. `served` and
    `lang` as for :func:`base`; pass the same `lang` to :func:`overlay_layers`. With `osm`
    (:func:`geo.osm.load`) a Gemeinde or Kreis view gets its streets under the result (and, in
    the planner view, the places as switchable groups): orientation without background tiles.
    An overlay with a ``focus`` (the measure a view names, :func:`layers.measures.measures_layer`)
    is where the map zooms instead of the area.
    """
    key = analysis.view.area
    result = result_group(analysis, council=council, lang=lang, osm=osm)
    selected = display.area_display(key) if key is not None else None
    focus = next((g.focus for g in overlays if getattr(g, "focus", None) is not None), None)
    if focus is not None:
        result.add_child(maps.FitView(focus))
    elif selected is None:
        result.add_child(maps.FitView(maps.SACHSEN_BOUNDS))
    else:
        west, south, east, north = selected.total_bounds
        result.add_child(maps.FitView(((south, west), (north, east))))
    streets = []
    if osm is not None and key is not None:
        bounds = area_of(key).geometry.bounds
        url = None
        if served and "directory" in _PUBLISHED:
            url = f"{served}/{street_layers.published_streets(osm, key, bounds, _PUBLISHED['directory'])}"
        streets = [street_layers.streets_layer(osm, bounds, lang=lang, url=url)]
        if not council:
            streets += street_layers.place_layers(osm, bounds, lang=lang)
    groups = [*streets, *overlays, result]
    if points is not None and not council:
        groups += incident_layers(points, categories=analysis.view.categories, demo=analysis.demo, show=False,
                                  lang=lang)
    if selected is not None:
        outline = boundary_layers.selection_layer(display.to_geojson(selected, properties=[]),
                                                  name=area_of(key).name, lang=lang)
        groups.append(_group(outline))
    for group in groups:
        make_offline(group, served=served)
    return groups


def live_groups(groups: Sequence[folium.FeatureGroup]) -> list[folium.FeatureGroup]:
    """`groups` for a map already drawn in the browser: each keeps the visibility the user gave
    its name, or starts hidden if so built (in place; returns the list)."""
    for group in groups:
        group.add_child(maps.KeepVisibility(group.layer_name, show=group.show))
    return list(groups)


def layer_switcher(groups: Sequence[folium.FeatureGroup]) -> TextLayerControl:
    """The layer control for :func:`base` with `groups` (its two boundary layers plus the groups)."""
    return maps.layer_control(2 + len(groups))


def atlas_map(analysis: Analysis, *, points=None, council: bool = False,
              overlays: Sequence[folium.FeatureGroup] = (), lang: str = "de",
              basemap: str = "keine", osm: OsmData | None = None) -> folium.Map:
    """The whole map of `analysis` in one piece: :func:`base` with the :func:`view_groups`
    (for the HTML export and tests; the app sends the groups separately), in `lang`, on
    `basemap` (online tiles stay; ``lokal`` has no server here: no tiles, the attribution says so)."""
    m = base(council=council, lang=lang, basemap=basemap)
    for group in view_groups(analysis, points=points, council=council, overlays=overlays, lang=lang, osm=osm):
        m.add_child(group)
    return maps.finish(m, with_layer_control=not council)


def _group(layer: folium.map.Layer, *extra: MacroElement, pane: str | None = None) -> folium.FeatureGroup:
    """`layer` as a FeatureGroup of its name and visibility (a group is passed through), with
    `extra` elements (legends) and every GeoJSON/image inside drawn in `pane`."""
    if isinstance(layer, folium.FeatureGroup):
        group = layer
    else:
        group = folium.FeatureGroup(name=layer.layer_name, show=layer.show)
        layer.show = True  # the group decides
        group.add_child(layer)
    for element in extra:
        group.add_child(element)
    if pane is not None:
        _set_pane(group, pane)
    return group


def _set_pane(element, pane: str) -> None:
    if isinstance(element, (folium.GeoJson, folium.raster_layers.ImageOverlay)):
        element.options["pane"] = pane
        if getattr(element, "marker", None) is not None:
            element.marker.options["pane"] = pane
    for child in getattr(element, "_children", {}).values():
        _set_pane(child, pane)


#: At most this many incident points go to the browser (about 30 bytes each).
MAX_MAP_POINTS = 20_000


def map_points(points, analysis: Analysis):
    """The view's incidents (categories, period, area) for the planner's point layer.

    None when there are more than :data:`MAX_MAP_POINTS`: a million points would be a
    page of many megabytes; the planner then narrows area or period (the app says so).
    """
    view = analysis.view
    chosen = select(points, categories=view.categories, start=view.start, end=view.end)
    if view.area is not None:
        chosen = chosen[chosen["ags"].str.startswith(view.area)]
    return chosen if len(chosen) <= MAX_MAP_POINTS else None


def overlay_layers(*, members=None, shares=None, places=None, coincidence=None, measures=None,
                   focus: int | None = None, label: str = "", council: bool = False,
                   lang: str = "de") -> list[folium.FeatureGroup]:
    """ASSKomm network, Bürgerbefragung and Maßnahmen layers for the view's overlays (``None`` = not
    shown).

    On the shared screen the Angsträume (places named by individual respondents) stay
    off: only the network, the shares per area and the coincidence classes are shown; the
    measures' tooltips name no responsible body there. `focus` is the measure the view names.
    `label` (German, e.g. ``DEMO_LABEL``) and all texts are shown in `lang`.
    """
    out: list[folium.FeatureGroup] = []
    if measures:
        out.append(measure_layers.measures_layer(measures, council=council, lang=lang, focus=focus))
    if members is not None:
        out.append(_group(asskomm_layers.asskomm_layer(members, lang=lang),
                          asskomm_layers.legend(lang=lang, short=council), pane="zusatz"))
    if shares is not None:
        shares_layer = survey_layers.shares_layer(shares, label=label, show=coincidence is None, lang=lang)
        out.append(_group(shares_layer, survey_layers.shares_legend(lang=lang), pane="zusatz"))
    if coincidence is not None:
        out.append(_group(survey_layers.coincidence_layer(coincidence, label=label, lang=lang),
                          survey_layers.coincidence_legend(lang=lang), pane="zusatz"))
    if places is not None and not council:
        out.append(_group(survey_layers.angstraeume_layer(places, label=label, lang=lang),
                          survey_layers.angstraeume_legend(lang=lang), pane="zusatz"))
    return out


def result_group(analysis: Analysis, *, council: bool, lang: str = "de",
                 osm: OsmData | None = None) -> folium.FeatureGroup:
    """The layer that shows the method's result, with its legend (styled by the layer modules), in `lang`."""
    method = analysis.view.method
    if method == "rates":
        return _group(rates_layer(analysis.rates, lang=lang), rates_legend(analysis.rates, lang=lang),
                      pane="ergebnis")
    result = analysis.hotspots
    if method == "kde":
        layer, legend = kde_layer(result, lang=lang), kde_legend_html(result, lang=lang)
    elif method == "gi":
        layer, legend = gi_layer(result, council=council, lang=lang, osm=osm), gi_legend_html(lang=lang)
    elif method == "emerging":
        result = analysis.emerging
        layer = emerging_layer(result, council=council, lang=lang)
        legend = emerging_legend_html(result, lang=lang)
    else:
        layer, legend = lisa_layer(result, council=council, lang=lang, osm=osm), lisa_legend_html(lang=lang)
    return _group(layer, HtmlLegend(legend, position="bottomleft"), pane="ergebnis")


EXPORTS = {"CSV": ("csv", "text/csv"), "GeoPackage": ("gpkg", "application/geopackage+sqlite3"),
           "Karte (HTML)": ("html", "text/html"), "Karte (PNG)": ("png", "image/png")}


#: Method → its word in export file names.
_FILE_METHOD = {"rates": "raten", "kde": "kerndichte", "gi": "gi", "lisa": "lisa", "emerging": "emerging"}


def export_name(analysis: Analysis, kind: str) -> str:
    """E.g. ``praeventionsatlas_14522180_raten.csv``: area key and method, German as the files."""
    return f"praeventionsatlas_{analysis.view.area or '14'}_{_FILE_METHOD[analysis.view.method]}.{kind}"


def export_bytes(analysis: Analysis, kind: str, *, lang: str = "de", basemap: str = "keine",
                 osm: OsmData | None = None, measures: Sequence = ()) -> bytes:
    """One export of the current view: ``csv``, ``gpkg`` (result table with metadata), ``html`` or ``png``.

    Cell tables name where each cell lies (``lage``) from `osm` (:func:`geo.osm.load`). The maps
    draw `measures` (the register's, :class:`geo.measures.Measure`) as the shared screen does:
    title, Art, Status, Zeitraum, nothing more, since a file is passed on.

    The maps (``html``, ``png``) are in `lang`; the tables' metadata stays German.

    The HTML map is built afresh (a map already handed to streamlit-folium has been
    rendered once and would repeat its controls) and carries aggregated layers only, so
    it can be passed on: Leaflet and all data are inlined, it opens offline (on `basemap`: online
    tiles load where there is internet, else the map says so).
    """
    if kind == "html":
        overlays = overlay_layers(measures=list(measures), focus=analysis.view.measure, council=True,
                                  lang=lang) if measures else []
        return atlas_map(analysis, points=None, council=False, overlays=overlays, lang=lang, basemap=basemap,
                         osm=osm).get_root().render().encode("utf-8")
    if kind == "png":
        return view_png(analysis, lang=lang, osm=osm, measures=measures)
    if kind not in ("csv", "gpkg"):
        raise ValueError(f"unknown export {kind!r}")
    return result_bytes(analysis.export_table(osm=osm), analysis.metadata(), kind)
