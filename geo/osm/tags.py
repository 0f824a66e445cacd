"""What the atlas keeps from OpenStreetMap, and the German class (``klasse``) of each kept object.

Pure functions on tag mappings, so the rules can be read and tested without a PBF file.
Three layers come out of an extract:

``strassen``
    Named ``highway`` ways (streets and paths) as lines; ``klasse`` ``Straße`` or ``Weg``.
``flaechen``
    Squares (``place=square``) and pedestrian areas (``highway=pedestrian`` as an area:
    a closed way with ``area=yes`` or a multipolygon) as polygons; ``Platz`` or
    ``Fußgängerzone``.
``orte``
    Stations and stops, schools, playgrounds, parks, shopping centres, nightlife and waste
    containers as points (an area or a line reduced to a point on it); see :data:`PLACE_TAGS`.

Everything else, and every unnamed street, is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

STREETS, AREAS, PLACES = "strassen", "flaechen", "orte"

#: ``(key, value)`` -> German class of a point of interest, in order of precedence: an
#: object tagged as a station and a stop is a ``Bahnhof``.
PLACE_TAGS: dict[tuple[str, str], str] = {
    ("railway", "station"): "Bahnhof",
    ("railway", "halt"): "Bahnhof",
    ("public_transport", "station"): "Bahnhof",
    ("public_transport", "stop_position"): "Haltestelle",
    ("public_transport", "platform"): "Haltestelle",
    ("highway", "bus_stop"): "Haltestelle",
    ("amenity", "school"): "Schule",
    ("leisure", "playground"): "Spielplatz",
    ("leisure", "park"): "Park",
    ("shop", "mall"): "Einkaufszentrum",
    ("amenity", "pub"): "Gaststätte",
    ("amenity", "bar"): "Bar",
    ("amenity", "nightclub"): "Club",
    ("amenity", "waste_basket"): "Abfallbehälter",
    ("amenity", "recycling"): "Wertstoffcontainer",
    ("amenity", "waste_disposal"): "Müllcontainer",
}

#: Area classes, in order of precedence.
AREA_TAGS: dict[tuple[str, str], str] = {
    ("place", "square"): "Platz",
    ("highway", "pedestrian"): "Fußgängerzone",
}

#: ``highway`` values of ways that are not streets or paths one could name a place after.
NOT_STREETS = frozenset({
    "proposed", "planned", "abandoned", "disused", "razed", "demolished", "construction",
    "platform", "bus_stop", "rest_area", "services", "elevator", "emergency_bay",
    "traffic_island", "escape",
})
#: ``highway`` values that are paths (``klasse`` ``Weg``) rather than streets.
PATHS = frozenset({"footway", "path", "cycleway", "bridleway", "steps", "track", "corridor",
                   "via_ferrata"})

#: Keys an object needs at least one of to be looked at (a filter inside libosmium).
KEYS = ("highway", "place", "railway", "public_transport", "amenity", "leisure", "shop")
#: ``(key, value)`` pairs that make a point, an area or a relation worth reading.
NODE_PAIRS = (*PLACE_TAGS, ("place", "square"))
AREA_PAIRS = (*AREA_TAGS, *PLACE_TAGS)


class Kept(NamedTuple):
    """Where an object goes: layer, German class and the tag that decided (``art``)."""

    layer: str
    klasse: str
    art: str


def _place(tags: Mapping[str, str]) -> Kept | None:
    for (key, value), klasse in PLACE_TAGS.items():
        if tags.get(key) == value:
            if klasse == "Bahnhof" and key == "public_transport" and tags.get("amenity") == "bus_station":
                klasse = "Busbahnhof"
            elif klasse == "Wertstoffcontainer" and tags.get("recycling_type") == "centre":
                klasse = "Wertstoffhof"
            return Kept(PLACES, klasse, f"{key}={value}")
    return None


def classify_node(tags: Mapping[str, str]) -> Kept | None:
    """A node: a point of interest (or a square drawn as a point), else None."""
    kept = _place(tags)
    if kept is None and tags.get("place") == "square":
        return Kept(PLACES, "Platz", "place=square")
    return kept


def classify_way(tags: Mapping[str, str], *, closed: bool) -> Kept | None:
    """A way read as a line: a named street or path, or a point of interest drawn as a line.

    Closed ways that are areas come again from the area assembler
    (:func:`classify_area`), so they yield nothing here: a pedestrian area
    (``highway=pedestrian`` + ``area=yes``), a square, a closed point of interest.
    """
    highway = tags.get("highway")
    is_area = tags.get("area") == "yes" or tags.get("place") == "square"
    if highway and tags.get("name") and highway not in NOT_STREETS and not is_area:
        return Kept(STREETS, "Weg" if highway in PATHS else "Straße", f"highway={highway}")
    if closed and tags.get("area") != "no":
        return None
    return _place(tags)


def classify_area(tags: Mapping[str, str], *, from_way: bool) -> Kept | None:
    """An assembled area (closed way or multipolygon relation): a square, a pedestrian area,
    or a point of interest drawn as an area.

    A closed ``highway=pedestrian`` way is a street around a block unless it has
    ``area=yes``; a multipolygon with that tag is always an area.
    """
    if tags.get("place") == "square":
        return Kept(AREAS, "Platz", "place=square")
    if tags.get("highway") == "pedestrian" and (tags.get("area") == "yes" or not from_way):
        return Kept(AREAS, "Fußgängerzone", "highway=pedestrian")
    return _place(tags)
