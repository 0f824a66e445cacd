"""Präventionsatlas Sachsen — the Streamlit app: page set-up and the order of the screen's regions.

Start with ``make run``. Everything the user sees is a `geo.view.View`, kept in the URL
(``?ags=14522180&kategorie=graffiti&methode=gi&modus=sitzung``), so a link opens the
same view. The screens live in :mod:`ui` (which calls ``geo`` and ``layers`` for every
figure and layer); this file only places them. The interface is German, or English with
``?sprache=en`` (:mod:`geo.lang`, :mod:`ui.i18n`). Who may see what: :mod:`ui.login` (the login,
and no start on an address others reach without it).
"""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.sources import ATTRIBUTION_PKS, MAP_ATTRIBUTION
from geo.store import StoreBusyError, StoreDamagedError, StoreUnwritableError
from geo.store.access import AccessDeniedError
from ui import (
    council,
    damaged,
    data,
    datasets,
    exports,
    login,
    map_view,
    measures,
    panels,
    sequences,
    sidebar,
    state,
)
from ui.i18n import _, error, lang, plain

st.set_page_config(page_title="Präventionsatlas Sachsen", page_icon="🗺️", layout="wide")


def main() -> None:
    login.gate()  # the login page, or why the atlas does not start, for whoever may not see it
    data.new_run()
    problems = state.init_widgets()
    in_council = state.council()
    if in_council:
        council.style()
    else:
        sidebar.style()
        with st.sidebar:
            login.account()
            sidebar.language()
            sidebar.background()
            datasets.choose()  # settles the data set choice first
    points, *_unused, source_key = data.source_for(state.dataset())
    if not in_council:
        with st.sidebar:
            sidebar.area()
            sidebar.selection(points)
            sidebar.method()
            sidebar.overlays()
            sequences.prepare(state.current_view())
    view = state.current_view()
    state.sync_url(view)
    if in_council:
        council.controls()
    damaged.notice()
    for problem in problems:
        st.warning(plain(_(problem)))  # they quote the URL: text, never a link
    try:
        analysis = data.cached_analysis(source_key, view)
    except AtlasError as err:
        st.title(_("Präventionsatlas Sachsen"))
        error(err)
        return
    line = analysis.title_line(lang=lang())
    if in_council:
        council.heading(view, line)
    else:
        st.title(_("Präventionsatlas Sachsen"))
        st.caption(plain(f"{view.title} · {line}" if view.title else line))
    try:
        extra, overlay_layers = data.overlays(view, points, council=in_council)
    except AtlasError as err:
        error(err)
        extra, overlay_layers = {}, []
    shown = data.shown_points(source_key, points, analysis)
    map_col, side_col = (st.container(), None) if in_council else st.columns([3, 1])
    with map_col:
        clicked = map_view.show(analysis, shown=shown, overlay_layers=overlay_layers)
        if not in_council:
            measures.screen(analysis, points, source_key)  # the Maßnahmenregister
            panels.concentration(analysis)
    if side_col is not None:
        with side_col:
            panels.side(analysis, points, shown)
        ags = clicked or (view.area if view.area and len(view.area) == 8 else None)
        if ags and not points.empty:
            panels.detail(points, ags, view)
        panels.overlays(extra)
        exports.results(analysis)
    if not in_council or view.dataset == state.PKS:  # the council's map carries the lines at 20 px itself
        st.caption(" · ".join([*MAP_ATTRIBUTION, *([ATTRIBUTION_PKS] if view.dataset == state.PKS else [])]))


try:
    main()
except StoreDamagedError as err:  # the store file is damaged: what can be done, and the way out
    damaged.show(err)
except (StoreUnwritableError, StoreBusyError) as err:  # read-only, full or busy: say so, change nothing
    error(err)
except AccessDeniedError as err:  # the store refused this role what the page asked for
    error(err)
