"""Data and analyses for the screens, cached on plain keys.

The heavy ``geo`` calls only: loading points and tables, :func:`geo.analysis.analyse`,
the overlays' figures. Every figure comes from there; this module only decides which
data set a view reads and keeps results between reruns.

Every store access goes through :func:`store`: the installation's store (``geo.store.connect``)
bound to this session's principal (:func:`ui.login.current`), which checks each right itself.
What is cached from the store is keyed on the principal's role and Mandant too (:func:`access`,
and the data set's key from :func:`source_for`), so nobody gets what another Mandant or a role
with more rights loaded.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import streamlit as st

from geo import asskomm, osm
from geo import lang as langs
from geo.analysis import Analysis, analyse
from geo.incidents import DEMO_LABEL
from geo.incidents.demo import demo_points
from geo.incidents.pks import read_pks_kreise
from geo.incidents.report import empty_points
from geo.measures import Measure, MeasureRegister, evaluate_measure, hotspot_areas
from geo.store import connect
from geo.store.access import LOCAL, Principal
from geo.survey import angstraeume as survey_places
from geo.survey import coincide
from geo.survey import demo as survey_demo
from geo.survey import shares as survey_shares
from geo.view import View
from layers import compose
from ui import login
from ui.i18n import lang
from ui.state import DEMO, PKS

ROOT = Path(__file__).resolve().parents[1]


@st.cache_resource(show_spinner=False)
def static_files() -> str | None:
    """URL path of the map's files served by the app (``static/``, see .streamlit/config.toml);
    None (everything inline) where static serving is off or they cannot be written."""
    if not st.get_option("server.enableStaticServing"):
        return None
    try:
        compose.publish(ROOT / "static")
    except OSError:
        return None
    return "/app/static"


@st.cache_resource(show_spinner="Lade Demodaten …")
def demo_data():
    return demo_points()


def store(principal: Principal | None = None):
    """The installation's store (embedded file or PostGIS) for `principal`, default this session's."""
    who = login.current() if principal is None else principal
    # without login: the person at this machine (embedded), or the operator of ATLAS_MANDANT (PostGIS)
    return connect(principal=None if who is LOCAL else who)


def access() -> tuple[str, str | None]:
    """This session's role and Mandant: part of every cache key of data read from the store."""
    who = login.current()
    return who.role, who.mandant


@st.cache_resource(max_entries=4, show_spinner="Lade Vorfälle …")
def stored_points(dataset: str | None, version: str, access: tuple, _principal: Principal):
    del version, access  # part of the cache key only: version changes with every import or deletion
    # the statistics' input (any role): single incidents reach only a screen that may show them
    return store(_principal).statistics_points(datasets=None if dataset is None else [dataset])


def store_version(table) -> str:
    return "|".join(table["name"] + "@" + table["imported_at"]) if len(table) else ""


@st.cache_resource(show_spinner=False)
def pks_table():
    return read_pks_kreise()


@st.cache_resource(max_entries=4, show_spinner=False)
def stored_aggregates(dataset: str | None, version: str, access: tuple, _principal: Principal):
    del version, access  # cache key only
    return store(_principal).aggregates(datasets=None if dataset is None else [dataset])


@st.cache_resource(max_entries=2, show_spinner="Lade Straßendaten …")
def _osm(imported: str | None):
    del imported  # cache key only: changes with every import
    return osm.load()


def osm_info():
    """Which OSM data is imported and from when (:func:`geo.osm.info`), or None; read once per run."""
    if "_osm_info" not in st.session_state:
        st.session_state["_osm_info"] = osm.info()
    return st.session_state["_osm_info"]


def osm_data():
    """The imported OSM streets and places, or None (``python -m geo osm``)."""
    found = osm_info()
    return _osm(str(found["imported"])) if found else None


def new_run() -> None:
    """Called first in every run: what the store held in the last run may have changed."""
    st.session_state.pop("_datasets", None)
    st.session_state.pop("_osm_info", None)
    st.session_state.pop("_measures", None)


def stored_datasets():
    """The store's data sets (name, rows, period, demo flag); read once per run."""
    if "_datasets" not in st.session_state:
        st.session_state["_datasets"] = store().datasets()
    return st.session_state["_datasets"]


def source_for(dataset: str | None):
    """Points, aggregates, label, demo flag and cache key of the chosen data set.

    Demo data when nothing is imported; the shipped PKS table as counts per Kreis. The key of
    stored data names role and Mandant (:func:`access`): what is cached under it is theirs.
    """
    if dataset == PKS:
        return empty_points(), pks_table(), langs.phrase("PKS 2020 (BKA), Fälle je Kreis"), False, PKS
    table = stored_datasets()
    version = store_version(table)
    if dataset == DEMO or not version:
        return demo_data(), None, DEMO_LABEL, True, DEMO
    chosen = table if dataset is None else table[table["name"] == dataset]
    demo = bool(chosen["demo"].any()) if "demo" in chosen else False
    label = dataset or langs.phrase("alle importierten Datensätze")
    if demo:
        label = langs.phrase("{name} – {demo}", name=label, demo=langs.phrase(DEMO_LABEL))
    who, key = login.current(), access()
    return (stored_points(dataset, version, key, who), stored_aggregates(dataset, version, key, who), label,
            demo, f"{key[0]}/{key[1]}:{dataset}:{version}")


@st.cache_resource(max_entries=24, show_spinner="Berechne …")
def _analysis(source_key: str, view: View) -> Analysis:
    points, aggregates, label, demo, _key = source_for(view.dataset)
    return analyse(points, view, source=label, demo=demo, aggregates=aggregates)


def cached_analysis(source_key: str, view: View) -> Analysis:
    """The view's figures; the measure a view shows (``massnahme=``) changes none of them, so the
    analysis is cached without it and handed out with the whole view."""
    found = _analysis(source_key, dataclasses.replace(view, measure=None))
    return found if view.measure is None else dataclasses.replace(found, view=view)


# --- the Maßnahmenregister -------------------------------------------------------------------
def register() -> MeasureRegister:
    """The register in the installation's store, for this session's principal."""
    return MeasureRegister(store())


def current_measures() -> list[Measure]:
    """The register's measures as they are now; read once per run (:func:`new_run`), again after
    :func:`measures_changed`."""
    if "_measures" not in st.session_state:
        st.session_state["_measures"] = register().current()
    return st.session_state["_measures"]


def measures_changed() -> None:
    st.session_state.pop("_measures", None)


def area_measures(area: str | None) -> list[Measure]:
    """The current measures in `area` (a Gemeinde's AGS, a Kreis key or, None, all of Saxony)."""
    return [m for m in current_measures() if area is None or m.ags.startswith(area)]


def named_measure(view: View) -> Measure | None:
    """The measure the view names (``massnahme=``), if the register has it."""
    return next((m for m in current_measures() if m.id == view.measure), None)


def shown_measures(view: View) -> list[Measure]:
    """What the map's Maßnahmen layer shows: the area's measures (overlay ``massnahmen``) and the
    measure the view names, wherever it lies."""
    shown = area_measures(view.area) if "massnahmen" in view.overlays else []
    named = named_measure(view)
    return shown if named is None or named.id in {m.id for m in shown} else [*shown, named]


@st.cache_resource(max_entries=16, show_spinner="Prüfe die Wirkung …")
def _effect(source_key: str, measure_key: tuple, months: int, skip: int, buffer_m: float, _points, _measure):
    del source_key, measure_key  # cache key only
    return evaluate_measure(_measure, _points, months=months, skip_months=skip, buffer_m=buffer_m)


def effect(source_key: str, measure: Measure, points, *, months: int = 12, skip: int = 0,
           buffer_m: float = 250.0):
    """:func:`geo.measures.evaluate_measure` on the data set's points, cached on the data set, what
    the evaluation reads of the measure (number, start, categories, place) and the parameters."""
    key = (measure.id, measure.start, measure.categories, measure.place.wkb)
    return _effect(source_key, key, months, skip, buffer_m, points, measure)


@st.cache_resource(max_entries=8, show_spinner=False)
def cached_hotspot_areas(source_key: str, view: View, _analysis: Analysis):
    """The connected hot areas of the view's Gi* result (:func:`geo.measures.hotspot_areas`)."""
    del source_key, view  # cache key only
    return hotspot_areas(_analysis)


@st.cache_resource(max_entries=8, show_spinner=False)
def planner_points(source_key: str, selection: tuple, _points, _analysis: Analysis):
    """The view's incidents for the point layer, cached on data set and `selection` (categories,
    period, area) only: a new method or parameter keeps them."""
    del source_key, selection  # cache key only
    return compose.map_points(_points, _analysis)


def shown_points(source_key: str, points, analysis: Analysis):
    """The planner's incident points of the view, or None (council screen, a role without the
    "punkte" right, or too many)."""
    view = analysis.view
    if view.mode == "sitzung" or points.empty or not login.current().may("punkte"):
        return None
    return planner_points(source_key, (view.categories, view.start, view.end, view.area), points, analysis)


@st.cache_data(show_spinner=False)
def asskomm_members(extra: bytes | None, name: str | None):
    base = asskomm.load_members()
    return base if extra is None else asskomm.merge_members(base, asskomm.load_members(extra, name=name))


@st.cache_data(show_spinner=False)
def survey_data(shares_file: bytes | None, places_file: bytes | None, names: tuple[str, str], ags: str):
    """Survey shares and Angsträume: the uploaded files, else demo data (labelled)."""
    shares = (survey_shares.load_shares(shares_file, name=names[0]) if shares_file
              else survey_demo.demo_shares())
    places = (survey_places.load_angstraeume(places_file, name=names[1]) if places_file
              else survey_demo.demo_angstraeume(ags))
    return shares, places, shares_file is None


def uploaded(key: str) -> tuple[bytes | None, str | None]:
    file = st.session_state.get(key)
    return (file.getvalue(), file.name) if file is not None else (None, None)


def overlays(view: View, points, *, council: bool):
    """Map layers and data of the view's overlays (ASSKomm, Bürgerbefragung, Maßnahmen)."""
    found: dict = {}
    if measures := shown_measures(view):
        found["measures"] = measures
    if "asskomm" in view.overlays:
        found["members"] = asskomm_members(*uploaded("w_asskomm_datei"))
    if "befragung" in view.overlays:
        (shares_file, shares_name), (places_file, places_name) = uploaded("w_anteile"), uploaded("w_angst")
        ags = view.area if view.area and len(view.area) == 8 else "14522180"
        shares, places, demo = survey_data(shares_file, places_file, (shares_name, places_name), ags)
        found.update(shares=shares, places=places, coincidence=coincide.coincidence_by_gemeinde(
            points, shares, categories=view.categories), label=DEMO_LABEL if demo else "")
    return found, compose.overlay_layers(**found, focus=view.measure, council=council, lang=lang())
