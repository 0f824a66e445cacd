"""The register keeps every version: add, change, delete, history, nothing overwritten."""

import dataclasses
import datetime as dt
import re
import sqlite3

import pytest
import shapely

from geo.measures.model import Measure, MeasureError, UnknownMeasureError
from geo.measures.places import PlaceError, gemeinde_place, wkt_place
from geo.measures.register import MeasureRegister
from geo.store import DB_NAME, IncidentStore
from tests.geo.incidents.conftest import DATA, NOW

OBERMARKT = "POLYGON ((13.340 50.915, 13.345 50.915, 13.345 50.918, 13.340 50.918, 13.340 50.915))"


class Clock:
    """A clock that moves one hour per reading, from a fixed day (no test depends on today)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(hours=1)
        return self.now


def lighting(**changes) -> Measure:
    place = wkt_place(OBERMARKT, kind="zeichnung")
    measure = Measure(None, "Beleuchtung Obermarkt", "beleuchtung", ("graffiti", "littering"),
                      place.geometry, place.kind, place.ags, dt.date(2024, 3, 1), None, "Stadt Freiberg",
                      12500.5, "umgesetzt", "Präventionsrat, Beschluss 3/2025", "LED statt Natriumdampf")
    return dataclasses.replace(measure, **changes)


def streetwork() -> Measure:
    place = gemeinde_place("Dresden")
    return Measure(None, "Streetwork Wiener Platz", "streetwork", ("violence",), place.geometry,
                   place.kind, place.ags, dt.date(2024, 1, 1), dt.date(2024, 12, 31), "Jugendamt", None,
                   "beendet", "", "")


@pytest.fixture
def register(backend):
    """The register on each store (``backend``: embedded file and PostGIS)."""
    return MeasureRegister(backend.make(), clock=Clock())


def versions(register) -> int:
    with register.store._connect() as conn:
        return conn.execute("SELECT count(*) FROM measure_versions").fetchone()[0]


def test_an_added_measure_gets_a_number_and_reads_back_equal(register):
    stored = register.add(lighting(), "Anna Schmidt")
    assert stored.id == 1
    assert stored == dataclasses.replace(lighting(), id=1)
    assert register.get(1) == stored and register.get(1).place.wkb == stored.place.wkb
    assert register.current() == [stored]
    assert register.add(streetwork(), "anna").id == 2
    assert [m.id for m in register.current()] == [1, 2]
    assert [m.id for m in register.current(ags="14612000")] == [2]
    assert register.current(ags="14522180")[0].title == "Beleuchtung Obermarkt"


def test_a_change_is_a_new_version_and_the_old_state_stays_readable(register):
    register.add(lighting(status="geplant"), "anna")
    changed = register.update(1, "ben", status="beendet", end=dt.date(2025, 1, 31))
    assert (changed.status, changed.end) == ("beendet", dt.date(2025, 1, 31))
    assert register.get(1) == changed
    assert register.state(1, 1).status == "geplant" and register.state(1, 1).end is None
    history = register.history(1)
    assert list(history.columns) == ["version", "zeit", "wer", "aktion", "geaenderte_felder", "aenderungen"]
    assert history[["version", "wer", "aktion", "geaenderte_felder"]].values.tolist() == [
        [1, "anna", "angelegt", ""], [2, "ben", "geändert", "Ende, Status"]]
    assert history["aenderungen"].iloc[1] == "Ende: – → 31.01.2025; Status: geplant → beendet"
    assert [t.isoformat() for t in history["zeit"]] == ["2025-03-01T10:00:00+00:00",
                                                         "2025-03-01T11:00:00+00:00"]


def test_a_deleted_measure_leaves_the_list_but_keeps_its_history(register):
    register.add(lighting(), "anna")
    register.add(streetwork(), "anna")
    register.update(1, "ben", cost_eur=14000.0)
    register.remove(1, "carl")
    assert [m.id for m in register.current()] == [2]
    with pytest.raises(UnknownMeasureError, match="Maßnahme 1 wurde am 2025-03-01 von carl gelöscht"):
        register.get(1)
    history = register.history(1)
    assert history["aktion"].tolist() == ["angelegt", "geändert", "gelöscht"]
    assert history["aenderungen"].iloc[1] == "Kosten: 12.500,50 € → 14.000,00 €"
    assert register.state(1, 3) == register.state(1, 2)  # the deletion records the last state in full
    with pytest.raises(UnknownMeasureError, match="gelöscht"):
        register.update(1, "dora", title="wieder da")
    with pytest.raises(UnknownMeasureError, match="gelöscht"):
        register.remove(1, "dora")
    assert versions(register) == 4


def test_nothing_is_ever_overwritten_or_deleted_in_sql(register, backend):
    register.add(lighting(), "anna")
    register.update(1, "ben", title="Beleuchtung Obermarkt und Kirchgasse")
    register.remove(1, "carl")
    with register.store._connect() as conn:
        rows = conn.execute("SELECT measure_id, version, changed_by, action, title FROM measure_versions "
                            "ORDER BY version").fetchall()
        longer = "Beleuchtung Obermarkt und Kirchgasse"
        assert [tuple(r) for r in rows] == [(1, 1, "anna", "angelegt", "Beleuchtung Obermarkt"),
                                            (1, 2, "ben", "geändert", longer),
                                            (1, 3, "carl", "gelöscht", longer)]
    for statement in ("UPDATE measure_versions SET title = 'x'", "DELETE FROM measure_versions",
                      "UPDATE measures SET created_by = 'x'", "DELETE FROM measures"):
        if backend.name == "embedded":  # triggers refuse it
            with sqlite3.connect(register.store.path) as conn, pytest.raises(
                    sqlite3.DatabaseError, match="wird nur fortgeschrieben"):
                conn.execute(statement)
        else:  # the app's database role has no UPDATE or DELETE on the register
            import psycopg

            with register.store._connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    assert versions(register) == 3


def test_a_change_on_an_outdated_version_is_refused_instead_of_overwriting(register):
    register.add(lighting(), "anna")
    seen = register.version(1)
    register.update(1, "ben", status="beendet", end=dt.date(2025, 1, 31), expected_version=seen)
    with pytest.raises(MeasureError, match=re.escape("Maßnahme 1 wurde inzwischen geändert (Version 2 vom "
                                                     "2025-03-01, ben)")):
        register.update(1, "carl", notes="meine Notiz", expected_version=seen)
    with pytest.raises(MeasureError, match="inzwischen geändert"):
        register.remove(1, "carl", expected_version=seen)
    assert register.get(1).notes == "LED statt Natriumdampf" and versions(register) == 2


def test_bad_changes_are_refused_with_the_field_and_change_nothing(register):
    register.add(lighting(), "anna")
    with pytest.raises(MeasureError, match=re.escape("unbekannte(s) Feld(er) farbe, id")):
        register.update(1, "ben", farbe="rot", id=5)
    before_start = re.escape("Feld 'Ende': 28.02.2024 liegt vor dem Beginn (01.03.2024)")
    with pytest.raises(MeasureError, match=before_start):
        register.update(1, "ben", end=dt.date(2024, 2, 28))
    with pytest.raises(MeasureError, match="Feld 'Art': 'laterne' ist keine Art"):
        register.update(1, "ben", kind="laterne")
    with pytest.raises(MeasureError, match="Feld 'Ende': fehlt: eine beendete Maßnahme braucht ihr Ende"):
        register.update(1, "ben", status="beendet")
    with pytest.raises(PlaceError, match="Ort: die Fläche liegt außerhalb Sachsens"):
        register.update(1, "ben", place=shapely.box(0, 0, 100, 100))  # a bare geometry is checked as a place
    with pytest.raises(UnknownMeasureError, match="Maßnahme 9 gibt es nicht"):
        register.update(9, "ben", title="x")
    with pytest.raises(MeasureError, match="Es fehlt, wer die Änderung macht"):
        register.update(1, "  ", title="x")
    assert register.get(1) == dataclasses.replace(lighting(), id=1)
    assert versions(register) == 1


def test_a_change_that_changes_nothing_adds_no_version(register):
    register.add(lighting(), "anna")
    assert register.update(1, "ben", title=" Beleuchtung Obermarkt ", status="umgesetzt").title == (
        "Beleuchtung Obermarkt")
    assert register.history(1)["version"].tolist() == [1]


def test_a_new_place_brings_its_gemeinde(register):
    register.add(lighting(), "anna")
    moved = register.update(1, "ben", place=gemeinde_place("Dresden"))
    assert (moved.place_kind, moved.ags) == ("gemeinde", "14612000")
    drawn = wkt_place("POLYGON ((13.73 51.05, 13.74 51.05, 13.74 51.055, 13.73 51.05))", kind="zeichnung")
    assert drawn.ags == "14612000"
    back = register.update(1, "ben", place=wkt_place(OBERMARKT).geometry)  # a bare geometry: Gemeinde found
    assert (back.ags, back.place_kind) == ("14522180", "gemeinde")
    changed = register.history(1)["geaenderte_felder"].tolist()
    assert changed == ["", "Ort, Ortsart, Gemeinde", "Ort, Gemeinde"]
    assert register.history(1)["aenderungen"].iloc[2].startswith("Ort: neue Fläche (")


def test_invalid_measures_are_not_added_and_the_batch_is_all_or_nothing(register):
    with pytest.raises(MeasureError, match="Maßnahme 'ohne Titel': Feld 'Titel': fehlt; "
                                           "Feld 'Kategorien': fehlen; möglich: Graffiti, Vermüllung"):
        register.add_many([streetwork(), lighting(title="", categories=())], "anna")
    corner = lighting().place.exterior.coords[0]
    speck = shapely.box(corner[0], corner[1], corner[0] + 0.5, corner[1] + 1)
    too_small = re.escape("Feld 'Ort': 0,5 m² liegt nicht zwischen 10 m² und 2.500 km²")
    with pytest.raises(MeasureError, match=too_small):
        register.add(lighting(place=speck), "anna")
    assert register.current() == []


def test_a_failure_while_writing_rolls_the_whole_batch_back(register, monkeypatch):
    register.add(streetwork(), "anna")
    calls = []
    original = MeasureRegister._insert

    def fail_on_the_second(self, conn, measure, who):
        calls.append(measure.title)
        if len(calls) == 2:
            raise OSError("Platte voll")
        return original(self, conn, measure, who)

    monkeypatch.setattr(MeasureRegister, "_insert", fail_on_the_second)
    with pytest.raises(OSError, match="Platte voll"):
        register.add_many([lighting(), lighting(title="zweite")], "anna")
    assert [m.title for m in register.current()] == ["Streetwork Wiener Platz"]
    assert versions(register) == 1


def test_the_register_lives_beside_the_incidents_in_the_same_file(tmp_path):
    store = IncidentStore(tmp_path / "store")
    register = MeasureRegister(store)
    assert register.current() == [] and not store.path.exists()  # reading an empty store creates nothing
    store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    assert register.current() == []  # a store written before the register existed has no measure tables
    register.add(lighting(), "anna")
    assert store.path.name == DB_NAME
    assert store.datasets()["name"].tolist() == ["ordnungsamt_utf8_bom"] and len(store.points()) == 5
    store.delete("ordnungsamt_utf8_bom")
    assert [m.title for m in register.current()] == ["Beleuchtung Obermarkt"]
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
