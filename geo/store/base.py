"""What both stores share: the import, the listing, deleting, the audit log, the role checks and
the aggregate queries, written once against a small SQL surface that each backend provides.

A backend (:class:`geo.store.embedded.IncidentStore`, :class:`geo.store.postgis.PostgisStore`)
gives :meth:`Store._connect` and :meth:`Store._transaction` yielding a connection whose
``execute(sql, params)`` takes ``?`` placeholders and returns a cursor, plus the hooks that differ:
how a dataset row is inserted, how points are written and read, and how counts are made (numpy on
the embedded file, SQL with indexes in PostGIS). Everything a person sees is computed from here, so
both backends give the same datasets, reports, counts and errors (``tests/geo/store/test_backends.py``
runs one suite on both).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import current_ags
from geo.crs import METRIC_CRS
from geo.incidents import ImportReport, read_bytes, read_incidents
from geo.store.access import LOCAL, Principal
from geo.store.errors import DuplicateImportError, UnknownDatasetError

DATASET_COLUMNS = ["name", "file_name", "sha256", "imported_at", "kind", "rows", "accepted", "rejected",
                   "ignored", "period_start", "period_end", "demo"]
AGGREGATE_COLUMNS = ["area_key", "level", "category", "period_start", "period_end", "count", "dataset"]
AUDIT_COLUMNS = ["zeit", "wer", "mandant", "aktion", "was"]


class Store:
    """The shared part of both stores (see module doc); not used on its own."""

    principal: Principal = LOCAL
    #: The column that keeps rows in insertion order (``rowid`` in SQLite).
    _ROW_ORDER = "rowid"
    #: Limits a ``WHERE`` to the principal's own rows where a backend keeps several owners.
    _OWN = ""

    # --- provided by a backend ---------------------------------------------------------------
    def _connect(self, *, write: bool = False) -> AbstractContextManager:
        raise NotImplementedError

    def _transaction(self) -> AbstractContextManager:
        raise NotImplementedError

    def _insert_dataset(self, conn, values: dict) -> object:
        """Insert one ``datasets`` row; return the key `_write_points`/`_write_aggregates` take."""
        raise NotImplementedError

    def _write_points(self, conn, key: object, name: str, points: gpd.GeoDataFrame) -> None:
        raise NotImplementedError

    def _read_points(self, *, categories=None, start=None, end=None, datasets=None) -> pd.DataFrame:
        """The point table (:meth:`point_table`) without a role check: for the store's own use."""
        raise NotImplementedError

    # --- import -----------------------------------------------------------------------------
    def import_file(self, path: str | Path | object, *, name: str | None = None, strict: bool = False,
                    **read_options: object) -> ImportReport:
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
            If a file with the same SHA-256 is already stored (for this Mandant).
        AccessDeniedError
            If the principal's role may not import.
        InputFileError
            If the file cannot be read at all; nothing is stored.
        """
        self.principal.require("importieren")
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
            # process may have been stored since the check above.
            self._refuse_duplicate(self._dataset_with_hash(digest, conn), file_name)
            taken = {row[0] for row in conn.execute("SELECT name FROM datasets").fetchall()}
            report.dataset = _unique_name(name or Path(file_name).stem, taken)
            report.stored = True
            period = report.period or (None, None)
            key = self._insert_dataset(conn, {
                "name": report.dataset, "file_name": file_name, "sha256": digest, "imported_at": _now_utc(),
                "kind": report.kind, "rows": report.rows, "accepted": report.accepted,
                "rejected": report.rejected, "ignored": report.ignored,
                "period_start": period[0].isoformat() if period[0] else None,
                "period_end": period[1].isoformat() if period[1] else None,
                "demo": bool(report.demo), "report": report.to_json()})
            if report.kind == "punkte":
                self._write_points(conn, key, report.dataset, result.points)
            else:
                self._write_aggregates(conn, key, report.dataset, result.aggregates)
            self._audit(conn, "import", f"Datensatz '{report.dataset}' aus {file_name}: {report.accepted} "
                                        f"Zeilen ({report.kind}), SHA-256 {digest[:12]}")
        progress(1.0, "gespeichert")
        return report

    def _dataset_with_hash(self, digest: str, conn=None) -> tuple[str, str] | None:
        if conn is None:
            with self._connect() as own:
                return self._dataset_with_hash(digest, own) if own is not None else None
        row = conn.execute(f"SELECT name, imported_at FROM datasets WHERE sha256 = ?{self._OWN}",
                           (digest,)).fetchone()
        return (row[0], row[1][:10]) if row else None

    @staticmethod
    def _refuse_duplicate(existing: tuple[str, str] | None, file_name: str) -> None:
        if existing is not None:
            msg = (
                f"{file_name} ist bereits importiert: Datensatz '{existing[0]}' vom {existing[1]} "
                "(gleiche SHA-256-Prüfsumme). Zum erneuten Import den Datensatz zuerst löschen."
            )
            raise DuplicateImportError(msg)

    def _write_aggregates(self, conn, key: object, name: str, aggregates: pd.DataFrame) -> None:
        conn.executemany(
            "INSERT INTO aggregates (dataset, area_key, level, category, period_start, period_end, count) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(name, r.area_key, r.level, r.category, r.period_start.isoformat(), r.period_end.isoformat(),
              int(r.count)) for r in aggregates.itertuples(index=False)])

    # --- the audit log ----------------------------------------------------------------------
    def _audit(self, conn, action: str, what: str) -> None:
        """One line of the audit log, in the transaction of the change it records."""
        conn.execute("INSERT INTO audit_log (at, who, action, what) VALUES (?, ?, ?, ?)",
                     (_now_utc(), self.principal.name, action, what))

    def audit_log(self, *, newest: int | None = None) -> pd.DataFrame:
        """Imports, deletions, shares and measure changes, oldest first: ``zeit`` (UTC ISO),
        ``wer``, ``mandant``, ``aktion``, ``was``; with `newest` only the last that many lines,
        newest first (for a screen)."""
        order = f"{self._ROW_ORDER} DESC LIMIT {int(newest)}" if newest is not None else self._ROW_ORDER
        with self._connect() as conn:
            rows = [] if conn is None else conn.execute(
                f"SELECT at, who, mandant, action, what FROM audit_log ORDER BY {order}").fetchall()
        return pd.DataFrame(rows, columns=AUDIT_COLUMNS)

    # --- listing and deleting ---------------------------------------------------------------
    def datasets(self) -> pd.DataFrame:
        """One row per dataset, oldest first.

        Columns ``name``, ``file_name``, ``sha256``, ``imported_at`` (UTC ISO), ``kind``,
        ``rows``, ``accepted``, ``rejected``, ``ignored``, ``period_start``,
        ``period_end``, ``demo`` (bool: the file was marked as synthetic demo data).
        """
        with self._connect() as conn:
            rows = [] if conn is None else conn.execute(
                f"SELECT {', '.join(DATASET_COLUMNS)} FROM datasets ORDER BY imported_at, name").fetchall()
        return pd.DataFrame(rows, columns=DATASET_COLUMNS).astype({"demo": bool})

    def report(self, name: str) -> dict:
        """The stored import report of dataset `name` (as :meth:`ImportReport.to_dict`)."""
        with self._connect() as conn:
            row = (conn.execute("SELECT report FROM datasets WHERE name = ?", (name,)).fetchone()
                   if conn else None)
        if row is None:
            raise UnknownDatasetError(f"Datensatz '{name}' gibt es nicht.")
        return json.loads(row[0]) if isinstance(row[0], str) else row[0]

    def delete(self, name: str) -> None:
        """Delete dataset `name` and its points or aggregates (one transaction)."""
        self.principal.require("loeschen")
        with self._transaction() as conn:
            self._delete_rows(conn, name)
            self._audit(conn, "loeschen", f"Datensatz '{name}'")

    def _delete_rows(self, conn, name: str) -> None:
        found = conn.execute("DELETE FROM datasets WHERE name = ?", (name,)).rowcount
        if not found:
            raise UnknownDatasetError(f"Datensatz '{name}' gibt es nicht.")
        conn.execute("DELETE FROM point_chunks WHERE dataset = ?", (name,))
        conn.execute("DELETE FROM aggregates WHERE dataset = ?", (name,))

    def is_empty(self) -> bool:
        """Whether no dataset is stored (the app then shows demo data)."""
        return self.datasets().empty

    # --- reading ----------------------------------------------------------------------------
    def points(self, *, categories: Iterable[str] | None = None, start: dt.date | dt.datetime | None = None,
               end: dt.date | dt.datetime | None = None, datasets: Iterable[str] | None = None
               ) -> gpd.GeoDataFrame:
        """Stored points, filtered; columns ``category``, ``time``, ``ags``, ``dataset``, geometry.

        `start` and `end` are inclusive; a date `end` includes that whole day; `datasets`
        limits to those names. Geometry in ``METRIC_CRS``.
        """
        self.principal.require("punkte")
        return self.statistics_points(categories=categories, start=start, end=end, datasets=datasets)

    def point_table(self, *, categories: Iterable[str] | None = None, start: dt.date | None = None,
                    end: dt.date | None = None, datasets: Iterable[str] | None = None) -> pd.DataFrame:
        """Stored points as plain columns, no geometry: the fast path for numpy work.

        Columns ``x``, ``y`` (EPSG:25833 metres), ``category``, ``time``, ``ags`` (current keys),
        ``dataset``. Filters as in :meth:`points`; a million points load in well under a second
        because no shapely objects are made. Needs the "punkte" right.
        """
        self.principal.require("punkte")
        return self._read_points(categories=categories, start=start, end=end, datasets=datasets)

    def statistics_points(self, *, categories: Iterable[str] | None = None, start: dt.date | None = None,
                          end: dt.date | None = None, datasets: Iterable[str] | None = None
                          ) -> gpd.GeoDataFrame:
        """The points as the input of the statistics (:func:`geo.analysis.analyse`), with the
        "lesen" right only: what a council member's screen then shows of them has passed the
        council's rules (no points, no cell or area below the privacy threshold; tested in
        ``tests/browser/test_privacy_council.py``). Anything that shows or exports single incidents
        takes :meth:`points`, which needs "punkte"."""
        self.principal.require("lesen")
        table = self._read_points(categories=categories, start=start, end=end, datasets=datasets)
        geometry = gpd.points_from_xy(table["x"].to_numpy(), table["y"].to_numpy(), crs=METRIC_CRS)
        return gpd.GeoDataFrame(table.drop(columns=["x", "y"]), geometry=geometry, crs=METRIC_CRS)

    def aggregates(self, *, categories: Iterable[str] | None = None, start: dt.date | None = None,
                   end: dt.date | None = None, datasets: Iterable[str] | None = None) -> pd.DataFrame:
        """Stored aggregates whose period overlaps [`start`, `end`]; contract columns plus ``dataset``."""
        clauses, params = [], []
        for column, values in (("category", categories), ("dataset", datasets)):
            if values is not None:
                values = list(values)
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})" if values else "1 = 0")
                params += values
        if start is not None:
            clauses.append("period_end >= ?")
            params.append(_as_date(start).isoformat())
        if end is not None:
            clauses.append("period_start <= ?")
            params.append(_as_date(end).isoformat())
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(AGGREGATE_COLUMNS)} FROM aggregates{where} "
                                f"ORDER BY {self._ROW_ORDER}", params).fetchall() if conn else []
        frame = pd.DataFrame(rows, columns=AGGREGATE_COLUMNS).astype({"count": "int64"})
        for column in ("period_start", "period_end"):
            frame[column] = [dt.date.fromisoformat(v) for v in frame[column]]
        return frame

    # --- counts (the figures a Land-wide server fetches instead of points) ---------------------
    def gemeinde_counts(self, *, categories: Iterable[str] | None = None, start=None, end=None,
                        datasets: Iterable[str] | None = None, by_month: bool = False) -> pd.DataFrame:
        """Incidents per Gemeinde (current keys) and category, and per month with `by_month`.

        Columns ``ags``, ``category``, (``month``: first day, a date,) ``count``; sorted. Needs
        only the "lesen" right: no single incident leaves the store.
        """
        self.principal.require("lesen")
        raw = self._gemeinde_counts(categories=categories, start=start, end=end, datasets=datasets,
                                    by_month=by_month)
        keys = ["ags", "category", *(["month"] if by_month else [])]
        raw["ags"] = current_ags(raw["ags"])  # a Gemeinde merged since the import counts for its successor
        out = raw.groupby(keys, as_index=False, sort=True)["count"].sum()
        return out.astype({"count": "int64"}).reset_index(drop=True)

    def grid_counts(self, *, cell: float = 250.0, area: str = "14", categories: Iterable[str] | None = None,
                    start=None, end=None, datasets: Iterable[str] | None = None) -> pd.DataFrame:
        """Incidents per grid cell of `cell` metres (:mod:`geo.grid`: col = ⌊x/cell⌋, row = ⌊y/cell⌋)
        whose Gemeinde key starts with `area` (a Kreis, a Gemeinde or "14"). Columns ``col``,
        ``row``, ``count``, sorted by row then col; needs only the "lesen" right."""
        self.principal.require("lesen")
        out = self._grid_counts(cell=float(cell), area=str(area), categories=categories, start=start,
                                end=end, datasets=datasets)
        return out.sort_values(["row", "col"]).reset_index(drop=True).astype("int64")

    def _gemeinde_counts(self, *, by_month: bool, **filters) -> pd.DataFrame:
        table = self._read_points(**filters)  # counting discloses no point
        frame = pd.DataFrame({"ags": table["ags"].astype(str), "category": table["category"].astype(str)})
        if by_month:
            frame["month"] = table["time"].dt.to_period("M").dt.start_time.dt.date
        keys = list(frame.columns)
        return frame.groupby(keys, as_index=False, sort=False).size().rename(columns={"size": "count"})

    def _grid_counts(self, *, cell: float, area: str, **filters) -> pd.DataFrame:
        table = self._read_points(**filters)  # counting discloses no point
        table = table[table["ags"].astype(str).str.startswith(area)]
        cols = np.floor(table["x"].to_numpy() / cell).astype(np.int64)
        rows = np.floor(table["y"].to_numpy() / cell).astype(np.int64)
        frame = pd.DataFrame({"col": cols, "row": rows})
        counted = frame.groupby(["col", "row"], as_index=False, sort=False).size()
        return counted.rename(columns={"size": "count"})


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _unique_name(base: str, taken: set[str]) -> str:
    name, number = base, 2
    while name in taken:
        name, number = f"{base} ({number})", number + 1
    return name


def _now_utc() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")

