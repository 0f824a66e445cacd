"""Does the automatic KDE bandwidth predict at least as well as counting? PAI on known patterns.

For each pattern of :mod:`benchmarks.patterns` (``micro``: incidents at micro-places;
``smooth``: a smooth risk surface) and each seed, 3,000 incidents in Leipzig (2021–2023)
are learnt before 1 January 2023 and tested on 2023, at 5 % of the area (250 m cells):
PAI of counting the training period, of the KDE with ArcGIS Pro's rule, and of the KDE
with the bandwidth chosen by validation inside the training period
(:mod:`geo.hotspots.bandwidth`). Also times the choice for all of Saxony (1 M points).

Run: ``.venv/bin/python benchmarks/bandwidth.py [--seeds 20]``. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.patterns import KINDS, pattern  # noqa: E402
from geo.grid import study_grid  # noqa: E402
from geo.hotspots import evaluate  # noqa: E402
from geo.hotspots.bandwidth import choose_bandwidth  # noqa: E402
from geo.incidents.demo import demo_points  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    grid = study_grid("14713000")
    out: dict[str, dict] = {}
    for kind in KINDS:
        pai = {"zaehlung": [], "faustregel": [], "automatisch": []}
        chosen = []
        for seed in range(args.seeds):
            points = pattern(kind, seed=seed)
            auto = evaluate(points, split="2023-01-01", grid=grid, bandwidth="auto", methods=("grid", "kde"))
            rule = evaluate(points, split="2023-01-01", grid=grid, bandwidth="regel", methods=("kde",))
            pai["zaehlung"].append(auto.results["grid"].pai)
            pai["faustregel"].append(rule.results["kde"].pai)
            pai["automatisch"].append(auto.results["kde"].pai)
            chosen.append(auto.kde_bandwidth_m)
        values = {name: np.array(v) for name, v in pai.items()}
        diff = values["automatisch"] - values["zaehlung"]
        out[kind] = {name: round(float(v.mean()), 2) for name, v in values.items()}
        out[kind] |= {"auto_minus_counting_mean": round(float(diff.mean()), 2),
                      "auto_minus_counting_se": round(float(diff.std(ddof=1) / np.sqrt(len(diff))), 2),
                      "bandwidths_m": sorted({int(b) for b in chosen})}
        print(f"{kind:7} PAI (mean of {args.seeds}): counting {out[kind]['zaehlung']:5.2f}  "
              f"rule {out[kind]['faustregel']:5.2f}  automatic {out[kind]['automatisch']:5.2f}  "
              f"(auto − counting {out[kind]['auto_minus_counting_mean']:+.2f} ± "
              f"{out[kind]['auto_minus_counting_se']:.2f}); bandwidths chosen {out[kind]['bandwidths_m']}")
    points = demo_points(n=1_000_000)
    coords = points.geometry.get_coordinates()
    saxony = study_grid("14")
    start = time.perf_counter()
    x, y = coords["x"].to_numpy(), coords["y"].to_numpy()
    choice = choose_bandwidth(x, y, points["time"].to_numpy(), saxony, start=points["time"].min().date(),
                              end=points["time"].max().date(), area_share=0.05)
    seconds = time.perf_counter() - start
    print(f"choice for all of Saxony, 1,000,000 points, {saxony.n_cells:,} cells, {len(choice.folds)} folds: "
          f"{seconds:.2f} s -> {choice.bandwidth:.0f} m")
    out["saxony_1m_choice_s"] = round(seconds, 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
