"""Backups of the embedded store: made while others read or import, checked, and restored in place.

* **Make** (:func:`create_backup`): SQLite's online backup API (``sqlite3.Connection.backup``) copies
  a consistent snapshot of ``vorfaelle.sqlite`` into a temporary directory beside the target, even
  while another process imports (an import is one transaction: the snapshot holds it whole or not at
  all). The copy is checked (``PRAGMA integrity_check``; every data set's points read with their
  SHA-256) before it is linked to its name, which is never an existing file. A ``.sqlite`` backup is
  the store file alone (incidents, aggregates, Maßnahmenregister with its history); a ``.zip`` adds the
  OSM data (``osm/osm.gpkg``) and a manifest ``sicherung.json``.
* **Restore**: :mod:`geo.store.restore`; both check a backup the same way (:func:`backup_info`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from geo.errors import AtlasError
from geo.lang import phrase
from geo.store.aside import _rename_without_replacing
from geo.store.database import BUSY_TIMEOUT_S, SCHEMA_VERSION
from geo.store.embedded import DB_NAME, IncidentStore
from geo.store.errors import StoreDamagedError, store_error

FOLDER = "sicherungen"
OSM_MEMBER = "osm/osm.gpkg"
MANIFEST = "sicherung.json"
SUFFIXES = (".sqlite", ".zip")
_GPKG_APPLICATION_ID = 0x47504B47  # "GPKG"
_STORE_TABLES = {"meta", "datasets", "point_chunks", "aggregates"}


class BackupError(AtlasError):
    """A backup that cannot be made or used; nothing was changed."""


@dataclasses.dataclass(frozen=True)
class BackupInfo:
    """What a backup holds: its file, when it was made (UTC), size in bytes, data sets (names),
    current measures, whether the OSM data is in it, and the store's schema version."""

    path: Path
    created: dt.datetime
    size: int
    datasets: tuple[str, ...]
    measures: int
    osm: bool
    schema_version: int


def utc_stamp(now: dt.datetime | None = None) -> str:
    """``20250314T091500Z``: the UTC time in backup and set-aside names."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def osm_file(directory: Path) -> Path:
    return directory / OSM_MEMBER


# --- checking ---------------------------------------------------------------------------------
def _check_store_file(path: Path, label: str) -> tuple[int, tuple[str, ...], int]:
    """Schema version, data set names and current measures of the store file `path` (a copy),
    after ``PRAGMA integrity_check`` and reading every data set's points with their checksums.
    `label` names the file in messages."""
    if not path.exists() or path.stat().st_size == 0:
        raise _refused(label, "die Datei ist leer oder fehlt")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            if problems != ["ok"]:
                raise _refused(label, "; ".join(problems))
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not tables >= _STORE_TABLES:
                raise BackupError(phrase(
                    "{file} ist keine Sicherung eines Datenspeichers des Präventionsatlas (es fehlen die "
                    "Tabellen {tables}); geändert wurde nichts.", file=label,
                    tables=", ".join(sorted(_STORE_TABLES - tables))))
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row and str(row[0]).isdigit() else 0
            if not 1 <= version <= SCHEMA_VERSION:
                raise BackupError(phrase(
                    "{file} hat die Schemaversion {found}, dieses Programm kennt 1 bis {known}; die "
                    "Sicherung wird nicht verwendet, geändert wurde nichts.", file=label,
                    found=str(row[0]) if row else "?", known=SCHEMA_VERSION))
            measures = _measure_count(conn, tables)
    except sqlite3.DatabaseError as err:
        raise _refused(label, str(err)) from err
    with _as_store(path) as store:
        try:
            names = tuple(store.datasets()["name"])
            for name in names:  # one at a time: every chunk's SHA-256 is checked on reading
                store.point_table(datasets=[name])
        except StoreDamagedError as err:
            raise _refused(label, str(err)) from err
    return version, names, measures


def _measure_count(conn: sqlite3.Connection, tables: set[str]) -> int:
    if "measure_versions" not in tables:
        return 0
    return conn.execute(
        "SELECT COUNT(*) FROM measure_versions v JOIN (SELECT measure_id, MAX(version) AS version FROM "
        "measure_versions GROUP BY measure_id) n USING (measure_id, version) WHERE v.action != 'gelöscht'"
    ).fetchone()[0]


def _check_gpkg(path: Path, label: str) -> None:
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as err:
        raise _refused(label, str(err)) from err
    if problems != ["ok"] or app_id != _GPKG_APPLICATION_ID:
        raise _refused(label, "; ".join(problems) if problems != ["ok"] else "keine GeoPackage-Datei")


def _refused(label: str, reason: str) -> BackupError:
    return BackupError(phrase(
        "Die Sicherung {file} ist beschädigt oder keine Sicherung des Präventionsatlas ({reason}); "
        "sie wird nicht verwendet, geändert wurde nichts.", file=label, reason=reason))


@contextmanager
def _as_store(path: Path) -> Iterator[IncidentStore]:
    """`path` read through :class:`IncidentStore` (which wants ``<dir>/vorfaelle.sqlite``)."""
    if path.name == DB_NAME:
        yield IncidentStore(path.parent)
        return
    store = IncidentStore(path.parent)
    store.path = path
    yield store


@contextmanager
def _scratch(directory: Path, prefix: str) -> Iterator[Path]:
    """A hidden temporary directory in `directory` (same file system: a rename moves files whole)."""
    directory.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=prefix, dir=directory))
    try:
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@contextmanager
def _system_errors(path: Path) -> Iterator[None]:
    """The store's German errors for what SQLite or the system raise on `path` (full, read-only, busy)."""
    try:
        yield
    except (sqlite3.DatabaseError, OSError) as err:
        if (mapped := store_error(path, err, waited=BUSY_TIMEOUT_S)) is None:
            raise
        raise mapped from err


# --- making a backup --------------------------------------------------------------------------
def create_backup(directory: Path, *, target: Path | None = None,
                  now: dt.datetime | None = None) -> BackupInfo:
    """Back up the store in `directory` (and its OSM data for a ``.zip`` target).

    Parameters
    ----------
    directory : Path
        The data directory (``vorfaelle.sqlite``, ``osm/osm.gpkg``).
    target : Path, optional
        The backup file, ``.sqlite`` (store only) or ``.zip`` (with OSM data); never replaced if it
        exists. Default ``<directory>/sicherungen/sicherung-<UTC time>.zip`` if there is OSM data,
        else ``.sqlite`` (``-2``, ``-3``, ... if that name is taken).
    now : datetime, optional
        The time in the default name; default now.

    Returns
    -------
    BackupInfo
        What the backup holds.
    """
    source = directory / DB_NAME
    if not source.exists():
        raise BackupError(phrase("Es gibt keinen Datenspeicher {path}; gesichert wurde nichts.",
                                 path=str(source)))
    stamp = utc_stamp(now)
    osm = osm_file(directory)
    if target is None:
        suffix = ".zip" if osm.exists() else ".sqlite"
        candidates = (directory / FOLDER / f"sicherung-{stamp}{'' if n == 1 else f'-{n}'}{suffix}"
                      for n in range(1, 1000))
    else:
        if target.suffix.lower() not in SUFFIXES:
            raise BackupError(phrase("{file}: eine Sicherung endet auf .sqlite (nur der Datenspeicher) oder "
                                     ".zip (mit den OSM-Daten).", file=str(target)))
        if target.exists():
            raise BackupError(phrase("{file} gibt es schon; eine Sicherung überschreibt keine Datei. Bitte "
                                     "einen anderen Namen wählen.", file=str(target)))
        candidates = iter([target])
    first = next(candidates)
    with _system_errors(first), _scratch(first.parent, ".sicherung-") as scratch:
        copy = scratch / DB_NAME
        with closing(sqlite3.connect(source, timeout=BUSY_TIMEOUT_S)) as src, \
                closing(sqlite3.connect(copy)) as dst:
            try:
                src.backup(dst)  # one step: a consistent snapshot, whole imports only
            except sqlite3.DatabaseError as err:
                if (mapped := store_error(source, err, waited=BUSY_TIMEOUT_S)) is None:
                    raise
                raise mapped from err
        version, names, measures = _check_store_file(copy, str(source))
        with_osm = first.suffix.lower() == ".zip" and osm.exists()
        made = copy
        if first.suffix.lower() == ".zip":
            made = scratch / "sicherung.zip"
            _write_zip(made, copy, osm if with_osm else None, scratch, stamp=stamp, version=version,
                       names=names, measures=measures)
        os.chmod(made, 0o600)  # incidents are personal-ish data: only the owner reads a backup
        placed = _place(made, first, candidates)
    return BackupInfo(placed, _parse_stamp(stamp), placed.stat().st_size, names, measures, with_osm, version)


def _write_zip(made: Path, store_copy: Path, osm: Path | None, scratch: Path, *, stamp: str, version: int,
               names: tuple[str, ...], measures: int) -> None:
    members = {DB_NAME: store_copy}
    if osm is not None:
        osm_copy = scratch / "osm.gpkg"
        with osm.open("rb") as stream, osm_copy.open("wb") as out:  # the open file: an OSM import replaces,
            shutil.copyfileobj(stream, out)                         # never rewrites, so this copy is whole
        _check_gpkg(osm_copy, str(osm))
        members[OSM_MEMBER] = osm_copy
    manifest = {"erstellt": stamp, "schema_version": version, "datensaetze": list(names),
                "massnahmen": measures,
                "dateien": {name: _sha256(path) for name, path in members.items()}}
    with zipfile.ZipFile(made, "x", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, path in members.items():
            archive.write(path, name)


def _place(made: Path, first: Path, rest: Iterator[Path]) -> Path:
    """Link `made` to the first free name of `first`, `rest` (never over an existing file)."""
    for target in (first, *rest):
        try:
            _rename_without_replacing(made, target)
            return target
        except FileExistsError:
            continue
    raise BackupError(phrase("{file} gibt es schon; eine Sicherung überschreibt keine Datei. Bitte einen "
                             "anderen Namen wählen.", file=str(first)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _parse_stamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


# --- reading a backup ---------------------------------------------------------------------------
@contextmanager
def _unpacked(path: Path, scratch: Path, *, copy: bool) -> Iterator[tuple[Path, Path | None, dict]]:
    """The store file and OSM file of backup `path` (a zip is unpacked into `scratch` and its
    manifest checked; a ``.sqlite`` is copied there with `copy`, so that what is checked is what is
    restored), and the manifest (empty for a ``.sqlite``)."""
    label = str(path)
    if not path.is_file():
        raise BackupError(phrase("Die Sicherung {file} gibt es nicht.", file=label))
    if not zipfile.is_zipfile(path):
        if copy:
            shutil.copyfile(path, scratch / DB_NAME)
        yield (scratch / DB_NAME if copy else path), None, {}
        return
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            files = manifest["dateien"]
            if DB_NAME not in files or not set(files) <= {DB_NAME, OSM_MEMBER}:
                raise _refused(label, f"unerwartete Dateien {', '.join(sorted(files))}")
            unpacked = {}
            for name, digest in files.items():
                unpacked[name] = scratch / Path(name).name
                with archive.open(name) as stream, unpacked[name].open("wb") as out:
                    shutil.copyfileobj(stream, out)  # zipfile checks each member's CRC-32
                if _sha256(unpacked[name]) != digest:
                    raise _refused(label, f"{name}: Prüfsumme stimmt nicht")
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile, EOFError) as err:
        raise _refused(label, str(err) or type(err).__name__) from err
    if OSM_MEMBER in unpacked:
        _check_gpkg(unpacked[OSM_MEMBER], f"{label}:{OSM_MEMBER}")
    yield unpacked[DB_NAME], unpacked.get(OSM_MEMBER), manifest


def backup_info(path: Path) -> BackupInfo:
    """What the backup `path` holds, checked like before a restore (``BackupError`` if unusable)."""
    with _scratch(Path(tempfile.gettempdir()), ".sicherung-lesen-") as scratch, \
            _unpacked(path, scratch, copy=False) as (store_file, osm, manifest):
        version, names, measures = _check_store_file(store_file, str(path))
    created = _created(path, manifest)
    return BackupInfo(path, created, path.stat().st_size, names, measures, osm is not None, version)


def _created(path: Path, manifest: dict) -> dt.datetime:
    stamp = manifest.get("erstellt") or path.stem.removeprefix("sicherung-")[:16]
    try:
        return _parse_stamp(stamp)
    except ValueError:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).replace(microsecond=0)


def list_backups(directory: Path) -> list[BackupInfo | tuple[Path, str]]:
    """The backups in ``<directory>/sicherungen``, oldest first: a `BackupInfo` each, or
    ``(path, reason)`` for a file that cannot be used."""
    folder = directory / FOLDER
    found: list[BackupInfo | tuple[Path, str]] = []
    files = sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and not p.name.startswith(".")) \
        if folder.is_dir() else []
    for path in files:
        try:
            found.append(backup_info(path))
        except BackupError as err:
            found.append((path, str(err)))
    def order(item: BackupInfo | tuple[Path, str]) -> tuple[dt.datetime, int]:
        path = item.path if isinstance(item, BackupInfo) else item[0]
        created = item.created if isinstance(item, BackupInfo) else _created(path, {})
        return created, path.stat().st_mtime_ns  # same second: the one made first

    return sorted(found, key=order)
