"""Where imported incidents live: the embedded store (:mod:`geo.store.embedded`, one SQLite
file per installation) and its point codec (:mod:`geo.store.chunks`)."""

from geo.store.embedded import (
    CHUNK,
    DB_NAME,
    SCHEMA_VERSION,
    DuplicateImportError,
    IncidentStore,
    StoreDamagedError,
    UnknownDatasetError,
    default_directory,
)

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
