"""The shared screen of a prevention council (``?modus=sitzung``): large type, no sidebar,
a heading that says what is shown, and previous/next through a saved view sequence."""

from __future__ import annotations

import dataclasses

import streamlit as st

from geo import view as views
from layers import basemaps
from ui import login, measure_effect
from ui.data import named_measure
from ui.i18n import _, html_text, plain
from ui.state import current_view, go_to

MAP_HEIGHT = 790  # px: controls, title, its line and the map fit a 1920×1080 projector
MEASURE_LINE_PX = 40  # a measure the view names takes a line above the map,
VERDICT_LINE_PX = 34  # and its verdict one per started VERDICT_LINE_CHARS characters
VERDICT_LINE_CHARS = 130
_EXTRA = "_council_heading_extra_px"  # what this run's heading took beyond title and line
CSS = """<style>
section[data-testid="stSidebar"], [data-testid="collapsedControl"], header {display: none !important;}
.block-container {padding-top: 0.6rem; padding-bottom: 0 !important; max-width: 100% !important;}
html, body, [class*="css"], p, li, label, .stMarkdown {font-size: 22px !important;}
.atlas-title {font-size: 34px !important; font-weight: 700; color: #000; margin: 0 0 0.3rem 0; padding: 0;}
.atlas-line {font-size: 22px !important; color: #000; margin: 0 0 0.3rem 0;}
.atlas-measure {font-size: 22px !important; color: #000; margin: 0 0 0.2rem 0; font-weight: 600;}
.atlas-verdict {font-size: 22px !important; color: #000; margin: 0 0 0.3rem 0;}
</style>"""


def style() -> None:
    """Large type and no sidebar; the URL decides language and background (nobody can switch them here)."""
    st.markdown(CSS, unsafe_allow_html=True)
    params = st.query_params.to_dict()
    st.session_state.w_sprache = views.language_from_query(params)[0]
    st.session_state.w_karte = views.basemap_from_query(params, basemaps.configured_default())[0]


def controls() -> None:
    """Previous/next through a saved sequence, and the way back to the planner view (for a role held
    here, Rat: "Abmelden" instead)."""
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
        cols[2].markdown(_("Ansicht {nr} von {total} · {name}").format(nr=nr, total=total, name=plain(name)))
    if login.held():
        login.logout_button(cols[3])
    elif cols[3].button(_("Sitzungsmodus beenden")):
        st.session_state.pop("folge", None)
        go_to(views.to_query(dataclasses.replace(current_view(), mode="planung")))
        st.rerun()


def map_height(view: views.View) -> int:
    """The map's height on the shared screen: less by what the heading took for a measure."""
    return MAP_HEIGHT - (st.session_state.get(_EXTRA, 0) if view.measure is not None else 0)


def heading(view: views.View, line: str) -> None:
    """A saved view's own title first ("Graffiti Innenstadt 2024"), else the title of the measure
    the view names, then what it shows; a measure with its Art, Status, Zeitraum and verdict."""
    measure = named_measure(view) if view.measure is not None else None
    title = view.title or (measure.title if measure is not None else "")
    text = f"<h1 class='atlas-title'>{html_text(title or line)}</h1>"
    if title:
        text += f"<p class='atlas-line'>{html_text(line)}</p>"
    st.session_state[_EXTRA] = 0
    if measure is not None:
        lines, verdict = measure_effect.council_html(measure, view, with_title=bool(view.title))
        text += lines
        st.session_state[_EXTRA] = MEASURE_LINE_PX + VERDICT_LINE_PX * -(-len(verdict) // VERDICT_LINE_CHARS)
    elif view.measure is not None:
        st.warning(_("Maßnahme Nr. {nr} gibt es nicht im Register.").format(nr=view.measure))
    st.markdown(text, unsafe_allow_html=True)
