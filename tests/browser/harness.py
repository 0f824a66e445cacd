"""The app on a loopback port and Debian's chromium: shared by the browser tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "data:", "blob:", "about:")
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def type_option(page, field, text: str, timeout_ms: float = 10_000) -> None:
    """Open the Streamlit selectbox or multiselect `field` and filter it to the entry `text`
    by typing; Enter then picks it.

    Typing, not clicking into the full list: a list opened just after a rerun is still moving
    and re-rendered, and a click into it can miss or land on a detached entry (seen in CI:
    "element is not stable", "element was detached from the DOM"). The click first: after a
    rerun, typing alone into the field leaves its list closed.
    """
    field.click()
    field.fill(text)
    page.get_by_role("option", name=text, exact=True).wait_for(timeout=timeout_ms)


def choose(page, field, text: str, until, attempts: int = 3) -> None:
    """Pick `text` in the selectbox or multiselect `field` (see :func:`type_option`) until
    ``until()`` (which waits for the app's answer, e.g. ``page.wait_for_url``) returns.

    A pick the app never saw is tried again, up to `attempts` times; the list is closed after.
    """
    for attempt in range(1, attempts + 1):
        try:
            type_option(page, field, text)
            page.keyboard.press("Enter")
            if field.get_attribute("aria-expanded") == "true":  # a multiselect stays open for more
                page.keyboard.press("Escape")
            until()
            return
        except PlaywrightTimeoutError:
            if attempt == attempts:
                raise
            page.keyboard.press("Escape")
            print(f"Auswahl „{text}“ kam nicht an, Versuch {attempt + 1}", file=sys.stderr)


@dataclass
class RunningApp:
    url: str
    proc: subprocess.Popen
    ready_s: float  # from starting the process until streamlit answered


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(*, store: Path | None = None, log: Path | None = None,
                timeout: float = 120, basemap: str | None = "keine") -> Iterator[RunningApp]:
    """``streamlit run app.py`` headless on a free 127.0.0.1 port; stopped on exit.

    `store` becomes ``ATLAS_DATA_DIR`` (None: the environment's); `log` receives the
    server's output (None: discarded). `basemap` becomes ``ATLAS_BASEMAP``, the app's
    background map: ``"keine"`` (no tiles, nothing fetched from outside) unless a test
    asks for one; None: the environment's.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, **({"ATLAS_DATA_DIR": str(store)} if store is not None else {}),
           **({"ATLAS_BASEMAP": basemap} if basemap is not None else {})}
    # No file watcher: a source file edited while the app runs (e.g. in a shared checkout) would
    # make Streamlit drop the app's modules while other sessions import them (KeyError: 'geo').
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
           "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    out = open(log, "w", encoding="utf-8") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit ended with exit code {proc.returncode}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer at {url} within {timeout} s") from None
                time.sleep(0.05)
        yield RunningApp(url, proc, time.perf_counter() - t0)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not None:
            out.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """The files of `directory` over HTTP on a free 127.0.0.1 port (a thread); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
