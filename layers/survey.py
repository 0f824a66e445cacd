"""Bürgerbefragung on the map: Angsträume, shares feeling unsafe, and the coincidence classes."""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from geo import display
from geo.crs import DISPLAY_CRS
from geo.fmt import zahl
from geo.lang import translate
from geo.survey.coincide import BOTH, FEAR_ONLY, INCIDENTS_ONLY, NEITHER, TOO_SMALL, Coincidence
from geo.survey.shares import per_gemeinde
from layers.legend import HtmlLegend, Swatch, legend_box
from layers.tooltips import SafeTooltip

FEAR_COLOUR = "#7b3294"
#: Share feeling unsafe at night: upper class bounds (fraction) and fill colours.
SHARE_BREAKS = (0.15, 0.20, 0.25, 0.30, 1.0)
SHARE_COLOURS = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
SMALL_SAMPLE_FILL = "#bdbdbd"
CLASS_COLOURS = {
    BOTH: "#d7191c",
    FEAR_ONLY: "#7b3294",
    INCIDENTS_ONLY: "#fdae61",
    NEITHER: "#f7f7f7",
    TOO_SMALL: "#bdbdbd",
}


def _percent(value: float, *, lang: str = "de") -> str:
    return f"{zahl(100 * value, 1, lang=lang)} %"


def angstraeume_geojson(angstraeume: gpd.GeoDataFrame, *, lang: str = "de") -> str:
    """Angsträume in ``DISPLAY_CRS`` with tooltip fields and the marker radius (pixels)."""
    gdf = angstraeume.to_crs(DISPLAY_CRS)
    gdf = gdf.set_geometry(display.round_coordinates(gdf.geometry.values))
    gdf = gdf.assign(nennungen_text=[zahl(n, lang=lang) for n in gdf["nennungen"]],
                     radius=np.round(4 + 2 * np.sqrt(gdf["nennungen"].to_numpy()), 1))
    return display.to_geojson(gdf, properties=["name", "kategorie", "nennungen", "nennungen_text", "art",
                                               "radius"])


def angstraeume_layer(angstraeume: gpd.GeoDataFrame, *, label: str = "", lang: str = "de") -> folium.GeoJson:
    """Angsträume: circles sized by mentions (area ∝ mentions), lines and areas outlined.

    `label` (e.g. "Demodaten (synthetisch)") is added to the layer name; texts in `lang`
    (the places' own names and categories stay as imported).
    """
    return folium.GeoJson(
        angstraeume_geojson(angstraeume, lang=lang),
        name=_layer_name("Angsträume (Befragung)", label, lang=lang),
        marker=folium.CircleMarker(radius=6, color=FEAR_COLOUR, weight=1.5, fill=True),
        style_function=lambda f: {"color": FEAR_COLOUR, "weight": 2.0, "fillColor": FEAR_COLOUR,
                                  "fillOpacity": 0.35, "radius": f["properties"]["radius"]},
        tooltip=SafeTooltip(fields=["name", "kategorie", "nennungen_text"],
                                      aliases=[translate(a, lang) for a in ("Angstraum", "Kategorie",
                                                                             "Nennungen")],
                                      sticky=True),
    )


def share_colour(share: float, *, too_small: bool = False) -> str:
    """Fill colour of a share (fraction); grey where the sample is too small."""
    if too_small:
        return SMALL_SAMPLE_FILL
    return SHARE_COLOURS[int(np.searchsorted(SHARE_BREAKS, share, side="left"))]


def shares_geojson(shares: pd.DataFrame, *, lang: str = "de") -> str:
    """Per-Gemeinde shares joined to the display Gemeinden, with tooltip text and fill colour.

    Ortsteil rows are summed to their Gemeinde (:func:`geo.survey.shares.per_gemeinde`).
    """
    if shares["ags"].duplicated().any() or (shares["gebiet"] != "").any():
        shares = per_gemeinde(shares)
    gem = display.gemeinden_display()[["ags", "geometry"]]
    gdf = gem.merge(shares, on="ags", how="inner", validate="one_to_one")
    few = f" ({translate('zu wenige Antworten', lang)})"
    gdf = gdf.assign(
        anteil_text=[_percent(v, lang=lang) for v in gdf["anteil"]],
        intervall_text=[f"{_percent(lo, lang=lang)} – {_percent(hi, lang=lang)}"
                        for lo, hi in zip(gdf["ci_low"], gdf["ci_high"], strict=True)],
        n_text=[zahl(n, lang=lang) + (few if small else "") for n, small in zip(gdf["n"], gdf["zu_klein"],
                                                                                   strict=True)],
        fill=[share_colour(s, too_small=z) for s, z in zip(gdf["anteil"], gdf["zu_klein"], strict=True)],
    )
    return display.to_geojson(gdf, properties=["ags", "gemeinde", "anteil_text", "intervall_text", "n_text",
                                               "fill"])


def shares_layer(shares: pd.DataFrame, *, label: str = "", show: bool = False, lang: str = "de"
                 ) -> folium.GeoJson:
    """Choropleth of the share feeling unsafe at night, with its Wilson interval in the tooltip."""
    return _filled_areas(
        shares_geojson(shares, lang=lang), show=show, lang=lang,
        name=_layer_name("Unsicherheitsgefühl nachts (Befragung)", label, lang=lang),
        fill_opacity=0.7, border={"color": "#6b6b6b", "weight": 0.5},
        fields=["gemeinde", "anteil_text", "intervall_text", "n_text"],
        aliases=["Gemeinde", "Fühlt sich nachts unsicher", "95-%-Intervall (Wilson)", "Antworten"])


def coincidence_geojson(result: Coincidence, *, lang: str = "de") -> str:
    """The coincidence table in ``DISPLAY_CRS`` with class, colour and tooltip text."""
    gdf = result.table
    if "ags" in gdf.columns:  # per Gemeinde: use the light display geometry
        shapes = display.gemeinden_display()[["ags", "geometry"]]
        gdf = shapes.merge(gdf.drop(columns="geometry"), on="ags", how="inner")
        gdf = gdf.assign(gebiet=gdf["gemeinde"], angst_text=[_percent(v, lang=lang) for v in gdf["anteil"]])
    else:
        gdf = gdf.to_crs(DISPLAY_CRS)
        cell, mentions = translate("Zelle {cell}", lang), translate("{n} Nennungen", lang)
        gdf = gdf.assign(gebiet=[cell.format(cell=c) + (f": {o}" if o else "")
                                 for c, o in zip(gdf["zelle"], gdf["orte"], strict=True)],
                         angst_text=[mentions.format(n=zahl(n, lang=lang)) for n in gdf["nennungen"]])
    expected = translate("{n} (erwartet {expected})", lang)
    gdf = gdf.assign(vorfaelle_text=[expected.format(n=zahl(n, lang=lang), expected=zahl(e, 1, lang=lang))
                                     for n, e in zip(gdf["vorfaelle"], gdf["erwartet"], strict=True)],
                     fill=gdf["klasse"].map(CLASS_COLOURS),
                     klasse=[translate(k, lang) for k in gdf["klasse"]])
    return display.to_geojson(gdf, properties=["gebiet", "klasse", "angst_text", "vorfaelle_text", "fill"])


def coincidence_layer(result: Coincidence, *, label: str = "", show: bool = True, lang: str = "de"
                      ) -> folium.GeoJson:
    """Areas (Gemeinden or grid cells) coloured by coincidence class."""
    return _filled_areas(
        coincidence_geojson(result, lang=lang), name=_layer_name("Angst und Vorfälle", label, lang=lang),
        show=show, lang=lang,
        fill_opacity=0.65, border={"color": "#444444", "weight": 0.6},
        fields=["gebiet", "klasse", "angst_text", "vorfaelle_text"],
        aliases=["Gebiet", "Einordnung", "Angst", "Vorfälle"])


def _layer_name(name: str, label: str, *, lang: str = "de") -> str:
    """`name` and `label` (both German) in `lang`, joined by a dash."""
    return translate(name, lang) + (f" – {translate(label, lang)}" if label else "")


def _filled_areas(geojson: str, *, name: str, show: bool, fill_opacity: float, border: dict,
                  fields: list[str], aliases: list[str], lang: str = "de") -> folium.GeoJson:
    """Polygons filled by their ``fill`` property, with a sticky tooltip of `fields` (`aliases` in `lang`)."""
    aliases = [translate(alias, lang) for alias in aliases]
    return folium.GeoJson(
        geojson, name=name, show=show,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": fill_opacity,
                                  **border},
        tooltip=SafeTooltip(fields=fields, aliases=aliases, sticky=True),
        smooth_factor=0.5,
    )


def shares_legend(*, lang: str = "de") -> HtmlLegend:
    """Legend of :func:`shares_layer`: the share classes and the grey of too few answers."""
    lows = (0.0, *SHARE_BREAKS[:-1])
    rows = [(colour, f"{_percent(lo, lang=lang)} – {_percent(hi, lang=lang)}" if hi < 1
             else translate("ab {share}", lang).format(share=_percent(lo, lang=lang)))
            for colour, lo, hi in zip(SHARE_COLOURS, lows, SHARE_BREAKS, strict=True)]
    rows.append((SMALL_SAMPLE_FILL, translate("zu wenige Antworten", lang)))
    return HtmlLegend(legend_box(translate("Fühlt sich nachts unsicher", lang), rows), position="bottomright")


def coincidence_legend(*, lang: str = "de") -> HtmlLegend:
    """Legend of :func:`coincidence_layer`: its five classes."""
    rows = [(Swatch(fill=colour, border="1px solid #6b6b6b"), translate(name, lang))
            for name, colour in CLASS_COLOURS.items()]
    return HtmlLegend(legend_box(translate("Angst und Vorfälle", lang), rows), position="bottomright")


def angstraeume_legend(*, lang: str = "de") -> HtmlLegend:
    """Legend of :func:`angstraeume_layer`: what a circle stands for."""
    rows = [(Swatch(fill=FEAR_COLOUR, border=f"2px solid {FEAR_COLOUR}", round=True),
             translate("Angstraum aus der Befragung (Fläche ∝ Nennungen)", lang))]
    return HtmlLegend(legend_box(translate("Angsträume (Befragung)", lang), rows), position="bottomright")
