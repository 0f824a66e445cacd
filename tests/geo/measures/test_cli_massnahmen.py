"""``python -m geo massnahmen``: import, liste, export, verlauf; exit codes 0/1/2, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geo.__main__ import main
from geo.boundaries import gemeinde
from geo.measures.files import read_measures
from geo.measures.register import MeasureRegister
from geo.store import IncidentStore
from tests.geo.measures.test_files import HEADER, PRAGUE, csv_file

ROOT = Path(__file__).resolve().parents[3]
GOOD = ("Beleuchtung Obermarkt;Beleuchtung;Graffiti, Vermüllung;Freiberg;01.03.2024;;Stadt Freiberg;"
        "12.500,50;umgesetzt;Präventionsrat, Beschluss 3/2025;LED",
        "Streetwork Wiener Platz;streetwork;violence;Dresden;01.01.2024;31.12.2024;Jugendamt;;beendet;;")
BAD = f"Prag;Sonstiges;drugs;{PRAGUE};01.01.2024;;;;geplant;;"


def run(*args, capsys):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def register_in(path: Path) -> MeasureRegister:
    return MeasureRegister(IncidentStore(path))


def test_import_of_valid_rows_exits_0_and_records_who(tmp_path, capsys):
    path = csv_file(tmp_path / "massnahmen.csv", *GOOD)
    code, out, _ = run("massnahmen", "import", path, "--store", tmp_path / "s", "--wer", "Anna Schmidt",
                       capsys=capsys)
    assert code == 0
    assert out.splitlines() == ["Datei: massnahmen.csv", "Zeilen gelesen: 2", "übernommen: 2", "abgelehnt: 0",
                                "Hinweis: Zeichenkodierung cp1252, Trennzeichen ';', Kopfzeile in Zeile 1",
                                "gespeichert: Maßnahme(n) Nr. 1, 2"]
    register = register_in(tmp_path / "s")
    assert [m.title for m in register.current()] == ["Beleuchtung Obermarkt", "Streetwork Wiener Platz"]
    assert register.history(1)["wer"].tolist() == ["Anna Schmidt"]


def test_who_defaults_to_the_os_user_and_help_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "ordnungsamt7")
    code, _, _ = run("massnahmen", "import", csv_file(tmp_path / "m.csv", GOOD[0]), "--store", tmp_path / "s",
                     capsys=capsys)
    assert code == 0 and register_in(tmp_path / "s").history(1)["wer"].tolist() == ["ordnungsamt7"]
    with pytest.raises(SystemExit):
        main(["massnahmen", "import", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert ("Standard: der Benutzername des Betriebssystems, getpass.getuser(), hier 'ordnungsamt7'"
            in help_text)


def test_rejected_rows_exit_1_the_valid_ones_are_stored_and_the_reasons_written(tmp_path, capsys):
    rejected = tmp_path / "abgelehnt.csv"
    path = csv_file(tmp_path / "m.csv", GOOD[0], BAD)
    code, out, _ = run("massnahmen", "import", path, "--store", tmp_path / "s", "--json", "--rejected",
                       rejected, capsys=capsys)
    assert code == 1
    report = json.loads(out)
    assert (report["rows"], report["accepted"], report["rejected"], report["stored"], report["ids"]) == (
        2, 1, 1, True, [1])
    assert report["reasons"] == ["m.csv, Zeile 3: Spalte 'Ort': die Fläche liegt außerhalb Sachsens."]
    lines = rejected.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == "zeile;grund;" + HEADER and lines[1].startswith("3;m.csv, Zeile 3: Spalte 'Ort'")
    assert len(register_in(tmp_path / "s").current()) == 1


def test_strict_exits_1_and_stores_nothing(tmp_path, capsys):
    code, out, _ = run("massnahmen", "import", csv_file(tmp_path / "m.csv", GOOD[0], BAD), "--strict",
                       "--store", tmp_path / "s", capsys=capsys)
    assert code == 1 and "nichts gespeichert" in out
    assert register_in(tmp_path / "s").current() == []


def test_an_unusable_file_exits_2_with_a_german_message_and_changes_nothing(tmp_path, capsys):
    run("massnahmen", "import", csv_file(tmp_path / "m.csv", GOOD[0]), "--store", tmp_path / "s",
        capsys=capsys)
    for content in (b"", f"{HEADER}\r\n{BAD}\r\n".encode()):
        (tmp_path / "kaputt.csv").write_bytes(content)
        code, out, err = run("massnahmen", "import", tmp_path / "kaputt.csv", "--store", tmp_path / "s",
                             capsys=capsys)
        assert code == 2 and out == "" and err.startswith("Fehler: kaputt.csv: ")
    assert [m.id for m in register_in(tmp_path / "s").current()] == [1]


def test_a_broken_file_never_shows_a_traceback(tmp_path):
    (tmp_path / "m.csv").write_bytes(b"Titel;Art\r\n\xff\xfe\x00\x01")
    done = subprocess.run([sys.executable, "-m", "geo", "massnahmen", "import", str(tmp_path / "m.csv"),
                           "--store", str(tmp_path / "s")], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("Fehler: m.csv: ") and "Traceback" not in done.stderr


def test_liste_shows_the_current_measures_as_text_or_json(tmp_path, capsys):
    run("massnahmen", "import", csv_file(tmp_path / "m.csv", *GOOD), "--store", tmp_path / "s", capsys=capsys)
    code, out, _ = run("massnahmen", "liste", "--store", tmp_path / "s", capsys=capsys)
    assert code == 0
    assert out.splitlines() == [
        "Nr. 1: Beleuchtung Obermarkt [Beleuchtung; Graffiti, Vermüllung] · umgesetzt · 01.03.2024 – "
        "laufend · Freiberg (14522180) · 12.500,50 €",
        "Nr. 2: Streetwork Wiener Platz [Streetwork/Soziale Arbeit; Gewalt im öffentlichen Raum] · beendet · "
        "01.01.2024 – 31.12.2024 · Dresden (14612000)"]
    code, out, _ = run("massnahmen", "liste", "--store", tmp_path / "s", "--gemeinde", "Dresden", "--json",
                       capsys=capsys)
    records = json.loads(out)
    assert code == 0 and len(records) == 1
    assert records[0] | {"flaeche_m2": None} == {
        "nr": 2, "titel": "Streetwork Wiener Platz", "art": "streetwork", "kategorien": ["violence"],
        "ortsart": "gemeinde", "gemeinde": "14612000", "flaeche_m2": None, "beginn": "2024-01-01",
        "ende": "2024-12-31", "zustaendig": "Jugendamt", "kosten_eur": None, "status": "beendet",
        "beschluss": "", "notizen": ""}
    assert records[0]["flaeche_m2"] == pytest.approx(gemeinde("14612000").geometry.area, rel=1e-6)
    code, _, err = run("massnahmen", "liste", "--store", tmp_path / "s", "--gemeinde", "Atlantis",
                       capsys=capsys)
    assert code == 2 and "'Atlantis' ist weder Gemeindeschlüssel noch Name" in err


def test_export_writes_a_file_that_imports_again(tmp_path, capsys):
    run("massnahmen", "import", csv_file(tmp_path / "m.csv", *GOOD), "--store", tmp_path / "s", capsys=capsys)
    for name in ("register.csv", "register.geojson"):
        code, out, _ = run("massnahmen", "export", "--out", tmp_path / name, "--store", tmp_path / "s",
                           capsys=capsys)
        assert code == 0 and out.strip() == f"2 Maßnahme(n) nach {tmp_path / name} geschrieben"
        again = read_measures(tmp_path / name)
        stored = register_in(tmp_path / "s").current()
        assert [m.values() for m in again.measures] == [m.values() for m in stored]
    code, _, err = run("massnahmen", "export", "--out", tmp_path / "register.xlsx", "--store", tmp_path / "s",
                       capsys=capsys)
    assert code == 2 and "als .csv oder .geojson" in err and not (tmp_path / "register.xlsx").exists()


def test_verlauf_shows_every_version_and_an_unknown_number_exits_2(tmp_path, capsys):
    run("massnahmen", "import", csv_file(tmp_path / "m.csv", *GOOD), "--store", tmp_path / "s", "--wer",
        "anna", capsys=capsys)
    register = register_in(tmp_path / "s")
    register.update(1, "ben", status="beendet", end=register.get(1).start.replace(year=2025))
    register.remove(1, "carl")
    code, out, _ = run("massnahmen", "verlauf", "1", "--store", tmp_path / "s", capsys=capsys)
    assert code == 0
    lines = out.splitlines()
    assert [line.split(" · ", 1)[0] for line in lines] == ["Version 1", "Version 2", "Version 3"]
    assert lines[0].endswith(" UTC · anna · angelegt")
    assert lines[1].endswith(" UTC · ben · geändert: Ende: – → 01.03.2025; Status: umgesetzt → beendet")
    assert lines[2].endswith(" UTC · carl · gelöscht")
    code, out, _ = run("massnahmen", "verlauf", "1", "--json", "--store", tmp_path / "s", capsys=capsys)
    assert [r["aktion"] for r in json.loads(out)] == ["angelegt", "geändert", "gelöscht"]
    code, _, err = run("massnahmen", "verlauf", "9", "--store", tmp_path / "s", capsys=capsys)
    assert code == 2 and err.strip() == "Fehler: Maßnahme 9 gibt es nicht."
