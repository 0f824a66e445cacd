"""The view in the URL: read it into the widgets once, build the `View` from them, write it back.

Everything the user sees is a :class:`geo.view.View`, kept in the URL
(``?ags=14522180&kategorie=graffiti&methode=gi&modus=sitzung``), so a link opens the
same view. Widgets are keyed ``w_…``; the first run of a session fills them from the URL.
"""

from __future__ import annotations

import streamlit as st

from geo import view as views
from geo.store import default_directory
from layers import basemaps
from ui import login
from ui.i18n import lang

DEMO = "demo"  # data set choice: the demo data even when data has been imported
ALL = "alle"  # data set choice: all imported data (the demo data when nothing is imported)
PKS = "pks2020"  # data set choice: the shipped BKA PKS 2020 Kreis table (real, counts per Kreis)
FIXED_BANDWIDTH_M = 500  # what the fixed-bandwidth field offers first


def view_from_url() -> tuple[views.View, list[str]]:
    """The URL's view: its parameters, or view ``nr`` of a saved sequence (``?folge=NAME&nr=2``)."""
    view, problems, step = views.from_url(st.query_params.to_dict(), default_directory())
    if step is None:
        st.session_state.pop("folge", None)
    else:
        st.session_state.folge = step
    return view, problems


PENDING_MEASURE = "pending_massnahme"  # a measure just stored (0: deleted), shown from the next run on


def init_widgets() -> list[str]:
    """On the first run of a session, put the URL's view into the widgets; return messages."""
    if (pending := st.session_state.pop(PENDING_MEASURE, None)) is not None:
        st.session_state.w_massnahme = pending or None  # 0: none; before any widget and the view
    if "view_ready" in st.session_state:
        return []
    view, problems = view_from_url()
    params = st.query_params.to_dict()
    language, language_problems = views.language_from_query(params)
    karte, basemap_problems = views.basemap_from_query(params, basemaps.configured_default())
    st.session_state.update({
        "view_ready": True, "w_gemeinde": view.area if view.area and len(view.area) == 8 else None,
        "w_kreis": view.area if view.area and len(view.area) == 5 else None,
        "w_kategorien": list(view.categories), "w_von": view.start, "w_bis": view.end,
        "w_methode": view.method, "w_ebene": view.level, "w_zelle": view.cell_m,
        "w_bandbreite_art": "fest" if view.bandwidth_m else view.bandwidth_rule,
        "w_bandbreite": view.bandwidth_m or FIXED_BANDWIDTH_M, "w_radius": view.radius, "w_k": view.min_count,
        "w_modus": "sitzung" if login.held() else view.mode,  # Rat: the shared screen, whatever the URL says
        "w_daten": view.dataset or ALL, "w_titel": view.title,
        "w_ebenen": list(view.overlays), "w_sprache": language, "w_teilung": view.split,
        "w_schritt": view.step, "w_inferenz": view.inference, "w_karte": karte,
        "w_pick": "gesamt" if view.start is None and view.end is None else "eigen",
        "w_massnahme": view.measure,
    })
    return language_problems + basemap_problems + problems


def council() -> bool:
    """Whether this run shows the shared screen of a prevention council (always for a role held
    there, Rat: :func:`init_widgets` sets it whatever the URL says)."""
    return st.session_state.w_modus == "sitzung"


def dataset() -> str | None:
    """The chosen data set's name; None for all imported data."""
    return None if st.session_state.w_daten == ALL else st.session_state.w_daten


def current_view() -> views.View:
    s = st.session_state
    area = s.w_gemeinde or s.w_kreis
    return views.View(
        area=area, categories=tuple(s.w_kategorien) or views.DEFAULT.categories, start=s.w_von, end=s.w_bis,
        method=s.w_methode, level=s.w_ebene, cell_m=s.w_zelle,
        bandwidth_m=s.w_bandbreite if s.w_bandbreite_art == "fest" else None,
        bandwidth_rule=s.w_bandbreite_art if s.w_bandbreite_art != "fest" else views.DEFAULT.bandwidth_rule,
        radius=s.w_radius, min_count=s.w_k, mode=s.w_modus, dataset=dataset(),
        title=s.w_titel, overlays=tuple(o for o in views.OVERLAYS if o in s.w_ebenen), split=s.w_teilung,
        step=s.w_schritt, inference=s.w_inferenz, measure=s.get("w_massnahme"))


def go_to(params: dict[str, str]) -> None:
    """Open another view (e.g. the next one of a sequence) as if its URL had been opened."""
    st.session_state.pop("view_ready", None)
    st.query_params.from_dict(display(params))


def sync_url(view: views.View) -> None:
    params = views.to_query(view)
    if folge := st.session_state.get("folge"):
        params = {"folge": folge[0], "nr": str(folge[1])}
    params = display(params)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def basemap() -> str:
    """The background map of this run (``w_karte``: ``?karte=`` or ``ATLAS_BASEMAP``, then the sidebar)."""
    return st.session_state.get("w_karte", basemaps.configured_default())


def display(params: dict[str, str]) -> dict[str, str]:
    """`params` with what the URL carries beside the view: the language and the background map."""
    return views.with_basemap(views.with_language(params, lang()), basemap(), basemaps.configured_default())


def clear(other: str) -> None:
    """Widget callback: choosing a Gemeinde clears the Kreis and the other way round."""
    st.session_state[other] = None
