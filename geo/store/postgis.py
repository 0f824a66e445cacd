"""The PostGIS store: the same interface as the embedded one (:class:`geo.store.base.Store`), for a
server that keeps many municipalities' data, selected by ``ATLAS_DATABASE_URL``.

* **Mandanten.** Each transaction runs as the role ``atlas_app`` with ``atlas.mandant`` and
  ``atlas.rolle`` set from the :class:`~geo.store.access.Principal`; the row-level-security
  policies of migration 0002 then show only the Mandant's own rows and shared datasets, and
  let it write only its own. A forgotten ``WHERE`` in this module cannot leak another
  Mandant's incidents: the database does not return them.
* **Points as rows** with a generated PostGIS point (GiST) and B-tree indexes on category and
  time, Gemeinde key and dataset. Imports go in with ``COPY``, inside the import's transaction.
* **Counts in the database:** per Gemeinde, category (and month), and per grid cell for a
  Kreis, so the app fetches aggregates, not millions of points.
* The schema comes from the migrations (:mod:`geo.store.schema`); a database that is not at the
  newest revision is refused with a message saying how to upgrade.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import merged_gemeinden
from geo.crs import METRIC_CRS, require_crs
from geo.errors import AtlasError
from geo.incidents import CATEGORIES
from geo.lang import phrase
from geo.period import epoch_seconds
from geo.store.access import LOCAL, AccessDeniedError, Principal
from geo.store.base import Store
from geo.store.chunks import point_frame
from geo.store.errors import UnknownDatasetError

URL_VARIABLE = "ATLAS_DATABASE_URL"
APP_ROLE = "atlas_app"
COPY_ROWS = 500_000


class DatabaseUnavailableError(AtlasError, ConnectionError):
    """The PostgreSQL server cannot be reached or refused the login (German message, no password)."""


def database_url() -> str:
    """``$ATLAS_DATABASE_URL`` without surrounding blanks: "" means the embedded store."""
    return os.environ.get(URL_VARIABLE, "").strip()


def open_connection(url: str, *, autocommit: bool = False):
    """A psycopg connection to `url`; a server that cannot be reached is a German
    :class:`DatabaseUnavailableError` naming the database without its password."""
    import psycopg

    try:
        return psycopg.connect(url, connect_timeout=10, autocommit=autocommit)
    except psycopg.OperationalError as err:
        raise DatabaseUnavailableError(phrase("Die Datenbank {db} ist nicht erreichbar: {reason}",
                                              db=describe(url), reason=_last_line(err))) from err


def describe(url: str) -> str:
    """`url` without its password: ``user@host:port/db``."""
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(url)
    where = f"{parts.get('host', '')}:{parts.get('port', '5432')}/{parts.get('dbname', '')}"
    return f"{parts.get('user', '')}@{where}"


class _Conn:
    """A psycopg connection that takes the embedded store's ``?`` placeholders."""

    def __init__(self, conn) -> None:
        self.raw = conn

    def execute(self, sql: str, params: Iterable = ()):
        return self.raw.execute(sql.replace("?", "%s"), tuple(params))

    def executemany(self, sql: str, rows: Iterable):
        cursor = self.raw.cursor()
        cursor.executemany(sql.replace("?", "%s"), list(rows))
        return cursor


class PostgisStore(Store):
    """Incident datasets and measures in PostgreSQL/PostGIS (see module doc).

    Parameters
    ----------
    url : str, optional
        libpq URL (``postgresql://user:pass@host:5432/atlas``); default ``$ATLAS_DATABASE_URL``.
    principal : Principal
        Who works (role and Mandant); writing needs a Mandant.
    """

    _ROW_ORDER = "id"
    _OWN = " AND mandant = current_setting('atlas.mandant', true)"

    def __init__(self, url: str | None = None, *, principal: Principal = LOCAL) -> None:
        self.url = url or database_url()
        if not self.url:
            raise DatabaseUnavailableError(f"{URL_VARIABLE} ist nicht gesetzt.")
        self.principal = principal

    # --- connection -------------------------------------------------------------------------
    @contextmanager
    def _session(self) -> Iterator[_Conn]:
        import psycopg

        from geo.store import schema

        raw = open_connection(self.url)
        with raw:
            # checked on every connection: a backup of an older schema may have been restored meanwhile
            version = raw.execute("SELECT to_regclass('alembic_version')").fetchone()[0] and raw.execute(
                "SELECT version_num FROM alembic_version").fetchone()[0]
            if version != schema.newest():
                raise schema.SchemaError(
                    f"Die Datenbank {describe(self.url)} hat die Schemaversion {version or 'keine'}, dieses "
                    f"Programm braucht {schema.newest()}: python -m geo speicher migrieren")
            raw.execute(f"SET ROLE {APP_ROLE}")
            raw.execute("SELECT set_config('atlas.mandant', %s, false), set_config('atlas.rolle', %s, false)",
                        (self.principal.mandant or "", self.principal.role))
            raw.commit()
            try:
                yield _Conn(raw)
            except psycopg.OperationalError as err:  # the server went away mid-work
                raise DatabaseUnavailableError(
                    f"Die Verbindung zur Datenbank {describe(self.url)} ist abgebrochen; nichts wurde halb "
                    f"gespeichert: {_last_line(err)}") from err
            except psycopg.errors.InsufficientPrivilege as err:  # a policy refused: a bug, said in German
                raise AccessDeniedError(f"Die Datenbank verweigert das für Mandant {self.principal.mandant}: "
                                        f"{_last_line(err)}") from err

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[_Conn]:
        with self._session() as conn:
            yield conn
            conn.raw.rollback()

    @contextmanager
    def _transaction(self) -> Iterator[_Conn]:
        if self.principal.mandant is None:
            raise AccessDeniedError(f"{self.principal.name} ist keinem Mandanten zugeordnet; Änderungen in "
                                    "der gemeinsamen Datenbank gehören immer einem Mandanten (Gemeinde oder "
                                    "Kreis).")
        with self._session() as conn, conn.raw.transaction():
            # one writer per Mandant at a time, as SQLite's BEGIN IMMEDIATE: the same file imported
            # twice at once is then refused as a duplicate, not a unique-key error
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (self.principal.mandant,))
            yield conn

    # --- backend hooks ----------------------------------------------------------------------
    def _insert_dataset(self, conn: _Conn, values: dict) -> int:
        marks = ", ".join("?" * len(values))
        return conn.execute(f"INSERT INTO datasets ({', '.join(values)}) VALUES ({marks}) RETURNING id",
                            tuple(values.values())).fetchone()[0]

    def _write_aggregates(self, conn: _Conn, key: object, name: str, aggregates: pd.DataFrame) -> None:
        conn.executemany(
            "INSERT INTO aggregates (dataset_id, dataset, area_key, level, category, period_start, "
            "period_end, count) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(key, name, r.area_key, r.level, r.category, r.period_start.isoformat(),
              r.period_end.isoformat(), int(r.count)) for r in aggregates.itertuples(index=False)])

    def _write_points(self, conn: _Conn, key: object, name: str, points: gpd.GeoDataFrame) -> None:
        require_crs(points, METRIC_CRS)
        frame = pd.DataFrame({
            "dataset_id": key,
            "x": points.geometry.x.to_numpy(dtype="<f8"),
            "y": points.geometry.y.to_numpy(dtype="<f8"),
            "category": pd.Categorical(points["category"], categories=CATEGORIES).codes.astype(np.int16),
            "t": points["time"].to_numpy(dtype="datetime64[s]"),
            "ags": points["ags"].astype("int64").map("{:08d}".format),
        })
        self.copy_rows(conn, frame)

    @staticmethod
    def copy_rows(conn: _Conn, frame: pd.DataFrame) -> None:
        """`frame` (columns dataset_id, x, y, category, t, ags) into ``incidents``: ``COPY`` into a
        temporary table (COPY cannot write a table with row-level security), then one ``INSERT``,
        which the policies check like any other."""
        conn.execute("CREATE TEMPORARY TABLE incoming (dataset_id bigint, x double precision, "
                     "y double precision, category smallint, t timestamp, ags text) ON COMMIT DROP")
        with conn.raw.cursor().copy("COPY incoming FROM STDIN WITH (FORMAT csv)") as copy:
            for start in range(0, len(frame), COPY_ROWS):
                # floats as repr: the shortest text that reads back to the same double
                copy.write(frame.iloc[start:start + COPY_ROWS].to_csv(header=False, index=False))
        conn.execute("INSERT INTO incidents (dataset_id, x, y, category, t, ags) "
                     "SELECT dataset_id, x, y, category, t, ags FROM incoming")
        conn.execute("DROP TABLE incoming")

    def _delete_rows(self, conn: _Conn, name: str) -> None:
        found = conn.execute("DELETE FROM datasets WHERE name = ? AND mandant = ?",
                             (name, self.principal.mandant)).rowcount
        if found:
            return
        owner = conn.execute("SELECT mandant FROM datasets WHERE name = ?", (name,)).fetchone()
        if owner is None:
            raise UnknownDatasetError(f"Datensatz '{name}' gibt es nicht.")
        raise AccessDeniedError(f"Datensatz '{name}' gehört Mandant {owner[0]} (für alle freigegeben); nur "
                                "dort kann er gelöscht werden.")

    def share(self, name: str, shared: bool = True) -> None:
        """Mark dataset `name` (of the own Mandant) as visible to every Mandant, or not (admin only)."""
        self.principal.require("teilen")
        with self._transaction() as conn:
            found = conn.execute("UPDATE datasets SET shared = ? WHERE name = ? AND mandant = ? RETURNING id",
                                 (shared, name, self.principal.mandant)).fetchone()
            if found is None:
                raise UnknownDatasetError(f"Datensatz '{name}' gibt es bei Mandant {self.principal.mandant} "
                                          "nicht.")
            for table in ("incidents", "aggregates"):
                conn.execute(f"UPDATE {table} SET shared = ? WHERE dataset_id = ?", (shared, found[0]))
            self._audit(conn, "freigeben" if shared else "freigabe entziehen", f"Datensatz '{name}'")

    def _measure_tables(self, conn: _Conn, *, create: bool) -> bool:
        return True  # made by the migrations

    # --- reading ----------------------------------------------------------------------------
    def _where(self, *, categories=None, start=None, end=None, datasets=None, alias: str = "i"
               ) -> tuple[str, list]:
        clauses, params = [], []
        if categories is not None:
            clauses.append(f"{alias}.category = ANY(?)")
            params.append([CATEGORIES.index(c) for c in categories if c in CATEGORIES])
        if start is not None:
            clauses.append(f"{alias}.t >= ?")
            params.append(_naive(epoch_seconds(start, end=False)))
        if end is not None:
            clauses.append(f"{alias}.t <= ?")
            params.append(_naive(epoch_seconds(end, end=True)))
        if datasets is not None:
            clauses.append(f"{alias}.dataset_id IN (SELECT id FROM datasets WHERE name = ANY(?))")
            params.append(list(datasets))
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _read_points(self, **filters) -> pd.DataFrame:
        from psycopg import sql

        where, params = self._where(**filters)
        query = ("SELECT i.x, i.y, i.category, extract(epoch FROM i.t)::bigint, i.ags::bigint, d.name "
                 f"FROM incidents i JOIN datasets d ON d.id = i.dataset_id{where} ORDER BY d.name, i.id")
        buffer = io.BytesIO()
        with self._connect() as conn:
            bound = sql.SQL(query.replace("?", "{}")).format(*(sql.Literal(p) for p in params))
            out = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv)").format(bound)
            with conn.raw.cursor().copy(out) as copy:
                for block in copy:
                    buffer.write(block)
        buffer.seek(0)
        types = {"x": "float64", "y": "float64", "c": "int8", "t": "int64", "ags": "int64", "d": "object"}
        # pandas reads doubles back exactly (tests/geo/store/test_backends.py compares bit for bit)
        table = pd.read_csv(buffer, header=None, names=list(types), dtype=types,
                            keep_default_na=False) if buffer.getbuffer().nbytes else None
        if table is None:
            empty = np.empty(0)
            return point_frame(empty, empty, empty.astype(np.int8), empty.astype(np.int64),
                               empty.astype(np.int64), np.empty(0, dtype=object))
        return point_frame(table["x"].to_numpy(), table["y"].to_numpy(), table["c"].to_numpy(),
                           table["t"].to_numpy(), table["ags"].to_numpy(), table["d"].to_numpy(dtype=object))

    def _gemeinde_counts(self, *, by_month: bool, **filters) -> pd.DataFrame:
        where, params = self._where(**filters)
        month = ", date_trunc('month', i.t)::date" if by_month else ""
        with self._connect() as conn:
            rows = conn.execute(f"SELECT i.ags, i.category{month}, count(*) FROM incidents i{where} "
                                f"GROUP BY 1, 2{', 3' if by_month else ''}", params).fetchall()
        columns = ["ags", "category", *(["month"] if by_month else []), "count"]
        frame = pd.DataFrame(rows, columns=columns)
        frame["category"] = [CATEGORIES[c] for c in frame["category"]]
        return frame

    def _grid_counts(self, *, cell: float, area: str, **filters) -> pd.DataFrame:
        where, params = self._where(**filters)
        into, away = _stored_keys(area)
        # the plain prefix where no merger crosses the area: the planner estimates it far better
        area_clause, area_params = "i.ags LIKE ?", [area + "%"]
        if into or away:
            area_clause = "((i.ags LIKE ? AND NOT i.ags = ANY(?)) OR i.ags = ANY(?))"
            area_params += [away, into]
        where = f"{where} AND {area_clause}" if where else f" WHERE {area_clause}"
        with self._connect() as conn:
            rows = conn.execute(f"SELECT floor(i.x / ?)::bigint, floor(i.y / ?)::bigint, count(*) "
                                f"FROM incidents i{where} GROUP BY 1, 2", [cell, cell, *params, *area_params]
                                ).fetchall()
        return pd.DataFrame(rows, columns=["col", "row", "count"])


def _last_line(err: Exception) -> str:
    return (str(err).strip().splitlines() or [type(err).__name__])[-1]


def _stored_keys(area: str) -> tuple[list[str], list[str]]:
    """Keys from before a merger that now belong to `area`, and those with `area`'s prefix that
    now belong elsewhere: so a stored old key counts where :func:`geo.boundaries.current_ags` puts it."""
    merged = merged_gemeinden()
    into = [old for old, new in zip(merged["ags_alt"], merged["ags"], strict=True) if new.startswith(area)]
    away = [old for old, new in zip(merged["ags_alt"], merged["ags"], strict=True)
            if old.startswith(area) and not new.startswith(area)]
    return into, away


def _naive(seconds: int):
    """Seconds of naive local time (as the store keeps times) as a naive datetime."""
    return pd.Timestamp(seconds, unit="s").to_pydatetime()
