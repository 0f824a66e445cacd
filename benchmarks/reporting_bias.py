"""Duplicate detection speed (``geo.incidents.bias.duplicates``) against references in the same run.

1. 1,000,000 synthetic incidents over all of Saxony (``geo.incidents.demo``, fixed seed),
   5 % of them reported a second time 0–20 m away and 1–40 hours later (so there are
   duplicates to find). Timed: ``duplicates`` (25 m, 48 h). References in the same run:
   *sort*, ``np.argsort`` of 1 M random floats (the unit any O(n log n) method is made of),
   and *kd pairs*, ``scipy.spatial.cKDTree.query_pairs`` on (x, y, t scaled so 48 h = 25 m)
   per category, which only lists candidate pairs (a superset, unresolved). Peak memory:
   VmHWM of the process over the call, above its RSS before.
2. Exactness: on 3,000 of those points, ``duplicates`` equals the plain O(n²) loop.
3. A degenerate case: 100,000 reports within a few metres over one year (≈ 550 in every
   48 hours; 27 M near pairs), to show the cost stays bounded when every report is near
   every other one.

Run: ``.venv/bin/python benchmarks/reporting_bias.py``. Last line: one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N = 1_000_000
from _proc import status_mb  # noqa: E402


def reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


def brute_force(x, y, seconds, category, metres=25.0, hours=48.0):
    kept: list[int] = []
    dup = np.zeros(len(x), dtype=bool)
    for j in sorted(range(len(x)), key=lambda i: (seconds[i], i)):
        dup[j] = any(category[i] == category[j] and 0 <= seconds[j] - seconds[i] <= hours * 3600
                     and (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2 <= metres**2 for i in kept)
        if not dup[j]:
            kept.append(j)
    return dup


def main() -> None:
    from scipy.spatial import cKDTree

    from geo.incidents.bias import duplicates
    from geo.incidents.demo import demo_points

    points = demo_points(n=int(N / 1.05))
    rng = np.random.default_rng(3)
    x0, y0 = points.geometry.x.to_numpy(), points.geometry.y.to_numpy()
    t0 = points["time"].to_numpy().astype("datetime64[s]")
    c0 = points["category"].to_numpy(dtype=object)
    again = rng.choice(len(points), N - len(points), replace=False)
    angle, dist = rng.uniform(0, 2 * np.pi, len(again)), rng.uniform(0, 20, len(again))
    x = np.concatenate([x0, x0[again] + dist * np.cos(angle)])
    y = np.concatenate([y0, y0[again] + dist * np.sin(angle)])
    t = np.concatenate([t0, t0[again] + rng.integers(3600, 40 * 3600, len(again)).astype("timedelta64[s]")])
    c = np.concatenate([c0, c0[again]])

    duplicates(x[:1000], y[:1000], t[:1000], c[:1000])  # imports and first calls out of the timing
    reset_peak()
    base = status_mb("VmRSS:")
    start = time.perf_counter()
    dup = duplicates(x, y, t, c)
    ours_s = time.perf_counter() - start
    peak_mb = status_mb("VmHWM:") - base

    seconds = t.astype(np.int64)
    floats = rng.random(N)
    start = time.perf_counter()
    np.argsort(floats)
    sort_s = time.perf_counter() - start
    start = time.perf_counter()
    n_pairs = 0
    for category in np.unique(c):
        at = c == category
        tree = cKDTree(np.column_stack([x[at], y[at], seconds[at] * (25.0 / (48 * 3600))]))
        n_pairs += len(tree.query_pairs(25.0, p=np.inf, output_type="ndarray"))
    kd_s = time.perf_counter() - start
    print(f"1 M reports: {int(dup.sum()):,} duplicates in {ours_s:.2f} s (peak +{peak_mb:.0f} MB); "
          f"sort {sort_s:.2f} s (ratio {ours_s / sort_s:.1f}); kd pairs {kd_s:.2f} s for {n_pairs:,} "
          f"candidate pairs (ratio {ours_s / kd_s:.2f})")

    centre = int(np.argmax(dup))  # around a duplicate, so the subset has some
    near = np.flatnonzero((np.abs(x - x[centre]) < 4000) & (np.abs(y - y[centre]) < 4000))[:3000]
    x_s, y_s, t_s, c_s = x[near], y[near], t[near], c[near]
    exact = bool(np.array_equal(duplicates(x_s, y_s, t_s, c_s),
                                brute_force(x_s, y_s, t_s.astype(np.int64), c_s)))
    print(f"3,000 reports around one place: equal to the O(n²) loop: {exact}")

    m = 100_000
    xd, yd = 400_000 + rng.normal(0, 3, m), 5_650_000 + rng.normal(0, 3, m)
    td = np.datetime64("2024-01-01T00:00:00") + np.sort(rng.integers(0, 365 * 86400, m)).astype(
        "timedelta64[s]")
    reset_peak()
    base = status_mb("VmRSS:")
    start = time.perf_counter()
    dense = duplicates(xd, yd, td, np.full(m, "graffiti", dtype=object))
    dense_s = time.perf_counter() - start
    dense_mb = status_mb("VmHWM:") - base
    print(f"100,000 reports at one spot: {int(dense.sum()):,} duplicates in {dense_s:.2f} s "
          f"(peak +{dense_mb:.0f} MB)")
    print(json.dumps({"n": N, "duplicates": int(dup.sum()), "ours_s": round(ours_s, 2),
                      "sort_s": round(sort_s, 2), "kd_pairs_s": round(kd_s, 2),
                      "ratio_sort": round(ours_s / sort_s, 1), "ratio_kd": round(ours_s / kd_s, 2),
                      "peak_mb": round(peak_mb), "exact": exact, "dense_s": round(dense_s, 2),
                      "dense_peak_mb": round(dense_mb)}))


if __name__ == "__main__":
    main()
