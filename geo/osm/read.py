"""Streaming an OSM PBF extract with pyosmium: the kept objects in batches, in WGS84.

The file is read by libosmium (:class:`osmium.FileProcessor`), never by our own parser.
Node locations go to a sparse index in a scratch file (``sparse_file_array``: 16 bytes per
node on disk, memory-mapped, so the kernel may page it out), areas are assembled by
pyosmium's area manager (closed ways and multipolygon relations), and filters inside
libosmium pass only objects with relevant tags (:mod:`geo.osm.tags`) up to Python.
Memory therefore grows with the batch size, not with the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import osmium
import osmium.filter
import osmium.geom
import osmium.index
import osmium.io

from geo.errors import InputFileError
from geo.osm import tags as rules

#: Rows per layer collected before a batch is handed on.
BATCH_SIZE = 50_000

#: Columns of every batch besides the geometry (``wkb``, WGS84).
COLUMNS = ("osm_id", "name", "klasse", "art", "highway")


@dataclass
class Batch:
    """Kept objects of one layer, as read (WGS84 WKB, not yet clipped)."""

    layer: str
    wkb: list[bytes] = field(default_factory=list)
    osm_id: list[str] = field(default_factory=list)
    name: list[str | None] = field(default_factory=list)
    klasse: list[str] = field(default_factory=list)
    art: list[str] = field(default_factory=list)
    highway: list[str | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.wkb)


#: libosmium's messages for the common cases, said in German (the original follows).
_REASONS = {
    "unexpected EOF": "die Datei endet mitten in den Daten, wohl ein abgebrochener Download",
    "BlobHeader": "kein PBF-Format",
    "blob contains no data": "leer oder kein PBF-Format",
}


def unreadable(path: Path, detail: str) -> InputFileError:
    """The German error for a file libosmium cannot read."""
    reason = next((german for key, german in _REASONS.items() if key in detail), None)
    said = f"{reason}; {detail}" if reason else detail
    return InputFileError(f"{path.name} ist keine lesbare OSM-PBF-Datei ({said}). Bitte die Datei "
                          "erneut herunterladen, z. B. sachsen-latest.osm.pbf von download.geofabrik.de.")


def _open(path: Path) -> osmium.io.File:
    if not path.is_file():
        raise InputFileError(f"{path.name}: Datei nicht gefunden ({path}).")
    return osmium.io.File(str(path), "pbf")  # the format is PBF whatever the name says


def replication_timestamp(path: Path) -> dt.datetime | None:
    """``osmosis_replication_timestamp`` from the PBF header (Geofabrik sets it), or None.

    Raises
    ------
    InputFileError
        If the file is missing or its header cannot be read.
    """
    try:
        raw = osmium.FileProcessor(_open(path)).header.get("osmosis_replication_timestamp", "")
    except RuntimeError as err:
        raise unreadable(path, str(err)) from err
    try:
        stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00")) if raw else None
    except ValueError:
        return None
    if stamp is not None and stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp


class ExtractReader:
    """Reads one PBF file once; iterate :meth:`batches` for the kept objects.

    Parameters
    ----------
    path : Path
        The ``.osm.pbf`` file.
    scratch : Path
        An existing folder for the node location index (deleted by the caller).
    batch_size : int
        Rows per layer in one batch.

    Attributes
    ----------
    newest : datetime or None
        The newest timestamp among the kept objects (after reading; None without timestamps).
    skipped : int
        Objects whose geometry could not be built (nodes missing from the extract).
    """

    def __init__(self, path: Path, *, scratch: Path, batch_size: int = BATCH_SIZE) -> None:
        self.path = path
        self.scratch = scratch
        self.batch_size = batch_size
        self.newest: dt.datetime | None = None
        self.skipped = 0

    def _processor(self) -> osmium.FileProcessor:
        nodes = osmium.index.create_map(f"sparse_file_array,{self.scratch / 'knoten.idx'}")
        areas = osmium.filter.TagFilter(*rules.AREA_PAIRS)
        return (
            osmium.FileProcessor(_open(self.path))
            .with_locations(nodes)
            .with_areas(areas)  # multipolygon relations to assemble: relevant ones only
            .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.AREA))
            .with_filter(osmium.filter.KeyFilter(*rules.KEYS))
            .with_filter(osmium.filter.TagFilter(*rules.NODE_PAIRS).enable_for(osmium.osm.NODE))
            .with_filter(osmium.filter.KeyFilter("name").enable_for(osmium.osm.WAY))
            .with_filter(osmium.filter.TagFilter(*rules.AREA_PAIRS).enable_for(osmium.osm.AREA))
        )

    def _objects(self) -> Iterator[osmium.osm.OSMObject]:
        """The filtered objects; libosmium's read errors become a German `InputFileError`."""
        try:
            objects = iter(self._processor())
        except RuntimeError as err:
            raise unreadable(self.path, str(err)) from err
        while True:
            try:
                obj = next(objects)
            except StopIteration:
                return
            except RuntimeError as err:
                raise unreadable(self.path, str(err)) from err
            yield obj

    def batches(self) -> Iterator[Batch]:
        """Batches of kept objects, at most `batch_size` rows each, layer by layer as they fill."""
        factory = osmium.geom.WKBFactory()
        open_batches = {layer: Batch(layer) for layer in (rules.STREETS, rules.AREAS, rules.PLACES)}
        newest = dt.datetime.min.replace(tzinfo=dt.UTC)
        for obj in self._objects():
            tags = obj.tags
            if obj.is_node():
                kept, osm_id = rules.classify_node(tags), f"node/{obj.id}"
                build = factory.create_point
            elif obj.is_way():
                kept, osm_id = rules.classify_way(tags, closed=obj.is_closed()), f"way/{obj.id}"
                build = factory.create_linestring
            else:  # an area, from a closed way or a multipolygon relation
                from_way = obj.from_way()
                kept = rules.classify_area(tags, from_way=from_way)
                osm_id = f"{'way' if from_way else 'relation'}/{obj.orig_id()}"
                build = factory.create_multipolygon
            if kept is None:
                continue
            try:
                wkb = build(obj)
            except (RuntimeError, osmium.InvalidLocationError):  # missing nodes, degenerate way
                self.skipped += 1
                continue
            newest = max(newest, obj.timestamp)
            batch = open_batches[kept.layer]
            batch.wkb.append(bytes.fromhex(wkb))  # GEOS parses binary WKB several times faster
            batch.osm_id.append(osm_id)
            batch.name.append(tags.get("name"))
            batch.klasse.append(kept.klasse)
            batch.art.append(kept.art)
            batch.highway.append(tags.get("highway"))
            if len(batch) >= self.batch_size:
                yield batch
                open_batches[kept.layer] = Batch(kept.layer)
        yield from (batch for batch in open_batches.values() if len(batch))
        self.newest = newest if newest.year > 1970 else None
