"""The Maßnahmenregister for planners, below the map: list, new measure, change, Wirkung,
history, files.

A measure chosen here (``w_massnahme``) is part of the view: the URL carries it
(``massnahme=``), the map zooms to it and draws it stronger, and a view sequence keeps it for
the council. A new measure's place is drawn on the map (:mod:`ui.drawing`), a hot area of the
Gi* result, the view's Gemeinde or a GeoJSON file; every place is checked by
:mod:`geo.measures.places`, every change stored by :class:`geo.measures.MeasureRegister` with
who made it ("Bearbeitet von", kept for the session) and when.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from geo import boundaries
from geo.errors import AtlasError
from geo.filenames import safe_name
from geo.incidents import CATEGORIES, CATEGORY_LABELS
from geo.measures import (
    MEASURE_KINDS,
    STATUSES,
    Measure,
    gemeinde_place,
    geojson_place,
    hotspot_place,
    import_measures,
    measures_csv,
    measures_geojson,
)
from geo.measures.model import parse_cost
from geo.measures.summary import hotspot_choices, measures_table, place_text
from ui import data, drawing, login, measure_effect
from ui.i18n import _, error, lang, plain
from ui.state import PENDING_MEASURE

CHOICE = "w_massnahme"  # the measure the view shows (URL ``massnahme``)
PART = "w_massnahmen_teil"
WHO = "massnahme_wer"  # "Bearbeitet von", kept for the session
NOTICE = "massnahme_meldung"
BASES = "massnahme_versionen"  # measure → the version its change form was made from
IMPORTED = "massnahmen_import"
NEXT_PART = "massnahmen_teil_danach"  # the part to show in the next run (after saving: the list)
DATES = {"min_value": dt.date(1990, 1, 1), "max_value": dt.date(2100, 12, 31), "format": "DD.MM.YYYY"}


def screen(analysis, points, source_key: str) -> None:
    """The register's part of the planner's page (see module doc)."""
    view = analysis.view
    drawing.bar()
    st.subheader(_("Maßnahmen"))
    if (part := st.session_state.pop(NEXT_PART, None)) is not None:
        st.session_state[PART] = part  # before the widget of this run
    if notice := st.session_state.pop(NOTICE, None):
        st.success(notice)
    measure = choose(view)
    parts = {"liste": _("Liste"), "neu": _("Neue Maßnahme"), "aendern": _("Ändern"),
             "wirkung": _("Wirkung"), "verlauf": _("Verlauf"), "dateien": _("Import/Export")}
    part = st.radio(_("Maßnahmen"), list(parts), key=PART, horizontal=True, format_func=parts.__getitem__,
                    label_visibility="collapsed")
    if part == "liste":
        listing(view)
    elif part == "neu":
        new(analysis, source_key)
    elif part == "aendern":
        change(measure, view)
    elif part == "wirkung":
        measure_effect.panel(measure, points, source_key)
    elif part == "verlauf":
        history(measure)
    else:
        files(view)


def choose(view) -> Measure | None:
    """The measure the view shows: picked from the area's measures (and the one the URL names)."""
    shown = data.area_measures(view.area)
    named = data.named_measure(view)
    if named is not None and named.id not in {m.id for m in shown}:
        shown = [*shown, named]
    if view.measure is not None and named is None:
        st.warning(_("Maßnahme Nr. {nr} gibt es nicht im Register.").format(nr=view.measure))
    ids = [m.id for m in shown]
    if st.session_state.get(CHOICE) not in ids:
        st.session_state[CHOICE] = None
    labels = {None: _("– keine –"), **{m.id: f"Nr. {m.id} · {m.title}" for m in shown}}
    st.selectbox(_("Maßnahme auf der Karte zeigen, ändern, prüfen"), [None, *ids], key=CHOICE,
                 format_func=labels.__getitem__, placeholder=labels[None],
                 help=_("Die gewählte Maßnahme steht in der Adresse (massnahme=…): die Karte zeigt sie, "
                        "und eine Ansichtsfolge für den Präventionsrat nimmt sie mit."))
    return next((m for m in shown if m.id == st.session_state[CHOICE]), None)


def listing(view) -> None:
    measures = data.area_measures(view.area)
    if not measures:
        st.caption(_("Noch keine Maßnahme in diesem Gebiet. Unter „Neue Maßnahme“ einen Ort wählen: auf "
                     "der Karte zeichnen, ein Hotspot-Gebiet, die Gemeinde oder eine GeoJSON-Datei."))
        return
    st.dataframe(measures_table(measures, lang=lang()), hide_index=True, column_config={
        "nr": _("Nr."), "titel": _("Titel"), "art": _("Art"), "status": _("Status"),
        "zeitraum": _("Zeitraum")})


def who() -> str:
    """The "Bearbeitet von" field: filled with the name given before in this session; with login,
    the logged-in name, fixed."""
    if login.configured():
        name = st.session_state[WHO] = login.current().name
        st.text_input(_("Bearbeitet von"), value=name, disabled=True, key="w_wer_angemeldet")
        return name
    name = st.text_input(_("Bearbeitet von"), value=st.session_state.get(WHO, ""), key="w_wer",
                         placeholder=_("Name oder Kürzel"), max_chars=100)
    if name.strip():
        st.session_state[WHO] = name.strip()
    return name


def new(analysis, source_key: str) -> None:
    """Choose the place, then fill in the form."""
    kinds = {"zeichnung": _("auf der Karte zeichnen"), "hotspot": _("Hotspot-Gebiet (Gi*)"),
             "gemeinde": _("gewählte Gemeinde"), "datei": _("GeoJSON-Datei")}
    how = st.radio(_("Ort der Maßnahme"), list(kinds), key="w_ortsart", horizontal=True,
                   format_func=kinds.__getitem__)
    try:
        if how == "zeichnung":
            drawing.switch()
        elif how == "hotspot":
            hotspot_choice(analysis, source_key)
        elif how == "gemeinde":
            gemeinde_choice(analysis.view)
        else:
            file_choice()
    except AtlasError as err:
        error(err)
    place = drawing.place()
    if place is None:
        st.caption(_("Erst den Ort wählen, dann die Angaben eintragen."))
        return
    name = boundaries.gemeinde(place.ags)["name"]
    where = place_text(place, gemeinde_name=name, lang=lang())
    st.markdown(_("**Ort:** {place}").format(place=plain(where)))
    for note in place.notes:
        st.caption(plain(note))
    st.button(_("Ort verwerfen"), on_click=drawing.drop_place, key="w_ort_weg")
    form(None, analysis.view)


def hotspot_choice(analysis, source_key: str) -> None:
    if analysis.view.method != "gi":
        st.caption(_("Hotspot-Gebiete gibt es zum Ergebnis der Methode „Hotspots (Getis-Ord Gi*)“: in der "
                     "Seitenleiste wählen."))
        return
    areas = data.cached_hotspot_areas(source_key, analysis.view, analysis)
    if areas.empty:
        st.caption(_("Dieses Gi*-Ergebnis hat kein Hotspot-Gebiet."))
        return
    choices = hotspot_choices(areas, lang=lang())
    chosen = st.selectbox(_("Hotspot-Gebiet"), list(choices), format_func=choices.__getitem__,
                          key="w_hotspot")
    if st.button(_("Hotspot-Gebiet übernehmen"), key="w_ort_hotspot"):
        drawing.chosen(hotspot_place(areas, chosen))


def gemeinde_choice(view) -> None:
    if not (view.area and len(view.area) == 8):
        st.caption(_("Erst in der Seitenleiste eine Gemeinde wählen."))
        return
    name = boundaries.gemeinde(view.area)["name"]
    if st.button(_("Gemeinde {name} übernehmen").format(name=plain(name)), key="w_ort_gemeinde"):
        drawing.chosen(gemeinde_place(view.area))


def file_choice() -> None:
    upload = st.file_uploader(_("Fläche als GeoJSON (WGS84 oder mit crs-Angabe)"),
                              type=["geojson", "json"], key="w_ort_datei")
    if upload is not None and st.button(_("Fläche aus der Datei übernehmen"), key="w_ort_datei_ok"):
        drawing.chosen(geojson_place(upload.getvalue(), name=upload.name))


def form(measure: Measure | None, view, version: int | None = None) -> None:
    """The fields of a measure: empty for a new one (at the chosen place), else `measure`'s
    (`version`: the one the form was made from)."""
    old = measure
    prefix = "w_neu" if old is None else f"w_m{old.id}v{version}"
    kinds = {k: _(label) for k, label in MEASURE_KINDS.items()}
    statuses = {k: _(label) for k, label in STATUSES.items()}
    categories = {c: _(CATEGORY_LABELS[c]) for c in CATEGORIES}
    name = who()
    with st.form(prefix):
        title = st.text_input(_("Titel"), value=old.title if old else "", key=f"{prefix}_titel",
                              max_chars=200)
        cols = st.columns(2)
        kind = cols[0].selectbox(_("Art"), list(kinds), index=list(kinds).index(old.kind) if old else 0,
                                 format_func=kinds.__getitem__, key=f"{prefix}_art")
        status = cols[1].selectbox(_("Status"), list(statuses),
                                   index=list(statuses).index(old.status) if old else 0,
                                   format_func=statuses.__getitem__, key=f"{prefix}_status")
        start = cols[0].date_input(_("Beginn"), value=old.start if old else None, key=f"{prefix}_beginn",
                                   **DATES)
        end = cols[1].date_input(_("Ende (leer: läuft)"), value=old.end if old else None,
                                 key=f"{prefix}_ende", **DATES)
        chosen = st.multiselect(_("Kategorien, auf die sie zielt"), list(categories),
                                format_func=categories.__getitem__, key=f"{prefix}_kategorien",
                                default=list(old.categories if old else view.categories))
        responsible = st.text_input(_("Zuständig"), value=old.responsible if old else "",
                                    key=f"{prefix}_zustaendig")
        cost = st.text_input(_("Kosten (Euro)"), value=_cost_text(old), placeholder=_("z. B. 12.500,00"),
                             key=f"{prefix}_kosten")
        decision = st.text_input(_("Beschluss"), value=old.decision if old else "", key=f"{prefix}_beschluss",
                                 placeholder=_("z. B. Präventionsrat, Beschluss 3/2025"))
        notes = st.text_area(_("Notizen"), value=old.notes if old else "", key=f"{prefix}_notizen")
        new_place = drawing.place()
        replace = old is not None and new_place is not None and st.checkbox(
            _("Ort ersetzen durch die zuletzt gewählte Fläche"), key=f"{prefix}_ort")
        saved = st.form_submit_button(_("Speichern"), type="primary")
    if not saved:
        return
    try:
        euros = parse_cost(cost)
    except ValueError as err:
        st.error(plain(_("Feld 'Kosten': {reason}").format(reason=err)))
        return
    values = {"title": title, "kind": kind, "categories": tuple(chosen), "start": start, "end": end,
              "responsible": responsible, "cost_eur": euros, "status": status, "decision": decision,
              "notes": notes}
    try:
        if old is None:
            place = drawing.place()
            measure = Measure(None, place=place.geometry, place_kind=place.kind, ags=place.ags, **values)
            stored = data.register().add(measure, name)
            drawing.drop_place()
            action = _("angelegt")
        else:
            stored = data.register().update(old.id, name, expected_version=version,
                                            **values, **({"place": new_place} if replace else {}))
            if replace:
                drawing.drop_place()
            st.session_state.get(BASES, {}).pop(old.id, None)
            action = _("gespeichert")
    except AtlasError as err:
        error(err)
        return
    data.measures_changed()
    st.session_state[PENDING_MEASURE] = stored.id
    st.session_state[NEXT_PART] = "liste"
    st.session_state[NOTICE] = _("Maßnahme Nr. {nr} „{title}“ {action} ({who}).").format(
        nr=stored.id, title=plain(stored.title), action=action, who=plain(name.strip()))
    st.rerun()


def _cost_text(measure: Measure | None) -> str:
    if measure is None or measure.cost_eur is None:
        return ""
    return f"{measure.cost_eur:.2f}".replace(".", ",")


def change(measure: Measure | None, view) -> None:
    """Change or delete the chosen measure; a change made on an outdated version is refused."""
    if measure is None:
        st.caption(_("Oben eine Maßnahme wählen, um sie zu ändern."))
        return
    bases = st.session_state.setdefault(BASES, {})
    if measure.id not in bases:  # the version this change starts from, read once
        bases[measure.id] = data.register().version(measure.id)
    version = bases[measure.id]
    st.caption(_("Version {v}; ein neuer Ort wird unter „Neue Maßnahme“ gewählt.").format(v=version))
    form(measure, view, version)
    sure = st.checkbox(_("Maßnahme Nr. {nr} löschen (ihr Verlauf bleibt)").format(nr=measure.id),
                       key=f"w_loeschen_{measure.id}")
    if sure and st.button(_("Löschen"), key=f"w_loeschen_ok_{measure.id}"):
        try:
            data.register().remove(measure.id, st.session_state.get(WHO, ""), expected_version=version)
        except AtlasError as err:
            error(err)
            return
        bases.pop(measure.id, None)
        data.measures_changed()
        st.session_state[PENDING_MEASURE] = 0
        st.session_state[NOTICE] = _("Maßnahme Nr. {nr} gelöscht.").format(nr=measure.id)
        st.rerun()


def history(measure: Measure | None) -> None:
    """Every version of the chosen measure: when, who, what changed."""
    if measure is None:
        st.caption(_("Oben eine Maßnahme wählen, um ihren Verlauf zu sehen."))
        return
    table = data.register().history(measure.id)
    table = table.assign(aktion=table["aktion"].map(_))
    st.dataframe(table, hide_index=True, column_config={
        "version": _("Version"),
        "zeit": st.column_config.DatetimeColumn(_("Zeit (UTC)"), format="DD.MM.YYYY HH:mm"),
        "wer": _("Wer"), "aktion": _("Aktion"), "geaenderte_felder": _("Felder"),
        "aenderungen": _("Änderungen")})


def files(view) -> None:
    """The area's measures as CSV and GeoJSON; a register file imported with its row report."""
    measures = data.area_measures(view.area)
    stem = f"massnahmen_{view.area or '14'}"
    cols = st.columns(2)
    cols[0].download_button(_("Register als CSV"), measures_csv(measures), file_name=f"{stem}.csv",
                            mime="text/csv", disabled=not measures, on_click="ignore")
    cols[1].download_button(_("Register als GeoJSON"), measures_geojson(measures),
                            file_name=f"{stem}.geojson", mime="application/geo+json", disabled=not measures,
                            on_click="ignore")
    upload = st.file_uploader(_("Maßnahmen importieren (CSV oder GeoJSON, Spalten wie der Export)"),
                              type=["csv", "txt", "geojson", "json"], key="w_massnahmen_datei")
    name = who()
    if upload is not None and st.button(_("Maßnahmen importieren"), key="w_massnahmen_import"):
        try:
            st.session_state[IMPORTED] = import_measures(data.register(), upload.getvalue(), who=name,
                                                         name=upload.name)
        except AtlasError as err:
            error(err)
        else:
            data.measures_changed()
            st.rerun()
    if report := st.session_state.get(IMPORTED):
        counts = {"file": plain(report.file), "rows": report.rows, "accepted": report.accepted,
                  "rejected": report.rejected}
        st.caption(_("Import „{file}“: {rows} Zeilen gelesen, {accepted} übernommen, {rejected} abgelehnt – "
                     "gespeichert.").format(**counts) if report.stored else
                   _("Import „{file}“: {rows} Zeilen gelesen, {accepted} übernommen, {rejected} abgelehnt."
                     ).format(**counts))
        if report.rejected:
            st.dataframe(report.rejected_rows[["zeile", "grund"]], hide_index=True,
                         column_config={"zeile": _("Zeile"), "grund": _("Grund")})
            st.download_button(_("Abgelehnte Zeilen (CSV)"), report.rejected_csv(), mime="text/csv",
                               file_name=safe_name(f"abgelehnt_{Path(report.file).stem}", default="abgelehnt")
                               + ".csv", on_click="ignore")
        for note in report.notes:
            st.caption(plain(note))
