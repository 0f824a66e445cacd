"""Import of a million-row police-style CSV, and the Gemeinde assignment against geopandas.sjoin.

Steps:

1. Write the demo CSV (``python -m geo demo``: Windows-1252, ``;``, decimal comma,
   ``TT.MM.JJJJ HH:MM``, EPSG:25833) with ``--n`` rows into a temporary folder (not timed).
2. In a fresh process: build the Gemeinde lookup grid (``grid_build_s``, once per
   process, as in the app), then time :func:`geo.incidents.read_incidents` on the file:
   decoding, parsing, validation of every row, CRS detection, Gemeinde assignment,
   duplicate check and the result GeoDataFrame (``import_s``). ``peak_rss_mb`` is the
   process's peak resident memory (VmHWM) right after the import, so it covers
   everything up to here and nothing of the sjoin that follows.
3. On the accepted points: the lookup grid alone (``assign_s``) against a plain
   ``geopandas.sjoin`` of the same points with the 418 Gemeinden (``sjoin_s``; a point
   on a shared border takes the lower AGS in both); ``identical`` compares all results.

Targets (issue 3): ``import_s`` ≤ 5 s and ``peak_rss_mb`` ≤ 1024 for 1,000,000 rows;
``ratio`` = sjoin_s / assign_s ≥ 5 with ``identical`` true.

Run: ``.venv/bin/python benchmarks/import_incidents.py [--n 1000000]``. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from _proc import peak_rss_mb as vm_hwm_mb  # noqa: E402


def measure(path: Path) -> dict:
    """Runs in the child process (steps 2 and 3 of the module doc)."""
    sys.path.insert(0, str(ROOT))
    import geopandas as gpd
    import numpy as np

    from geo.boundaries import load_gemeinden
    from geo.incidents import read_incidents
    from geo.incidents.assign import assign_ags, gemeinde_grid

    start = time.perf_counter()
    gemeinde_grid()
    grid_build_s = time.perf_counter() - start

    start, cpu = time.perf_counter(), time.process_time()
    result = read_incidents(path)
    import_s = time.perf_counter() - start
    import_cpu_s = time.process_time() - cpu  # all threads; shows the work when the machine is shared
    peak_rss_mb = vm_hwm_mb()
    report = result.report

    points = result.points
    x, y = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    start = time.perf_counter()
    ours = assign_ags(x, y)
    assign_s = time.perf_counter() - start

    gemeinden = load_gemeinden()[["ags", "geometry"]]
    frame = gpd.GeoDataFrame(geometry=points.geometry.values, crs=points.crs)
    start = time.perf_counter()
    joined = gpd.sjoin(frame, gemeinden, how="left")
    reference = joined.groupby(level=0)["ags"].min().reindex(range(len(frame)))
    sjoin_s = time.perf_counter() - start

    reference = reference.to_numpy(dtype=object)
    identical = bool(
        np.array_equal(
            np.where(ours == None, "", ours).astype(str),  # noqa: E711 (element-wise)
            np.where(reference != reference, "", reference).astype(str),
        )
        and np.array_equal(ours.astype(str), points["ags"].to_numpy(dtype=str))
    )
    return {
        "n": report.rows,
        "accepted": report.accepted,
        "rejected": report.rejected,
        "grid_build_s": round(grid_build_s, 3),
        "import_s": round(import_s, 3),
        "import_cpu_s": round(import_cpu_s, 3),
        "assign_s": round(assign_s, 3),
        "sjoin_s": round(sjoin_s, 3),
        "ratio": round(sjoin_s / assign_s, 1),
        "identical": identical,
        "peak_rss_mb": round(peak_rss_mb, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "polizei_export.csv"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "geo", "demo", "--n", str(args.n), "--out", str(path)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        print(
            f"demo CSV: {args.n:,} rows, {path.stat().st_size / 1e6:.1f} MB, "
            f"written in {time.perf_counter() - start:.1f} s"
        )
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(path)],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"grid build (once per process): {figures['grid_build_s']:.2f} s")
    print(
        f"import + validate + assign {figures['n']:,} rows: {figures['import_s']:.2f} s "
        f"(target ≤ 5 s; CPU {figures['import_cpu_s']:.2f} s), "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB (target ≤ 1024 MB)"
    )
    print(
        f"Gemeinde assignment: grid {figures['assign_s']:.3f} s, geopandas.sjoin {figures['sjoin_s']:.2f} s, "
        f"ratio {figures['ratio']}× (target ≥ 5×), identical: {figures['identical']}"
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
