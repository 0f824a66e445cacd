"""One suite on both stores (``backend``: the embedded SQLite file and PostGIS on a real server):
datasets, re-import detection, transactional import, delete, counts, roles and the audit log.

Expectations come from the file as :func:`geo.incidents.read_incidents` reads it, counted with
pandas and numpy here, never from the store under test."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.boundaries import current_ags
from geo.incidents import read_incidents
from geo.incidents.demo import demo_csv
from geo.store import AccessDeniedError, DuplicateImportError, Principal, UnknownDatasetError
from tests.geo.incidents.conftest import DATA, NOW
from tests.postgis import MANDANT

RAT = Principal("rat@freiberg.test", "rat", MANDANT)


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    return demo_csv(tmp_path_factory.mktemp("demo") / "meldungen.csv", n=4_000, seed=7)


def expected_points(path) -> pd.DataFrame:
    points = read_incidents(path).points
    return pd.DataFrame({"x": points.geometry.x, "y": points.geometry.y, "category": points["category"],
                         "time": points["time"].astype("datetime64[s]"),
                         "ags": current_ags(points["ags"].astype(str))})


def test_an_import_reads_back_exactly_on_both_stores(backend, demo_file):
    store = backend.make()
    report = store.import_file(demo_file, name="Meldungen")
    assert report.stored and report.dataset == "Meldungen"
    table = store.point_table().drop(columns="dataset")
    expected = expected_points(demo_file)
    key = ["time", "x", "y", "category"]
    got = table.sort_values(key).reset_index(drop=True)
    want = expected.sort_values(key).reset_index(drop=True)
    assert len(got) == report.accepted == len(want) > 3_000
    assert np.array_equal(got["x"].to_numpy(), want["x"].to_numpy())  # bit for bit, no rounding
    assert np.array_equal(got["y"].to_numpy(), want["y"].to_numpy())
    assert (got["time"].to_numpy() == want["time"].to_numpy()).all()
    assert got["category"].tolist() == want["category"].tolist()
    assert got["ags"].tolist() == want["ags"].tolist()
    listed = store.datasets()
    assert listed[["name", "kind", "accepted", "demo"]].values.tolist() == [["Meldungen", "punkte",
                                                                             report.accepted, True]]
    assert store.report("Meldungen")["accepted"] == report.accepted


def test_filters_give_the_same_points_as_counting_the_file(backend, demo_file):
    store = backend.make()
    store.import_file(demo_file)
    want = expected_points(demo_file)
    chosen = store.point_table(categories=["graffiti"], start=dt.date(2024, 3, 1), end=dt.date(2024, 6, 30))
    mask = ((want["category"] == "graffiti") & (want["time"] >= pd.Timestamp("2024-03-01"))
            & (want["time"] <= pd.Timestamp("2024-06-30 23:59:59")))
    assert len(chosen) == int(mask.sum()) > 0
    assert store.point_table(datasets=["gibt es nicht"]).empty


def test_the_same_file_twice_is_refused_and_a_second_name_is_made_unique(backend):
    store = backend.make()
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    with pytest.raises(DuplicateImportError, match="bereits importiert: Datensatz 'ordnungsamt_utf8_bom'"):
        store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    store.import_file(DATA / "polizei_export_cp1252.csv", name="ordnungsamt_utf8_bom", now=NOW)
    assert store.datasets()["name"].tolist() == ["ordnungsamt_utf8_bom", "ordnungsamt_utf8_bom (2)"]


def test_the_same_file_imported_twice_at_once_is_stored_once(backend, demo_file):
    from concurrent.futures import ThreadPoolExecutor

    def attempt(_):
        try:
            return backend.make().import_file(demo_file).dataset
        except DuplicateImportError as err:
            return str(err)

    with ThreadPoolExecutor(2) as pool:
        results = sorted(pool.map(attempt, range(2)))
    assert results[0] == "meldungen" and "ist bereits importiert" in results[1]
    assert backend.make().datasets()["name"].tolist() == ["meldungen"]


def test_an_import_that_fails_while_writing_leaves_nothing(backend, demo_file, monkeypatch):
    store = backend.make()
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    original = type(store)._write_points

    def write_then_fail(self, conn, key, name, points):
        original(self, conn, key, name, points)  # every point is written, then the disk "fails"
        raise OSError("Platte voll")

    monkeypatch.setattr(type(store), "_write_points", write_then_fail)
    with pytest.raises(OSError, match="Platte voll"):
        store.import_file(demo_file)
    assert store.datasets()["name"].tolist() == ["ordnungsamt_utf8_bom"]
    assert len(store.point_table()) == 5
    assert store.audit_log()["aktion"].tolist() == ["import"]  # the failed import left no log line either


def test_aggregates_and_delete(backend):
    store = backend.make()
    store.import_file(DATA / "fallzahlen_gemeinden.csv")
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    table = store.aggregates()
    source = read_incidents(DATA / "fallzahlen_gemeinden.csv").aggregates
    assert len(table) == len(source) > 3 and set(table["dataset"]) == {"fallzahlen_gemeinden"}
    columns = list(table.columns[:-1])
    assert table.drop(columns="dataset").to_dict("records") == source[columns].to_dict("records")
    in_2023 = ((source["period_start"] <= dt.date(2023, 12, 31))
               & (source["period_end"] >= dt.date(2023, 1, 1)))
    assert len(store.aggregates(start=dt.date(2023, 1, 1), end=dt.date(2023, 12, 31))) == in_2023.sum()
    store.delete("fallzahlen_gemeinden")
    assert store.aggregates().empty and store.datasets()["name"].tolist() == ["ordnungsamt_utf8_bom"]
    with pytest.raises(UnknownDatasetError, match="'fallzahlen_gemeinden' gibt es nicht"):
        store.delete("fallzahlen_gemeinden")


def test_counts_per_gemeinde_and_grid_cell_match_the_file(backend, demo_file):
    store = backend.make()
    store.import_file(demo_file)
    want = expected_points(demo_file)
    year = want[(want["time"] >= pd.Timestamp("2024-01-01"))
                & (want["time"] <= pd.Timestamp("2024-12-31 23:59:59"))]
    counted = store.gemeinde_counts(categories=["littering"], start=dt.date(2024, 1, 1),
                                    end=dt.date(2024, 12, 31))
    expected = year[year["category"] == "littering"].groupby("ags").size()
    assert dict(zip(counted["ags"], counted["count"], strict=True)) == expected.to_dict()
    assert set(counted["category"]) == {"littering"}
    monthly = store.gemeinde_counts(by_month=True)
    assert monthly["count"].sum() == len(want)
    first = want["time"].min()
    assert monthly["month"].min() == dt.date(first.year, first.month, 1)
    for area in ("14522", "14612000"):  # Mittelsachsen (Gemeinden merged since 2016), Dresden (none)
        grid = store.grid_counts(cell=250, area=area)
        inside = want[want["ags"].str.startswith(area)]
        cells = pd.DataFrame({"col": np.floor(inside["x"] / 250).astype(int),
                              "row": np.floor(inside["y"] / 250).astype(int)}).value_counts()
        cell_keys = zip(grid["col"], grid["row"], strict=True)
        assert dict(zip(cell_keys, grid["count"], strict=True)) == cells.to_dict()
        assert grid["count"].sum() == len(inside) > 0


def test_a_council_member_may_count_but_not_see_points_or_change_anything(backend, demo_file):
    backend.make().import_file(demo_file, name="Meldungen")
    rat = backend.make(RAT)
    assert rat.datasets()["name"].tolist() == ["Meldungen"]
    assert rat.gemeinde_counts()["count"].sum() > 3_000
    # the statistics may read the points; what leaves them for a council screen is tested in the browser
    assert len(rat.statistics_points()) == rat.gemeinde_counts()["count"].sum()
    for refused, says in ((lambda: rat.point_table(), "einzelne Vorfälle"),
                          (lambda: rat.points(), "einzelne"),
                          (lambda: rat.import_file(DATA / "ordnungsamt_utf8_bom.csv"), "importieren"),
                          (lambda: rat.delete("Meldungen"), "löschen")):
        with pytest.raises(AccessDeniedError, match=f"Die Rolle Rat darf nicht: .*{says}"):
            refused()
    assert backend.make().datasets()["name"].tolist() == ["Meldungen"]


def test_the_audit_log_says_who_did_what_and_when(backend):
    store = backend.make()
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    store.delete("ordnungsamt_utf8_bom")
    log = store.audit_log()
    assert log["aktion"].tolist() == ["import", "loeschen"]
    assert log["wer"].tolist() == [store.principal.name] * 2
    assert "Datensatz 'ordnungsamt_utf8_bom' aus ordnungsamt_utf8_bom.csv: 5 Zeilen" in log["was"][0]
    when = pd.to_datetime(log["zeit"], utc=True)
    assert (when.diff().dropna() >= pd.Timedelta(0)).all()
    assert abs(when.iloc[-1] - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=5)
