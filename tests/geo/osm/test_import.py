"""``geo.osm.import_extract``, ``load`` and ``info`` on a small PBF in Freiberg (tests/geo/osm/scene.py)."""

import datetime as dt
import sqlite3

import pyogrio
import pytest
import shapely
from pyproj import Transformer

import geo.osm
from geo.boundaries import load_land
from geo.crs import METRIC_CRS
from geo.errors import InputFileError
from tests.geo.osm.scene import ORIGIN, Scene, freiberg


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("osm")
    pbf = freiberg().write(root / "freiberg.osm.pbf")
    summary = geo.osm.import_extract(pbf, directory=root / "store")
    return root / "store", summary


@pytest.fixture(scope="module")
def osm(imported):
    return geo.osm.load(imported[0])


def names(frame):
    return sorted(frame["name"].dropna())


def test_one_geopackage_with_three_layers_and_a_metadata_table(imported):
    store, summary = imported
    assert summary.path == store / "osm" / "osm.gpkg"
    assert sorted(p.name for p in (store / "osm").iterdir()) == ["osm.gpkg"]  # no scratch left
    layers = {str(name): str(kind) for name, kind in pyogrio.list_layers(summary.path)}
    assert layers == {"strassen": "LineString", "flaechen": "Polygon", "orte": "Point", "metadaten": "None"}
    for layer in ("strassen", "flaechen", "orte"):
        assert pyogrio.read_info(summary.path, layer=layer)["crs"] == METRIC_CRS


def test_named_streets_and_paths_are_kept_unnamed_ones_and_other_ways_dropped(osm):
    assert names(osm.streets) == ["Albertstraße", "Burgstraße", "Grenzstraße", "Kirchgasse", "Obermarkt",
                                  "Obermarkt", "Weingasse", "Zeppelinstraße"]
    assert osm.streets["name"].notna().all()  # the unnamed service road is gone
    assert "Münzbach" not in set(osm.streets["name"])  # a stream is no street
    weg = osm.streets.set_index("name").loc["Weingasse"]
    assert (weg["highway"], weg["klasse"]) == ("footway", "Weg")
    assert set(osm.streets.loc[osm.streets["name"] != "Weingasse", "klasse"]) == {"Straße"}
    assert list(osm.streets.columns) == ["osm_id", "name", "highway", "klasse", "geometry"]
    assert set(osm.streets.geom_type) == {"LineString"}


def test_squares_from_multipolygons_and_pedestrian_areas_from_closed_ways(osm):
    areas = osm.areas.set_index("name")
    assert sorted(areas.index) == ["Kornmarkt", "Schloßplatz"]
    assert areas.loc["Schloßplatz", "klasse"] == "Platz"
    assert areas.loc["Schloßplatz", "osm_id"].startswith("relation/")
    assert areas.loc["Kornmarkt", "klasse"] == "Fußgängerzone"
    assert areas.loc["Kornmarkt", "osm_id"].startswith("way/")
    assert set(osm.areas.geom_type) == {"Polygon"}
    assert areas.loc["Schloßplatz", "geometry"].area == pytest.approx(150 * 150, rel=1e-3)
    assert "Kornmarkt" not in set(osm.streets["name"])  # an area, not a street around a block


def test_places_are_points_with_a_german_class(osm):
    places = osm.places
    kinds = {(n if isinstance(n, str) else None, k)
             for n, k in zip(places["name"], places["klasse"], strict=True)}
    assert kinds == {
        ("Obermarkt", "Haltestelle"),
        ("Geschwister-Scholl-Gymnasium", "Schule"),
        (None, "Abfallbehälter"),          # a waste basket has no name and is kept anyway
        ("Spielplatz Wernerpark", "Spielplatz"),  # an area reduced to a point
        ("Schlossgalerie", "Einkaufszentrum"),    # a multipolygon reduced to a point
        ("Freiberg (Sachs) Süd", "Bahnhof"),
        ("Zum Bergmann", "Gaststätte"),
        (None, "Wertstoffcontainer"),
    }
    assert (places["klasse"] == "Schule").sum() == 2
    assert "Ruhebank" not in set(places["name"].dropna())  # a bench is not kept
    assert set(places.geom_type) == {"Point"}
    playground = places.loc[places["klasse"] == "Spielplatz", "geometry"].iloc[0]
    assert shapely.box(ORIGIN[0] + 3000, ORIGIN[1], ORIGIN[0] + 3040, ORIGIN[1] + 40).contains(playground)


def test_a_street_across_the_border_is_cut_at_it_and_objects_beyond_it_dropped(osm):
    street = osm.streets.set_index("name").loc["Grenzstraße", "geometry"]
    land = load_land().geometry.iloc[0]
    to_metric = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
    whole = shapely.LineString([to_metric.transform(12.96, 50.40), to_metric.transform(12.96, 50.44)])
    assert street.length == pytest.approx(whole.intersection(land).length, abs=0.01)
    assert 0.6 * whole.length < street.length < 0.7 * whole.length  # the border is at lat 50.4145
    assert land.buffer(0.01).contains(street)
    assert shapely.Point(street.coords[0]).distance(land.boundary) < 0.01  # it ends at the border
    assert "Hlavní" not in set(osm.streets["name"])
    assert "Boží Dar" not in set(osm.places["name"].dropna())


def test_date_source_and_attribution_are_stored(imported, osm):
    summary = imported[1]
    assert osm.date == dt.date(2026, 10, 1) == summary.date  # osmosis_replication_timestamp
    assert osm.source == "freiberg.osm.pbf"
    assert osm.attribution == "© OpenStreetMap-Mitwirkende (ODbL)"
    with sqlite3.connect(summary.path) as db:
        meta = dict(db.execute("SELECT schluessel, wert FROM metadaten"))
    assert meta["stand"] == "2026-10-01"
    assert meta["stand_zeitpunkt"] == "2026-10-01T20:21:02+00:00"
    assert meta["namensnennung"] == "© OpenStreetMap-Mitwirkende (ODbL)"
    assert meta["quelldatei"] == "freiberg.osm.pbf"
    assert (meta["anzahl_strassen"], meta["anzahl_flaechen"], meta["anzahl_orte"]) == ("8", "2", "9")
    imported_at = dt.datetime.fromisoformat(meta["importiert"])
    assert abs(imported_at - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)


def test_info_reads_the_metadata_only(imported):
    store, _ = imported
    info = geo.osm.info(store)
    assert info["date"] == dt.date(2026, 10, 1)
    assert info["source"] == "freiberg.osm.pbf"
    assert info["attribution"] == "© OpenStreetMap-Mitwirkende (ODbL)"
    assert info["counts"] == {"strassen": 8, "flaechen": 2, "orte": 9}
    assert info["path"] == store / "osm" / "osm.gpkg"


def test_nothing_imported_gives_none(tmp_path):
    assert geo.osm.load(tmp_path) is None
    assert geo.osm.info(tmp_path) is None


def test_without_header_date_the_newest_object_gives_the_date(tmp_path):
    scene = Scene()
    scene.way([(0, 0), (100, 0)], {"highway": "residential", "name": "Alte Gasse"},
              timestamp="2024-03-01T08:00:00Z")
    scene.node(50, 10, {"highway": "bus_stop", "name": "Neu"}, timestamp="2025-06-15T23:30:00Z")
    pbf = scene.write(tmp_path / "x.osm.pbf", replication=None)
    summary = geo.osm.import_extract(pbf, directory=tmp_path)
    assert summary.date == dt.date(2025, 6, 15)
    assert summary.date_origin == "neuestes gelesenes Objekt"


def test_reimport_replaces_the_data(tmp_path):
    first = freiberg().write(tmp_path / "alt.osm.pbf")
    geo.osm.import_extract(first, directory=tmp_path / "store")
    scene = Scene()
    scene.way([(0, 0), (100, 0)], {"highway": "residential", "name": "Neue Straße"})
    second = scene.write(tmp_path / "neu.osm.pbf", replication="2026-11-02T00:00:00Z")
    geo.osm.import_extract(second, directory=tmp_path / "store")
    osm = geo.osm.load(tmp_path / "store")
    assert list(osm.streets["name"]) == ["Neue Straße"]
    assert osm.areas.empty and osm.places.empty
    assert list(osm.areas.columns) == ["osm_id", "name", "klasse", "art", "geometry"]
    assert (osm.date, osm.source) == (dt.date(2026, 11, 2), "neu.osm.pbf")
    assert sorted(p.name for p in (tmp_path / "store" / "osm").iterdir()) == ["osm.gpkg"]


def test_an_extract_with_nothing_in_saxony_is_refused(tmp_path):
    scene = Scene()
    scene.way([(12.95, 50.39), (12.955, 50.395)], {"highway": "residential", "name": "Hlavní"}, lonlat=True)
    with pytest.raises(InputFileError, match=r"^cesko\.osm\.pbf enthält keine Straßen oder Orte in Sachsen"):
        geo.osm.import_extract(scene.write(tmp_path / "cesko.osm.pbf"), directory=tmp_path)
    assert geo.osm.info(tmp_path) is None


def test_a_damaged_store_file_gives_a_german_error(tmp_path):
    gpkg = tmp_path / "osm" / "osm.gpkg"
    gpkg.parent.mkdir()
    gpkg.write_text("kaputt", encoding="utf-8")
    with pytest.raises(InputFileError, match="ist keine lesbare OSM-Datenbank des Atlas"):
        geo.osm.info(tmp_path)
    with pytest.raises(InputFileError, match="erneut übernehmen"):
        geo.osm.load(tmp_path)
