"""Issue 15: hostile files through the app's upload (AppTest): a German message naming the file, no
exception, nothing stored, and the page with its map still there. The whole corpus goes through
the command line in ``tests/geo/incidents/test_bad_corpus.py``; here a representative subset."""

import re
import tomllib
from pathlib import Path

import pytest

from geo.files import MAX_FILE_MB
from tests.conftest import captions
from tests.data.bad import erzeuge

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "tests" / "data" / "bad"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

#: Unusable files: name → what the error box says after the name.
REFUSED = {
    "binaer.csv": r"die Datei ist keine Textdatei \(Binärdaten, zuerst in Zeile 1\)",
    "gemischte_kodierung.csv": r"die Zeichenkodierung wechselt – bis Zeile 2 UTF-8, in Zeile 3 nicht",
    "xml_bombe.xlsx": r"die Excel-Datei ist beschädigt",
    "abgeschnitten.gpkg": r"Geodaten nicht lesbar \(Datei beschädigt oder abgeschnitten\)",
    "open311_abgeschnitten.json": r"kein gültiges JSON \(Zeile 23, Spalte 11: Wert erwartet\)",
    "xlsx_bombe.xlsx": r"entpackt wäre das Archiv 4\.000 MB groß; höchstens 1\.000 MB werden entpackt",
    "tief_verschachtelt.geojson": r"das JSON ist zu tief verschachtelt",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The subset's bytes; the big ones written by the corpus generator."""
    folder = tmp_path_factory.mktemp("gross")
    for name in ("xlsx_bombe.xlsx", "tief_verschachtelt.geojson"):
        erzeuge.LARGE[name](folder / name)
    return {name: ((BAD / name) if (BAD / name).exists() else folder / name).read_bytes()
            for name in [*REFUSED, "html_js.csv", "steuerzeichen.csv", "koordinaten_absurd.csv"]}


def _upload(app, name: str, raw: bytes) -> None:
    app.run()
    app.file_uploader(key="w_import").set_value((name, raw, "application/octet-stream"))
    app.run()
    next(b for b in app.button if b.label == "Importieren").click().run()


def _page_still_there(app) -> None:
    assert not app.exception
    assert app.title[0].value == "Präventionsatlas Sachsen"
    assert [c for c in app.get("component_instance") if "folium" in c.proto.component_name]  # the map
    assert any("GeoBasis-DE / BKG 2016" in c for c in captions(app))  # the line under the map


def _store_files(tmp_path):
    store = tmp_path / "store"
    return {p.name: p.read_bytes() for p in store.iterdir()} if store.exists() else {}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_an_unusable_upload_gives_a_german_message_and_the_page_stays(app, tmp_path, corpus, name):
    before = _store_files(tmp_path)
    _upload(app, name, corpus[name])
    _page_still_there(app)
    messages = [e.value.replace("\\", "") for e in app.error]  # shown as text: Markdown escaped
    assert len(messages) == 1 and messages[0].startswith(f"{name}: "), messages
    assert re.search(REFUSED[name], messages[0])
    assert len(messages[0]) < 400
    assert _store_files(tmp_path) == before


def test_markup_and_terminal_escapes_in_every_field_are_rejected_and_shown_as_text(app, tmp_path, corpus):
    for name in ("html_js.csv", "steuerzeichen.csv"):
        _upload(app, name, corpus[name])
        _page_still_there(app)
        assert not app.error
        shown = captions(app)
        escaped = name.replace("_", "\\_")  # file names are shown as plain text, not Markdown
        assert f"Import „{escaped}“: 2 Zeilen gelesen, 0 übernommen, 2 abgelehnt." in shown
        assert not [c for c in shown if CONTROL.search(c) or "<script" in c]
    assert not (tmp_path / "store" / "vorfaelle.sqlite").exists()  # nothing stored


def test_a_partly_valid_upload_stores_its_valid_row_and_the_map_shows_it(app, corpus):
    _upload(app, "koordinaten_absurd.csv", corpus["koordinaten_absurd.csv"])
    _page_still_there(app)
    assert ("Import „koordinaten\\_absurd.csv“: 15 Zeilen gelesen, 1 übernommen, 14 abgelehnt – Datensatz "
            "„koordinaten\\_absurd“ gespeichert.") in captions(app)
    assert app.selectbox(key="w_daten").value == "koordinaten_absurd"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(app, tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_MAX_FILE_MB", "1")
    _upload(app, "gross.csv", (erzeuge.HEADER + "\n").encode() + b"x" * (3 << 20))
    _page_still_there(app)
    assert [e.value.replace("\\", "") for e in app.error] == [
        "gross.csv ist 3 MB groß; höchstens 1 MB werden gelesen. Bitte die Datei aufteilen "
        "(z. B. nach Jahren) oder den Grenzwert mit ATLAS_MAX_FILE_MB anheben."]
    assert not (tmp_path / "store").exists()


def test_streamlits_upload_limit_is_the_atlas_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB


def test_the_uploader_names_the_limit_it_enforces(app):
    from streamlit import config

    old = config.get_option("server.maxUploadSize")
    config.set_option("server.maxUploadSize", MAX_FILE_MB)  # as .streamlit/config.toml sets it for the app
    try:
        app.run()
    finally:
        config.set_option("server.maxUploadSize", old)
    shown = " ".join(h.proto.body for h in app.get("html"))
    assert f"bis {MAX_FILE_MB} MB je Datei" in shown and "200 MB" not in shown
