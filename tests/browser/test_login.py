"""Login and roles in a real browser, against a real OpenID Connect provider (issue 14, part 2).

The test starts PyPI's ``oidc-provider-mock`` as its own process on a free 127.0.0.1 port, with two
predefined accounts whose ID tokens carry the atlas's claims (``atlas_rolle``, ``atlas_mandant``),
and the app with a ``secrets.toml`` whose ``[auth]`` points at it (``STREAMLIT_SECRETS_FILES``;
``{port}`` in ``redirect_uri`` is Streamlit's placeholder for the app's port). Chromium goes through
the whole flow: the app's login page, the provider's page (one button per account), the callback,
the app with the account's role; logging out goes through the provider's end-session page.
Every request leaving 127.0.0.1 is aborted (the provider's page asks a CDN for its style sheet).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, OfflinePage
from tests.browser.harness import MAP_IFRAME, ROOT, free_port, running_app

pytestmark = pytest.mark.browser

FREIBERG = "14522180"
ACCOUNTS = {
    "rat-freiberg": {"email": "rat@freiberg.de", "atlas_rolle": "rat", "atlas_mandant": FREIBERG},
    "planung-freiberg": {"email": "planung@freiberg.de", "name": "P. Lanung", "atlas_rolle": "planung",
                         "atlas_mandant": FREIBERG},
}
UPLOAD = ROOT / "tests" / "data" / "ordnungsamt_utf8_bom.csv"
#: How many markers (single incidents, clusters) the live Leaflet map holds.
_MARKERS = "() => { let n = 0; map_div.eachLayer(l => { if (l.getLatLng) n += 1; }); return n; }"


@contextmanager
def oidc_provider(log: Path) -> Iterator[str]:
    """``python -m oidc_provider_mock`` on a free 127.0.0.1 port with :data:`ACCOUNTS`; yields its URL."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    claims = [json.dumps({"sub": sub, **values}) for sub, values in ACCOUNTS.items()]
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
               *(part for value in claims for part in ("--user-claims", value))]
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2) as resp:
                        assert json.load(resp)["issuer"] == url
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"no OIDC provider at {url} (log: {log})") from None
                    time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=15)


@contextmanager
def app_with_login(folder: Path, provider: str, name: str) -> Iterator[str]:
    """The app on its own store, logging in at `provider`; yields its URL."""
    secrets = folder / "secrets.toml"
    secrets.write_text("\n".join([
        "[auth]",
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"',
        'cookie_secret = "ein-langes-zufaelliges-geheimnis-nur-fuer-diesen-test"',
        'client_id = "praeventionsatlas"',
        'client_secret = "geheim"',
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"',
        "[atlas]",
        'kontakt = "die IT des Landkreises"']) + "\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("STREAMLIT_SECRETS_FILES", str(secrets))
        with running_app(store=folder / "store", log=ARTIFACTS / f"streamlit_{name}.log", timeout=90) as app:
            yield app.url


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with oidc_provider(ARTIFACTS / "oidc_provider.log") as url:
        yield url


@pytest.fixture(scope="module")
def council_app(provider, tmp_path_factory):
    """For the visitor and the council member: a store with 3,000 imported incidents, whose figures
    the council's map shows (computed from points the council member never gets)."""
    from geo.incidents.demo import demo_csv
    from geo.store import IncidentStore

    folder = tmp_path_factory.mktemp("anmeldung_rat")
    IncidentStore(folder / "store").import_file(demo_csv(folder / "meldungen.csv", n=3_000, seed=5))
    with app_with_login(folder, provider, "anmeldung_rat") as url:
        yield url


@pytest.fixture(scope="module")
def planner_app(provider, tmp_path_factory):
    with app_with_login(tmp_path_factory.mktemp("anmeldung_planung"), provider, "anmeldung_planung") as url:
        yield url


def log_in(screen: OfflinePage, url: str, account: str) -> None:
    """From the app's login page through the provider's page (the account's button) back to the app."""
    page = screen.page
    page.goto(url)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(re.compile(r"/oauth2/authorize\?"), timeout=60_000)
    page.get_by_role("button", name=account, exact=True).click()
    page.wait_for_url(re.compile(re.escape(url) + r"/?(\?.*)?$"), timeout=60_000)
    page.get_by_role("button", name="Abmelden").wait_for(timeout=90_000)


def buttons(page) -> list[str]:
    return [b.strip() for b in page.locator('[data-testid="stBaseButton-secondary"], '
                                            '[data-testid="stBaseButton-primary"]').all_inner_texts()]


def test_a_visitor_who_is_not_logged_in_sees_only_the_login_page(council_app, offline_page):
    screen = offline_page
    page = screen.page
    page.goto(f"{council_app}/?ags={FREIBERG}&modus=sitzung")
    page.get_by_role("button", name="Anmelden").wait_for(timeout=90_000)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    body = page.locator('[data-testid="stMain"]').inner_text()
    assert "Präventionsatlas Sachsen" in body
    assert "Bitte melden Sie sich mit dem Konto Ihrer Verwaltung an." in body
    assert buttons(page) == ["Anmelden"]
    assert page.locator(MAP_IFRAME).count() == 0
    assert page.locator('section[data-testid="stSidebar"]').count() == 0
    assert "Freiberg" not in page.locator("body").inner_text()
    screen.screenshot("anmeldung_seite.png")


def test_a_council_member_logs_in_sees_the_council_view_only_and_logs_out(council_app, offline_page):
    screen = offline_page
    page = screen.page
    log_in(screen, council_app, "rat-freiberg")
    # The URL asks for the planner view: the council member stays on the shared screen.
    page.goto(f"{council_app}/?ags={FREIBERG}&modus=planung&methode=kde")
    frame = screen.map_frame()
    frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=90_000)
    page.wait_for_url(re.compile(r"modus=sitzung"), timeout=30_000)
    assert "modus=planung" not in page.url
    title = page.locator("h1.atlas-title").inner_text()
    assert title.startswith("Freiberg · Graffiti · ") and "Kerndichte (KDE)" in title
    assert "Quelle: alle importierten Datensätze" in title  # the store's data (a demo file), not built-in
    assert buttons(page) == ["Abmelden"]  # no "Sitzungsmodus beenden"
    assert not page.locator('section[data-testid="stSidebar"]').is_visible()
    for control in ('[data-testid="stFileUploader"]', '[data-testid="stSelectbox"]',
                    '[data-testid="stDownloadButton"]', '[data-testid="stForm"]'):
        assert page.locator(control).count() == 0, control  # no import, delete, measures, exports
    assert page.get_by_text("Maßnahmen", exact=True).count() == 0
    live = page.locator(MAP_IFRAME).last.element_handle().content_frame()
    live.wait_for_function("typeof map_div !== 'undefined'")
    assert live.evaluate(_MARKERS) == 0  # no single incident on the map
    assert frame.locator(".leaflet-control-layers").count() == 0  # no layer switcher, so no point layer
    assert frame.get_by_text("Vorfälle:").count() == 0
    screen.screenshot("anmeldung_rat.png")

    page.get_by_role("button", name="Abmelden").click()
    page.get_by_role("button", name="End session").click()  # the provider's end-session page
    page.get_by_role("button", name="Anmelden").wait_for(timeout=90_000)
    page.goto(f"{council_app}/?ags={FREIBERG}&modus=sitzung")
    page.get_by_role("button", name="Anmelden").wait_for(timeout=90_000)
    assert page.locator(MAP_IFRAME).count() == 0


def test_a_planner_logs_in_imports_a_small_file_and_sees_its_incidents(planner_app, offline_page):
    screen = offline_page
    page = screen.page
    log_in(screen, planner_app, "planung-freiberg")
    sidebar = page.locator('section[data-testid="stSidebar"]')
    account = re.compile("^Angemeldet als planung@\u2060?freiberg\\.de · Rolle Planung · Mandant Freiberg "
                         "\\(14522180\\)$")  # a word joiner after "@" keeps the address text (ui.i18n.plain)
    sidebar.get_by_text(account).wait_for(timeout=90_000)
    uploader = page.locator('[data-testid="stFileUploader"]').filter(has_text="Datei importieren")
    screen.settle()
    uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(UPLOAD))
    uploader.get_by_label(f"Remove {UPLOAD.name}", exact=True).wait_for(timeout=30_000)  # chip: shortened
    page.get_by_role("button", name="Importieren").click()
    report = page.get_by_text(re.compile("^Import „ordnungsamt_utf8_bom.csv“"))
    report.wait_for(timeout=90_000)
    assert re.match(r"Import „ordnungsamt_utf8_bom\.csv“: 5 Zeilen gelesen, [1-5] übernommen, \d abgelehnt "
                    r"– Datensatz „ordnungsamt_utf8_bom“ gespeichert\.", report.inner_text())
    # The data set is chosen and its incidents are what the map shows, as points in the layer control.
    page.goto(f"{planner_app}/?daten=ordnungsamt_utf8_bom&kategorie=graffiti,littering")
    frame = screen.map_frame()
    frame.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=90_000)
    source = re.compile(r"^Sachsen · Graffiti, Vermüllung · .* · Quelle: ordnungsamt_utf8_bom$")
    page.get_by_text(source).wait_for(timeout=90_000)
    frame.get_by_text("Vorfälle: Vermüllung").wait_for(state="attached", timeout=30_000)
    assert sidebar.get_by_role("button", name="Abmelden").is_visible()
    assert page.get_by_role("button", name="Datensatz „ordnungsamt_utf8_bom“ löschen").is_visible()
    screen.screenshot("anmeldung_planung.png")
