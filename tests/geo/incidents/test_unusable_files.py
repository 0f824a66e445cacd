"""Files that cannot be read at all: one clear German message, never a traceback, nothing returned.

Properties over arbitrary bytes: ``test_reader_properties.py``; the hostile corpus: ``test_bad_corpus.py``."""

import pytest

from geo.errors import InputFileError
from geo.incidents import read_incidents
from tests.geo.incidents.conftest import DATA


def test_empty_file(tmp_path):
    path = tmp_path / "leer.csv"
    path.write_bytes(b"")
    with pytest.raises(InputFileError, match=r"^leer\.csv: die Datei ist leer\.$"):
        read_incidents(path)


def test_header_only_has_no_data_rows(tmp_path):
    path = tmp_path / "kopf.csv"
    path.write_text("Datum;Kategorie;Breite;Länge\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="keine Datenzeilen"):
        read_incidents(path)


def test_binary_file(tmp_path):
    path = tmp_path / "bild.csv"
    path.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputFileError, match="keine Textdatei"):
        read_incidents(path)


def test_old_excel_format(tmp_path):
    path = tmp_path / "alt.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(InputFileError, match=r"altes Excel-Format \(\.xls\)"):
        read_incidents(path)


def test_truncated_xlsx(tmp_path):
    raw = (DATA / "ordnungsamt_meldungen.xlsx").read_bytes()
    path = tmp_path / "abgeschnitten.xlsx"
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InputFileError, match=r"abgeschnitten\.xlsx: die Excel-Datei"):
        read_incidents(path)


def test_truncated_geopackage(tmp_path):
    path = tmp_path / "kaputt.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x01" * 50)
    with pytest.raises(InputFileError, match=r"kaputt\.gpkg"):
        read_incidents(path)


def test_no_usable_columns_names_what_was_found(tmp_path):
    path = tmp_path / "falsch.csv"
    path.write_text("Datum;Kategorie;Straße\n01.01.2023;Graffiti;Hauptstraße\n", encoding="utf-8")
    with pytest.raises(
        InputFileError, match=r"keine verwendbaren Spalten.*Gelesene Spalten: Datum, Kategorie, Straße"
    ):
        read_incidents(path)


def test_no_header_at_all(tmp_path):
    path = tmp_path / "zahlen.csv"
    path.write_text("1;2;3\n4;5;6\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="keine Kopfzeile mit bekannten Spaltennamen"):
        read_incidents(path)


def test_undecodable_text(tmp_path):
    path = tmp_path / "kodierung.csv"
    # Header readable, body full of C1 control bytes that no plausible text encoding produces.
    path.write_bytes(b"Datum;Kategorie;lat;lon\n" + bytes(range(0x80, 0xA0)) * 40)
    with pytest.raises(InputFileError, match="Zeichenkodierung ist nicht erkennbar"):
        read_incidents(path)


def test_json_that_is_neither_geojson_nor_open311(tmp_path):
    path = tmp_path / "liste.json"
    path.write_text('{"hallo": 1}', encoding="utf-8")
    with pytest.raises(InputFileError, match="weder GeoJSON-FeatureCollection noch Open311"):
        read_incidents(path)


def test_ragged_csv_line(tmp_path):
    path = tmp_path / "zeilen.csv"
    path.write_text("Datum;Kategorie;lat;lon\n01.01.2023;Graffiti;51,05;13,74;zu;viel\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"zeilen\.csv: die CSV-Datei ist nicht lesbar"):
        read_incidents(path)


def test_missing_file():
    with pytest.raises(InputFileError, match=r"gibt_es_nicht\.csv: Datei kann nicht gelesen werden"):
        read_incidents(DATA / "gibt_es_nicht.csv")


@pytest.mark.parametrize("suffix", [".json", ".geojson"])
def test_deeply_nested_json_is_a_clear_message_not_a_recursion_error(tmp_path, suffix):
    path = tmp_path / f"tief{suffix}"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputFileError, match=r"tief.*(verschachtelt|JSON|GeoJSON|lesbar)"):
        read_incidents(path)


def test_a_huge_cell_is_quoted_short_in_every_message(tmp_path):
    huge = "Graffiti" + "x" * 2_000_000
    path = tmp_path / "riesig.csv"
    path.write_text(f"Datum;Delikt;Breite;Länge\n01.02.2024;{huge};50.91;13.34\n"
                    "01.02.2024;Graffiti;50.91;13.34\n", encoding="utf-8")
    report = read_incidents(path).report
    text = report.to_text() + " ".join(report.notes)
    assert report.rejected == 1 and len(text) < 5_000
    assert "xxx…" in text


def test_a_header_of_two_million_columns_is_refused_before_parsing(tmp_path):
    path = tmp_path / "breit.csv"
    header = "Datum;Delikt;Breite;Länge;" + ";".join(f"s{i}" for i in range(2_000_000))
    path.write_text(header + "\n01.02.2024;Graffiti;50.91;13.34\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"breit\.csv: die Kopfzeile \(Zeile 1\) hat 2\.000\.004 "):
        read_incidents(path)
