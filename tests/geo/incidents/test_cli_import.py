"""``python -m geo import`` and ``python -m geo demo``: exit codes, JSON, no tracebacks."""

import json
import subprocess
import sys
from pathlib import Path

from geo.__main__ import main
from geo.store import IncidentStore
from tests.geo.incidents.conftest import DATA

ROOT = Path(__file__).resolve().parents[3]


def run(*args, capsys):
    code = main(list(map(str, args)))
    out, err = capsys.readouterr()
    return code, out, err


def test_all_rows_accepted_exit_0_and_json_keys(tmp_path, capsys):
    code, out, _ = run("import", DATA / "gauss_krueger_gk4.csv", "--store", tmp_path, "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out.strip().splitlines()[-1])
    assert {"file", "rows", "accepted", "rejected", "reasons", "categories"} <= set(report)
    assert (report["file"], report["rows"], report["accepted"], report["rejected"]) == (
        "gauss_krueger_gk4.csv",
        5,
        5,
        0,
    )
    assert report["categories"] == {"graffiti": 2, "violence": 1, "drugs": 1, "other": 1}
    assert IncidentStore(tmp_path).datasets()["name"].tolist() == ["gauss_krueger_gk4"]


def test_some_rows_rejected_exit_1_valid_ones_stored_and_rejected_csv(tmp_path, capsys):
    rejected = tmp_path / "abgelehnt.csv"
    code, out, _ = run(
        "import",
        DATA / "maengelmelder_international.csv",
        "--store",
        tmp_path,
        "--rejected",
        rejected,
        capsys=capsys,
    )
    assert code == 1
    assert "abgelehnt: 2" in out
    assert "Datensatz: maengelmelder_international (gespeichert)" in out
    text = rejected.read_bytes().decode("utf-8-sig").splitlines()
    assert text[0] == "zeile;grund;id;created_at;category;lat;lon;status"
    assert len(text) == 3
    assert len(IncidentStore(tmp_path).points()) == 3


def test_strict_and_dry_run_store_nothing(tmp_path, capsys):
    code, _, _ = run(
        "import", DATA / "maengelmelder_international.csv", "--store", tmp_path, "--strict", capsys=capsys
    )
    assert code == 1
    assert IncidentStore(tmp_path).is_empty()
    code, _, _ = run(
        "import", DATA / "gauss_krueger_gk4.csv", "--store", tmp_path, "--dry-run", capsys=capsys
    )
    assert code == 0
    assert IncidentStore(tmp_path).is_empty()


def test_period_and_mapping_options(tmp_path, capsys):
    table = tmp_path / "tabelle.csv"
    table.write_text("AGS;Kategorie;Anzahl\n14612000;Hundekot;3\n", encoding="utf-8")
    mapping = tmp_path / "zuordnung.csv"
    mapping.write_text("Hundekot;littering\n", encoding="utf-8")
    code, out, _ = run(
        "import", table, "--dry-run", "--json", "--period", "2022", "--mapping", mapping, capsys=capsys
    )
    report = json.loads(out)
    assert code == 0
    assert (report["categories"], report["period"]) == ({"littering": 3}, ["2022-01-01", "2022-12-31"])


def test_unusable_file_exit_2_german_message_no_traceback(tmp_path):
    bad = tmp_path / "leer.csv"
    bad.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "geo", "import", str(bad), "--store", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "Fehler: leer.csv: die Datei ist leer."
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "vorfaelle.sqlite").exists()


def test_same_file_twice_exit_2(tmp_path, capsys):
    run("import", DATA / "gauss_krueger_gk4.csv", "--store", tmp_path, capsys=capsys)
    code, _, err = run("import", DATA / "gauss_krueger_gk4.csv", "--store", tmp_path, capsys=capsys)
    assert code == 2
    assert err.startswith("Fehler: gauss_krueger_gk4.csv ist bereits importiert")


def test_demo_writes_the_german_csv(tmp_path, capsys):
    out_file = tmp_path / "demo.csv"
    code, out, _ = run("demo", "--n", "500", "--seed", "3", "--out", out_file, capsys=capsys)
    assert code == 0
    assert "Demodaten (synthetisch)" in out
    lines = out_file.read_bytes().decode("cp1252").splitlines()
    assert len(lines) == 502
    assert lines[0].startswith("Demodaten (synthetisch)")
    assert lines[1] == "Vorgangsnummer;Tatzeit;Delikt;Gemeinde;Rechtswert;Hochwert"
