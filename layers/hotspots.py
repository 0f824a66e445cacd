"""Hotspot layers: KDE as one PNG image, Gi* and LISA cells by class, plain-HTML legends.

* **KDE**: the density raster is resampled (nearest cell) onto a grid that is regular
  in Web Mercator, the projection Leaflet draws in, coloured (transparent where there is
  no density or outside the study cells) and embedded as a PNG ``data:`` URL in a
  ``folium.raster_layers.ImageOverlay``. Resampling matters: the UTM grid is turned by
  up to 2.5° against the meridians in Saxony, so stretching the UTM raster between its
  lat/lon corners would misplace cells by kilometres at the western border.
* **Gi\\***: only significant cells (the others would hide the map), squares in WGS84
  filled in ArcGIS's hot/cold spot colours by confidence.
* **LISA**: significant cells (HH, LL, HL, LH) in the usual LISA cluster colours; or
  the Gemeinden of :func:`geo.hotspots.gemeinde_lisa` in the same colours.

Legends are the boxes of :mod:`layers.legend` (plain HTML, no external assets).
"""

from __future__ import annotations

import base64
import functools
import json
import struct
import zlib

import folium
import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

from geo import display
from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.fmt import p_wert, zahl
from geo.grid import Grid
from geo.hotspots import GI_CLASSES, LISA_LABELS, GridHotspots
from geo.hotspots.kde import KDEResult
from geo.lang import phrase, translate
from geo.osm import OsmData, lage
from geo.privacy import counts_shown
from geo.reporting import CAUTION
from layers.legend import Gradient, legend_box
from layers.tooltips import SafeTooltip

#: ArcGIS Hot Spot Analysis colours, from Coldspot 99 % (−3) to Hotspot 99 % (+3).
GI_COLOURS = {-3: "#4575b5", -2: "#849eba", -1: "#c0ccbe", 0: "#ffffbf",
              1: "#fab984", 2: "#ed7551", 3: "#d62f27"}
LISA_COLOURS = {"HH": "#d7191c", "LL": "#2c7bb6", "HL": "#fdae61", "LH": "#abd9e9"}
#: Density ramp (light yellow → dark red), applied to density / maximum.
KDE_RAMP = np.array([[255, 255, 178], [254, 217, 118], [254, 178, 76], [253, 141, 60],
                     [240, 59, 32], [189, 0, 38]], dtype=np.float64)
MAX_PIXELS = 1_600

_TO_MERCATOR = Transformer.from_crs(METRIC_CRS, "EPSG:3857", always_xy=True)
_FROM_MERCATOR = Transformer.from_crs("EPSG:3857", METRIC_CRS, always_xy=True)
_TO_DISPLAY = Transformer.from_crs("EPSG:3857", DISPLAY_CRS, always_xy=True)


# --- KDE image ------------------------------------------------------------------------------
def png_bytes(rgba: np.ndarray) -> bytes:
    """Encode an (h, w, 4) uint8 array as PNG (zlib only, no imaging library)."""
    h, w, _ = rgba.shape
    raw = b"".join(b"\x00" + rgba[row].tobytes() for row in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + \
        chunk(b"IEND", b"")


def colour_density(values: np.ndarray, vmax: float) -> np.ndarray:
    """RGBA (uint8) for densities; below 1 % of `vmax` and NaN transparent, alpha rising with density."""
    values = np.asarray(values, dtype=np.float64)
    rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
    show = np.isfinite(values) & (values >= 0.01 * vmax) & (values > 0) & (vmax > 0)
    t = np.clip(values[show] / vmax, 0.0, 1.0) if vmax > 0 else np.zeros(0)
    pos = t * (len(KDE_RAMP) - 1)
    lo = np.floor(pos).astype(int).clip(0, len(KDE_RAMP) - 2)
    frac = (pos - lo)[:, None]
    rgba[show, :3] = np.round(KDE_RAMP[lo] * (1 - frac) + KDE_RAMP[lo + 1] * frac).astype(np.uint8)
    rgba[show, 3] = np.round(40 + 200 * np.sqrt(t)).astype(np.uint8)
    return rgba


def kde_image(grid: Grid, density: np.ndarray, *, max_pixels: int = MAX_PIXELS
              ) -> tuple[bytes, list[list[float]], float]:
    """The density as a Web-Mercator-regular PNG.

    Parameters
    ----------
    grid : Grid
    density : ndarray, shape ``grid.shape``
        Incidents per km² (cells outside the study mask are not drawn).
    max_pixels : int
        Longest image side.

    Returns
    -------
    png : bytes
    bounds : [[south, west], [north, east]]
        WGS84 corners for ``ImageOverlay``.
    vmax : float
        Density shown in the darkest colour (the maximum over the study cells).
    """
    row, col, (w, h), bounds = _pixel_cells(grid.cell, grid.col0, grid.row0, grid.shape, max_pixels)
    values = np.full(row.shape, np.nan)
    inside = row >= 0
    inside[inside] = grid.mask[row[inside], col[inside]]
    values[inside] = density[row[inside], col[inside]]
    study = density[grid.mask]
    vmax = float(np.nanmax(study)) if np.isfinite(study).any() else 0.0  # NaN: suppressed cells
    rgba = colour_density(values.reshape(h, w), vmax)
    return png_bytes(rgba), bounds, vmax


@functools.lru_cache(maxsize=8)
def _pixel_cells(cell: float, col0: int, row0: int, shape: tuple[int, int], max_pixels: int
                 ) -> tuple[np.ndarray, np.ndarray, tuple[int, int], list[list[float]]]:
    """Grid row and column (-1 outside) of every image pixel, image size and WGS84 bounds.

    Depends on the grid's position and size only, not on the density: reprojecting a
    million pixel centres is most of the image's cost, so it is done once per grid.
    """
    grid = Grid(cell=cell, col0=col0, row0=row0, mask=np.ones(shape, dtype=bool))
    xmin, ymin, xmax, ymax = grid.bounds
    corners_x, corners_y = _TO_MERCATOR.transform([xmin, xmin, xmax, xmax], [ymin, ymax, ymin, ymax])
    mx0, mx1, my0, my1 = min(corners_x), max(corners_x), min(corners_y), max(corners_y)
    pixel = max((mx1 - mx0) / max_pixels, (my1 - my0) / max_pixels, grid.cell / 2)
    w = max(1, int(np.ceil((mx1 - mx0) / pixel)))
    h = max(1, int(np.ceil((my1 - my0) / pixel)))
    px = mx0 + (np.arange(w) + 0.5) * pixel
    py = my1 - (np.arange(h) + 0.5) * pixel  # row 0 is the north edge of the image
    gx, gy = np.meshgrid(px, py)
    ux, uy = _FROM_MERCATOR.transform(gx.ravel(), gy.ravel())
    row, col = grid.locate(np.asarray(ux), np.asarray(uy))
    lon, lat = _TO_DISPLAY.transform([mx0, mx0 + w * pixel], [my1 - h * pixel, my1])
    row.setflags(write=False)
    col.setflags(write=False)
    return row, col, (w, h), [[lat[0], lon[0]], [lat[1], lon[1]]]


@functools.lru_cache(maxsize=8)
def _kde_url(grid: Grid, kde: KDEResult) -> tuple[str, list[list[float]]]:
    """The density image as a ``data:`` URL, and its bounds. Cached on the result objects
    themselves (compared by identity): the app keeps an analysis and redraws it often."""
    png, bounds, _ = kde_image(grid, kde.density)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii"), bounds


def kde_layer(result: GridHotspots, *, name: str = "Kerndichte (KDE)", opacity: float = 0.85,
              show: bool = True, lang: str = "de") -> folium.FeatureGroup:
    """The KDE of a :func:`geo.hotspots.grid_hotspots` result as one image overlay (`name` in `lang`)."""
    if result.kde is None:
        raise ValueError("grid_hotspots was run without 'kde'")
    url, bounds = _kde_url(result.grid, result.kde)
    group = folium.FeatureGroup(name=translate(name, lang), show=show)
    folium.raster_layers.ImageOverlay(image=url, bounds=bounds, opacity=opacity, interactive=False,
                                      cross_origin=False, zindex=400).add_to(group)
    return group


# --- cells as GeoJSON -----------------------------------------------------------------------
def cells_geojson(cells: gpd.GeoDataFrame, properties: list[str]) -> str:
    """Compact GeoJSON of cell squares (``METRIC_CRS``) as WGS84 quadrilaterals, 5 decimals."""
    if len(cells) == 0:
        return json.dumps({"type": "FeatureCollection", "features": []})
    bounds = cells.geometry.bounds.to_numpy()
    xs = bounds[:, [0, 2, 2, 0, 0]]
    ys = bounds[:, [1, 1, 3, 3, 1]]
    lon, lat = Transformer.from_crs(METRIC_CRS, DISPLAY_CRS, always_xy=True).transform(xs, ys)
    lon, lat = np.round(lon, 5), np.round(lat, 5)
    columns = {p: cells[p].tolist() for p in properties}
    features = []
    for i in range(len(cells)):
        ring = [[float(a), float(b)] for a, b in zip(lon[i], lat[i], strict=True)]
        props = {p: (v.item() if isinstance(v, np.generic) else v)
                 for p, v in ((p, columns[p][i]) for p in properties)}
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"),
                      ensure_ascii=False)


#: Above this many coloured cells a layer merges neighbouring cells of one class into areas
#: (statewide Gi* can colour thousands of 250 m cells: one feature each would pass 1 MB).
MAX_CELL_FEATURES = 1_500


def merged_cells_geojson(cells: gpd.GeoDataFrame, by: str, label: str) -> str:
    """One (multi)polygon per value of `by` from the cell squares, with its `label` text and
    ``zellen`` (number of cells), in WGS84."""
    parts = [{by: value, label: group[label].iloc[0], "zellen": len(group),
              "geometry": shapely.coverage_union_all(group.geometry.values)}
             for value, group in cells.groupby(by, sort=True)]
    merged = gpd.GeoDataFrame(parts, geometry="geometry", crs=METRIC_CRS).to_crs(DISPLAY_CRS)
    merged = merged.set_geometry(display.round_coordinates(merged.geometry.values, decimals=5))
    return display.to_geojson(merged, properties=[by, label, "zellen"])


def gi_features(result: GridHotspots, *, lang: str = "de") -> gpd.GeoDataFrame:
    """Significant Gi* cells with tooltip text fields (``z_text``, ``p_text``; ``gi_class`` in `lang`)."""
    if result.gi is None:
        raise ValueError("grid_hotspots was run without 'gi'")
    cells = result.cells[result.cells["gi_bin"] != 0]
    return cells.assign(count=counts_shown(cells["count"], result.min_count),
                        **cautions_in(cells, lang),
                        z_text=[zahl(z, 2, lang=lang) for z in cells["gi_z"]],
                        p_text=[p_wert(p, lang=lang) for p in cells["gi_p_fdr"]],
                        gi_class=[translate(c, lang) for c in cells["gi_class"]])


@functools.lru_cache(maxsize=8)
def _cells_geojson(result: GridHotspots, kind: str, lang: str, council: bool,
                   osm: OsmData | None = None) -> tuple[str, bool, int]:
    """GeoJSON of the significant ``gi`` or ``lisa`` cells of `result`, whether they were
    merged per class, and how many cells there are.

    Cached on the result object (compared by identity), the language and the audience: the
    app redraws the same analysis often, and merging thousands of cells takes a while.
    """
    by, label = _CELLS[kind]
    cells = _significant(result, kind, lang)
    if len(cells) > MAX_CELL_FEATURES:
        return merged_cells_geojson(cells, by, label), True, len(cells)
    if osm is not None:  # every coloured cell passes the privacy threshold: it may be named
        cells = cells.assign(lage=lage(osm, cells.geometry))
    return cells_geojson(cells, [by, *(f for f, _ in _tooltip(cells, kind, council))]), False, len(cells)


#: Per kind: class column, the class label column.
_CELLS = {"gi": ("gi_bin", "gi_class"), "lisa": ("lisa_class", "label")}


def _tooltip(cells: gpd.GeoDataFrame, kind: str, council: bool) -> list[tuple[str, str]]:
    """(field, German label) rows of a cell's tooltip. Every coloured cell's neighbourhood holds
    at least the minimum count (:func:`geo.privacy.suppress_small_cells`); the shared screen shows
    that, the class and its confidence, and neither the cell's own count nor its name."""
    rows = [(_CELLS[kind][1], "Klasse")]
    if "lage" in cells:
        rows.append(("lage", "Lage"))
    if "count_nearby" in cells:
        rows.append(("count_nearby", "Vorfälle in der Nachbarschaft"))
    if not council:
        rows.append(("count", "Vorfälle in der Zelle"))
    if kind == "gi" and not council:
        rows.append(("z_text", "z-Wert"))
    rows.append(("p_text", "p (FDR-korrigiert)"))
    if not council:
        rows.append(("cell_id", "Zelle"))
    if CAUTION in cells:
        rows.append((CAUTION, "Hinweis zu den Meldungen"))
    return rows


def cautions_in(cells: gpd.GeoDataFrame, lang: str) -> dict[str, list[str]]:
    """The cells' reporting cautions (:mod:`geo.reporting`) as text in `lang` ("" for none, and
    for a result made without them), for ``assign``."""
    if CAUTION not in cells:
        return {CAUTION: [""] * len(cells)}
    return {CAUTION: [translate(c, lang) if c else "" for c in cells[CAUTION]]}


def _significant(result: GridHotspots, kind: str, lang: str) -> gpd.GeoDataFrame:
    if kind == "gi":
        return gi_features(result, lang=lang)
    if result.lisa is None:
        raise ValueError("grid_hotspots was run without 'lisa'")
    cells = result.cells[result.cells["lisa_class"] != "nicht signifikant"]
    return cells.assign(count=counts_shown(cells["count"], result.min_count),
                        **cautions_in(cells, lang),
                        label=[translate(LISA_LABELS[c], lang) for c in cells["lisa_class"]],
                        p_text=[p_wert(p, lang=lang) for p in cells["lisa_p_fdr"]])


def _cells_layer(result: GridHotspots, kind: str, *, colours: dict, name: str, show: bool,
                 council: bool = False, lang: str = "de", osm: OsmData | None = None) -> folium.FeatureGroup:
    """Coloured cells by class; above :data:`MAX_CELL_FEATURES` cells merged per class.

    `name` is German and shown in `lang`; `council`: the shared screen's tooltip (see :func:`_tooltip`).
    """
    by = _CELLS[kind][0]
    name = translate(name, lang)
    group = folium.FeatureGroup(name=name, show=show)
    geojson, merged, n_cells = _cells_geojson(result, kind, lang, council, osm)
    if n_cells == 0:  # nothing significant: an empty layer (a tooltip needs features)
        return group
    if merged:
        tooltip = SafeTooltip(fields=[_CELLS[kind][1], "zellen"],
                                        aliases=[translate("Klasse", lang), translate("Zellen", lang)])
    else:
        rows = _tooltip(result.cells.assign(lage="") if osm is not None else result.cells, kind, council)
        tooltip = SafeTooltip(fields=[f for f, _ in rows],
                                        aliases=[translate(label, lang) for _, label in rows], sticky=True)
    folium.GeoJson(
        geojson, name=name, tooltip=tooltip,
        style_function=lambda f: {"fillColor": colours[f["properties"][by]], "fillOpacity": 0.75,
                                  "color": colours[f["properties"][by]], "weight": 0.5},
    ).add_to(group)
    return group


def gi_layer(result: GridHotspots, *, name: str = "Hot- und Coldspots (Gi*)", show: bool = True,
             council: bool = False, lang: str = "de", osm: OsmData | None = None) -> folium.FeatureGroup:
    """Significant Gi* cells in ArcGIS hot/cold spot colours by confidence (FDR-adjusted)."""
    if result.gi is None:
        raise ValueError("grid_hotspots was run without 'gi'")
    return _cells_layer(result, "gi", colours=GI_COLOURS, name=name, show=show, council=council, lang=lang,
                        osm=osm)


def lisa_layer(result: GridHotspots, *, name: str = "Cluster und Ausreißer (LISA)", show: bool = True,
               council: bool = False, lang: str = "de", osm: OsmData | None = None) -> folium.FeatureGroup:
    """Significant LISA cells (HH, LL, HL, LH) in the usual cluster colours."""
    if result.lisa is None:
        raise ValueError("grid_hotspots was run without 'lisa'")
    return _cells_layer(result, "lisa", colours=LISA_COLOURS, name=name, show=show, council=council,
                        lang=lang, osm=osm)


def lisa_gemeinde_layer(lisa: gpd.GeoDataFrame, *, name: str = "Cluster und Ausreißer je Gemeinde (LISA)",
                        show: bool = True) -> folium.FeatureGroup:
    """Gemeinden from :func:`geo.hotspots.gemeinde_lisa`, significant ones in the LISA colours."""
    shapes = display.gemeinden_display()[["ags", "geometry"]]
    gdf = shapes.merge(lisa.drop(columns="geometry"), on="ags", how="inner", validate="one_to_one")
    gdf = gdf.assign(fill=[LISA_COLOURS.get(c, "#ffffff") for c in gdf["lisa_class"]],
                     opacity=[0.75 if c in LISA_COLOURS else 0.0 for c in gdf["lisa_class"]],
                     p_text=[p_wert(p) for p in gdf["lisa_p_fdr"]])
    geojson = display.to_geojson(gdf, properties=["ags", "name", "lisa_label", "p_text", "fill", "opacity"])
    group = folium.FeatureGroup(name=name, show=show)
    folium.GeoJson(
        geojson, name=name,
        style_function=lambda f: {"fillColor": f["properties"]["fill"],
                                  "fillOpacity": f["properties"]["opacity"], "color": "#6b6b6b",
                                  "weight": 0.6},
        tooltip=SafeTooltip(fields=["name", "lisa_label", "p_text"],
                                      aliases=["Gemeinde", "Klasse", "p (FDR-korrigiert)"], sticky=True),
    ).add_to(group)
    return group


# --- legends --------------------------------------------------------------------------------
def gi_legend_html(*, lang: str = "de") -> str:
    """The Gi* classes by confidence, hot to cold."""
    rows = [(GI_COLOURS[b], translate(GI_CLASSES[b], lang)) for b in (3, 2, 1, -1, -2, -3)]
    return legend_box(translate("Gi* (FDR-korrigiert)", lang), rows,
                      note=translate("Nicht signifikante Zellen sind nicht eingefärbt.", lang))


def lisa_legend_html(*, lang: str = "de") -> str:
    """The four LISA cluster and outlier classes."""
    rows = [(LISA_COLOURS[c], translate(LISA_LABELS[c], lang)) for c in ("HH", "LL", "HL", "LH")]
    return legend_box("Local Moran (LISA)", rows,
                      note=translate(phrase("Nur Zellen mit p < {alpha:.2f} nach FDR-Korrektur.", alpha=0.05),
                                     lang))


def kde_legend_html(result: GridHotspots, *, lang: str = "de") -> str:
    """Colour ramp from 0 to the maximum density, with bandwidth and kernel."""
    if result.kde is None:
        raise ValueError("grid_hotspots was run without 'kde'")
    shown = result.kde.density[result.grid.mask]
    vmax = float(np.nanmax(shown)) if np.isfinite(shown).any() else 0.0
    stops = [f"rgb({r:.0f},{g:.0f},{b:.0f})" for r, g, b in KDE_RAMP]
    template = ("Quartic-Kern, Bandbreite {bandwidth:.0f} m ({rule})" if result.kde.kernel == "quartic"
                else "Gauß-Kern, Bandbreite {bandwidth:.0f} m ({rule})")
    rule = translate(result.kde.bandwidth_rule, lang)
    note = translate(phrase(template, bandwidth=float(result.kde.bandwidth), rule=rule), lang)
    return legend_box(translate("Kerndichte (Vorfälle je km²)", lang),
                      gradient=Gradient(stops, "0", zahl(vmax, 1, lang=lang)), note=note)
