"""Backups of the PostGIS store (``ATLAS_DATABASE_URL``): ``pg_dump``, checked, restored all or nothing.

* **Make** (:func:`create_dump`): ``pg_dump --format=custom`` (a consistent snapshot; app and imports
  keep running) into a hidden file beside the target, read back whole (``pg_restore --list`` and every
  data block: a cut-off file fails) and only then linked to its name, never over an existing file.
  Reading every Mandant's rows needs a user that row-level security does not bind (``BYPASSRLS``).
* **Restore** (:func:`restore_dump`) in **one transaction**: drop every table and view of ``public``
  that no extension owns, create the archive's tables, rows, policies and grants, and ``COMMIT`` only
  if all of it worked (a failure even in the last ``GRANT`` leaves the database as it was). It is
  ``pg_restore``'s SQL fed to ``psql``, so that tables the archive lacks (a newer migration's) go in
  the same transaction. Not ``pg_restore --clean``: that drops and re-creates the PostGIS extension,
  which only its owner (a superuser) may. The extension and ``spatial_ref_sys`` stay as they are.
  App sessions wait for the restore's locks, then see the restored state.

The tools get the URL without its password (that goes in ``PGPASSWORD``); messages name the database
by :func:`geo.store.postgis.describe`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from geo.lang import phrase
from geo.store.backup import FOLDER, BackupError, _created, _place, utc_stamp
from geo.store.pgtools import clean, connect, find_tool, libpq, run, tools_for
from geo.store.postgis import APP_ROLE, describe

SUFFIX = ".dump"
#: Tables every backup of the atlas's database holds (the migrations' tables).
TABLES = frozenset({"alembic_version", "datasets", "incidents", "aggregates", "measures", "measure_versions"})
#: TOC entries not restored: the extension stays as it is (its comment needs its owner, its
#: reference table keeps its own rows).
_SKIPPED = re.compile(r"^\d+; \d+ \d+ (COMMENT - EXTENSION |TABLE DATA public spatial_ref_sys )")
_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", re.MULTILINE)
_CLEAR = """SET client_min_messages = warning;
BEGIN;
DO $atlas$ DECLARE item text; BEGIN
    FOR item IN SELECT format('DROP %s IF EXISTS public.%I CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW'
            WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, c.relname)
        FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND d.deptype = 'e')
    LOOP EXECUTE item; END LOOP;
END $atlas$;
"""


@dataclasses.dataclass(frozen=True)
class DumpInfo:
    """What a database backup holds: file, time (UTC, from its name), size in bytes, schema revision,
    number of data sets, current measures, and the Mandanten that own rows."""

    path: Path
    created: dt.datetime
    size: int
    revision: str
    datasets: int
    measures: int
    mandanten: tuple[str, ...]


# --- checking -----------------------------------------------------------------------------------
def _refused(label: str, reason: str) -> BackupError:
    return BackupError(phrase(
        "Die Sicherung {file} ist beschädigt oder keine Sicherung einer Datenbank des Präventionsatlas "
        "({reason}); sie wird nicht verwendet, geändert wurde nichts.", file=label, reason=reason))


def _toc(path: Path, pg_restore: Path) -> str:
    """The archive's table of contents; every data block read once (a cut-off file fails here)."""
    label = str(path)
    if not path.is_file():
        raise BackupError(phrase("Die Sicherung {file} gibt es nicht.", file=label))
    listed = run([str(pg_restore), "--list", str(path)])
    if listed.returncode != 0:
        raise _refused(label, listed.stderr or "pg_restore --list")
    whole = run([str(pg_restore), f"--file={os.devnull}", str(path)])
    if whole.returncode != 0:
        raise _refused(label, whole.stderr or "pg_restore")
    return listed.stdout.decode("utf-8", "replace")


def _copy_rows(path: Path, pg_restore: Path, tables: tuple[str, ...]) -> dict[str, list[dict[str, str]]]:
    """The rows of the small `tables` of the archive (``COPY`` text: columns by name, ``\\N`` is None)."""
    names = [f"--table={name}" for name in tables]
    done = run([str(pg_restore), "--data-only", *names, "--file=-", str(path)])
    if done.returncode != 0:
        raise _refused(str(path), done.stderr or "pg_restore --data-only")
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in tables}
    current: tuple[str, list[str]] | None = None
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        if current is None:
            head = re.match(r"^COPY public\.(\w+) \((.*)\) FROM stdin;$", line)
            if head:
                current = (head.group(1), [c.strip().strip('"') for c in head.group(2).split(",")])
        elif line == "\\.":
            current = None
        else:
            rows.setdefault(current[0], []).append(dict(zip(current[1], line.split("\t"), strict=False)))
    return rows


def _known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from geo.store.schema import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def dump_info(path: Path, pg_restore: Path | None = None) -> DumpInfo:
    """What the backup `path` holds, checked as before a restore (``BackupError`` if unusable)."""
    pg_restore = pg_restore or find_tool("pg_restore")
    tables = {name for schema, name in _TABLE.findall(_toc(path, pg_restore)) if schema == "public"}
    if not tables >= TABLES:
        raise BackupError(phrase(
            "{file} ist keine Sicherung einer Datenbank des Präventionsatlas (es fehlen die Tabellen "
            "{tables}); geändert wurde nichts.", file=str(path), tables=", ".join(sorted(TABLES - tables))))
    rows = _copy_rows(path, pg_restore, ("alembic_version", "datasets", "measure_versions"))
    revision = rows["alembic_version"][0]["version_num"] if rows["alembic_version"] else "?"
    if revision not in _known_revisions():
        raise BackupError(phrase(
            "{file} hat die Schemaversion {found}, die dieses Programm nicht kennt (es kennt bis {known}); "
            "die Sicherung wird nicht verwendet, geändert wurde nichts.", file=str(path), found=revision,
            known=max(_known_revisions())))
    newest: dict[str, dict[str, str]] = {}
    for row in rows["measure_versions"]:
        if int(row["version"]) > int(newest.get(row["measure_id"], {}).get("version", 0)):
            newest[row["measure_id"]] = row
    measures = sum(row["action"] != "gelöscht" for row in newest.values())
    owners = {row.get("mandant") for table in ("datasets", "measure_versions") for row in rows[table]}
    return DumpInfo(path, _created(path, {}), path.stat().st_size, revision, len(rows["datasets"]), measures,
                    tuple(sorted(o for o in owners if o and o != "\\N")))


def list_dumps(directory: Path) -> list[DumpInfo | tuple[Path, str]]:
    """The database backups in ``<directory>/sicherungen``, oldest first: a `DumpInfo` each, or
    ``(path, reason)`` for a file that cannot be used."""
    folder = directory / FOLDER
    files = sorted(p for p in folder.iterdir() if p.suffix == SUFFIX and not p.name.startswith(".")) \
        if folder.is_dir() else []
    pg_restore = find_tool("pg_restore") if files else None
    found: list[DumpInfo | tuple[Path, str]] = []
    for path in files:
        try:
            found.append(dump_info(path, pg_restore))
        except BackupError as err:
            found.append((path, str(err)))

    def order(item: DumpInfo | tuple[Path, str]) -> tuple[dt.datetime, str]:
        path = item.path if isinstance(item, DumpInfo) else item[0]
        return _created(path, {}), path.name

    return sorted(found, key=order)


# --- making a backup ----------------------------------------------------------------------------
def _may_read_all(url: str) -> None:
    """Refuse a database without the atlas's schema, or a user that row-level security binds."""
    with connect(url) as conn:
        if conn.execute("SELECT to_regclass('public.alembic_version')").fetchone()[0] is None:
            raise BackupError(phrase("Die Datenbank {db} hat kein Schema des Präventionsatlas (python -m geo "
                                     "speicher migrieren); gesichert wurde nichts.", db=describe(url)))
        user, free = conn.execute("SELECT current_user, rolsuper OR rolbypassrls FROM pg_roles "
                                  "WHERE rolname = current_user").fetchone()
    if not free:
        raise BackupError(phrase(
            "Der Datenbankbenutzer {user} sieht wegen der Zeilensicherheit nicht die Zeilen aller Mandanten "
            "und kann die Datenbank {db} daher nicht vollständig sichern. Für Sicherungen einen Benutzer "
            "mit BYPASSRLS verwenden (als Superuser: ALTER ROLE {user} BYPASSRLS); gesichert wurde nichts.",
            user=user, db=describe(url)))


def create_dump(url: str, directory: Path, *, target: Path | None = None,
                now: dt.datetime | None = None) -> DumpInfo:
    """Back up the database at `url` with ``pg_dump --format=custom``.

    Parameters
    ----------
    url : str
        libpq URL of the atlas's database (``$ATLAS_DATABASE_URL``).
    directory : Path
        The data directory; the default target is ``<directory>/sicherungen/sicherung-<UTC time>.dump``
        (``-2``, ``-3``, ... if that name is taken).
    target : Path, optional
        The backup file (``.dump``); never replaced if it exists.
    now : datetime, optional
        The time in the default name; default now.

    Returns
    -------
    DumpInfo
        What the backup holds, read back from the file.
    """
    stamp = utc_stamp(now)
    if target is None:
        candidates = iter(directory / FOLDER / f"sicherung-{stamp}{'' if n == 1 else f'-{n}'}{SUFFIX}"
                          for n in range(1, 1000))
    else:
        if target.suffix.lower() != SUFFIX:
            raise BackupError(phrase("{file}: eine Sicherung der PostgreSQL-Datenbank endet auf .dump.",
                                     file=str(target)))
        if target.exists():
            raise BackupError(phrase("{file} gibt es schon; eine Sicherung überschreibt keine Datei. Bitte "
                                     "einen anderen Namen wählen.", file=str(target)))
        candidates = iter([target])
    tools = tools_for(url, ("pg_dump", "pg_restore"))
    _may_read_all(url)
    first = next(candidates)
    first.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".sicherung-", suffix=f"{SUFFIX}.teil", dir=first.parent)
    os.close(handle)  # mkstemp made it 0600: only the owner reads a backup
    partial = Path(name)
    try:
        conninfo, env = libpq(url)
        done = run([str(tools["pg_dump"]), "--format=custom", "--no-password", f"--file={partial}",
                     f"--dbname={conninfo}"], env=env, url=url)
        if done.returncode != 0:
            raise BackupError(phrase("pg_dump konnte die Datenbank {db} nicht sichern: {reason}; gesichert "
                                     "wurde nichts.", db=describe(url), reason=done.stderr))
        checked = dump_info(partial, tools["pg_restore"])
        placed = _place(partial, first, candidates)
    finally:
        partial.unlink(missing_ok=True)
    return dataclasses.replace(checked, path=placed, created=_created(placed, {}))


# --- restoring ----------------------------------------------------------------------------------
def restore_dump(path: Path, url: str) -> DumpInfo:
    """Make the database at `url` the state of backup `path`, in one transaction (see module doc).

    Returns what the database now holds; ``BackupError`` (nothing changed) for an unusable backup,
    a missing role ``atlas_app`` or a failure while restoring.
    """
    tools = tools_for(url)
    info = dump_info(path, tools["pg_restore"])
    with connect(url) as conn:
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)).fetchone() is None:
            raise BackupError(phrase(
                "Auf dem Datenbankserver von {db} fehlt die Rolle {role}, der die Sicherung Rechte gibt. "
                "Zuerst python -m geo speicher migrieren (legt sie an), dann erneut zurückspielen; geändert "
                "wurde nichts.", db=describe(url), role=APP_ROLE))
    problem = _restore(path, url, tools)
    if problem is not None:
        raise BackupError(phrase("Die Sicherung {file} konnte nicht zurückgespielt werden: {reason}. Die "
                                 "Datenbank {db} ist unverändert (eine Transaktion).", file=str(path),
                                 reason=problem, db=describe(url)))
    return info


def _restore(path: Path, url: str, tools: dict[str, Path]) -> str | None:
    """The archive `path` (checked before) into the database in one transaction; the problem, or None."""
    conninfo, env = libpq(url)
    with tempfile.TemporaryDirectory(prefix="atlas-zurueckspielen-") as scratch:
        listing = Path(scratch) / "inhalt.list"
        entries = run([str(tools["pg_restore"]), "--list", str(path)]).stdout.decode("utf-8", "replace")
        listing.write_text("".join(f";{line}\n" if _SKIPPED.match(line) else f"{line}\n"
                                   for line in entries.splitlines()), encoding="utf-8")
        return _feed(tools, path, listing, conninfo, env, Path(scratch), url)


def _feed(tools: dict[str, Path], path: Path, listing: Path, conninfo: str, env: dict[str, str],
          scratch: Path, url: str) -> str | None:
    """``pg_restore``'s SQL into ``psql`` after :data:`_CLEAR`; ``COMMIT`` only if pg_restore read the
    whole archive and psql met no error. The problem, or None when committed."""
    with (scratch / "pg_restore.err").open("w+b") as restore_err, \
            (scratch / "psql.err").open("w+b") as psql_err:
        restore = subprocess.Popen(
            [str(tools["pg_restore"]), "--no-owner", f"--use-list={listing}", "--file=-", str(path)],
            stdout=subprocess.PIPE, stderr=restore_err, stdin=subprocess.DEVNULL)
        psql = subprocess.Popen(
            [str(tools["psql"]), "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1",
             f"--dbname={conninfo}"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_err, env=env)
        read_whole = False
        try:
            psql.stdin.write(_CLEAR.encode())
            shutil.copyfileobj(restore.stdout, psql.stdin, 1 << 20)
            read_whole = restore.wait() == 0
            if read_whole:
                psql.stdin.write(b"COMMIT;\n")
            psql.stdin.close()  # without COMMIT the server rolls everything back when psql leaves
        except BrokenPipeError:  # psql stopped at an error (ON_ERROR_STOP): rolled back
            pass
        finally:
            if restore.poll() is None:
                restore.kill()
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
            restore.wait()
            restore.stdout.close()
            psql.wait()
        reading, writing = (clean((stream.seek(0), stream.read())[1].decode("utf-8", "replace"), url)
                            for stream in (restore_err, psql_err))
        if read_whole and psql.returncode == 0:
            return None
        return reading or writing or f"pg_restore {restore.returncode}, psql {psql.returncode}"  # cause first
