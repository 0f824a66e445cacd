"""Opening the store's SQLite file: its schema, the checks before a write, and what can go wrong.

* A new store file is built beside its final name and linked into place, so nobody ever meets an
  empty file that is not yet a store (an empty ``vorfaelle.sqlite`` is a truncated store: damaged).
* Before a write, ``PRAGMA quick_check``: a damaged file is never written into.
* Every failure of SQLite or the system is turned into the store's German errors
  (:func:`geo.store.errors.store_error`): damaged, cannot be written (read-only, disk full, I/O
  error), busy with another import. Anything else is a bug and surfaces as it is.
* A write transaction that fails is rolled back; if even that fails (the disk is gone), SQLite's
  rollback journal restores the file on the next open.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from pathlib import Path

from geo.store.chunks import ChunkChecksumError
from geo.store.errors import StoreDamagedError, store_error

SCHEMA_VERSION = 3  # 2: point_chunks.crc, the SHA-256 of a chunk's blobs (checked on read); 3: audit_log
#: How long a write waits for another process's transaction (a second import) to finish.
BUSY_TIMEOUT_S = 30.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS datasets (
    name TEXT PRIMARY KEY, file_name TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
    imported_at TEXT NOT NULL, kind TEXT NOT NULL, rows INTEGER NOT NULL, accepted INTEGER NOT NULL,
    rejected INTEGER NOT NULL, ignored INTEGER NOT NULL, period_start TEXT, period_end TEXT,
    demo INTEGER NOT NULL DEFAULT 0, report TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS point_chunks (
    dataset TEXT NOT NULL REFERENCES datasets(name) ON DELETE CASCADE, chunk INTEGER NOT NULL,
    n INTEGER NOT NULL, x BLOB NOT NULL, y BLOB NOT NULL, t BLOB NOT NULL, category BLOB NOT NULL,
    ags BLOB NOT NULL, crc TEXT, PRIMARY KEY (dataset, chunk));
CREATE TABLE IF NOT EXISTS aggregates (
    dataset TEXT NOT NULL REFERENCES datasets(name) ON DELETE CASCADE, area_key TEXT NOT NULL,
    level TEXT NOT NULL, category TEXT NOT NULL, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
    count INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS aggregates_dataset ON aggregates(dataset);
CREATE TABLE IF NOT EXISTS audit_log (
    at TEXT NOT NULL, who TEXT NOT NULL, mandant TEXT, action TEXT NOT NULL, what TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS audit_log_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'Protokoll wird nur fortgeschrieben'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'Protokoll wird nur fortgeschrieben'); END;
"""

#: The Maßnahmenregister's tables (:mod:`geo.measures.register`), created on its first write.
MEASURE_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS measures (id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, "
    "created_by TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS measure_versions (measure_id INTEGER NOT NULL REFERENCES measures(id), "
    "version INTEGER NOT NULL, changed_at TEXT NOT NULL, changed_by TEXT NOT NULL, action TEXT NOT NULL "
    "CHECK (action IN ('angelegt', 'geändert', 'gelöscht')), title TEXT NOT NULL, kind TEXT NOT NULL, "
    "categories TEXT NOT NULL, place BLOB NOT NULL, place_kind TEXT NOT NULL, ags TEXT NOT NULL, "
    "start TEXT NOT NULL, end_date TEXT, responsible TEXT NOT NULL, cost_eur REAL, status TEXT NOT NULL, "
    "decision TEXT NOT NULL, notes TEXT NOT NULL, PRIMARY KEY (measure_id, version))",
    *(f"CREATE TRIGGER IF NOT EXISTS {table}_{verb.lower()} BEFORE {verb} ON {table} "
      f"BEGIN SELECT RAISE(ABORT, 'Maßnahmenregister: {table} wird nur fortgeschrieben'); END"
      for table in ("measures", "measure_versions") for verb in ("UPDATE", "DELETE")),
)


@contextmanager
def open_store(path: Path, *, write: bool = False) -> Iterator[sqlite3.Connection | None]:
    """A connection to the store file `path` (autocommit; foreign keys on), or None for reading a
    store that does not exist yet. `write` creates the directory and the file if needed, checks the
    file first and brings its schema up to date."""
    try:
        if write and not path.exists():
            _create(path)
        elif not path.exists():
            yield None  # an empty store: nothing to read
            return
        if path.stat().st_size == 0:  # truncated: SQLite would silently start afresh
            raise StoreDamagedError.of(path, "die Datei ist leer, 0 Bytes")
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except (sqlite3.DatabaseError, OSError) as err:  # the system's errors only while opening
        if (mapped := store_error(path, err, waited=BUSY_TIMEOUT_S)) is None:
            raise
        raise mapped from err
    with closing(conn):
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            if write:
                # Never write into a damaged file: pages a query does not read would go unnoticed.
                problem = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
                if problem != "ok":
                    raise StoreDamagedError.of(path, problem)
                _upgrade(conn)
            yield conn
        except ChunkChecksumError as err:
            raise StoreDamagedError.of(path, str(err)) from err
        except sqlite3.DatabaseError as err:
            if (mapped := store_error(path, err, waited=BUSY_TIMEOUT_S)) is None:
                raise  # not the store's failure: a bug, it must surface
            raise mapped from err


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE … COMMIT`` on `conn`: all or nothing, rolled back on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back itself (disk full, I/O error)
            with suppress(sqlite3.Error):  # if even this fails, the journal restores the file on next open
                conn.execute("ROLLBACK")
        raise


def _upgrade(conn: sqlite3.Connection) -> None:
    columns = {row[1] for row in conn.execute("PRAGMA table_info(point_chunks)")}
    if columns and "crc" not in columns:  # a store of schema version 1: chunks without checksum
        conn.execute("ALTER TABLE point_chunks ADD COLUMN crc TEXT")
    conn.executescript(SCHEMA)
    version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if version != (str(SCHEMA_VERSION),):
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))


def _create(path: Path) -> None:
    """A new, empty store at `path`: built under a temporary name beside it, then linked into place
    (a store another process created meanwhile is kept)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".neu", dir=path.parent)
    os.close(fd)
    try:
        with closing(sqlite3.connect(partial, isolation_level=None)) as conn:
            _upgrade(conn)
        os.chmod(partial, 0o644)  # as an ordinary new file (mkstemp makes it private)
        try:
            os.link(partial, path)
        except FileExistsError:
            pass  # another process created the store first: use it
        except OSError as err:  # a file system without hard links
            if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            if not path.exists():
                os.replace(partial, path)
    finally:
        Path(partial).unlink(missing_ok=True)
