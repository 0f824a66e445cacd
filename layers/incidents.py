"""Incident points for planners: one clustered layer per category.

Only for the planner view: individual incidents must never appear in the
shared-screen mode (callers decide; this module does not know the mode). Points are
clustered below :data:`UNCLUSTER_ZOOM` and drawn as small circles in the category's
colour above it; the tooltip shows category and date. Demo data says so in every
layer name ("Demodaten (synthetisch)").

The category colours live here, in :data:`CATEGORY_COLOURS` (Okabe–Ito based, told
apart with colour-vision deficiency), not in :mod:`layers.style`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import folium
import geopandas as gpd
import numpy as np
from folium.plugins import FastMarkerCluster

from geo.crs import METRIC_CRS, require_crs, to_display
from geo.incidents import CATEGORIES, CATEGORY_LABELS, DEMO_LABEL
from geo.lang import translate

#: Category → colour of its points and clusters.
CATEGORY_COLOURS = {
    "graffiti": "#cc79a7",
    "littering": "#009e73",
    "violence": "#d55e00",
    "extremism": "#000000",
    "drugs": "#e69f00",
    "other": "#0072b2",
}
UNCLUSTER_ZOOM = 15
_DECIMALS = 5  # about 1 m: enough for a point, small in the page

_CALLBACK = """
function (row) {{
    var marker = L.circleMarker(new L.LatLng(row[0], row[1]), {{
        radius: 5, color: "#ffffff", weight: 1, fillColor: {colour}, fillOpacity: 0.9
    }});
    marker.bindTooltip({label} + ", " + row[2]);
    return marker;
}}
"""
_CLUSTER_ICON = """
function (cluster) {{
    var n = cluster.getChildCount();
    var size = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
    return L.divIcon({{
        html: '<div style="background:' + {colour} + ';color:#fff;border:2px solid #fff;border-radius:50%;'
            + 'width:' + size + 'px;height:' + size + 'px;line-height:' + (size - 4) + 'px;'
            + 'text-align:center;font:600 12px sans-serif;opacity:0.85">' + n + '</div>',
        className: "vorfall-cluster", iconSize: L.point(size, size)
    }});
}}
"""


def layer_name(category: str, *, demo: bool, lang: str = "de") -> str:
    """The name the layer control shows, e.g. ``Vorfälle: Graffiti (Demodaten (synthetisch))``."""
    name = translate("Vorfälle: {category}", lang).format(category=translate(CATEGORY_LABELS[category], lang))
    return f"{name} ({translate(DEMO_LABEL, lang)})" if demo else name


def incident_data(points: gpd.GeoDataFrame, category: str) -> list[list[object]]:
    """``[[lat, lon, "TT.MM.JJJJ HH:MM"], ...]`` of one category (what the browser gets)."""
    require_crs(points, METRIC_CRS)
    subset = points[points["category"] == category]
    if subset.empty:
        return []
    display = to_display(subset[["time", "geometry"]])
    lat = np.round(display.geometry.y.to_numpy(), _DECIMALS)
    lon = np.round(display.geometry.x.to_numpy(), _DECIMALS)
    when = subset["time"].dt.strftime("%d.%m.%Y %H:%M").to_numpy()
    return [[float(a), float(b), str(c)] for a, b, c in zip(lat, lon, when, strict=True)]


def incident_layers(
    points: gpd.GeoDataFrame,
    *,
    categories: Iterable[str] | None = None,
    demo: bool = False,
    show: bool = True,
    lang: str = "de",
) -> list[folium.FeatureGroup]:
    """One clustered point layer per category present in `points` (planner view only).

    Parameters
    ----------
    points : GeoDataFrame
        Incidents in ``METRIC_CRS`` with ``category`` and ``time`` (as returned by
        :meth:`geo.store.IncidentStore.points` or :func:`geo.incidents.demo.demo_points`).
    categories : iterable of str, optional
        Which categories to draw, in this order; default all of ``CATEGORIES``.
    demo : bool
        Mark every layer as "Demodaten (synthetisch)".
    show : bool
        Whether the layers are switched on when the map opens.
    lang : {"de", "en"}
        Language of layer names and point tooltips (the date stays ``TT.MM.JJJJ HH:MM``).

    Returns
    -------
    list of FeatureGroup
        One per category, each holding a clustered point layer.
        Add each to the map from :func:`layers.maps.base_map`, then call
        :func:`layers.maps.finish` (the marker-cluster assets are local).
    """
    wanted = list(categories) if categories is not None else list(CATEGORIES)
    unknown = [c for c in wanted if c not in CATEGORIES]
    if unknown:
        raise ValueError(f"unknown categories: {unknown}")
    result = []
    for category in wanted:
        data = incident_data(points, category)
        if not data:
            continue
        colour = json.dumps(CATEGORY_COLOURS[category])
        label = json.dumps(translate(CATEGORY_LABELS[category], lang)
                           + (f" ({translate(DEMO_LABEL, lang)})" if demo else ""))
        # FastMarkerCluster ignores ``show`` (its template always adds itself to the map),
        # so each cluster sits in a FeatureGroup that carries name and visibility.
        group = folium.FeatureGroup(name=layer_name(category, demo=demo, lang=lang), show=show)
        FastMarkerCluster(
            data,
            callback=_CALLBACK.format(colour=colour, label=label),
            icon_create_function=_CLUSTER_ICON.format(colour=colour),
            control=False,
            disableClusteringAtZoom=UNCLUSTER_ZOOM,
            maxClusterRadius=60,
            chunkedLoading=True,
            showCoverageOnHover=False,
        ).add_to(group)
        result.append(group)
    return result


def add_incident_layers(m: folium.Map, points: gpd.GeoDataFrame, **options: object) -> folium.Map:
    """Add :func:`incident_layers` to `m` (in place; returns `m`)."""
    for layer in incident_layers(points, **options):
        layer.add_to(m)
    return m
