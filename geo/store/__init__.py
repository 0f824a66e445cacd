"""Where imported incidents live: the embedded store (:mod:`geo.store.embedded`, one SQLite
file per installation), its point codec (:mod:`geo.store.chunks`) and what can go wrong
(:mod:`geo.store.errors`)."""

from geo.store.embedded import (
    CHUNK,
    DB_NAME,
    SCHEMA_VERSION,
    IncidentStore,
    default_directory,
)
from geo.store.errors import DuplicateImportError, StoreDamagedError, UnknownDatasetError

__all__ = [
    "CHUNK",
    "DB_NAME",
    "SCHEMA_VERSION",
    "DuplicateImportError",
    "IncidentStore",
    "StoreDamagedError",
    "UnknownDatasetError",
    "default_directory",
]
