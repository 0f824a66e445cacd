"""``geo.osm.lage``: exact texts for known cells of the Freiberg scene (tests/geo/osm/scene.py)."""

import dataclasses

import geopandas as gpd
import pytest
import shapely

import geo.osm
from geo.crs import METRIC_CRS
from geo.errors import CRSError
from geo.osm.data import NamedIndex
from tests.geo.osm.scene import ORIGIN, cell, freiberg


@pytest.fixture(scope="module")
def osm(tmp_path_factory):
    root = tmp_path_factory.mktemp("lage")
    geo.osm.import_extract(freiberg().write(root / "freiberg.osm.pbf"), directory=root)
    return geo.osm.load(root)


def series(*geometries):
    return gpd.GeoSeries(list(geometries), crs=METRIC_CRS)


def test_known_cells_get_their_streets_and_nearest_place(osm):
    assert geo.osm.lage(osm, series(cell(0, 0), cell(0, 4), cell(4, 0), cell(8, 0), cell(20, 20))) == [
        # two nearest distinct names (a second Obermarkt way is not a second name); the
        # unnamed waste basket 1 m from the middle is no place to name
        "Obermarkt / Burgstraße · nahe Haltestelle Obermarkt",
        # the square holds the middle; its name says "platz", so no class word before it
        "keine benannte Straße in 150 m · nahe Schloßplatz",
        # both streets 50 m from the middle: alphabetical order decides
        "Albertstraße / Zeppelinstraße · nahe Schule Geschwister-Scholl-Gymnasium",
        "Kirchgasse · nahe Fußgängerzone Kornmarkt",
        "keine benannte Straße in 150 m",
    ]


def test_a_hotspot_area_of_two_cells_is_named_from_its_middle(osm):
    area = shapely.union(cell(0, 0), cell(1, 0))  # middle at (250, 125) m
    assert geo.osm.lage(osm, series(area)) == [
        "Obermarkt / Weingasse · nahe Schule Geschwister-Scholl-Gymnasium"]


def test_a_point_is_named_too(osm):
    point = shapely.Point(ORIGIN[0] + 125, ORIGIN[1] + 140)  # on the Obermarkt
    assert geo.osm.lage(osm, series(point)) == ["Obermarkt / Burgstraße · nahe Haltestelle Obermarkt"]


def test_max_distance_limits_and_is_named_in_the_text(osm):
    assert geo.osm.lage(osm, series(cell(0, 4)), max_distance=20) == [
        "keine benannte Straße in 20 m · nahe Schloßplatz"]
    # Kirchgasse runs 10 m north of cell (8, 0)
    assert geo.osm.lage(osm, series(cell(8, 0)), max_distance=20)[0].startswith("Kirchgasse")


def test_without_osm_data_every_row_says_so(osm):
    assert geo.osm.lage(None, series(cell(0, 0), cell(4, 0))) == ["keine Straßendaten geladen"] * 2


def test_missing_geometries_and_empty_input(osm):
    assert geo.osm.lage(osm, series(None, cell(0, 0)))[0] == "keine benannte Straße in 150 m"
    assert geo.osm.lage(osm, series()) == []


def test_geometries_in_degrees_are_refused(osm):
    with pytest.raises(CRSError):
        geo.osm.lage(osm, series(cell(0, 0)).to_crs("EPSG:4326"))


def test_the_result_does_not_depend_on_row_order(osm):
    shuffled = dataclasses.replace(osm, streets=osm.streets.iloc[::-1], places=osm.places.iloc[::-1],
                                   areas=osm.areas.iloc[::-1])
    cells = series(*(cell(c, r) for c in range(-2, 10) for r in range(-2, 6)))
    assert geo.osm.lage(shuffled, cells) == geo.osm.lage(osm, cells)


def test_the_spatial_indexes_are_built_once(osm):
    assert osm.street_index is osm.street_index
    assert osm.place_index is osm.place_index
    # ways of one name near each other share an index entry: 8 ways, 7 names, 7 entries
    assert len(osm.street_index.tree) == 7


def test_joining_ways_of_one_name_changes_no_result(osm):
    cells = series(*(cell(c, r, size=100) for c in range(-5, 25) for r in range(-5, 15)))
    plain = dataclasses.replace(osm)
    plain.__dict__["street_index"] = NamedIndex.build(osm.streets.geometry.values,
                                                      osm.streets["name"].to_numpy(dtype=object))
    assert len(plain.street_index.tree) == 8
    assert geo.osm.lage(plain, cells) == geo.osm.lage(osm, cells)
