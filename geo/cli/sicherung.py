"""``python -m geo sicherung erstellen|liste|zurueckspielen``: backups of the data store.

The embedded store (``vorfaelle.sqlite``, with the Maßnahmenregister; ``.zip`` also the OSM data) is
backed up with SQLite's online backup API while app and imports keep running, and restored in place
(:mod:`geo.store.backup`, :mod:`geo.store.restore`). With ``ATLAS_DATABASE_URL`` set the store is a
PostgreSQL database: ``pg_dump --format=custom`` into ``<store>/sicherungen/*.dump``, restored in one
transaction (:mod:`geo.store.pgbackup`). Exit codes: 0 done, 2 unusable backup file or store, nothing
changed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli.options import add_store
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.lang import phrase
from geo.store import default_directory, pgbackup
from geo.store.backup import FOLDER, BackupInfo, create_backup, list_backups
from geo.store.postgis import describe
from geo.store.restore import restore_backup


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sicherung", help="den Datenspeicher sichern, Sicherungen auflisten und zurückspielen",
        description="Sicherungen des Datenspeichers (vorfaelle.sqlite mit Vorfällen und Maßnahmenregister; "
                    "als .zip zusätzlich die OSM-Daten); mit ATLAS_DATABASE_URL die PostgreSQL-Datenbank "
                    "(pg_dump, .dump). Exit-Code 0: erledigt, 2: Datei oder Datenspeicher unbrauchbar, "
                    "nichts geändert.")
    actions = parser.add_subparsers(dest="aktion", required=True, metavar="AKTION")
    make = actions.add_parser(
        "erstellen", help="eine Sicherung anlegen (auch während eines Imports)",
        description="Kopiert einen stimmigen Stand des Datenspeichers (SQLite-Online-Backup), prüft "
                    "die Kopie und legt sie unter neuem Namen ab (nie über eine vorhandene Datei). Mit "
                    "ATLAS_DATABASE_URL: pg_dump --format=custom der Datenbank, vor dem Umbenennen "
                    "vollständig mit pg_restore gelesen.")
    add_store(make)
    make.add_argument("--ziel", type=Path, default=None,
                      help=f"Datei der Sicherung: .sqlite (nur Datenspeicher) oder .zip (mit OSM-Daten), "
                           f".dump für PostgreSQL; Standard: <store>/{FOLDER}/sicherung-<Zeit, UTC>.zip, "
                           f".sqlite bzw. .dump")
    make.set_defaults(run=run_create)
    listing = actions.add_parser("liste", help="die Sicherungen in <store>/sicherungen zeigen",
                                 description="Zeigt jede Sicherung mit Zeit (UTC), Größe, Datensätzen und "
                                             "Zahl der Maßnahmen; unbrauchbare Dateien mit dem Grund.")
    add_store(listing)
    listing.set_defaults(run=run_list)
    back = actions.add_parser(
        "zurueckspielen", help="den Datenspeicher auf den Stand einer Sicherung bringen",
        description="Prüft die Sicherung, legt den jetzigen Datenspeicher als Kopie beiseite "
                    "(vorfaelle.sqlite.vor-zurueckspielen-<Zeit, UTC>) und übernimmt den Stand der Sicherung "
                    "in einem Schritt. Mit ATLAS_DATABASE_URL: die .dump-Datei in einer Transaktion (alle "
                    "Tabellen, Zeilensicherheit und Rechte wie zur Zeit der Sicherung). Eine beschädigte "
                    "oder fremde Datei ändert nichts (Exit-Code 2).")
    back.add_argument("datei", type=Path, help="die Sicherung (.sqlite oder .zip; .dump für PostgreSQL)")
    add_store(back)
    back.set_defaults(run=run_restore)


def _database_url() -> str:
    from geo.store.postgis import database_url

    return database_url()


def _check_suffix(path: Path, url: str) -> None:
    """A ``.dump`` belongs to the PostgreSQL store, ``.sqlite``/``.zip`` to the embedded one."""
    if bool(url) != (path.suffix.lower() == pgbackup.SUFFIX):
        raise AtlasError(phrase(
            "{file}: mit ATLAS_DATABASE_URL ist der Datenspeicher eine PostgreSQL-Datenbank, ihre "
            "Sicherungen enden auf .dump; ohne sind es .sqlite- oder .zip-Dateien. Geändert wurde nichts.",
            file=str(path)))


def _describe_dump(info: pgbackup.DumpInfo) -> str:
    owners = ", ".join(info.mandanten) or "keine"
    return (f"{info.created:%d.%m.%Y %H:%M:%S} UTC, {_size(info.size)}, Schema {info.revision}, "
            f"{info.datasets} Datensätze, {zahl(info.measures)} Maßnahmen, Mandanten: {owners}")


def _describe(info: BackupInfo) -> str:
    names = ", ".join(info.datasets) or "keine"
    osm = "mit OSM-Daten" if info.osm else "ohne OSM-Daten"
    return (f"{info.created:%d.%m.%Y %H:%M:%S} UTC, {_size(info.size)}, {len(info.datasets)} Datensätze "
            f"({names}), {zahl(info.measures)} Maßnahmen, {osm}")


def _size(size: int) -> str:
    return f"{zahl(size / 1e6, 1)} MB" if size >= 100_000 else f"{zahl(size / 1e3, 1)} kB"


def run_create(args: argparse.Namespace) -> int:
    directory = args.store or default_directory()
    if url := _database_url():
        return _create_dump(url, directory, args.ziel)
    info = create_backup(directory, target=args.ziel)
    print(f"Sicherung erstellt und geprüft: {info.path}")
    print(f"  {_describe(info)}")
    if not info.osm:
        print("  Die OSM-Daten sind nicht enthalten; sie lassen sich mit „python -m geo osm DATEI.osm.pbf“ "
              "neu übernehmen (oder als .zip mitsichern).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    directory = args.store or default_directory()
    found = pgbackup.list_dumps(directory) if _database_url() else list_backups(directory)
    if not found:
        print(f"Keine Sicherungen in {directory / FOLDER}.")
        return 0
    print(f"Sicherungen in {directory / FOLDER}:")
    for item in found:
        if isinstance(item, BackupInfo | pgbackup.DumpInfo):
            text = _describe(item) if isinstance(item, BackupInfo) else _describe_dump(item)
            print(f"  {item.path.name}: {text}")
        else:
            print(f"  {item[0].name}: UNBRAUCHBAR – {item[1]}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    url = _database_url()
    _check_suffix(args.datei, url)
    if url:
        return _restore_dump(url, args.datei)
    directory = args.store or default_directory()
    done = restore_backup(args.datei, directory)
    print(f"Sicherung zurückgespielt: {args.datei} → {directory}")
    print(f"  jetzt: {_describe(done.info)}")
    if done.kept is not None:
        print(f"  Der bisherige Datenspeicher liegt unverändert in {done.kept.name} (im selben Verzeichnis).")
    if done.osm_kept is not None:
        print(f"  Die bisherigen OSM-Daten liegen unverändert in {done.osm_kept}.")
    elif not done.info.osm:
        print("  Die OSM-Daten sind nicht in der Sicherung; die vorhandenen bleiben, wie sie sind.")
    return 0


def _create_dump(url: str, directory: Path, target: Path | None) -> int:
    if target is not None:
        _check_suffix(target, url)
    info = pgbackup.create_dump(url, directory, target=target)
    print(f"Sicherung der Datenbank {describe(url)} erstellt und geprüft: {info.path}")
    print(f"  {_describe_dump(info)}")
    return 0


def _restore_dump(url: str, path: Path) -> int:
    from geo.store import schema

    info = pgbackup.restore_dump(path, url)
    print(f"Sicherung zurückgespielt: {path} → Datenbank {describe(url)} (in einer Transaktion)")
    print(f"  jetzt: {_describe_dump(info)}")
    if info.revision != schema.newest():
        print(f"  Die Sicherung hat die Schemaversion {info.revision}, dieses Programm braucht "
              f"{schema.newest()}: python -m geo speicher migrieren")
    return 0
