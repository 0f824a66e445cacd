"""Hotspot engine speed: ours (bin + KDE + Gi* + FDR) against esda's Gi* on the same cells.

1. 1,000,000 synthetic incidents over all of Saxony (``geo.incidents.demo``, fixed seed),
   250 m cells (295,067 study cells). *Ours*: build the study grid, bin, quartic KDE
   (default bandwidth rule), Gi* (r = 1) with Benjamini–Hochberg FDR. It runs in a child
   process that only loads the coordinates, so its peak memory (VmHWM) is ours alone.
2. *esda*: ``libpysal.weights.DistanceBand`` (binary, threshold √2·250 m + 1 mm: exactly
   the 3×3 window on the cell centres) + ``esda.G_Local(transform="B", star=True,
   permutations=0)`` on the same study cells and counts; z compared to ours.
3. 10,000,000 incidents (the 1 M points repeated ten times with 100 m Gaussian jitter),
   same pipeline, in a child process.
4. Rates for the 418 Gemeinden from the 1 M point frame (``area_rates``).

Run: ``.venv/bin/python benchmarks/hotspots.py [--esda-area KEY]`` (``--esda-area 14522``
restricts the esda comparison to one Kreis on a small machine; both sides then use
the identical subset). Last line: one JSON object with n, ours_s, esda_s, ratio,
max_abs_z_diff, peak_rss_mb.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N = 1_000_000
CELL = 250.0
from _proc import peak_rss_mb  # noqa: E402


def ours(x: np.ndarray, y: np.ndarray, area: str) -> tuple[dict, np.ndarray]:
    """The timed pipeline; returns stage times and Gi* z over the study cells."""
    from geo.grid import study_grid
    from geo.hotspots.gistar import gi_star
    from geo.hotspots.kde import kde

    t0 = time.perf_counter()
    grid = study_grid(area, cell=CELL)
    t1 = time.perf_counter()
    counts = grid.counts(x, y)
    t2 = time.perf_counter()
    density = kde(grid, x, y)
    t3 = time.perf_counter()
    gi = gi_star(grid, counts, radius=1)  # includes the BH adjustment and classes
    t4 = time.perf_counter()
    stages = {"grid_s": t1 - t0, "bin_s": t2 - t1, "kde_s": t3 - t2, "gi_fdr_s": t4 - t3,
              "total_s": t4 - t0, "cells": grid.n_cells, "bandwidth_m": round(density.bandwidth, 1),
              "hot_cells_99": int((gi.bin == 3).sum())}
    return stages, gi.z


def child(args: argparse.Namespace) -> None:
    """Runs in a fresh process: load coordinates, (optionally) multiply them, time ours."""
    from geo.boundaries import load_land

    load_land()  # the boundary file is read once per app process; not part of the timed pipeline
    data = np.load(args.child)
    x, y = data["x"], data["y"]
    if args.repeat > 1:
        rng = np.random.default_rng(1)
        x = np.concatenate([x + rng.normal(0, 100, len(x)) for _ in range(args.repeat)])
        y = np.concatenate([y + rng.normal(0, 100, len(y)) for _ in range(args.repeat)])
    ours(x, y, args.area)  # warm-up (imports, FFT plans)
    stages, z = ours(x, y, args.area)
    np.save(args.z_out, z)
    stages |= {"n": len(x), "peak_rss_mb": round(peak_rss_mb(), 1)}
    print(json.dumps(stages))


def run_child(path: Path, *, area: str, repeat: int, z_out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", str(path), "--area", area, "--repeat", str(repeat),
           "--z-out", str(z_out)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def esda_gi(x: np.ndarray, y: np.ndarray, area: str) -> tuple[dict, np.ndarray]:
    import warnings

    from esda import G_Local
    from libpysal.weights import DistanceBand

    from geo.grid import study_grid

    grid = study_grid(area, cell=CELL)
    counts = grid.counts(x, y)[grid.mask].astype(np.float64)
    row, col = grid.study_index()
    centres = np.column_stack([(grid.col0 + col + 0.5) * CELL, (grid.row0 + row + 0.5) * CELL])
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands / disconnected components warnings
        w = DistanceBand(centres, threshold=np.sqrt(2) * CELL + 0.001, binary=True, silence_warnings=True)
        t1 = time.perf_counter()
        g = G_Local(counts, w, transform="B", star=True, permutations=0)
    t2 = time.perf_counter()
    return {"weights_s": t1 - t0, "g_local_s": t2 - t1, "total_s": t2 - t0}, g.Zs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--esda-area", default="14", help="area for the esda comparison (default all Saxony)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--area", default="14", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--z-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from geo.hotspots.points import xy
    from geo.hotspots.rates import area_rates
    from geo.incidents.demo import demo_points

    t = time.perf_counter()
    points = demo_points(n=N)
    print(f"1 M Demo-Vorfälle erzeugt in {time.perf_counter() - t:.1f} s")
    x, y = xy(points)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "points.npz"
        np.savez(path, x=x, y=y)
        one = run_child(path, area=args.esda_area, repeat=1, z_out=Path(tmp) / "z1.npy")
        z_ours = np.load(Path(tmp) / "z1.npy")
        ten = run_child(path, area="14", repeat=10, z_out=Path(tmp) / "z10.npy")
    print(f"ours, 1 M, area {args.esda_area}: {json.dumps(one)}")
    print(f"ours, 10 M, Sachsen: {json.dumps(ten)}")

    esda_stages, z_esda = esda_gi(x, y, args.esda_area)
    print(f"esda Gi*, area {args.esda_area}: {json.dumps({k: round(v, 3) for k, v in esda_stages.items()})}")
    diff = float(np.max(np.abs(z_ours - z_esda)))

    area_rates(points.iloc[:1000])  # warm-up (boundaries)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        rates = area_rates(points)
        times.append(time.perf_counter() - t)
    print(f"Raten für {len(rates)} Gemeinden aus 1 M Vorfällen: bestes von 5 {min(times):.3f} s")

    ratio = esda_stages["total_s"] / one["total_s"]
    print(f"Verhältnis esda / ours (Gi* allein gegen bin + KDE + Gi* + FDR): {ratio:.0f}×; "
          f"10 M in {ten['total_s']:.2f} s (Ziel ≤ 15 s); Spitzenspeicher {one['peak_rss_mb']} MB")
    print(json.dumps({"n": N, "area": args.esda_area, "cells": one["cells"],
                      "ours_s": round(one["total_s"], 4), "esda_s": round(esda_stages["total_s"], 3),
                      "ratio": round(ratio, 1), "max_abs_z_diff": diff, "peak_rss_mb": one["peak_rss_mb"],
                      "n10m_s": round(ten["total_s"], 3), "n10m_peak_rss_mb": ten["peak_rss_mb"],
                      "rates_418_s": round(min(times), 4)}))


if __name__ == "__main__":
    main()
