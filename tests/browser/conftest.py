"""A real app in a real browser: streamlit on 127.0.0.1, Debian's chromium via Playwright.

Never ``playwright install``: the browser is Debian's ``/usr/bin/chromium``
(``make test`` installs it). Every request that does not go to 127.0.0.1 is
aborted and recorded, so a test can assert that the app needs no internet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, LOCAL_PREFIXES, MAP_IFRAME, ROOT, running_app

ARTIFACTS = ROOT / "artifacts" / "browser"
__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "LOCAL_PREFIXES", "MAP_IFRAME", "OfflinePage"]


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """Start the app headless on a free loopback port with an empty store; yield its URL."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app(store=tmp_path_factory.mktemp("store"), log=ARTIFACTS / "streamlit.log",
                     timeout=90) as app:
        yield app.url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} fehlt: 'make test' installiert Debians chromium (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class OfflinePage:
    """A page whose requests leaving 127.0.0.1 are aborted and listed in ``external``."""

    def __init__(self, browser, width: int = 1600, height: int = 1000) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.external: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()

    def _route(self, route) -> None:
        url = route.request.url
        if url.startswith(LOCAL_PREFIXES):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def settle(self, timeout_ms: int = 90_000) -> None:
        """Wait until the app's script run has finished and one map is left on the page."""
        self.page.wait_for_function(
            "!document.querySelector('[data-testid=\"stStatusWidget\"]')"
            f" && document.querySelectorAll('{MAP_IFRAME}').length === 1", timeout=timeout_ms)

    def map_frame(self, timeout_ms: int = 90_000):
        """The map iframe once the app has settled (during a rerun the old map may linger)."""
        self.settle(timeout_ms)
        return self.page.locator(MAP_IFRAME).last.content_frame

    def map_point(self, lat: float, lon: float) -> tuple[float, float]:
        """Page coordinates of (lat, lon) on the map (streamlit-folium names the map ``map_div``)."""
        self.settle()
        frame = self.page.locator(MAP_IFRAME).last.element_handle().content_frame()
        frame.wait_for_function("typeof map_div !== 'undefined'")
        x, y = frame.evaluate(f"(() => {{ const p = map_div.latLngToContainerPoint([{lat}, {lon}]);"
                              " return [p.x, p.y]; })()")
        box = self.page.locator(MAP_IFRAME).last.bounding_box()
        return box["x"] + x, box["y"] + y

    def tooltip_at_centre(self, timeout_ms: int = 10_000):
        """Hover the middle of the map; the tooltip that opens there (a locator in the map frame)."""
        box = self.page.locator(MAP_IFRAME).last.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        self.page.mouse.move(x, y)
        self.page.mouse.move(x + 5, y + 5)  # a move inside the path opens the sticky tooltip
        tooltip = self.map_frame().locator(".leaflet-tooltip")
        tooltip.wait_for(timeout=timeout_ms)
        return tooltip

    def upload(self, path: Path) -> None:
        """Hand `path` to the app's (first) file uploader once the script run is over, and wait
        until the uploader lists it: the upload has reached the server and its rerun begun."""
        uploader = self.page.locator('[data-testid="stFileUploader"]').first
        for attempt in (1, 2):
            self.settle()
            uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
            try:
                uploader.get_by_text(path.name, exact=True).wait_for(timeout=20_000)
                return
            except PlaywrightTimeoutError:  # dropped on the way (once in CI): hand it over again
                if attempt == 2:
                    raise
                print(f"{path.name} kam im Uploader nicht an, zweiter Versuch", file=sys.stderr)

    def diagnosis(self, name: str) -> str:
        """What the page showed, for the report of a failed test (CI keeps no screenshots);
        also saved as ``fehler_<name>.png``."""
        if self.page.is_closed():
            return "(Seite geschlossen)"
        errors = self.page.locator('[data-testid="stException"], [data-testid="stAlert"]')
        running = self.page.locator('[data-testid="stStatusWidget"]').count() > 0
        lines = [f"URL: {self.page.url}", f"Skript läuft: {running}",
                 f"Karten-iframes: {self.page.locator(MAP_IFRAME).count()}",
                 *(f"Meldung: {text}" for text in errors.all_inner_texts()),
                 "Seitenleiste: " + " | ".join(
                     self.page.locator('section[data-testid="stSidebar"]').all_inner_texts())[:1500]]
        self.screenshot(f"fehler_{name}.png")
        return "\n".join(lines)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def offline_page(browser, request):
    page = OfflinePage(browser)
    yield page
    if request.node.stash.get(_FAILED, False):  # printed under the failed test's report
        print("--- Browser beim Fehlschlag ---\n" + page.diagnosis(request.node.name))
        log = ARTIFACTS / "streamlit.log"
        if log.exists():
            print("--- streamlit.log (Ende) ---\n" + "\n".join(log.read_text().splitlines()[-30:]))
    page.context.close()
