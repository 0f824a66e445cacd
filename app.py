"""Präventionsatlas Sachsen — the Streamlit app (the only module that imports streamlit).

Start with ``make run``. The view state lives in the URL (``?ags=14522180`` or
``?kreis=14522``), so a link opens the same view.
"""

from __future__ import annotations

import streamlit as st
from streamlit_folium import st_folium

from geo import boundaries, display
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.sources import MAP_ATTRIBUTION
from layers import boundaries as boundary_layers
from layers import maps

st.set_page_config(page_title="Präventionsatlas Sachsen", page_icon="🗺️", layout="wide")


@st.cache_data(show_spinner=False)
def gemeinde_options() -> dict[str, str]:
    return boundaries.gemeinde_labels()


@st.cache_data(show_spinner=False)
def kreis_options() -> dict[str, str]:
    return boundaries.kreis_labels()


def _selection_from_url() -> None:
    """Copy ``?ags=`` / ``?kreis=`` into the widgets once per session; bad values → message."""
    if "url_read" in st.session_state:
        return
    st.session_state.url_read = True
    ags, kreis = st.query_params.get("ags"), st.query_params.get("kreis")
    if ags is not None:
        if ags in gemeinde_options():
            st.session_state.gemeinde = ags
        else:
            st.session_state.url_warning = (
                f"Unbekannter Gemeindeschlüssel „{ags}“ in der Adresse – zeige ganz Sachsen."
            )
            del st.query_params["ags"]
    elif kreis is not None:
        if kreis in kreis_options():
            st.session_state.kreis = kreis
        else:
            st.session_state.url_warning = (
                f"Unbekannter Kreisschlüssel „{kreis}“ in der Adresse – zeige ganz Sachsen."
            )
            del st.query_params["kreis"]


def _on_gemeinde() -> None:
    st.session_state.kreis = None
    st.query_params.pop("kreis", None)
    if st.session_state.gemeinde:
        st.query_params["ags"] = st.session_state.gemeinde
    else:
        st.query_params.pop("ags", None)


def _on_kreis() -> None:
    st.session_state.gemeinde = None
    st.query_params.pop("ags", None)
    if st.session_state.kreis:
        st.query_params["kreis"] = st.session_state.kreis
    else:
        st.query_params.pop("kreis", None)


def sidebar() -> str | None:
    """Search box and Kreis selector; returns the selected area key or None for all of Saxony."""
    gemeinden, kreise = gemeinde_options(), kreis_options()
    with st.sidebar:
        st.header("Gebiet")
        st.selectbox(
            "Gemeinde suchen", options=list(gemeinden), format_func=gemeinden.__getitem__,
            index=None, placeholder="Name eingeben, z. B. Freiberg", key="gemeinde",
            on_change=_on_gemeinde,
            help="Alle 418 sächsischen Gemeinden; gleichnamige mit Kreis in Klammern.",
        )
        st.selectbox(
            "Kreis", options=list(kreise), format_func=kreise.__getitem__, index=None,
            placeholder="Landkreis oder kreisfreie Stadt", key="kreis", on_change=_on_kreis,
        )
    return st.session_state.get("gemeinde") or st.session_state.get("kreis")


def area_caption(key: str | None) -> str:
    if key is None:
        return "Sachsen · 418 Gemeinden · 13 Kreise"
    area = boundaries.area(key)
    einwohner = zahl(area.einwohner)
    if area.kind == "gemeinde":
        row = boundaries.gemeinde(key)
        return f"{area.name} · {row['kreis_name']} · {einwohner} Einwohner · AGS {key}"
    return f"{area.name} · {einwohner} Einwohner · Kreisschlüssel {key}"


def build_map(key: str | None):
    if key is None:
        m = maps.base_map()
    else:
        selected = display.area_display(key)
        west, south, east, north = selected.total_bounds
        m = maps.base_map(bounds=((south, west), (north, east)))
    boundary_layers.gemeinden_layer().add_to(m)
    boundary_layers.kreis_borders_layer().add_to(m)
    if key is not None:
        geojson = display.to_geojson(selected, properties=[])
        boundary_layers.selection_layer(geojson, name=boundaries.area(key).name).add_to(m)
    return maps.finish(m)


def main() -> None:
    _selection_from_url()
    key = sidebar()
    st.title("Präventionsatlas Sachsen")
    if warning := st.session_state.pop("url_warning", None):
        st.warning(warning)
    try:
        st.caption(area_caption(key))
        st_folium(build_map(key), key="karte", height=720, use_container_width=True,
                  returned_objects=[])
    except AtlasError as err:
        st.error(str(err))
    st.caption(" · ".join(MAP_ATTRIBUTION))


main()
