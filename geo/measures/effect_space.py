"""Where and when a measure is judged: the periods before and after, the areas T, D and C.

**Periods** (:func:`periods`). The after period starts `skip_months` after the measure's
start (the months of building or setting up can be left out) and lasts `months`. The before
period has the same length and covers the same calendar months, so the seasons cancel:

* `months` a multiple of 12 (the default, 12): the `months` right before the start. Every
  calendar month occurs equally often on both sides, whatever `skip_months` is.
* otherwise: the after period moved back by whole years, as few as keep it before the start
  (6 months March–August after → March–August one year earlier).

The data end (`as_of`) is the latest incident time, or given; never today's date. While the
after period is not complete, only its covered days are compared, with the same number of
days from the beginning of the before period (:attr:`Periods.after_complete` is False).

**Areas** (:func:`areas`). T is the measure's place; D the ring of `buffer_m` metres around
it (displacement buffer, Bowers & Johnson 2003); C the Gemeinde without T and D, or an area
the planner picks, without T and D. A point on the edge of T counts for T, on the outer edge
of D for D.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import require_crs
from geo.errors import AtlasError
from geo.lang import Text, phrase

DEFAULT_MONTHS = 12
DEFAULT_BUFFER_M = 250.0
MAX_MONTHS = 60
MAX_BUFFER_M = 5_000.0
#: Codes of :func:`classify`.
TARGET, BUFFER, CONTROL, OUTSIDE = 0, 1, 2, -1


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole calendar months; the 31st becomes the month's last day where needed."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


class DateRange(NamedTuple):
    """Days from `first` (inclusive) to `stop` (exclusive)."""

    first: dt.date
    stop: dt.date

    @property
    def last(self) -> dt.date:
        return self.stop - dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return max(0, (self.stop - self.first).days)

    def mask(self, times: np.ndarray) -> np.ndarray:
        """Which `times` (datetime64[ns]) fall on these days."""
        lo, hi = np.datetime64(self.first, "ns"), np.datetime64(self.stop, "ns")
        return (times >= lo) & (times < hi)

    def as_dict(self) -> dict[str, str]:
        return {"von": self.first.isoformat(), "bis": self.last.isoformat()}


@dataclass(frozen=True)
class Periods:
    """Before and after period of a measure (see module doc).

    ``before`` and ``after`` are the planned periods; ``compared_before`` and
    ``compared_after`` what is counted (shorter while the after period is not complete).
    """

    start: dt.date
    months: int
    skip_months: int
    before: DateRange
    after: DateRange
    as_of: dt.date

    @property
    def after_complete(self) -> bool:
        return self.as_of >= self.after.last

    @property
    def compared_days(self) -> int:
        """Days of the after period covered by the data."""
        return min(self.after.days, max(0, (self.as_of - self.after.first).days + 1))

    @property
    def compared_after(self) -> DateRange:
        return DateRange(self.after.first, self.after.first + dt.timedelta(days=self.compared_days))

    @property
    def compared_before(self) -> DateRange:
        if self.after_complete:
            return self.before
        return DateRange(self.before.first, self.before.first + dt.timedelta(days=self.compared_days))

    @property
    def shift_months(self) -> int:
        """Calendar months from the before period's first day to the after period's."""
        return (self.after.first.year - self.before.first.year) * 12 + self.after.first.month \
            - self.before.first.month


def _whole(value: object, low: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= MAX_MONTHS


def periods(start: dt.date, *, months: int = DEFAULT_MONTHS, skip_months: int = 0,
            as_of: dt.date) -> Periods:
    """The before and after period of a measure starting on `start` (see module doc).

    Parameters
    ----------
    start : date
        First day of the measure.
    months : int
        Length of each period in calendar months (1–60).
    skip_months : int
        Months after the start left out (implementation), 0 or more.
    as_of : date
        Last day the data covers.
    """
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise AtlasError(phrase("Der Beginn der Maßnahme „{value}“ ist kein Datum.", value=str(start)))
    if not _whole(months, 1):
        raise AtlasError(phrase("Die Zeiträume vorher und nachher müssen 1 bis {max:d} Monate lang sein, "
                                "nicht {value}.", max=MAX_MONTHS, value=str(months)))
    if not _whole(skip_months, 0):
        raise AtlasError(phrase("Die ausgelassenen Monate nach dem Beginn müssen eine ganze Zahl von 0 bis "
                                "{max:d} sein, nicht {value}.", max=MAX_MONTHS, value=str(skip_months)))
    shift = months + skip_months if months % 12 == 0 else 12 * math.ceil((months + skip_months) / 12)
    after = DateRange(add_months(start, skip_months), add_months(start, skip_months + months))
    first = skip_months - shift
    before = DateRange(add_months(start, first), add_months(start, first + months))
    return Periods(start=start, months=months, skip_months=skip_months, before=before, after=after,
                   as_of=as_of)


@dataclass(frozen=True, eq=False)
class Areas:
    """Target area T, displacement ring D and control area C (EPSG:25833, metres)."""

    target: BaseGeometry
    buffer: BaseGeometry
    control: BaseGeometry
    buffer_m: float

    def area_m2(self) -> dict[str, float]:
        return {"t": float(self.target.area), "d": float(self.buffer.area), "c": float(self.control.area)}


def _polygonal(geometry: object, what: Text) -> BaseGeometry:
    if not isinstance(geometry, BaseGeometry) or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        raise AtlasError(phrase("{what} ist keine Fläche (Polygon oder MultiPolygon).", what=what))
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
        parts = [g for g in getattr(geometry, "geoms", [geometry])
                 if g.geom_type in ("Polygon", "MultiPolygon")]
        geometry = shapely.union_all(parts) if parts else shapely.Polygon()
    if geometry.is_empty or geometry.area <= 0:
        raise AtlasError(phrase("{what} ist leer (Fläche 0 m²).", what=what))
    return geometry


def areas(place: BaseGeometry, gemeinde: BaseGeometry, *, buffer_m: float = DEFAULT_BUFFER_M,
          control: BaseGeometry | None = None) -> Areas:
    """T, D and C for a measure at `place` in the Gemeinde `gemeinde` (see module doc).

    Parameters
    ----------
    place, gemeinde : Polygon or MultiPolygon
        In EPSG:25833.
    buffer_m : float
        Width of the ring D in metres (0 < width ≤ 5,000).
    control : Polygon or MultiPolygon, optional
        The control area the planner picked; T and D are cut out of it.
    """
    target = _polygonal(place, phrase("Der Ort der Maßnahme"))
    try:
        width = float(buffer_m)
    except (TypeError, ValueError):
        width = math.nan
    if not 0 < width <= MAX_BUFFER_M:
        raise AtlasError(phrase("Die Breite der Umgebung muss über 0 und höchstens {max:.0f} m sein, "
                                "nicht {value}.", max=MAX_BUFFER_M, value=str(buffer_m)))
    ring = target.buffer(width).difference(target)
    base = _polygonal(gemeinde if control is None else control,
                      phrase("Die Gemeinde") if control is None else phrase("Das Vergleichsgebiet"))
    rest = base.difference(target.buffer(width))
    if rest.is_empty or rest.area <= 0:
        raise AtlasError(phrase("Ohne Zielgebiet und Umgebung ({m:.0f} m) bleibt kein Vergleichsgebiet "
                                "übrig; bitte ein anderes Vergleichsgebiet oder eine schmalere Umgebung "
                                "wählen.", m=width))
    return Areas(target=target, buffer=ring, control=rest, buffer_m=width)


# --- incidents ------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Incidents:
    """Coordinates (EPSG:25833), times (datetime64[ns]) and categories of incident points."""

    x: np.ndarray
    y: np.ndarray
    time: np.ndarray
    category: np.ndarray

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, keep: np.ndarray) -> Incidents:
        return Incidents(self.x[keep], self.y[keep], self.time[keep], self.category[keep])


def incidents(points: pd.DataFrame | gpd.GeoDataFrame | Incidents) -> Incidents:
    """Points as arrays: the store's point table (``x``, ``y``) or a GeoDataFrame in EPSG:25833."""
    if isinstance(points, Incidents):
        return points
    missing = [c for c in ("category", "time") if c not in points.columns]
    if isinstance(points, gpd.GeoDataFrame) and "x" not in points.columns:
        require_crs(points)
        coords = points.geometry.get_coordinates()
        if len(coords) != len(points):
            raise AtlasError(phrase("Die Vorfälle müssen Punkte sein (genau ein Koordinatenpaar je Zeile)."))
        x, y = coords["x"].to_numpy(np.float64), coords["y"].to_numpy(np.float64)
    else:
        missing += [c for c in ("x", "y") if c not in points.columns]
        x = points["x"].to_numpy(np.float64) if "x" in points.columns else np.empty(0)
        y = points["y"].to_numpy(np.float64) if "y" in points.columns else np.empty(0)
    if missing:
        raise AtlasError(phrase("Den Vorfällen fehlen die Spalten {columns}.", columns=", ".join(missing)))
    time = pd.to_datetime(points["time"]).to_numpy("datetime64[ns]")
    return Incidents(x, y, time, points["category"].to_numpy(object))


def data_end(points: Incidents) -> dt.date | None:
    """The day of the latest incident (None without incidents)."""
    valid = points.time[~np.isnat(points.time)]
    return pd.Timestamp(valid.max()).date() if len(valid) else None


def data_start(points: Incidents) -> dt.date | None:
    valid = points.time[~np.isnat(points.time)]
    return pd.Timestamp(valid.min()).date() if len(valid) else None


def classify(x: np.ndarray, y: np.ndarray, areas: Areas) -> np.ndarray:
    """Per point :data:`TARGET`, :data:`BUFFER`, :data:`CONTROL` or :data:`OUTSIDE` (int8)."""
    code = np.full(len(x), OUTSIDE, dtype=np.int8)
    open_ = np.ones(len(x), dtype=bool)
    for value, geometry in ((TARGET, areas.target), (BUFFER, areas.buffer), (CONTROL, areas.control)):
        if not open_.any():
            break
        xmin, ymin, xmax, ymax = geometry.bounds
        near = open_ & (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
        if near.any():
            shapely.prepare(geometry)
            hit = np.zeros(len(x), dtype=bool)
            hit[near] = shapely.intersects_xy(geometry, x[near], y[near])
            code[hit] = value
            open_ &= ~hit
    return code


def _relevant(points: Incidents, categories: Iterable[str], span: DateRange) -> Incidents:
    wanted = list(categories)
    keep = np.isin(points.category, wanted) & span.mask(points.time)
    return points.subset(keep)


@dataclass(frozen=True)
class Counts:
    """Incidents in T, D and C before and after (the compared periods)."""

    t_before: int
    t_after: int
    d_before: int
    d_after: int
    c_before: int
    c_after: int

    def as_dict(self) -> dict[str, int]:
        return {"t_vorher": self.t_before, "t_nachher": self.t_after, "d_vorher": self.d_before,
                "d_nachher": self.d_after, "c_vorher": self.c_before, "c_nachher": self.c_after}


def counts(points: pd.DataFrame | gpd.GeoDataFrame | Incidents, areas: Areas, periods: Periods,
           categories: Iterable[str]) -> Counts:
    """Incidents of `categories` in T, D and C in the compared before and after periods."""
    points = incidents(points)
    before, after = periods.compared_before, periods.compared_after
    found = {}
    for name, span in (("before", before), ("after", after)):
        chosen = _relevant(points, categories, span)
        code = classify(chosen.x, chosen.y, areas)
        for letter, value in (("t", TARGET), ("d", BUFFER), ("c", CONTROL)):
            found[f"{letter}_{name}"] = int((code == value).sum())
    return Counts(**found)


def monthly(points: pd.DataFrame | gpd.GeoDataFrame | Incidents, areas: Areas, periods: Periods,
            categories: Iterable[str]) -> pd.DataFrame:
    """Incidents per month in T, D and C from the first before month to the last after month.

    Months are counted from the measure's start (``monat`` 0 begins on the start day, −1 is
    the month before). Columns ``monat``, ``von``, ``bis`` (inclusive dates), ``phase``
    (``vorher``, ``dazwischen``, ``umsetzung``, ``nachher``), ``vollstaendig`` (the data reach
    the month's end), ``t``, ``d``, ``c``. The start is between ``monat`` −1 and 0.
    """
    points = incidents(points)
    first_k = periods.skip_months - periods.shift_months
    last_k = periods.skip_months + periods.months
    ks = np.arange(first_k, last_k)
    edges = [add_months(periods.start, int(k)) for k in range(first_k, last_k + 1)]
    chosen = _relevant(points, categories, DateRange(edges[0], edges[-1]))
    code = classify(chosen.x, chosen.y, areas)
    bucket = np.searchsorted(np.array(edges, dtype="datetime64[ns]"), chosen.time, side="right") - 1
    last_days = [e - dt.timedelta(days=1) for e in edges[1:]]
    table = pd.DataFrame({"monat": ks, "von": edges[:-1], "bis": last_days})
    before_months = first_k + periods.months
    table["phase"] = np.select([ks < before_months, ks < 0, ks < periods.skip_months],
                               ["vorher", "dazwischen", "umsetzung"], "nachher")
    table["vollstaendig"] = [b <= periods.as_of for b in table["bis"]]
    for letter, value in (("t", TARGET), ("d", BUFFER), ("c", CONTROL)):
        table[letter] = np.bincount(bucket[code == value], minlength=len(ks))[: len(ks)].astype(np.int64)
    return table
