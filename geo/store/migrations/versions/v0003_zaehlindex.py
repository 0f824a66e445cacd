"""Zählindex: one covering B-tree for the counts, instead of two plain ones.

Measured with ``benchmarks/store_postgis.py`` at 10 M incidents: the counts per Gemeinde and per
grid cell read a category's year through ``(category, t)``, but fetched every matching row from the
table (or scanned the whole table: 154 k pages for 7 % of the rows), and the index on
``(mandant, category, t)`` was never chosen because the row-level-security policy is an ``OR``.
With ``ags``, ``x``, ``y`` and the policy's columns ``mandant`` and ``shared`` in the index, both
counts become index-only scans (13 k pages): 3.5–5.9 times faster than the embedded store instead
of 1.7–2.7, and the import 42 % faster. The GiST index on the point stays, for queries by place.

Revision ID: 0003
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.execute("CREATE INDEX incidents_category_t_cover ON incidents (category, t) "
               "INCLUDE (ags, x, y, mandant, shared)")
    op.execute("DROP INDEX incidents_category_t")
    op.execute("DROP INDEX incidents_mandant_category_t")
