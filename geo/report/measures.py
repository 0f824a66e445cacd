"""Part 5 of the Sicherheitsanalyse, "Maßnahmen und Wirkung": the area's measures from the
Maßnahmenregister and, for each that has begun, its Wirkungsprüfung.

The evaluation is :func:`geo.measures.evaluate_measure`, the same call as the app's "Wirkung"
panel and ``python -m geo massnahmen bewerten``; the chart is :func:`geo.measures.chart.monthly_chart`.
The report is a document for the Präventionsrat, so it follows the privacy rule of every output:
counts of 1 or 2 read ``< 3``; costs, notes and persons stay in the register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd

from geo.errors import AtlasError
from geo.fmt import zahl
from geo.measures.chart import monthly_chart
from geo.measures.effect import Effect, evaluate_measure
from geo.measures.model import MEASURE_KINDS, STATUSES, Measure
from geo.measures.summary import figures_table, period_text, periods_text
from geo.report.document import Block, Subject
from geo.view import View

NO_MEASURES = ("Im Maßnahmenregister stehen für dieses Gebiet keine Maßnahmen. Beschlossene Maßnahmen "
               "lassen sich in der App (Maßnahmen) oder mit `python -m geo massnahmen import` eintragen; "
               "ihre Wirkung wird dann hier geprüft.")


def _count(value: int) -> str:
    k = View.min_count
    return f"< {k}" if 0 < value < k else zahl(value)


def _counts_rows(effect: Effect) -> tuple[tuple[str, ...], ...]:
    c = effect.counts
    names = ("Zielgebiet (T)", f"Umgebung (D, Ring von {zahl(effect.areas.buffer_m)} m)",
             "Vergleichsgebiet (C)")
    pairs = ((c.t_before, c.t_after), (c.d_before, c.d_after), (c.c_before, c.c_after))
    return tuple((name, _count(b), _count(a)) for name, (b, a) in zip(names, pairs, strict=True))


def _evaluation(measure: Measure, points: gpd.GeoDataFrame, as_of: dt.date | None) -> list[Block]:
    if measure.start > (as_of or measure.start):
        return [Block("note", "Die Maßnahme beginnt nach dem Ende der Daten; ihre Wirkung lässt sich noch "
                              "nicht prüfen.")]
    try:
        effect = evaluate_measure(measure, points, as_of=as_of)
    except AtlasError as err:
        return [Block("note", f"Wirkung nicht prüfbar: {err}")]
    blocks = [Block("p", str(effect.urteil)), Block("note", periods_text(effect))]
    if effect.bewertbar:
        figures = tuple((row.kennzahl, row.wert) for row in figures_table(effect).itertuples(index=False))
        blocks += [
            Block("table", header=("Gebiet", "vorher", "nachher"), rows=_counts_rows(effect),
                  widths=(3, 1, 1)),
            Block("table", header=("Kennzahl", "Wert"), rows=figures, widths=(2.5, 2)),
            Block("image", f"Vorfälle je Monat: {measure.title}", png=monthly_chart(effect)),
        ]
    blocks += [Block("note", str(note)) for note in effect.hinweise]
    return blocks


def measures_part(subject: Subject, measures: Sequence[Measure] | None,
                  incidents: gpd.GeoDataFrame) -> list[Block]:
    """The blocks of "Maßnahmen und Wirkung" for the measures of `subject` (its Gemeinden) among
    `measures`; the evaluation counts `incidents` (all of Saxony: a ring may cross a border)."""
    blocks = [Block("h2", "Maßnahmen und Wirkung")]
    own = sorted((m for m in measures or () if m.ags in subject.ags), key=lambda m: (m.start, m.id or 0))
    if not own:
        return [*blocks, Block("note", NO_MEASURES)]
    as_of = incidents["time"].max().date() if len(incidents) else None
    rows = tuple((str(m.id), m.title, MEASURE_KINDS.get(m.kind, m.kind), STATUSES.get(m.status, m.status),
                  str(period_text(m.start, m.end)), m.decision or "–") for m in own)
    blocks.append(Block("table", header=("Nr.", "Maßnahme", "Art", "Status", "Zeitraum", "Beschluss"),
                        rows=rows, widths=(0.6, 3, 2.2, 1.3, 2.2, 2.2)))
    for m in own:
        blocks.append(Block("h2", f"Nr. {m.id}: {m.title}"))
        blocks += _evaluation(m, incidents, as_of)
    return blocks
