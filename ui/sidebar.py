"""The planner's sidebar: language, area, selection (categories, period), method, overlays."""

from __future__ import annotations

import streamlit as st

from geo import boundaries
from geo import lang as langs
from geo import view as views
from geo.analysis import METHOD_LABELS
from geo.hotspots import METHOD_HELP
from geo.incidents import CATEGORIES, CATEGORY_LABELS
from geo.period import quick_periods
from layers import basemaps
from ui.data import osm_info
from ui.i18n import _, lang, plain
from ui.state import clear

#: Streamlit's file uploader takes no texts: its button and size line in the page's language, by CSS.
UPLOADER_CSS = """<style>
[data-testid="stFileUploaderDropzone"] button p {{font-size: 0;}}
[data-testid="stFileUploaderDropzone"] button p::after {{content: "{button}"; font-size: 14px;}}
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size: 0;}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{content: "{limit}"; font-size: 14px;}}
</style>"""
CELL_SIZES_M = [100, 150, 200, 250, 300, 400, 500, 750, 1000]


def style() -> None:
    # the limit the uploader enforces (.streamlit/config.toml, = geo.files.MAX_FILE_MB)
    limit = _("bis {mb} MB je Datei").format(mb=st.get_option("server.maxUploadSize"))
    st.html(UPLOADER_CSS.format(button=_("Datei wählen"), limit=limit))


def language() -> None:
    """German first and default, English selectable; the choice goes into the URL (``sprache``)."""
    st.radio("Sprache / Language", langs.LANGUAGES, key="w_sprache", horizontal=True,
             format_func=langs.LANGUAGE_NAMES.__getitem__)


def background() -> None:
    """The background map under the layers; only the tiles leave this machine (README)."""
    names = {key: basemaps.label(key, lang=lang()) for key in basemaps.BASEMAPS}
    st.selectbox(_("Hintergrundkarte"), list(names), key="w_karte", format_func=names.__getitem__,
                 help=_("Kacheln kommen vom gewählten Kartendienst; er erfährt nur den gezeigten "
                        "Kartenausschnitt, nichts über Vorfälle. „keine“ und „lokale Kacheln“ "
                        "arbeiten ohne Internet."))
    found = osm_info()
    if found:
        st.caption(_("Straßen und Orte: OpenStreetMap, Stand {date} ({source}) – {attribution}").format(
            date=f"{found['date']:%d.%m.%Y}", source=plain(found["source"]),
            attribution=plain(found["attribution"])))
    else:
        st.caption(_("Keine Straßendaten geladen: python -m geo osm sachsen-latest.osm.pbf importiert sie."))


def area() -> None:
    gemeinden, kreise = boundaries.gemeinde_labels(), boundaries.kreis_labels()
    st.header(_("Gebiet"))
    st.selectbox(_("Gemeinde suchen"), list(gemeinden), format_func=gemeinden.__getitem__, key="w_gemeinde",
                 index=None, placeholder=_("Name eingeben, z. B. Freiberg"), on_change=clear,
                 args=("w_kreis",),
                 help=_("Alle 418 sächsischen Gemeinden; gleichnamige mit Kreis in Klammern."))
    st.selectbox(_("Kreis"), list(kreise), format_func=kreise.__getitem__, key="w_kreis", index=None,
                 placeholder=_("Landkreis oder kreisfreie Stadt"), on_change=clear, args=("w_gemeinde",))


def selection(points) -> None:
    st.header(_("Auswahl"))
    labels = {c: _(CATEGORY_LABELS[c]) for c in CATEGORIES}  # in this run's language, also for tests
    st.multiselect(_("Kategorien"), list(CATEGORIES), format_func=labels.__getitem__, key="w_kategorien",
                   placeholder=_("mindestens eine Kategorie"), select_all=False)
    if points.empty:  # counts per area only (e.g. PKS): the period is the table's
        st.caption(_("Zeitraum: wie in der Tabelle (Fallzahlen je Gebiet)."))
        return
    first, last = points["time"].min().date(), points["time"].max().date()
    picks = quick_periods(first, last)
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


def method() -> None:
    st.header(_("Methode"))
    labels = {m: _(METHOD_LABELS[m]) for m in views.METHODS}
    st.radio(_("Methode"), views.METHODS, format_func=labels.__getitem__, key="w_methode",
             captions=[_(METHOD_HELP[m]) for m in views.METHODS], label_visibility="collapsed")
    with st.expander(_("Parameter")):
        st.radio(_("Ebene (Raten)"), views.LEVELS, key="w_ebene", horizontal=True,
                 format_func={"gemeinde": _("Gemeinden"), "kreis": _("Kreise")}.__getitem__)
        st.select_slider(_("Zellgröße (m)"), CELL_SIZES_M, key="w_zelle",
                         help=_("Quadratische Zellen in UTM 33N, Kanten auf Vielfachen der Zellgröße."))
        kinds = {"auto": _("automatisch (Validierung)"), "regel": _("Faustregel (ArcGIS Pro)"),
                 "fest": _("fester Wert")}
        st.radio(_("Bandbreite KDE"), list(kinds), key="w_bandbreite_art", format_func=kinds.__getitem__,
                 horizontal=True, help=_("Automatisch: die Bandbreite, die in den letzten Quartalen die "
                                         "Folgevorfälle am besten getroffen hätte (1 Zelle = Zählung). "
                                         "Die gewählte steht unter der Karte."))
        st.number_input(_("Bandbreite (m)"), *views.BANDWIDTH_RANGE_M, step=50, key="w_bandbreite",
                        disabled=st.session_state.w_bandbreite_art != "fest")
        st.slider(_("Nachbarschaft Gi*/LISA (Zellen)"), *views.RADIUS_RANGE, key="w_radius")
        inferences = {"analytisch": _("analytisch"), "permutation": _("999 Permutationen")}
        st.radio(_("p-Werte LISA"), views.INFERENCES, key="w_inferenz", format_func=inferences.__getitem__,
                 horizontal=True, help=_("Permutationen (bedingte Zufallsverteilung, wie esda und ArcGIS) "
                                         "sind genauer bei vielen leeren Zellen, aber langsamer."))
        steps = {"quartal": _("Quartale"), "jahr": _("Jahre")}
        st.radio(_("Zeitschritte (neue und wachsende Hotspots)"), views.STEPS, key="w_schritt",
                 format_func=steps.__getitem__, horizontal=True,
                 help=_("Gi* wird je Zeitschritt berechnet; es braucht mindestens 4 Zeitschritte."))
        st.slider(_("Mindestanzahl je Gebiet/Zelle"), *views.MIN_COUNT_RANGE, key="w_k",
                  help=_("Gebiete mit weniger Vorfällen zeigen keine Zahl, Zellen mit weniger "
                         "Vorfällen in ihrer Nachbarschaft keinen Hotspot."))
        st.date_input(_("Teilung für die Vorhersagegüte"), key="w_teilung", format="DD.MM.YYYY",
                      help=_("Gelernt wird vor diesem Tag, geprüft ab ihm. Leer: Monatsanfang nahe der "
                             "Mitte des Zeitraums."))


def overlays() -> None:
    st.header(_("Allianz und Befragung"))
    names = {"asskomm": _("ASSKomm-Netzwerk"), "befragung": _("Bürgerbefragung / Angsträume"),
             "massnahmen": _("Maßnahmen (Register)")}
    st.multiselect(_("Zusatzebenen"), views.OVERLAYS, key="w_ebenen", placeholder=_("keine"),
                   select_all=False, format_func=names.__getitem__)
    st.file_uploader(_("ASSKomm-Liste ergänzen (CSV, Format: data/asskomm/FORMAT.md)"), type=["csv"],
                     key="w_asskomm_datei")
    st.file_uploader(_("Befragung: Anteile je Gebiet (CSV)"), type=["csv", "txt"], key="w_anteile")
    st.file_uploader(_("Befragung: Angsträume (CSV, GeoJSON)"), type=["csv", "txt", "geojson", "json"],
                     key="w_angst")
    st.caption(_("Ohne Dateien zeigt die Befragung Demodaten (synthetisch)."))
