"""OSM import (``python -m geo osm``) on a large generated PBF, extrapolated to Geofabrik's Saxony.

Steps:

1. Generate a realistic PBF with ``osmium.SimpleWriter`` (not timed): in each of Saxony's 418
   Gemeinden (at a point inside it) a town of ``--blocks``² street blocks of 100 m, streets
   with 5 nodes per block edge (70 % of the street lines named, several ways per name), four
   buildings per block (closed ways), bus stops, schools (nodes and areas), playgrounds,
   parks, pubs, waste baskets, a station in every fifth town, a square (multipolygon), a
   pedestrian area, landuse multipolygons, route relations and untagged or irrelevant tagged
   nodes. Ids grow with random gaps as in a real extract (node ids ~400 apart, ways ~270),
   so the location index sees realistic sparse ids. Towns at the border cross it (clipped).
2. In a fresh process, with Saxony's boundary already loaded (as in the app):
   :func:`geo.osm.import_extract` into a temporary data directory (``import_s``;
   ``peak_rss_mb`` = VmHWM after the import; a thread samples RssAnon and RssFile every
   20 ms, as the memory-mapped node index counts as file-backed). Then the parts, each
   alone: libosmium reading the file with the node index (``read_s``), the relation pass
   of area assembly (``relations_pass_s``), the filtered iteration with areas
   (``areas_s`` = its time minus the two before), and the rest of the import, i.e. Python,
   reprojection, clipping and writing (``python_s``). Then :func:`geo.osm.load`
   (``load_s``) and :func:`geo.osm.lage` for 10,000 250 m cells in the towns (every one
   with streets: the dense case), the first call building the spatial indexes.
3. Extrapolate to ``sachsen-latest.osm.pbf``. Assumption (Geofabrik, 2026): about 280 MB,
   30 M nodes, 5 M ways, 100 k relations, of which about 600 k objects are kept (named
   streets ≈ 500 k, stops, waste baskets, playgrounds … ≈ 100 k). Reading and the relation
   pass grow with the file (the larger of the ratios by objects and by megabytes: the
   generated file compresses better than real data), area assembly with the ways, the
   Python part with the kept objects. Memory: the sampled anonymous peak does not grow with
   the file (batches of 50,000 rows); the node index adds 16 bytes per node, file-backed
   (30 M nodes: 480 MB, which the kernel can page out), so the estimate is the measured
   peak minus this file's index plus Saxony's.

Run: ``.venv/bin/python benchmarks/osm_import.py [--blocks 12]``. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAXONY = {"mb": 280.0, "nodes": 30_000_000, "ways": 5_000_000, "relations": 100_000, "kept": 600_000}
INDEX_BYTES_PER_NODE = 16  # libosmium sparse_file_array: id + location
from _proc import peak_rss_mb as vm_hwm_mb  # noqa: E402


def _status_mb(*fields: str) -> dict[str, float]:
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key = line.split(":")[0]
            if key in fields:
                found[key] = int(line.split()[1]) / 1024
    return found


class RssSampler(threading.Thread):
    """Largest anonymous and file-backed resident memory seen, every 20 ms (VmHWM has only the sum)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.anon_mb = self.file_mb = 0.0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            now = _status_mb("RssAnon", "RssFile")
            self.anon_mb = max(self.anon_mb, now.get("RssAnon", 0.0))
            self.file_mb = max(self.file_mb, now.get("RssFile", 0.0))



class _Ids:
    """Growing ids with random gaps (mean `gap`), as in a real extract."""

    def __init__(self, rng, gap: int) -> None:
        self.rng, self.gap, self.last = rng, gap, 0

    def __call__(self) -> int:
        self.last += int(self.rng.integers(1, 2 * self.gap))
        return self.last


def generate(path: Path, *, blocks: int, seed: int = 7) -> dict:
    """Write the generated extract (step 1 of the module doc); its counts."""
    sys.path.insert(0, str(ROOT))
    import numpy as np
    import osmium
    import osmium.io
    from osmium.osm.mutable import Node, Relation, Way
    from pyproj import Transformer

    from geo.boundaries import load_gemeinden

    rng = np.random.default_rng(seed)
    to_wgs84 = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    centres = load_gemeinden().geometry.representative_point()
    node_id, way_id, rel_id = _Ids(rng, 400), _Ids(rng, 270), _Ids(rng, 1000)
    nodes: list[tuple[int, float, float, dict]] = []  # id, x, y (metric), tags
    ways: list[Way] = []
    relations: list[Relation] = []
    stamp = "2026-09-30T12:00:00Z"

    def node(x: float, y: float, tags: dict | None = None) -> int:
        nodes.append((node_id(), x, y, tags or {}))
        return nodes[-1][0]

    def way(refs: list[int], tags: dict | None = None) -> int:
        ways.append(Way(id=way_id(), version=1, timestamp=stamp, nodes=refs, tags=tags or {}))
        return ways[-1].id

    def ring(x: float, y: float, w: float, h: float, tags: dict | None = None) -> int:
        refs = [node(x, y), node(x + w, y), node(x + w, y + h), node(x, y + h)]
        return way([*refs, refs[0]], tags)

    step = 100.0
    for t, centre in enumerate(centres):
        x0, y0 = centre.x - blocks * step / 2, centre.y - blocks * step / 2
        grid = [[node(x0 + i * step, y0 + j * step) for j in range(blocks + 1)] for i in range(blocks + 1)]
        streets: list[int] = []
        for line in range(blocks + 1):
            for direction in ("h", "v"):
                named = rng.random() < 0.7
                highway = rng.choice(["residential", "residential", "tertiary", "footway"]) if named \
                    else rng.choice(["service", "track"])
                tags = {"highway": str(highway)}
                if named:
                    tags["name"] = f"{'Straße' if direction == 'h' else 'Gasse'} {t}-{line}"
                for k in range(blocks):
                    a, b = (grid[k][line], grid[k + 1][line]) if direction == "h" else \
                        (grid[line][k], grid[line][k + 1])
                    xa, ya = (x0 + k * step, y0 + line * step) if direction == "h" else \
                        (x0 + line * step, y0 + k * step)
                    dx, dy = (step / 4, 0) if direction == "h" else (0, step / 4)
                    middle = [node(xa + m * dx, ya + m * dy) for m in (1, 2, 3)]
                    streets.append(way([a, *middle, b], dict(tags)))
        for i in range(blocks):
            for j in range(blocks):
                bx, by = x0 + i * step, y0 + j * step
                for q in range(4):
                    ring(bx + 10 + (q % 2) * 45, by + 10 + (q // 2) * 45, 30, 30,
                         {"building": "yes", "addr:housenumber": str(q + 1)})
        for k in range(40):  # address points, entrances, trees: tagged but not kept
            node(x0 + rng.random() * blocks * step, y0 + rng.random() * blocks * step,
                 {"natural": "tree"} if k % 2 else {"entrance": "yes"})
        for k in range(5):
            node(x0 + (2 * k + 1) * step + 5, y0 + 5, {"highway": "bus_stop", "name": f"Haltestelle {t}-{k}"})
        for k in range(10):
            node(x0 + k * step + 50, y0 + 2 * step + 3, {"amenity": "waste_basket"})
        node(x0 + 3 * step + 50, y0 + 3 * step + 50, {"amenity": "school", "name": f"Grundschule {t}"})
        ring(x0 + 5 * step + 5, y0 + 5 * step + 5, 80, 80, {"amenity": "school", "name": f"Oberschule {t}"})
        for k in range(2):
            ring(x0 + (6 + k) * step + 5, y0 + 6 * step + 5, 30, 30,
                 {"leisure": "playground", "name": f"Spielplatz {t}-{k}"})
            node(x0 + (7 + k) * step + 50, y0 + 7 * step + 50, {"amenity": "pub", "name": f"Gasthof {t}-{k}"})
        ring(x0 + 8 * step + 5, y0 + 8 * step + 5, 90, 90, {"leisure": "park", "name": f"Stadtpark {t}"})
        ring(x0 + 9 * step + 5, y0 + 9 * step + 5, 60, 60,
             {"highway": "pedestrian", "area": "yes", "name": f"Markt {t}"})
        if t % 5 == 0:
            node(x0 - 20, y0 - 20,
                 {"railway": "station", "public_transport": "station", "name": f"Bahnhof {t}"})
        outer = ring(x0 + 10 * step + 5, y0 + 10 * step + 5, 60, 60)
        relations.append(Relation(id=rel_id(), version=1, timestamp=stamp, members=[("w", outer, "outer")],
                                  tags={"type": "multipolygon", "place": "square", "name": f"Platz {t}"}))
        for k in range(2):
            outer = ring(x0 - 300 - k * 400, y0, 300, blocks * step)
            relations.append(Relation(id=rel_id(), version=1, timestamp=stamp,
                                      members=[("w", outer, "outer")],
                                      tags={"type": "multipolygon", "landuse": "farmland"}))
        for k in range(3):
            members = [("w", w, "") for w in streets[k * 10:(k + 1) * 10]]
            relations.append(Relation(id=rel_id(), version=1, timestamp=stamp, members=members,
                                      tags={"type": "route", "route": "bus", "ref": str(k)}))

    xy = np.array([(x, y) for _, x, y, _ in nodes])
    lon, lat = to_wgs84.transform(xy[:, 0], xy[:, 1])
    header = osmium.io.Header()
    header.set("osmosis_replication_timestamp", "2026-10-01T20:21:02Z")
    with osmium.SimpleWriter(str(path), header=header, overwrite=True) as writer:
        for (nid, _, _, tags), lo, la in zip(nodes, lon.tolist(), lat.tolist(), strict=True):
            writer.add_node(Node(id=nid, version=1, timestamp=stamp, location=(round(lo, 7), round(la, 7)),
                                 tags=tags))
        for w in ways:
            writer.add_way(w)
        for r in relations:
            writer.add_relation(r)
    return {"nodes": len(nodes), "ways": len(ways), "relations": len(relations),
            "mb": path.stat().st_size / 1e6, "towns": len(centres)}


def _timed(function) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    function()
    return time.perf_counter() - start, time.process_time() - cpu


def measure(path: Path) -> dict:
    """Runs in the child process (step 2 of the module doc)."""
    sys.path.insert(0, str(ROOT))
    import geopandas as gpd
    import numpy as np
    import osmium
    import osmium.filter
    import osmium.index
    import shapely

    import geo.osm
    from geo.boundaries import load_gemeinden
    from geo.crs import METRIC_CRS
    from geo.osm.clip import saxony
    from geo.osm.read import ExtractReader

    saxony()  # the boundaries (read once per process, as in the app) are not part of the import
    with tempfile.TemporaryDirectory() as store:
        before_mb = vm_hwm_mb()
        sampler = RssSampler()
        sampler.start()
        start, cpu = time.perf_counter(), time.process_time()
        summary = geo.osm.import_extract(path, directory=store)
        import_s, import_cpu_s = time.perf_counter() - start, time.process_time() - cpu
        peak_rss_mb = vm_hwm_mb()
        sampler.done.set()
        sampler.join()
        start = time.perf_counter()
        osm = geo.osm.load(store)
        load_s = time.perf_counter() - start
        gpkg_mb = geo.osm.gpkg_path(store).stat().st_size / 1e6
        # the parts of the import, to extrapolate each by what it grows with
        nothing = osmium.filter.KeyFilter("-")  # no object passes: libosmium's work only
        read_s, _ = _timed(lambda: sum(1 for _ in osmium.FileProcessor(str(path)).with_locations(
            osmium.index.create_map(f"sparse_file_array,{store}/a.idx")).with_filter(nothing)))
        relations_s, _ = _timed(lambda: sum(1 for _ in osmium.FileProcessor(
            str(path), osmium.osm.RELATION).with_filter(nothing)))
        filtered_s, _ = _timed(lambda: sum(1 for _ in ExtractReader(path, scratch=Path(store))._objects()))
    centres = load_gemeinden().geometry.representative_point()
    cells = []
    for centre in centres:
        x0, y0 = centre.x // 250 * 250 - 500, centre.y // 250 * 250 - 500
        cells += [shapely.box(x0 + i * 250, y0 + j * 250, x0 + (i + 1) * 250, y0 + (j + 1) * 250)
                  for i in range(5) for j in range(5)]
    cells = gpd.GeoSeries(cells[:10_000], crs=METRIC_CRS)
    start = time.perf_counter()
    texts = geo.osm.lage(osm, cells)
    lage_first_s = time.perf_counter() - start
    start = time.perf_counter()
    geo.osm.lage(osm, cells)
    lage_s = time.perf_counter() - start
    per_layer: dict[str, int] = {}
    for (layer, _), n in summary.counts.items():
        per_layer[layer] = per_layer.get(layer, 0) + n
    return {
        "import_s": round(import_s, 2),
        "import_cpu_s": round(import_cpu_s, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "rss_before_mb": round(before_mb, 1),
        "peak_anon_mb": round(sampler.anon_mb, 1),
        "peak_file_mb": round(sampler.file_mb, 1),
        "read_s": round(read_s, 2),
        "relations_pass_s": round(relations_s, 2),
        "areas_s": round(max(filtered_s - read_s - relations_s, 0.0), 2),
        "python_s": round(max(import_s - filtered_s, 0.0), 2),
        "load_s": round(load_s, 3),
        "gpkg_mb": round(gpkg_mb, 1),
        "kept": per_layer,
        "cells": len(cells),
        "lage_first_s": round(lage_first_s, 3),
        "lage_s": round(lage_s, 3),
        "with_street": int(np.sum([not t.startswith("keine") for t in texts])),
        "example": texts[12],
    }


def extrapolate(made: dict, figures: dict) -> dict:
    """Step 3 of the module doc: each part of the import scaled by what it grows with."""
    objects = made["nodes"] + made["ways"] + made["relations"]
    saxony_objects = SAXONY["nodes"] + SAXONY["ways"] + SAXONY["relations"]
    # reading and the relation pass grow with the file: by objects or by bytes, the larger
    file_scale = max(saxony_objects / objects, SAXONY["mb"] / made["mb"])
    kept = sum(figures["kept"].values())
    parts = {
        "read": (figures["read_s"] + figures["relations_pass_s"]) * file_scale,
        "areas": figures["areas_s"] * SAXONY["ways"] / made["ways"],
        "python": figures["python_s"] * SAXONY["kept"] / kept,
    }
    index_mb = made["nodes"] * INDEX_BYTES_PER_NODE / 1e6
    saxony_index_mb = SAXONY["nodes"] * INDEX_BYTES_PER_NODE / 1e6
    return {
        "file_scale": round(file_scale, 1),
        "saxony_parts_s": {k: round(v, 1) for k, v in parts.items()},
        "saxony_estimate_s": round(sum(parts.values())),
        "index_mb": round(index_mb, 1),
        "saxony_index_mb": round(saxony_index_mb),
        "saxony_estimate_peak_rss_mb": round(figures["peak_rss_mb"] - index_mb + saxony_index_mb),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=12, help="street blocks per town edge")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generiert.osm.pbf"
        start = time.perf_counter()
        made = generate(path, blocks=args.blocks)
        print(f"generated PBF: {made['nodes']:,} nodes, {made['ways']:,} ways, {made['relations']:,} "
              f"relations, {made['mb']:.1f} MB ({made['towns']} towns), "
              f"written in {time.perf_counter() - start:.0f} s")
        child = subprocess.run([sys.executable, __file__, "--measure", str(path)], cwd=ROOT, check=True,
                               capture_output=True, text=True)
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    figures.update({"nodes": made["nodes"], "ways": made["ways"], "relations": made["relations"],
                    "pbf_mb": round(made["mb"], 1),
                    "nodes_per_s": round(made["nodes"] / figures["import_s"]),
                    "ways_per_s": round(made["ways"] / figures["import_s"])})
    figures.update(extrapolate(made, figures))
    print(f"import: {figures['import_s']:.1f} s (CPU {figures['import_cpu_s']:.1f} s; libosmium read "
          f"{figures['read_s']:.1f} s, relation pass {figures['relations_pass_s']:.1f} s, areas "
          f"{figures['areas_s']:.1f} s, Python/clip/write {figures['python_s']:.1f} s), "
          f"{figures['nodes_per_s']:,} nodes/s and {figures['ways_per_s']:,} ways/s together")
    print(f"peak RSS {figures['peak_rss_mb']:.0f} MB (before the import {figures['rss_before_mb']:.0f} MB; "
          f"sampled peaks: anonymous {figures['peak_anon_mb']:.0f} MB, file-backed "
          f"{figures['peak_file_mb']:.0f} MB incl. node index ≤ {figures['index_mb']:.0f} MB)")
    print(f"kept: {figures['kept']}; GeoPackage {figures['gpkg_mb']} MB, load {figures['load_s']:.2f} s")
    print(f"lage for {figures['cells']:,} cells: {figures['lage_first_s']:.3f} s with index build, "
          f"{figures['lage_s']:.3f} s after; {figures['with_street']:,} with a street; "
          f"e.g. „{figures['example']}“")
    parts = ", ".join(f"{k} {v:.0f} s" for k, v in figures["saxony_parts_s"].items())
    print(f"Saxony (assumed {SAXONY['mb']:.0f} MB, {SAXONY['nodes'] / 1e6:.0f} M nodes, "
          f"{SAXONY['ways'] / 1e6:.0f} M ways, {SAXONY['relations'] / 1e3:.0f} k relations, "
          f"{SAXONY['kept'] / 1e3:.0f} k kept): about {figures['saxony_estimate_s'] / 60:.1f} min ({parts}), "
          f"peak RSS about {figures['saxony_estimate_peak_rss_mb']:.0f} MB "
          f"(node index {figures['saxony_index_mb']} MB of it)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
