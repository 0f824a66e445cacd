"""A real PostgreSQL/PostGIS server for the tests: one throwaway cluster per test run on a free port
of 127.0.0.1 (:mod:`geo.store.pgcluster`, root-safe), a template database migrated to the newest
schema once, and a fresh copy of it for every test. Never skipped: without PostgreSQL and PostGIS
installed the tests fail, and ``make test`` installs them (Makefile target ``postgres``).

``backend`` runs a test once on each store; its ids are ``embedded`` and ``postgis``, so
``pytest -k postgis`` selects every test that touches PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from geo.store import IncidentStore
from geo.store.access import LOCAL, Principal

TEMPLATE = "atlas_vorlage"
#: The Mandant the PostGIS side of a `backend` test works for (Freiberg).
MANDANT = "14522180"
PLANUNG = Principal("planerin@freiberg.test", "planung", MANDANT)


@pytest.fixture(scope="session")
def pg_cluster():
    from geo.store import pgcluster, schema

    cluster = pgcluster.start()
    try:
        schema.upgrade(cluster.create_database(TEMPLATE))
        yield cluster
    finally:
        cluster.stop()


def new_database(cluster, *, template: str = TEMPLATE) -> str:
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return cluster.url_for(name)


def drop_database(cluster, url: str) -> None:
    import psycopg

    with psycopg.connect(cluster.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


@pytest.fixture
def postgis_url(pg_cluster):
    """A new database at the newest schema, dropped after the test."""
    url = new_database(pg_cluster)
    yield url
    drop_database(pg_cluster, url)


@pytest.fixture
def empty_postgis_url(pg_cluster):
    """A new database with PostGIS but no schema (for the migration tests)."""
    url = new_database(pg_cluster, template="template1")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    yield url
    drop_database(pg_cluster, url)


@dataclass
class Backend:
    """One store implementation: `make(principal)` opens it for that person."""

    name: str
    make: Callable
    url: str | None = None


@pytest.fixture(params=["embedded", "postgis"])
def backend(request, tmp_path) -> Backend:
    if request.param == "embedded":
        directory = tmp_path / "store"
        return Backend("embedded", lambda principal=LOCAL: IncidentStore(directory, principal=principal))
    from geo.store.postgis import PostgisStore

    url = request.getfixturevalue("postgis_url")
    return Backend("postgis", lambda principal=PLANUNG: PostgisStore(url, principal=principal), url)
