"""Synthetic incidents for all of Saxony: "Demodaten (synthetisch)".

Nothing here is real. The generator makes data that *looks* like an export so the app,
the hotspot statistics and the import can be shown and tested without real data:

* **where**: a Gemeinde is drawn with probability ∝ population^α (α per category:
  violence and drugs concentrate in cities more than littering). Inside it, most
  incidents fall around *places*: the centre (a point inside the Gemeinde), one
  "station" 0.6–1.5 km from it for Gemeinden over 5,000 inhabitants, and extra
  centres in large towns (1 + √(population / 20,000)); the offset is Gaussian
  (σ 150–500 m by category). The rest is spread evenly over the Gemeinde. These
  places are invented, not real stations or squares.
* **when**: 2021-01-01 to 2024-12-31, day weights from a seasonal curve per category
  (graffiti and littering peak in summer), a weekday profile (violence on Friday and
  Saturday nights, littering found on Mondays), and an hour-of-day profile.
* **what**: all six categories (graffiti 34 %, littering 28 %, violence 20 %,
  drugs 8 %, other 7 %, extremism 3 %).

Fixed seed → identical output on every run. :data:`DEFAULT_N` (20,000 incidents,
about 0.2 s after the boundaries are loaded, under 2 s from a cold start) is what the app
shows when nothing has been imported.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import load_gemeinden
from geo.crs import METRIC_CRS
from geo.files import write_output
from geo.incidents.assign import gemeinde_grid
from geo.incidents.categories import CATEGORIES
from geo.incidents.report import DEMO_LABEL

DEFAULT_N = 20_000
DEFAULT_SEED = 20240501
START, END = dt.date(2021, 1, 1), dt.date(2024, 12, 31)

_SHARE = {
    "graffiti": 0.34,
    "littering": 0.28,
    "violence": 0.20,
    "extremism": 0.03,
    "drugs": 0.08,
    "other": 0.07,
}
_ALPHA = {
    "graffiti": 1.15,
    "littering": 0.95,
    "violence": 1.25,
    "extremism": 1.0,
    "drugs": 1.35,
    "other": 1.0,
}
_SIGMA_M = {
    "graffiti": 450.0,
    "littering": 500.0,
    "violence": 200.0,
    "extremism": 400.0,
    "drugs": 150.0,
    "other": 350.0,
}
_AT_PLACE = {
    "graffiti": 0.75,
    "littering": 0.55,
    "violence": 0.85,
    "extremism": 0.6,
    "drugs": 0.9,
    "other": 0.6,
}
_STATION_BIAS = {
    "graffiti": 1.5,
    "littering": 1.0,
    "violence": 2.0,
    "extremism": 1.0,
    "drugs": 3.0,
    "other": 1.0,
}
#: Monthly factor (Jan..Dec) per category.
_SEASON = {
    "graffiti": (0.6, 0.6, 0.8, 1.0, 1.2, 1.3, 1.4, 1.4, 1.2, 1.0, 0.8, 0.6),
    "littering": (0.5, 0.5, 0.7, 1.0, 1.3, 1.5, 1.6, 1.6, 1.2, 0.9, 0.6, 0.5),
    "violence": (0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 1.0),
    "extremism": (1.0,) * 12,
    "drugs": (0.8, 0.8, 0.9, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.9, 0.8),
    "other": (0.9, 0.9, 1.0, 1.0, 1.1, 1.1, 1.1, 1.1, 1.0, 1.0, 0.9, 0.9),
}
#: Weekday factor (Mon..Sun) per category.
_WEEKDAY = {
    "graffiti": (0.9, 0.9, 1.0, 1.0, 1.2, 1.3, 1.0),
    "littering": (1.6, 1.1, 1.0, 1.0, 1.0, 0.8, 0.7),
    "violence": (0.7, 0.7, 0.8, 0.9, 1.4, 1.8, 1.3),
    "extremism": (1.0, 1.0, 1.0, 1.0, 1.0, 1.2, 1.1),
    "drugs": (0.9, 0.9, 1.0, 1.0, 1.3, 1.4, 1.0),
    "other": (1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.0),
}
_NIGHT = (
    3,
    2,
    1.5,
    1,
    0.5,
    0.3,
    0.3,
    0.4,
    0.5,
    0.5,
    0.6,
    0.7,
    0.8,
    0.8,
    0.9,
    1,
    1.2,
    1.4,
    1.6,
    2,
    2.5,
    3,
    3.5,
    3.5,
)
_DAY = (
    0.1,
    0.1,
    0.1,
    0.1,
    0.2,
    0.4,
    0.8,
    1.2,
    1.6,
    1.8,
    1.8,
    1.7,
    1.6,
    1.6,
    1.6,
    1.5,
    1.4,
    1.2,
    1.0,
    0.8,
    0.5,
    0.3,
    0.2,
    0.1,
)
_HOURS = {
    "graffiti": _NIGHT,
    "littering": _DAY,
    "violence": _NIGHT,
    "extremism": _NIGHT,
    "drugs": _NIGHT,
    "other": _DAY,
}
#: How the demo CSV names each category (labels of the shipped mapping, German police style).
EXPORT_LABELS = {
    "graffiti": ("Sachbeschädigung durch Graffiti", "Graffiti", "Farbschmiererei"),
    "littering": ("Illegale Abfallablagerung", "Wilde Müllablagerung", "Vermüllung"),
    "violence": ("Körperverletzung", "Gefährliche Körperverletzung", "Raub", "Bedrohung", "Schlägerei"),
    "extremism": ("Verwenden von Kennzeichen verfassungswidriger Organisationen", "Volksverhetzung"),
    "drugs": ("Rauschgiftdelikt", "Verstoß gegen das Betäubungsmittelgesetz"),
    "other": ("Ruhestörung", "Sonstige Sachbeschädigung"),
}


@functools.cache
def _places() -> tuple[pd.DataFrame, np.ndarray]:
    """Invented places (centre, station, extra centres) per Gemeinde; fixed, seed-independent."""
    gem = load_gemeinden()
    rng = np.random.default_rng(7)
    grid = gemeinde_grid()
    centres = gem.geometry.representative_point()
    rows = []
    for i, (pop, centre, geom) in enumerate(zip(gem["einwohner"], centres, gem.geometry, strict=True)):
        rows.append((i, centre.x, centre.y, 1.0, False))
        radius = np.sqrt(geom.area) / 5
        extra = int(np.sqrt(pop / 20_000))
        wanted = [("station", 1)] if pop > 5_000 else []
        wanted += [("centre", extra)] if extra else []
        for kind, count in wanted:
            placed, tries = 0, 0
            while placed < count and tries < 50:
                tries += 1
                dist = rng.uniform(600, 1500) if kind == "station" else rng.uniform(0.3, 1.0) * radius
                angle = rng.uniform(0, 2 * np.pi)
                px, py = centre.x + dist * np.cos(angle), centre.y + dist * np.sin(angle)
                if grid.lookup(np.array([px]), np.array([py]))[0] == i:
                    rows.append((i, px, py, 0.8, kind == "station"))
                    placed += 1
    places = pd.DataFrame(rows, columns=["gemeinde", "x", "y", "weight", "station"])
    bounds = np.asarray(gem.geometry.bounds.to_numpy(), dtype=np.float64)
    return places, bounds


def _days(category: str) -> tuple[np.ndarray, np.ndarray]:
    days = pd.date_range(START, END, freq="D")
    month, weekday, year = days.month.to_numpy() - 1, days.day_of_week.to_numpy(), days.year.to_numpy()
    weight = (
        np.asarray(_SEASON[category])[month]
        * np.asarray(_WEEKDAY[category])[weekday]
        * (1 + 0.05 * (year - START.year))
    )  # a slight upward trend
    return days.to_numpy(dtype="datetime64[s]"), weight / weight.sum()


def demo_points(*, n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> gpd.GeoDataFrame:
    """`n` synthetic incidents (see module doc), deterministic for a given `seed`.

    Returns
    -------
    GeoDataFrame
        ``category``, ``time`` (naive local datetime64[s], whole minutes), ``ags``,
        point geometry in ``METRIC_CRS`` rounded to 0.1 m; sorted by time.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    rng = np.random.default_rng(seed)
    gem = load_gemeinden()
    places, bounds = _places()
    grid = gemeinde_grid()
    pop = gem["einwohner"].to_numpy(dtype=np.float64)
    shares = np.array([_SHARE[c] for c in CATEGORIES])
    cat_index = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum())
    x, y = np.empty(n), np.empty(n)
    gem_index = np.empty(n, dtype=np.int64)
    when = np.empty(n, dtype="datetime64[s]")
    for k, category in enumerate(CATEGORIES):
        idx = np.flatnonzero(cat_index == k)
        p = pop ** _ALPHA[category]
        gem_index[idx] = rng.choice(len(gem), size=len(idx), p=p / p.sum())
        x[idx], y[idx] = _locate(rng, category, gem_index[idx], places, bounds, grid)
        days, p_day = _days(category)
        hours = np.asarray(_HOURS[category], dtype=np.float64)
        minutes = rng.choice(24, size=len(idx), p=hours / hours.sum()) * 60 + rng.integers(0, 60, len(idx))
        when[idx] = rng.choice(days, size=len(idx), p=p_day) + minutes.astype("timedelta64[m]")
    x, y = np.round(x, 1), np.round(y, 1)
    found = grid.lookup(x, y)
    frame = gpd.GeoDataFrame(
        {
            "category": pd.Series(np.asarray(CATEGORIES, dtype=object)[cat_index], dtype="str"),
            "time": pd.Series(when, dtype="datetime64[s]"),
            "ags": pd.Series(grid.ags[found], dtype="str"),
        },
        geometry=gpd.points_from_xy(x, y),
        crs=METRIC_CRS,
    )
    return frame.sort_values(["time", "category"], kind="stable", ignore_index=True)


def _locate(
    rng: np.random.Generator,
    category: str,
    gem_index: np.ndarray,
    places: pd.DataFrame,
    bounds: np.ndarray,
    grid,
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates inside the chosen Gemeinden: near a place or spread evenly (resampled until inside)."""
    n = len(gem_index)
    x, y = np.empty(n), np.empty(n)
    weight = places["weight"].to_numpy() * np.where(places["station"], _STATION_BIAS[category], 1.0)
    by_gem = places.groupby("gemeinde").indices
    at_place = rng.random(n) < _AT_PLACE[category]
    todo = np.arange(n)
    for _ in range(60):
        if not len(todo):
            break
        g = gem_index[todo]
        near = at_place[todo]
        px, py = np.empty(len(todo)), np.empty(len(todo))
        for gi in np.unique(g[near]):
            sel = np.flatnonzero(near & (g == gi))
            options = by_gem[gi]
            w = weight[options]
            chosen = options[rng.choice(len(options), size=len(sel), p=w / w.sum())]
            px[sel] = places["x"].to_numpy()[chosen] + rng.normal(0, _SIGMA_M[category], len(sel))
            py[sel] = places["y"].to_numpy()[chosen] + rng.normal(0, _SIGMA_M[category], len(sel))
        spread = ~near
        b = bounds[g[spread]]
        px[spread] = rng.uniform(b[:, 0], b[:, 2])
        py[spread] = rng.uniform(b[:, 1], b[:, 3])
        inside = grid.lookup(np.round(px, 1), np.round(py, 1)) == g
        x[todo[inside]], y[todo[inside]] = px[inside], py[inside]
        todo = todo[~inside]
    if len(todo):  # practically never: fall back to the Gemeinde's centre
        centres = places.drop_duplicates("gemeinde").set_index("gemeinde")
        x[todo] = centres.loc[gem_index[todo], "x"].to_numpy()
        y[todo] = centres.loc[gem_index[todo], "y"].to_numpy()
    return x, y


def demo_csv(path: str | Path, *, n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> Path:
    """Write :func:`demo_points` as a German police-export-style CSV and return its path.

    Windows-1252, ``;``-separated, decimal comma, ``TT.MM.JJJJ HH:MM``; a title line
    "Demodaten (synthetisch) – …" above the header (so an import of the file is marked
    as demo data), then ``Vorgangsnummer;Tatzeit;Delikt;Gemeinde;Rechtswert;Hochwert``
    (EPSG:25833).
    The Delikt text varies among labels the shipped mapping knows.
    """
    points = demo_points(n=n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    names = load_gemeinden().set_index("ags")["name"]
    labels = np.empty(len(points), dtype=object)
    for category, options in EXPORT_LABELS.items():
        sel = np.flatnonzero(points["category"].to_numpy() == category)
        labels[sel] = np.asarray(options, dtype=object)[rng.integers(0, len(options), len(sel))]
    years = points["time"].dt.year.astype(str)
    frame = pd.DataFrame(
        {
            "Vorgangsnummer": [f"{y}/{i:07d}" for i, y in enumerate(years, start=1)],
            "Tatzeit": points["time"].dt.strftime("%d.%m.%Y %H:%M"),
            "Delikt": labels,
            "Gemeinde": points["ags"].map(names),
            "Rechtswert": points.geometry.x.map("{:.1f}".format).str.replace(".", ",", regex=False),
            "Hochwert": points.geometry.y.map("{:.1f}".format).str.replace(".", ",", regex=False),
        }
    )
    path = Path(path)
    title = f"{DEMO_LABEL} – Präventionsatlas Sachsen, Startwert {seed}, {n} Vorfälle, nicht real\r\n"
    write_output(path, (title + frame.to_csv(sep=";", index=False, lineterminator="\r\n")).encode("cp1252"))
    return path
