"""Wirkungsprüfung: did a prevention measure change the incidents where it was made?

:func:`evaluate` compares a before and an after period (:func:`~geo.measures.effect_space.periods`)
in three areas (:func:`~geo.measures.effect_space.areas`): the measure's place T, the ring D
around it where displaced incidents would show, and the control area C that shows what would
have happened anyway. It reports the counts, the Weighted Displacement Quotient, the Weighted
Displacement Difference with its z-test, the difference-in-differences rate ratio T vs C with
its 95 % interval (all in :mod:`~geo.measures.effect_stats`) and a plain German verdict.

**One control area for T and D.** Wheeler & Ratcliffe (2018, Crime Science 7:11) prescribe a
control for T and a second one for D, each with counts similar to the area it stands for. The
atlas has one control area, C (by default the rest of the Gemeinde), usually with far more
incidents than T or D. So for the WDD C's counts are scaled to the before-count of the area
it stands for — ``C·T0/C0`` for T and ``C·D0/C0`` for D, the weights of Wheeler's extensions
(ptools ``wdd``), which turns the WDD into "observed minus expected after C's trend" — and,
because the same C stands for both, its variance enters with the sum of both weights squared
(:func:`~geo.measures.effect_stats.wdd` with ``shared_control``). The weights are taken as
fixed, as in the paper's weighted versions. The WDQ and the rate ratio use C as it is.

**The verdict** (:attr:`Effect.urteil`) names the change in T, compares it with C (the rate
ratio's 95 % interval wholly below or above 1, else "nicht deutlich anders"), and says
whether incidents moved into the ring D (the WDD's displacement part significant at 5 %,
two-sided: z ≥ 1.96 displacement, z ≤ −1.96 diffusion of benefits). Guards: no verdict with
fewer than :data:`MIN_BEFORE` incidents in T before, without incidents in C, or before the
after period has begun; a verdict on an after period the data do not yet cover is marked
"vorläufig" and compares only the covered days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.crs import METRIC_CRS
from geo.errors import AtlasError
from geo.incidents.bias import cautions_for_counts
from geo.incidents.categories import CATEGORIES
from geo.lang import Text, phrase
from geo.measures.effect_space import (
    DEFAULT_BUFFER_M,
    DEFAULT_MONTHS,
    TARGET,
    Areas,
    Counts,
    DateRange,
    Incidents,
    Periods,
    add_months,
    areas,
    classify,
    counts,
    data_end,
    data_start,
    incidents,
    monthly,
    periods,
)
from geo.measures.effect_stats import WDD, WDQ, RateRatio, figures, rate_ratio, wdd, wdq

if TYPE_CHECKING:
    from geo.measures.model import Measure

__all__ = ["DEFAULT_BUFFER_M", "DEFAULT_MONTHS", "MIN_BEFORE", "WDD", "WDQ", "Areas", "Counts", "DateRange",
           "Effect", "Periods", "RateRatio", "add_months", "areas", "classify", "counts", "evaluate",
           "evaluate_measure", "monthly", "periods", "rate_ratio", "wdd", "wdq"]

#: Fewest incidents in T in the before period for a verdict.
MIN_BEFORE = 10
#: |z| from which the WDD's displacement part counts as displacement or diffusion (5 %, two-sided).
Z_CRITICAL = 1.959964
#: Days after the before period's first day from which late data earn a note.
DATA_START_TOLERANCE_DAYS = 31
#: The figures of the JSON contract, after the six counts and before ``urteil``.
CONTRACT_FIGURES = ("wdq", "wdd", "wdd_se", "wdd_z", "rr", "rr_unten", "rr_oben")


@dataclass(frozen=True, eq=False)
class Effect:
    """Result of :func:`evaluate` (see module doc). ``monate`` holds the monthly counts for the chart."""

    periods: Periods
    areas: Areas
    categories: tuple[str, ...]
    counts: Counts
    wdq: WDQ
    wdd: WDD | None
    rr: RateRatio | None
    urteil: Text
    bewertbar: bool
    hinweise: tuple[Text, ...] = ()
    monate: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def verdict(self) -> Text:
        return self.urteil

    def t_change_percent(self) -> float | None:
        """Change in T from before to after, percent (None without incidents before)."""
        c = self.counts
        return 100.0 * (c.t_after - c.t_before) / c.t_before if c.t_before else None

    def as_dict(self) -> dict:
        """The JSON of ``python -m geo bewerten ID --json``: counts, figures, verdict, then extras."""
        values = figures(self.wdq, self.wdd, self.rr)
        out: dict = {**self.counts.as_dict(), **{k: values[k] for k in CONTRACT_FIGURES},
                     "urteil": str(self.urteil)}
        out.update({k: v for k, v in values.items() if k not in out})
        p = self.periods
        out.update({
            "bewertbar": self.bewertbar,
            "hinweise": [str(h) for h in self.hinweise],
            "kategorien": list(self.categories),
            "beginn": p.start.isoformat(),
            "zeitraum_vorher": p.compared_before.as_dict(),
            "zeitraum_nachher": p.compared_after.as_dict() if p.compared_days else None,
            "zeitraum_nachher_geplant": p.after.as_dict(),
            "monate_je_zeitraum": p.months,
            "ausgelassene_monate": p.skip_months,
            "nachher_vollstaendig": p.after_complete,
            "daten_bis": p.as_of.isoformat(),
            "puffer_m": self.areas.buffer_m,
            "mindestzahl": MIN_BEFORE,
            "flaechen_m2": {k: round(v, 1) for k, v in self.areas.area_m2().items()},
        })
        return out


def _categories(categories: Iterable[str] | str) -> tuple[str, ...]:
    chosen = (categories,) if isinstance(categories, str) else tuple(categories)
    unknown = [c for c in chosen if c not in CATEGORIES]
    if unknown or not chosen:
        raise AtlasError(phrase("Unbekannte oder fehlende Kategorien: {bad}; möglich: {known}.",
                                bad=", ".join(map(str, unknown)) or "–", known=", ".join(CATEGORIES)))
    return tuple(c for c in CATEGORIES if c in chosen)


def _change(before: int, after: int) -> Text:
    """Change of a count with `before` > 0, in words."""
    percent = 100.0 * abs(after - before) / before
    if round(percent) == 0:
        return phrase("unverändert")
    if after < before:
        return phrase("Rückgang um {p:.0f} %", p=percent)
    return phrase("Anstieg um {p:.0f} %", p=percent)


def _comparison(c: Counts, rr: RateRatio) -> Text:
    there = _change(c.c_before, c.c_after)
    down, up = c.t_after < c.t_before, c.t_after > c.t_before
    if rr.upper < 1:  # T developed better than C
        if down:
            return phrase("stärker als im Vergleichsgebiet (dort {change})", change=there)
        if up:
            return phrase("aber schwächer als im Vergleichsgebiet (dort {change})", change=there)
        return phrase("günstiger als im Vergleichsgebiet (dort {change})", change=there)
    if rr.lower > 1:  # worse than C
        if down:
            return phrase("schwächer als im Vergleichsgebiet (dort {change})", change=there)
        if up:
            return phrase("stärker als im Vergleichsgebiet (dort {change})", change=there)
        return phrase("ungünstiger als im Vergleichsgebiet (dort {change})", change=there)
    return phrase("nicht deutlich anders als im Vergleichsgebiet (dort {change})", change=there)


def _surroundings(c: Counts, w: WDD, q: WDQ, buffer_m: float) -> Text:
    z = w.displacement_z
    values = {"before": c.d_before, "after": c.d_after, "m": buffer_m}
    success = q.success is not None and q.success < 0
    if z >= Z_CRITICAL:
        if success:
            return phrase("Verdrängung in die Umgebung wahrscheinlich ({before} → {after} Fälle im Ring von "
                          "{m:.0f} m)", **values)
        return phrase("auch in der Umgebung mehr Fälle als erwartet ({before} → {after} im Ring von "
                      "{m:.0f} m)", **values)
    if z <= -Z_CRITICAL:
        if success:
            return phrase("auch die Umgebung profitiert ({before} → {after} Fälle im Ring von {m:.0f} m)",
                          **values)
        return phrase("in der Umgebung weniger Fälle als erwartet ({before} → {after} im Ring von {m:.0f} m)",
                      **values)
    return phrase("keine Verdrängung in die Umgebung erkennbar")


def _verdict(c: Counts, p: Periods, q: WDQ, w: WDD | None, rr: RateRatio | None,
             buffer_m: float) -> tuple[Text, bool]:
    if p.compared_days == 0:
        return phrase("Keine Bewertung möglich: der Nachher-Zeitraum beginnt am {day:%d.%m.%Y}, die Daten "
                      "reichen nur bis {as_of:%d.%m.%Y}.", day=p.after.first, as_of=p.as_of), False
    if c.t_before < MIN_BEFORE:
        return phrase("Zu wenige Fälle für eine Bewertung: {n} Vorfälle im Zielgebiet im Vorher-Zeitraum, "
                      "nötig sind mindestens {min}.", n=c.t_before, min=MIN_BEFORE), False
    if w is None or rr is None or c.c_before == 0 or c.c_after == 0:
        return phrase("Keine Bewertung möglich: im Vergleichsgebiet gab es im Vorher- oder Nachher-Zeitraum "
                      "keine Vorfälle."), False
    percent = 100.0 * abs(c.t_after - c.t_before) / c.t_before
    if c.t_after < c.t_before:
        change = phrase("Rückgang im Zielgebiet um {p:.0f} %", p=percent)
    elif c.t_after > c.t_before:
        change = phrase("Anstieg im Zielgebiet um {p:.0f} %", p=percent)
    else:
        change = phrase("Keine Veränderung im Zielgebiet")
    main = phrase("{change}, {comparison}; {surroundings}.", change=change, comparison=_comparison(c, rr),
                  surroundings=_surroundings(c, w, q, buffer_m))
    z = round(w.z, 1) + 0.0  # no "-0,0"
    if round(w.total) == 0:
        balance = phrase("Bilanz mit Umgebung: so viele Fälle wie nach dem Vergleichsgebiet erwartet "
                         "(z = {z:.1f}).", z=z)
    elif w.total < 0:
        balance = phrase("Bilanz mit Umgebung: {n:.0f} Fälle weniger als nach dem Vergleichsgebiet erwartet "
                         "(z = {z:.1f}).", n=-w.total, z=z)
    else:
        balance = phrase("Bilanz mit Umgebung: {n:.0f} Fälle mehr als nach dem Vergleichsgebiet erwartet "
                         "(z = {z:.1f}).", n=w.total, z=z)
    text = phrase("{main} {balance}", main=main, balance=balance)
    if not p.after_complete:
        text = phrase("{text} {note}", text=text, note=phrase(
            "Vorläufig: die Daten reichen erst bis {as_of:%d.%m.%Y}.", as_of=p.as_of))
    return text, True


def _notes(p: Periods, q: WDQ, rr: RateRatio | None, first_day: dt.date | None) -> tuple[Text, ...]:
    notes = []
    if not p.after_complete and p.compared_days:
        notes.append(phrase("Der Nachher-Zeitraum ist noch nicht vollständig (Daten bis {as_of:%d.%m.%Y}, "
                            "geplant bis {end:%d.%m.%Y}): verglichen werden die ersten {days} Tage beider "
                            "Zeiträume.", as_of=p.as_of, end=p.after.last, days=p.compared_days))
    if first_day is not None and (first_day - p.before.first).days > DATA_START_TOLERANCE_DAYS:
        notes.append(phrase("Die Daten beginnen erst am {first:%d.%m.%Y}, der Vorher-Zeitraum am "
                            "{start:%d.%m.%Y}: die Vorher-Zahlen sind womöglich zu niedrig.",
                            first=first_day, start=p.before.first))
    if q.reason is not None:
        notes.append(q.reason)
    elif q.success is not None and q.success >= 0:
        notes.append(phrase("Das Zielgebiet hat sich nicht günstiger entwickelt als das Vergleichsgebiet "
                            "(Erfolgsmaß ≥ 0); der WDQ beschreibt dann keine Verdrängung."))
    if rr is not None and rr.corrected:
        notes.append(phrase("Eine der Zahlen ist 0: für das Verhältnis der Raten wurde zu allen vier Zahlen "
                            "0,5 addiert."))
    return tuple(notes)


def _day(value: object) -> dt.date:
    """A date from a date, datetime or Timestamp (the data end is a day)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise AtlasError(phrase("Das Datenende „{value}“ ist kein Datum.", value=str(value)))


def evaluate(points: pd.DataFrame | gpd.GeoDataFrame, place: BaseGeometry, gemeinde_polygon: BaseGeometry,
             start: dt.date, *, categories: Iterable[str] | str, months: int = DEFAULT_MONTHS,
             skip_months: int = 0, buffer_m: float = DEFAULT_BUFFER_M, control: BaseGeometry | None = None,
             as_of: dt.date | None = None) -> Effect:
    """Evaluate a measure at `place` (T) that started on `start` (see module doc).

    Parameters
    ----------
    points : DataFrame or GeoDataFrame
        Incidents: the store's point table (``x``, ``y`` in EPSG:25833, ``category``, ``time``)
        or a GeoDataFrame in EPSG:25833 with ``category`` and ``time``.
    place, gemeinde_polygon : Polygon or MultiPolygon
        The measure's place and its Gemeinde, EPSG:25833.
    start : date
        First day of the measure.
    categories : str or iterable of str
        Incident categories the measure is meant to reduce.
    months, skip_months : int
        Length of each period; months after the start left out.
    buffer_m : float
        Width of the ring D, metres.
    control : Polygon or MultiPolygon, optional
        Control area instead of the rest of the Gemeinde (T and D are cut out).
    as_of : date, optional
        Last day the data cover; by default the day of the latest incident in `points`.
    """
    chosen = _categories(categories)
    table = incidents(points)
    end = _day(as_of) if as_of is not None else data_end(table)
    if end is None:
        raise AtlasError(phrase("Keine Vorfälle geladen: ohne Daten lässt sich keine Wirkung prüfen."))
    when = periods(start, months=months, skip_months=skip_months, as_of=end)
    zones = areas(place, gemeinde_polygon, buffer_m=buffer_m, control=control)
    c = counts(table, zones, when, chosen)
    q = wdq(c.t_before, c.t_after, c.d_before, c.d_after, c.c_before, c.c_after)
    w = None
    if c.c_before > 0:
        scale = {"ct": (c.t_before / c.c_before,) * 2, "cd": (c.d_before / c.c_before,) * 2}
        w = wdd((c.t_before, c.t_after), (c.c_before, c.c_after), (c.d_before, c.d_after), scale=scale,
                shared_control=True)
    rr = rate_ratio(c.t_before, c.t_after, c.c_before, c.c_after)
    text, ok = _verdict(c, when, q, w, rr, zones.buffer_m)
    notes = (*_notes(when, q, rr, data_start(table)), *_reporting(table, zones, when, chosen))
    return Effect(periods=when, areas=zones, categories=chosen, counts=c, wdq=q, wdd=w, rr=rr, urteil=text,
                  bewertbar=ok, hinweise=notes,
                  monate=monthly(table, zones, when, chosen))


def _reporting(table: Incidents, zones: Areas, when: Periods, chosen: tuple[str, ...]) -> tuple[Text, ...]:
    """The reporting-bias caution (:mod:`geo.incidents.bias`) of T's reports before and after, if
    any: a decline may be fewer duplicates or one reporter less, not fewer problems."""
    in_target = classify(table.x, table.y, zones) == TARGET
    found = []
    spans = ((phrase("vorher"), when.compared_before),
             *(((phrase("nachher"), when.compared_after),) if when.compared_days else ()))
    for word, span in spans:
        keep = in_target & np.isin(table.category, list(chosen)) & span.mask(table.time)
        reports = gpd.GeoDataFrame({"time": pd.to_datetime(table.time[keep]),
                                    "category": table.category[keep]},
                                   geometry=gpd.points_from_xy(table.x[keep], table.y[keep]), crs=METRIC_CRS)
        caution = cautions_for_counts(reports, period=(span.first, span.last))
        if caution:
            found.append(phrase("Meldeverhalten im Zielgebiet ({when}): {caution}", when=word,
                                caution=caution))
    return tuple(found)


def evaluate_measure(measure: Measure, points: pd.DataFrame | gpd.GeoDataFrame, **kw) -> Effect:
    """:func:`evaluate` for a :class:`geo.measures.model.Measure`: its place, Gemeinde, start and
    categories; `kw` as in :func:`evaluate` (``months``, ``skip_months``, ``buffer_m``,
    ``control``, ``as_of``)."""
    from geo.boundaries import gemeinde

    return evaluate(points, measure.place, gemeinde(measure.ags).geometry, measure.start,
                    categories=measure.categories, **kw)
