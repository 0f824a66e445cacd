"""Grundschema: datasets, incidents with PostGIS points, aggregates, the Maßnahmenregister.

The first PostGIS schema: one municipality per database, no Mandanten yet (those come with
:mod:`v0002_mandanten`). Points are rows with x/y in EPSG:25833 and a generated point geometry;
GiST on the geometry, B-trees on category and time, on the Gemeinde key (prefix searches for a
Kreis) and on the dataset.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None

STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS postgis",
    """CREATE TABLE datasets (
        id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, file_name text NOT NULL,
        sha256 text NOT NULL UNIQUE, imported_at text NOT NULL, kind text NOT NULL
        CHECK (kind IN ('punkte', 'aggregiert')), rows integer NOT NULL, accepted integer NOT NULL,
        rejected integer NOT NULL, ignored integer NOT NULL, period_start text, period_end text,
        demo boolean NOT NULL DEFAULT false, report text NOT NULL)""",
    """CREATE TABLE incidents (
        id bigserial PRIMARY KEY, dataset_id bigint NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        x double precision NOT NULL, y double precision NOT NULL,
        geom geometry(Point, 25833) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(x, y), 25833)) STORED,
        category smallint NOT NULL, t timestamp NOT NULL, ags text NOT NULL)""",
    "CREATE INDEX incidents_geom ON incidents USING gist (geom)",
    "CREATE INDEX incidents_category_t ON incidents (category, t)",
    "CREATE INDEX incidents_ags ON incidents (ags text_pattern_ops)",
    "CREATE INDEX incidents_dataset ON incidents (dataset_id)",
    """CREATE TABLE aggregates (
        id bigserial PRIMARY KEY, dataset_id bigint NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        dataset text NOT NULL, area_key text NOT NULL, level text NOT NULL, category text NOT NULL,
        period_start text NOT NULL, period_end text NOT NULL, count integer NOT NULL)""",
    "CREATE INDEX aggregates_dataset ON aggregates (dataset_id)",
    "CREATE TABLE measures (id bigserial PRIMARY KEY, created_at text NOT NULL, created_by text NOT NULL)",
    """CREATE TABLE measure_versions (
        measure_id bigint NOT NULL REFERENCES measures(id), version integer NOT NULL,
        changed_at text NOT NULL, changed_by text NOT NULL, action text NOT NULL
        CHECK (action IN ('angelegt', 'geändert', 'gelöscht')), title text NOT NULL, kind text NOT NULL,
        categories text NOT NULL, place bytea NOT NULL, place_kind text NOT NULL, ags text NOT NULL,
        start text NOT NULL, end_date text, responsible text NOT NULL, cost_eur double precision,
        status text NOT NULL, decision text NOT NULL, notes text NOT NULL,
        PRIMARY KEY (measure_id, version))""",
)


def upgrade() -> None:
    for statement in STATEMENTS:
        op.execute(statement)
