"""The SQLite incident store: datasets, duplicates, filters, strictness and crash safety."""

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from geo.crs import METRIC_CRS
from geo.errors import InputFileError
from geo.incidents import read_incidents
from geo.incidents.demo import demo_csv
from geo.store import DB_NAME, DuplicateImportError, IncidentStore, UnknownDatasetError, default_directory
from tests.geo.incidents.conftest import DATA, NOW

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def store(tmp_path):
    return IncidentStore(tmp_path / "speicher")


def test_empty_store_reads_empty_without_creating_a_file(store):
    assert store.is_empty()
    assert store.datasets().empty
    assert store.points().empty
    assert list(store.points().columns) == ["category", "time", "ags", "dataset", "geometry"]
    assert store.aggregates().empty
    assert not store.path.exists()


def test_default_directory_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "daten"))
    assert IncidentStore().directory == tmp_path / "daten"
    monkeypatch.delenv("ATLAS_DATA_DIR")
    assert default_directory() == Path("store")


def test_import_points_round_trip(store):
    report = store.import_file(DATA / "polizei_export_cp1252.csv", now=NOW)
    assert (report.dataset, report.stored, report.accepted, report.rejected) == (
        "polizei_export_cp1252",
        True,
        7,
        9,
    )
    listed = store.datasets()
    assert listed[
        ["name", "file_name", "kind", "rows", "accepted", "rejected", "ignored"]
    ].values.tolist() == [["polizei_export_cp1252", "polizei_export_cp1252.csv", "punkte", 16, 7, 9, 0]]
    assert len(listed["sha256"][0]) == 64
    assert not listed["demo"][0]
    assert (listed["period_start"][0], listed["period_end"][0]) == ("2023-05-03", "2023-05-10")
    points = store.points()
    expected = read_incidents(DATA / "polizei_export_cp1252.csv", now=NOW).points
    assert points.crs == METRIC_CRS
    assert points["category"].tolist() == expected["category"].tolist()
    assert points["ags"].tolist() == expected["ags"].tolist()
    assert points["time"].tolist() == expected["time"].tolist()
    assert np.array_equal(points.geometry.x, expected.geometry.x)
    assert set(points["dataset"]) == {"polizei_export_cp1252"}
    assert store.report("polizei_export_cp1252")["reasons"]["duplikat"] == 1


def test_same_file_again_is_detected_even_under_another_name(store, tmp_path):
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    copy = tmp_path / "kopie.csv"
    copy.write_bytes((DATA / "ordnungsamt_utf8_bom.csv").read_bytes())
    with pytest.raises(
        DuplicateImportError, match=r"kopie\.csv ist bereits importiert: Datensatz 'ordnungsamt_utf8_bom'"
    ):
        store.import_file(copy)
    assert len(store.datasets()) == 1


def test_filters_by_category_time_and_dataset(store):
    store.import_file(DATA / "polizei_export_cp1252.csv", now=NOW)
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", name="Ordnungsamt", now=NOW)
    assert len(store.points()) == 12
    assert store.points(categories=["littering"])["dataset"].value_counts().to_dict() == {
        "Ordnungsamt": 4,
        "polizei_export_cp1252": 1,
    }
    may = store.points(start=dt.date(2023, 5, 4), end=dt.date(2023, 5, 7))
    assert [str(t) for t in may["time"]] == [
        "2023-05-04 01:40:00",
        "2023-05-06 14:05:00",
        "2023-05-07 23:50:00",
    ]
    exact = store.points(start=dt.datetime(2023, 5, 4, 1, 41), end=dt.datetime(2023, 5, 7, 23, 50))
    assert len(exact) == 2
    assert len(store.points(datasets=["Ordnungsamt"])) == 5


def test_aggregates_and_period_overlap(store):
    store.import_file(DATA / "fallzahlen_gemeinden.csv", now=NOW)
    store.import_file(DATA / "pks_gemeinden_2022.csv")
    everything = store.aggregates()
    assert len(everything) == 6 + 5
    assert everything["count"].sum() == 3600 + 57 + 760 + 1502 + 1187 + 88 + 97 + 2345
    only_2022 = store.aggregates(start=dt.date(2022, 6, 1), end=dt.date(2022, 6, 30), categories=["graffiti"])
    assert only_2022[["area_key", "count", "dataset"]].values.tolist() == [
        ["14522180", 88, "pks_gemeinden_2022"],
        ["14612000", 1502, "pks_gemeinden_2022"],
        ["14713000", 2345, "pks_gemeinden_2022"],
    ]
    assert only_2022["period_start"].tolist() == [dt.date(2022, 1, 1)] * 3


def test_delete_and_unknown_dataset(store):
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    store.import_file(DATA / "fallzahlen_gemeinden.csv", now=NOW)
    store.delete("ordnungsamt_utf8_bom")
    assert store.datasets()["name"].tolist() == ["fallzahlen_gemeinden"]
    assert store.points().empty
    with pytest.raises(UnknownDatasetError, match=r"Datensatz 'gibt es nicht' gibt es nicht\."):
        store.delete("gibt es nicht")
    # after deleting, the same file may be imported again
    assert store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW).stored


def test_strict_stores_nothing_when_a_row_is_rejected(store):
    report = store.import_file(DATA / "polizei_export_cp1252.csv", strict=True, now=NOW)
    assert (report.stored, report.dataset, report.rejected) == (False, None, 9)
    assert store.is_empty()
    clean = store.import_file(DATA / "ordnungsamt_utf8_bom.csv", strict=True, now=NOW)
    assert clean.stored


def test_unusable_file_stores_nothing(store, tmp_path):
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    bad = tmp_path / "kaputt.csv"
    bad.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputFileError):
        store.import_file(bad)
    assert store.datasets()["name"].tolist() == ["ordnungsamt_utf8_bom"]


def test_names_are_made_unique(store, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    (a / "export.csv").write_bytes((DATA / "ordnungsamt_utf8_bom.csv").read_bytes())
    (b / "export.csv").write_bytes((DATA / "maengelmelder_international.csv").read_bytes())
    assert store.import_file(a / "export.csv", now=NOW).dataset == "export"
    assert store.import_file(b / "export.csv", now=NOW).dataset == "export (2)"


_CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from geo import store as store_module

    original = store_module.IncidentStore._write_points

    def write_then_hang(self, conn, key, dataset, points):
        original(self, conn, key, dataset, points)  # all points are in the open transaction now
        Path(sys.argv[3]).write_text("mitten im Import")
        time.sleep(120)

    store_module.IncidentStore._write_points = write_then_hang
    store_module.IncidentStore(sys.argv[1]).import_file(sys.argv[2])
""")


def test_killing_the_process_mid_import_leaves_the_store_as_it_was(store, tmp_path):
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    before_sets = store.datasets()
    before_points = store.points()
    big = demo_csv(tmp_path / "gross.csv", n=250_000, seed=11)  # three chunks
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(store.directory), str(big), str(marker)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
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
    assert store.datasets().equals(before_sets)
    after = store.points()
    assert after.drop(columns="geometry").equals(before_points.drop(columns="geometry"))
    with sqlite3.connect(store.directory / DB_NAME) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM point_chunks").fetchone() == (1,)
    # and the interrupted file can be imported properly afterwards
    assert store.import_file(big).accepted == 250_000
    assert len(store.points()) == 250_000 + 5


def test_progress_is_reported_in_order_up_to_one(store):
    seen = []
    store.import_file(
        DATA / "ordnungsamt_utf8_bom.csv", now=NOW, progress=lambda f, text: seen.append((f, text))
    )
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions)
    assert seen[-1] == (1.0, "gespeichert")
    assert all(isinstance(text, str) and text for _, text in seen)


def test_imported_demo_csv_stays_marked_as_demo(store, tmp_path):
    report = store.import_file(demo_csv(tmp_path / "demo.csv", n=200, seed=2))
    assert report.demo
    assert store.datasets()["demo"].tolist() == [True]
    assert store.report("demo")["demo"] is True


def test_point_table_is_the_same_data_without_geometry(store):
    store.import_file(DATA / "polizei_export_cp1252.csv", now=NOW)
    table = store.point_table(categories=["graffiti"])
    points = store.points(categories=["graffiti"])
    assert list(table.columns) == ["x", "y", "category", "time", "ags", "dataset"]
    assert table["x"].tolist() == points.geometry.x.tolist() == [411548.9, 459768.2]
    assert table["ags"].tolist() == points["ags"].tolist() == ["14612000", "14625020"]


def test_the_same_file_stored_meanwhile_by_another_process_is_a_clean_duplicate_message(store, monkeypatch):
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    before = store.datasets()
    checks = []
    original = IncidentStore._dataset_with_hash

    def first_check_misses(self, digest, conn=None):  # as if the other import committed just after it
        checks.append(conn)
        return None if conn is None else original(self, digest, conn)

    monkeypatch.setattr(IncidentStore, "_dataset_with_hash", first_check_misses)
    with pytest.raises(DuplicateImportError, match="ist bereits importiert"):
        store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    assert checks[0] is None and checks[1] is not None
    assert store.datasets().equals(before)
