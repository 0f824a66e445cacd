"""``python -m geo osm FILE.osm.pbf``: the summary, and unusable files (exit 2, old data untouched)."""

import pytest

import geo.osm
from geo.cli import main
from tests.geo.osm.scene import freiberg


@pytest.fixture
def store(tmp_path):
    """A data directory with the Freiberg scene imported."""
    pbf = freiberg().write(tmp_path / "freiberg.osm.pbf")
    assert main(["osm", str(pbf), "--store", str(tmp_path / "store")]) == 0
    return tmp_path / "store"


def test_import_prints_counts_per_class_date_and_time(tmp_path, capsys):
    pbf = freiberg().write(tmp_path / "sachsen-latest.osm.pbf")
    assert main(["osm", str(pbf), "--store", str(tmp_path / "store")]) == 0
    out = capsys.readouterr().out
    assert "OSM-Daten aus sachsen-latest.osm.pbf, Stand 01.10.2026" in out
    assert "Straßen und Wege: 8" in out and "Plätze und Fußgängerzonen: 2" in out and "Orte: 9" in out
    assert "  Schule                        2" in out
    assert " s: " in out and "osm.gpkg" in out
    assert "© OpenStreetMap-Mitwirkende (ODbL)" in out
    assert geo.osm.info(tmp_path / "store")["source"] == "sachsen-latest.osm.pbf"


def test_store_defaults_to_atlas_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "daten"))
    assert main(["osm", str(freiberg().write(tmp_path / "f.osm.pbf"))]) == 0
    assert (tmp_path / "daten" / "osm" / "osm.gpkg").is_file()


@pytest.mark.parametrize("damage", ["truncated", "text", "empty"])
def test_an_unreadable_pbf_gives_a_german_error_and_keeps_the_old_data(store, tmp_path, capsys, damage):
    gpkg = store / "osm" / "osm.gpkg"
    before = gpkg.read_bytes()
    bad = tmp_path / "kaputt.osm.pbf"
    if damage == "truncated":
        whole = freiberg().write(tmp_path / "ganz.osm.pbf").read_bytes()
        bad.write_bytes(whole[: len(whole) // 2])
    elif damage == "text":
        bad.write_text("Das ist keine PBF-Datei.\n" * 50, encoding="utf-8")
    else:
        bad.write_bytes(b"")
    capsys.readouterr()
    assert main(["osm", str(bad), "--store", str(store)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("Fehler: kaputt.osm.pbf ist keine lesbare OSM-PBF-Datei (")
    assert "Traceback" not in captured.err and captured.out == ""
    assert gpkg.read_bytes() == before
    assert sorted(p.name for p in (store / "osm").iterdir()) == ["osm.gpkg"]


def test_a_text_file_with_another_name_is_read_as_pbf_and_refused(store, tmp_path, capsys):
    bad = tmp_path / "notizen.txt"
    bad.write_text("hallo\n", encoding="utf-8")
    assert main(["osm", str(bad), "--store", str(store)]) == 2
    assert "notizen.txt ist keine lesbare OSM-PBF-Datei" in capsys.readouterr().err


def test_a_missing_file_is_named(tmp_path, capsys):
    assert main(["osm", str(tmp_path / "fehlt.osm.pbf"), "--store", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("Fehler: fehlt.osm.pbf: Datei nicht gefunden")
    assert not (tmp_path / "osm").exists()
