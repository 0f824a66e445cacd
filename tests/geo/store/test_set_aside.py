"""The way out of a damaged store: set the file aside (renamed, never overwritten, never changed) and
start a new, empty store; as a geo function, a command and a button on the app's damaged-store page."""

import datetime as dt
import re

import pytest
from streamlit.testing.v1 import AppTest

from geo.__main__ import main
from geo.errors import AtlasError
from geo.incidents.demo import demo_csv
from geo.store import DB_NAME, IncidentStore, StoreDamagedError
from tests.conftest import TIMEOUT, captions

DAMAGED = b"SQLite format 3\x00" + b"\xa5" * 8_176  # a header, then overwritten pages
NAME = re.compile(r"vorfaelle\.sqlite\.beschaedigt-(\d{8}T\d{6}Z)")


def _damaged_store(directory):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DB_NAME).write_bytes(DAMAGED)
    return IncidentStore(directory)


def test_set_aside_renames_the_file_with_its_utc_time_and_a_new_import_starts_an_empty_store(tmp_path):
    store = _damaged_store(tmp_path / "speicher")
    with pytest.raises(StoreDamagedError):
        store.import_file(demo_csv(tmp_path / "neu.csv", n=300, seed=4))
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    moved = store.set_aside()
    end = dt.datetime.now(dt.UTC)
    match = NAME.fullmatch(moved.name)
    assert match and moved.parent == store.directory
    assert start <= dt.datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC) <= end
    assert moved.read_bytes() == DAMAGED and not store.path.exists()
    assert store.is_empty()
    assert store.import_file(tmp_path / "neu.csv").stored
    assert store.datasets()["name"].tolist() == ["neu"]
    assert moved.read_bytes() == DAMAGED


def test_set_aside_never_overwrites_a_file_and_takes_the_journal_with_it(tmp_path):
    store = _damaged_store(tmp_path / "speicher")
    when = dt.datetime(2024, 3, 5, 6, 7, 8, tzinfo=dt.UTC)
    taken = store.directory / "vorfaelle.sqlite.beschaedigt-20240305T060708Z"
    taken.write_bytes(b"eine fr\xfchere Datei")
    (store.directory / f"{DB_NAME}-journal").write_bytes(b"journal des beschaedigten Speichers")
    moved = store.set_aside(now=when)
    assert moved.name == "vorfaelle.sqlite.beschaedigt-20240305T060708Z-2"
    assert taken.read_bytes() == b"eine fr\xfchere Datei"
    assert moved.read_bytes() == DAMAGED
    # the journal belongs to the old file: beside a new store it would be rolled into it
    assert (store.directory / f"{moved.name}-journal").read_bytes() == b"journal des beschaedigten Speichers"
    assert sorted(p.name for p in store.directory.iterdir()) == sorted(
        [taken.name, moved.name, f"{moved.name}-journal"])
    # a time given in another zone is written as UTC
    again = _damaged_store(tmp_path / "zwei").set_aside(
        now=dt.datetime(2024, 3, 5, 8, 7, 8, tzinfo=dt.timezone(dt.timedelta(hours=2))))
    assert again.name == "vorfaelle.sqlite.beschaedigt-20240305T060708Z"


def test_set_aside_without_a_store_file_says_so(tmp_path):
    with pytest.raises(AtlasError, match=r"Es gibt keinen Datenspeicher .*vorfaelle\.sqlite, der "
                                         r"beiseitegelegt werden könnte\."):
        IncidentStore(tmp_path).set_aside()
    assert list(tmp_path.iterdir()) == []


def test_the_command_sets_the_damaged_file_aside_and_the_next_import_works(tmp_path, capsys):
    store = _damaged_store(tmp_path / "speicher")
    csv = demo_csv(tmp_path / "neu.csv", n=300, seed=4)
    assert main(["import", str(csv), "--store", str(store.directory)]) == 2
    err = capsys.readouterr().err
    assert "ist beschädigt" in err and "python -m geo speicher beiseitelegen" in err
    assert main(["speicher", "beiseitelegen", "--store", str(store.directory)]) == 0
    out = capsys.readouterr().out
    [moved] = [p for p in store.directory.iterdir() if NAME.fullmatch(p.name)]
    assert f"heißt jetzt {moved.name}" in out
    assert moved.read_bytes() == DAMAGED
    assert main(["import", str(csv), "--store", str(store.directory)]) == 0
    assert IncidentStore(store.directory).datasets()["name"].tolist() == ["neu"]
    assert main(["speicher", "beiseitelegen", "--store", str(tmp_path / "leer")]) == 2
    assert "Es gibt keinen Datenspeicher" in capsys.readouterr().err


def test_the_app_offers_to_set_a_damaged_store_aside_and_then_starts_on_an_empty_store(tmp_path, monkeypatch):
    store = _damaged_store(tmp_path / "store")
    monkeypatch.setenv("ATLAS_DATA_DIR", str(store.directory))
    app = AppTest.from_file("../../../app.py", default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    assert any("ist beschädigt" in e.value and "Sicherung" in e.value for e in app.error)
    assert any("Sicherung zurückspielen" in m.value for m in app.markdown)
    assert store.path.read_bytes() == DAMAGED  # showing the page changes nothing
    app.button(key="w_beiseitelegen").click().run()
    assert not app.exception
    assert not app.error
    [moved] = [p for p in store.directory.iterdir() if NAME.fullmatch(p.name)]
    assert moved.read_bytes() == DAMAGED and not store.path.exists()
    assert any(moved.name in s.value and "neu und leer" in s.value for s in app.success)
    assert app.title[0].value == "Präventionsatlas Sachsen"
    assert any(c.endswith("Quelle: Demodaten (synthetisch)") for c in captions(app))  # the empty store
    app.run()  # the note is shown once
    assert not app.success and not app.error
