"""The PostGIS store's schema as alembic migrations (:mod:`geo.store.schema` runs them)."""
