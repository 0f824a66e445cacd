"""Download buttons: the result (CSV, GeoPackage, HTML, PNG) and the Sicherheitsanalyse (PDF, HTML).

Each file is made only when its button is clicked, from the analysis already in hand.
"""

from __future__ import annotations

import functools

import streamlit as st

from geo import lang as langs
from geo.analysis import Analysis
from geo.report.make import report_bytes
from layers import compose
from ui.data import current_measures, osm_data, shown_measures, stored_datasets
from ui.i18n import _, lang
from ui.state import basemap


def report_buttons(key: str, points, demo: bool) -> None:
    """Sicherheitsanalyse for the selected area, made when the button is clicked."""
    st.subheader(_("Sicherheitsanalyse"))
    if lang() != langs.DEFAULT_LANG:
        st.caption(_("Der Bericht ist ein deutsches Dokument für deutsche Gremien und bleibt auf Deutsch."))
    datasets = stored_datasets()
    formats = (("pdf", _("Bericht (PDF)"), "application/pdf"), ("html", _("Bericht (HTML)"), "text/html"))
    for fmt, label, mime in formats:
        st.download_button(label, functools.partial(report_bytes, key, fmt, incidents=points, demo=demo,
                                                    datasets=datasets, osm=osm_data(),
                                                    measures=[] if demo else current_measures()),
                           file_name=f"sicherheitsanalyse_{key}.{fmt}", mime=mime, on_click="ignore")


def results(analysis: Analysis) -> None:
    """The result files of the view (the maps with the measures the map shows)."""
    st.subheader(_("Export"))
    cols = st.columns(len(compose.EXPORTS))
    measures = shown_measures(analysis.view)
    for col, (label, (kind, mime)) in zip(cols, compose.EXPORTS.items(), strict=True):
        col.download_button(_(label), functools.partial(compose.export_bytes, analysis, kind, lang=lang(),
                                                        basemap=basemap(), osm=osm_data(), measures=measures),
                            file_name=compose.export_name(analysis, kind), mime=mime, on_click="ignore")
