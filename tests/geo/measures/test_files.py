"""The register as CSV and GeoJSON: German spreadsheet quirks, row-level reasons, one transaction,
a killed import, the exact round trip and the pinned export columns."""

import datetime as dt
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from geo.analysis import analyse
from geo.errors import InputFileError
from geo.incidents.demo import demo_points
from geo.measures.files import (
    MEASURE_COLUMNS,
    import_measures,
    measures_csv,
    measures_geojson,
    read_measures,
)
from geo.measures.model import Measure
from geo.measures.places import drawn_place, gemeinde_place, geojson_place, hotspot_areas, hotspot_place
from geo.measures.register import MeasureRegister
from geo.store import IncidentStore
from geo.view import View
from tests.geo.measures.test_places import BLOCK, polygon_feature
from tests.geo.measures.test_register import OBERMARKT, Clock

ROOT = Path(__file__).resolve().parents[3]
PRAGUE = "POLYGON ((14.42 50.08, 14.43 50.08, 14.43 50.09, 14.42 50.08))"
HEADER = "Titel;Art;Kategorien;Ort;Beginn;Ende;Zuständig;Kosten;Status;Beschluss;Notizen"


@pytest.fixture
def register(tmp_path):
    return MeasureRegister(IncidentStore(tmp_path / "store"), clock=Clock())


def versions(register) -> int:
    if not register.store.path.exists():
        return 0
    with sqlite3.connect(register.store.path) as conn:
        return conn.execute("SELECT count(*) FROM measure_versions").fetchone()[0]


def csv_file(path: Path, *rows: str, encoding: str = "cp1252", header: str = HEADER) -> Path:
    path.write_bytes(("\r\n".join([header, *rows]) + "\r\n").encode(encoding))
    return path


# --- reading German and international files ----------------------------------------------------
def test_a_german_spreadsheet_csv_reads_every_field(tmp_path):
    path = csv_file(
        tmp_path / "massnahmen.csv",
        "Beleuchtung Obermarkt;Beleuchtung;Graffiti, Vermüllung;Freiberg;01.03.2024;;Stadt Freiberg;"
        "12.500,50 €;umgesetzt;Präventionsrat, Beschluss 3/2025;LED statt Natriumdampf",
        f"Legale Wand Bahnhof;graffiti;graffiti;{OBERMARKT};2024-05-01;30.9.2024;Jugendring;3000;"
        'BEENDET;;"Mauer; 40 m"',
    )
    report = read_measures(path)
    assert (report.rows, report.accepted, report.rejected) == (2, 2, 0)
    assert report.notes == ["Zeichenkodierung cp1252, Trennzeichen ';', Kopfzeile in Zeile 1"]
    first, second = report.measures
    assert (first.title, first.kind, first.categories, first.place_kind, first.ags) == (
        "Beleuchtung Obermarkt", "beleuchtung", ("graffiti", "littering"), "gemeinde", "14522180")
    assert (first.start, first.end, first.cost_eur, first.status) == (
        dt.date(2024, 3, 1), None, 12500.5, "umgesetzt")
    assert (first.responsible, first.decision) == ("Stadt Freiberg", "Präventionsrat, Beschluss 3/2025")
    assert first.place.wkb == gemeinde_place("14522180").geometry.wkb
    assert (second.kind, second.place_kind, second.ags, second.status) == (
        "graffiti", "datei", "14522180", "beendet")
    assert (second.start, second.end, second.cost_eur, second.notes) == (
        dt.date(2024, 5, 1), dt.date(2024, 9, 30), 3000.0, "Mauer; 40 m")


def test_an_international_csv_with_commas_and_iso_dates_reads_the_same(tmp_path):
    path = csv_file(tmp_path / "measures.csv",
                    'Beleuchtung Obermarkt,beleuchtung,"graffiti, littering",14522180,2024-03-01,,'
                    'Stadt Freiberg,12500.5,umgesetzt,"Präventionsrat, Beschluss 3/2025",'
                    'LED statt Natriumdampf,Frau Meier',
                    encoding="utf-8", header=HEADER.replace(";", ",") + ",Bearbeiterin")
    german = csv_file(tmp_path / "de.csv",
                      "Beleuchtung Obermarkt;Beleuchtung;Graffiti, Vermüllung;Freiberg;01.03.2024;;"
                      "Stadt Freiberg;12.500,50;umgesetzt;Präventionsrat, Beschluss 3/2025;"
                      "LED statt Natriumdampf")
    international = read_measures(path)
    assert international.measures == read_measures(german).measures
    assert international.notes == ["Zeichenkodierung utf-8, Trennzeichen ',', Kopfzeile in Zeile 1",
                                   "Spalte(n) 'Bearbeiterin' nicht verwendet."]


def test_every_rejected_row_gets_one_reason_naming_file_row_and_column(tmp_path):
    path = csv_file(
        tmp_path / "liste.csv",
        "Gut;Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;",
        "Kaputt;Laterne;graffiti;Freiberg;31.02.2024;;;zwölf;geplant;;",
        f"Prag;Sonstiges;drugs;{PRAGUE};01.01.2024;;;;geplant;;",
        'Zeitreise;Sonstiges;drugs;Freiberg;01.03.2024;01.01.2023;;;geplant;;"zwei\nZeilen"',
        "Ohne Ende;Sonstiges;Drogen, Kunst;Dresden;01.03.2024;;;-5;beendet;;",
        ";Videoschutz;violence;Nirgendwo;;;;;;;",
        "Zu viel;Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;;extra",
        "Gut;Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;",
    )
    report = read_measures(path)
    assert (report.rows, report.accepted, report.rejected) == (8, 1, 7)
    assert report.rejected_rows["zeile"].tolist() == [3, 4, 5, 7, 8, 9, 10]
    kinds = ("Beleuchtung, Sauberkeit/Abfallbehälter, Graffiti-Entfernung/legale Fläche, Streetwork/Soziale "
             "Arbeit, Polizei-/Ordnungsamtspräsenz, bauliche Gestaltung, Videoschutz, Sonstiges")
    categories = "Graffiti, Vermüllung, Gewalt im öffentlichen Raum, Extremismus, Drogen, Sonstiges"
    assert report.rejected_rows["grund"].tolist() == [
        f"liste.csv, Zeile 3: Spalte 'Art': 'Laterne' ist keine Art; möglich: {kinds}; Spalte 'Beginn': "
        "'31.02.2024' ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT); Spalte 'Kosten': 'zwölf' ist kein "
        "Betrag in Euro (z. B. 12.500,00).",
        "liste.csv, Zeile 4: Spalte 'Ort': die Fläche liegt außerhalb Sachsens.",
        "liste.csv, Zeile 5: Spalte 'Ende': 01.01.2023 liegt vor dem Beginn (01.03.2024).",
        f"liste.csv, Zeile 7: Spalte 'Kategorien': unbekannt: 'Kunst'; möglich: {categories}; "
        "Spalte 'Kosten': '-5' ist kein Betrag in Euro (nicht negativ).",
        "liste.csv, Zeile 8: Spalte 'Titel': fehlt; Spalte 'Ort': 'Nirgendwo' ist weder Gemeindeschlüssel "
        "noch Name einer sächsischen Gemeinde; Spalte 'Beginn': fehlt; Spalte 'Status': fehlt.",
        "liste.csv, Zeile 9: 12 Felder, die Kopfzeile hat 11 – Trennzeichen im Text?",
        "liste.csv, Zeile 10: doppelt – gleiche Maßnahme wie Zeile 2.",
    ]
    assert report.rejected_rows["Art"].tolist()[:2] == ["Laterne", "Sonstiges"]  # the row's cells, as read
    assert report.rejected_csv().decode("utf-8-sig").splitlines()[0] == (
        "zeile;grund;Titel;Art;Kategorien;Ort;Beginn;Ende;Zuständig;Kosten;Status;Beschluss;Notizen")


def test_a_beendet_measure_needs_its_end(tmp_path):
    path = csv_file(tmp_path / "x.csv", "Ohne Ende;Sonstiges;drugs;Dresden;01.03.2024;;;;beendet;;")
    with pytest.raises(InputFileError, match=r"x\.csv, Zeile 2: Spalte 'Ende': fehlt: eine beendete "):
        import_measures(MeasureRegister(IncidentStore(tmp_path / "s")), path, who="anna")


def test_geojson_features_are_rows_with_their_geometry_as_place(tmp_path, register):
    props = {"Titel": "Wand", "Art": "graffiti", "Kategorien": ["graffiti"], "Beginn": "2024-05-01",
             "Status": "geplant", "Kosten": 1.234}
    collection = {"type": "FeatureCollection", "features": [
        {**polygon_feature(BLOCK), "properties": props},
        {"type": "Feature", "properties": {**props, "Titel": "Punkt"},
         "geometry": {"type": "Point", "coordinates": [13.34, 50.91]}},
        {"type": "Feature", "properties": {**props, "Titel": "Ganz Dresden", "Ort": "Dresden"},
         "geometry": None},
        {"type": "Feature", "properties": {**props, "Titel": "Ohne Ort"}, "geometry": None},
    ]}
    path = tmp_path / "orte.geojson"
    path.write_text(json.dumps(collection), encoding="utf-8")
    report = import_measures(register, path, who="anna")
    assert [m.title for m in register.current()] == ["Wand", "Ganz Dresden"]
    wall, dresden = register.current()
    assert (wall.place_kind, wall.ags, wall.cost_eur) == ("datei", "14522180", 1.234)
    assert wall.place.wkb == geojson_place(polygon_feature(BLOCK)).geometry.wkb
    assert (dresden.place_kind, dresden.ags) == ("gemeinde", "14612000")
    assert report.rejected_rows["grund"].tolist() == [
        "orte.geojson, Objekt 2: Geometrie: ein Punkt ist kein Maßnahmenort; erwartet wird eine Fläche "
        "(Polygon oder MultiPolygon).",
        "orte.geojson, Objekt 4: Spalte 'Ort': fehlt (Gemeindeschlüssel, Gemeindename oder WKT in WGS84).",
    ]


# --- what gets stored: all valid rows in one transaction, or nothing -------------------------------
def test_strict_stores_nothing_when_a_row_is_rejected(tmp_path, register):
    path = csv_file(tmp_path / "x.csv", "Gut;Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;",
                    "Schlecht;Sonstiges;drugs;Freiberg;01.13.2024;;;;geplant;;")
    report = import_measures(register, path, who="anna", strict=True)
    assert (report.accepted, report.rejected, report.stored) == (1, 1, False)
    assert "--strict: wegen abgelehnter Zeilen nichts gespeichert." in report.notes
    assert register.current() == [] and versions(register) == 0
    report = import_measures(register, path, who="anna")
    assert report.stored and [m.title for m in register.current()] == ["Gut"]
    assert report.to_dict()["ids"] == [1]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "x.csv: die Datei ist leer."),
    (b"Name;Wert\r\na;b\r\n", "x.csv: keine Kopfzeile des Maßnahmenregisters gefunden"),
    (b"Titel;Art;Ort\r\na;b;c\r\n", "x.csv: Spalte(n) Kategorien, Beginn, Status fehlen"),
    (f"{HEADER}\r\n".encode(), "x.csv: die Datei enthält keine Maßnahme, nur die Kopfzeile."),
    (b'{"type": "FeatureCollection", "features": [', "x.csv: kein gültiges GeoJSON"),
    (b'{"type": "Polygon", "coordinates": []}', "x.csv: keine GeoJSON-FeatureCollection."),
    (f"{HEADER}\r\n;;;;;;;;;;x\r\n".encode(),
     "x.csv: keine gültige Zeile – nichts gespeichert. x.csv, Zeile 2: Spalte 'Titel': fehlt;"),
    (b"PK\x03\x04rest", "das Maßnahmenregister wird als CSV oder GeoJSON importiert"),
])
def test_a_file_without_a_usable_row_is_an_input_error_and_stores_nothing(tmp_path, register, content,
                                                                          message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=re.escape(message)):
        import_measures(register, path, who="anna")
    assert versions(register) == 0


def test_a_failed_import_leaves_the_register_as_before(tmp_path, register, monkeypatch):
    register.add(read_measures(csv_file(tmp_path / "a.csv", "Alt;Sonstiges;drugs;Freiberg;01.01.2024;;;;"
                                                            "geplant;;")).measures[0], "anna")
    rows = [f"Neu {i};Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;" for i in range(5)]
    original, calls = MeasureRegister._insert, []

    def fail_on_the_third(self, conn, measure, who):
        calls.append(measure)
        if len(calls) == 3:
            raise RuntimeError("Stromausfall")
        return original(self, conn, measure, who)

    monkeypatch.setattr(MeasureRegister, "_insert", fail_on_the_third)
    with pytest.raises(RuntimeError, match="Stromausfall"):
        import_measures(register, csv_file(tmp_path / "b.csv", *rows), who="anna")
    assert [m.title for m in register.current()] == ["Alt"] and versions(register) == 1


_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from geo.measures import files, register as register_module
    from geo.store import IncidentStore

    original = register_module.MeasureRegister._insert
    done = []

    def insert_then_hang(self, conn, measure, who):
        stored = original(self, conn, measure, who)
        done.append(stored)
        if len(done) == 3:  # three measures are in the open transaction now
            Path(sys.argv[3]).write_text("mitten im Import")
            time.sleep(120)
        return stored

    register_module.MeasureRegister._insert = insert_then_hang
    register = register_module.MeasureRegister(IncidentStore(sys.argv[1]))
    files.import_measures(register, sys.argv[2], who="kind")
""")


def test_killing_the_process_mid_import_leaves_the_register_as_it_was(tmp_path):
    register = MeasureRegister(IncidentStore(tmp_path / "store"))
    old = csv_file(tmp_path / "a.csv", "Alt;Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;")
    import_measures(register, old, who="anna")
    before = register.current()
    big = csv_file(tmp_path / "b.csv", *(f"Neu {i};Sonstiges;drugs;Freiberg;01.01.2024;;;;geplant;;"
                                         for i in range(6)))
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(register.store.directory), str(big),
                              str(marker)], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"child ended or hung before the marker (returncode {child.returncode})")
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    assert register.current() == before and versions(register) == 1
    with sqlite3.connect(register.store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM measures").fetchone() == (1,)
    assert import_measures(register, big, who="anna").accepted == 6  # and the file imports afterwards


# --- export and the exact round trip -------------------------------------------------------
@pytest.fixture(scope="module")
def hotspot():
    return hotspot_place(hotspot_areas(analyse(demo_points(), View(area="14522180", method="gi"))), 1)


def every_kind_of_measure(hotspot) -> list[Measure]:
    town, drawn = gemeinde_place("Freiberg"), drawn_place(polygon_feature(BLOCK))
    beside = [[x + 0.01, y - 0.004] for x, y in BLOCK]
    upload = geojson_place({"type": "FeatureCollection", "features": [
        polygon_feature(BLOCK), polygon_feature(beside)]}, name="wand.geojson")
    return [
        Measure(None, "=SUMME(A1:A9) Streetwork", "streetwork", ("violence", "drugs"), town.geometry,
                town.kind, town.ags, dt.date(2024, 1, 1), None, "Jugendamt", None, "umgesetzt", "",
                "-- vorläufig"),
        Measure(None, "Beleuchtung Obermarkt", "beleuchtung", ("graffiti", "littering"), drawn.geometry,
                drawn.kind, drawn.ags, dt.date(2024, 3, 1), dt.date(2025, 2, 28), "Stadt Freiberg; Bauhof",
                12500.5, "beendet", "Präventionsrat, Beschluss 3/2025", 'sagt "hell genug"'),
        Measure(None, "@Präsenz Hotspot", "praesenz", ("violence",), hotspot.geometry, hotspot.kind,
                hotspot.ags, dt.date(2024, 6, 1), None, "Polizeirevier Freiberg", 0.1, "geplant", "", ""),
        Measure(None, "Legale Flächen", "graffiti", ("graffiti",), upload.geometry, upload.kind, upload.ags,
                dt.date(2023, 9, 15), dt.date(2024, 9, 14), "", 987654.32, "beendet", "", "+ zwei Wände"),
    ]


def test_csv_export_imports_again_to_the_very_same_measures(tmp_path, register, hotspot):
    stored = register.add_many(every_kind_of_measure(hotspot), "anna")
    again = MeasureRegister(IncidentStore(tmp_path / "zweiter"))
    report = import_measures(again, measures_csv(stored), who="ben", name="register.csv")
    assert (report.accepted, report.rejected) == (4, 0)
    copied = again.current()
    assert [m.values() for m in copied] == [m.values() for m in stored]
    assert [m.place.wkb for m in copied] == [m.place.wkb for m in stored]  # every coordinate, bit for bit
    assert measures_csv(copied) == measures_csv(stored)


def test_geojson_export_imports_again_to_the_very_same_measures_line_breaks_included(tmp_path, register,
                                                                                     hotspot):
    measures = every_kind_of_measure(hotspot)
    measures[1] = Measure(**{**measures[1].__dict__, "notes": "erste Zeile\nzweite Zeile"})
    stored = register.add_many(measures, "anna")
    again = MeasureRegister(IncidentStore(tmp_path / "zweiter"))
    report = import_measures(again, measures_geojson(stored), who="ben", name="register.geojson")
    assert (report.accepted, report.rejected) == (4, 0)
    assert [m.values() for m in again.current()] == [m.values() for m in stored]
    assert [m.place.wkb for m in again.current()] == [m.place.wkb for m in stored]


def test_importing_an_export_into_the_same_register_adds_nothing(register, hotspot):
    stored = register.add_many(every_kind_of_measure(hotspot)[:2], "anna")
    message = "register.csv, Zeile 2: Maßnahme '=SUMME(A1:A9) Streetwork' steht schon im Register (Nr. 1)."
    with pytest.raises(InputFileError, match=re.escape(message)):
        import_measures(register, measures_csv(stored), who="anna", name="register.csv")
    assert versions(register) == 2


def test_export_columns_and_cells_are_the_documented_contract(register, hotspot):
    """README, "Maßnahmenregister": the columns, their order and how each cell is written."""
    stored = register.add_many(every_kind_of_measure(hotspot), "anna")
    assert MEASURE_COLUMNS == ("Nr", "Titel", "Art", "Kategorien", "Ort", "Ortsart", "Gemeinde", "Beginn",
                               "Ende", "Zuständig", "Kosten", "Status", "Beschluss", "Notizen")
    raw = measures_csv(stored)
    assert raw.startswith("\ufeff".encode())
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ";".join(MEASURE_COLUMNS)
    assert lines[1] == ("1;'=SUMME(A1:A9) Streetwork;Streetwork/Soziale Arbeit;Gewalt im öffentlichen Raum, "
                        "Drogen;14522180;gemeinde;14522180;01.01.2024;;Jugendamt;;umgesetzt;;'-- vorläufig")
    second = lines[2].split(";")
    assert second[:4] == ["2", "Beleuchtung Obermarkt", "Beleuchtung", "Graffiti, Vermüllung"]
    assert second[4].startswith("POLYGON ((13.3") and second[5:8] == ["zeichnung", "14522180", "01.03.2024"]
    assert lines[2].endswith(';28.02.2025;"Stadt Freiberg; Bauhof";12500,5;beendet;'
                             'Präventionsrat, Beschluss 3/2025;"sagt ""hell genug"""')
    assert lines[3].startswith("3;'@Präsenz Hotspot;Polizei-/Ordnungsamtspräsenz;Gewalt im öffentlichen Raum;"
                               "POLYGON ((13.3")
    assert lines[4].split(";")[4].startswith("MULTIPOLYGON")
    assert lines[4].endswith(";987654,32;beendet;;'+ zwei Wände")

    collection = json.loads(measures_geojson(stored))
    assert collection["crs"]["properties"]["name"] == "urn:ogc:def:crs:OGC:1.3:CRS84"
    assert collection["metadaten"] == {"inhalt": "Maßnahmenregister", "massnahmen": "4"}
    first, second_feature = collection["features"][:2]
    assert list(first["properties"]) == list(MEASURE_COLUMNS)
    assert first["properties"] | {"Titel": None} == {
        "Nr": 1, "Titel": None, "Art": "Streetwork/Soziale Arbeit",
        "Kategorien": "Gewalt im öffentlichen Raum, Drogen", "Ort": "14522180", "Ortsart": "gemeinde",
        "Gemeinde": "14522180", "Beginn": "2024-01-01", "Ende": None, "Zuständig": "Jugendamt",
        "Kosten": None, "Status": "umgesetzt", "Beschluss": "", "Notizen": "-- vorläufig"}
    assert first["properties"]["Titel"] == "=SUMME(A1:A9) Streetwork"  # GeoJSON is for machines: as stored
    assert (second_feature["properties"]["Ort"], second_feature["properties"]["Kosten"]) == (None, 12500.5)
    assert second_feature["geometry"]["type"] == "Polygon"
    lon, lat = second_feature["geometry"]["coordinates"][0][0]
    assert 13.339 < lon < 13.346 and 50.914 < lat < 50.919  # WGS84, longitude first
