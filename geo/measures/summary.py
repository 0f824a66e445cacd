"""Measures and their evaluation in words and tables for people: the app's register list and
Wirkung panel, the council heading and the map's tooltips.

Everything here only arranges figures :mod:`geo.measures.effect` computed; texts come in the
page's language (:mod:`geo.lang`), numbers as their readers write them (:func:`geo.fmt.zahl`).
What the shared screen may show is decided here too: :func:`council_verdict` leaves out a
verdict that would quote a count below the privacy threshold.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import pandas as pd

from geo.fmt import p_wert, zahl
from geo.incidents.categories import CATEGORY_LABELS
from geo.lang import Text, phrase, translate
from geo.measures.effect import Z_CRITICAL, Effect
from geo.measures.model import MEASURE_KINDS, PLACE_KINDS, STATUSES, Measure
from geo.measures.places import Place

#: Columns of :func:`measures_table`, :func:`counts_table`, :func:`figures_table` (German keys;
#: the app labels them in the page's language).
MEASURE_TABLE = ("nr", "titel", "art", "status", "zeitraum")
COUNTS_TABLE = ("gebiet", "vorher", "nachher", "veraenderung")
FIGURES_TABLE = ("kennzahl", "wert", "lesart")


def period_text(start: dt.date, end: dt.date | None) -> Text:
    """``01.03.2024 – 28.02.2025``, or ``seit 01.03.2024`` while the measure runs."""
    if end is None:
        return phrase("seit {start:%d.%m.%Y}", start=start)
    return phrase("{start:%d.%m.%Y} – {end:%d.%m.%Y}", start=start, end=end)


def kind_label(measure: Measure, *, lang: str = "de") -> str:
    return translate(MEASURE_KINDS.get(measure.kind, measure.kind), lang)


def status_label(status: str, *, lang: str = "de") -> str:
    return translate(STATUSES.get(status, status), lang)


def measure_line(measure: Measure, *, lang: str = "de", with_title: bool = False) -> str:
    """Art · Status · Zeitraum (with `with_title` the title first): what the shared screen says of
    a measure. Never costs, notes or who is responsible."""
    parts = [kind_label(measure, lang=lang), status_label(measure.status, lang=lang),
             translate(period_text(measure.start, measure.end), lang)]
    return " · ".join([measure.title, *parts] if with_title else parts)


def measures_table(measures: Sequence[Measure], *, lang: str = "de") -> pd.DataFrame:
    """One row per measure: :data:`MEASURE_TABLE` (number, title, Art, Status, Zeitraum)."""
    return pd.DataFrame({
        "nr": [m.id for m in measures],
        "titel": [m.title for m in measures],
        "art": [kind_label(m, lang=lang) for m in measures],
        "status": [status_label(m.status, lang=lang) for m in measures],
        "zeitraum": [translate(period_text(m.start, m.end), lang) for m in measures],
    }, columns=list(MEASURE_TABLE))


def place_text(place: Place, *, gemeinde_name: str, lang: str = "de") -> str:
    """``auf der Karte gezeichnet · 0,84 ha · Freiberg``: what a chosen place is, how large, where."""
    hectares = place.geometry.area / 1e4
    size = (f"{zahl(hectares, 2, lang=lang)} ha" if hectares < 100
            else f"{zahl(hectares / 100, 1, lang=lang)} km²")
    return " · ".join([translate(PLACE_KINDS.get(place.kind, place.kind), lang), size, gemeinde_name])


def hotspot_choices(areas: pd.DataFrame, *, lang: str = "de") -> dict[int, str]:
    """Area number → ``Hotspot 1 · 12 Zellen · 57 Vorfälle · 0,75 km²`` for the areas of
    :func:`geo.measures.hotspot_areas`."""
    return {int(row.id): translate(phrase("Hotspot {id:d} · {cells} Zellen · {n} Vorfälle · {km2:.2f} km²",
                                          id=int(row.id), cells=int(row.zellen), n=int(row.vorfaelle),
                                          km2=float(row.flaeche_km2)), lang)
            for row in areas.itertuples()}


def _change_text(before: int, after: int, lang: str) -> str:
    if before == 0:
        return "–"
    percent = round(100.0 * (after - before) / before) + 0.0
    return f"{'+' if percent > 0 else ''}{zahl(percent, 0, lang=lang)} %"


def counts_table(effect: Effect, *, lang: str = "de") -> pd.DataFrame:
    """Incidents before and after in T, D and C: :data:`COUNTS_TABLE`, change in percent."""
    c = effect.counts
    names = [phrase("Zielgebiet (T)"), phrase("Umgebung (D, Ring von {m:.0f} m)", m=effect.areas.buffer_m),
             phrase("Vergleichsgebiet (C)")]
    pairs = [(c.t_before, c.t_after), (c.d_before, c.d_after), (c.c_before, c.c_after)]
    return pd.DataFrame({
        "gebiet": [translate(n, lang) for n in names],
        "vorher": [zahl(b, 0, lang=lang) for b, _ in pairs],
        "nachher": [zahl(a, 0, lang=lang) for _, a in pairs],
        "veraenderung": [_change_text(b, a, lang) for b, a in pairs],
    }, columns=list(COUNTS_TABLE))


def _num(value: float | None, decimals: int, lang: str) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return zahl(round(value, decimals) + 0.0, decimals, lang=lang)  # + 0.0: no "-0,00"


#: How to read each figure (German; translated when the table is made).
_READ_WDQ = phrase("über 0: auch die Umgebung profitiert; 0 bis −1: etwas Verdrängung, insgesamt ein Gewinn; "
                   "unter −1: mehr verdrängt als gewonnen (lesbar, wenn T sich günstiger entwickelt als C)")
_READ_WDD = phrase("Fälle in T und D zusammen gegenüber dem Trend von C; unter 0: weniger als erwartet")
_READ_Z = phrase("ab |z| = 1,96 deutlich (5 %, zweiseitig)")
_READ_RR = phrase("unter 1: T hat sich günstiger entwickelt als C; liegt das Intervall ganz unter oder "
                  "über 1: deutlich")


def figures_table(effect: Effect, *, lang: str = "de") -> pd.DataFrame:
    """WDQ, WDD ± SE with z and p, and the rate ratio T vs C with its 95 % interval, each with how
    to read it: :data:`FIGURES_TABLE`."""
    q, w, rr = effect.wdq, effect.wdd, effect.rr
    rows = [(phrase("Gewichteter Verdrängungsquotient (WDQ)"), _num(q.value, 2, lang),
             q.reason if q.reason is not None else _READ_WDQ)]
    if w is not None:
        z = _num(w.z, 2, lang)
        rows += [(phrase("Gewichtete Verdrängungsdifferenz (WDD)"),
                  f"{_num(w.total, 1, lang)} ± {_num(w.se, 1, lang)}", _READ_WDD),
                 (phrase("z-Wert der WDD"), f"{z} (p {p_wert(w.p, lang=lang)})" if math.isfinite(w.p) else z,
                  _READ_Z)]
    if rr is not None:
        interval = phrase("{rr:.2f} (95 %: {lo:.2f} bis {hi:.2f})", rr=rr.value, lo=rr.lower, hi=rr.upper)
        rows.append((phrase("Verhältnis der Raten T zu C"), translate(interval, lang), _READ_RR))
    return pd.DataFrame([(translate(k, lang), v, translate(r, lang)) for k, v, r in rows],
                        columns=list(FIGURES_TABLE))


def periods_text(effect: Effect, *, lang: str = "de") -> str:
    """Which periods and categories were compared, and how far the data reach."""
    p = effect.periods
    before, after = p.compared_before, p.compared_after
    categories = ", ".join(translate(CATEGORY_LABELS.get(c, c), lang) for c in effect.categories)
    if not p.compared_days:
        text = phrase("Vorher {b1:%d.%m.%Y} – {b2:%d.%m.%Y}; der Nachher-Zeitraum hat noch nicht begonnen "
                      "(Daten bis {as_of:%d.%m.%Y}).", b1=p.before.first, b2=p.before.last, as_of=p.as_of)
    else:
        text = phrase("Verglichen: vorher {b1:%d.%m.%Y} – {b2:%d.%m.%Y}, nachher {a1:%d.%m.%Y} – "
                      "{a2:%d.%m.%Y} (Daten bis {as_of:%d.%m.%Y}); Kategorien: {categories}.",
                      b1=before.first, b2=before.last, a1=after.first, a2=after.last, as_of=p.as_of,
                      categories=categories)
    return translate(text, lang)


def council_verdict(effect: Effect, *, min_count: int) -> Text | None:
    """The verdict for the shared screen, or None: only an evaluable one, and only if the counts it
    quotes (the ring D's, named when incidents moved there or away) are none from 1 to
    `min_count` − 1, the privacy threshold of every figure the council sees."""
    if not effect.bewertbar:
        return None
    c, w = effect.counts, effect.wdd
    quotes_ring = w is not None and math.isfinite(w.displacement_z) and abs(w.displacement_z) >= Z_CRITICAL
    if quotes_ring and any(0 < n < min_count for n in (c.d_before, c.d_after)):
        return None
    return effect.urteil
