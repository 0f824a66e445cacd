"""Payload of the streets layer (layers/streets.py) for Freiberg and Leipzig on a dense synthetic network.

No OSM extract ships with the atlas, so the network is generated: inside the Gemeinde, a
street every 100 m in both directions (a dense town everywhere, the worst case: a real town
has fields, woods and rivers), each block edge one OSM way of 9 nodes, named per street,
every fifth street a main street, each bending by ±8 m every ~70 m like a real street. The
figure is the GeoJSON the map receives for the view (``payload_bytes``), against the map
budget (a redraw sends 0.1–0.2 MB of result layers).

Run: ``.venv/bin/python benchmarks/streets_payload.py``. Last line: one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.boundaries import area  # noqa: E402
from geo.crs import METRIC_CRS  # noqa: E402
from geo.osm import OsmData  # noqa: E402
from layers.streets import payload_bytes  # noqa: E402

SPACING = 100.0


def network(key: str) -> gpd.GeoDataFrame:
    geometry = area(key).geometry
    xmin, ymin, xmax, ymax = geometry.bounds
    lines, names, kinds = [], [], []
    xs, ys = np.arange(xmin, xmax, SPACING), np.arange(ymin, ymax, SPACING)
    for horizontal, (fixed, moving) in enumerate(((xs, ys), (ys, xs))):
        for i, c in enumerate(fixed):
            for start in moving[:-1]:
                t = np.linspace(start, start + SPACING, 9)
                wiggle = c + 8.0 * np.sin(t / 23.0)  # real streets bend: keep vertices after simplifying
                pts = np.column_stack([t, wiggle] if horizontal else [wiggle, t])
                lines.append(shapely.LineString(pts))
                names.append(f"{'Quer' if horizontal else 'Längs'}straße {i}")
                kinds.append("secondary" if i % 5 == 0 else "residential")
    streets = gpd.GeoDataFrame({"name": names, "highway": kinds}, geometry=lines, crs=METRIC_CRS)
    return streets[streets.intersects(geometry)].reset_index(drop=True)


def main() -> None:
    out = {}
    empty = gpd.GeoDataFrame({"name": [], "klasse": []}, geometry=[], crs=METRIC_CRS)
    for name, key in (("Freiberg", "14522180"), ("Leipzig", "14713000")):
        streets = network(key)
        osm = OsmData(streets=streets, areas=empty, places=empty, date=dt.date(2026, 10, 1),
                      source="synthetisch")
        start = time.perf_counter()
        size = payload_bytes(osm, area(key).geometry.bounds)
        seconds = time.perf_counter() - start
        out[name] = {"ways": len(streets), "payload_mb": round(size / 1e6, 3), "build_s": round(seconds, 2)}
        print(f"{name:9} {len(streets):7,} ways -> {size / 1e6:.2f} MB in {seconds:.2f} s")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
