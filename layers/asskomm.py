"""ASSKomm members on the map: Gemeinde polygons filled by status, markers for analysis and council.

Fill colour: the kind of participation (Modellkommune / Kooperationsvereinbarung /
beteiligt). Border: solid dark for a kommunaler Präventionsrat, dashed for a planned
one. A marker at the Gemeinde's inner point: filled for a Sicherheitsanalyse done,
hollow for one planned. The legend says so, and says that the list is incomplete.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd

from geo import asskomm, display
from geo.lang import translate
from layers.legend import HtmlLegend, Swatch, legend_box
from layers.tooltips import SafeTooltip

STATUS_COLOURS = {
    "Modellkommune": "#1b7837",
    "Kooperationsvereinbarung": "#5aae61",
    "beteiligt": "#c2e699",
}
ANALYSIS_COLOUR = "#762a83"
COUNCIL_BORDER = {"ja": {"color": "#222222", "weight": 2.4, "dashArray": None},
                  "geplant": {"color": "#222222", "weight": 1.6, "dashArray": "4 3"},
                  "": {"color": "#6b6b6b", "weight": 0.8, "dashArray": None}}
LAYER_NAME = "ASSKomm-Netzwerk (unvollständig)"


def member_features(members: pd.DataFrame, *, lang: str = "de") -> gpd.GeoDataFrame:
    """Members joined to the display Gemeinden (``DISPLAY_CRS``), with the tooltip's text fields.

    Adds ``status_text``, ``datum_text`` (agreement date or "Datum unbekannt"),
    ``praeventionsrat_text``, ``sicherheitsanalyse_text``, ``herkunft`` ("mitgeliefert"
    unless the rows come from :func:`geo.asskomm.merge_members`) and the style fields
    ``fill`` and ``rat``. The ``*_text`` fields are in `lang`; names, sources and the
    Verbund stay as listed.
    """
    gem = display.gemeinden_display()[["ags", "geometry"]]
    if "herkunft" not in members.columns:
        members = members.assign(herkunft="mitgeliefert")
    gdf = gem.merge(members, on="ags", how="inner", validate="one_to_one")
    status = [translate(s, lang) for s in gdf["status"]]
    status_text = [s if not v else f"{s} ({v})" for s, v in zip(status, gdf["verbund"], strict=True)]
    return gdf.assign(
        status_text=status_text,
        datum_text=[translate(asskomm.date_text(d), lang) for d in gdf["kooperationsvereinbarung"]],
        praeventionsrat_text=[translate(v or "keine Angabe", lang) for v in gdf["praeventionsrat"]],
        sicherheitsanalyse_text=[translate(v or "keine Angabe", lang) for v in gdf["sicherheitsanalyse"]],
        herkunft=[translate(h, lang) for h in gdf["herkunft"]],
        fill=gdf["status"].map(STATUS_COLOURS),
        rat=gdf["praeventionsrat"],
    ).sort_values("ags", ignore_index=True)


_FIELDS = ["gemeinde", "kreis", "status_text", "datum_text", "praeventionsrat_text",
           "sicherheitsanalyse_text", "quelle", "herkunft"]
_ALIASES = ["Gemeinde", "Kreis", "Status", "Kooperationsvereinbarung", "Präventionsrat",
            "Sicherheitsanalyse", "Quelle", "Herkunft"]


def member_geojson(members: pd.DataFrame, *, lang: str = "de") -> str:
    """Compact GeoJSON of the member polygons with tooltip and style fields."""
    gdf = member_features(members, lang=lang)
    return display.to_geojson(gdf, properties=["ags", *_FIELDS, "fill", "rat"])


def analysis_geojson(members: pd.DataFrame, *, lang: str = "de") -> str:
    """Points (inner point of each Gemeinde) of members with a Sicherheitsanalyse done or planned."""
    gdf = member_features(members, lang=lang)
    gdf = gdf[gdf["sicherheitsanalyse"] != ""].copy()
    gdf = gdf.set_geometry(gdf.geometry.representative_point())
    return display.to_geojson(gdf, properties=["ags", *_FIELDS, "sicherheitsanalyse"])


def _polygon_style(feature: dict) -> dict:
    props = feature["properties"]
    border = COUNCIL_BORDER[props["rat"]]
    return {"fillColor": props["fill"], "fillOpacity": 0.65, "opacity": 0.95, **border}


def _tooltip(lang: str) -> SafeTooltip:
    return SafeTooltip(fields=_FIELDS, aliases=[translate(a, lang) for a in _ALIASES], sticky=True)


def asskomm_layer(members: pd.DataFrame | None = None, *, show: bool = True, lang: str = "de"
                  ) -> folium.FeatureGroup:
    """The ASSKomm layer: member polygons by status and Sicherheitsanalyse markers.

    Parameters
    ----------
    members : DataFrame, optional
        As returned by :func:`geo.asskomm.load_members` or :func:`geo.asskomm.merge_members`;
        the shipped list by default.
    show : bool
        Whether the layer is switched on when the map opens.
    lang : {"de", "en"}
        Language of the layer name and the tooltips.
    """
    members = asskomm.load_members() if members is None else members
    group = folium.FeatureGroup(name=translate(LAYER_NAME, lang), show=show)
    folium.GeoJson(
        member_geojson(members, lang=lang),
        name=translate("ASSKomm-Kommunen", lang),
        style_function=_polygon_style,
        highlight_function=lambda _: {"weight": 3.0, "fillOpacity": 0.8},
        tooltip=_tooltip(lang),
        smooth_factor=0.5,
    ).add_to(group)
    folium.GeoJson(
        analysis_geojson(members, lang=lang),
        name=translate("Sicherheitsanalysen", lang),
        marker=folium.CircleMarker(radius=6, weight=2, color=ANALYSIS_COLOUR),
        style_function=lambda f: {
            "fillColor": ANALYSIS_COLOUR if f["properties"]["sicherheitsanalyse"] == "durchgeführt"
            else "#ffffff",
            "fillOpacity": 1.0},
        tooltip=_tooltip(lang),
    ).add_to(group)
    return group


def legend_entries() -> list[tuple[str, dict]]:
    """(label, style) pairs of the legend, in display order."""
    entries = [(status, {"fillColor": colour}) for status, colour in STATUS_COLOURS.items()]
    entries += [
        ("Präventionsrat", {"border": "solid"}),
        ("Präventionsrat geplant", {"border": "dashed"}),
        ("Sicherheitsanalyse durchgeführt", {"marker": "filled"}),
        ("Sicherheitsanalyse geplant", {"marker": "hollow"}),
    ]
    return entries


def _swatch(spec: dict) -> Swatch:
    if "fillColor" in spec:
        return Swatch(fill=spec["fillColor"], border="1px solid #6b6b6b")
    if "border" in spec:
        return Swatch(border=f"2px {spec['border']} #222")
    fill = ANALYSIS_COLOUR if spec["marker"] == "filled" else "#fff"
    return Swatch(fill=fill, border=f"2px solid {ANALYSIS_COLOUR}", round=True)


#: The incompleteness note where a paragraph is too long (the shared screen).
UNVOLLSTAENDIG_KURZ = "Liste aus öffentlichen Quellen, unvollständig."


def legend_html(*, lang: str = "de", short: bool = False) -> str:
    """The legend as an HTML fragment (inline styles only), ending with the incompleteness note
    (`short`: in one line)."""
    rows = [(_swatch(spec), translate(label, lang)) for label, spec in legend_entries()]
    note = UNVOLLSTAENDIG_KURZ if short else asskomm.UNVOLLSTAENDIG
    return legend_box("ASSKomm", rows, note=translate(note, lang))


def legend(*, lang: str = "de", short: bool = False) -> HtmlLegend:
    """The ASSKomm legend control (bottom right, as the other overlays'); add it to the map with
    ``m.add_child(legend())``."""
    return HtmlLegend(legend_html(lang=lang, short=short), position="bottomright")
