"""Gemeinde (or Kreis) choropleth of empirical-Bayes smoothed rates; suppressed areas grey.

Classes are quantiles of the smoothed rate over the areas with a figure (five by
default, fewer when values repeat). Areas below the minimum count are filled grey
and their tooltip says "weniger als N Fälle – keine Angabe"; no figure of theirs is
in the GeoJSON at all. The legend is a :mod:`layers.legend` box.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np

from geo import display
from geo.fmt import zahl
from geo.lang import phrase, translate
from layers.boundaries import GemeindeFills
from layers.legend import HtmlLegend, legend_box
from layers.style import CHOROPLETH_OPACITY
from layers.tooltips import SafeTooltip

#: Sequential purples, light to dark.
RATE_COLOURS = ("#f2f0f7", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
SUPPRESSED_COLOUR = "#bdbdbd"


def class_breaks(values: np.ndarray, *, classes: int = len(RATE_COLOURS)) -> np.ndarray:
    """Upper class limits (quantiles) of the finite `values`, unique, last = maximum."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return np.zeros(0)
    return np.unique(np.quantile(finite, np.linspace(0, 1, classes + 1)[1:]))


def rate_features(rates: gpd.GeoDataFrame, *, classes: int = len(RATE_COLOURS), lang: str = "de"
                  ) -> gpd.GeoDataFrame:
    """Display geometry (``DISPLAY_CRS``) with ``fill`` and tooltip texts per area.

    Parameters
    ----------
    rates : GeoDataFrame
        From :func:`geo.hotspots.area_rates` or :func:`geo.hotspots.aggregate_rates`.
    classes : int
        Number of quantile classes (fewer when values repeat).
    lang : {"de", "en"}
        Language of the texts and numbers in the ``*_text`` columns.
    """
    level = rates.attrs.get("level", "gemeinde" if rates["ags"].str.len().eq(8).all() else "kreis")
    min_count = rates.attrs.get("min_count", 3)
    if level == "gemeinde":
        shapes = display.gemeinden_display().rename(columns={"kreis_name": "kreis"})
    else:
        shapes = display.kreise_display().rename(columns={"kreis_ags": "ags", "kreis_name": "kreis"})
    shapes = shapes[["ags", "kreis", "geometry"]]
    table = rates.drop(columns="geometry")
    gdf = shapes.merge(table, on="ags", how="inner", validate="one_to_one")
    smoothed = gdf["rate_smoothed"].to_numpy(dtype=np.float64, na_value=np.nan)
    breaks = class_breaks(smoothed, classes=classes)
    index = np.searchsorted(breaks, smoothed, side="left").clip(0, max(len(breaks) - 1, 0))
    palette = np.asarray(RATE_COLOURS[-len(breaks):] if len(breaks) else RATE_COLOURS[:1], dtype=object)
    sup = gdf["suppressed"].to_numpy(dtype=bool) | ~np.isfinite(smoothed)
    fill = np.where(sup, SUPPRESSED_COLOUR, palette[index] if len(breaks) else SUPPRESSED_COLOUR)
    hidden = suppressed_text(min_count, lang=lang)

    def text(column: str, decimals: int) -> list[str]:
        return [hidden if s else zahl(v, decimals, lang=lang) for s, v in zip(sup, gdf[column], strict=True)]

    interval = [hidden if s else f"{zahl(lo, 2, lang=lang)} – {zahl(hi, 2, lang=lang)}"
                for s, lo, hi in zip(sup, gdf["rate_low"], gdf["rate_high"], strict=True)]
    return gdf.assign(fill=fill, count_text=text("count", 0), rate_text=text("rate", 2),
                      smoothed_text=text("rate_smoothed", 2), interval_text=interval,
                      ratio_text=text("ratio_smoothed", 2),
                      pooled_text=gdf["pooled"].replace("", "–"),
                      einwohner_text=[zahl(v, lang=lang) for v in gdf["einwohner"]])


def suppressed_text(min_count: int, *, lang: str = "de") -> str:
    """What an area below the minimum count shows instead of figures."""
    return translate(phrase("weniger als {n} Fälle – keine Angabe", n=min_count), lang)


_FIELDS = ["name", "kreis", "einwohner_text", "ags", "count_text", "rate_text", "smoothed_text",
           "interval_text", "ratio_text", "pooled_text"]
_ALIASES = ["Gebiet", "Kreis", "Einwohner", "Schlüssel", "Vorfälle", "Rate je 1.000 Einw.", "geglättete Rate",
            "Bereich (90 %)", "Verhältnis zu Sachsen", "zusammengefasst"]


def rates_layer(rates: gpd.GeoDataFrame, *, name: str = "Rate je 1.000 Einwohner (geglättet)",
                show: bool = True, lang: str = "de") -> folium.FeatureGroup:
    """Choropleth of the smoothed rates; suppressed areas grey without figures.

    Gemeinde rates colour the map's one Gemeinde layer (:class:`layers.boundaries.GemeindeFills`:
    colours and tooltip rows per AGS, no second copy of the shapes); Kreis rates are their
    own 13 polygons with a tooltip. `name` (German) and all texts are shown in `lang`.
    """
    gdf = rate_features(rates, lang=lang)
    name = translate(name, lang)
    aliases = [translate(alias, lang) for alias in _ALIASES]
    group = folium.FeatureGroup(name=name, show=show)
    if gdf["ags"].str.len().eq(8).all():
        fields = _FIELDS[4:]  # name, Kreis, Einwohner and AGS are in the Gemeinde tooltip already
        labels = aliases[4:]
        pooled = fields.index("pooled_text")  # a row only where the Gemeinde was pooled
        rows = {a: [row for i, row in enumerate(zip(labels, values, strict=True))
                    if i != pooled or row[1] != "–"]
                for a, *values in gdf[["ags", *fields]].itertuples(index=False)}
        for a in gdf.loc[gdf["fill"] == SUPPRESSED_COLOUR, "ags"]:  # one row says it, not five
            rows[a] = rows[a][:1]
        GemeindeFills(dict(zip(gdf["ags"], gdf["fill"], strict=True)), rows).add_to(group)
        return group
    geojson = display.to_geojson(gdf, properties=[*_FIELDS, "fill"])
    folium.GeoJson(
        geojson, name=name,
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "fillOpacity": CHOROPLETH_OPACITY,
                                  "color": "#6b6b6b", "weight": 0.6},
        highlight_function=lambda _: {"weight": 2.0, "color": "#111111"},
        tooltip=SafeTooltip(fields=_FIELDS, aliases=aliases, sticky=True),
        smooth_factor=0.5,
    ).add_to(group)
    return group


def rates_legend_html(rates: gpd.GeoDataFrame, *, lang: str = "de") -> str:
    """Class limits of the smoothed rate, the grey 'no figure' entry and the Saxon rate, in `lang`."""
    title, rows, note = rates_legend_entries(rates, lang=lang)
    return legend_box(title, rows, note=note)


def rates_legend_entries(rates: gpd.GeoDataFrame, *,
                         lang: str = "de") -> tuple[str, list[tuple[str, str]], str]:
    """Title, (colour, label) rows and note of the rates legend (web map and PNG alike)."""
    smoothed = rates["rate_smoothed"].to_numpy(dtype=np.float64, na_value=np.nan)
    breaks = class_breaks(smoothed)
    colours = RATE_COLOURS[-len(breaks):] if len(breaks) else ()
    lows = [np.nanmin(smoothed), *breaks[:-1]] if len(breaks) else []
    rows = [(c, f"{zahl(lo, 2, lang=lang)} – {zahl(hi, 2, lang=lang)}")
            for c, lo, hi in zip(colours, lows, breaks, strict=True)]
    rows.append((SUPPRESSED_COLOUR, suppressed_text(rates.attrs.get("min_count", 3), lang=lang)))
    saxony = rates.attrs.get("saxony_rate")
    notes = []
    if saxony is not None:
        notes.append(translate(phrase("Sachsen: {rate:.2f} je 1.000 Einwohner.", rate=saxony), lang))
    notes.append(translate("Geglättet (Empirical Bayes): kleine Orte werden zum Landeswert hin gezogen.",
                           lang))
    return translate("Vorfälle je 1.000 Einwohner", lang), rows, " ".join(notes)


def rates_legend(rates: gpd.GeoDataFrame, *, lang: str = "de") -> HtmlLegend:
    """The legend control; ``m.add_child(rates_legend(rates))``."""
    return HtmlLegend(rates_legend_html(rates, lang=lang), position="bottomleft")
