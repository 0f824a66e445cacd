"""What is kept from OSM and under which German class (geo.osm.tags), tag by tag."""

import pytest

from geo.osm.data import place_label
from geo.osm.tags import Kept, classify_area, classify_node, classify_way


@pytest.mark.parametrize(("tags", "expected"), [
    ({"highway": "residential", "name": "Burgstraße"}, Kept("strassen", "Straße", "highway=residential")),
    ({"highway": "footway", "name": "Weingasse"}, Kept("strassen", "Weg", "highway=footway")),
    ({"highway": "pedestrian", "name": "Obermarkt"}, Kept("strassen", "Straße", "highway=pedestrian")),
    ({"highway": "residential"}, None),                                  # unnamed
    ({"highway": "proposed", "name": "Umgehung"}, None),                 # not built
    ({"waterway": "stream", "name": "Münzbach"}, None),
    ({"public_transport": "platform", "name": "Bahnsteig 1"},
     Kept("orte", "Haltestelle", "public_transport=platform")),
])
def test_open_ways(tags, expected):
    assert classify_way(tags, closed=False) == expected


def test_closed_ways_that_are_areas_come_from_the_area_assembler_only():
    assert classify_way({"highway": "pedestrian", "area": "yes", "name": "Kornmarkt"}, closed=True) is None
    assert classify_way({"place": "square", "name": "Schloßplatz"}, closed=True) is None
    assert classify_way({"leisure": "playground", "name": "Spielplatz"}, closed=True) is None
    # a named street around a block stays a street
    assert classify_way({"highway": "residential", "name": "Ring"}, closed=True).layer == "strassen"


@pytest.mark.parametrize(("tags", "from_way", "klasse"), [
    ({"place": "square", "name": "Schloßplatz"}, False, "Platz"),
    ({"highway": "pedestrian", "area": "yes", "name": "Kornmarkt"}, True, "Fußgängerzone"),
    ({"highway": "pedestrian", "name": "Kornmarkt"}, False, "Fußgängerzone"),  # multipolygon
    ({"highway": "pedestrian", "name": "Ring"}, True, None),                  # a street, not an area
    ({"amenity": "school", "name": "Oberschule"}, True, "Schule"),
    ({"building": "yes"}, True, None),
])
def test_areas(tags, from_way, klasse):
    kept = classify_area(tags, from_way=from_way)
    assert (kept.klasse if kept else None) == klasse


@pytest.mark.parametrize(("tags", "klasse"), [
    ({"railway": "station", "public_transport": "station"}, "Bahnhof"),
    ({"railway": "halt"}, "Bahnhof"),
    ({"public_transport": "station", "amenity": "bus_station"}, "Busbahnhof"),
    ({"highway": "bus_stop", "public_transport": "platform"}, "Haltestelle"),
    ({"public_transport": "stop_position"}, "Haltestelle"),
    ({"amenity": "school"}, "Schule"),
    ({"leisure": "playground"}, "Spielplatz"),
    ({"leisure": "park"}, "Park"),
    ({"shop": "mall"}, "Einkaufszentrum"),
    ({"amenity": "pub"}, "Gaststätte"),
    ({"amenity": "bar"}, "Bar"),
    ({"amenity": "nightclub"}, "Club"),
    ({"amenity": "waste_basket"}, "Abfallbehälter"),
    ({"amenity": "recycling", "recycling_type": "container"}, "Wertstoffcontainer"),
    ({"amenity": "recycling", "recycling_type": "centre"}, "Wertstoffhof"),
    ({"amenity": "waste_disposal"}, "Müllcontainer"),
    ({"place": "square"}, "Platz"),
    ({"amenity": "bench"}, None),
    ({"shop": "bakery"}, None),
])
def test_nodes(tags, klasse):
    kept = classify_node(tags)
    assert (kept.klasse if kept else None) == klasse


@pytest.mark.parametrize(("klasse", "name", "label"), [
    ("Haltestelle", "Obermarkt", "Haltestelle Obermarkt"),
    ("Schule", "Geschwister-Scholl-Gymnasium", "Schule Geschwister-Scholl-Gymnasium"),
    ("Schule", "Grundschule Am Wasserturm", "Grundschule Am Wasserturm"),
    ("Platz", "Schloßplatz", "Schloßplatz"),
    ("Park", "Albertpark", "Albertpark"),
    ("Bahnhof", "Freiberg (Sachs)", "Bahnhof Freiberg (Sachs)"),
])
def test_place_labels_say_the_class_once(klasse, name, label):
    assert place_label(klasse, name) == label
