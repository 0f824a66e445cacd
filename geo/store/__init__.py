"""Where imported incidents live: the embedded store (:mod:`geo.store.embedded`, one SQLite
file per installation), opening and checking that file (:mod:`geo.store.database`), its point
codec (:mod:`geo.store.chunks`), setting a damaged file aside (:mod:`geo.store.aside`) and what
can go wrong (:mod:`geo.store.errors`)."""

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
    "SCHEMA_VERSION",
    "DuplicateImportError",
    "IncidentStore",
    "StoreBusyError",
    "StoreDamagedError",
    "StoreUnwritableError",
    "UnknownDatasetError",
    "default_directory",
]
