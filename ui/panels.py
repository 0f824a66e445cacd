"""Panels beside and below the map: incidents and accuracy, a Gemeinde's detail, the overlays' tables."""

from __future__ import annotations

import altair as alt
import streamlit as st

from geo import asskomm
from geo.analysis import Analysis
from geo.detail import gemeinde_detail
from geo.hotspots.evaluate import METHOD_NAMES
from geo.incidents import CATEGORIES, CATEGORY_LABELS
from geo.view import View
from layers import compose
from layers.incidents import CATEGORY_COLOURS
from ui.data import osm_data
from ui.exports import report_buttons
from ui.i18n import _, _n, lang


def side(analysis: Analysis, points, shown) -> None:
    """The planner's column beside the map: count, accuracy, notes, the report."""
    view = analysis.view
    st.metric(_("Vorfälle in der Auswahl"), _n(analysis.n_incidents))
    if line := analysis.bandwidth_line():
        st.caption(_(line))
    accuracy(analysis)
    for note in analysis.notes:
        st.caption(_(note))
    if not points.empty and shown is None:
        st.caption(_("Einzelne Vorfälle werden erst ab höchstens {n} als Punkte gezeigt – Gebiet, "
                     "Zeitraum oder Kategorien eingrenzen.").format(n=_n(compose.MAX_MAP_POINTS)))
    if view.area and not points.empty:
        report_buttons(view.area, points, analysis.demo)


def accuracy(analysis: Analysis) -> None:
    ev = analysis.evaluation
    if ev is None:
        return
    shown = {"kde": "kde", "gi": "gi", "lisa": "gi", "emerging": "gi"}[analysis.view.method]
    acc, base = ev.results[shown], ev.results["grid"]
    st.subheader(_("Vorhersagegüte"))
    if analysis.view.method == "lisa":
        st.caption(_("Für LISA-Cluster gibt es kein Vorhersagemaß; gezeigt ist Gi* für dieselbe Auswahl."))
    elif analysis.view.method == "emerging":
        st.caption(_("Für Muster über die Zeit gibt es kein Vorhersagemaß; gezeigt ist Gi* für dieselbe "
                     "Auswahl."))
    st.caption(_("Gelernt bis {split}, geprüft danach: die {share} % der Fläche mit den höchsten Werten.")
               .format(split=f"{analysis.split:%d.%m.%Y}", share=_n(100 * ev.area_share)))
    cols = st.columns(2)
    cols[0].metric(_("Trefferquote"), f"{_n(100 * acc.hit_rate)} %",
                   _("{points} Pkt.").format(points=_n(100 * (acc.hit_rate - base.hit_rate))),
                   help=_("Anteil der Vorfälle im Prüfzeitraum, die in den markierten Flächen liegen; "
                          "darunter: Prozentpunkte mehr oder weniger als mit der einfachen Zählung der "
                          "Vorperiode."))
    cols[1].metric("PAI", _n(acc.pai, 1), help=_("Trefferquote ÷ Flächenanteil; über 1: besser als Zufall."))
    if shown in ev.verdicts:
        st.caption(_(ev.verdicts[shown]))


def concentration(analysis: Analysis) -> None:
    """The concentration curve of the accuracy check, below the map (it needs the width)."""
    ev = analysis.evaluation
    if ev is None or ev.curve is None:
        return
    st.altair_chart(concentration_chart(ev.curve, ev.area_share), width="stretch")
    st.caption(_("Konzentrationskurve: Anteil der Folgevorfälle in den x % der Fläche mit den höchsten "
                 "Werten; Linie: der gewählte Anteil."))


def concentration_chart(curve, share: float) -> alt.Chart:
    """Hit rate over 1–20 % of the area for each method, the chosen share marked."""
    names = {m: _(METHOD_NAMES[m]) for m in curve.columns if m in METHOD_NAMES}
    colours = {"grid": "#7f7f7f", "kde": "#f28e2b", "gi": "#d62728"}
    data = curve.melt(id_vars="anteil", value_vars=list(names), var_name="methode", value_name="treffer")
    data = data.assign(methode=data["methode"].map(names), anteil=100 * data["anteil"],
                       treffer=100 * data["treffer"])
    lines = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("anteil:Q", title=_("Fläche (%)")), y=alt.Y("treffer:Q", title=_("Trefferquote (%)")),
        color=alt.Color("methode:N", title=_("Methode"), scale=alt.Scale(
            domain=list(names.values()), range=[colours[m] for m in names])),
        tooltip=[alt.Tooltip("methode:N", title=_("Methode")),
                 alt.Tooltip("anteil:Q", title=_("Fläche (%)")),
                 alt.Tooltip("treffer:Q", title=_("Trefferquote (%)"), format=".0f")])
    rule = alt.Chart(alt.Data(values=[{"x": 100 * share}])).mark_rule(strokeDash=[4, 4]).encode(x="x:Q")
    return (lines + rule).properties(height=240, title=_("Vorhersagegüte: Trefferquote je markierter Fläche"))


def figure(label: str):
    """A table column of figures written as text (German numbers, "< 3"), right-aligned."""
    return st.column_config.TextColumn(label, alignment="right")


def monthly_chart(monthly) -> alt.Chart:
    """Cases per month and category; months written 03.2024 whatever the browser's language."""
    data = monthly.assign(kategorie=monthly["kategorie"].map(_))
    present = set(data["kategorie"])
    shown = [c for c in CATEGORIES if _(CATEGORY_LABELS[c]) in present]
    return alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("monat:T", title=_("Monat"), axis=alt.Axis(format="%m.%Y", tickCount="month")),
        y=alt.Y("faelle:Q", title=_("Fälle je Monat"), axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("kategorie:N", title=_("Kategorie"), scale=alt.Scale(
            domain=[_(CATEGORY_LABELS[c]) for c in shown], range=[CATEGORY_COLOURS[c] for c in shown])),
        tooltip=[alt.Tooltip("monat:T", title=_("Monat"), format="%m.%Y"),
                 alt.Tooltip("kategorie:N", title=_("Kategorie")),
                 alt.Tooltip("faelle:Q", title=_("Fälle"), format="d")])


def detail(points, ags: str, view: View) -> None:
    """A Gemeinde's inhabitants, cases and rates against Kreis and Saxony, its months and top cells."""
    found = gemeinde_detail(points, ags, categories=view.categories, start=view.start, end=view.end,
                            min_count=view.min_count, osm=osm_data())
    st.subheader(_("{name} ({kreis}) · {n} Einwohner").format(name=found.name, kreis=found.kreis_name,
                                                               n=_n(found.einwohner)))
    st.dataframe(found.table_text(lang()), hide_index=True, column_config={
        "kategorie": _("Kategorie"), "faelle": figure(_("Fälle")), "je_1000": figure(_("je 1.000 EW")),
        "je_1000_kreis": figure(_("Kreis je 1.000")), "je_1000_sachsen": figure(_("Sachsen je 1.000"))})
    if len(found.monthly):
        st.altair_chart(monthly_chart(found.monthly), width="stretch")
    if len(found.monthly["kategorie"].unique()) < len(found.table):
        st.caption(_("Kategorien mit weniger als {k} Fällen ohne Monatsverlauf.").format(k=view.min_count))
    if len(found.top_cells):
        st.caption(_("Zellen (250 m) mit den meisten Fällen, mindestens {k}:").format(k=view.min_count))
        st.dataframe(found.top_cells, hide_index=True, column_config={
            "zelle": _("Zelle (UTM 33N)"), "lage": _("Lage"), "faelle": figure(_("Fälle"))})


def overlays(extra: dict) -> None:
    """The ASSKomm network's figures and the survey's "Angst und Vorfälle" table."""
    if "members" in extra:
        with st.expander(_("ASSKomm-Netzwerk: Kennzahlen"), expanded=False):
            st.info(_(asskomm.UNVOLLSTAENDIG))
            figures = asskomm.latest_figures()[["bezeichnung", "wert", "datum_text", "quelle"]]
            st.dataframe(figures, hide_index=True, column_config={
                "bezeichnung": _("Kennzahl"), "wert": _("Wert"), "datum_text": _("Stand"),
                "quelle": _("Quelle")})
            st.caption(_(asskomm.ATTRIBUTION))
    if result := extra.get("coincidence"):
        with st.expander(_("Angst und Vorfälle"), expanded=True):
            counts = " · ".join(f"{_(name)}: {n}" for name, n in result.counts().items())
            st.caption(f"{_(extra['label'])} {counts}".strip())
            st.dataframe(result.table_text(lang()), hide_index=True, column_config={
                "gemeinde": _("Gemeinde"), "klasse": _("Einordnung"), "antworten": figure(_("Antworten")),
                "unsicher": figure(_("nachts unsicher (95-%-Intervall)")),
                "vorfaelle": figure(_("Vorfälle / erwartet")), "rate": figure(_("je 1.000 EW")),
                "p": figure(_("p (Vorfälle)"))})
            st.caption(_(result.hinweis))
            st.caption(_(result.methode))
