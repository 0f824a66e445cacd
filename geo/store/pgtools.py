"""The PostgreSQL programs for backups (``pg_dump``, ``pg_restore``, ``psql``): found on ``PATH`` or in
the newest installed PostgreSQL, never older than the server, run without the URL's password on their
command line (it goes in ``PGPASSWORD``) and with their messages cleaned of it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from geo.lang import phrase
from geo.store.backup import BackupError
from geo.store.postgis import open_connection

TOOLS = ("pg_dump", "pg_restore", "psql")
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


def find_tool(name: str) -> Path:
    """`name` (``pg_dump``, ``pg_restore``, ``psql``) from ``PATH``, else from the newest installed
    PostgreSQL (:func:`geo.store.pgcluster.pg_bin`)."""
    from geo.store.pgcluster import pg_bin

    found = shutil.which(name)
    if found:
        return Path(found)
    try:
        path = pg_bin() / name
    except FileNotFoundError:
        path = None
    if path is None or not path.exists():
        raise BackupError(phrase("{tool} ist nicht installiert (Debian: apt-get install postgresql-client); "
                                 "geändert wurde nichts.", tool=name))
    return path


def tool_major(path: Path) -> int:
    """The major version of the PostgreSQL program `path` (``--version``)."""
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=False).stdout
    return parse_major(out)


def parse_major(version_text: str) -> int:
    """``15`` from ``pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)``; 0 if there is none."""
    found = _VERSION.search(version_text)
    return int(found.group(1)) if found else 0


def require_version(name: str, major: int, server_major: int) -> None:
    """Refuse a program older than the server: its dumps would miss or garble what it does not know."""
    if major < server_major:
        raise BackupError(phrase(
            "{tool} hat die Version {found:d}, der Datenbankserver PostgreSQL {server:d}: ein älteres {tool} "
            "kann diese Datenbank nicht vollständig sichern oder zurückspielen. Bitte {tool} ab Version "
            "{server:d} installieren (Debian: postgresql-client-{server:d}); geändert wurde nichts.",
            tool=name, found=major, server=server_major))


def tools_for(url: str, names: tuple[str, ...] = TOOLS) -> dict[str, Path]:
    """The programs `names`, each checked against the server's major version."""
    with connect(url) as conn:
        server = int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10_000
    found = {name: find_tool(name) for name in names}
    for name, path in found.items():
        require_version(name, tool_major(path), server)
    return found


# --- connections --------------------------------------------------------------------------------
def connect(url: str):
    """An autocommit connection for the tools' checks (:func:`geo.store.postgis.open_connection`)."""
    return open_connection(url, autocommit=True)


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """`url` without its password, and the environment for the tools (password in ``PGPASSWORD``)."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    parts = {key: str(value) for key, value in conninfo_to_dict(url).items()}
    env = {**os.environ, "PGAPPNAME": "praeventionsatlas-sicherung"}
    if "password" in parts:
        env["PGPASSWORD"] = parts.pop("password")
    return make_conninfo(**parts), env


def run(command: list[str], *, env: dict[str, str] | None = None, url: str = ""
        ) -> subprocess.CompletedProcess:
    """Run a tool (no input, never a password prompt); its message cleaned by :func:`clean`."""
    done = subprocess.run(command, capture_output=True, env=env, stdin=subprocess.DEVNULL, check=False)
    done.stderr = clean(done.stderr.decode("utf-8", "replace"), url)
    return done


def clean(text: str, url: str) -> str:
    """The tool's message, its last lines, without the URL's password (should it ever appear)."""
    text = "; ".join(line.strip() for line in text.strip().splitlines()[-3:])
    if url:
        from psycopg.conninfo import conninfo_to_dict

        secret = conninfo_to_dict(url).get("password")
        if secret:
            text = text.replace(str(secret), "***")
    return text
