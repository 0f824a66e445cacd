"""The figures behind a planner's click on a Gemeinde: counts, rates and months.

:func:`gemeinde_detail` compares the Gemeinde with its Kreis and with Saxony per
category (counts below the minimum are not shown as a figure) and returns the monthly
counts for a time-series chart.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import gemeinde, kreis, load_land
from geo.crs import METRIC_CRS
from geo.fmt import zahl
from geo.grid import cell_id
from geo.hotspots.points import select
from geo.incidents import CATEGORY_LABELS
from geo.lang import translate
from geo.osm import OsmData, lage


@dataclass(frozen=True)
class GemeindeDetail:
    """Figures of one Gemeinde.

    Attributes
    ----------
    ags, name, kreis_name : str
    einwohner : int
    table : DataFrame
        One row per category: ``kategorie`` (German), ``faelle`` (None when below the
        minimum), ``je_1000`` Gemeinde, ``je_1000_kreis``, ``je_1000_sachsen``
        (incidents per 1,000 inhabitants in the period).
    monthly : DataFrame
        ``monat`` (first day), ``kategorie`` (German), ``faelle``: every month of the
        period, zero months included; only categories whose count is shown (a month
        chart would show what the table hides).
    top_cells : DataFrame
        The grid cells of the Gemeinde with the most incidents (``zelle``, ``lage``: nearest
        streets and place from OSM, ``faelle``),
        at most five, only cells with at least the minimum count: aggregated places,
        never single incidents.
    """

    ags: str
    name: str
    kreis_name: str
    einwohner: int
    table: pd.DataFrame
    monthly: pd.DataFrame
    top_cells: pd.DataFrame
    min_count: int = 3

    def table_text(self, lang: str = "de") -> pd.DataFrame:
        """:attr:`table` as its reader sees it: categories in `lang`, numbers written the
        reader's way, ``< 3`` where the count is below the minimum."""
        hidden = f"< {self.min_count}"

        def text(values: pd.Series, decimals: int) -> list[str]:
            return [hidden if pd.isna(v) else zahl(v, decimals, lang=lang) for v in values]

        t = self.table
        return pd.DataFrame({"kategorie": [translate(c, lang) for c in t["kategorie"]],
                             "faelle": text(t["faelle"], 0), "je_1000": text(t["je_1000"], 2),
                             "je_1000_kreis": text(t["je_1000_kreis"], 2),
                             "je_1000_sachsen": text(t["je_1000_sachsen"], 2)})


def gemeinde_detail(points: gpd.GeoDataFrame, ags: str, *, categories: Iterable[str],
                    start: dt.date | None = None, end: dt.date | None = None,
                    min_count: int = 3, cell: float = 250, osm: OsmData | None = None) -> GemeindeDetail:
    """Counts, rates vs Kreis and Saxony, and monthly counts of one Gemeinde (see module doc)."""
    row = gemeinde(ags)
    kreis_row = kreis(row["kreis_ags"])
    saxony = int(load_land()["einwohner"].iloc[0])
    categories = list(categories)
    chosen = select(points, categories=categories, start=start, end=end)
    in_gemeinde = chosen[chosen["ags"] == ags]
    in_kreis = chosen[chosen["ags"].str.startswith(row["kreis_ags"])]
    records = []
    for cat in categories:
        n = int((in_gemeinde["category"] == cat).sum())
        n_kreis = int((in_kreis["category"] == cat).sum())
        n_sachsen = int((chosen["category"] == cat).sum())
        shown = n >= min_count
        records.append({
            "kategorie": CATEGORY_LABELS[cat],
            "faelle": n if shown else None,
            "je_1000": 1000 * n / row["einwohner"] if shown else None,
            "je_1000_kreis": 1000 * n_kreis / kreis_row["einwohner"],
            "je_1000_sachsen": 1000 * n_sachsen / saxony,
        })
    shown = [cat for cat, rec in zip(categories, records, strict=True) if rec["faelle"] is not None]
    return GemeindeDetail(ags, row["name"], row["kreis_name"], int(row["einwohner"]),
                          pd.DataFrame.from_records(records), _monthly(in_gemeinde, shown, start, end),
                          _top_cells(in_gemeinde, cell=cell, min_count=min_count, osm=osm), min_count)


def _top_cells(points: gpd.GeoDataFrame, *, cell: float, min_count: int, osm: OsmData | None,
               n: int = 5) -> pd.DataFrame:
    col = np.floor(points.geometry.x.to_numpy() / cell).astype(np.int64)
    row = np.floor(points.geometry.y.to_numpy() / cell).astype(np.int64)
    ids = pd.Series(cell_id(col, row, cell=cell))
    counts = ids.value_counts()
    counts = counts[counts >= min_count].head(n)
    first = ids.drop_duplicates().index  # a corner of each cell, from its first incident
    corner = pd.DataFrame({"id": ids[first].to_numpy(), "col": col[first], "row": row[first]}).set_index("id")
    corner = corner.loc[counts.index]
    x, y = corner["col"].to_numpy() * cell, corner["row"].to_numpy() * cell
    squares = gpd.GeoSeries(shapely.box(x, y, x + cell, y + cell), crs=METRIC_CRS)
    return pd.DataFrame({"zelle": counts.index.astype(str), "lage": lage(osm, squares),
                         "faelle": counts.to_numpy(np.int64)})


def _monthly(points: gpd.GeoDataFrame, categories: list[str], start: dt.date | None,
             end: dt.date | None) -> pd.DataFrame:
    times = points["time"]
    first = pd.Timestamp(start) if start else (times.min() if len(times) else None)
    last = pd.Timestamp(end) if end else (times.max() if len(times) else None)
    if first is None or last is None or not categories:
        return pd.DataFrame({"monat": [], "kategorie": [], "faelle": []})
    months = pd.period_range(first, last, freq="M")
    period = times.dt.to_period("M")
    frames = []
    for cat in categories:
        counts = period[points["category"] == cat].value_counts().reindex(months, fill_value=0)
        frames.append(pd.DataFrame({"monat": months.to_timestamp(), "kategorie": CATEGORY_LABELS[cat],
                                    "faelle": counts.to_numpy(np.int64)}))
    return pd.concat(frames, ignore_index=True)
