"""The atlas map of one `Analysis`: which layers, in which order, for which audience.

Order from bottom to top: the result (rates choropleth, density image, Gi*/LISA cells),
incident points (planner only), Gemeinden (transparent, for tooltip and click; the
Gemeinde choropleth is itself that layer), Kreis borders, the selected area. In the
council mode (``council=True``) no incident points are added, ever: only aggregated
layers with the privacy threshold applied.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import folium
from branca.element import MacroElement

from geo import display
from geo.analysis import Analysis
from geo.boundaries import area as area_of
from geo.export import to_csv_bytes, to_gpkg_bytes
from geo.hotspots import GridHotspots
from geo.hotspots.points import select
from layers import asskomm as asskomm_layers
from layers import boundaries as boundary_layers
from layers import maps
from layers import survey as survey_layers
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
from layers.rates import rates_layer, rates_legend
from layers.static import view_png


def atlas_map(analysis: Analysis, *, points=None, council: bool = False,
              overlays: Sequence[folium.map.Layer | MacroElement] = ()) -> folium.Map:
    """The map for `analysis`; `points` (planner view only, see :func:`map_points`) adds
    clustered incidents.

    `overlays` (from :func:`overlay_layers`) are drawn below the result, which stays
    readable above area fills.
    """
    key = analysis.view.area
    selected = display.area_display(key) if key is not None else None
    if selected is None:
        m = maps.base_map(large_text=council)
    else:
        west, south, east, north = selected.total_bounds
        m = maps.base_map(bounds=((south, west), (north, east)), large_text=council)
    for layer in [*overlays, *result_layers(analysis, council=council)]:
        m.add_child(layer)
    if points is not None and not council:
        for layer in incident_layers(points, categories=analysis.view.categories, demo=analysis.demo,
                                     show=False):
            layer.add_to(m)
    if analysis.view.method != "rates":
        boundary_layers.gemeinden_layer().add_to(m)
    elif analysis.rates.attrs.get("level") == "kreis":
        boundary_layers.gemeinden_layer(interactive=False).add_to(m)
    # (Gemeinde rates are drawn on the Gemeinde shapes themselves: no second copy of them.)
    boundary_layers.kreis_borders_layer().add_to(m)
    if selected is not None:
        geojson = display.to_geojson(selected, properties=[])
        boundary_layers.selection_layer(geojson, name=area_of(key).name).add_to(m)
    return maps.finish(m)


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


def overlay_layers(*, members=None, shares=None, places=None, coincidence=None, label: str = "",
                   council: bool = False) -> list[folium.map.Layer | MacroElement]:
    """ASSKomm network and Bürgerbefragung layers for the view's overlays (``None`` = not shown).

    On the shared screen the Angsträume (places named by individual respondents) stay
    off: only the network, the shares per area and the coincidence classes are shown.
    """
    out: list[folium.map.Layer | MacroElement] = []
    if members is not None:
        out += [asskomm_layers.asskomm_layer(members), asskomm_layers.legend()]
    if shares is not None:
        out.append(survey_layers.shares_layer(shares, label=label, show=coincidence is None))
    if coincidence is not None:
        out.append(survey_layers.coincidence_layer(coincidence, label=label))
    if places is not None and not council:
        out.append(survey_layers.angstraeume_layer(places, label=label))
    return out


def result_layers(analysis: Analysis, *, council: bool) -> list[folium.map.Layer]:
    """The layers that show the method's result, and their legend (styled by the layer modules)."""
    method = analysis.view.method
    if method == "rates":
        return [rates_layer(analysis.rates), rates_legend(analysis.rates)]
    result = council_cells(analysis.hotspots, analysis.view.min_count) if council else analysis.hotspots
    if method == "kde":
        return [kde_layer(result), HtmlLegend(kde_legend_html(result), position="bottomleft")]
    if method == "gi":
        return [gi_layer(result), HtmlLegend(gi_legend_html(), position="bottomleft")]
    return [lisa_layer(result), HtmlLegend(lisa_legend_html(), position="bottomleft")]


def council_cells(result: GridHotspots, min_count: int) -> GridHotspots:
    """The result with cell counts below `min_count` shown as "< k" (tooltips on the shared screen)."""
    counts = result.cells["count"]
    text = counts.astype(str).where(counts >= min_count, f"< {min_count}")
    return dataclasses.replace(result, cells=result.cells.assign(count=text))


def result_table(analysis: Analysis):
    """The result as a GeoDataFrame for export: rates per area or the study cells."""
    if analysis.rates is not None:
        return analysis.rates
    return analysis.hotspots.cells


EXPORTS = {"CSV": ("csv", "text/csv"), "GeoPackage": ("gpkg", "application/geopackage+sqlite3"),
           "Karte (HTML)": ("html", "text/html"), "Karte (PNG)": ("png", "image/png")}


def export_name(analysis: Analysis, kind: str) -> str:
    return f"praeventionsatlas_{analysis.view.area or '14'}_{analysis.view.method}.{kind}"


def export_bytes(analysis: Analysis, kind: str) -> bytes:
    """One export of the current view: ``csv``, ``gpkg`` (result table with metadata), ``html`` or ``png``.

    The HTML map is built afresh (a map already handed to streamlit-folium has been
    rendered once and would repeat its controls) and carries aggregated layers only, so
    it can be passed on: Leaflet and all data are inlined, it opens offline.
    """
    if kind == "html":
        return atlas_map(analysis, points=None, council=False).get_root().render().encode("utf-8")
    if kind == "png":
        return view_png(analysis)
    table, meta = result_table(analysis), analysis.metadata()
    if kind == "csv":
        return to_csv_bytes(table, meta)
    if kind == "gpkg":
        return to_gpkg_bytes(table, meta)
    raise ValueError(f"unknown export {kind!r}")
