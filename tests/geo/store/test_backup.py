"""Backups of the embedded store (issue 14): made while an import runs, refused when damaged or
foreign, restored to exactly the state they hold, the previous store always kept."""

import datetime as dt
import sqlite3
import time
import zipfile

import geopandas as gpd
import pytest
import shapely

from geo.__main__ import main
from geo.incidents.demo import demo_csv
from geo.measures.register import MeasureRegister
from geo.store import DB_NAME, SCHEMA_VERSION, IncidentStore
from geo.store.backup import create_backup
from tests.geo.measures.test_register import Clock, lighting, streetwork
from tests.geo.store.faults import contents, geo_command, same_contents, start


@pytest.fixture(autouse=True)
def no_database_url(monkeypatch):
    monkeypatch.delenv("ATLAS_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def csvs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("csv")
    return {name: demo_csv(folder / f"{name}.csv", n=2_000, seed=seed)
            for name, seed in (("erster", 1), ("zweiter", 2), ("dritter", 3))}


def state(directory):
    """Everything a restore must bring back: data sets, points (checked), measures and their history."""
    store = IncidentStore(directory)
    register = MeasureRegister(store)
    with sqlite3.connect(store.path) as conn:
        numbers = [row[0] for row in conn.execute("SELECT id FROM measures ORDER BY id")]
        sequence = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'measures'").fetchone()
    conn.close()
    return {"datasets": store.datasets(), "points": contents(directory),
            "measures": [(m, m.place.wkb) for m in register.current()],
            "history": {n: register.history(n) for n in numbers}, "sequence": sequence}


def same_state(a, b):
    return (a["datasets"].equals(b["datasets"]) and same_contents(a["points"], b["points"])
            and a["measures"] == b["measures"] and a["history"].keys() == b["history"].keys()
            and all(a["history"][n].equals(b["history"][n]) for n in a["history"])
            and a["sequence"] == b["sequence"])


@pytest.fixture
def store_dir(tmp_path, csvs):
    directory = tmp_path / "store"
    store = IncidentStore(directory)
    store.import_file(csvs["erster"])
    store.import_file(csvs["zweiter"])
    register = MeasureRegister(store, clock=Clock())
    first = register.add(lighting(), "Anna Schmidt")
    register.update(first.id, "Ben Weber", status="beendet", end=dt.date(2024, 9, 30))
    return directory


def test_restore_brings_back_exactly_the_backup_state_and_keeps_the_previous_store(store_dir, csvs, capsys):
    before = state(store_dir)
    assert main(["sicherung", "erstellen", "--store", str(store_dir)]) == 0
    [backup] = (store_dir / "sicherungen").iterdir()
    assert backup.suffix == ".sqlite"
    assert f"Sicherung erstellt und geprüft: {backup}" in capsys.readouterr().out
    store = IncidentStore(store_dir)
    register = MeasureRegister(store, clock=Clock())
    store.import_file(csvs["dritter"])
    store.delete("erster")
    register.add(streetwork(), "Cem Yilmaz")
    register.update(1, "Cem Yilmaz", notes="nachts aus")
    register.remove(1, "Cem Yilmaz")
    changed = state(store_dir)
    assert not same_state(before, changed)
    previous = store.path.read_bytes()

    assert main(["sicherung", "zurueckspielen", str(backup), "--store", str(store_dir)]) == 0
    out = capsys.readouterr().out
    assert same_state(state(store_dir), before)
    [kept] = [p for p in store_dir.iterdir() if p.name.startswith(f"{DB_NAME}.vor-zurueckspielen-")]
    assert kept.read_bytes() == previous  # the store before the restore, byte for byte
    assert f"Der bisherige Datenspeicher liegt unverändert in {kept.name}" in out
    assert "jetzt: " in out and "2 Datensätze (erster, zweiter), 1 Maßnahmen" in out
    # the restored store is a working store: the next import and measure get the next numbers
    assert store.import_file(csvs["dritter"]).stored
    assert register.add(streetwork(), "Dana Roth").id == 2


def test_a_backup_made_during_an_import_holds_that_import_whole_or_not_at_all(store_dir, tmp_path):
    big = demo_csv(tmp_path / "gross.csv", n=300_000, seed=9)
    journal = store_dir / f"{DB_NAME}-journal"
    child = start(geo_command("import", big, "--store", store_dir))
    made, during = [], 0
    try:
        while child.poll() is None:
            busy = journal.exists()  # the import's transaction is writing into the file right now
            made.append(create_backup(store_dir, target=tmp_path / f"b{len(made)}.sqlite"))
            during += busy
            time.sleep(0.05)
    finally:
        _, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    made.append(create_backup(store_dir, target=tmp_path / "danach.sqlite"))
    assert during >= 1, "no backup was made while the import was writing"
    accepted = IncidentStore(store_dir).datasets().set_index("name")["accepted"]
    seen = set()
    for info in made:
        restored = tmp_path / f"r-{info.path.stem}"
        restored.mkdir()
        (restored / DB_NAME).write_bytes(info.path.read_bytes())
        found = contents(restored)  # integrity_check, every chunk's SHA-256, points == accepted
        assert set(found) in ({"erster", "zweiter"}, {"erster", "zweiter", "gross"})
        if "gross" in found:
            assert len(found["gross"]) == accepted["gross"]
        seen.add(len(found))
    assert seen == {2, 3}  # backups from before and after the commit, none in between


def _truncated(backup, tmp_path):
    path = tmp_path / "abgeschnitten.sqlite"
    path.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return path


def _not_sqlite(backup, tmp_path):
    path = tmp_path / "tabelle.sqlite"
    path.write_bytes(b"Vorgangsnummer;Tatzeit\n1;01.01.2024\n" * 200)
    return path


def _foreign(backup, tmp_path):
    path = tmp_path / "fremd.gpkg"  # another program's SQLite file: a GeoPackage
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(13.3, 50.9)], crs=4326).to_file(path)
    return path.rename(tmp_path / "fremd.sqlite")


def _newer_schema(backup, tmp_path):
    path = tmp_path / "neuer.sqlite"
    path.write_bytes(backup.read_bytes())
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    conn.close()
    return path


def _changed_chunk(backup, tmp_path):
    path = tmp_path / "veraendert.sqlite"
    path.write_bytes(backup.read_bytes())
    with sqlite3.connect(path) as conn:  # a valid SQLite file whose points were altered
        conn.execute("UPDATE point_chunks SET x = zeroblob(length(x)) WHERE chunk = 0 AND dataset = 'erster'")
    conn.close()
    return path


def _zip_with_wrong_member(backup, tmp_path):
    path = tmp_path / "falsch.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sicherung.json", '{"dateien": {"vorfaelle.sqlite": "00"}}')
        archive.write(backup, DB_NAME)
    return path


@pytest.mark.parametrize(("make", "says"), [
    (_truncated, "ist beschädigt oder keine Sicherung des Präventionsatlas"),
    (_not_sqlite, "file is not a database"),
    (_foreign, "ist keine Sicherung eines Datenspeichers des Präventionsatlas (es fehlen die Tabellen"),
    (_newer_schema, f"hat die Schemaversion 99, dieses Programm kennt 1 bis {SCHEMA_VERSION}"),
    (_changed_chunk, "ein gespeicherter Block ist verändert"),
    (_zip_with_wrong_member, "vorfaelle.sqlite: Prüfsumme stimmt nicht"),
])
def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(store_dir, tmp_path, capsys, make, says):
    backup = create_backup(store_dir, target=tmp_path / "gut.sqlite").path
    bad = make(backup, tmp_path)
    listing = sorted(p.name for p in store_dir.rglob("*"))
    before = IncidentStore(store_dir).path.read_bytes()
    assert main(["sicherung", "zurueckspielen", str(bad), "--store", str(store_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Fehler: ") and says in err and "geändert wurde nichts" in err
    assert "Traceback" not in err
    assert IncidentStore(store_dir).path.read_bytes() == before
    assert sorted(p.name for p in store_dir.rglob("*")) == listing  # nothing set aside, no leftovers


def test_backups_never_overwrite_and_are_listed_with_datasets_and_measures(store_dir, tmp_path, capsys):
    when = dt.datetime(2025, 3, 14, 9, 15, tzinfo=dt.UTC)
    first = create_backup(store_dir, now=when)
    second = create_backup(store_dir, now=when)
    assert first.path.name == "sicherung-20250314T091500Z.sqlite"
    assert second.path.name == "sicherung-20250314T091500Z-2.sqlite"
    taken = tmp_path / "fest.sqlite"
    taken.write_bytes(b"nicht anfassen")
    assert main(["sicherung", "erstellen", "--store", str(store_dir), "--ziel", str(taken)]) == 2
    assert "gibt es schon; eine Sicherung überschreibt keine Datei" in capsys.readouterr().err
    assert taken.read_bytes() == b"nicht anfassen"
    (store_dir / "sicherungen" / "kaputt.sqlite").write_bytes(b"kaputt" * 100)
    assert main(["sicherung", "liste", "--store", str(store_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("  sicherung-20250314T091500Z.sqlite: 14.03.2025 09:15:00 UTC, ")
    assert "2 Datensätze (erster, zweiter), 1 Maßnahmen, ohne OSM-Daten" in lines[1]
    assert any(line.startswith("  kaputt.sqlite: UNBRAUCHBAR – ") for line in lines)


def test_a_zip_backup_carries_the_osm_data_and_restore_puts_it_back(store_dir, tmp_path, capsys):
    osm = store_dir / "osm" / "osm.gpkg"
    osm.parent.mkdir()
    gpd.GeoDataFrame({"name": ["Obermarkt"]}, geometry=[shapely.Point(13.34, 50.916)], crs=4326).to_file(osm)
    original = osm.read_bytes()
    assert main(["sicherung", "erstellen", "--store", str(store_dir)]) == 0
    [backup] = (store_dir / "sicherungen").iterdir()
    assert backup.suffix == ".zip" and "mit OSM-Daten" in capsys.readouterr().out
    osm.unlink()
    gpd.GeoDataFrame({"name": ["Neu"]}, geometry=[shapely.Point(12.9, 50.8)], crs=4326).to_file(osm)
    replaced = osm.read_bytes()
    assert main(["sicherung", "zurueckspielen", str(backup), "--store", str(store_dir)]) == 0
    assert osm.read_bytes() == original
    [kept] = osm.parent.glob("osm.gpkg.vor-zurueckspielen-*")
    assert kept.read_bytes() == replaced


def test_restore_into_a_damaged_store_sets_it_aside_and_puts_the_backup_in_place(store_dir, tmp_path):
    before = state(store_dir)
    backup = create_backup(store_dir, target=tmp_path / "gut.sqlite").path
    damaged = b"SQLite format 3\x00" + b"\xa5" * 8_176
    (store_dir / DB_NAME).write_bytes(damaged)
    assert main(["sicherung", "zurueckspielen", str(backup), "--store", str(store_dir)]) == 0
    assert same_state(state(store_dir), before)
    [aside] = store_dir.glob(f"{DB_NAME}.beschaedigt-*")
    assert aside.read_bytes() == damaged


def test_with_a_postgresql_store_the_command_backs_up_the_database_not_the_file(store_dir, monkeypatch,
                                                                                capsys):
    from geo.store.pgcluster import free_port

    before, port = (store_dir / DB_NAME).read_bytes(), free_port()  # nothing listens on that port
    monkeypatch.setenv("ATLAS_DATABASE_URL", f"postgresql://atlas:geheim@127.0.0.1:{port}/atlas")
    assert main(["sicherung", "erstellen", "--store", str(store_dir)]) == 2
    err = capsys.readouterr().err
    assert f"Die Datenbank atlas@127.0.0.1:{port}/atlas ist nicht erreichbar" in err and "geheim" not in err
    assert main(["sicherung", "zurueckspielen", "x.sqlite", "--store", str(store_dir)]) == 2
    assert "ihre Sicherungen enden auf .dump" in capsys.readouterr().err
    assert main(["sicherung", "liste", "--store", str(store_dir)]) == 0  # .dump files only: none
    assert capsys.readouterr().out == f"Keine Sicherungen in {store_dir / 'sicherungen'}.\n"
    assert not (store_dir / "sicherungen").exists() and (store_dir / DB_NAME).read_bytes() == before


def test_without_a_store_there_is_nothing_to_back_up(tmp_path, capsys):
    assert main(["sicherung", "erstellen", "--store", str(tmp_path / "leer")]) == 2
    assert "Es gibt keinen Datenspeicher" in capsys.readouterr().err
    assert not (tmp_path / "leer").exists()
