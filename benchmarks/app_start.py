"""Cold start of the app to the first drawn map, boundary payload, and the app's peak memory.

Starts ``streamlit run app.py`` headless on a free loopback port, opens it in Debian's
chromium (Playwright), and waits until all 418 Gemeinde paths are in the map iframe.
Run: ``.venv/bin/python benchmarks/app_start.py``. Last line: one JSON object.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from layers import boundaries as boundary_layers  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, LOCAL_PREFIXES, MAP_IFRAME  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def peak_rss_mb(proc: psutil.Process) -> float:
    """Peak resident memory (VmHWM) of the process and its children, in MB."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with open(f"/proc/{p.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
    return total / 1024


def main() -> None:
    payload = len(boundary_layers.gemeinden_geojson().encode()) + len(
        boundary_layers.kreis_borders_geojson().encode())
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    external: list[str] = []
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.05)
        server_ready = time.perf_counter() - t0
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
        peak = peak_rss_mb(psutil.Process(proc.pid))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
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
