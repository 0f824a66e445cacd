"""The PostGIS store's schema: versioned alembic migrations (``geo/store/migrations/versions``),
run by ``python -m geo speicher migrieren`` and by the tests, never by ad-hoc DDL.

The migrations run as the database's owner (the URL's user); the app itself then works as the
role ``atlas_app`` that they create, which row-level security binds (:mod:`geo.store.postgis`).
"""

from __future__ import annotations

import functools
from pathlib import Path

from geo.errors import AtlasError

MIGRATIONS = Path(__file__).with_name("migrations")
HEAD = "head"


class SchemaError(AtlasError, RuntimeError):
    """The database's schema is missing, too old or cannot be upgraded (German message)."""


def sqlalchemy_url(url: str) -> str:
    """`url` (``postgresql://…``, as psycopg and libpq take it) for SQLAlchemy's psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _config(connection, mandant: str | None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    config.attributes["mandant"] = mandant
    return config


def upgrade(url: str, *, revision: str = HEAD, mandant: str | None = None) -> str:
    """Bring the database at `url` to `revision` (default: the newest); return the revision now.

    `mandant` owns rows that exist from before Mandanten (revision 0002, see there)."""
    import sqlalchemy
    from alembic import command

    engine = sqlalchemy.create_engine(sqlalchemy_url(url), poolclass=sqlalchemy.pool.NullPool)
    try:
        with engine.begin() as connection:
            try:
                command.upgrade(_config(connection, mandant), revision)
            except RuntimeError as err:  # a migration's own refusal (German)
                raise SchemaError(str(err)) from err
        return current(url)
    finally:
        engine.dispose()


def current(url: str) -> str | None:
    """The database's schema revision ("0002"), or None before the first migration."""
    import psycopg

    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT to_regclass('alembic_version')").fetchone()[0]
        if found is None:
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None


@functools.cache
def newest() -> str:
    """The newest revision this program knows (read once per process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()
