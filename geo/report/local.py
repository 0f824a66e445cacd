"""Part 2 of the report, "Lokale Daten": counts per category and year, rates, trend, count map.

Rates and their smoothing come from :func:`geo.hotspots.area_rates` (the same figures the
app's rate layer shows), the trend test from :func:`geo.hotspots.trend`.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import load_gemeinden
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.hotspots import area_rates, trend
from geo.incidents.categories import CATEGORIES, CATEGORY_LABELS
from geo.osm import OsmData, lage
from geo.report import charts
from geo.report.document import Block, Subject, neighbourhood, streets_near
from geo.view import View

CELL_SIZES_M = (250.0, 500.0, 1_000.0)
#: Cells and areas with fewer incidents are not shown or listed (privacy and chance).
MIN_CELL_COUNT = 5
TOP_CELLS = 10
SMOOTHING_TEXT = (
    "Geglättete Rate: Kleine Gemeinden haben unsichere Raten, weil wenige Vorfälle große Ausschläge "
    "ergeben. Die geglättete Rate (empirischer Bayes-Schätzer nach Marshall 1991, wie in der Karte) "
    "zieht jede Gemeinderate zum sachsenweiten Wert hin, umso stärker, je weniger Einwohner die "
    "Gemeinde hat; in Klammern der 90-%-Bereich. Unter 3 Vorfällen wird keine Rate genannt („–“)."
)


def period_years(points: gpd.GeoDataFrame) -> float:
    """Length of the data period in years (first to last day, inclusive)."""
    start, end = points["time"].min().normalize(), points["time"].max().normalize()
    return ((end - start).days + 1) / 365.25


def count_table(points: gpd.GeoDataFrame) -> pd.DataFrame:
    """Incidents per category (rows, all six) and year (columns)."""
    years = sorted(points["time"].dt.year.unique())
    table = pd.crosstab(points["category"], points["time"].dt.year)
    return table.reindex(index=list(CATEGORIES), columns=years, fill_value=0)


def cells_with_counts(points: gpd.GeoDataFrame, cell: float) -> gpd.GeoDataFrame:
    """Incident counts per aligned square cell; only cells with at least :data:`MIN_CELL_COUNT`."""
    cx = np.floor(points.geometry.x / cell).astype("int64")
    cy = np.floor(points.geometry.y / cell).astype("int64")
    counts = pd.DataFrame({"cx": cx, "cy": cy}).groupby(["cx", "cy"]).size().rename("count").reset_index()
    counts = counts[counts["count"] >= MIN_CELL_COUNT].reset_index(drop=True)
    geometry = shapely.box(
        counts["cx"] * cell, counts["cy"] * cell, (counts["cx"] + 1) * cell, (counts["cy"] + 1) * cell
    )
    return gpd.GeoDataFrame(counts, geometry=geometry, crs=points.crs)


def cell_size(points: gpd.GeoDataFrame) -> float:
    """The smallest of :data:`CELL_SIZES_M` at which at least 5 cells reach :data:`MIN_CELL_COUNT`."""
    for cell in CELL_SIZES_M:
        if len(cells_with_counts(points, cell)) >= 5:
            return cell
    return CELL_SIZES_M[-1]


def _count(value: int) -> str:
    """A count as the report prints it: ``< 3`` for one or two incidents (the privacy threshold
    of every output, :attr:`geo.view.View.min_count`), else the number."""
    k = View.min_count
    return f"< {k}" if 0 < value < k else zahl(value)


def _rate_text(row: pd.Series, years: float, *, interval: bool) -> str:
    if bool(row["suppressed"]) or pd.isna(row["rate"]):
        return "–"
    if not interval:
        return zahl(row["rate"] / years, 2)
    return (
        f"{zahl(row['rate_smoothed'] / years, 2)} ({zahl(row['rate_low'] / years, 2)}–"
        f"{zahl(row['rate_high'] / years, 2)})"
    )


def rate_rows(subject: Subject, all_points: gpd.GeoDataFrame) -> tuple[tuple[str, ...], ...]:
    """Per category and overall: own crude rate, smoothed rate (Gemeinde only), Kreis, Sachsen.

    All per 1,000 inhabitants and year.
    """
    years = period_years(all_points)
    rows = []
    for category in (*CATEGORIES, None):
        gem = area_rates(all_points, level="gemeinde", categories=category)
        kreis = area_rates(all_points, level="kreis", categories=category).set_index("ags")
        own = gem[gem["ags"].isin(subject.ags)]
        if subject.kind == "gemeinde":
            crude = _rate_text(own.iloc[0], years, interval=False)
            smoothed = _rate_text(own.iloc[0], years, interval=True)
        else:
            total = int(own["count"].fillna(0).sum())
            crude = zahl(1000 * total / (own["einwohner"].sum() * years), 2) if total >= 3 else "–"
            smoothed = "–"
        rows.append(
            (
                CATEGORY_LABELS.get(category, "Alle Kategorien"),
                crude,
                smoothed,
                _rate_text(kreis.loc[subject.kreis_ags], years, interval=False),
                zahl(gem.attrs["saxony_rate"] / years, 2),
            )
        )
    return tuple(rows)


def _trend_sentence(subject: Subject, all_points: gpd.GeoDataFrame) -> str:
    if subject.kind == "verband":
        return ""
    try:
        table = trend(all_points, level=subject.kind)
    except AtlasError as err:
        return str(err)
    row = table.set_index("ags").loc[subject.key]
    if pd.isna(row["trend_pct"]):
        return "Für einen Trendtest gibt es zu wenige Vorfälle."
    return (
        f"Trend (log-lineares Poisson-Modell über alle Jahre): {zahl(row['trend_pct'], 1)} % je Jahr, "
        f"{row['direction']} (p nach FDR-Korrektur {zahl(row['p_fdr'], 3)})."
    )


def local_data(
    subject: Subject, points: gpd.GeoDataFrame, all_points: gpd.GeoDataFrame, credit: str,
    osm: OsmData | None = None,
) -> list[Block]:
    """The blocks of part 2 for the incidents `points` of the subject (`all_points`: all of Saxony)."""
    blocks = [Block("h1", "2 Lokale Daten")]
    if points.empty:
        return [*blocks, Block("placeholder", "Für dieses Gebiet liegen keine Vorfälle vor.")]
    table = count_table(points)
    years = list(table.columns)
    rows = [
        (CATEGORY_LABELS[c], *(_count(v) for v in table.loc[c]), _count(table.loc[c].sum()))
        for c in CATEGORIES
    ]
    rows.append(("Summe", *(_count(v) for v in table.sum()), _count(int(table.values.sum()))))
    start, end = all_points["time"].min(), all_points["time"].max()
    blocks += [
        Block("h2", "Vorfälle nach Kategorie und Jahr"),
        Block(
            "p",
            f"Zeitraum der Daten: {start:%d.%m.%Y} bis {end:%d.%m.%Y}. {_count(len(points))} Vorfälle in "
            f"{subject.name}.",
        ),
        Block(
            "table",
            header=("Kategorie", *(str(y) for y in years), "Summe"),
            rows=tuple(rows),
            widths=(3, *([1] * (len(years) + 1))),
        ),
        Block("h2", "Raten im Vergleich"),
        Block(
            "p",
            f"Vorfälle je 1.000 Einwohner und Jahr: im Gebiet, im Kreis {subject.kreis_name} und in Sachsen.",
        ),
        Block(
            "table",
            header=("Kategorie", subject.name, "geglättet", "Kreis", "Sachsen"),
            rows=rate_rows(subject, all_points),
            widths=(2.6, 1.1, 1.9, 1.0, 1.0),
        ),
        Block("note", SMOOTHING_TEXT),
    ]
    covered, total = all_points["ags"].nunique(), len(load_gemeinden())
    if covered < 0.9 * total:
        blocks.append(
            Block(
                "note",
                f"Die Daten enthalten Vorfälle aus nur {zahl(covered)} der {zahl(total)} "
                "Gemeinden. Kreis- und Sachsenwerte beziehen sich auf alle Einwohner und "
                "sind deshalb nicht vergleichbar.",
            )
        )
    per_year = table.T.rename(columns=CATEGORY_LABELS)
    per_year = per_year.loc[:, per_year.sum() > 0]
    blocks += [
        Block("h2", "Entwicklung"),
        Block(
            "image",
            f"Vorfälle je Jahr in {subject.name}",
            png=charts.trend_chart(per_year, title="Vorfälle je Jahr"),
        ),
        Block(
            "p",
            _trend_sentence(subject, all_points)
            + " Jahre mit unvollständiger Erfassung sind nicht vergleichbar.",
        ),
    ]
    cell = cell_size(points)
    cells = cells_with_counts(points, cell)
    blocks += [
        Block("h2", "Räumliche Verteilung"),
        Block(
            "image",
            f"Vorfälle je {zahl(cell)}-m-Zelle (Zellen mit weniger als {MIN_CELL_COUNT} "
            "Vorfällen nicht dargestellt)",
            png=charts.area_map(
                subject.geometry, neighbourhood(subject), title=subject.name, cells=cells, credit=credit,
                streets=streets_near(subject, osm),
            ),
        ),
    ]
    top = cells.sort_values("count", ascending=False).head(TOP_CELLS)
    if len(top):
        centres = top.geometry.centroid.to_crs("EPSG:4326")
        names = lage(osm, top.geometry)
        rows = tuple(
            (str(i + 1), zahl(r["count"]), name, f"{zahl(c.y, 4)} N, {zahl(c.x, 4)} O")
            for i, ((_, r), c, name) in enumerate(zip(top.iterrows(), centres, names, strict=True))
        )
        blocks += [
            Block("h2", "Zellen mit den meisten Vorfällen"),
            Block(
                "table",
                header=("Rang", "Vorfälle", "Lage", f"Mitte der {zahl(cell)}-m-Zelle"),
                rows=rows,
                widths=(0.6, 0.9, 3.2, 1.9),
            ),
            Block(
                "note",
                f"Zusammengefasst je Rasterzelle; Zellen mit weniger als {MIN_CELL_COUNT} "
                "Vorfällen werden aus Datenschutzgründen nicht genannt.",
            ),
        ]
    return blocks
