"""``praeventionsatlas``: start the app as ``make run`` does, from a checkout or an installed wheel.

The console command of ``pip install .`` (pyproject.toml). It runs ``streamlit run app.py`` with
every option of ``.streamlit/config.toml`` on the command line, as ``make run`` does: Streamlit looks
for that file in the working directory and beside the script, and an installed app has it in
neither place (the wheel ships it as ``ui/streamlit_config/config.toml``). ``app.py`` sits beside
the packages in a checkout and in the wheel (which ships it as a top-level module), so the files the
app publishes for the map (:func:`ui.data.static_files`) land in the ``static/`` folder Streamlit
serves next to the script.

Only this machine reaches the app unless ``--address`` or ``ATLAS_ADDRESS`` says otherwise, and any
other address needs the login configured (an ``[auth]`` section in a ``secrets.toml`` Streamlit reads:
:func:`secret_files`); without it the command refuses to start (exit 2, :data:`LOGIN_NEEDED`), and
``app.py`` refuses in the same words when started otherwise (``streamlit run``, ``make run``). The
container sets ``ATLAS_ADDRESS=0.0.0.0`` inside, so it needs the login too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

import geo

#: The script Streamlit runs: beside the packages in a checkout and in an installed wheel.
APP = Path(__file__).resolve().parents[1] / "app.py"

_CHECKOUT_CONFIG = APP.parent / ".streamlit" / "config.toml"
_WHEEL_CONFIG = Path(__file__).with_name("streamlit_config") / "config.toml"
#: Streamlit's settings: the checkout's .streamlit/config.toml, or the wheel's copy of it.
CONFIG = _CHECKOUT_CONFIG if _CHECKOUT_CONFIG.is_file() else _WHEEL_CONFIG
#: The addresses only this machine reaches: no login needed there.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
#: What Streamlit's ``st.login`` needs in ``[auth]`` (one unnamed provider: README).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
#: Why the app does not start on another address without login, and what to do (launcher and app).
LOGIN_NEEDED = ("Die App soll an {address} lauschen und wäre damit für andere im Netz erreichbar, aber es "
                "ist keine Anmeldung eingerichtet: jeder, der sie erreicht, könnte Daten sehen, importieren "
                "und löschen. Anmeldung einrichten: in .streamlit/secrets.toml einen Abschnitt [auth] mit "
                "redirect_uri, cookie_secret, client_id, client_secret und server_metadata_url des "
                "Identitätsanbieters eintragen (README, Abschnitt „Betrieb für mehrere Kommunen“). Nur für "
                "diesen Rechner geht es ohne Anmeldung: Adresse 127.0.0.1.")
#: [auth] is there, but st.login could not work with it.
AUTH_INCOMPLETE = ("Die Anmeldung ist unvollständig eingerichtet: in [auth] von secrets.toml fehlt: {keys} "
                   "(README, Abschnitt „Betrieb für mehrere Kommunen“).")

_EPILOG = """Umgebungsvariablen:
  ATLAS_ADDRESS   Adresse wie --address
  ATLAS_PORT      Port wie --port
  ATLAS_DATA_DIR  Datenspeicher (importierte Vorfälle, OSM-Daten; Standard: ./store)
  ATLAS_BASEMAP   Hintergrundkarte (basemapde, basemapde-farbe, osm, keine, lokal)
  ATLAS_TILES     lokale Kacheln für ATLAS_BASEMAP=lokal (Ordner, .mbtiles oder .pmtiles)

Eine andere Adresse als 127.0.0.1 braucht die Anmeldung: [auth] in .streamlit/secrets.toml
(README, Abschnitt „Betrieb für mehrere Kommunen“).

Befehle für Daten und Auswertungen: python -m geo --help"""


class LaunchError(ValueError):
    """A setting the app cannot start with; the message is German and names the setting."""


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix="Aufruf: " if prefix is None else prefix)


def streamlit_options(config: Path = CONFIG) -> dict[str, str]:
    """Every option of the Streamlit config file `config` as ``{"server.port": "8501", ...}``."""

    def flat(table: dict, prefix: str) -> dict[str, str]:
        options = {}
        for key, value in table.items():
            if isinstance(value, dict):
                options |= flat(value, f"{prefix}{key}.")
            else:
                options[f"{prefix}{key}"] = str(value).lower() if isinstance(value, bool) else str(value)
        return options

    with config.open("rb") as file:
        return flat(tomllib.load(file), "")


def build_parser() -> argparse.ArgumentParser:
    defaults = streamlit_options()
    parser = argparse.ArgumentParser(
        prog="praeventionsatlas", formatter_class=_Formatter, add_help=False, epilog=_EPILOG,
        description="Startet den Präventionsatlas Sachsen (Streamlit); er öffnet sich im Browser unter\n"
                    "http://ADRESSE:PORT. Ohne Angaben erreicht nur dieser Rechner die App.")
    parser._optionals.title = "Optionen"
    parser.add_argument("-h", "--help", action="help", help="diese Hilfe zeigen und beenden")
    parser.add_argument("--version", action="version", version=f"%(prog)s {geo.__version__}",
                        help="Version zeigen und beenden")
    parser.add_argument("--address", metavar="ADRESSE",
                        help="Adresse, an der die App lauscht (Standard: $ATLAS_ADDRESS oder "
                             f"{defaults['server.address']}). Jede andere als 127.0.0.1, localhost "
                             "oder ::1 braucht die Anmeldung ([auth] in secrets.toml).")
    parser.add_argument("--port", metavar="PORT",
                        help=f"Port (Standard: $ATLAS_PORT oder {defaults['server.port']})")
    return parser


def _port(text: str, origin: str) -> int:
    port = int(text) if text.strip().isascii() and text.strip().isdigit() else 0
    if not 1 <= port <= 65_535:
        shown = " ".join(text[:80].split())  # quoted on one line, cut like every quoted value
        raise LaunchError(f"{origin}: „{shown}“ ist kein Port (erwartet eine Zahl von 1 bis 65535).")
    return port


def streamlit_command(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> list[str]:
    """The ``python -m streamlit run app.py ...`` command line for `argv` and the environment `env`:
    the options of :data:`CONFIG`, address and port from `argv`, else ``ATLAS_ADDRESS`` and
    ``ATLAS_PORT``, else the file.

    Raises
    ------
    LaunchError
        When the port (option or ``ATLAS_PORT``) is not a number from 1 to 65535, or an address is empty.
    """
    env = os.environ if env is None else env
    args = build_parser().parse_args(argv)
    options = streamlit_options()
    if args.port is not None:
        options["server.port"] = str(_port(args.port, "--port"))
    elif env.get("ATLAS_PORT"):
        options["server.port"] = str(_port(env["ATLAS_PORT"], "ATLAS_PORT"))
    if args.address is not None or env.get("ATLAS_ADDRESS"):
        options["server.address"] = args.address if args.address is not None else env["ATLAS_ADDRESS"]
    if not options.get("server.address", "").strip():
        raise LaunchError("--address: die Adresse ist leer (z. B. 127.0.0.1).")
    return [sys.executable, "-m", "streamlit", "run", str(APP),
            *(part for key, value in options.items() for part in (f"--{key}", value))]


def secret_files(env: Mapping[str, str] | None = None, *, cwd: Path | None = None,
                 home: Path | None = None) -> list[Path]:
    """The ``secrets.toml`` files Streamlit reads for the app: ``STREAMLIT_SECRETS_FILES`` (paths
    separated by white space, as Streamlit's command line takes them), else its defaults: the user's
    ``~/.streamlit/``, the working directory's ``.streamlit/`` and the one beside ``app.py``."""
    env = os.environ if env is None else env
    if env.get("STREAMLIT_SECRETS_FILES", "").strip():
        return [Path(part) for part in env["STREAMLIT_SECRETS_FILES"].split()]
    places = [home or Path.home(), cwd or Path.cwd(), APP.parent]
    return list(dict.fromkeys(place / ".streamlit" / "secrets.toml" for place in places))


def auth_section(files: Sequence[Path]) -> dict | None:
    """The ``[auth]`` section of the first of `files` that has one (None: no login configured; a
    file that is missing or no TOML gives none, as in Streamlit, which then reports it itself)."""
    for path in files:
        try:
            with path.open("rb") as file:
                found = tomllib.load(file).get("auth")
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(found, dict) and found:
            return found
    return None


def missing_auth_keys(auth: Mapping) -> list[str]:
    """What ``st.login`` needs and `auth` (the ``[auth]`` section) lacks or leaves empty."""
    return [key for key in AUTH_KEYS if not str(auth.get(key) or "").strip()]


def is_loopback(address: str | None) -> bool:
    """Whether only this machine reaches `address` (no address: Streamlit listens on all of them)."""
    return (address or "").strip().lower().strip("[]") in LOOPBACK


def check_login(address: str, files: Sequence[Path]) -> None:
    """Refuse an `address` others reach unless `files` configure the login (see module doc).

    Raises
    ------
    LaunchError
        With :data:`LOGIN_NEEDED` or :data:`AUTH_INCOMPLETE`.
    """
    if is_loopback(address):
        return
    auth = auth_section(files)
    if auth is None:
        raise LaunchError(LOGIN_NEEDED.format(address=address))
    if missing := missing_auth_keys(auth):
        raise LaunchError(AUTH_INCOMPLETE.format(keys=", ".join(missing)))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        command = streamlit_command(argv)
        check_login(command[command.index("--server.address") + 1], secret_files())
    except LaunchError as err:
        print(f"Fehler: {err}", file=sys.stderr)
        return 2
    with contextlib.suppress(OSError):  # the app fills it on its first view; Streamlit warns if missing
        (APP.parent / "static").mkdir(exist_ok=True)
    if os.name == "posix":  # Streamlit takes the process over: signals (docker stop) reach it directly
        os.execv(sys.executable, command)
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
