"""Faults and load: ``python -m geo`` killed (SIGKILL) while importing, reporting and exporting, and
two imports into one store at once.

Each process is killed at a moment the test observes (its journal appears, its output appears, its
data set is visible, or simply a while after the start), never through a hook in the program. After
each kill, the store is read as a restarted program would: ``PRAGMA integrity_check`` is ok, every
point chunk's checksum matches, and it holds exactly the data sets whose import was committed.
"""

import contextlib
import shutil
import sqlite3
import time
from pathlib import Path

import pyogrio
import pytest
from pypdf import PdfReader

from geo.__main__ import main
from geo.incidents import read_incidents
from geo.incidents.demo import demo_csv
from geo.store import DB_NAME, IncidentStore
from tests.geo.store.faults import (
    contents,
    geo_command,
    kill_when,
    leftovers,
    run,
    same_contents,
    start,
    waiting,
)

BIG = 120_000  # two point chunks: "half an import" is a possible state


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """A store with one small data set, and a big file to import into it."""
    root = tmp_path_factory.mktemp("basis")
    IncidentStore(root / "speicher").import_file(demo_csv(root / "klein.csv", n=3_000, seed=1))
    demo_csv(root / "gross.csv", n=BIG, seed=7)
    return root


def _visible(store_dir: Path, name: str) -> bool:
    try:
        with sqlite3.connect(store_dir / DB_NAME, timeout=0) as conn:
            found = conn.execute("SELECT 1 FROM datasets WHERE name = ?", (name,)).fetchone() is not None
        conn.close()
        return found
    except sqlite3.OperationalError:  # locked by the import right now
        return False


def test_an_import_killed_at_any_moment_leaves_the_old_data_sets_and_the_new_one_whole_or_not_at_all(
        base, tmp_path):
    store_dir = tmp_path / "speicher"
    shutil.copytree(base / "speicher", store_dir)
    big = base / "gross.csv"
    journal = store_dir / f"{DB_NAME}-journal"
    expected = read_incidents(big).points
    before = contents(store_dir)
    after_start = {}
    moments = {
        "kurz nach dem Start": lambda: time.monotonic() - after_start["t"] > 1.0,
        "beim Lesen der Datei": lambda: time.monotonic() - after_start["t"] > 4.0,
        "mitten in der Schreibtransaktion": journal.exists,  # the rollback journal exists only while writing
        "nach dem Speichern, vor dem Ende": lambda: _visible(store_dir, "gross"),
    }
    kills = 0
    for moment, seen in moments.items():
        after_start["t"] = time.monotonic()
        child = start(geo_command("import", big, "--store", store_dir))
        killed = kill_when(child, seen)
        _out, err = child.communicate()
        kills += killed
        assert killed or child.returncode == 0, (moment, err)
        assert "Traceback" not in err
        # The restart: integrity, checksums, whole data sets. A journal left by the kill is rolled
        # back on opening, or (killed before the file was touched) not hot and ignored.
        after = contents(store_dir)
        assert same_contents({name: after[name] for name in before}, before), moment
        new = set(after) - set(before)
        assert new <= {"gross"}, moment
        if new:  # committed before the kill: then all of it
            assert len(after["gross"]) == BIG
            assert after["gross"]["x"].tolist() == expected.geometry.x.tolist()
            IncidentStore(store_dir).delete("gross")  # the next moment starts from the same store
    assert kills >= 3  # at least the moments before the commit really interrupted the import
    # and the file imports properly afterwards
    done = run(geo_command("import", big, "--store", store_dir))
    assert done.returncode == 0, done.stderr
    final = contents(store_dir)
    assert len(final["gross"]) == BIG and same_contents({n: final[n] for n in before}, before)
    assert sorted(p.name for p in store_dir.iterdir()) == [DB_NAME]


OUTPUTS = {
    "bericht.pdf": ["report", "14522180"],
    "zellen.gpkg": ["hotspots", "--category", "graffiti", "--method", "gi", "--area", "14522"],
    "zellen.csv": ["hotspots", "--category", "graffiti", "--method", "gi", "--area", "14522"],
}


def _same_output(path: Path, reference: Path) -> bool:
    """Whether `path` is a whole output like `reference` (made by an uninterrupted run)."""
    data = path.read_bytes()
    if path.suffix == ".pdf":
        return (data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF")
                and len(PdfReader(path).pages) == len(PdfReader(reference).pages))
    if path.suffix == ".gpkg":
        with sqlite3.connect(path) as conn:
            intact = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()
        return intact and all(pyogrio.read_dataframe(path, layer=layer).equals(
            pyogrio.read_dataframe(reference, layer=layer)) for layer in ("ergebnis", "metadaten"))
    return data == reference.read_bytes()


@pytest.mark.parametrize("name", list(OUTPUTS))
def test_a_report_or_export_killed_at_any_moment_leaves_its_whole_file_or_none_and_the_store_unchanged(
        base, tmp_path, name):
    store_dir = tmp_path / "speicher"
    shutil.copytree(base / "speicher", store_dir)
    stored = (store_dir / DB_NAME).read_bytes()
    reference = tmp_path / "referenz" / name
    reference.parent.mkdir()
    command = [*OUTPUTS[name], "--store", store_dir, "--out"]
    made = run(geo_command(*command, reference))
    assert made.returncode == 0, made.stderr
    assert leftovers(reference.parent, keep=set()) == [name]
    assert not [p for p in reference.parent.iterdir() if p.name != name]  # no temporary file left
    out_dir = tmp_path / "ausgabe"
    out_dir.mkdir()
    target = out_dir / name
    after_start = {}
    moments = {
        "kurz nach dem Start": lambda: time.monotonic() - after_start["t"] > 1.0,
        "beim Schreiben": lambda: any(out_dir.iterdir()),  # the first byte of output exists
    }
    kills = 0
    for moment, seen in moments.items():
        after_start["t"] = time.monotonic()
        child = start(geo_command(*command, target))
        killed = kill_when(child, seen)
        _out, err = child.communicate()
        kills += killed
        assert killed or child.returncode == 0, (moment, err)
        assert "Traceback" not in err
        if target.exists():
            assert _same_output(target, reference), f"{moment}: a half-written {name} at the target path"
        assert leftovers(out_dir, keep={name}) == [], moment
        if moment == "kurz nach dem Start":
            assert killed and not target.exists()
        assert (store_dir / DB_NAME).read_bytes() == stored  # reading never changes the store
        assert sorted(p.name for p in store_dir.iterdir()) == [DB_NAME]
        for path in out_dir.iterdir():
            path.unlink()
    assert kills >= 2


def test_two_imports_of_different_files_at_once_both_store_their_whole_data_set(base, tmp_path):
    store_dir = tmp_path / "speicher"
    shutil.copytree(base / "speicher", store_dir)
    before = contents(store_dir)
    files = [demo_csv(tmp_path / f"{name}.csv", n=20_000, seed=seed)
             for name, seed in (("nord", 31), ("sued", 32))]
    # Make them meet: hold the store's write lock until both imports wait for it, then let go.
    holder = sqlite3.connect(store_dir / DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    children = [start(geo_command("import", path, "--store", store_dir)) for path in files]
    try:
        deadline = time.monotonic() + 300
        while not all(waiting(child.pid, store_dir / DB_NAME) for child in children):
            assert all(child.poll() is None for child in children), [c.communicate() for c in children]
            assert time.monotonic() < deadline, "the imports never reached the store"
    finally:
        holder.execute("COMMIT")
        holder.close()
    results = [child.communicate(timeout=300) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    assert all("Traceback" not in err for _out, err in results)
    after = contents(store_dir)
    assert set(after) == set(before) | {"nord", "sued"}
    assert same_contents({name: after[name] for name in before}, before)
    for path in files:
        points = read_incidents(path).points
        assert after[path.stem]["x"].tolist() == points.geometry.x.tolist()
        assert after[path.stem]["time"].tolist() == points["time"].tolist()


def test_two_imports_into_a_new_store_at_once_both_store_their_data_set_and_no_one_sees_an_empty_file(
        tmp_path):
    store_dir = tmp_path / "neu"
    path = store_dir / DB_NAME
    files = [demo_csv(tmp_path / f"{name}.csv", n=2_000, seed=seed)
             for name, seed in (("ost", 41), ("west", 42))]
    children = [start(geo_command("import", file, "--store", store_dir)) for file in files]
    sizes = set()
    while any(child.poll() is None for child in children):  # what a third process would find there
        with contextlib.suppress(FileNotFoundError):
            sizes.add(path.stat().st_size)
    results = [child.communicate(timeout=300) for child in children]
    assert [child.returncode for child in children] == [0, 0], results
    assert sizes and 0 not in sizes  # an empty store file reads as a truncated, damaged store
    after = contents(store_dir)
    assert sorted(after) == ["ost", "west"] and all(len(p) == 2_000 for p in after.values())
    assert sorted(p.name for p in store_dir.iterdir()) == [DB_NAME]  # no temporary file left


def test_a_store_busy_longer_than_the_wait_gives_a_german_message_and_exit_2(base, tmp_path, monkeypatch,
                                                                             capsys):
    store_dir = tmp_path / "speicher"
    shutil.copytree(base / "speicher", store_dir)
    before = contents(store_dir)
    monkeypatch.setattr("geo.store.database.BUSY_TIMEOUT_S", 0.3)
    holder = sqlite3.connect(store_dir / DB_NAME, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another import that takes long
    try:
        late = demo_csv(tmp_path / "spaet.csv", n=500, seed=3)
        code = main(["import", str(late), "--store", str(store_dir)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert code == 2
    assert "ist durch einen anderen Vorgang belegt" in err and "geändert wurde nichts" in err
    assert same_contents(contents(store_dir), before)


def test_the_cli_writes_every_output_through_the_one_atomic_helper():
    sources = {path.name: path.read_text(encoding="utf-8")
               for path in (Path(__file__).resolve().parents[3] / "geo" / "cli").glob("*.py")}
    direct = [name for name, text in sources.items()
              if any(call in text for call in (".write_bytes(", ".write_text(", ".to_csv(args", ".to_file("))]
    assert direct == []
    assert {name for name, text in sources.items() if "write_output(" in text} >= {
        "report.py", "hotspots.py", "imports.py", "befragung.py"}

