"""The sidebar's data part: choose a data set, import a file, read its report, delete a data set,
read the protocol of changes."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.errors import AtlasError
from geo.filenames import safe_name
from geo.incidents import DEMO_LABEL
from ui.data import store, stored_datasets
from ui.i18n import _, error, plain
from ui.state import ALL, DEMO, PKS


def choose() -> None:
    """The data set picker and the import; settles the choice before the rest of the page reads it."""
    table = stored_datasets()
    st.header(_("Daten"))
    if pending := st.session_state.pop("pending_daten", None):
        st.session_state.w_daten = pending  # set before the widget exists (Streamlit's rule)
    options = [ALL, DEMO, PKS, *table["name"]] if len(table) else [ALL, PKS]
    labels = {ALL: _("Alle importierten Daten") if len(table) else _(DEMO_LABEL), DEMO: _(DEMO_LABEL),
              PKS: _("PKS 2020 – Fälle je Kreis (BKA, echte Daten)")}
    if st.session_state.w_daten not in options:
        st.session_state.w_daten = ALL
    st.selectbox(_("Datensatz"), options, format_func=lambda o: labels.get(o, o), key="w_daten")
    import_file()
    delete()
    audit_log()


def import_file() -> None:
    upload = st.file_uploader(_("Datei importieren (CSV, XLSX, GeoJSON, GPKG, Open311)"),
                              type=["csv", "txt", "xlsx", "geojson", "json", "gpkg"], key="w_import")
    if upload is not None and st.button(_("Importieren"), type="primary"):
        try:
            bar = st.progress(0.0, text=_("Importiere {file} …").format(file=plain(upload.name)))
            report = store().import_file(
                upload, progress=lambda f, text: bar.progress(min(f, 1.0), text=text))
            st.session_state.last_report = report
            st.session_state.pending_daten = report.dataset
            st.rerun()
        except AtlasError as err:
            error(err)
    if report := st.session_state.get("last_report"):
        counts = {"file": plain(report.file), "rows": report.rows, "accepted": report.accepted,
                  "rejected": report.rejected, "dataset": plain(report.dataset)}
        st.caption(_("Import „{file}“: {rows} Zeilen gelesen, {accepted} übernommen, {rejected} abgelehnt "
                     "– Datensatz „{dataset}“ gespeichert.").format(**counts) if report.stored else
                   _("Import „{file}“: {rows} Zeilen gelesen, {accepted} übernommen, {rejected} abgelehnt."
                     ).format(**counts))
        st.dataframe(report.reason_table(), hide_index=True)
        for note in report.notes:
            st.caption(plain(note))
        if report.rejected:
            st.download_button(_("Abgelehnte Zeilen (CSV)"), report.rejected_csv(),
                               file_name=safe_name(f"abgelehnt_{Path(report.file).stem}", default="abgelehnt")
                               + ".csv", mime="text/csv")


def delete() -> None:
    chosen = st.session_state.w_daten
    label = _("Datensatz „{name}“ löschen").format(name=plain(chosen))
    if chosen not in (ALL, DEMO, PKS) and st.button(label):
        try:
            store().delete(chosen)
        except AtlasError as err:  # a read-only or full store: say so, nothing is deleted
            error(err)
            return
        st.session_state.pop("last_report", None)
        st.rerun()


def audit_log() -> None:
    """Who imported, deleted, shared or changed a measure, and when: the store's protocol."""
    with st.expander(_("Protokoll (Importe, Löschungen, Maßnahmen)")):
        log = store().audit_log(newest=200)
        if log.empty:
            st.caption(_("Noch keine Einträge."))
            return
        st.dataframe(log, hide_index=True, column_config={
            "zeit": _("Zeit (UTC)"), "wer": _("Wer"), "mandant": _("Mandant"), "aktion": _("Aktion"),
            "was": _("Was")})
        st.caption(_("Die letzten 200 Einträge, neueste zuerst; alle: python -m geo speicher protokoll"))
