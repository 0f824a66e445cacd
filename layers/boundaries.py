"""Gemeinde and Kreis boundaries, and the highlight of a selected area."""

from __future__ import annotations

import functools

import folium

from geo import display
from geo.fmt import zahl
from layers import style


@functools.cache
def gemeinden_geojson() -> str:
    """Compact GeoJSON of the display Gemeinden with the tooltip's fields."""
    gdf = display.gemeinden_display()
    gdf["kreis"] = gdf["kreis_name"]
    gdf["einwohner_text"] = gdf["einwohner"].map(zahl)
    return display.to_geojson(gdf, properties=["ags", "name", "kreis", "einwohner_text"])


@functools.cache
def kreis_borders_geojson() -> str:
    """Compact GeoJSON of all Kreis borders (one MultiLineString)."""
    return display.geometry_to_geojson(display.kreis_borders_display())


def gemeinden_layer(*, interactive: bool = True) -> folium.GeoJson:
    """All 418 Gemeinden: thin borders, hover highlight, tooltip with name, Kreis, Einwohner, AGS.

    With ``interactive=False`` only the borders (e.g. above a Kreis choropleth, whose
    own tooltip must stay reachable).
    """
    if not interactive:
        return folium.GeoJson(gemeinden_geojson(), name="Gemeindegrenzen", interactive=False,
                              style_function=lambda _: {**style.GEMEINDE_BORDER, **style.GEMEINDE_FILL},
                              smooth_factor=0.5)
    return folium.GeoJson(
        gemeinden_geojson(),
        name="Gemeinden",
        style_function=lambda _: {**style.GEMEINDE_BORDER, **style.GEMEINDE_FILL},
        highlight_function=lambda _: style.GEMEINDE_HOVER,
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "kreis", "einwohner_text", "ags"],
            aliases=["Gemeinde", "Kreis", "Einwohner", "AGS"],
            sticky=True,
        ),
        smooth_factor=0.5,
    )


def kreis_borders_layer() -> folium.GeoJson:
    """Kreis and Land borders, drawn stronger than Gemeinde borders, not interactive."""
    return folium.GeoJson(
        kreis_borders_geojson(),
        name="Kreisgrenzen",
        style_function=lambda _: style.KREIS_BORDER,
        interactive=False,
        smooth_factor=0.5,
    )


def selection_layer(geojson: str, *, name: str) -> folium.GeoJson:
    """The selected Gemeinde or Kreis outlined in the selection colour (not interactive)."""
    return folium.GeoJson(
        geojson,
        name=f"Auswahl: {name}",
        style_function=lambda _: style.SELECTION,
        interactive=False,
    )
