"""The embedded incident store: one SQLite file, one transaction per import.

Layout (``<directory>/vorfaelle.sqlite``, schema version 1):

* ``datasets``: one row per import: name, source file name, SHA-256 of the file,
  import time (UTC), kind (``punkte``/``aggregiert``), row counts, the report as JSON.
  The SHA-256 is unique, so importing the same file twice is detected.
* ``point_chunks``: the accepted points of a dataset, column-wise in chunks of up to
  100,000 (the columns and their codec: :mod:`geo.store.chunks`).
* ``aggregates``: one row per area × category × period of aggregated tables.

Every import writes inside one ``BEGIN IMMEDIATE … COMMIT``; if the process dies
before the commit, SQLite's rollback journal restores the file as it was, so a
store never holds half an import (``tests/geo/store/test_faults.py`` kills importing,
reporting and exporting processes to check this). Opening, checking and creating the
file, and the German errors for a damaged, read-only, full or busy store:
:mod:`geo.store.database`; setting a damaged file aside: :mod:`geo.store.aside`.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.store.access import LOCAL, Principal
from geo.store.aside import set_aside
from geo.store.base import AUDIT_COLUMNS, Store
from geo.store.chunks import decode_chunks, encode_points
from geo.store.database import MEASURE_SCHEMA, open_store, write_transaction

DB_NAME = "vorfaelle.sqlite"
CHUNK = 100_000


def default_directory() -> Path:
    """``$ATLAS_DATA_DIR`` if set, else ``./store``."""
    return Path(os.environ.get("ATLAS_DATA_DIR") or "store")


class IncidentStore(Store):
    """Imported incident datasets in ``<directory>/vorfaelle.sqlite`` (see module doc).

    Parameters
    ----------
    directory : path, optional
        Where the database lives (created on first write); default
        :func:`default_directory`.
    principal : Principal, optional
        Who works with it (:mod:`geo.store.access`); default :data:`~geo.store.access.LOCAL`,
        the person at this machine, who may do everything.
    """

    def __init__(self, directory: str | Path | None = None, *, principal: Principal = LOCAL) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.path = self.directory / DB_NAME
        self.principal = principal

    # --- connection -------------------------------------------------------------------------
    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection (autocommit), or None when reading a store that does not exist yet; `write`
        creates and checks the file first (:func:`geo.store.database.open_store`)."""
        with open_store(self.path, write=write) as conn:
            yield conn  # type: ignore[misc]

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE … COMMIT``), rolled back on any exception."""
        with self._connect(write=True) as conn, write_transaction(conn):
            yield conn

    def set_aside(self, *, now: dt.datetime | None = None) -> Path:
        """Rename the store file to ``vorfaelle.sqlite.beschaedigt-<UTC time>`` (never over an
        existing file; its journal goes with it) and return the new path. The next import starts
        a new, empty store; nothing is deleted (:func:`geo.store.aside.set_aside`)."""
        self.principal.require("loeschen")
        return set_aside(self.path, now=now)

    # --- backend hooks (the shared logic: :class:`geo.store.base.Store`) -----------------------
    def _insert_dataset(self, conn: sqlite3.Connection, values: dict) -> str:
        conn.execute(f"INSERT INTO datasets ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
                     (*(int(v) if isinstance(v, bool) else v for v in values.values()),))
        return values["name"]

    def _write_points(self, conn: sqlite3.Connection, key: object, name: str,
                      points: gpd.GeoDataFrame) -> None:
        conn.executemany("INSERT INTO point_chunks (dataset, chunk, n, x, y, t, category, ags, crc) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         ((name, *chunk) for chunk in encode_points(points, chunk=CHUNK)))

    def _read_points(self, *, categories=None, start=None, end=None, datasets=None) -> pd.DataFrame:
        where, params = "", []
        if datasets is not None:
            params = list(datasets)
            where = f" WHERE dataset IN ({', '.join('?' * len(params))})"
        with self._connect() as conn:
            if conn is None:
                return decode_chunks([], categories=categories, start=start, end=end)
            # a store of schema version 1 has no checksums until its next import adds the column
            columns = {r[1] for r in conn.execute("PRAGMA table_info(point_chunks)")}
            crc = "crc" if "crc" in columns else "NULL"
            chunks = conn.execute(f"SELECT dataset, x, y, t, category, ags, n, {crc} FROM point_chunks"
                                  f"{where} ORDER BY dataset, chunk", params).fetchall()
            return decode_chunks(chunks, categories=categories, start=start, end=end)

    def _measure_tables(self, conn: sqlite3.Connection, *, create: bool) -> bool:
        """Whether the Maßnahmenregister's tables exist; `create` makes them (in the open transaction)."""
        if create:
            for statement in MEASURE_SCHEMA:  # one by one: executescript would commit the transaction
                conn.execute(statement)
            return True
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'measure_versions'"
                            ).fetchone() is not None

    def audit_log(self, *, newest: int | None = None) -> pd.DataFrame:
        with self._connect() as conn:
            if conn is not None and conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_log'"
                                                 ).fetchone() is None:
                return pd.DataFrame(columns=AUDIT_COLUMNS)  # a store from before the audit log
        return super().audit_log(newest=newest)

    audit_log.__doc__ = Store.audit_log.__doc__
