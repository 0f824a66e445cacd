"""Where imported incidents live: the embedded store (:mod:`geo.store.embedded`, one SQLite
file per installation) or PostGIS for many municipalities (:mod:`geo.store.postgis`, chosen by
``ATLAS_DATABASE_URL``), both on :mod:`geo.store.base`; who may do what
(:mod:`geo.store.access`); opening and checking the file (:mod:`geo.store.database`), its point
codec (:mod:`geo.store.chunks`), setting a damaged file aside (:mod:`geo.store.aside`), the
PostGIS schema (:mod:`geo.store.schema`) and what can go wrong (:mod:`geo.store.errors`)."""

from pathlib import Path

from geo.store.access import LOCAL, AccessDeniedError, Principal
from geo.store.database import SCHEMA_VERSION
from geo.store.embedded import CHUNK, DB_NAME, IncidentStore, default_directory
from geo.store.errors import (
    DuplicateImportError,
    StoreBusyError,
    StoreDamagedError,
    StoreUnwritableError,
    UnknownDatasetError,
)

__all__ = [
    "CHUNK",
    "DB_NAME",
    "LOCAL",
    "SCHEMA_VERSION",
    "AccessDeniedError",
    "DuplicateImportError",
    "IncidentStore",
    "Principal",
    "StoreBusyError",
    "StoreDamagedError",
    "StoreUnwritableError",
    "UnknownDatasetError",
    "connect",
    "default_directory",
]


def connect(directory: str | Path | None = None, *, principal: Principal | None = None):
    """This installation's store for `principal`: PostGIS when ``ATLAS_DATABASE_URL`` is set,
    else the embedded file in `directory` (default :func:`default_directory`).

    Without `principal`: :data:`LOCAL` for the embedded store; for PostGIS the command line's
    operator (:func:`geo.store.access.operator`: admin, Mandant from ``ATLAS_MANDANT``).
    """
    from geo.store.postgis import PostgisStore, database_url

    url = database_url()
    if url:
        from geo.store.access import operator

        return PostgisStore(url, principal=principal or operator())
    return IncidentStore(directory, principal=principal or LOCAL)
