"""Where a measure takes place: Gemeinden, GeoJSON, drawings, WKT, hotspot areas of a real Gi* result."""

import dataclasses
import json

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo.analysis import analyse
from geo.boundaries import gemeinde
from geo.hotspots import GridHotspots
from geo.incidents.demo import demo_points
from geo.measures.places import (
    PlaceError,
    drawn_place,
    gemeinde_place,
    geojson_place,
    hotspot_areas,
    hotspot_place,
    wkt_place,
)
from geo.view import View

TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
#: A block at Freiberg's Obermarkt in WGS84 (longitude first), about 350 × 330 m.
#: The most the register's 1 cm grid moves a vertex (half the diagonal of a 1 cm square), metres.
GRID_SHIFT = 0.005 * 2**0.5 + 1e-9
BLOCK = [[13.340, 50.915], [13.345, 50.915], [13.345, 50.918], [13.340, 50.918], [13.340, 50.915]]


def polygon_feature(ring, **extra):
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]},
            **extra}


def block_in_utm():
    x, y = TO_UTM.transform(*np.array(BLOCK).T)
    return shapely.Polygon(np.column_stack([x, y]))


@pytest.fixture(scope="module")
def points():
    return demo_points()


@pytest.fixture(scope="module")
def freiberg(points):
    return analyse(points, View(area="14522180", method="gi"))


@pytest.fixture(scope="module")
def dresden(points):
    return analyse(points, View(area="14612000", method="gi"))


# --- Gemeinden -------------------------------------------------------------------------------
def test_a_gemeinde_by_name_or_key_is_the_whole_gemeinde():
    by_name, by_key = gemeinde_place("freiberg"), gemeinde_place("14522180")
    assert (by_name.ags, by_name.kind, by_name.name) == ("14522180", "gemeinde", "Freiberg (14522180)")
    assert by_name.geometry.wkb == by_key.geometry.wkb
    full = gemeinde("14522180").geometry
    assert by_name.geometry.hausdorff_distance(full) < GRID_SHIFT  # only the 1 cm grid differs
    assert by_name.geometry.area == pytest.approx(full.area, rel=1e-6)


def test_a_name_two_gemeinden_share_needs_the_key_and_unknown_names_are_refused():
    with pytest.raises(PlaceError, match="'Bernsdorf' gibt es mehrmals") as err:
        gemeinde_place("Bernsdorf")
    assert "Bernsdorf (Zwickau): 14524010, Bernsdorf (Bautzen): 14625030." in str(err.value)
    with pytest.raises(PlaceError, match="weder Gemeindeschlüssel noch Name"):
        gemeinde_place("Atlantis")
    with pytest.raises(PlaceError, match="gehört seit einer Gemeindefusion zu Aue-Bad Schlema"):
        gemeinde_place("Aue")
    with pytest.raises(Exception, match="'14999999' ist kein Amtlicher Gemeindeschlüssel"):
        gemeinde_place("14999999")


# --- GeoJSON, drawings, WKT -------------------------------------------------------------------
def test_a_wgs84_polygon_is_reprojected_to_utm_and_lies_in_its_gemeinde():
    place = geojson_place(json.dumps({"type": "FeatureCollection", "features": [polygon_feature(BLOCK)]}),
                          name="obermarkt.geojson")
    expected = block_in_utm()
    assert (place.kind, place.ags, place.name) == ("datei", "14522180", "obermarkt.geojson")
    assert place.geometry.hausdorff_distance(expected) < GRID_SHIFT
    assert place.geometry.area == pytest.approx(expected.area, rel=1e-4)
    assert 110_000 < place.geometry.area < 125_000  # 0.005° × 0.003° at 51° N
    assert place.notes == ()


def test_a_crs_member_names_the_system_of_the_coordinates():
    utm = [list(c) for c in block_in_utm().exterior.coords]
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}
    named = {"type": "FeatureCollection", "crs": crs, "features": [polygon_feature(utm)]}
    assert geojson_place(named).geometry.wkb == geojson_place(polygon_feature(BLOCK)).geometry.wkb
    unknown = {**named, "crs": {"type": "name", "properties": {"name": "EPSG:99999"}}}
    with pytest.raises(PlaceError, match="unbekanntes Koordinatensystem 'EPSG:99999'"):
        geojson_place(unknown)


def test_several_features_become_one_place():
    east = [[x + 0.01, y] for x, y in BLOCK]
    features = [polygon_feature(BLOCK), polygon_feature(east)]
    place = geojson_place({"type": "FeatureCollection", "features": features})
    assert place.geometry.geom_type == "MultiPolygon" and len(place.geometry.geoms) == 2
    assert place.geometry.area == pytest.approx(2 * block_in_utm().area, rel=1e-3)


def test_a_drawn_rectangle_and_a_drawn_circle():
    drawn = drawn_place(json.dumps(polygon_feature(BLOCK)))
    assert (drawn.kind, drawn.ags) == ("zeichnung", "14522180")
    # Leaflet.draw sends a circle as its centre with the radius in metres
    circle = drawn_place({"type": "Feature", "properties": {"radius": 120.0},
                          "geometry": {"type": "Point", "coordinates": [13.3425, 50.9165]}})
    assert circle.kind == "zeichnung"
    assert circle.geometry.area == pytest.approx(np.pi * 120**2, rel=0.005)
    centre = shapely.Point(TO_UTM.transform(13.3425, 50.9165))
    assert circle.geometry.centroid.distance(centre) < 0.5


OUTSIDE = "POLYGON ((14.42 50.08, 14.43 50.08, 14.43 50.09, 14.42 50.08))"  # Prague


@pytest.mark.parametrize(("wkt", "message"), [
    ("POINT (13.34 50.91)", "WKT: ein Punkt ist kein Maßnahmenort; erwartet wird eine Fläche"),
    ("LINESTRING (13.34 50.91, 13.35 50.92)", "WKT: eine Linie ist kein Maßnahmenort"),
    ("POLYGON EMPTY", "WKT: die Fläche ist leer."),
    ("POLYGON ((13.34 50.91, 13.35", "WKT: kein lesbares WKT"),
    (OUTSIDE, "WKT: die Fläche liegt außerhalb Sachsens.$"),
    ("POLYGON ((50.91 13.34, 50.91 13.35, 50.92 13.35, 50.91 13.34))",
     "außerhalb Sachsens. Sind Breite und Länge vertauscht?"),
    ("POLYGON ((388000 5640000, 388100 5640000, 388100 5640100, 388000 5640000))",
     "keine Längen und Breiten in Grad"),
    ("POLYGON ((13.34 50.91, 13.34001 50.91, 13.34001 50.91001, 13.34 50.91))",
     r"mit 0,4 m² zu klein für einen Maßnahmenort \(mindestens 10 m²\)"),
    ("POLYGON ((12 50.2, 15 50.2, 15 51.6, 12 51.6, 12 50.2))",
     "mit 32.846 km² größer als jeder sächsische Landkreis"),
    # a spike that doubles back on itself: no repair leaves an area
    ("POLYGON ((13.34 50.91, 13.35 50.91, 13.35 50.92, 13.35 50.91, 13.34 50.91))",
     "überschneidet sich selbst und lässt sich nicht zu einer Fläche reparieren"),
])
def test_places_that_are_no_usable_area_are_refused_with_the_reason(wkt, message):
    with pytest.raises(PlaceError, match=message):
        wkt_place(wkt)


def test_a_repairable_self_intersection_is_repaired_and_said():
    bowtie = wkt_place("POLYGON ((13.34 50.91, 13.35 50.92, 13.35 50.91, 13.34 50.92, 13.34 50.91))")
    assert bowtie.geometry.is_valid and bowtie.geometry.geom_type == "MultiPolygon"
    assert len(bowtie.geometry.geoms) == 2
    assert bowtie.notes == ("WKT: die Fläche überschneidet sich selbst; sie wurde repariert (make_valid).",)


def test_geojson_that_is_no_polygon_or_no_json_is_refused():
    with pytest.raises(PlaceError, match="Zeichnung: ein Punkt ist kein Maßnahmenort"):
        drawn_place({"type": "Feature", "properties": {},
                     "geometry": {"type": "Point", "coordinates": [13.3, 50.9]}})
    with pytest.raises(PlaceError, match=r"grenze\.geojson: kein gültiges GeoJSON"):
        geojson_place(b"{nicht json", name="grenze.geojson")
    with pytest.raises(PlaceError, match="keine gültige GeoJSON-Geometrie"):
        geojson_place('{"type": "Polygon"}')
    with pytest.raises(PlaceError, match="die FeatureCollection enthält keine Objekte"):
        geojson_place({"type": "FeatureCollection", "features": []})


# --- hotspot areas of a Gi* result -----------------------------------------------------------
def hot_cells(analysis):
    cells = analysis.hotspots.cells
    return cells[cells["gi_class"].str.startswith("Hotspot") & ~cells["suppressed"]]


def test_hotspot_areas_of_freiberg_are_its_hot_cells_dissolved(freiberg):
    areas = hotspot_areas(freiberg)
    hot = hot_cells(freiberg)
    assert len(hot) == 58
    assert areas.crs == "EPSG:25833"
    assert list(areas.columns) == ["id", "label", "zellen", "vorfaelle", "stufe", "flaeche_km2", "ags",
                                   "geometry"]
    assert areas[["id", "label", "zellen", "ags"]].to_dict("records") == [
        {"id": 1, "label": "Hotspot 1 (58 Zellen)", "zellen": 58, "ags": "14522180"}]
    assert areas["vorfaelle"].iloc[0] == hot["count"].sum()
    assert areas.geometry.iloc[0].equals(shapely.union_all(hot.geometry.values))
    assert areas["flaeche_km2"].iloc[0] == pytest.approx(58 * 0.0625)


def test_hotspot_areas_of_dresden_are_separate_connected_pieces_most_incidents_first(dresden):
    areas = hotspot_areas(dresden)
    hot = hot_cells(dresden)
    assert areas["id"].tolist() == [1, 2, 3, 4]
    assert areas["label"].tolist() == ["Hotspot 1 (102 Zellen)", "Hotspot 2 (60 Zellen)",
                                       "Hotspot 3 (38 Zellen)", "Hotspot 4 (38 Zellen)"]
    assert areas["vorfaelle"].tolist() == sorted(areas["vorfaelle"], reverse=True)
    assert areas["zellen"].sum() == len(hot) and areas["vorfaelle"].sum() == hot["count"].sum()
    assert (areas.geom_type == "Polygon").all()  # each area is one connected piece
    for i in range(len(areas)):
        for j in range(i + 1, len(areas)):  # no two areas share an edge (corners may touch)
            assert areas.geometry.iloc[i].intersection(areas.geometry.iloc[j]).length == 0
    assert shapely.union_all(areas.geometry.values).equals(shapely.union_all(hot.geometry.values))
    assert set(areas["ags"]) == {"14612000"}


def test_cells_under_the_privacy_threshold_never_count_as_hot(freiberg):
    cells = freiberg.hotspots.cells.copy()
    hot = hot_cells(freiberg).index
    cells.loc[hot[:10], "suppressed"] = True  # as if their neighbourhood held fewer than k incidents
    hotspots = GridHotspots(cells=cells, grid=freiberg.hotspots.grid,
                            n_incidents=freiberg.hotspots.n_incidents, gi=freiberg.hotspots.gi)
    areas = hotspot_areas(dataclasses.replace(freiberg, hotspots=hotspots))
    assert areas["zellen"].sum() == 48
    blanked = shapely.union_all(cells.loc[hot[:10]].geometry.values)
    assert areas.geometry.union_all().intersection(blanked).area == 0


def test_a_hotspot_area_becomes_a_place_and_other_results_have_none(freiberg, dresden, points):
    areas = hotspot_areas(freiberg)
    place = hotspot_place(areas, 1)
    assert (place.kind, place.ags, place.name) == ("hotspot", "14522180", "Hotspot 1 (58 Zellen)")
    assert place.geometry.equals(areas.geometry.iloc[0])
    second = hotspot_place(hotspot_areas(dresden), 2)
    assert (second.name, second.ags) == ("Hotspot 2 (60 Zellen)", "14612000")
    assert second.geometry.area == pytest.approx(60 * 250 * 250)
    with pytest.raises(PlaceError, match="Hotspot-Gebiet 7 gibt es nicht; vorhanden: 1"):
        hotspot_place(areas, 7)
    kde = analyse(points, View(area="14522180", method="kde", bandwidth_m=500))
    with pytest.raises(PlaceError, match="nur zu einem Gi\\*-Ergebnis"):
        hotspot_areas(kde)
