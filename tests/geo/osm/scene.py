"""Small OSM files in real PBF format (written by libosmium's ``SimpleWriter``), laid out in metres.

``Scene`` takes coordinates in EPSG:25833 relative to an origin in Freiberg (Obermarkt,
lon 13.342, lat 50.919, moved to a 250 m cell corner), so a test can say "a street 15 m
north of the cell's middle" and know the exact ``lage`` text. Coordinates in WGS84 can be
given too (``lonlat=True``), for ways across the state border.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

import osmium
import osmium.io
import shapely
from osmium.osm.mutable import Node, Relation, Way
from pyproj import Transformer

from geo.crs import METRIC_CRS

_TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
_x, _y = _TO_METRIC.transform(13.342, 50.919)
#: South-west corner of the 250 m cell around Freiberg's Obermarkt, in EPSG:25833.
ORIGIN = (_x // 250 * 250, _y // 250 * 250)
STAMP = "2026-09-30T12:00:00Z"


def cell(col: int, row: int, size: float = 250.0) -> shapely.Polygon:
    """The grid cell `col`, `row` cells east and north of :data:`ORIGIN` (EPSG:25833)."""
    x, y = ORIGIN[0] + col * size, ORIGIN[1] + row * size
    return shapely.box(x, y, x + size, y + size)


@dataclass
class Scene:
    """Nodes, ways and relations to write as one PBF file."""

    nodes: list[Node] = field(default_factory=list)
    ways: list[Way] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def node(self, x: float, y: float, tags: dict | None = None, *, lonlat: bool = False,
             timestamp: str = STAMP) -> int:
        """A node at `x`, `y` metres from :data:`ORIGIN` (or at lon `x`, lat `y`); its id."""
        lon, lat = (x, y) if lonlat else _TO_WGS84.transform(ORIGIN[0] + x, ORIGIN[1] + y)
        node_id = next(self._ids)
        self.nodes.append(Node(id=node_id, version=1, timestamp=timestamp,
                               location=(round(lon, 7), round(lat, 7)), tags=tags or {}))
        return node_id

    def way(self, points: list[tuple[float, float]], tags: dict | None = None, *, lonlat: bool = False,
            closed: bool = False, timestamp: str = STAMP) -> int:
        """A way through new nodes at `points` (closed: back to the first); its id."""
        refs = [self.node(x, y, lonlat=lonlat, timestamp=timestamp) for x, y in points]
        way_id = next(self._ids)
        self.ways.append(Way(id=way_id, version=1, timestamp=timestamp,
                             nodes=refs + refs[:1] if closed else refs, tags=tags or {}))
        return way_id

    def multipolygon(self, outer: list[tuple[float, float]], tags: dict, *,
                     timestamp: str = STAMP) -> int:
        """A multipolygon relation whose outer ring is one untagged closed way; its id."""
        ring = self.way(outer, closed=True, timestamp=timestamp)
        relation_id = next(self._ids)
        self.relations.append(Relation(id=relation_id, version=1, timestamp=timestamp,
                                       members=[("w", ring, "outer")],
                                       tags={"type": "multipolygon", **tags}))
        return relation_id

    def write(self, path: Path, *, replication: str | None = "2026-10-01T20:21:02Z") -> Path:
        """Write the PBF (header with `replication` as ``osmosis_replication_timestamp``)."""
        header = osmium.io.Header()
        if replication:
            header.set("osmosis_replication_timestamp", replication)
        with osmium.SimpleWriter(str(path), header=header, overwrite=True) as writer:
            for node in sorted(self.nodes, key=lambda n: n.id):
                writer.add_node(node)
            for way in sorted(self.ways, key=lambda w: w.id):
                writer.add_way(way)
            for relation in sorted(self.relations, key=lambda r: r.id):
                writer.add_relation(relation)
        return path


def freiberg() -> Scene:
    """The test town (see tests/geo/osm/test_import.py and test_lage.py for what each object tests).

    Cell (0, 0): around Freiberg's Obermarkt, middle at (125, 125) m.
    Cell (0, 4): a multipolygon square, no street within 150 m.
    Cell (4, 0): two streets at the same distance, a school.
    Cell (8, 0): a pedestrian area (closed way), one street.
    Cell (20, 20): nothing near.
    """
    s = Scene()
    # cell (0, 0)
    s.way([(-100, 140), (350, 140)], {"highway": "pedestrian", "name": "Obermarkt"})   # 15 m
    s.way([(100, -100), (100, 350)], {"highway": "residential", "name": "Burgstraße"})  # 25 m
    s.way([(-100, 90), (350, 90)], {"highway": "residential", "name": "Obermarkt"})     # 35 m, same name
    s.way([(200, -100), (200, 350)], {"highway": "footway", "name": "Weingasse"})        # 75 m
    s.way([(-100, 125), (350, 125)], {"highway": "service"})                             # unnamed: dropped
    s.way([(0, 130), (250, 130)], {"waterway": "stream", "name": "Münzbach"})            # not a street
    s.node(130, 150, {"highway": "bus_stop", "public_transport": "platform", "name": "Obermarkt"})
    s.node(160, 125, {"amenity": "school", "name": "Geschwister-Scholl-Gymnasium"})
    s.node(125, 126, {"amenity": "waste_basket"})                                        # unnamed
    s.node(126, 124, {"amenity": "bench", "name": "Ruhebank"})                           # not kept
    # cell (0, 4): the square holds the cell's middle (125, 1125)
    s.multipolygon([(50, 1050), (200, 1050), (200, 1200), (50, 1200)],
                   {"place": "square", "name": "Schloßplatz"})
    # cell (4, 0): middle (1125, 125)
    s.way([(1075, -100), (1075, 350)], {"highway": "residential", "name": "Zeppelinstraße"})  # 50 m
    s.way([(1175, -100), (1175, 350)], {"highway": "residential", "name": "Albertstraße"})    # 50 m
    s.node(1125, 200, {"amenity": "school", "name": "Geschwister-Scholl-Gymnasium"})
    # cell (8, 0): middle (2125, 125)
    s.way([(2050, 50), (2200, 50), (2200, 200), (2050, 200)],
          {"highway": "pedestrian", "area": "yes", "name": "Kornmarkt"}, closed=True)
    s.way([(1900, 260), (2400, 260)], {"highway": "living_street", "name": "Kirchgasse"})
    # a playground drawn as an area becomes a point; a mall as a multipolygon too
    s.way([(3000, 0), (3040, 0), (3040, 40), (3000, 40)],
          {"leisure": "playground", "name": "Spielplatz Wernerpark"}, closed=True)
    s.multipolygon([(3100, 0), (3200, 0), (3200, 80), (3100, 80)], {"shop": "mall", "name": "Schlossgalerie"})
    s.node(3300, 0, {"railway": "halt", "public_transport": "station", "name": "Freiberg (Sachs) Süd"})
    s.node(3320, 0, {"amenity": "pub", "name": "Zum Bergmann"})
    s.node(3340, 0, {"amenity": "recycling", "recycling_type": "container"})
    # across the border to Czechia at Oberwiesenthal (crosses at lat 50.41447) and beyond it
    s.way([(12.96, 50.40), (12.96, 50.44)], {"highway": "unclassified", "name": "Grenzstraße"}, lonlat=True)
    s.way([(12.95, 50.39), (12.955, 50.395)], {"highway": "residential", "name": "Hlavní"}, lonlat=True)
    s.node(12.95, 50.39, {"highway": "bus_stop", "name": "Boží Dar"}, lonlat=True)
    return s
