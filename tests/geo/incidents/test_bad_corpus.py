"""Issue 15: every file of the hostile corpus (``tests/data/bad/``, listed in its README.md) through
the real command line, ``python -m geo import FILE --store DIR``, each in its own process.

The store already holds one data set imported from ``tests/data/``. Every file must end in the
outcome written in :data:`EXPECTED`: exit 2 and one German line naming the file, or exit 1 (or 0)
with the report, where a file's valid rows are imported and every other row is rejected with file,
row and column. Always: no traceback or warning on stderr, no output that echoes the hostile text
unshortened, the store byte for byte as before unless valid rows were imported (then the old data
set is untouched and a new one holds exactly those rows), and the child's peak memory (its
``ru_maxrss``) at most :data:`MEMORY_BOUND_MB`.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.export import FORMULA_PREFIXES
from geo.incidents.parse import EARLIEST
from geo.store import IncidentStore
from tests.data.bad import erzeuge
from tests.geo.incidents.conftest import DATA

#: The corpus runs in about 2 minutes on an idle 2-core machine (233 s of CPU in the children);
#: the limit leaves room for a machine shared with other work.
pytestmark = pytest.mark.timeout(1_500)
ROOT = Path(__file__).resolve().parents[3]
BAD = DATA / "bad"
#: Peak RSS of one ``python -m geo import`` child. Starting the command line takes about 270 MB, the
#: Gemeinde lookup grid about 240 MB more; the largest corpus file (a 50 MB data line, its rejected
#: row written with ``--rejected``) peaks at about 930 MB.
MEMORY_BOUND_MB = 1_024
TIMEOUT_S = 300
#: The longest line of output: fixed German text, file name, row, column and quoted values (80
#: characters each, a dozen column names of 30), never the input itself.
LONGEST_LINE = 1_000
#: Saxony's bounding box in EPSG:25833 with 20 km margin: where every stored point must lie.
SAXONY_BOX = (258_000.0, 5_541_000.0, 523_000.0, 5_749_000.0)


@dataclass(frozen=True)
class Outcome:
    """What a file must end in: the exit code, a message (regex) and the rows taken and refused.

    Exit 2: `message` matches stderr after ``Fehler: <file>: `` (or ``Fehler: <file> ``).
    Exit 0/1: `message` matches one reason in the rejected rows; `accepted` rows are stored.
    """

    code: int
    message: str
    accepted: int = 0
    rejected: int = 0


def refused(message: str) -> Outcome:
    return Outcome(2, message)


NOT_TEXT = r"die Datei ist keine Textdatei \(Binärdaten, zuerst in Zeile {}\); erwartet CSV, XLSX"
NO_ROWS = r"die Datei enthält keine Datenzeilen\.$"
DATE_HINT = r" ist kein Datum \(erwartet TT\.MM\.JJJJ"

EXPECTED: dict[str, Outcome] = {
    # empty, header only, binary garbage
    "leer.csv": refused(r"die Datei ist leer\.$"),
    "leer.xlsx": refused(r"die Datei ist leer\.$"),
    "leer.geojson": refused(r"die Datei ist leer\.$"),
    "nur_leerzeilen.csv": refused(r"die Datei ist leer\.$"),
    "nur_kopfzeile.csv": refused(NO_ROWS),
    "nur_kopfzeile.xlsx": refused(NO_ROWS),
    "leere_mappe.xlsx": refused(r"im Tabellenblatt 'Meldungen' keine Kopfzeile mit bekannten Spaltennamen"),
    "ohne_objekte.geojson": refused(NO_ROWS),
    "leer.gpkg": refused(NO_ROWS),
    "open311_leer.json": refused(NO_ROWS),
    "binaer.csv": refused(NOT_TEXT.format(1)),
    "binaer.xlsx": refused(
        r"die Datei ist keine gültige Excel-Arbeitsmappe \(beschädigt oder abgeschnitten\?\)"),
    "binaer.gpkg": refused(r"die Datei ist keine gültige GeoPackage \(beschädigt oder abgeschnitten\?\)"),
    # encodings, NUL bytes, BOM in the middle, line breaks CSV readers do not see
    "nul_bytes.csv": refused(NOT_TEXT.format(2)),
    "gemischte_kodierung.csv": refused(
        r"die Zeichenkodierung wechselt – bis Zeile 2 UTF-8, in Zeile 3 nicht"),
    "utf16_abgeschnitten.csv": refused(
        r"UTF-16-Datei ist beschädigt oder abgeschnitten \(Byte 34, Zeile 2\)"),
    "bom_in_der_mitte.csv": Outcome(
        1, r"^bom_in_der_mitte\.csv, Zeile 3, Spalte 'Länge': 'Länge' ist keine Koordinate\.$", 2, 1),
    "zeilenumbrueche_unicode.csv": Outcome(
        1, r"^zeilenumbrueche_unicode\.csv, Zeile 5, Spalte 'Kategorie': Kategorie 'Kreide Graffiti' steht "
           r"nicht in der Zuordnung\.$", 2, 1),
    # broken structure, wrong extensions
    "zu_viele_felder.csv": refused(
        r"die CSV-Datei ist nicht lesbar \(Zeile 3 hat 8 Felder, die Kopfzeile 5\)"),
    "anfuehrungszeichen_offen.csv": refused(
        r"in Zeile 3 öffnet ein Anführungszeichen, das bis zum Dateiende nicht schließt"),
    "text_als.xlsx": refused(r"die Datei ist keine gültige Excel-Arbeitsmappe"),
    "text_als.gpkg": refused(r"die Datei ist keine gültige GeoPackage"),
    "bild_als.csv": refused(NOT_TEXT.format(3)),
    "bild_als.json": refused(r"kein gültiges JSON – ab Zeile 1 kein UTF-8-Text"),
    "arbeitsmappe_als.csv": Outcome(
        1, r"^arbeitsmappe_als\.csv, Zeile 7, Spalte 'Rechtswert': 'k\. A\.' ist keine Koordinate\.$", 3, 2),
    "geojson_als.txt": Outcome(
        1, r"^geojson_als\.txt, Objekt 3: Geometrie ist kein Punkt \(Polygon\)\.$", 2, 2),
    # formulas, HTML/JS and terminal escapes in every text field
    "formeln.csv": Outcome(1, r"^formeln\.csv, Zeile 3, Spalte 'Datum': '\+02\.06\.2024'" + DATE_HINT, 0, 4),
    "formeln.xlsx": Outcome(
        1, r"^formeln\.xlsx, Zeile 4, Spalte 'Datum': '1899-12-29 00:00:00' liegt vor 1900, kein plausibles "
           r"Datum\.$", 0, 5),
    "html_js.csv": Outcome(
        1, r"^html_js\.csv, Zeile 2, Spalte 'Länge': '<script>alert\('x'\)</script><img src=x "
           r"onerror=alert\(1\)>' ist keine Koordinate\.$", 0, 2),
    "html_kopfzeile.csv": refused(
        r"keine Kopfzeile mit bekannten Spaltennamen gefunden \(erste Zeile: '<b onmouseover=alert\(0\)>"
        r"<script>alert\('x'\)</script><img src=x onerror=alert\(1\)><…'\)"),
    "ohne_ort_900_html_spalten.csv": refused(
        r"keine verwendbaren Spalten\. .* Erkannt: Datum \(date\), Kategorie \(category\)\. Gelesene "
        r"Spalten: Datum, Kategorie, <script>alert\('x'\)</script><im…, .* und 890 weitere\.$"),
    "html_js.geojson": Outcome(1, r"^html_js\.geojson, Objekt 1, Spalte 'Datum': '<script>", 0, 1),
    "open311_html_js.json": Outcome(
        1, r"^open311_html_js\.json, Eintrag 1, Spalte 'requested_datetime': '<script>", 0, 1),
    "steuerzeichen.csv": Outcome(
        1, r"^steuerzeichen\.csv, Zeile 2, Spalte 'Kategorie': Kategorie 'Graffiti�\[2J�\[31mROT�\]0;titel�' "
           r"steht nicht in der Zuordnung\.$", 0, 2),
    # absurd coordinates, dates and counts
    "koordinaten_absurd.csv": Outcome(
        1, r"^koordinaten_absurd\.csv, Zeile 8, Spalten 'Länge'/'Breite': \(13,7381 / 200\) ist in EPSG:4326 "
           r"keine gültige Position\.$", 1, 14),
    "koordinaten_absurd.gpkg": Outcome(
        1, r"^koordinaten_absurd\.gpkg, Objekt 2, Spalte 'Geometrie': 'inf' ist keine Koordinate\.$", 0, 6),
    "datum_jahr_0_und_9999.csv": Outcome(
        1, r"^datum_jahr_0_und_9999\.csv, Zeile 4, Spalte 'Datum': '01\.01\.0001 00:00' liegt vor 1900, kein "
           r"plausibles Datum\.$", 0, 14),
    "fallzahlen_negativ.csv": Outcome(
        1, r"^fallzahlen_negativ\.csv, Zeile 2, Spalte 'Anzahl': '-1' ist keine nicht-negative ganze Zahl\.$",
        0, 11),
    "fallzahlen_ueberlauf.csv": Outcome(
        1, r"^fallzahlen_ueberlauf\.csv, Zeile 2, Spalte 'Anzahl': '9223372036854775807' ist "
           r"unplausibel groß \(höchstens 100\.000\.000 je Zeile\)\.$", 0, 3),
    "fallzahlen_jahr_0_und_9999.csv": Outcome(
        1, r"^fallzahlen_jahr_0_und_9999\.csv, Zeile 4: Zeitraum ab 0001-01-01 liegt vor 1900, "
           r"kein plausibler Zeitraum\.$", 0, 11),
    # geometries
    "geometrie_ungueltig.geojson": Outcome(
        1, r"^geometrie_ungueltig\.geojson, Objekt 8: Geometrie ist kein Punkt \(Polygon\)\.$", 0, 11),
    "selbstueberschneidend.geojson": Outcome(
        1, r"^selbstueberschneidend\.geojson, Objekt 4: Geometrie ist kein Punkt \(MultiPoint\)\.$", 0, 5),
    "verschachtelte_werte.geojson": Outcome(
        1, r"^verschachtelte_werte\.geojson, Objekt 1, Spalte 'Kategorie': Kategorie '\[\"Graffiti\", "
           r"\"Müll\"\]' steht nicht in der Zuordnung\.$", 1, 3),
    "polygone.gpkg": Outcome(
        1, r"^polygone\.gpkg, Objekt 1: Geometrie ist kein Punkt \(MultiPolygon\)\.$", 0, 3),
    "features_kein_array.geojson": refused(r"GeoJSON-FeatureCollection ohne Liste 'features'\.$"),
    "crs_unbekannt.geojson": Outcome(0, "", 1, 0),
    "abgeschnitten.gpkg": refused(r"Geodaten nicht lesbar \(Datei beschädigt oder abgeschnitten\)\.$"),
    "sqlite_kein_gpkg.gpkg": refused(
        r"Geodaten nicht lesbar \(SQLite-Datenbank ohne GeoPackage-Tabellen\)\.$"),
    # Open311
    "open311_felder_fehlen.json": refused(
        r"Open311-Einträge ohne Feld\(er\) lat, long, requested_datetime\.$"),
    "open311_falsche_typen.json": Outcome(
        1, r"^open311_falsche_typen\.json, Eintrag 2, Spalte 'long': '\{\"wert\": 14\.4\}' ist keine "
           r"Koordinate\.$", 2, 11),
    "open311_keine_objekte.json": refused(r"JSON weder GeoJSON-FeatureCollection noch Open311-Liste"),
    "open311_abgeschnitten.json": refused(r"kein gültiges JSON \(Zeile 23, Spalte 11: Wert erwartet\)\.$"),
    # ZIP and XLSX, truncated and hostile
    "abgeschnitten.xlsx": refused(r"die Excel-Datei ist nicht lesbar \(beschädigt oder abgeschnitten\?\)\.$"),
    "abgeschnitten.zip": refused(r"das ZIP-Archiv ist nicht lesbar \(beschädigt oder abgeschnitten\?\)\.$"),
    "csv_im.zip": refused(r"ein ZIP-Archiv, aber keine Excel-Arbeitsmappe \(enthält 'vorfaelle\.csv', "
                          r"'liesmich\.txt'\)\. Bitte entpacken"),
    "xml_bombe.xlsx": refused(r"die Excel-Datei ist beschädigt \(verweist auf Einträge, die fehlen\)\.$"),
    # big ones, written at test time (erzeuge.LARGE)
    "lange_kopfzeile_50mb.csv": refused(
        r"keine Kopfzeile mit bekannten Spaltennamen gefunden \(erste Zeile, 50\.000\.029 Zeichen: "
        r"'Datum;Kategorie;Breite;Länge;x{50}"),
    "lange_datenzeile_50mb.csv": Outcome(
        1, r"^lange_datenzeile_50mb\.csv, Zeile 3, Spalte 'Kategorie': Kategorie "
           r"'Graffiti(<script>){9}…' steht nicht in der Zuordnung\.$", 1, 1),
    "eine_zeile_50mb_ohne_umbruch.csv": refused(
        r"keine Kopfzeile mit bekannten Spaltennamen gefunden \(erste Zeile, 50\.000\.000 Zeichen: "
        r"'Graffiti;"),
    "million_spalten.csv": refused(
        r"die Kopfzeile \(Zeile 1\) hat 1\.000\.000 Spalten; eine Vorfalltabelle hat höchstens 1\.000"),
    "million_felder_in_zeile_3.csv": refused(
        r"die CSV-Datei ist nicht lesbar \(Zeile 3 hat 1\.000\.000 Felder, die Kopfzeile 5\)\.$"),
    "open311_million_felder.json": refused(
        r"Eintrag 1 bringt die Einträge auf mehr als 1\.000 verschiedene Felder"),
    "tief_verschachtelt.geojson": refused(r"das JSON ist zu tief verschachtelt, um Vorfälle zu enthalten\.$"),
    "open311_tief_verschachtelt.json": refused(
        r"das JSON ist zu tief verschachtelt, um Vorfälle zu enthalten\.$"),
    "zip_bombe.zip": refused(
        r"entpackt wäre das Archiv 5\.120 MB groß; höchstens 1\.000 MB werden entpackt\."),
    "xlsx_bombe.xlsx": refused(
        r"entpackt wäre das Archiv 4\.000 MB groß; höchstens 1\.000 MB werden entpackt\."),
    "xlsx_dicht_gepackt.xlsx": refused(
        r"der Bestandteil 'xl/worksheets/sheet1\.xml' ist 29\d-fach gepackt \(Tabellen höchstens etwa "
        r"100-fach\)"),
    "zip_luegt.xlsx": refused(
        r"die Excel-Datei ist nicht lesbar \(Prüfsumme eines Bestandteils falsch: beschädigt oder "
        r"manipuliert\)"),
    "nul_nach_64kb.csv": refused(NOT_TEXT.format(1502)),
    "zu_gross_612mb.csv": refused(r"ist 612 MB groß; höchstens 400 MB werden gelesen\."),
}


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    rss_mb: float
    before: dict[str, str]
    after: dict[str, str]
    store: Path
    rejected: Path


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


#: Runs a command and writes its peak RSS (KB) to a file. The CLI is started from this small process,
#: not forked from pytest: a child's ``ru_maxrss`` keeps the pages it had before ``exec``.
_MEASURE = """import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _run_cli(path: Path, store: Path, rejected: Path) -> Run:
    """``python -m geo import`` on `path` in a child process, and the child's peak RSS."""
    before = _hashes(store)
    env = {k: v for k, v in os.environ.items() if k not in {"ATLAS_MAX_FILE_MB", "ATLAS_DATA_DIR"}}
    rss = rejected.with_suffix(".rss")
    command = [sys.executable, "-m", "geo", "import", str(path), "--store", str(store),
               "--rejected", str(rejected)]
    child = subprocess.Popen([sys.executable, "-c", _MEASURE, str(rss), *command], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = child.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.communicate()
        pytest.fail(f"{path.name}: no end after {TIMEOUT_S} s")
    return Run(child.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"),
               int(rss.read_text()) / 1024, before, _hashes(store), store, rejected)


@pytest.fixture(scope="module")
def template_store(tmp_path_factory):
    """A store holding one data set imported from tests/data/ (points in Saxony)."""
    store = tmp_path_factory.mktemp("vorlage")
    IncidentStore(store).import_file(DATA / "gauss_krueger_gk4.csv")
    return store


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory, template_store):
    """The corpus files this session's tests ask for (all, unless ``-k`` chose), each through the
    command line, as many at a time as there are cores."""
    chosen = [item.callspec.params.get("name") for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")]
    wanted = {name for name in chosen if name in EXPECTED}
    large = tmp_path_factory.mktemp("gross")
    files = {}
    for name in sorted(wanted):
        files[name] = BAD / name
        if name in erzeuge.LARGE:
            files[name] = large / name
            erzeuge.LARGE[name](files[name])
    work = tmp_path_factory.mktemp("laeufe")

    def one(name: str) -> Run:
        store = work / f"speicher_{name}"
        shutil.copytree(template_store, store)
        return _run_cli(files[name], store, work / f"abgelehnt_{name}.csv")

    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        done = dict(zip(files, pool.map(one, files), strict=True))
    for path in large.iterdir():
        path.unlink()  # the 612 MB sparse file and the bombs go at once
    return done


def test_the_corpus_has_over_40_files_every_one_with_an_expected_outcome_and_a_readme_line():
    small = {p.name for p in BAD.iterdir() if p.suffix not in {".py", ".md"} and p.is_file()}
    names = small | set(erzeuge.LARGE)
    assert len(names) >= 40
    assert names == set(EXPECTED)
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    assert [n for n in sorted(names) if f"`{n}`" not in readme] == []
    suffixes = {Path(n).suffix for n in names}
    assert {".csv", ".xlsx", ".geojson", ".gpkg", ".json", ".zip"} <= suffixes


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file_ends_as_expected(name, runs, template_store):
    run, want = runs[name], EXPECTED[name]
    assert "Traceback" not in run.stderr and "Warning" not in run.stderr, run.stderr
    assert run.code == want.code, (run.stdout, run.stderr)
    _assert_nothing_hostile_echoed(run)
    assert run.rss_mb <= MEMORY_BOUND_MB, f"{name}: {run.rss_mb:.0f} MB"
    if want.code == 2:
        assert run.stdout == ""
        line = run.stderr.rstrip("\n")
        assert "\n" not in line
        assert re.match(rf"Fehler: {re.escape(name)}:? ", line), line
        assert re.search(want.message, line), line
        assert run.after == run.before  # nothing written, byte for byte
        return
    assert run.stderr == ""
    assert f"Datei: {name}\n" in run.stdout
    assert f"\nübernommen: {want.accepted}\n" in run.stdout
    assert f"\nabgelehnt: {want.rejected}\n" in run.stdout
    if want.rejected:
        reasons = pd.read_csv(run.rejected, sep=";", dtype=str, encoding="utf-8-sig", keep_default_na=False)
        assert len(reasons) == want.rejected
        assert any(re.search(want.message, r) for r in reasons["grund"]), reasons["grund"].tolist()
        assert all(r.startswith(f"{name}, ") for r in reasons["grund"])
        cells = reasons.to_numpy().ravel()
        assert not [c for c in cells if c.lstrip(" ").startswith(FORMULA_PREFIXES)]  # neutralised
    _assert_store(run, template_store, want.accepted)


def _assert_nothing_hostile_echoed(run: Run) -> None:
    """Values are quoted to 80 characters: no output line is long, none holds a control character."""
    text = run.stdout + run.stderr
    assert len(text) < 5_000
    assert max(map(len, text.splitlines()), default=0) <= LONGEST_LINE
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", text)
    if run.rejected.exists():
        reasons = pd.read_csv(run.rejected, sep=";", dtype=str, encoding="utf-8-sig", usecols=["grund"])
        assert reasons["grund"].str.len().max() <= LONGEST_LINE


def _assert_store(run: Run, template: Path, accepted: int) -> None:
    old = IncidentStore(template)
    new = IncidentStore(run.store)
    if accepted == 0:
        assert run.after == run.before
        return
    datasets = new.datasets()
    assert len(datasets) == len(old.datasets()) + 1
    assert datasets["accepted"].tolist()[:-1] == old.datasets()["accepted"].tolist()
    first = old.datasets()["name"].tolist()
    pd.testing.assert_frame_equal(new.point_table(datasets=first), old.point_table(datasets=first))
    added = new.point_table(datasets=[datasets["name"].iloc[-1]])
    assert len(added) == accepted
    xmin, ymin, xmax, ymax = SAXONY_BOX
    assert added["x"].between(xmin, xmax).all() and added["y"].between(ymin, ymax).all()
    assert (added["time"] >= pd.Timestamp(EARLIEST)).all()
    assert np.isfinite(added[["x", "y"]].to_numpy()).all()


def test_a_device_or_a_directory_is_refused_without_reading_it(tmp_path, template_store):
    store = tmp_path / "speicher"
    shutil.copytree(template_store, store)
    for target, shown in [(Path("/dev/zero"), "zero"), (tmp_path, tmp_path.name)]:
        run = _run_cli(target, store, tmp_path / "abgelehnt.csv")
        assert run.code == 2
        assert run.stderr == (f"Fehler: {shown}: keine gewöhnliche Datei (ein Verzeichnis, Gerät oder "
                              "eine Pipe).\n")
        assert run.after == run.before
        assert run.rss_mb <= MEMORY_BOUND_MB
