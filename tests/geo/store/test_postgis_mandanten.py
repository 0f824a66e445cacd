"""Mandanten in PostGIS: row-level security keeps each municipality's rows its own, in the
database itself, whatever SQL a session runs; shared datasets (the PKS) are seen by all and
changed only by their owner."""

import psycopg
import pytest

from geo.incidents.demo import demo_csv
from geo.measures.register import MeasureRegister
from geo.store import AccessDeniedError, Principal, UnknownDatasetError
from geo.store.postgis import APP_ROLE, PostgisStore
from tests.geo.incidents.conftest import DATA, NOW
from tests.geo.measures.test_register import lighting

FREIBERG, DRESDEN = "14522180", "14612000"
A = Principal("a@freiberg.test", "planung", FREIBERG)
B = Principal("b@dresden.test", "planung", DRESDEN)
LAND = Principal("admin@lpr.test", "admin", "14")
TABLES = ("datasets", "incidents", "aggregates", "measures", "measure_versions", "audit_log")


@pytest.fixture
def two_mandanten(postgis_url, tmp_path):
    """Freiberg and Dresden, each with its own incidents, aggregates, a measure and log lines."""
    PostgisStore(postgis_url, principal=A).import_file(demo_csv(tmp_path / "a.csv", n=2_000, seed=1))
    PostgisStore(postgis_url, principal=A).import_file(DATA / "fallzahlen_gemeinden.csv")
    MeasureRegister(PostgisStore(postgis_url, principal=A)).add(lighting(), "anna")
    PostgisStore(postgis_url, principal=B).import_file(demo_csv(tmp_path / "b.csv", n=1_500, seed=2))
    PostgisStore(postgis_url, principal=B).import_file(DATA / "pks_gemeinden_2022.csv")
    MeasureRegister(PostgisStore(postgis_url, principal=B)).add(lighting(title="Dresdner Maßnahme"), "bert")
    return postgis_url


def raw_session(url: str, mandant: str, role: str = "planung") -> psycopg.Connection:
    """A connection as the app's database role for `mandant`, running its own SQL."""
    conn = psycopg.connect(url, autocommit=True)
    conn.execute(f"SET ROLE {APP_ROLE}")
    conn.execute("SELECT set_config('atlas.mandant', %s, false), set_config('atlas.rolle', %s, false)",
                 (mandant, role))
    return conn


def test_postgis_a_mandant_running_its_own_select_sees_no_row_of_another(two_mandanten):
    with psycopg.connect(two_mandanten) as owner:  # the superuser sees everything: what there is
        total = {t: owner.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
        of_b = {t: owner.execute(f"SELECT count(*) FROM {t} WHERE mandant = %s", (DRESDEN,)).fetchone()[0]
                for t in TABLES}
    assert all(of_b[t] > 0 for t in TABLES) and total["incidents"] == 3_500
    with raw_session(two_mandanten, FREIBERG) as conn:
        for table in TABLES:
            rows = conn.execute(f"SELECT * FROM {table}").fetchall()
            owners = {r[0] for r in conn.execute(f"SELECT DISTINCT mandant FROM {table}")}
            assert owners == {FREIBERG} and len(rows) == total[table] - of_b[table], table
        # not through a join, an aggregate or a guessed id either
        assert conn.execute("SELECT count(*) FROM incidents i JOIN datasets d ON d.id = i.dataset_id "
                            "WHERE d.mandant = %s", (DRESDEN,)).fetchone()[0] == 0
        others = conn.execute("SELECT count(*) FROM incidents WHERE mandant <> %s", (FREIBERG,)).fetchone()
        assert others[0] == 0


def test_postgis_a_mandant_cannot_write_rows_for_another(two_mandanten):
    with raw_session(two_mandanten, FREIBERG) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("INSERT INTO audit_log (at, who, mandant, action, what) VALUES "
                         "('2026-01-01', 'x', %s, 'import', 'untergeschoben')", (DRESDEN,))
        assert conn.execute("DELETE FROM incidents WHERE mandant = %s", (DRESDEN,)).rowcount == 0
        assert conn.execute("UPDATE datasets SET shared = true WHERE mandant = %s", (DRESDEN,)).rowcount == 0
    with raw_session(two_mandanten, DRESDEN) as conn:
        assert conn.execute("SELECT count(*) FROM incidents").fetchone()[0] == 1_500


def test_postgis_the_store_shows_each_mandant_only_its_own(two_mandanten):
    a, b = PostgisStore(two_mandanten, principal=A), PostgisStore(two_mandanten, principal=B)
    assert a.datasets()["name"].tolist() == ["a", "fallzahlen_gemeinden"]
    assert b.datasets()["name"].tolist() == ["b", "pks_gemeinden_2022"]
    assert len(a.point_table()) == 2_000 and len(b.point_table()) == 1_500
    assert b.gemeinde_counts()["count"].sum() == 1_500
    assert set(b.aggregates()["dataset"]) == {"pks_gemeinden_2022"}
    assert [m.title for m in MeasureRegister(b).current()] == ["Dresdner Maßnahme"]
    with pytest.raises(UnknownDatasetError):
        b.delete("a")  # invisible, so it does not exist for Dresden
    assert len(a.point_table()) == 2_000
    land = PostgisStore(two_mandanten, principal=LAND)  # the Land's admin reads across Mandanten
    assert sorted(land.datasets()["name"]) == ["a", "b", "fallzahlen_gemeinden", "pks_gemeinden_2022"]
    assert len(land.audit_log()) == len(a.audit_log()) + len(b.audit_log())


def test_postgis_a_shared_dataset_is_seen_by_all_and_changed_only_by_its_owner(two_mandanten):
    land = PostgisStore(two_mandanten, principal=LAND)
    land.import_file(DATA / "pks_gemeinden_2022.csv", name="PKS 2022")
    a, b = PostgisStore(two_mandanten, principal=A), PostgisStore(two_mandanten, principal=B)
    assert "PKS 2022" not in b.datasets()["name"].tolist()
    with pytest.raises(AccessDeniedError, match="Die Rolle Planung darf nicht: Datensätze für alle"):
        a.share("a")
    land.share("PKS 2022")
    for store in (a, b):
        assert "PKS 2022" in store.datasets()["name"].tolist()
        shared = store.aggregates(datasets=["PKS 2022"])
        assert len(shared) == len(land.aggregates(datasets=["PKS 2022"])) > 0
    with pytest.raises(AccessDeniedError, match=r"gehört Mandant 14 .*nur dort"):
        b.delete("PKS 2022")
    assert "PKS 2022" in b.datasets()["name"].tolist()
    assert land.audit_log()["aktion"].tolist()[-2:] == ["import", "freigeben"]


def test_postgis_writing_needs_a_mandant_and_the_right_role(postgis_url):
    nobody = PostgisStore(postgis_url, principal=Principal("ohne@x.test", "planung"))
    with pytest.raises(AccessDeniedError, match="keinem Mandanten zugeordnet"):
        nobody.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW)
    rat = PostgisStore(postgis_url, principal=Principal("rat@x.test", "rat", FREIBERG))
    with pytest.raises(AccessDeniedError, match="Die Rolle Rat darf nicht: Maßnahmen"):
        MeasureRegister(rat).add(lighting(), "rat")
    with psycopg.connect(postgis_url) as owner:
        assert owner.execute("SELECT count(*) FROM datasets").fetchone()[0] == 0
        assert owner.execute("SELECT count(*) FROM measures").fetchone()[0] == 0
