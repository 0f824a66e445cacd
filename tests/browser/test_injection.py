"""Texts from data stay text wherever they are shown: no script runs, no link or image is made and
nothing is fetched, in the real app and the files it exports (a real browser).

Every hostile text (:func:`hostile`) holds ``<img onerror>``, ``<script>``, a backtick and ``${…}``
(a JavaScript template literal), a Markdown link to ``javascript:``, a Markdown image of an address,
an HTML link to ``javascript:``, mathtext (``$\\alert…$``, with four ``$`` in all) and ``{nb}``
(fpdf's page-count alias). Its number names the field it came from, so a dialog or a request
says where the leak is:

11 data set name · 12 its file name · 13 a category label of a custom mapping · 14 a description
column (not kept) · 15 an unknown category (import note) · 21, 22 the file name and an unknown
category of an upload through the app · 31–33 an ASSKomm member file's remark, source and file
name · 41, 42, 46 Angsträume names and category · 43 survey file names · 44 a bad AGS cell of a
survey file · 45 an Ortsteil · 47 a layer label · 51–53 OSM street and place names · 61, 62 a view
sequence's name and a view's title · 63, 64 an uploaded sequence's file name and a bad value in
it · 71 a title in the URL · 81, 82 bad URL parameters.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Error as PlaywrightError
from pyproj import Transformer

import geo.osm
from geo import asskomm
from geo import view as views
from geo.analysis import analyse
from geo.crs import METRIC_CRS
from geo.incidents.demo import demo_points
from geo.incidents.rows import quoted
from geo.store import IncidentStore
from geo.survey import coincide
from geo.survey import demo as survey_demo
from geo.survey.angstraeume import load_angstraeume
from geo.survey.shares import load_shares
from geo.view import View
from layers import compose
from layers.static import view_png
from tests.browser.conftest import ARTIFACTS, OfflinePage
from tests.browser.harness import MAP_IFRAME, ROOT, running_app, serving
from tests.geo.osm.scene import ORIGIN, Scene

PAYLOADS = ["<img src=x onerror=alert(31)>", "<script>alert(32)</script>", "javascript:alert(33)"]
FREIBERG = "14522180"
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


def hostile(n: int) -> str:
    """A text with every payload, numbered `n` (see the module doc)."""
    return (f"$\\alert{n}$ <img src=x onerror=alert({n})><script>alert({n})</script>`${{alert({n})}}`"
            f"[m{n}](javascript:alert({n}))<a href='javascript:alert({n})'>a</a>"
            f"![b](http://127.0.0.2/leak{n}.png) {{nb}} $")  # four $: mathtext if parsed


def file_name(n: int, suffix: str = ".csv") -> str:
    """:func:`hostile` as an upload's file name: ``&#47;`` for ``/``, which no file name holds
    (Markdown reads ``http:&#47;&#47;127.0.0.2&#47;…`` as the address ``http://127.0.0.2/…``)."""
    return hostile(n).replace("/", "&#47;") + suffix


def shown(text: str) -> str:
    """`text` as a page shows it: whitespace runs as one space, no invisible word joiners."""
    return " ".join(text.replace("\u2060", "").split())


# --- the hostile data ----------------------------------------------------------------------------

def _csv(rows: list[list[object]], delimiter: str = ";") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def incident_file(seed: int, *, label: str, unknown: list[str]) -> bytes:
    """400 incidents around Freiberg's Obermarkt (2021–2023) labelled `label`, a description
    column, and rows whose categories are in no mapping (`unknown`)."""
    rng = np.random.default_rng(seed)
    x = ORIGIN[0] + np.r_[rng.normal(0, 120, 200), rng.uniform(-1500, 1500, 200)]
    y = ORIGIN[1] + np.r_[rng.normal(0, 120, 200), rng.uniform(-1500, 1500, 200)]
    lon, lat = _TO_WGS84.transform(x, y)
    days = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 3 * 365, 400), unit="D")
    rows = [["Datum", "Uhrzeit", "Kategorie", "Breite", "Länge", "Bemerkung"]]
    rows += [[f"{d:%d.%m.%Y}", "22:15", label if i % 2 else "Graffiti", f"{b:.5f}".replace(".", ","),
              f"{a:.5f}".replace(".", ","), hostile(14)]
             for i, (d, a, b) in enumerate(zip(days, lon, lat, strict=True))]
    rows += [["01.02.2023", "10:00", text, "50,91", "13,34", hostile(14)] for text in unknown]
    return _csv(rows)


def osm_scene() -> Scene:
    """A main street and two places on Freiberg's Obermarkt with hostile names."""
    scene = Scene()
    scene.way([(-900, 100), (900, 100)], {"highway": "primary", "name": hostile(51)})
    scene.way([(100, -900), (100, 900)], {"highway": "residential", "name": "Burgstraße"})
    scene.node(130, 150, {"highway": "bus_stop", "public_transport": "platform", "name": hostile(52)})
    scene.node(-200, 60, {"amenity": "pub", "name": hostile(53)})
    return scene


def members_file() -> bytes:
    header = ["ags", "gemeinde", "kreis", "beteiligung", "kooperationsvereinbarung", "praeventionsrat",
              "sicherheitsanalyse", "modellkommune", "quelle"]
    return _csv([header, [FREIBERG, "Freiberg", "Mittelsachsen", f"Kooperationsvereinbarung ({hostile(31)})",
                          "2022-11-28", "ja", "durchgeführt", "", hostile(32)]], delimiter=",")


def places_file(names: Sequence[str] = (), category: str = "") -> bytes:
    """Angsträume on Freiberg's Obermarkt, 400 m apart (default: one named :func:`hostile` 41)."""
    names, category = names or (hostile(41),), category or hostile(42)
    rows = [["Ort", "Kategorie", "Anzahl Nennungen", "Rechtswert", "Hochwert"]]
    rows += [[name, category, 5 + i, f"{ORIGIN[0] + 125 + 400 * i:.0f}", f"{ORIGIN[1] + 125:.0f}"]
             for i, name in enumerate(names)]
    return _csv(rows)


def shares_file(ortsteil: str, ags: str = FREIBERG) -> bytes:
    return _csv([["AGS", "Ortsteil", "Anteil unsicher nachts", "Befragte"], [ags, ortsteil, "38,5 %", "130"],
                 ["14522180", "Altstadt", "24,0 %", "150"]])


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    """A data directory with a hostile data set, OSM extract and view sequence."""
    store = tmp_path_factory.mktemp("feindlich")
    upload = io.BytesIO(incident_file(5, label=hostile(13), unknown=[hostile(15)] * 3))
    upload.name = file_name(12)
    report = IncidentStore(store).import_file(upload, name=hostile(11), mapping={hostile(13): "graffiti"})
    assert report.accepted == 400 and report.dataset == hostile(11)
    geo.osm.import_extract(osm_scene().write(store / "feindlich.osm.pbf"), directory=store)
    saved = View(area=FREIBERG, method="gi", dataset=hostile(11), title=hostile(62))
    views.add_view(store, hostile(61), saved)
    return store


@pytest.fixture(scope="module")
def hostile_app(hostile_store):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app(store=hostile_store, log=ARTIFACTS / "streamlit_injection.log", timeout=90) as app:
        yield app.url


# --- what a browser shows --------------------------------------------------------------------------

#: Elements a payload would have made, in the page and every same-origin frame.
_INJECTED = """() => {
    const found = [];
    const docs = [document];
    document.querySelectorAll('iframe').forEach(f => {
        try { if (f.contentDocument) docs.push(f.contentDocument); } catch (e) {}
    });
    for (const d of docs) {
        d.querySelectorAll('img').forEach(i => {
            const src = i.getAttribute('src') || '';
            if (src === 'x' || src.includes('leak')) found.push('img ' + src);
        });
        d.querySelectorAll('script').forEach(s => {
            if (/^\\s*alert\\(\\d+\\)\\s*$/.test(s.textContent)) found.push('script ' + s.textContent);
        });
        d.querySelectorAll('a[href]').forEach(a => {
            const href = a.getAttribute('href').trim().toLowerCase();
            let host = '';
            try { host = new URL(a.href).hostname; } catch (e) {}
            if (href.startsWith('javascript:') || host === '127.0.0.2') found.push('a ' + href);
        });
        d.querySelectorAll('*').forEach(e => { for (const at of e.attributes) {
            if (at.name.startsWith('on') && at.value.includes('alert(')) found.push(e.tagName + at.name);
        } });
    }
    return found;
}"""

#: Every layer of the Leaflet map (in the window this runs in) that has a tooltip is hovered in
#: turn, the way Leaflet does it (``mouseover`` with a position, passed up to its group); the
#: tooltip texts shown.
_HOVER_ALL = """() => {
    const map = window.map_div || Object.values(window).find(v => v instanceof L.Map);
    const texts = new Set();
    const layers = [];
    map.eachLayer(l => layers.push(l));
    for (const l of layers) {
        let at = null;
        try {
            at = l.getLatLng ? l.getLatLng()
                 : (l.getBounds && l.getBounds().isValid() ? l.getBounds().getCenter() : null);
        } catch (e) {}
        if (!at) continue;
        try { l.fire('mouseover', {latlng: at}, true); } catch (e) {}
        map.getContainer().querySelectorAll('.leaflet-tooltip').forEach(t => texts.add(t.textContent));
        try { l.fire('mouseout', {latlng: at}, true); } catch (e) {}
    }
    return [...texts];
}"""

_ALL_LAYERS_ON = """() => document.querySelectorAll('.leaflet-control-layers-selector')
                      .forEach(box => { if (!box.checked) box.click(); })"""


class Watched:
    """A page whose dialogs are recorded (and dismissed) and whose requests off 127.0.0.1 are
    recorded and aborted (:class:`OfflinePage`)."""

    def __init__(self, browser, width: int = 1600, height: int = 1000) -> None:
        self.screen = OfflinePage(browser, width=width, height=height)
        self.page = self.screen.page
        self.dialogs: list[str] = []
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def clean(self) -> None:
        """Nothing ran, was made or was fetched."""
        self.page.wait_for_timeout(500)  # a broken image reports its error a moment later
        assert (self.page.evaluate(_INJECTED), self.dialogs) == ([], [])
        assert self.screen.external == []

    def map_tooltips(self, frame) -> list[str]:
        """All layers of the map in `frame` switched on, every tooltip opened once; their texts."""
        frame.evaluate(_ALL_LAYERS_ON)
        self.page.wait_for_timeout(300)
        return [shown(t) for t in frame.evaluate(_HOVER_ALL)]

    def upload(self, label: str, name: str, data: bytes) -> None:
        """Hand `data` as the file `name` to the uploader labelled `label`; wait until it is in."""
        uploader = self.page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
        mime = "application/json" if name.endswith(".json") else "text/csv"
        for attempt in (1, 2):  # a file handed over during a rerun can be dropped (OfflinePage.upload)
            self.screen.settle()
            uploader.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
                {"name": name, "mimeType": mime, "buffer": data})
            try:  # the chip shortens the name; its remove button carries it whole
                uploader.get_by_label(f"Remove {name}", exact=True).wait_for(timeout=30_000)
                break
            except PlaywrightError:
                if attempt == 2:
                    raise
        self.screen.settle()

    def map_frame(self):
        """The app's map (a `Frame`) once its 418 Gemeinden are drawn."""
        self.screen.map_frame().locator("path.leaflet-interactive").nth(417).wait_for(state="attached",
                                                                                       timeout=90_000)
        return self.page.locator(MAP_IFRAME).last.element_handle().content_frame()

    def tooltips_with(self, n: int, timeout_s: float = 90) -> list[str]:
        """:meth:`map_tooltips` of the app's map, again until one shows :func:`hostile` `n` (the
        uploads' reruns redraw the map, in place or in a new frame)."""
        tips: list[str] = []
        for _ in range(int(timeout_s / 3)):
            try:
                tips = self.map_tooltips(self.map_frame())
            except PlaywrightError:  # the frame was replaced meanwhile
                continue
            if any(shown(hostile(n)) in t for t in tips):
                break
            self.page.wait_for_timeout(3000)
        return tips


def _texts(page, selector: str) -> list[str]:
    return [shown(t) for t in page.locator(selector).all_inner_texts()]


# --- tests -----------------------------------------------------------------------------------------

@pytest.mark.browser
def test_hostile_place_names_from_a_survey_file_stay_text_in_the_tooltip(browser, tmp_path):
    places = survey_demo.demo_angstraeume("14522180")
    places = places.assign(name=[PAYLOADS[i % len(PAYLOADS)] for i in range(len(places))])
    analysis = analyse(demo_points(), View(area="14522180"))
    overlays = compose.overlay_layers(places=places, label="Test")
    (tmp_path / "karte.html").write_text(
        compose.atlas_map(analysis, overlays=overlays).get_root().render(), encoding="utf-8")
    dialogs: list[str] = []
    with serving(tmp_path) as url:
        context = browser.new_context(viewport={"width": 1200, "height": 800})
        try:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{url}/karte.html")
            page.locator("path.leaflet-interactive").nth(417).wait_for(state="attached", timeout=60_000)
            page.evaluate("""() => document.querySelectorAll('.leaflet-control-layers-selector')
                                   .forEach(box => { if (!box.checked) box.click(); })""")
            circles = page.locator("path.leaflet-interactive[stroke-width]").all()
            shown_texts = []
            for circle in circles[-len(places):]:
                box = circle.bounding_box()
                if box:
                    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                    page.wait_for_timeout(150)
                    tip = page.locator(".leaflet-tooltip")
                    if tip.count():
                        shown_texts.append(tip.last.inner_text())
            assert any(p in text for text in shown_texts for p in PAYLOADS), shown_texts  # as written
            assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
            assert dialogs == []
        finally:
            context.close()


@pytest.mark.browser
def test_planner_view_shows_hostile_names_uploads_and_exports_as_text(hostile_app, browser, tmp_path):
    watched = Watched(browser)
    page, screen = watched.page, watched.screen
    try:
        page.goto(f"{hostile_app}/?" + urllib.parse.urlencode(
            {"daten": hostile(11), "ags": FREIBERG, "methode": "gi", "ebenen": "asskomm,befragung",
             "titel": hostile(71)[:120]}))
        watched.map_frame()
        captions = _texts(page, '[data-testid="stCaptionContainer"]')
        assert any(c.startswith(shown(hostile(71)[:120]) + " · Freiberg · Graffiti") and
                   c.endswith("Quelle: " + shown(hostile(11))) for c in captions), captions
        assert shown(f"Datensatz „{hostile(11)}“ löschen") in _texts(page, '[data-testid="stButton"]')
        watched.clean()

        # The exports: the HTML map (opened below) runs nothing, the PNG and the report are made.
        files = {}
        for label in ("Karte (HTML)", "Karte (PNG)", "Bericht (PDF)"):
            screen.settle()
            with page.expect_download(timeout=120_000) as download:
                page.get_by_role("button", name=label).click()
            files[label] = download.value.path().read_bytes()
        assert files["Karte (PNG)"].startswith(b"\x89PNG") and files["Bericht (PDF)"].startswith(b"%PDF")
        (tmp_path / "karte.html").write_bytes(files["Karte (HTML)"])
        watched.clean()

        # A survey file with a bad row: the message quotes the cell as text.
        watched.upload("Anteile je Gebiet", file_name(43), shares_file("x", ags=hostile(44)))
        alert = page.locator('[data-testid="stAlertContentError"]')
        alert.wait_for(timeout=60_000)
        assert shown(f"'{hostile(44)}'") in shown(alert.inner_text())
        assert shown(file_name(43)) in shown(alert.inner_text())
        watched.upload("Anteile je Gebiet", "ok " + file_name(43), shares_file(hostile(45)))
        watched.upload("ASSKomm-Liste ergänzen", file_name(33), members_file())
        watched.upload("Angsträume", file_name(43), places_file())
        tips = watched.tooltips_with(41)
        for n in (31, 32, 41, 42, 51):
            assert any(shown(hostile(n)) in t for t in tips), (n, tips)
        assert watched.map_frame().get_by_text("Angsträume (Befragung)").count() >= 1  # legends open
        watched.clean()

        # An import through the app: file name, unknown categories, the rejected rows' download.
        watched.upload("Datei importieren", file_name(21),
                       incident_file(6, label="Graffiti", unknown=[hostile(22), "=HYPERLINK(\"x\")"]))
        page.get_by_role("button", name="Importieren").click()
        report = page.get_by_text(re.compile("^Import „"))
        report.wait_for(timeout=90_000)
        stem = Path(file_name(21)).stem
        expected = (f"Import „{file_name(21)}“: 402 Zeilen gelesen, 400 übernommen, 2 abgelehnt – "
                    f"Datensatz „{stem}“")
        assert shown(report.inner_text()).startswith(shown(expected))
        notes = _texts(page, '[data-testid="stCaptionContainer"]')
        assert any(shown(f"'{quoted(hostile(22))}' (1)") in n for n in notes), notes
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Abgelehnte Zeilen (CSV)").click()
        with urllib.request.urlopen(download.value.url) as response:
            disposition = response.headers["Content-Disposition"]
            rejected = response.read().decode("utf-8-sig")
        name = download.value.suggested_filename
        assert name.startswith("abgelehnt_") and name.endswith(".csv")
        assert not set(name) & set("/\\:<>$`'\"") and ".." not in name, name
        assert re.fullmatch(r'attachment; filename="abgelehnt_[\w -]+\.csv"', disposition), disposition
        assert "'=HYPERLINK" in rejected
        assert not re.search(r'(^|;|;")=HYPERLINK', rejected, flags=re.MULTILINE), rejected
        screen.settle()
        assert shown(f"Datensatz „{stem}“ löschen") in _texts(page, '[data-testid="stButton"]')
        watched.clean()

        # A view sequence uploaded with a hostile file name and a hostile value.
        sequence = json.dumps({"name": hostile(63), "ansichten": [{"methode": hostile(64)}]}).encode()
        watched.upload("Folge hochladen", file_name(63, ".json"), sequence)
        page.get_by_role("button", name="Folge übernehmen").click()
        success = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="übernommen")
        success.wait_for(timeout=30_000)
        kept = views.sequence_path(Path("."), Path(file_name(63, ".json")).stem).stem
        assert shown(success.inner_text()) == shown(
            f"Folge „{kept}“ übernommen. {file_name(63, '.json')}, Ansicht 1: „methode={hostile(64)}“ ist "
            "unbekannt – erlaubt: rates, kde, gi, lisa, emerging.")
        watched.clean()
    finally:
        screen.context.close()
    exported = Watched(browser)
    try:
        with serving(tmp_path) as url:
            exported.page.goto(f"{url}/karte.html")
            exported.page.locator("path.leaflet-interactive").nth(417).wait_for(state="attached",
                                                                               timeout=60_000)
            tips = exported.map_tooltips(exported.page.main_frame)
            assert any(shown(hostile(51)) in t for t in tips) and any(shown(hostile(52)) in t for t in tips)
            exported.clean()
    finally:
        exported.screen.context.close()


@pytest.mark.browser
def test_council_view_shows_hostile_sequence_names_titles_and_url_values_as_text(hostile_app, browser):
    watched = Watched(browser, width=1920, height=1080)
    page, screen = watched.page, watched.screen
    try:
        page.goto(f"{hostile_app}/?" + urllib.parse.urlencode({"folge": hostile(61), "nr": "1"}))
        frame = watched.map_frame()
        assert shown(page.locator("h1.atlas-title").inner_text()) == shown(hostile(62)[:120])
        assert shown(page.locator("p.atlas-line").inner_text()).endswith("Quelle: " + shown(hostile(11)))
        assert any(t == shown(f"Ansicht 1 von 1 · {hostile(61)}")
                   for t in _texts(page, '[data-testid="stMarkdownContainer"]'))
        assert watched.map_tooltips(frame)
        watched.clean()

        title = "Titel <img src=x onerror=alert(71)>\n\n![b](http://127.0.0.2/leak71.png)[m](javascript:alert(71))"
        page.goto(f"{hostile_app}/?" + urllib.parse.urlencode(
            {"modus": "sitzung", "ags": FREIBERG, "daten": hostile(11), "titel": title}))
        watched.map_frame()
        assert shown(page.locator("h1.atlas-title").inner_text()) == shown(title)
        watched.clean()

        page.goto(f"{hostile_app}/?" + urllib.parse.urlencode({"ags": hostile(81), "methode": hostile(82)}))
        watched.map_frame()
        warnings = " ".join(_texts(page, '[data-testid="stAlertContentWarning"]'))
        assert shown(f"Unbekannter Gemeindeschlüssel „{hostile(81)}“") in warnings
        assert shown(f"„methode={hostile(82)}“ ist unbekannt") in warnings
        watched.clean()
    finally:
        screen.context.close()


@pytest.mark.browser
def test_exported_map_with_hostile_overlays_and_streets_runs_nothing(hostile_store, browser, tmp_path):
    points = IncidentStore(hostile_store).points()
    members = asskomm.merge_members(asskomm.load_members(),
                                    asskomm.load_members(members_file(), name=file_name(33)))
    places = load_angstraeume(places_file([hostile(41), hostile(46)]), name=file_name(43))
    shares = load_shares(shares_file(hostile(45)), name=file_name(43))
    analysis = analyse(points, View(area=FREIBERG, method="gi"), source=hostile(11))
    overlays = compose.overlay_layers(members=members, shares=shares, places=places, label=hostile(47),
                                      coincidence=coincide.coincidence_by_cell(points, places))
    page = compose.atlas_map(analysis, points=points, overlays=overlays, osm=geo.osm.load(hostile_store))
    (tmp_path / "karte.html").write_text(page.get_root().render(), encoding="utf-8")
    watched = Watched(browser)
    try:
        with serving(tmp_path) as url:
            watched.page.goto(f"{url}/karte.html")
            paths = watched.page.locator("path.leaflet-interactive")
            paths.nth(417).wait_for(state="attached", timeout=60_000)
            tips = watched.map_tooltips(watched.page.main_frame)
            for n in (31, 32, 41, 42, 46, 51, 52, 53):
                assert any(shown(hostile(n)) in t for t in tips), (n, tips)
            watched.clean()
    finally:
        watched.screen.context.close()


@pytest.mark.browser
def test_report_shows_hostile_data_set_file_and_street_names_literally(hostile_store, browser, tmp_path):
    from pypdf import PdfReader

    for fmt in ("pdf", "html"):
        out = tmp_path / f"bericht.{fmt}"
        run = subprocess.run([sys.executable, "-m", "geo", "report", FREIBERG, "--store", str(hostile_store),
                              "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        assert "Traceback" not in run.stderr
    text = "".join(page.extract_text() for page in PdfReader(tmp_path / "bericht.pdf").pages)
    flat = "".join(text.split())
    for expected in (hostile(11), file_name(12), hostile(51)):
        assert "".join(expected.split()) in flat, expected

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            source = dict(attrs).get("src") or ""
            if tag in ("script", "a") or (tag == "img" and not source.startswith("data:image/png")):
                self.found.append(tag)

    html = (tmp_path / "bericht.html").read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(html)
    assert parser.found == []
    watched = Watched(browser)
    try:
        with serving(tmp_path) as url:
            watched.page.goto(f"{url}/bericht.html")
            assert shown(hostile(11)) in shown(watched.page.locator("body").inner_text())
            watched.clean()
    finally:
        watched.screen.context.close()


def test_png_export_draws_hostile_names_as_written(hostile_store):
    points = IncidentStore(hostile_store).points()
    analysis = analyse(points, View(area=FREIBERG, method="gi"), source=hostile(11))
    png = view_png(analysis, osm=geo.osm.load(hostile_store))
    assert png.startswith(b"\x89PNG")


def test_survey_table_from_the_command_line_neutralises_formulas(tmp_path):
    formulas = ["=HYPERLINK(\"http://127.0.0.2\";\"x\")", "+1+1", "-2+3", "@SUMME(A1)"]
    places = tmp_path / "angstraeume.csv"
    places.write_bytes(places_file(formulas, category="=1+2"))
    out = tmp_path / "abgleich.csv"
    run = subprocess.run([sys.executable, "-m", "geo", "befragung", "--angstraeume", str(places), "--out",
                          str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    cells = [c for column in table.columns for c in table[column].dropna()]
    assert [c for c in cells if c.startswith(("=", "+", "-", "@")) and not _number(c)] == []
    for formula in formulas:
        assert any(c.startswith("'" + formula) for c in cells), formula


def _number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True
