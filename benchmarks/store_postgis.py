"""The two incident stores side by side: embedded SQLite (numpy counts) against PostGIS (SQL counts).

What it does:

1. ``--n`` synthetic incidents (fixed seed, not timed): each Gemeinde gets points in proportion to
   its inhabitants, uniform inside its real boundary (sampled in its bounding box, kept where the
   Gemeinde lookup grid of :mod:`geo.incidents.assign` puts them in that Gemeinde), coordinates in
   cm, times to the minute uniform over 2020–2024, six categories (graffiti 35 %, littering 30 %,
   violence 15 %, drugs 8 %, other 7 %, extremism 5 %). Rows in time order, as exports arrive (each
   dataset one span of time); ``--order random`` shuffles them.
2. Both stores get the same points as datasets of ``--per-dataset`` rows, one transaction each,
   through the import's own bulk hooks (``_insert_dataset`` + ``_write_points``; no CSV parsing):
   the embedded store in a temporary folder, PostGIS in a throwaway cluster
   (:mod:`geo.store.pgcluster`, default server settings) at the newest schema, written as Mandant
   14522180 (role planung), then ``VACUUM (ANALYZE)``: the state autovacuum reaches after a bulk
   import, made before the clock starts instead of during it.
3. Each query runs once untimed on both (warm caches), then ``--repeat`` times, the backends
   taking turns, through the store's public methods as the app calls them; median and minimum.
   The results must be identical (``pandas.testing.assert_frame_equal``, exit 1 otherwise):
   (a) ``gemeinde_counts``: graffiti, 2023, per Gemeinde;
   (b) ``grid_counts``: 250 m cells, graffiti, 2023, for Mittelsachsen (14522) and Dresden (14612);
   (c) ``point_table``: the graffiti points of 2023 (the store has no area filter for points), then
   those of Mittelsachsen kept in pandas, the same on both.

``--explain`` prints PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of the SQL that (a) and (b) run;
``--extra-sql`` runs DDL after the migrations, before loading: a proposed index measured before it
becomes a migration.

Measured 2026-12-02: 10,000,000 incidents in 10 datasets, 5 timed runs each, 2 cores (AMD EPYC)
shared with other work (load average 2–3: medians up to twice the minimum), 23.5 GB; PostgreSQL
15.18 with PostGIS 3.3.2 at default settings (shared_buffers 128MB, work_mem 4MB, 2 parallel workers,
jit on), SQLite 3.40.1. Peak RSS of the benchmark process 1.1 GB. All results identical.

Schema 0002 (before the Zählindex). Load: embedded 3.7 s (290 MB file), PostGIS 407.5 s + VACUUM (ANALYZE)
3.4 s (table 1,261 MB, indexes 1,778 MB): ×111.

============================================  =======  ===================  ===================  =======
query                                         rows     embedded med / min   PostGIS med / min    emb./PG
============================================  =======  ===================  ===================  =======
(a) Gemeinde counts, graffiti 2023                418  2.015 / 0.962 s      1.065 / 0.781 s      ×1.89
(b) 250 m grid, Mittelsachsen, graffiti 2023   22,843  1.751 / 0.806 s      0.651 / 0.636 s      ×2.69
(b) 250 m grid, Dresden, graffiti 2023          5,470  2.655 / 2.152 s      1.552 / 1.300 s      ×1.71
(c) points, Mittelsachsen, graffiti 2023       51,235  4.155 / 2.583 s      4.022 / 2.944 s      ×1.03
============================================  =======  ===================  ===================  =======

The plans (``--explain``): (a) and Dresden read the whole table in a parallel sequential scan (154 k
pages for 700 k matching rows, 7 %); Mittelsachsen takes a bitmap scan on ``incidents_category_t``
(34 k pages: the year's rows lie together because imports arrive in time order); each query spends
70–85 ms compiling JIT code. The planner prices a bitmap scan as if the matches were spread over all
pages, so at 7 % it is a toss-up against the sequential scan. Shuffled rows (``--order random``,
2,000,000) make that true: the bitmap scan reads every page and PostGIS is slower than the embedded
store (a: 0.387 against 0.324 s). No query uses ``incidents_geom`` (GiST) or, because the
row-level-security policy is an ``OR``, ``incidents_mandant_category_t``.

The covering index that migration 0003 (``v0003_zaehlindex.py``) now makes, measured before it was
one with ``--extra-sql`` (``DROP INDEX`` of ``incidents_category_t``, ``incidents_mandant_category_t``
and, in this run, also ``incidents_geom``, which 0003 keeps; then ``CREATE INDEX
incidents_category_t_cover ON incidents (category, t) INCLUDE (ags, x, y, mandant, shared)``):
index-only scans with no heap fetch after the VACUUM, 13 k pages (105 MB) instead of 154 k, under
the JIT threshold. Load: embedded 5.9 s, PostGIS 237.1 s + 2.0 s (indexes 1,855 MB): ×41.

============================================  =======  ===================  ===================  =======
query                                         rows     embedded med / min   PostGIS med / min    emb./PG
============================================  =======  ===================  ===================  =======
(a) Gemeinde counts, graffiti 2023                418  1.245 / 0.754 s      0.240 / 0.235 s      ×5.19
(b) 250 m grid, Mittelsachsen, graffiti 2023   22,843  0.902 / 0.800 s      0.259 / 0.221 s      ×3.49
(b) 250 m grid, Dresden, graffiti 2023          5,470  1.794 / 0.735 s      0.305 / 0.252 s      ×5.88
(c) points, Mittelsachsen, graffiti 2023       51,235  1.800 / 1.007 s      2.477 / 1.986 s      ×0.73
============================================  =======  ===================  ===================  =======

Schema 0003 as migrated (the covering index, GiST kept), run 2026-12-02 13:11 UTC, load average
about 1: load embedded 4.0 s, PostGIS 298.4 s + 0.7 s (indexes 2,273 MB): ×75. Peak RSS 1,127 MB.

============================================  =======  ===================  ===================  =======
query                                         rows     embedded med / min   PostGIS med / min    emb./PG
============================================  =======  ===================  ===================  =======
(a) Gemeinde counts, graffiti 2023                418  1.217 / 0.782 s      0.218 / 0.162 s      ×5.57
(b) 250 m grid, Mittelsachsen, graffiti 2023   22,843  0.940 / 0.887 s      0.302 / 0.297 s      ×3.11
(b) 250 m grid, Dresden, graffiti 2023          5,470  1.609 / 1.132 s      0.260 / 0.224 s      ×6.19
(c) points, Mittelsachsen, graffiti 2023       51,235  2.229 / 1.810 s      1.911 / 1.692 s      ×1.17
============================================  =======  ===================  ===================  =======

Both counts are parallel index-only scans of ``incidents_category_t_cover`` with no heap fetch
(13 k buffers); the GiST index costs load time and space and serves no query yet.

The embedded store decodes all of its points for every count (SHA-256 over the 290 MB of blobs,
then numpy filters), so its time grows with the store, not with the selection. (c) fetches the
700 k graffiti points of 2023 from both stores, as ``point_table`` has no area filter.

Run: ``.venv/bin/python benchmarks/store_postgis.py [--n 10000000] [--repeat 5] [--explain]``
(needs PostgreSQL 15 with PostGIS: ``make postgres``). Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CATEGORY_SHARES = {"graffiti": 0.35, "littering": 0.30, "violence": 0.15, "extremism": 0.05,
                   "drugs": 0.08, "other": 0.07}
FIRST, LAST = dt.date(2020, 1, 1), dt.date(2024, 12, 31)
YEAR = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
CATEGORY = "graffiti"
MANDANT = "14522180"  # Freiberg, in Mittelsachsen
BLOCK = 1_000_000  # points generated at a time (memory)
from _proc import peak_rss_mb  # noqa: E402


# --- 1. synthetic incidents ------------------------------------------------------------------
def synthetic(n: int, *, seed: int = 14, order: str = "time") -> dict[str, np.ndarray]:
    """``n`` points inside Saxony's Gemeinden: x, y (EPSG:25833, cm), t (seconds), category
    (index into ``CATEGORIES``), ags (8-digit strings); sorted by time, or random with `order`
    ``"random"``."""
    from geo.boundaries import load_gemeinden
    from geo.incidents import CATEGORIES
    from geo.incidents.assign import gemeinde_grid

    gemeinden = load_gemeinden()
    grid = gemeinde_grid()  # its rows are load_gemeinden()'s rows
    bounds = gemeinden.geometry.bounds.to_numpy()
    weights = gemeinden["einwohner"].to_numpy(dtype=float)
    rng = np.random.default_rng(seed)
    owner = rng.choice(len(gemeinden), size=n, p=weights / weights.sum()).astype(np.int16)
    x, y = np.empty(n), np.empty(n)
    for start in range(0, n, BLOCK):
        todo = np.arange(start, min(n, start + BLOCK))
        while todo.size:
            box = bounds[owner[todo]]
            px = np.round(rng.uniform(box[:, 0], box[:, 2]), 2)
            py = np.round(rng.uniform(box[:, 1], box[:, 3]), 2)
            hit = grid.lookup(px, py) == owner[todo]
            x[todo[hit]], y[todo[hit]] = px[hit], py[hit]
            todo = todo[~hit]
    first = int(np.datetime64(FIRST, "s").astype(np.int64))
    last = int(np.datetime64(LAST + dt.timedelta(days=1), "s").astype(np.int64)) - 1
    t = rng.integers(first, last + 1, size=n)
    t -= t % 60
    shares = np.array([CATEGORY_SHARES[c] for c in CATEGORIES])
    category = rng.choice(len(CATEGORIES), size=n, p=shares / shares.sum()).astype(np.uint8)
    ags = gemeinden["ags"].to_numpy(dtype=object)[owner]
    points = {"x": x, "y": y, "t": t, "category": category, "ags": ags}
    if order == "time":
        by_time = np.argsort(t, kind="stable")
        points = {key: column[by_time] for key, column in points.items()}
    return points


def datasets(points: dict[str, np.ndarray], per: int):
    """``(name, values of its datasets row, GeoDataFrame)`` for each slice of ``per`` points."""
    import geopandas as gpd

    from geo.crs import METRIC_CRS
    from geo.incidents import CATEGORIES

    n = len(points["x"])
    for number, start in enumerate(range(0, n, per), start=1):
        part = slice(start, start + per)
        name = f"synthetisch-{number:03d}"
        frame = gpd.GeoDataFrame({
            "category": pd.Categorical.from_codes(points["category"][part], categories=list(CATEGORIES)),
            "time": points["t"][part].astype("datetime64[s]"),
            "ags": points["ags"][part],
        }, geometry=gpd.points_from_xy(points["x"][part], points["y"][part]), crs=METRIC_CRS)
        rows = len(frame)
        values = {
            "name": name, "file_name": f"{name}.csv", "sha256": hashlib.sha256(name.encode()).hexdigest(),
            "imported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "kind": "punkte",
            "rows": rows, "accepted": rows, "rejected": 0, "ignored": 0,
            "period_start": str(frame["time"].min().date()), "period_end": str(frame["time"].max().date()),
            "demo": True,
            "report": json.dumps({"synthetisch": True, "zeilen": rows}),
        }
        yield name, values, frame


# --- 2. loading ---------------------------------------------------------------------------------
def load(store, points: dict[str, np.ndarray], per: int) -> float:
    """Seconds spent in the store's import transactions (building the frames not counted)."""
    spent = 0.0
    for name, values, frame in datasets(points, per):
        start = time.perf_counter()
        with store._transaction() as conn:
            key = store._insert_dataset(conn, values)
            store._write_points(conn, key, name, frame)
        spent += time.perf_counter() - start
    return spent


def run_sql(admin_url: str, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        for statement in statements:
            print(f"extra SQL: {statement}")
            conn.execute(statement)


def vacuum_analyze(admin_url: str) -> float:
    import psycopg

    start = time.perf_counter()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) incidents")
        conn.execute("VACUUM (ANALYZE) datasets")
    return time.perf_counter() - start


# --- 3. queries -----------------------------------------------------------------------------
def queries() -> dict[str, Callable]:
    def kreis_points(store, kreis: str) -> pd.DataFrame:
        table = store.point_table(categories=[CATEGORY], start=YEAR[0], end=YEAR[1])
        return table[table["ags"].str.startswith(kreis)].reset_index(drop=True)

    period = {"categories": [CATEGORY], "start": YEAR[0], "end": YEAR[1]}
    return {
        "(a) Gemeinde counts, graffiti 2023": lambda s: s.gemeinde_counts(**period),
        "(b) 250 m grid, Mittelsachsen, graffiti 2023": lambda s: s.grid_counts(cell=250, area="14522",
                                                                                **period),
        "(b) 250 m grid, Dresden, graffiti 2023": lambda s: s.grid_counts(cell=250, area="14612", **period),
        "(c) points, Mittelsachsen, graffiti 2023": lambda s: kreis_points(s, "14522"),
    }


def compare(stores: dict[str, object], repeat: int) -> list[dict]:
    """Each query on each store: warm-up, then `repeat` timed runs, backends taking turns."""
    rows = []
    for label, query in queries().items():
        results = {name: query(store) for name, store in stores.items()}
        first, *others = results.values()
        for other in others:
            try:
                pd.testing.assert_frame_equal(first, other, check_exact=True)
            except AssertionError as err:
                raise SystemExit(f"{label}: the backends' results differ: {str(err).strip()}") from err
        times: dict[str, list[float]] = {name: [] for name in stores}
        for _ in range(repeat):
            for name, store in stores.items():
                start = time.perf_counter()
                query(store)
                times[name].append(time.perf_counter() - start)
        row = {"query": label, "rows": len(first)}
        for name, spent in times.items():
            row[f"{name}_median_s"] = round(statistics.median(spent), 4)
            row[f"{name}_min_s"] = round(min(spent), 4)
        row["ratio"] = round(row["embedded_median_s"] / row["postgis_median_s"], 2)
        rows.append(row)
    return rows


@contextlib.contextmanager
def recorded_sql():
    """The (sql, params) the PostGIS store sends while inside (for EXPLAIN)."""
    from geo.store import postgis

    seen: list[tuple[str, tuple]] = []
    original = postgis._Conn.execute

    def execute(self, sql, params=()):
        seen.append((sql, tuple(params)))
        return original(self, sql, params)

    postgis._Conn.execute = execute
    try:
        yield seen
    finally:
        postgis._Conn.execute = original


def explain(store) -> None:
    for label, query in queries().items():
        if label.startswith("(c)"):
            continue  # point_table reads through COPY, not execute
        with recorded_sql() as seen:
            query(store)
        sql, params = next((s, p) for s, p in reversed(seen) if "FROM incidents" in s)
        with store._connect() as conn:
            plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params).fetchall()
        print(f"\n--- {label}\n{sql}\n" + "\n".join(line for (line,) in plan))


# --- reporting --------------------------------------------------------------------------------
def machine(admin_url: str) -> dict:
    import psycopg

    with open("/proc/meminfo", encoding="ascii") as info:
        mem_gb = int(info.readline().split()[1]) / 1024**2
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        model = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")),
                     platform.processor())
    facts = {"cores": os.cpu_count(), "cpu": model, "memory_gb": round(mem_gb, 1),
             "load_average": [round(v, 2) for v in os.getloadavg()], "python": platform.python_version(),
             "sqlite": sqlite3.sqlite_version}
    with psycopg.connect(admin_url) as conn:
        facts["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
        facts["postgis"] = conn.execute("SELECT postgis_lib_version()").fetchone()[0]
        for setting in ("shared_buffers", "work_mem", "max_parallel_workers_per_gather", "jit"):
            facts[setting] = conn.execute(f"SHOW {setting}").fetchone()[0]
        facts["incidents_table_mb"] = round(conn.execute(
            "SELECT pg_table_size('incidents')").fetchone()[0] / 1e6, 1)
        facts["incidents_indexes_mb"] = round(conn.execute(
            "SELECT pg_indexes_size('incidents')").fetchone()[0] / 1e6, 1)
    return facts


def print_table(rows: list[dict]) -> None:
    width = max(len(r["query"]) for r in rows)
    print(f"\n{'query':<{width}}  {'rows':>7}  {'embedded med / min':>19}  {'PostGIS med / min':>19}  "
          f"{'emb./PostGIS':>12}")
    for r in rows:
        print(f"{r['query']:<{width}}  {r['rows']:>7,}  "
              f"{r['embedded_median_s']:>8.3f} / {r['embedded_min_s']:>6.3f} s  "
              f"{r['postgis_median_s']:>8.3f} / {r['postgis_min_s']:>6.3f} s  "
              f"{'×' + format(r['ratio'], '.2f'):>12}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000_000, help="incidents (default 10,000,000)")
    parser.add_argument("--per-dataset", type=int, default=1_000_000, help="rows per stored dataset")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per query and backend")
    parser.add_argument("--order", choices=("time", "random"), default="time",
                        help="rows stored in time order (as exports arrive) or shuffled")
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans of (a) and (b)")
    parser.add_argument("--extra-sql", action="append", default=[], metavar="SQL",
                        help="run on the PostGIS database after the migrations, before loading (to measure a "
                             "proposed index before it becomes a migration); repeatable")
    args = parser.parse_args()

    from geo.store import IncidentStore, pgcluster, schema
    from geo.store.access import Principal
    from geo.store.postgis import PostgisStore

    start = time.perf_counter()
    points = synthetic(args.n, order=args.order)
    print(f"{args.n:,} synthetic incidents generated in {time.perf_counter() - start:.1f} s (not measured)")
    principal = Principal("bench", "planung", MANDANT)
    cluster = pgcluster.start()
    try:
        url = cluster.create_database("atlas_bench")
        schema.upgrade(url)
        run_sql(url, args.extra_sql)
        facts = machine(url)
        print(f"machine: {facts['cores']} cores ({facts['cpu']}), {facts['memory_gb']} GB, load average "
              f"{facts['load_average']}; PostgreSQL {facts['postgresql']}, PostGIS {facts['postgis']} "
              f"(shared_buffers {facts['shared_buffers']}, work_mem {facts['work_mem']}, parallel workers "
              f"per gather {facts['max_parallel_workers_per_gather']}, jit {facts['jit']}); SQLite "
              f"{facts['sqlite']}, Python {facts['python']}")
        with tempfile.TemporaryDirectory(prefix="atlas-bench-") as folder:
            stores = {"embedded": IncidentStore(Path(folder), principal=principal),
                      "postgis": PostgisStore(url, principal=principal)}
            load_s = {name: load(store, points, args.per_dataset) for name, store in stores.items()}
            analyze_s = vacuum_analyze(url)
            facts = machine(url)
            sqlite_mb = stores["embedded"].path.stat().st_size / 1e6
            print(f"load {args.n:,} points in {-(-args.n // args.per_dataset)} dataset(s): embedded "
                  f"{load_s['embedded']:.1f} s ({sqlite_mb:.0f} MB file), PostGIS {load_s['postgis']:.1f} s "
                  f"+ VACUUM (ANALYZE) {analyze_s:.1f} s (table {facts['incidents_table_mb']:.0f} MB, "
                  f"indexes {facts['incidents_indexes_mb']:.0f} MB); ratio "
                  f"×{(load_s['postgis'] + analyze_s) / load_s['embedded']:.1f}")
            del points
            rows = compare(stores, args.repeat)
            print_table(rows)
            print("all results identical on both backends")
            if args.explain:
                explain(stores["postgis"])
    finally:
        cluster.stop()
    figures = {"n": args.n, "load_embedded_s": round(load_s["embedded"], 1),
               "load_postgis_s": round(load_s["postgis"], 1), "vacuum_analyze_s": round(analyze_s, 1),
               "sqlite_mb": round(sqlite_mb), "peak_rss_mb": round(peak_rss_mb()),
               "extra_sql": args.extra_sql, "machine": facts, "queries": rows}
    print(f"peak RSS of this process: {figures['peak_rss_mb']:,} MB")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
