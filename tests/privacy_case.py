"""A small constructed case for the all-outputs privacy tests, and what those tests look for.

In Freiberg: a graffiti cluster of 40 incidents with one more graffiti alone in a cell beside
it (a hot cell that holds one incident), a littering cluster of 15, a pair of drug incidents in
one 250 m cell and six lone violence incidents, each more than a kilometre from everything
else. With the minimum count k = 3 no output may show the pair or a lone
incident: no area or cell whose figure stands for fewer than k incidents, and no coordinate
of a lone incident.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.boundaries import gemeinde
from geo.crs import METRIC_CRS

FREIBERG = "14522180"
K = 3
CELL = 250.0
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def case() -> tuple[gpd.GeoDataFrame, np.ndarray, np.ndarray]:
    """(all points, the lone incidents' xy, the pair's xy), in EPSG:25833."""
    area = gemeinde(FREIBERG).geometry
    centre = np.array(area.representative_point().coords[0])
    rng = np.random.default_rng(7)
    clusters = [("graffiti", 40, centre, 90.0), ("littering", 15, np.add(centre, (1_200, 300)), 80.0)]
    lone = np.array([centre + d for d in [(-2_600, 1_500), (2_400, -1_900), (-1_800, -2_400), (2_800, 1_200),
                                          (600, -2_800), (-300, 2_000)]])
    pair = np.add(centre, [(-1_400, 1_100), (-1_380, 1_130)])
    rows = []
    for category, n, middle, spread in clusters:
        xy = middle + rng.uniform(-spread, spread, size=(n, 2))
        rows += [(category, x, y) for x, y in xy]
    rows.append(("graffiti", *np.add(centre, (-320, -100))))  # alone in a hot cell beside the cluster
    rows += [("violence", x, y) for x, y in lone]
    rows += [("drugs", x, y) for x, y in pair]
    days = rng.integers(0, 730, size=len(rows))
    times = [dt.datetime(2022, 1, 1, 12) + dt.timedelta(days=int(d)) for d in days]
    points = gpd.GeoDataFrame({"category": [r[0] for r in rows], "time": pd.to_datetime(times),
                               "ags": FREIBERG},
                              geometry=gpd.points_from_xy([r[1] for r in rows], [r[2] for r in rows]),
                              crs=METRIC_CRS)
    assert points.within(area).all(), "the constructed case must lie in Freiberg"
    everything = np.column_stack([points.geometry.x, points.geometry.y])
    for x, y in lone:
        distances = np.hypot(everything[:, 0] - x, everything[:, 1] - y)
        assert np.sort(distances)[1] > 1_000, "each lone incident is alone"
    return points, lone, pair


def case_csv(points: gpd.GeoDataFrame) -> str:
    """The case as an Ordnungsamt CSV (German columns, WGS84, decimal comma)."""
    lon, lat = _TO_WGS84.transform(points.geometry.x.to_numpy(), points.geometry.y.to_numpy())
    labels = {"graffiti": "Graffiti", "littering": "Vermüllung", "violence": "Körperverletzung",
              "drugs": "Rauschgiftdelikt"}
    lines = ["Datum;Kategorie;Breite;Länge"]
    for time, category, y, x in zip(points["time"], points["category"], lat, lon, strict=True):
        lines.append(f"{time:%d.%m.%Y};{labels[category]};{y:.6f};{x:.6f}".replace(".", ",").replace(
            f"{time:%d,%m,%Y}", f"{time:%d.%m.%Y}"))
    return "\n".join(lines) + "\n"


def coordinate_texts(xy: np.ndarray) -> list[str]:
    """How a coordinate of `xy` would be written in a file: WGS84 with 5 or 6 decimals (point or
    comma; the maps round to 5, about a metre), EPSG:25833 metres with 0 or 1 decimals."""
    lon, lat = _TO_WGS84.transform(xy[:, 0], xy[:, 1])
    texts = []
    for la, lo, x, y in zip(lat, lon, xy[:, 0], xy[:, 1], strict=True):
        for decimals in (5, 6):
            for value in (la, lo):
                text = f"{value:.{decimals}f}"
                texts += [text, text.replace(".", ",")]
        texts += [f"{x:.0f}", f"{y:.0f}", f"{x:.1f}", f"{y:.1f}"]
    return texts


def written(text: str, within: str) -> bool:
    """Whether the number `text` is written in `within` as a whole number token (not the start
    or end of a longer number)."""
    return re.search(rf"(?<![\d.,]){re.escape(text)}(?![\d]|[.,]\d)", within) is not None


def near_count(cell: shapely.Polygon, xy: np.ndarray, *, reach_cells: int) -> int:
    """Incidents in the square window of ±`reach_cells` cells around `cell` (its (2r+1)² block),
    counted from the raw coordinates: the figure a Gi*/LISA cell stands for."""
    minx, miny, maxx, maxy = cell.bounds
    pad = reach_cells * (maxx - minx)
    inside = ((xy[:, 0] >= minx - pad) & (xy[:, 0] < maxx + pad) & (xy[:, 1] >= miny - pad)
              & (xy[:, 1] < maxy + pad))
    return int(inside.sum())


def feature_collections(html: str) -> list[dict]:
    """Every GeoJSON FeatureCollection written into an HTML page (folium inlines its layers)."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r'\{\s*"(?:type|features|bbox)"', html):
        try:
            obj, _ = decoder.raw_decode(html, match.start())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
            found.append(obj)
    return found


def small_count(value: object) -> bool:
    """Whether `value` (a number, or a number written as text) is a count of 1 to k − 1."""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, str):
        value = value.strip().replace(".", "")
        if not value.isdigit():
            return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return bool(np.isfinite(number)) and number == int(number) and 0 < number < K
