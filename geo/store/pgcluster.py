"""A throwaway PostgreSQL/PostGIS cluster on 127.0.0.1, for tests, benchmarks and trying the
multi-Mandant setup on one machine (never for production: see README "Betrieb für mehrere Kommunen").

``initdb`` and ``pg_ctl`` refuse to run as root; as root the cluster is created and run as the
``postgres`` system user (Debian's packages create it) through ``runuser``, in a directory owned
by that user. It listens on a free TCP port of 127.0.0.1 only, with its socket in its own
directory, trusts local connections (the port is reachable from this machine only) and is
removed with :meth:`Cluster.stop`.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "atlas_admin"


def pg_bin() -> Path:
    """The newest installed PostgreSQL's program directory (``/usr/lib/postgresql/<n>/bin``)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise FileNotFoundError("PostgreSQL ist nicht installiert (Debian: apt-get install postgresql-15 "
                                "postgresql-15-postgis-3; `make test` tut das selbst).")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A running cluster: `url` connects as its superuser to database ``postgres``."""

    directory: Path
    port: int
    as_user: list[str]

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new database `name` with PostGIS; its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.url_for(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url_for(name)

    def stop(self) -> None:
        subprocess.run([*self.as_user, str(pg_bin() / "pg_ctl"), "stop", "-D", str(self.directory / "data"),
                        "-m", "immediate", "-s"], check=False, capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


def start(*, port: int | None = None) -> Cluster:
    """Create and start a cluster in a new temporary directory; wait until it accepts connections."""
    directory = Path(tempfile.mkdtemp(prefix="atlas-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    os.chmod(directory, 0o755)
    port = port or free_port()
    bin_dir = pg_bin()
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(directory / "data"), "-U", SUPERUSER,
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"], **run)
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "start", "-D", str(directory / "data"), "-w", "-s",
                    "-l", str(directory / "log"), "-o", options], **run)
    cluster = Cluster(directory, port, as_user)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return cluster
        except OSError:
            if time.monotonic() > deadline:
                cluster.stop()
                raise
            time.sleep(0.1)
