"""Drawing a measure's place on the map, without a drawing plugin (none is available offline).

While the switch "Fläche zeichnen" is on, every click on the map adds a point instead of
choosing a Gemeinde: streamlit-folium reports the click (``last_clicked``, kept in
``st.session_state["karte"]`` before the script reruns), :func:`take_click` appends it to the
points kept in the session, and the map shows them with the polygon they make
(:func:`layers.measures.drawing_layer`). "Letzten Punkt entfernen", "Fläche übernehmen" (from
three points: :func:`geo.measures.drawn_place` checks and stores it as the new measure's
place) and "Verwerfen" finish it.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.lang import error_text
from geo.measures import Place, drawn_place
from layers.measures import drawing_layer
from ui.i18n import _, lang, plain

MAP_KEY = "karte"  # st_folium's key in ui/map_view.py: its last value is kept under it
SWITCH = "w_zeichnen"
POINTS = "massnahme_punkte"  # [[lat, lon], …] in click order
SEEN = "massnahme_klick"  # the last map click already taken (as a point, or before drawing began)
PLACE = "massnahme_ort"  # the place chosen for a new measure (a geo.measures.Place)
PROBLEM = "massnahme_ort_problem"
MAX_POINTS = 200


def active() -> bool:
    """Whether map clicks add points (the switch is on)."""
    return bool(st.session_state.get(SWITCH))


def _last_click() -> tuple[float, float] | None:
    spot = (st.session_state.get(MAP_KEY) or {}).get("last_clicked")
    return (float(spot["lat"]), float(spot["lng"])) if spot else None


def take_click() -> None:
    """Called before the map is drawn: a click the map reported since the last run becomes a point."""
    click = _last_click()
    if not active() or click is None or click == st.session_state.get(SEEN):
        return
    st.session_state[SEEN] = click
    points = st.session_state.get(POINTS, [])
    if len(points) < MAX_POINTS:
        st.session_state[POINTS] = [*points, list(click)]


def claims(spot: dict) -> bool:
    """Whether the map click `spot` belongs to the drawing (then it chooses no Gemeinde)."""
    return active() or (float(spot["lat"]), float(spot["lng"])) == st.session_state.get(SEEN)


def layers() -> list:
    """The drawing as a map layer while it has points."""
    points = st.session_state.get(POINTS, [])
    return [drawing_layer(points, lang=lang())] if points else []


def _switched() -> None:
    if active():  # the click that chose a Gemeinde before is no point of the new place
        st.session_state[SEEN] = _last_click()


def _undo() -> None:
    st.session_state[POINTS] = st.session_state.get(POINTS, [])[:-1]


def _discard() -> None:
    st.session_state[POINTS] = []
    st.session_state[SWITCH] = False


def _adopt() -> None:
    points = st.session_state.get(POINTS, [])
    feature = {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in points]]}
    try:
        st.session_state[PLACE] = drawn_place(feature)
    except AtlasError as err:
        st.session_state[PROBLEM] = error_text(err)
        return
    st.session_state[POINTS] = []
    st.session_state[SWITCH] = False


def chosen(place: Place) -> None:
    """Keep `place` as the new measure's place."""
    st.session_state[PLACE] = place
    st.session_state.pop(PROBLEM, None)


def place() -> Place | None:
    return st.session_state.get(PLACE)


def drop_place() -> None:
    st.session_state.pop(PLACE, None)


def switch() -> None:
    """The switch that starts drawing (in the new measure's place choice)."""
    st.toggle(_("Fläche zeichnen"), key=SWITCH, on_change=_switched,
              help=_("Solange der Schalter an ist, setzt jeder Klick in die Karte einen Punkt der Fläche; "
                     "eine Gemeinde wird dann nicht gewählt."))


def bar() -> None:
    """Right below the map while drawing: how many points are set, and the buttons that finish it."""
    points = st.session_state.get(POINTS, [])
    if problem := st.session_state.pop(PROBLEM, None):
        st.error(plain(_(problem)))
    if not points and not active():
        return
    cols = st.columns([3, 2, 2, 1], vertical_alignment="center")
    count = (_("{n} Punkte gesetzt – in die Karte klicken, um weitere zu setzen.") if active()
             else _("{n} Punkte gesetzt."))
    cols[0].caption(count.format(n=len(points)))
    cols[1].button(_("Letzten Punkt entfernen"), on_click=_undo, disabled=not points, key="w_punkt_weg")
    cols[2].button(_("Fläche übernehmen"), on_click=_adopt, disabled=len(points) < 3, type="primary",
                   key="w_flaeche_ok")
    cols[3].button(_("Verwerfen"), on_click=_discard, key="w_flaeche_weg")
