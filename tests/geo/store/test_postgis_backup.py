"""Backups of the PostGIS store (issue 14): ``python -m geo sicherung`` with ``ATLAS_DATABASE_URL`` makes a
checked ``pg_dump``, and a restore brings back exactly that state (rows, points, measures with their
history, audit log, sequences, row-level security, grants) in one transaction, or changes nothing."""

import dataclasses
import datetime as dt
import re
import uuid

import psycopg
import pytest

from geo.__main__ import main
from geo.incidents.demo import demo_csv
from geo.measures.register import MeasureRegister
from geo.store import pgbackup, schema
from geo.store.access import Principal
from geo.store.pgtools import find_tool, parse_major, require_version, run
from geo.store.postgis import PostgisStore
from tests.geo.incidents.conftest import DATA
from tests.geo.measures.test_register import Clock, lighting
from tests.geo.store.test_postgis_mandanten import DRESDEN, FREIBERG, TABLES, A, B, raw_session
from tests.postgis import drop_database

ORDER = {"measure_versions": "measure_id, version", "alembic_version": "version_num"}
PASSWORD = "geheim-9f3a"


def database_state(url):
    """Everything a restore must bring back, read as the superuser (sees every Mandant's rows)."""
    with psycopg.connect(url) as conn:
        def rows(sql):
            return conn.execute(sql).fetchall()

        return {
            **{t: rows(f"SELECT * FROM {t} ORDER BY {ORDER.get(t, 'id')}")
               for t in (*TABLES, "alembic_version")},
            "sequences": rows("SELECT sequencename, last_value FROM pg_sequences "
                              "WHERE schemaname = 'public' ORDER BY 1"),
            "security": rows("SELECT relname, relrowsecurity, relforcerowsecurity, relacl::text "
                             "FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                             "AND relkind IN ('r', 'S') AND relname <> 'spatial_ref_sys' ORDER BY 1"),
            "column_grants": rows("SELECT c.relname, a.attname, a.attacl::text FROM pg_attribute a "
                                  "JOIN pg_class c ON c.oid = a.attrelid "
                                  "WHERE c.relnamespace = 'public'::regnamespace "
                                  "AND a.attacl IS NOT NULL ORDER BY 1, 2"),
            "policies": rows("SELECT tablename, policyname, cmd, roles::text, qual, with_check "
                             "FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2"),
            "indexes": rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                            "ORDER BY 1"),
        }


def app_state(url):
    """What each Mandant's planner sees through the app's store (row-level security applied)."""
    seen = {}
    for who in (A, B):
        store = PostgisStore(url, principal=who)
        register = MeasureRegister(store)
        seen[who.mandant] = (store.datasets(), store.point_table(), store.aggregates(), store.audit_log(),
                             [(m, m.place.wkb) for m in register.current()],
                             [register.history(m.id) for m in register.current()])
    return seen


def same_app_state(first, second):
    def equal(a, b):
        if isinstance(a, list):
            return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
        return a.equals(b) if hasattr(a, "equals") else a == b

    return first.keys() == second.keys() and all(
        equal(x, y) for key in first for x, y in zip(first[key], second[key], strict=True))


@pytest.fixture
def two_mandanten(postgis_url, tmp_path):
    """Freiberg and Dresden: incidents, aggregates, a measure with two versions each side, log lines."""
    a, b = PostgisStore(postgis_url, principal=A), PostgisStore(postgis_url, principal=B)
    a.import_file(demo_csv(tmp_path / "a.csv", n=2_000, seed=1))
    a.import_file(DATA / "fallzahlen_gemeinden.csv")
    first = MeasureRegister(a, clock=Clock()).add(lighting(), "anna")
    MeasureRegister(a, clock=Clock()).update(first.id, "anna", status="beendet", end=dt.date(2024, 9, 30))
    b.import_file(demo_csv(tmp_path / "b.csv", n=1_500, seed=2))
    b.import_file(DATA / "pks_gemeinden_2022.csv")
    MeasureRegister(b, clock=Clock()).add(lighting(title="Dresdner Maßnahme"), "bert")
    return postgis_url


def with_password(url):
    """The test cluster trusts local logins, so a password in the URL is sent nowhere: it may only
    ever show up where the atlas would leak it."""
    return url.replace("atlas_admin@", f"atlas_admin:{PASSWORD}@")


def change_everything(url, tmp_path):
    a, b = PostgisStore(url, principal=A), PostgisStore(url, principal=B)
    a.delete("a")
    b.import_file(demo_csv(tmp_path / "neu.csv", n=300, seed=7))
    register = MeasureRegister(a, clock=Clock())
    register.update(register.current()[0].id, "anna", notes="nachts aus")
    register.add(lighting(title="Zweite Maßnahme"), "anna")


def test_postgis_backup_by_the_cli_restores_rows_points_measures_log_and_mandanten(
        two_mandanten, tmp_path, monkeypatch, capsys):
    url, store_dir = two_mandanten, tmp_path / "store"
    monkeypatch.setenv("ATLAS_DATABASE_URL", with_password(url))
    before, seen_before = database_state(url), app_state(url)
    assert len(before["incidents"]) == 3_500 and len(before["measure_versions"]) == 3

    assert main(["sicherung", "erstellen", "--store", str(store_dir)]) == 0
    made = capsys.readouterr()
    [dump] = (store_dir / "sicherungen").iterdir()  # no half-written file left beside it
    assert re.fullmatch(r"sicherung-\d{8}T\d{6}Z\.dump", dump.name) and dump.stat().st_mode & 0o077 == 0
    assert f"erstellt und geprüft: {dump}" in made.out
    assert "Schema 0003, 4 Datensätze, 2 Maßnahmen, Mandanten: 14522180, 14612000" in made.out
    assert PASSWORD not in made.out + made.err

    change_everything(url, tmp_path)
    assert database_state(url)["incidents"] != before["incidents"]
    assert database_state(url)["measure_versions"] != before["measure_versions"]

    assert main(["sicherung", "liste", "--store", str(store_dir)]) == 0
    assert f"  {dump.name}: " in capsys.readouterr().out
    assert main(["sicherung", "zurueckspielen", str(dump), "--store", str(store_dir)]) == 0
    restored = capsys.readouterr()
    assert "(in einer Transaktion)" in restored.out and PASSWORD not in restored.out + restored.err

    after = database_state(url)
    assert after.keys() == before.keys()
    assert {key for key in before if after[key] != before[key]} == set()
    assert same_app_state(app_state(url), seen_before)
    for mandant, other in ((DRESDEN, FREIBERG), (FREIBERG, DRESDEN)):  # RLS holds again, in the database
        with raw_session(url, mandant) as conn:
            for table in TABLES:
                owners = {r[0] for r in conn.execute(f"SELECT DISTINCT mandant FROM {table}")}
                assert owners == {mandant}, (mandant, table)
            others = conn.execute("SELECT count(*) FROM incidents WHERE mandant = %s", (other,)).fetchone()
            assert others[0] == 0
    # the app works on: its grants and the sequences came back with the tables
    PostgisStore(url, principal=B).import_file(demo_csv(tmp_path / "danach.csv", n=100, seed=9))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT min(id) FROM incidents WHERE dataset_id = (SELECT max(id) FROM datasets)"
                            ).fetchone()[0] > max(row[0] for row in before["incidents"])


def test_postgis_a_cut_off_or_foreign_dump_is_refused_and_changes_nothing(
        two_mandanten, pg_cluster, tmp_path, monkeypatch, capsys):
    url, store_dir = two_mandanten, tmp_path / "store"
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    good = pgbackup.create_dump(url, store_dir).path
    folder = good.parent
    (folder / "abgeschnitten.dump").write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    (folder / "ende-fehlt.dump").write_bytes(good.read_bytes()[:-10])  # its table of contents reads fine
    kept = good.read_bytes()
    foreign = folder / "fremd.dump"  # a sound archive, but of the cluster's database "postgres"
    dumped = run([str(find_tool("pg_dump")), "--format=custom", f"--file={foreign}", pg_cluster.url])
    assert dumped.returncode == 0
    (folder / "keine.dump").write_bytes(b"PGDMP" + bytes(range(256)) * 10)
    change_everything(url, tmp_path)
    changed = database_state(url)

    for name, reason in (("abgeschnitten.dump", "ist beschädigt"), ("ende-fehlt.dump", "ist beschädigt"),
                         ("keine.dump", "ist beschädigt"),
                         ("fremd.dump", "es fehlen die Tabellen aggregates, alembic_version")):
        assert main(["sicherung", "zurueckspielen", str(folder / name)]) == 2
        err = capsys.readouterr().err
        assert reason in err and "geändert wurde nichts" in err and "Traceback" not in err, name
    assert database_state(url) == changed
    assert main(["sicherung", "liste", "--store", str(store_dir)]) == 0
    listed = capsys.readouterr().out
    for name in ("abgeschnitten.dump", "ende-fehlt.dump", "fremd.dump", "keine.dump"):
        assert f"  {name}: UNBRAUCHBAR – " in listed
    assert f"  {good.name}: " in listed and f"  {good.name}: UNBRAUCHBAR" not in listed
    # never over an existing file, never a .sqlite for the database
    for target, text in ((good, "gibt es schon"),
                         (tmp_path / "x.sqlite", "ihre Sicherungen enden auf .dump")):
        assert main(["sicherung", "erstellen", "--ziel", str(target), "--store", str(store_dir)]) == 2
        assert text in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["abgeschnitten.dump", "ende-fehlt.dump", "fremd.dump", "keine.dump", good.name])
    assert good.read_bytes() == kept


def test_postgis_a_restore_that_fails_at_its_last_step_leaves_the_database_as_it_was(
        two_mandanten, tmp_path, monkeypatch, capsys):
    url = two_mandanten
    monkeypatch.setenv("ATLAS_DATABASE_URL", url)
    role = f"pruefrolle_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(url, autocommit=True) as conn:  # a grant the backup carries to its very end
            conn.execute(f"CREATE ROLE {role}")
            conn.execute(f"GRANT SELECT ON audit_log TO {role}")
        dump = pgbackup.create_dump(url, tmp_path).path
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"REVOKE ALL ON audit_log FROM {role}")
            conn.execute(f"DROP ROLE {role}")
        change_everything(url, tmp_path)
        changed = database_state(url)
        assert main(["sicherung", "zurueckspielen", str(dump)]) == 2
        err = capsys.readouterr().err
        assert f'role "{role}" does not exist' in err and "ist unverändert (eine Transaktion)" in err
        assert database_state(url) == changed  # tables, rows, policies: nothing dropped, nothing half-filled
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {role}")


def test_postgis_an_owner_without_superuser_rights_backs_up_and_restores_with_bypassrls_only(
        pg_cluster, tmp_path, monkeypatch, capsys):
    owner, name = f"eigner_{uuid.uuid4().hex[:8]}", f"t_{uuid.uuid4().hex[:12]}"
    admin_url = pg_cluster.url_for(name)
    url = pg_cluster.url_for(name, user=owner)
    with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE BYPASSRLS")
        conn.execute(f'CREATE DATABASE "{name}" OWNER {owner}')
    try:
        with psycopg.connect(admin_url, autocommit=True) as conn:  # PostGIS is installed by a superuser
            conn.execute("CREATE EXTENSION postgis")
            extension = conn.execute("SELECT oid FROM pg_extension WHERE extname = 'postgis'").fetchone()
        schema.upgrade(url)
        planner = Principal("a@freiberg.test", "planung", FREIBERG)
        PostgisStore(url, principal=planner).import_file(demo_csv(tmp_path / "a.csv", n=500, seed=3))
        before = database_state(admin_url)
        monkeypatch.setenv("ATLAS_DATABASE_URL", url)
        assert main(["sicherung", "erstellen", "--store", str(tmp_path / "store")]) == 0
        [dump] = (tmp_path / "store" / "sicherungen").iterdir()
        PostgisStore(url, principal=planner).delete("a")
        assert main(["sicherung", "zurueckspielen", str(dump)]) == 0, capsys.readouterr().err
        assert database_state(admin_url) == before
        with psycopg.connect(admin_url) as conn:  # the extension was neither dropped nor re-created
            now = conn.execute("SELECT oid FROM pg_extension WHERE extname = 'postgis'").fetchone()
            assert now == extension
            assert {r[0] for r in conn.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public' "
                                               "AND tablename <> 'spatial_ref_sys'")} == {owner}
        with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
            conn.execute(f"ALTER ROLE {owner} NOBYPASSRLS")
        capsys.readouterr()
        assert main(["sicherung", "erstellen", "--store", str(tmp_path / "store")]) == 2
        err = capsys.readouterr().err
        assert f"Der Datenbankbenutzer {owner} sieht wegen der Zeilensicherheit nicht" in err
        assert f"ALTER ROLE {owner} BYPASSRLS" in err
        assert list((tmp_path / "store" / "sicherungen").iterdir()) == [dump]
    finally:
        drop_database(pg_cluster, admin_url)
        with psycopg.connect(pg_cluster.url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE IF EXISTS {owner}")


def test_postgis_backup_tools_older_than_the_server_are_refused(postgis_url):
    with psycopg.connect(postgis_url) as conn:
        server = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10_000
    installed = parse_major(run([str(find_tool("pg_dump")), "--version"]).stdout.decode())
    assert installed >= server >= 12
    assert pgbackup.tools_for(postgis_url).keys() == {"pg_dump", "pg_restore", "psql"}
    older = f"pg_dump hat die Version {server - 1}, der Datenbankserver PostgreSQL {server}: ein älteres"
    with pytest.raises(pgbackup.BackupError, match=older):
        require_version("pg_dump", server - 1, server)
    require_version("pg_restore", server, server)
    require_version("pg_restore", server + 1, server)


def test_postgis_dump_info_counts_current_measures_not_versions(two_mandanten, tmp_path):
    url = two_mandanten
    register = MeasureRegister(PostgisStore(url, principal=B), clock=Clock())
    register.remove(register.current()[0].id, "bert")
    info = pgbackup.create_dump(url, tmp_path, target=tmp_path / "stand.dump")
    assert dataclasses.astuple(info)[3:] == ("0003", 4, 1, (FREIBERG, DRESDEN))


@pytest.mark.parametrize("fraction", [0.3, 0.6, 0.9])
def test_postgis_an_archive_that_breaks_off_while_it_is_restored_commits_nothing(two_mandanten, tmp_path,
                                                                                  fraction):
    """The check before a restore reads every block; should the file still break off while it is
    being restored (a disk failing, a file replaced meanwhile), nothing is committed either."""
    url = two_mandanten
    good = pgbackup.create_dump(url, tmp_path).path
    cut = tmp_path / "abgeschnitten.dump"
    cut.write_bytes(good.read_bytes()[: int(good.stat().st_size * fraction)])
    change_everything(url, tmp_path)
    changed = database_state(url)
    problem = pgbackup._restore(cut, url, pgbackup.tools_for(url))
    assert problem is not None and "end of file" in problem
    assert database_state(url) == changed
