"""Preparing a council meeting: add views to a sequence, share it as JSON, open it on the shared screen."""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

import streamlit as st

from geo import view as views
from geo.errors import AtlasError
from geo.store import default_directory
from ui.i18n import _, error, lang, plain


def prepare(view: views.View) -> None:
    st.header(_("Sitzung vorbereiten"))
    directory = default_directory()
    names = views.list_sequences(directory)
    name = st.text_input(_("Ansichtsfolge"), value=names[-1] if names else "Präventionsrat", key="w_folge")
    st.text_input(_("Titel dieser Ansicht"), key="w_titel", placeholder=_("z. B. Graffiti Innenstadt 2024"))
    if view.measure is not None:
        st.caption(_("Die Ansicht zeigt Maßnahme Nr. {nr}; der Sitzungsmodus nennt sie mit Status und "
                     "Urteil.").format(nr=view.measure))
    if st.button(_("Ansicht zur Folge hinzufügen")):
        sequence = views.add_view(directory, name, dataclasses.replace(view, mode="sitzung"))
        st.success(_("„{name}“ hat jetzt {n} Ansicht(en).").format(name=plain(name), n=len(sequence.views)))
        names = views.list_sequences(directory)
    path = views.sequence_path(directory, name)
    if path.stem in names:
        start = views.with_language({"folge": path.stem, "nr": "1"}, lang())
        st.link_button(_("Sitzung mit dieser Folge starten"), "?" + urlencode(start))
        st.download_button(_("Folge herunterladen (JSON)"), path.read_bytes(), file_name=path.name,
                           mime="application/json")
    uploaded = st.file_uploader(_("Folge hochladen (JSON)"), type=["json"], key="w_folge_datei")
    if uploaded is not None and st.button(_("Folge übernehmen")):
        try:
            kept, problems = views.import_sequence(directory, uploaded.name, uploaded.getvalue())
        except AtlasError as err:
            error(err)
        else:
            st.success(" ".join([_("Folge „{name}“ übernommen.").format(name=plain(kept)),
                                 *(plain(_(problem)) for problem in problems)]))
    council_view = dataclasses.replace(view, mode="sitzung")
    st.link_button(_("Diese Ansicht im Sitzungsmodus"),
                   "?" + urlencode(views.with_language(views.to_query(council_view), lang())))
