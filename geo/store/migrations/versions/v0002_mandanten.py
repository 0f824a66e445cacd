"""Mandanten: every row gets an owner (a Gemeinde or Kreis key), row-level security, shared
datasets, an append-only audit log, and the role ``atlas_app`` the app works as.

Rows that exist already need an owner: ``upgrade`` takes it from the alembic attribute
``mandant`` (``python -m geo speicher migrieren --mandant 14522250``) and refuses to run
without it when there are rows, so nothing is silently given to nobody.

Policies (all tables ``FORCE``: the tables' owner is bound too; only a superuser or a role with
BYPASSRLS is not, so the app never connects as one: it switches to ``atlas_app``):

* read: own Mandant (``atlas.mandant`` of the transaction), datasets marked ``shared`` (the
  shipped PKS), or everything for ``atlas.rolle = 'admin'``;
* write (insert, update, delete): own Mandant only, shared or not.

Revision ID: 0002
"""

from alembic import context, op

revision = "0002"
down_revision = "0001"

MINE = "mandant = current_setting('atlas.mandant', true)"
ADMIN = "current_setting('atlas.rolle', true) = 'admin'"
OWNED = ("datasets", "incidents", "aggregates", "measures", "measure_versions")
SHARED = ("datasets", "incidents", "aggregates")
OWNER_KEY = "mandant ~ '^14([0-9]{3}|[0-9]{6})?$'"


class MigrationError(RuntimeError):
    """The upgrade cannot run as asked (German message)."""


def _existing_rows() -> int:
    bind = op.get_bind()
    return sum(bind.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() for table in OWNED)


def upgrade() -> None:
    owner = context.config.attributes.get("mandant")
    if owner is None and _existing_rows():
        raise MigrationError("Die Datenbank enthält schon Daten ohne Mandanten. Beim Upgrade angeben, "
                             "wem sie gehören: python -m geo speicher migrieren --mandant <Gemeinde- "
                             "oder Kreisschlüssel>.")
    for table in OWNED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN mandant text")
        if owner is not None:
            op.get_bind().exec_driver_sql(f"UPDATE {table} SET mandant = %(owner)s", {"owner": owner})
        op.execute(f"ALTER TABLE {table} ALTER COLUMN mandant SET NOT NULL, "
                   f"ALTER COLUMN mandant SET DEFAULT current_setting('atlas.mandant'), "
                   f"ADD CONSTRAINT {table}_mandant_key CHECK ({OWNER_KEY})")
    for table in SHARED:
        op.execute(f"ALTER TABLE {table} ADD COLUMN shared boolean NOT NULL DEFAULT false")
    op.execute("ALTER TABLE datasets DROP CONSTRAINT datasets_name_key, DROP CONSTRAINT datasets_sha256_key, "
               "ADD CONSTRAINT datasets_mandant_name UNIQUE (mandant, name), "
               "ADD CONSTRAINT datasets_mandant_sha256 UNIQUE (mandant, sha256)")
    op.execute("CREATE INDEX incidents_mandant_category_t ON incidents (mandant, category, t)")
    op.execute("""CREATE TABLE audit_log (
        id bigserial PRIMARY KEY, at text NOT NULL, who text NOT NULL,
        mandant text DEFAULT current_setting('atlas.mandant', true), action text NOT NULL,
        what text NOT NULL)""")
    op.execute("""DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'atlas_app') THEN
            CREATE ROLE atlas_app NOLOGIN;
        END IF;
        END $$""")
    op.execute("GRANT atlas_app TO CURRENT_USER")
    op.execute("GRANT USAGE ON SCHEMA public TO atlas_app")
    op.execute("GRANT SELECT, INSERT, DELETE ON datasets, incidents, aggregates TO atlas_app")
    op.execute("GRANT UPDATE (shared) ON datasets, incidents, aggregates TO atlas_app")
    # the register and the log only grow: no UPDATE, no DELETE for the app
    op.execute("GRANT SELECT, INSERT ON measures, measure_versions, audit_log TO atlas_app")
    op.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO atlas_app")
    for table in (*OWNED, "audit_log"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        shared = " OR shared" if table in SHARED else ""
        op.execute(f"CREATE POLICY {table}_lesen ON {table} FOR SELECT USING ({MINE}{shared} OR {ADMIN})")
        op.execute(f"CREATE POLICY {table}_anlegen ON {table} FOR INSERT WITH CHECK ({MINE})")
        if table in SHARED:
            op.execute(f"CREATE POLICY {table}_aendern ON {table} FOR UPDATE USING ({MINE}) "
                       f"WITH CHECK ({MINE})")
            op.execute(f"CREATE POLICY {table}_loeschen ON {table} FOR DELETE USING ({MINE})")
