"""The map: the base (418 Gemeinden, Kreise, controls) stays in the browser; a redraw only
swaps the view's layers (`layers.compose`)."""

from __future__ import annotations

from streamlit_folium import st_folium

from geo.analysis import Analysis
from geo.incidents.assign import ags_at
from layers import compose
from ui import council, drawing
from ui.data import osm_data, static_files
from ui.i18n import lang
from ui.state import basemap

PLANNER_MAP_HEIGHT = 680


def show(analysis: Analysis, *, shown, overlay_layers: list) -> str | None:
    """Draw the view's map; return the AGS of the Gemeinde the planner clicked, if any (while a
    measure's place is drawn, clicks set its points instead: :mod:`ui.drawing`)."""
    in_council = analysis.view.mode == "sitzung"
    served = static_files()
    if not in_council:
        drawing.take_click()
        overlay_layers = [*overlay_layers, *drawing.layers()]
    groups = compose.live_groups(compose.view_groups(analysis, points=shown, council=in_council,
                                                     overlays=overlay_layers, served=served, lang=lang(),
                                                     osm=osm_data()))
    base = compose.base(council=in_council, served=served, lang=lang(), basemap=basemap())
    clicked = st_folium(base, key="karte",
                        height=council.map_height(analysis.view) if in_council else PLANNER_MAP_HEIGHT,
                        use_container_width=True, feature_group_to_add=groups,
                        layer_control=None if in_council else compose.layer_switcher(groups),
                        returned_objects=[] if in_council else ["last_clicked"])
    spot = (clicked or {}).get("last_clicked")
    return ags_at(spot["lng"], spot["lat"]) if spot and not drawing.claims(spot) else None
