"""A damaged store: a clear German message in CLI and app, exit 2, and the file left as it was."""

import sqlite3

import pytest

from geo.__main__ import main
from geo.incidents.demo import demo_csv
from geo.store import DB_NAME, SCHEMA_VERSION, IncidentStore, StoreDamagedError


@pytest.fixture(scope="module")
def healthy(tmp_path_factory):
    root = tmp_path_factory.mktemp("gesund")
    IncidentStore(root).import_file(demo_csv(root / "demo.csv", n=3_000))
    return (root / DB_NAME).read_bytes()


def damage(data: bytes, kind: str) -> bytes:
    middle = len(data) // 2 // 4096 * 4096
    return {
        "halbiert": data[: len(data) // 2],
        "leer": b"",
        "kopf_ueberschrieben": b"\xa5" * 100 + data[100:],
        "seite_ueberschrieben": data[:middle] + b"\x5a" * 4096 + data[middle + 4096:],
        "text": b"Dies ist keine Datenbank.\n" * 40,
    }[kind]


KINDS = ["halbiert", "leer", "kopf_ueberschrieben", "seite_ueberschrieben", "text"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", [
    ["hotspots", "--category", "graffiti", "--method", "gi", "--area", "14522180", "--out", "{out}/x.csv"],
    ["report", "14522180", "--out", "{out}/bericht.html"],
    ["import", "{out}/neu.csv"],
])
def test_every_command_on_a_damaged_store_says_so_and_changes_nothing(healthy, tmp_path, capsys, kind,
                                                                    command):
    store = tmp_path / "speicher"
    store.mkdir()
    broken = damage(healthy, kind)
    (store / DB_NAME).write_bytes(broken)
    demo_csv(tmp_path / "neu.csv", n=200, seed=5)
    args = [a.format(out=tmp_path) for a in command] + ["--store", str(store)]
    code = main(args)
    err = capsys.readouterr().err
    if code == 0:  # a page overwritten where no query of this command reads: nothing to notice
        assert kind == "seite_ueberschrieben"
    else:
        assert code == 2 and "ist beschädigt" in err and "Sicherung" in err, err
    assert (store / DB_NAME).read_bytes() == broken


def test_a_changed_byte_in_stored_points_is_found_by_its_checksum(healthy, tmp_path, capsys):
    (tmp_path / DB_NAME).write_bytes(healthy)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        blob = bytearray(conn.execute("SELECT x FROM point_chunks").fetchone()[0])
        blob[13] ^= 0x01  # one bit: a point moves by metres, nothing else would notice
        conn.execute("UPDATE point_chunks SET x = ? WHERE chunk = 0", (bytes(blob),))
    with pytest.raises(StoreDamagedError, match="verändert"):
        IncidentStore(tmp_path).points()
    assert main(["hotspots", "--store", str(tmp_path), "--category", "graffiti", "--method", "gi",
                 "--out", str(tmp_path / "x.csv")]) == 2
    assert "ist beschädigt" in capsys.readouterr().err


def test_a_store_of_schema_version_1_is_read_and_upgraded_on_the_next_import(healthy, tmp_path):
    (tmp_path / DB_NAME).write_bytes(healthy)
    with sqlite3.connect(tmp_path / DB_NAME) as conn:  # as written before checksums existed
        conn.execute("ALTER TABLE point_chunks DROP COLUMN crc")
    store = IncidentStore(tmp_path)
    before = len(store.points())
    store.import_file(demo_csv(tmp_path / "neu.csv", n=100, seed=9))
    assert len(store.points()) == before + 100
    with sqlite3.connect(tmp_path / DB_NAME) as conn:
        assert conn.execute("SELECT count(*) FROM point_chunks WHERE crc IS NULL").fetchone()[0] >= 1
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == str(
            SCHEMA_VERSION)
