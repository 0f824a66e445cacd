"""Präventionsatlas Sachsen — the Streamlit app (the only module that imports streamlit).

Start with ``make run``. Everything the user sees is a `geo.view.View`, kept in the URL
(``?ags=14522180&kategorie=graffiti&methode=gi&modus=sitzung``), so a link opens the
same view. Computation lives in ``geo`` (cached here on plain keys), map layers in
``layers``; this file only wires widgets to them. The interface is German, or English
with ``?sprache=en`` (:mod:`geo.lang`): strings read ``_("Zeitraum")``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
from pathlib import Path
from urllib.parse import urlencode

import altair as alt
import streamlit as st
from streamlit_folium import st_folium

from geo import asskomm, boundaries
from geo import lang as langs
from geo import view as views
from geo.analysis import METHOD_LABELS, Analysis, analyse
from geo.detail import gemeinde_detail
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.hotspots import METHOD_HELP
from geo.incidents import CATEGORIES, CATEGORY_LABELS, DEMO_LABEL
from geo.incidents.assign import ags_at
from geo.incidents.demo import demo_points
from geo.incidents.pks import read_pks_kreise
from geo.incidents.report import empty_points
from geo.report.make import report_bytes
from geo.sources import ATTRIBUTION_PKS, MAP_ATTRIBUTION
from geo.store import IncidentStore, default_directory
from geo.survey import angstraeume as survey_places
from geo.survey import coincide
from geo.survey import demo as survey_demo
from geo.survey import shares as survey_shares
from layers import compose
from layers.incidents import CATEGORY_COLOURS

st.set_page_config(page_title="Präventionsatlas Sachsen", page_icon="🗺️", layout="wide")
DEMO = "demo"  # data set choice: the demo data even when data has been imported
ALL = "alle"  # data set choice: all imported data (the demo data when nothing is imported)
PKS = "pks2020"  # data set choice: the shipped BKA PKS 2020 Kreis table (real, counts per Kreis)
COUNCIL_MAP_HEIGHT = 790  # px: controls, title, its line and the map fit a 1920×1080 projector
COUNCIL_CSS = """<style>
section[data-testid="stSidebar"], [data-testid="collapsedControl"], header {display: none !important;}
.block-container {padding-top: 0.6rem; padding-bottom: 0 !important; max-width: 100% !important;}
html, body, [class*="css"], p, li, label, .stMarkdown {font-size: 22px !important;}
.atlas-title {font-size: 34px !important; font-weight: 700; color: #000; margin: 0 0 0.3rem 0; padding: 0;}
.atlas-line {font-size: 22px !important; color: #000; margin: 0 0 0.3rem 0;}
</style>"""
#: Streamlit's file uploader takes no texts: its button and size line in the page's language, by CSS.
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button p {{font-size: 0;}}
[data-testid="stFileUploaderDropzone"] button p::after {{content: "{button}"; font-size: 14px;}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0;}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content: "{limit}"; font-size: 14px;}}
</style>"""


def lang() -> str:
    """The interface language of this run (``w_sprache``: set from ``?sprache=``, then the switch)."""
    return st.session_state.get("w_sprache", langs.DEFAULT_LANG)


#: ``_("Zeitraum")``: German text (the catalogue key) in this run's language; ``_n(1234.5, 1)``:
#: a number as its readers write it. Bound once per run by :func:`use_language`, so labels and
#: format functions handed to widgets keep the run's language.
_ = functools.partial(langs.translate, lang=langs.DEFAULT_LANG)
_n = functools.partial(zahl, lang=langs.DEFAULT_LANG)


def use_language(code: str) -> None:
    """Bind ``_`` and ``_n`` to `code` for this run (Streamlit runs the module afresh on each rerun)."""
    global _, _n
    _ = functools.partial(langs.translate, lang=code)
    _n = functools.partial(zahl, lang=code)


# --- cached data and computation (plain keys only) -------------------------------------------
@st.cache_resource(show_spinner=False)
def static_files() -> str | None:
    """URL path of the map's files served by the app (``static/``, see .streamlit/config.toml);
    None (everything inline) where static serving is off or they cannot be written."""
    if not st.get_option("server.enableStaticServing"):
        return None
    try:
        compose.publish(Path(__file__).parent / "static")
    except OSError:
        return None
    return "/app/static"


@st.cache_resource(show_spinner="Lade Demodaten …")
def demo_data():
    return demo_points()


@st.cache_resource(max_entries=4, show_spinner="Lade Vorfälle …")
def stored_points(dataset: str | None, version: str):
    del version  # part of the cache key only: changes with every import or deletion
    return IncidentStore().points(datasets=None if dataset is None else [dataset])


def store_version(table) -> str:
    return "|".join(table["name"] + "@" + table["imported_at"]) if len(table) else ""


@st.cache_resource(show_spinner=False)
def pks_table():
    return read_pks_kreise()


@st.cache_resource(max_entries=4, show_spinner=False)
def stored_aggregates(dataset: str | None, version: str):
    del version  # cache key only
    return IncidentStore().aggregates(datasets=None if dataset is None else [dataset])


@functools.cache  # per run: Streamlit executes this file afresh on every rerun
def stored_datasets():
    """The store's data sets (name, rows, period, demo flag); read once per run."""
    return IncidentStore().datasets()


def source_for(dataset: str | None):
    """Points, aggregates, label, demo flag and cache key of the chosen data set.

    Demo data when nothing is imported; the shipped PKS table as counts per Kreis.
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
    return (stored_points(dataset, version), stored_aggregates(dataset, version), label, demo,
            f"{dataset}:{version}")


@st.cache_resource(max_entries=24, show_spinner="Berechne …")
def cached_analysis(source_key: str, view: views.View) -> Analysis:
    points, aggregates, label, demo, _key = source_for(view.dataset)
    return analyse(points, view, source=label, demo=demo, aggregates=aggregates)


@st.cache_resource(max_entries=8, show_spinner=False)
def planner_points(source_key: str, selection: tuple, _points, _analysis: Analysis):
    """The view's incidents for the point layer, cached on data set and `selection` (categories,
    period, area) only: a new method or parameter keeps them."""
    del source_key, selection  # cache key only
    return compose.map_points(_points, _analysis)


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


def overlays(view: views.View, points, *, council: bool):
    """Map layers and data of the view's overlays (ASSKomm, Bürgerbefragung)."""
    found: dict = {}
    if "asskomm" in view.overlays:
        found["members"] = asskomm_members(*uploaded("w_asskomm_datei"))
    if "befragung" in view.overlays:
        (shares_file, shares_name), (places_file, places_name) = uploaded("w_anteile"), uploaded("w_angst")
        ags = view.area if view.area and len(view.area) == 8 else "14522180"
        shares, places, demo = survey_data(shares_file, places_file, (shares_name, places_name), ags)
        found.update(shares=shares, places=places, coincidence=coincide.coincidence_by_gemeinde(
            points, shares, categories=view.categories), label=DEMO_LABEL if demo else "")
    return found, compose.overlay_layers(**found, council=council, lang=lang())


# --- the view: URL -> widgets -> view -> URL ----------------------------------------------
def view_from_url() -> tuple[views.View, list[str]]:
    """The URL's view: its parameters, or view ``nr`` of a saved sequence (``?folge=NAME&nr=2``)."""
    view, problems, step = views.from_url(st.query_params.to_dict(), default_directory())
    if step is None:
        st.session_state.pop("folge", None)
    else:
        st.session_state.folge = step
    return view, problems


def init_widgets() -> list[str]:
    """On the first run of a session, put the URL's view into the widgets; return messages."""
    if "view_ready" in st.session_state:
        return []
    view, problems = view_from_url()
    language, language_problems = views.language_from_query(st.query_params.to_dict())
    st.session_state.update({
        "view_ready": True, "w_gemeinde": view.area if view.area and len(view.area) == 8 else None,
        "w_kreis": view.area if view.area and len(view.area) == 5 else None,
        "w_kategorien": list(view.categories), "w_von": view.start, "w_bis": view.end,
        "w_methode": view.method, "w_ebene": view.level, "w_zelle": view.cell_m,
        "w_bandbreite": view.bandwidth_m or 0, "w_radius": view.radius, "w_k": view.min_count,
        "w_modus": view.mode, "w_daten": view.dataset or ALL, "w_titel": view.title,
        "w_ebenen": list(view.overlays), "w_sprache": language, "w_teilung": view.split,
        "w_pick": "gesamt" if view.start is None and view.end is None else "eigen",
    })
    return language_problems + problems


def current_view() -> views.View:
    s = st.session_state
    area = s.w_gemeinde or s.w_kreis
    return views.View(
        area=area, categories=tuple(s.w_kategorien) or views.DEFAULT.categories, start=s.w_von, end=s.w_bis,
        method=s.w_methode, level=s.w_ebene, cell_m=s.w_zelle, bandwidth_m=s.w_bandbreite or None,
        radius=s.w_radius, min_count=s.w_k, mode=s.w_modus, dataset=None if s.w_daten == ALL else s.w_daten,
        title=s.w_titel, overlays=tuple(o for o in views.OVERLAYS if o in s.w_ebenen), split=s.w_teilung)


def go_to(params: dict[str, str]) -> None:
    """Open another view (e.g. the next one of a sequence) as if its URL had been opened."""
    st.session_state.pop("view_ready", None)
    st.query_params.from_dict(views.with_language(params, lang()))


def sync_url(view: views.View) -> None:
    params = views.to_query(view)
    if folge := st.session_state.get("folge"):
        params = {"folge": folge[0], "nr": str(folge[1])}
    params = views.with_language(params, lang())
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


def _clear(other: str) -> None:
    st.session_state[other] = None


# --- sidebar (planner) ----------------------------------------------------------------------
def sidebar_language() -> None:
    """German first and default, English selectable; the choice goes into the URL (``sprache``)."""
    st.radio("Sprache / Language", langs.LANGUAGES, key="w_sprache", horizontal=True,
             format_func=langs.LANGUAGE_NAMES.__getitem__)


def sidebar_area() -> None:
    gemeinden, kreise = boundaries.gemeinde_labels(), boundaries.kreis_labels()
    st.header(_("Gebiet"))
    st.selectbox(_("Gemeinde suchen"), list(gemeinden), format_func=gemeinden.__getitem__, key="w_gemeinde",
                 index=None, placeholder=_("Name eingeben, z. B. Freiberg"), on_change=_clear,
                 args=("w_kreis",),
                 help=_("Alle 418 sächsischen Gemeinden; gleichnamige mit Kreis in Klammern."))
    st.selectbox(_("Kreis"), list(kreise), format_func=kreise.__getitem__, key="w_kreis", index=None,
                 placeholder=_("Landkreis oder kreisfreie Stadt"), on_change=_clear, args=("w_gemeinde",))


def sidebar_selection(points) -> None:
    st.header(_("Auswahl"))
    st.multiselect(_("Kategorien"), list(CATEGORIES), format_func=lambda c: _(CATEGORY_LABELS[c]),
                   key="w_kategorien", placeholder=_("mindestens eine Kategorie"), select_all=False)
    if points.empty:  # counts per area only (e.g. PKS): the period is the table's
        st.caption(_("Zeitraum: wie in der Tabelle (Fallzahlen je Gebiet)."))
        return
    first, last = points["time"].min().date(), points["time"].max().date()
    years = list(range(last.year, first.year - 1, -1))
    picks = {"gesamt": (None, None), "12monate": (last - dt.timedelta(days=364), last),
             **{str(y): (dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in years}}
    names = {"eigen": _("eigener Zeitraum"), "gesamt": _("Gesamter Zeitraum"),
             "12monate": _("Letzte 12 Monate")}
    pick = st.selectbox(_("Zeitraum"), ["eigen", *picks], key="w_pick", format_func=lambda o: names.get(o, o))
    if pick in picks:
        st.session_state.w_von, st.session_state.w_bis = picks[pick]
    cols = st.columns(2)
    cols[0].date_input(_("von"), key="w_von", format="DD.MM.YYYY", min_value=first, max_value=last,
                       disabled=pick != "eigen")
    cols[1].date_input(_("bis"), key="w_bis", format="DD.MM.YYYY", min_value=first, max_value=last,
                       disabled=pick != "eigen")
    st.caption(_("Daten vorhanden: {first} – {last}").format(first=f"{first:%d.%m.%Y}",
                                                              last=f"{last:%d.%m.%Y}"))


def sidebar_method() -> None:
    st.header(_("Methode"))
    st.radio(_("Methode"), views.METHODS, format_func=lambda m: _(METHOD_LABELS[m]), key="w_methode",
             captions=[_(METHOD_HELP[m]) for m in views.METHODS], label_visibility="collapsed")
    with st.expander(_("Parameter")):
        st.radio(_("Ebene (Raten)"), views.LEVELS, key="w_ebene", horizontal=True,
                 format_func={"gemeinde": _("Gemeinden"), "kreis": _("Kreise")}.__getitem__)
        st.select_slider(_("Zellgröße (m)"), [100, 150, 200, 250, 300, 400, 500, 750, 1000], key="w_zelle",
                         help=_("Quadratische Zellen in UTM 33N, Kanten auf Vielfachen der Zellgröße."))
        st.number_input(_("Bandbreite KDE (m, 0 = automatisch)"), 0, views.BANDWIDTH_RANGE_M[1], step=50,
                        key="w_bandbreite", help=_("0: Standardregel (wird unter der Karte angezeigt)."))
        st.slider(_("Nachbarschaft Gi*/LISA (Zellen)"), *views.RADIUS_RANGE, key="w_radius")
        st.slider(_("Mindestanzahl je Gebiet/Zelle"), *views.MIN_COUNT_RANGE, key="w_k",
                  help=_("Gebiete mit weniger Vorfällen zeigen keine Zahl, Zellen mit weniger "
                         "Vorfällen in ihrer Nachbarschaft keinen Hotspot."))
        st.date_input(_("Teilung für die Vorhersagegüte"), key="w_teilung", format="DD.MM.YYYY",
                      help=_("Gelernt wird vor diesem Tag, geprüft ab ihm. Leer: Monatsanfang nahe der "
                             "Mitte des Zeitraums."))


def sidebar_data() -> None:
    store = IncidentStore()
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
    upload = st.file_uploader(_("Datei importieren (CSV, XLSX, GeoJSON, GPKG, Open311)"),
                              type=["csv", "txt", "xlsx", "geojson", "json", "gpkg"], key="w_import")
    if upload is not None and st.button(_("Importieren"), type="primary"):
        try:
            bar = st.progress(0.0, text=_("Importiere {file} …").format(file=upload.name))
            report = store.import_file(upload, progress=lambda f, text: bar.progress(min(f, 1.0), text=text))
            st.session_state.last_report = report
            st.session_state.pending_daten = report.dataset
            st.rerun()
        except AtlasError as err:
            st.error(_(langs.error_text(err)))
    if report := st.session_state.get("last_report"):
        counts = {"file": report.file, "rows": report.rows, "accepted": report.accepted,
                  "rejected": report.rejected, "dataset": report.dataset}
        st.caption(_("Import „{file}“: {rows} Zeilen gelesen, {accepted} übernommen, {rejected} abgelehnt "
                     "– Datensatz „{dataset}“ gespeichert.").format(**counts) if report.stored else
                   _("Import „{file}“: {rows} Zeilen gelesen, {accepted} übernommen, {rejected} abgelehnt."
                     ).format(**counts))
        st.dataframe(report.reason_table(), hide_index=True)
        for note in report.notes:
            st.caption(note)
        if report.rejected:
            st.download_button(_("Abgelehnte Zeilen (CSV)"), report.rejected_csv(),
                               file_name=f"abgelehnt_{report.file}.csv", mime="text/csv")
    chosen = st.session_state.w_daten
    if chosen not in (ALL, DEMO, PKS) and st.button(_("Datensatz „{name}“ löschen").format(name=chosen)):
        store.delete(chosen)
        st.session_state.pop("last_report", None)
        st.rerun()


def sidebar_overlays() -> None:
    st.header(_("Allianz und Befragung"))
    names = {"asskomm": _("ASSKomm-Netzwerk"), "befragung": _("Bürgerbefragung / Angsträume")}
    st.multiselect(_("Zusatzebenen"), views.OVERLAYS, key="w_ebenen", placeholder=_("keine"),
                   select_all=False, format_func=names.__getitem__)
    st.file_uploader(_("ASSKomm-Liste ergänzen (CSV, Format: data/asskomm/FORMAT.md)"), type=["csv"],
                     key="w_asskomm_datei")
    st.file_uploader(_("Befragung: Anteile je Gebiet (CSV)"), type=["csv", "txt"], key="w_anteile")
    st.file_uploader(_("Befragung: Angsträume (CSV, GeoJSON)"), type=["csv", "txt", "geojson", "json"],
                     key="w_angst")
    st.caption(_("Ohne Dateien zeigt die Befragung Demodaten (synthetisch)."))


def sidebar_session(view: views.View) -> None:
    st.header(_("Sitzung vorbereiten"))
    directory = default_directory()
    names = views.list_sequences(directory)
    name = st.text_input(_("Ansichtsfolge"), value=names[-1] if names else "Präventionsrat", key="w_folge")
    st.text_input(_("Titel dieser Ansicht"), key="w_titel", placeholder=_("z. B. Graffiti Innenstadt 2024"))
    if st.button(_("Ansicht zur Folge hinzufügen")):
        sequence = views.add_view(directory, name, dataclasses.replace(view, mode="sitzung"))
        st.success(_("„{name}“ hat jetzt {n} Ansicht(en).").format(name=name, n=len(sequence.views)))
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
            st.error(_(langs.error_text(err)))
        else:
            st.success(" ".join([_("Folge „{name}“ übernommen.").format(name=kept),
                                 *(_(problem) for problem in problems)]))
    council_view = dataclasses.replace(view, mode="sitzung")
    st.link_button(_("Diese Ansicht im Sitzungsmodus"),
                   "?" + urlencode(views.with_language(views.to_query(council_view), lang())))


def council_controls() -> None:
    """Previous/next through a saved sequence, and the way back to the planner view."""
    folge = st.session_state.get("folge")
    cols = st.columns([1, 1, 4, 2], vertical_alignment="center")
    if folge:
        name, nr, total = folge
        if cols[0].button(_("◀ Zurück"), disabled=nr <= 1):
            go_to({"folge": name, "nr": str(nr - 1)})
            st.rerun()
        if cols[1].button(_("Weiter ▶"), disabled=nr >= total):
            go_to({"folge": name, "nr": str(nr + 1)})
            st.rerun()
        cols[2].markdown(_("Ansicht {nr} von {total} · {name}").format(nr=nr, total=total,
                                                                      name=html.escape(name)))
    if cols[3].button(_("Sitzungsmodus beenden")):
        st.session_state.pop("folge", None)
        go_to(views.to_query(dataclasses.replace(current_view(), mode="planung")))
        st.rerun()


# --- main area ------------------------------------------------------------------------------
def accuracy_panel(analysis: Analysis) -> None:
    ev = analysis.evaluation
    if ev is None:
        return
    shown = {"kde": "kde", "gi": "gi", "lisa": "gi"}[analysis.view.method]
    acc, base = ev.results[shown], ev.results["grid"]
    st.subheader(_("Vorhersagegüte"))
    if analysis.view.method == "lisa":
        st.caption(_("Für LISA-Cluster gibt es kein Vorhersagemaß; gezeigt ist Gi* für dieselbe Auswahl."))
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


def detail_panel(points, ags: str, view: views.View) -> None:
    detail = gemeinde_detail(points, ags, categories=view.categories, start=view.start, end=view.end,
                             min_count=view.min_count)
    st.subheader(_("{name} ({kreis}) · {n} Einwohner").format(name=detail.name, kreis=detail.kreis_name,
                                                               n=_n(detail.einwohner)))
    st.dataframe(detail.table_text(lang()), hide_index=True, column_config={
        "kategorie": _("Kategorie"), "faelle": figure(_("Fälle")), "je_1000": figure(_("je 1.000 EW")),
        "je_1000_kreis": figure(_("Kreis je 1.000")), "je_1000_sachsen": figure(_("Sachsen je 1.000"))})
    if len(detail.monthly):
        st.altair_chart(monthly_chart(detail.monthly), width="stretch")
    if len(detail.monthly["kategorie"].unique()) < len(detail.table):
        st.caption(_("Kategorien mit weniger als {k} Fällen ohne Monatsverlauf.").format(k=view.min_count))
    if len(detail.top_cells):
        st.caption(_("Zellen (250 m) mit den meisten Fällen, mindestens {k}:").format(k=view.min_count))
        st.dataframe(detail.top_cells, hide_index=True, column_config={"zelle": _("Zelle (UTM 33N)"),
                                                                          "faelle": _("Fälle")})


def overlay_panels(extra: dict) -> None:
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


def report_buttons(key: str, points, demo: bool) -> None:
    """Sicherheitsanalyse for the selected area, made when the button is clicked."""
    st.subheader(_("Sicherheitsanalyse"))
    if lang() != langs.DEFAULT_LANG:
        st.caption(_("Der Bericht ist ein deutsches Dokument für deutsche Gremien und bleibt auf Deutsch."))
    datasets = stored_datasets()
    formats = (("pdf", _("Bericht (PDF)"), "application/pdf"), ("html", _("Bericht (HTML)"), "text/html"))
    for fmt, label, mime in formats:
        st.download_button(label, functools.partial(report_bytes, key, fmt, incidents=points, demo=demo,
                                                    datasets=datasets),
                           file_name=f"sicherheitsanalyse_{key}.{fmt}", mime=mime, on_click="ignore")


def exports(analysis: Analysis) -> None:
    """Download buttons; each file is made only when its button is clicked."""
    st.subheader(_("Export"))
    cols = st.columns(len(compose.EXPORTS))
    for col, (label, (kind, mime)) in zip(cols, compose.EXPORTS.items(), strict=True):
        col.download_button(_(label), functools.partial(compose.export_bytes, analysis, kind, lang=lang()),
                            file_name=compose.export_name(analysis, kind), mime=mime, on_click="ignore")


def main() -> None:
    problems = init_widgets()
    council = st.session_state.w_modus == "sitzung"
    if council:
        st.markdown(COUNCIL_CSS, unsafe_allow_html=True)
        st.session_state.w_sprache = views.language_from_query(st.query_params.to_dict())[0]  # URL decides
    use_language(lang())
    if not council:
        st.html(UPLOADER_CSS.format(button=_("Datei wählen"), limit=_("bis 200 MB je Datei")))
        with st.sidebar:
            sidebar_language()
            sidebar_data()  # settles the data set choice first
    dataset = None if st.session_state.w_daten == ALL else st.session_state.w_daten
    points, *_unused, source_key = source_for(dataset)
    if not council:
        with st.sidebar:
            sidebar_area()
            sidebar_selection(points)
            sidebar_method()
            sidebar_overlays()
            sidebar_session(current_view())
    view = current_view()
    sync_url(view)
    if council:
        council_controls()
    for problem in problems:
        st.warning(_(problem))
    try:
        analysis = cached_analysis(source_key, view)
    except AtlasError as err:
        st.title(_("Präventionsatlas Sachsen"))
        st.error(_(langs.error_text(err)))
        return
    line = analysis.title_line(lang=lang())
    if council:  # a saved view's own title first ("Graffiti Innenstadt 2024"), then what it shows
        heading = f"<h1 class='atlas-title'>{html.escape(view.title or line)}</h1>"
        if view.title:
            heading += f"<p class='atlas-line'>{html.escape(line)}</p>"
        st.markdown(heading, unsafe_allow_html=True)
    else:
        st.title(_("Präventionsatlas Sachsen"))
        st.caption(f"{view.title} · {line}" if view.title else line)
    try:
        extra, overlay_layers = overlays(view, points, council=council)
    except AtlasError as err:
        st.error(_(langs.error_text(err)))
        extra, overlay_layers = {}, []
    shown = None if council or points.empty else planner_points(
        source_key, (view.categories, view.start, view.end, view.area), points, analysis)
    # The base map stays in the browser; a redraw only replaces the view's groups.
    served = static_files()
    groups = compose.live_groups(compose.view_groups(analysis, points=shown, council=council,
                                                     overlays=overlay_layers, served=served, lang=lang()))
    map_col, side_col = st.columns([3, 1]) if not council else (st.container(), None)
    with map_col:
        clicked = st_folium(compose.base(council=council, served=served, lang=lang()), key="karte",
                            height=COUNCIL_MAP_HEIGHT if council else 680,
                            use_container_width=True, feature_group_to_add=groups,
                            layer_control=None if council else compose.layer_switcher(groups),
                            returned_objects=[] if council else ["last_clicked"])
    if side_col is not None:
        with side_col:
            st.metric(_("Vorfälle in der Auswahl"), _n(analysis.n_incidents))
            accuracy_panel(analysis)
            for note in analysis.notes:
                st.caption(_(note))
            if not points.empty and shown is None:
                st.caption(_("Einzelne Vorfälle werden erst ab höchstens {n} als Punkte gezeigt – Gebiet, "
                             "Zeitraum oder Kategorien eingrenzen.").format(n=_n(compose.MAX_MAP_POINTS)))
            if view.area and not points.empty:
                report_buttons(view.area, points, analysis.demo)
        spot = (clicked or {}).get("last_clicked")
        ags = ags_at(spot["lng"], spot["lat"]) if spot else None
        ags = ags or (view.area if view.area and len(view.area) == 8 else None)
        if ags and not points.empty:
            detail_panel(points, ags, view)
        overlay_panels(extra)
        exports(analysis)
    if not council or view.dataset == PKS:  # the council's map carries the lines at 20 px itself
        st.caption(" · ".join([*MAP_ATTRIBUTION, *([ATTRIBUTION_PKS] if view.dataset == PKS else [])]))


main()
