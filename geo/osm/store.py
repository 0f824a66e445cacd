"""Imported OSM data in the data directory: one GeoPackage, ``<dir>/osm/osm.gpkg``.

Layers ``strassen`` (LineString), ``flaechen`` (Polygon) and ``orte`` (Point), all in
EPSG:25833 with the columns of :data:`geo.osm.clip.LAYER_COLUMNS`, and a table ``metadaten``
(``schluessel``, ``wert``) as in the app's exports: ``stand`` (the extract's date),
``stand_zeitpunkt``, ``stand_herkunft``, ``quelldatei``, ``importiert``, ``namensnennung``,
``lizenz``, ``anzahl_strassen``, ``anzahl_flaechen``, ``anzahl_orte``, ``crs``, ``version``.

An import writes a new file in a scratch folder beside the old one and renames it into
place at the end, so readers see the old data or the new, and a failed import (an
unreadable PBF, an interruption) leaves the old file as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.crs import METRIC_CRS
from geo.errors import InputFileError
from geo.osm import tags as rules
from geo.osm.clip import LAYER_COLUMNS, LAYER_TYPES, to_frame
from geo.osm.data import ATTRIBUTION, OsmData
from geo.osm.read import BATCH_SIZE, ExtractReader, replication_timestamp
from geo.store import default_directory

FOLDER, FILE_NAME = "osm", "osm.gpkg"
LICENCE = "Open Database License (ODbL) 1.0, https://www.openstreetmap.org/copyright"
VERSION = 1


def gpkg_path(directory: str | Path | None = None) -> Path:
    """Where the OSM data of a data directory lives (default :func:`geo.store.default_directory`)."""
    return (Path(directory) if directory is not None else default_directory()) / FOLDER / FILE_NAME


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored.

    Attributes
    ----------
    path : Path
        The GeoPackage.
    date : datetime.date
        The extract's date.
    date_origin : str
        Where the date comes from (the header, the newest object, the file's date).
    source : str
        The PBF's file name.
    counts : dict
        Rows per ``(layer, klasse)``.
    skipped : int
        Kept objects without a geometry (nodes missing from the extract).
    seconds : float
        Time taken.
    """

    path: Path
    date: dt.date
    date_origin: str
    source: str
    counts: dict[tuple[str, str], int]
    skipped: int
    seconds: float


def _append(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    pyogrio.write_dataframe(
        frame, path, layer=layer, driver="GPKG", append=path.exists() and layer in _layers(path),
        geometry_type=LAYER_TYPES[layer], layer_options={"SPATIAL_INDEX": "NO"}, use_arrow=True,
    )  # no R-tree: appending to one costs three times the time; load() reads everything anyway


def _layers(path: Path) -> set[str]:
    return {str(name) for name, _ in pyogrio.list_layers(path)}


def _empty(layer: str) -> gpd.GeoDataFrame:
    columns = {column: pd.Series([], dtype="str") for column in LAYER_COLUMNS[layer]}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=METRIC_CRS), crs=METRIC_CRS)


def _extract_date(pbf: Path, header: dt.datetime | None,
                  newest: dt.datetime | None) -> tuple[dt.datetime, str]:
    if header is not None:
        return header.astimezone(dt.UTC), "laut Dateikopf"
    if newest is not None:
        return newest.astimezone(dt.UTC), "neuestes gelesenes Objekt"
    return dt.datetime.fromtimestamp(pbf.stat().st_mtime, dt.UTC), "Änderungsdatum der Datei"


def import_extract(pbf: str | Path, *, directory: str | Path | None = None,
                   batch_size: int = BATCH_SIZE) -> ImportSummary:
    """Read an OSM PBF extract and store what the atlas keeps, replacing earlier OSM data.

    Parameters
    ----------
    pbf : path
        An ``.osm.pbf`` extract (e.g. Geofabrik's ``sachsen-latest.osm.pbf``).
    directory : path, optional
        The data directory; default :func:`geo.store.default_directory`.
    batch_size : int
        Rows per layer held in memory before they are written.

    Returns
    -------
    ImportSummary

    Raises
    ------
    InputFileError
        If the file is missing or not a readable PBF, or holds nothing the atlas keeps
        inside Saxony. The stored data is then left as it was.
    """
    start = time.perf_counter()
    pbf = Path(pbf)
    header = replication_timestamp(pbf)
    target = gpkg_path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".import-", dir=target.parent))
    try:
        partial = scratch / FILE_NAME
        reader = ExtractReader(pbf, scratch=scratch, batch_size=batch_size)
        counts: Counter[tuple[str, str]] = Counter()
        for batch in reader.batches():
            frame = to_frame(batch)
            if len(frame):
                _append(frame, partial, batch.layer)
                counts.update({(batch.layer, klasse): int(n)
                               for klasse, n in frame["klasse"].value_counts().items()})
        if not counts:
            msg = (f"{pbf.name} enthält keine Straßen oder Orte in Sachsen; bitte einen Auszug für "
                   "Sachsen verwenden (z. B. sachsen-latest.osm.pbf von Geofabrik).")
            raise InputFileError(msg)
        for layer in [layer for layer in LAYER_TYPES if layer not in _layers(partial)]:
            _append(_empty(layer), partial, layer)
        stamp, origin = _extract_date(pbf, header, reader.newest)
        per_layer = Counter({layer: 0 for layer in LAYER_TYPES})
        for (layer, _), n in counts.items():
            per_layer[layer] += n
        metadata = {
            "stand": stamp.date().isoformat(),
            "stand_zeitpunkt": stamp.isoformat(timespec="seconds"),
            "stand_herkunft": origin,
            "quelldatei": pbf.name,
            "importiert": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "namensnennung": ATTRIBUTION,
            "lizenz": LICENCE,
            **{f"anzahl_{layer}": str(per_layer[layer]) for layer in LAYER_TYPES},
            "crs": METRIC_CRS,
            "version": str(VERSION),
        }
        table = pd.DataFrame({"schluessel": list(metadata), "wert": list(metadata.values())})
        pyogrio.write_dataframe(table, partial, layer="metadaten", driver="GPKG")
        os.replace(partial, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return ImportSummary(target, stamp.date(), origin, pbf.name, dict(counts), reader.skipped,
                         time.perf_counter() - start)


def _metadata(path: Path) -> dict[str, str]:
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT schluessel, wert FROM metadaten").fetchall())
    except sqlite3.DatabaseError as err:
        meta = {"fehler": str(err)}
    if "stand" not in meta:
        msg = (f"{path} ist keine lesbare OSM-Datenbank des Atlas ({meta.get('fehler', 'ohne Metadaten')}); "
               "bitte den OSM-Auszug mit „python -m geo osm DATEI.osm.pbf“ erneut übernehmen.")
        raise InputFileError(msg)
    return meta


def info(directory: str | Path | None = None) -> dict | None:
    """Which OSM data is imported, and from when; None when there is none.

    Cheap: reads the ``metadaten`` table only.

    Returns
    -------
    dict or None
        ``date`` (datetime.date of the extract), ``source`` (file name), ``imported``
        (datetime), ``attribution``, ``counts`` (rows per layer: ``strassen``,
        ``flaechen``, ``orte``), ``path``.
    """
    path = gpkg_path(directory)
    if not path.is_file():
        return None
    meta = _metadata(path)
    return {
        "date": dt.date.fromisoformat(meta["stand"]),
        "source": meta["quelldatei"],
        "imported": dt.datetime.fromisoformat(meta["importiert"]),
        "attribution": meta["namensnennung"],
        "counts": {layer: int(meta[f"anzahl_{layer}"]) for layer in LAYER_TYPES},
        "path": path,
    }


def _read_all(path: Path) -> OsmData:
    meta = _metadata(path)
    frames = {layer: gpd.read_file(path, layer=layer, engine="pyogrio", use_arrow=True)
              for layer in LAYER_TYPES}
    return OsmData(
        streets=frames[rules.STREETS], areas=frames[rules.AREAS], places=frames[rules.PLACES],
        date=dt.date.fromisoformat(meta["stand"]), source=meta["quelldatei"],
        attribution=meta["namensnennung"], imported=dt.datetime.fromisoformat(meta["importiert"]),
    )


def load(directory: str | Path | None = None) -> OsmData | None:
    """The imported OSM data, or None when nothing is imported.

    Parameters
    ----------
    directory : path, optional
        The data directory; default :func:`geo.store.default_directory`.
    """
    path = gpkg_path(directory)
    for _ in range(3):  # a re-import may rename a new file into place while we read
        try:
            before = path.stat()
        except FileNotFoundError:
            return None
        data = _read_all(path)
        after = path.stat()
        if (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns):
            return data
    return data
