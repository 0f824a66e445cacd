"""A store that cannot be written: read-only and on a full disk.

Read-only by permission bits, which root obeys here too (the child runs without the capabilities
that override them, see ``faults.as_ordinary_user``), and by a read-only mount where the system
lets a test mount in a private namespace. A full disk by a file size limit (RLIMIT_FSIZE; SQLite
then reports "disk I/O error") and by a small tmpfs (ENOSPC; "database or disk is full") where
mounting is allowed. Command line and app say what happened and what to do, in German, exit 2,
no traceback; what was stored stays as it was.
"""

import json
import resource
import shutil
import stat
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo.incidents.demo import demo_csv
from geo.store import DB_NAME, IncidentStore
from tests.geo.store.faults import (
    as_ordinary_user,
    contents,
    geo_command,
    private_mounts,
    run,
    same_contents,
)

READ_ONLY = "kann nicht geschrieben werden: Datei oder Verzeichnis ist schreibgeschützt oder nicht zugänglich"
FULL = "konnte nicht geschrieben werden: auf dem Datenträger ist kein Platz mehr"
IO_ERROR = "der Datenträger meldet einen Ein-/Ausgabefehler"
UNCHANGED = "Schon Gespeichertes ist unverändert"
HOTSPOTS = ["hotspots", "--category", "graffiti", "--method", "gi", "--area", "14522"]


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    root = tmp_path_factory.mktemp("basis")
    IncidentStore(root / "speicher").import_file(demo_csv(root / "a.csv", n=3_000, seed=1))
    demo_csv(root / "b.csv", n=3_000, seed=2)
    demo_csv(root / "gross.csv", n=30_000, seed=3)
    return root


@pytest.fixture
def store_dir(base, tmp_path):
    directory = tmp_path / "speicher"
    shutil.copytree(base / "speicher", directory)
    return directory


def german_error(done, *parts: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.startswith("Fehler: ") and "Traceback" not in done.stderr, done.stderr
    for part in parts:
        assert part in done.stderr, done.stderr


@contextmanager
def no_write_permission(*paths: Path):
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in paths}
    for path in paths:
        path.chmod(modes[path] & ~0o222)
    try:
        yield
    finally:
        for path, mode in modes.items():
            path.chmod(mode)


def in_read_only_mount(prefix: list[str], directory: Path, argv: list[str]) -> list[str]:
    script = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
    return [*prefix, "sh", "-c", script, str(directory), *argv]


@pytest.mark.parametrize("how", ["datei_und_verzeichnis", "nur_verzeichnis", "eingehaengt"])
def test_a_read_only_store_is_read_but_never_written_and_the_cli_says_so(base, store_dir, tmp_path, how):
    stored = (store_dir / DB_NAME).read_bytes()
    out = tmp_path / "ausgabe"
    out.mkdir()
    commands = {"import": geo_command("import", base / "b.csv", "--store", store_dir),
                "beiseitelegen": geo_command("speicher", "beiseitelegen", "--store", store_dir),
                "lesen": geo_command(*HOTSPOTS, "--store", store_dir, "--out", out / "zellen.csv"),
                # a store that does not exist yet, in a read-only directory
                "neu": geo_command("import", base / "b.csv", "--store", store_dir / "neu")}
    commands = {name: argv for name, argv in commands.items()  # each variant a part, to save time
                if name in {"datei_und_verzeichnis": {"import", "beiseitelegen", "lesen", "neu"},
                            "nur_verzeichnis": {"import"}, "eingehaengt": {"import", "beiseitelegen"}}[how]}
    if how == "eingehaengt":
        prefix = private_mounts()
        if prefix is None:
            pytest.skip("this system does not let a test mount in a private namespace (the permission "
                        "variants cover read-only stores)")
        done = {name: run(in_read_only_mount(prefix, store_dir, argv)) for name, argv in commands.items()}
    else:
        locked = [store_dir, store_dir / DB_NAME] if how == "datei_und_verzeichnis" else [store_dir]
        with no_write_permission(*locked):
            done = {name: run(argv, preexec_fn=as_ordinary_user) for name, argv in commands.items()}
    german_error(done["import"], READ_ONLY, UNCHANGED, "--store bzw. ATLAS_DATA_DIR")
    if "beiseitelegen" in done:
        german_error(done["beiseitelegen"], READ_ONLY)
    if "neu" in done:
        german_error(done["neu"], READ_ONLY, str(store_dir / "neu" / DB_NAME))
    if "lesen" in done:
        assert done["lesen"].returncode == 0, done["lesen"].stderr  # reading needs no write permission
        assert (out / "zellen.csv").stat().st_size > 0
    assert (store_dir / DB_NAME).read_bytes() == stored
    assert sorted(p.name for p in store_dir.iterdir()) == [DB_NAME]


def _limit_file_size(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_as_a_file_size_limit_stores_nothing_changes_nothing_and_the_cli_says_so(
        base, store_dir, tmp_path):
    before = contents(store_dir)
    limit = (store_dir / DB_NAME).stat().st_size + 16_384  # room for a few pages, not for 30,000 points
    out = tmp_path / "ausgabe"
    out.mkdir()
    imported = run(geo_command("import", base / "gross.csv", "--store", store_dir),
                   preexec_fn=_limit_file_size(limit))
    german_error(imported, str(store_dir / DB_NAME), IO_ERROR, UNCHANGED)  # EFBIG: SQLITE_IOERR_WRITE
    exported = run(geo_command(*HOTSPOTS, "--store", store_dir, "--out", out / "zellen.csv"),
                   preexec_fn=_limit_file_size(limit))
    german_error(exported, "zellen.csv: die Ausgabedatei kann nicht geschrieben werden")
    assert list(out.iterdir()) == []  # neither a part of the file nor a temporary one
    assert same_contents(contents(store_dir), before)  # the journal the failed write left is rolled back
    again = run(geo_command("import", base / "gross.csv", "--store", store_dir))  # with room again
    assert again.returncode == 0, again.stderr
    assert set(contents(store_dir)) == {"a", "gross"}


def test_a_full_disk_as_a_small_file_system_stores_nothing_changes_nothing_and_the_cli_says_so(
        base, store_dir, tmp_path):
    prefix = private_mounts()
    if prefix is None:
        pytest.skip("this system does not let a test mount a tmpfs (the file size limit variant "
                    "covers a full disk)")
    before = contents(store_dir)
    full, after, out = tmp_path / "voll", tmp_path / "danach", tmp_path / "ausgaben"
    for directory in (full, after, out):
        directory.mkdir()
    size_kib = (store_dir / DB_NAME).stat().st_size // 1024 + 64
    script = """
        mount -t tmpfs -o size="$SIZE"k tmpfs "$FULL" || exit 99
        cp "$STORE/vorfaelle.sqlite" "$FULL/"
        "$PY" -m geo import "$BIG" --store "$FULL" >"$OUT/import.out" 2>"$OUT/import.err"
        echo $? >"$OUT/import.rc"
        "$PY" -m geo hotspots --category graffiti --method gi --area 14522 --store "$FULL" \\
            --out "$FULL/zellen.csv" >"$OUT/export.out" 2>"$OUT/export.err"
        echo $? >"$OUT/export.rc"
        cp -a "$FULL/." "$AFTER/"
    """
    env = {"SIZE": str(size_kib), "FULL": str(full), "STORE": str(store_dir), "PY": sys.executable,
           "BIG": str(base / "gross.csv"), "OUT": str(out), "AFTER": str(after)}
    done = run([*prefix, "sh", "-c", script], env=env)
    assert done.returncode == 0, done.stderr
    for name in ("import", "export"):
        assert (out / f"{name}.rc").read_text().strip() == "2", (out / f"{name}.err").read_text()
        assert "Traceback" not in (out / f"{name}.err").read_text()
    assert FULL in (out / "import.err").read_text() and UNCHANGED in (out / "import.err").read_text()
    assert "zellen.csv: die Ausgabedatei kann nicht geschrieben werden (No space left on device)" in (
        out / "export.err").read_text()
    assert not (after / "zellen.csv").exists()
    assert same_contents(contents(after), before)  # opened from the full disk's copy, journal and all


def test_the_app_on_a_read_only_store_shows_its_data_and_refuses_to_delete_in_german(base, store_dir):
    stored = (store_dir / DB_NAME).read_bytes()
    with no_write_permission(store_dir, store_dir / DB_NAME):
        done = run([sys.executable, "-m", "tests.geo.store.app_child", "loeschen", "a"],
                   preexec_fn=as_ordinary_user, env={"ATLAS_DATA_DIR": str(store_dir)})
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout.splitlines()[-1])
    assert page["exceptions"] == []
    assert any(READ_ONLY in e and UNCHANGED in e for e in page["errors"]), page["errors"]
    assert any("Quelle: a" in c for c in page["captions"]), page["captions"]  # the data set is still shown
    assert (store_dir / DB_NAME).read_bytes() == stored


def test_the_app_on_a_full_disk_refuses_the_import_in_german_and_keeps_what_was_stored(base, store_dir):
    before = contents(store_dir)
    limit = (store_dir / DB_NAME).stat().st_size + 16_384
    done = run([sys.executable, "-m", "tests.geo.store.app_child", "importieren", str(base / "gross.csv")],
               preexec_fn=_limit_file_size(limit), env={"ATLAS_DATA_DIR": str(store_dir)})
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout.splitlines()[-1])
    assert page["exceptions"] == []
    assert any(IO_ERROR in e and UNCHANGED in e for e in page["errors"]), page["errors"]
    assert same_contents(contents(store_dir), before)
