"""Restoring a backup (:mod:`geo.store.backup`) in place, so that nothing is lost on the way.

The backup is checked first (integrity, schema version, the store's tables, every chunk's SHA-256);
a damaged or foreign file changes nothing. A readable current store is copied aside byte for byte
(``vorfaelle.sqlite.vor-zurueckspielen-<UTC time>``) and then rewritten with the backup's tables in
one transaction, under the lock that keeps imports out: app and command line never meet a
half-restored store, a killed restore is rolled back by SQLite's journal, and no import can slip in
between the copy and the restore. (Swapping files instead would let a process that had opened the
old file write into the copy.) A damaged current store is set aside by
:func:`geo.store.aside.set_aside` and the backup linked into place. The OSM file of a ``.zip`` backup
replaces ``osm/osm.gpkg`` by one rename; the current one is kept beside it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from geo.store.aside import COMPANIONS, _rename_without_replacing, set_aside
from geo.store.backup import (
    BackupInfo,
    _check_store_file,
    _created,
    _scratch,
    _system_errors,
    _unpacked,
    osm_file,
    utc_stamp,
)
from geo.store.database import BUSY_TIMEOUT_S, write_transaction
from geo.store.embedded import DB_NAME
from geo.store.errors import StoreDamagedError, store_error

KEEP_MARK = "vor-zurueckspielen"


@dataclasses.dataclass(frozen=True)
class Restored:
    """The restore: what is now in the store, where the previous store and OSM file were kept."""

    info: BackupInfo
    kept: Path | None
    osm_kept: Path | None


def restore_backup(path: Path, directory: Path, *, now: dt.datetime | None = None) -> Restored:
    """Make the store in `directory` the backup `path` (see module doc); nothing is deleted."""
    live = directory / DB_NAME
    with _scratch(directory, ".zurueckspielen-") as scratch, \
            _unpacked(path, scratch, copy=True) as (store_file, osm, manifest):
        version, names, measures = _check_store_file(store_file, str(path))
        info = BackupInfo(path, _created(path, manifest), path.stat().st_size, names, measures,
                          osm is not None, version)
        stamp = utc_stamp(now)
        with _system_errors(live):
            kept = _restore_store(store_file, live, scratch, stamp)
            osm_kept = _restore_osm(osm, osm_file(directory), stamp) if osm is not None else None
    return Restored(info, kept, osm_kept)


def _restore_store(backup: Path, live: Path, scratch: Path, stamp: str) -> Path | None:
    if not live.exists():
        _rename_without_replacing(_own_copy(backup, scratch), live)
        return None
    try:
        conn = sqlite3.connect(live, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        with closing(conn):  # foreign keys stay off: tables are replaced, not their rows checked
            if conn.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
            conn.execute("ATTACH DATABASE ? AS sicherung", (str(backup),))
            with write_transaction(conn):  # no import can start or commit from here on
                kept = _keep_copy(live, stamp)  # the file as it is, byte for byte: nothing writes it now
                _replace_tables(conn)
            return kept
    except sqlite3.DatabaseError as err:
        if isinstance(store_error(live, err, waited=0), StoreDamagedError):
            moved = set_aside(live)  # a damaged store is only renamed, as `speicher beiseitelegen` does
            _rename_without_replacing(_own_copy(backup, scratch), live)
            return moved
        raise


def _own_copy(backup: Path, scratch: Path) -> Path:
    copy = scratch / f"{DB_NAME}.neu"
    if backup != copy:
        shutil.copyfile(backup, copy)
    os.chmod(copy, 0o644)
    return copy


def _keep_copy(live: Path, stamp: str) -> Path:
    """Copy `live` to ``<name>.vor-zurueckspielen-<stamp>`` beside it (``-2``, ... if taken)."""
    partial = live.with_name(f".{live.name}.{stamp}.neu")
    shutil.copyfile(live, partial)
    try:
        for number in range(1, 1000):
            target = live.with_name(f"{live.name}.{KEEP_MARK}-{stamp}{'' if number == 1 else f'-{number}'}")
            if any(Path(f"{target}{suffix}").exists() for suffix in COMPANIONS):
                continue
            try:
                _rename_without_replacing(partial, target)
                return target
            except FileExistsError:
                continue
        raise FileExistsError(live)
    finally:
        partial.unlink(missing_ok=True)


def _replace_tables(conn: sqlite3.Connection) -> None:
    """Inside the open transaction: drop the store's tables, then create and fill the backup's."""
    def objects(schema: str) -> list[tuple[str, str, str | None]]:
        return conn.execute(f"SELECT type, name, sql FROM {schema}.sqlite_master WHERE name NOT LIKE "
                            "'sqlite_%' ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 "
                            "ELSE 2 END, rowid").fetchall()

    for kind, name, _ in objects("main"):
        if kind in ("table", "view"):  # indexes and triggers go with their tables
            conn.execute(f'DROP {kind.upper()} IF EXISTS main."{name}"')
    tables = []
    for kind, name, sql in objects("sicherung"):
        if sql is None:
            continue  # automatic indexes of primary keys and unique columns
        conn.execute(sql)
        if kind == "table":
            tables.append(name)
            conn.execute(f'INSERT INTO main."{name}" SELECT * FROM sicherung."{name}"')
    has_sequence = "SELECT 1 FROM {0}.sqlite_master WHERE name = 'sqlite_sequence'"
    if conn.execute(has_sequence.format("main")).fetchone():
        conn.execute("DELETE FROM main.sqlite_sequence")
        if conn.execute(has_sequence.format("sicherung")).fetchone():
            conn.execute("INSERT INTO main.sqlite_sequence SELECT * FROM sicherung.sqlite_sequence")
    version = conn.execute("PRAGMA sicherung.user_version").fetchone()[0]
    conn.execute(f"PRAGMA main.user_version = {int(version)}")


def _restore_osm(osm: Path, current: Path, stamp: str) -> Path | None:
    """Put the backup's OSM file in place (one rename); the current one is kept beside it."""
    current.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if current.exists():
        kept = current.with_name(f"{current.name}.{KEEP_MARK}-{stamp}")
        number = 2
        while True:
            try:
                os.link(current, kept)
                break
            except FileExistsError:
                kept = current.with_name(f"{current.name}.{KEEP_MARK}-{stamp}-{number}")
                number += 1
    os.chmod(osm, 0o644)
    os.replace(osm, current)
    return kept
