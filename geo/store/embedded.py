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
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.crs import METRIC_CRS
from geo.incidents import ImportReport, read_bytes, read_incidents
from geo.store.aside import set_aside
from geo.store.chunks import decode_chunks, encode_points
from geo.store.database import open_store, write_transaction
from geo.store.errors import DuplicateImportError, UnknownDatasetError

DB_NAME = "vorfaelle.sqlite"
CHUNK = 100_000


def default_directory() -> Path:
    """``$ATLAS_DATA_DIR`` if set, else ``./store``."""
    return Path(os.environ.get("ATLAS_DATA_DIR") or "store")


class IncidentStore:
    """Imported incident datasets in ``<directory>/vorfaelle.sqlite`` (see module doc).

    Parameters
    ----------
    directory : path, optional
        Where the database lives (created on first write); default
        :func:`default_directory`.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.path = self.directory / DB_NAME

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
        return set_aside(self.path, now=now)

    # --- import -----------------------------------------------------------------------------
    def import_file(
        self,
        path: str | Path | object,
        *,
        name: str | None = None,
        strict: bool = False,
        **read_options: object,
    ) -> ImportReport:
        """Read, validate and store one file as a new dataset.

        Parameters
        ----------
        path : path or uploaded file object
            The file (see :func:`geo.incidents.read_incidents`).
        name : str, optional
            Dataset name; default the file name without extension (made unique).
        strict : bool
            Store nothing if any row is rejected.
        **read_options
            Passed to :func:`geo.incidents.read_incidents` (``mapping``, ``crs``,
            ``period``, column overrides, ...).

        Returns
        -------
        ImportReport
            With ``dataset`` and ``stored`` set.

        Raises
        ------
        DuplicateImportError
            If a file with the same SHA-256 is already stored.
        InputFileError
            If the file cannot be read at all; nothing is stored.
        """
        raw, file_name = read_bytes(path)
        digest = hashlib.sha256(raw).hexdigest()
        self._refuse_duplicate(self._dataset_with_hash(digest), file_name)
        buffer = io.BytesIO(raw)
        buffer.name = file_name
        progress = read_options.pop("progress", None) or (lambda fraction, text: None)
        result = read_incidents(buffer, progress=lambda f, text: progress(0.9 * f, text), **read_options)
        report = result.report
        if strict and report.rejected:
            report.notes.append("--strict: wegen abgelehnter Zeilen nichts gespeichert.")
            return report
        if report.accepted == 0:
            report.notes.append("keine gültigen Zeilen – nichts gespeichert.")
            return report
        progress(0.9, "wird gespeichert")
        with self._transaction() as conn:
            # Checked again under the write lock: the same file imported at the same time by another
            # process may have been stored since the check above (it gave an IntegrityError).
            self._refuse_duplicate(self._dataset_with_hash(digest, conn), file_name)
            taken = {row[0] for row in conn.execute("SELECT name FROM datasets")}
            report.dataset = _unique_name(name or Path(file_name).stem, taken)
            report.stored = True
            period = report.period or (None, None)
            conn.execute(
                "INSERT INTO datasets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    report.dataset,
                    file_name,
                    digest,
                    _now_utc(),
                    report.kind,
                    report.rows,
                    report.accepted,
                    report.rejected,
                    report.ignored,
                    *(d.isoformat() if d else None for d in period),
                    int(report.demo),
                    report.to_json(),
                ),
            )
            if report.kind == "punkte":
                self._write_points(conn, report.dataset, result.points)
            else:
                self._write_aggregates(conn, report.dataset, result.aggregates)
        progress(1.0, "gespeichert")
        return report

    def _dataset_with_hash(self, digest: str,
                           conn: sqlite3.Connection | None = None) -> tuple[str, str] | None:
        if conn is None:
            with self._connect() as own:
                return self._dataset_with_hash(digest, own) if own is not None else None
        row = conn.execute("SELECT name, imported_at FROM datasets WHERE sha256 = ?", (digest,)).fetchone()
        return (row[0], row[1][:10]) if row else None

    @staticmethod
    def _refuse_duplicate(existing: tuple[str, str] | None, file_name: str) -> None:
        if existing is not None:
            msg = (
                f"{file_name} ist bereits importiert: Datensatz '{existing[0]}' vom {existing[1]} "
                "(gleiche SHA-256-Prüfsumme). Zum erneuten Import den Datensatz zuerst löschen."
            )
            raise DuplicateImportError(msg)

    def _write_points(self, conn: sqlite3.Connection, dataset: str, points: gpd.GeoDataFrame) -> None:
        conn.executemany("INSERT INTO point_chunks (dataset, chunk, n, x, y, t, category, ags, crc) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         ((dataset, *chunk) for chunk in encode_points(points, chunk=CHUNK)))

    def _write_aggregates(self, conn: sqlite3.Connection, dataset: str, aggregates: pd.DataFrame) -> None:
        conn.executemany(
            "INSERT INTO aggregates VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    dataset,
                    r.area_key,
                    r.level,
                    r.category,
                    r.period_start.isoformat(),
                    r.period_end.isoformat(),
                    int(r.count),
                )
                for r in aggregates.itertuples(index=False)
            ],
        )

    # --- listing and deleting ---------------------------------------------------------------
    def datasets(self) -> pd.DataFrame:
        """One row per dataset, oldest first.

        Columns ``name``, ``file_name``, ``sha256``, ``imported_at`` (UTC ISO), ``kind``,
        ``rows``, ``accepted``, ``rejected``, ``ignored``, ``period_start``,
        ``period_end``, ``demo`` (bool: the file was marked as synthetic demo data).
        """
        columns = [
            "name",
            "file_name",
            "sha256",
            "imported_at",
            "kind",
            "rows",
            "accepted",
            "rejected",
            "ignored",
            "period_start",
            "period_end",
            "demo",
        ]
        with self._connect() as conn:
            if conn is None:
                return pd.DataFrame({c: [] for c in columns})
            rows = conn.execute(
                f"SELECT {', '.join(columns)} FROM datasets ORDER BY imported_at, name"
            ).fetchall()
        return pd.DataFrame(rows, columns=columns).astype({"demo": bool})

    def report(self, name: str) -> dict:
        """The stored import report of dataset `name` (as :meth:`ImportReport.to_dict`)."""
        with self._connect() as conn:
            row = (
                conn.execute("SELECT report FROM datasets WHERE name = ?", (name,)).fetchone()
                if conn
                else None
            )
        if row is None:
            raise UnknownDatasetError(f"Datensatz '{name}' gibt es nicht.")
        return json.loads(row[0])

    def delete(self, name: str) -> None:
        """Delete dataset `name` and its points or aggregates (one transaction)."""
        with self._transaction() as conn:
            found = conn.execute("DELETE FROM datasets WHERE name = ?", (name,)).rowcount
            if not found:
                raise UnknownDatasetError(f"Datensatz '{name}' gibt es nicht.")
            conn.execute("DELETE FROM point_chunks WHERE dataset = ?", (name,))
            conn.execute("DELETE FROM aggregates WHERE dataset = ?", (name,))

    # --- reading ----------------------------------------------------------------------------
    def point_table(
        self,
        *,
        categories: Iterable[str] | None = None,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
        datasets: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Stored points as plain columns, no geometry: the fast path for numpy work.

        Columns ``x``, ``y`` (EPSG:25833 metres), ``category``, ``time``, ``ags``,
        ``dataset``. Filters as in :meth:`points`; a million points load in well under
        a second because no shapely objects are made.
        """
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

    def points(
        self,
        *,
        categories: Iterable[str] | None = None,
        start: dt.date | dt.datetime | None = None,
        end: dt.date | dt.datetime | None = None,
        datasets: Iterable[str] | None = None,
    ) -> gpd.GeoDataFrame:
        """Stored points, filtered; columns ``category``, ``time``, ``ags``, ``dataset``, geometry.

        `start` and `end` are inclusive; a date `end` includes that whole day; `datasets`
        limits to those names. Geometry in ``METRIC_CRS``.
        """
        table = self.point_table(categories=categories, start=start, end=end, datasets=datasets)
        geometry = gpd.points_from_xy(table["x"].to_numpy(), table["y"].to_numpy(), crs=METRIC_CRS)
        return gpd.GeoDataFrame(table.drop(columns=["x", "y"]), geometry=geometry, crs=METRIC_CRS)

    def aggregates(
        self,
        *,
        categories: Iterable[str] | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        datasets: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Stored aggregates whose period overlaps [`start`, `end`]; contract columns plus ``dataset``."""
        clauses, params = [], []
        for column, values in (("category", categories), ("dataset", datasets)):
            if values is not None:
                values = list(values)
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params += values
        if start is not None:
            clauses.append("period_end >= ?")
            params.append(_as_date(start).isoformat())
        if end is not None:
            clauses.append("period_start <= ?")
            params.append(_as_date(end).isoformat())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        columns = ["area_key", "level", "category", "period_start", "period_end", "count", "dataset"]
        with self._connect() as conn:
            rows = (
                conn.execute(
                    f"SELECT {', '.join(columns)} FROM aggregates{where} ORDER BY rowid", params
                ).fetchall()
                if conn
                else []
            )
        frame = pd.DataFrame(rows, columns=columns).astype({"count": "int64"})
        for column in ("period_start", "period_end"):
            frame[column] = [dt.date.fromisoformat(v) for v in frame[column]]
        return frame

    def is_empty(self) -> bool:
        """Whether no dataset is stored (the app then shows demo data)."""
        return self.datasets().empty


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _unique_name(base: str, taken: set[str]) -> str:
    name, number = base, 2
    while name in taken:
        name, number = f"{base} ({number})", number + 1
    return name


def _now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
