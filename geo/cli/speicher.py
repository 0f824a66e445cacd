"""``python -m geo speicher beiseitelegen|migrieren|freigeben|protokoll``: managing the store.

``beiseitelegen [--store DIR]`` is the way out of a damaged embedded store (below). With
``ATLAS_DATABASE_URL`` set: ``migrieren [--mandant KEY]`` brings the PostGIS schema to the newest
version (:mod:`geo.store.schema`; ``--mandant`` owns rows from before Mandanten), ``freigeben NAME``
shares a dataset of ``$ATLAS_MANDANT`` with every Mandant (the PKS), and ``protokoll`` prints the
audit log (who imported, deleted or changed a measure, when) as CSV.

``beiseitelegen``:
Renames ``vorfaelle.sqlite`` to ``vorfaelle.sqlite.beschaedigt-<UTC time>`` (never over an existing
file, its journal with it; :meth:`geo.store.IncidentStore.set_aside`); the next import starts a
new, empty store. Nothing is deleted: the old file can be sent for recovery or put back.
"""

from __future__ import annotations

import argparse
import sys

from geo.cli.options import add_store
from geo.errors import AtlasError
from geo.store import IncidentStore, connect


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "speicher", help="den Datenspeicher verwalten (eine beschädigte Datei beiseitelegen)",
        description="Befehle für die Datei des Datenspeichers (vorfaelle.sqlite).")
    actions = parser.add_subparsers(dest="aktion", required=True, metavar="AKTION")
    aside = actions.add_parser(
        "beiseitelegen", help="die Datei umbenennen und mit einem leeren Datenspeicher beginnen",
        description="Benennt vorfaelle.sqlite in vorfaelle.sqlite.beschaedigt-<Zeit, UTC> um (eine "
                    "vorhandene Datei wird nie überschrieben). Der nächste Import beginnt einen neuen, "
                    "leeren Datenspeicher; gelöscht wird nichts.")
    add_store(aside)
    aside.set_defaults(run=run_set_aside)
    migrate = actions.add_parser(
        "migrieren", help="PostGIS: das Schema auf den neuesten Stand bringen (ATLAS_DATABASE_URL)",
        description="Führt die Schema-Migrationen der PostgreSQL/PostGIS-Datenbank aus ATLAS_DATABASE_URL "
                    "aus (als Eigentümer der Datenbank). Vorhandene Zeilen aus der Zeit vor den Mandanten "
                    "gehören danach dem Mandanten --mandant.")
    migrate.add_argument("--mandant", default=None, help="Gemeinde- (14xxxxxx) oder Kreisschlüssel (14xxx), "
                                                         "dem schon vorhandene Daten gehören")
    migrate.set_defaults(run=run_migrate)
    share = actions.add_parser(
        "freigeben", help="PostGIS: einen Datensatz für alle Mandanten freigeben (Admin, ATLAS_MANDANT)",
        description="Gibt einen Datensatz des Mandanten ATLAS_MANDANT für alle Mandanten zum Lesen frei "
                    "(z. B. die PKS); ändern und löschen kann ihn weiter nur dieser Mandant.")
    share.add_argument("name", help="Name des Datensatzes")
    share.add_argument("--zuruecknehmen", action="store_true", help="die Freigabe zurücknehmen")
    share.set_defaults(run=run_share)
    log = actions.add_parser(
        "protokoll", help="das Protokoll der Importe, Löschungen und Maßnahmen (CSV)",
        description="Gibt das Protokoll als CSV aus: zeit (UTC), wer, mandant, aktion, was.")
    add_store(log)
    log.set_defaults(run=run_log)


def _database_url() -> str:
    from geo.store.postgis import database_url

    url = database_url()
    if not url:
        raise AtlasError("ATLAS_DATABASE_URL ist nicht gesetzt: dieser Befehl gilt nur für "
                         "PostgreSQL/PostGIS.")
    return url


def run_migrate(args: argparse.Namespace) -> int:
    from geo.store import schema
    from geo.store.access import check_mandant
    from geo.store.postgis import describe

    url = _database_url()
    before = schema.current(url)
    now = schema.upgrade(url, mandant=check_mandant(args.mandant))
    print(f"Datenbank {describe(url)}: Schema {before or 'leer'} → {now}.")
    return 0


def run_share(args: argparse.Namespace) -> int:
    _database_url()
    connect().share(args.name, not args.zuruecknehmen)
    done = "Freigabe zurückgenommen" if args.zuruecknehmen else "für alle Mandanten freigegeben"
    print(f"Datensatz '{args.name}': {done}.")
    return 0


def run_log(args: argparse.Namespace) -> int:
    connect(args.store).audit_log().to_csv(sys.stdout, index=False)
    return 0


def run_set_aside(args: argparse.Namespace) -> int:
    store = IncidentStore(args.store)
    moved = store.set_aside()
    print(f"Datenspeicher beiseitegelegt: {store.path} heißt jetzt {moved.name} (unverändert, im selben "
          f"Verzeichnis). Der nächste Import beginnt einen neuen, leeren Datenspeicher.")
    return 0
