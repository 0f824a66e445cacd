"""Cold start of the app to the first drawn map, boundary payload, and the app's peak memory.

Starts ``streamlit run app.py`` headless on a free loopback port, opens it in Debian's
chromium (Playwright), and waits until all 418 Gemeinde paths are in the map iframe.
Run: ``.venv/bin/python benchmarks/app_start.py``. Last line: one JSON object.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _proc import peak_rss_mb  # noqa: E402

from layers import boundaries as boundary_layers  # noqa: E402
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, LOCAL_PREFIXES, MAP_IFRAME, running_app  # noqa: E402


def tree_peak_rss_mb(proc: psutil.Process) -> float:
    """Peak resident memory (VmHWM) of the process and its children, in MB."""
    return sum(peak_rss_mb(p.pid) for p in [proc, *proc.children(recursive=True)])


def main() -> None:
    payload = len(boundary_layers.gemeinden_geojson().encode()) + len(
        boundary_layers.kreis_borders_geojson().encode())
    external: list[str] = []
    with running_app() as app:
        url, proc, server_ready = app.url, app.proc, app.ready_s
        t0 = time.perf_counter() - server_ready
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1920, "height": 1080})

            def route(r):
                if r.request.url.startswith(LOCAL_PREFIXES):
                    r.continue_()
                else:
                    external.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            t1 = time.perf_counter()
            page.goto(url)
            paths = page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive")
            paths.nth(417).wait_for(state="attached", timeout=120_000)
            first_map = time.perf_counter() - t0
            page_to_map = time.perf_counter() - t1
            t2 = time.perf_counter()
            page.reload()
            page.frame_locator(MAP_IFRAME).locator("path.leaflet-interactive").nth(417).wait_for(
                state="attached", timeout=120_000)
            warm_reload = time.perf_counter() - t2
            browser.close()
        peak = tree_peak_rss_mb(psutil.Process(proc.pid))
    result = {
        "boundary_payload_bytes": payload,
        "server_ready_s": round(server_ready, 2),
        "cold_start_to_first_map_s": round(first_map, 2),
        "page_open_to_map_s": round(page_to_map, 2),
        "warm_reload_to_map_s": round(warm_reload, 2),
        "app_peak_rss_mb": round(peak, 1),
        "external_requests": len(external),
    }
    print(f"Boundary payload: {payload / 1e6:.3f} MB (limit 1.0 MB)")
    print(f"Cold start to first map: {first_map:.2f} s (server ready {server_ready:.2f} s)")
    print(f"Warm reload to map: {warm_reload:.2f} s; app peak memory {peak:.0f} MB")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
