"""What a measure did: the planner's Wirkung panel and the measure's lines on the shared screen.

The figures come from :func:`geo.measures.evaluate_measure` (cached in :mod:`ui.data`), the
tables and sentences from :mod:`geo.measures.summary`, the chart from
:func:`geo.measures.chart.monthly_chart`: this module only places them.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.measures import Measure
from geo.measures.chart import monthly_chart
from geo.measures.effect_space import MAX_BUFFER_M, MAX_MONTHS
from geo.measures.summary import council_verdict, counts_table, figures_table, measure_line, periods_text
from geo.view import View
from ui import data
from ui.i18n import _, error, html_text, lang, plain

DEFAULT_MONTHS, DEFAULT_SKIP, DEFAULT_BUFFER_M = 12, 0, 250


def parameters() -> tuple[int, int, int]:
    """Months per side, months left out after the start, width of the ring D (m)."""
    cols = st.columns(3)
    months = cols[0].number_input(_("Monate je Zeitraum"), 1, MAX_MONTHS, DEFAULT_MONTHS,
                                  key="w_wirkung_monate",
                                  help=_("So viele Monate vor und nach dem Beginn werden verglichen."))
    skip = cols[1].number_input(_("Ausgelassene Monate nach Beginn"), 0, MAX_MONTHS, DEFAULT_SKIP,
                                key="w_wirkung_auslassen",
                                help=_("Monate des Aufbaus, die weder vorher noch nachher zählen."))
    buffer_m = cols[2].number_input(_("Breite der Umgebung D (m)"), 50, int(MAX_BUFFER_M), DEFAULT_BUFFER_M,
                                    step=50, key="w_wirkung_puffer",
                                    help=_("Ring um den Ort der Maßnahme, in dem verdrängte Vorfälle "
                                           "auftauchen würden."))
    return int(months), int(skip), int(buffer_m)


@st.cache_data(max_entries=16, show_spinner=False)
def _chart(source_key: str, measure_key: tuple, months: int, skip: int, buffer_m: int, language: str,
           _effect) -> bytes:
    del source_key, measure_key, months, skip, buffer_m  # cache key only
    return monthly_chart(_effect, lang=language)


def panel(measure: Measure | None, points, source_key: str) -> None:
    """The Wirkungsprüfung of `measure` on the data set's incidents: the verdict large, the counts
    in T, D and C, WDQ, WDD, z and the rate ratio, the notes, and the incidents per month."""
    if measure is None:
        st.caption(_("Oben eine Maßnahme wählen: ihre Wirkung wird an den Vorfällen des Datensatzes "
                     "geprüft."))
        return
    months, skip, buffer_m = parameters()
    try:
        found = data.effect(source_key, measure, points, months=months, skip=skip, buffer_m=buffer_m)
    except AtlasError as err:
        error(err)
        return
    st.markdown(f"### {plain(_(found.urteil))}")
    st.caption(plain(periods_text(found, lang=lang())))
    left, right = st.columns([2, 3])
    left.dataframe(counts_table(found, lang=lang()), hide_index=True, column_config={
        "gebiet": _("Gebiet"), "vorher": _("vorher"), "nachher": _("nachher"),
        "veraenderung": _("Veränderung")})
    right.dataframe(figures_table(found, lang=lang()), hide_index=True, column_config={
        "kennzahl": _("Kennzahl"), "wert": _("Wert"), "lesart": _("Lesart")})
    for note in found.hinweise:
        st.caption(plain(_(note)))
    key = (measure.id, measure.start, measure.categories, measure.place.wkb)
    st.image(_chart(source_key, key, months, skip, buffer_m, lang(), found),
             caption=_("Vorfälle je Monat im Zielgebiet T, in der Umgebung D und im Vergleichsgebiet C; "
                       "die senkrechte Linie ist der Beginn der Maßnahme."))
    st.caption(_("C ist die übrige Gemeinde ohne T und D. WDQ nach Bowers & Johnson (2003), WDD nach "
                 "Wheeler & Ratcliffe (2018); das Verhältnis der Raten vergleicht die Entwicklung in T mit "
                 "der in C (95-%-Intervall)."))


def council_html(measure: Measure, view: View, *, with_title: bool) -> tuple[str, str]:
    """The measure's lines for the shared screen's heading (HTML) and the verdict they show ("" for
    none): Art, Status, Zeitraum (the title too if the view's own title heads the screen) and, if
    the evaluation allows one and it quotes no count below the privacy threshold, the verdict
    (default parameters). No costs, notes or persons."""
    line = measure_line(measure, lang=lang(), with_title=with_title)
    text = f"<p class='atlas-measure'>{html_text(_('Maßnahme: {line}').format(line=line))}</p>"
    points, *_unused, source_key = data.source_for(view.dataset)
    try:
        found = data.effect(source_key, measure, points)
    except AtlasError:  # no incidents, no control area left: the council sees the measure only
        return text, ""
    verdict = council_verdict(found, min_count=view.min_count)
    if verdict is None:
        return text, ""
    shown = _(verdict)
    return text + f"<p class='atlas-verdict'>{html_text(shown)}</p>", shown
