"""The PostGIS schema comes from versioned migrations: a new database, and an existing database of
revision 0001 (one municipality, no Mandanten) upgraded with its data kept and given an owner."""

import psycopg
import pytest

from geo.cli import main
from geo.store import Principal, schema
from geo.store.postgis import PostgisStore
from tests.geo.incidents.conftest import DATA, NOW

FREIBERG = "14522180"


def old_installation(url: str) -> None:
    """A database as revision 0001 left it, with one dataset of two points and one measure."""
    schema.upgrade(url, revision="0001")
    with psycopg.connect(url) as conn:
        dataset = conn.execute(
            "INSERT INTO datasets (name, file_name, sha256, imported_at, kind, rows, accepted, rejected, "
            "ignored, period_start, period_end, demo, report) VALUES ('alt', 'alt.csv', 'abc', "
            "'2024-05-01T10:00:00+00:00', 'punkte', 2, 2, 0, 0, '2024-01-01', '2024-01-02', false, '{}') "
            "RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO incidents (dataset_id, x, y, category, t, ags) VALUES "
                     "(%s, 386123.5, 5642050.25, 0, '2024-01-01 22:00', '14522180'), "
                     "(%s, 386300.0, 5642100.0, 2, '2024-01-02 01:30', '14522180')", (dataset, dataset))
        conn.execute("INSERT INTO measures (created_at, created_by) VALUES ('2024-05-01', 'anna')")


def test_postgis_a_new_database_gets_the_newest_schema_by_migration(empty_postgis_url):
    assert schema.current(empty_postgis_url) is None
    with pytest.raises(schema.SchemaError, match="Schemaversion keine, dieses Programm braucht 0003"):
        PostgisStore(empty_postgis_url, principal=Principal("p", "planung", FREIBERG)).datasets()
    assert schema.upgrade(empty_postgis_url) == schema.newest() == "0003"
    store = PostgisStore(empty_postgis_url, principal=Principal("p", "planung", FREIBERG))
    assert store.import_file(DATA / "ordnungsamt_utf8_bom.csv", now=NOW).stored
    with psycopg.connect(empty_postgis_url) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes "
                                              "WHERE tablename = 'incidents'")}
        secured = conn.execute("SELECT bool_and(relrowsecurity AND relforcerowsecurity) FROM pg_class WHERE "
                               "relname IN ('datasets', 'incidents', 'aggregates', 'measures', "
                               "'measure_versions', 'audit_log')").fetchone()[0]
    assert {"incidents_geom", "incidents_category_t_cover", "incidents_ags", "incidents_dataset"} <= indexes
    assert not {"incidents_category_t", "incidents_mandant_category_t"} & indexes  # replaced by 0003
    assert secured


def test_postgis_an_existing_database_is_upgraded_with_its_data_kept_and_owned(empty_postgis_url):
    old_installation(empty_postgis_url)
    with pytest.raises(schema.SchemaError, match=r"schon Daten ohne Mandanten.*--mandant"):
        schema.upgrade(empty_postgis_url)
    assert schema.current(empty_postgis_url) == "0001"  # the refused upgrade changed nothing
    assert schema.upgrade(empty_postgis_url, mandant=FREIBERG) == "0003"
    freiberg = PostgisStore(empty_postgis_url, principal=Principal("p", "planung", FREIBERG))
    table = freiberg.point_table()
    assert table[["x", "y", "category", "dataset"]].values.tolist() == [
        [386123.5, 5642050.25, "graffiti", "alt"], [386300.0, 5642100.0, "violence", "alt"]]
    assert str(table["time"].iloc[1]) == "2024-01-02 01:30:00"
    other = PostgisStore(empty_postgis_url, principal=Principal("q", "planung", "14612000"))
    assert other.datasets().empty and other.point_table().empty
    with psycopg.connect(empty_postgis_url) as conn:
        assert conn.execute("SELECT mandant FROM measures").fetchall() == [(FREIBERG,)]


def test_postgis_the_cli_migrates_and_prints_the_log(empty_postgis_url, monkeypatch, capsys):
    old_installation(empty_postgis_url)
    monkeypatch.setenv("ATLAS_DATABASE_URL", empty_postgis_url)
    assert main(["speicher", "migrieren", "--mandant", "Freiberg"]) == 2
    assert "Mandant 'Freiberg' ist kein sächsischer" in capsys.readouterr().err
    assert main(["speicher", "migrieren", "--mandant", FREIBERG]) == 0
    assert "Schema 0001 → 0003" in capsys.readouterr().out
    monkeypatch.setenv("ATLAS_MANDANT", FREIBERG)
    assert main(["import", str(DATA / "ordnungsamt_utf8_bom.csv")]) == 0
    capsys.readouterr()
    assert main(["speicher", "protokoll"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "zeit,wer,mandant,aktion,was" and len(lines) == 2
    assert f"(Kommandozeile),{FREIBERG},import,\"Datensatz 'ordnungsamt_utf8_bom' aus" in lines[1]
