"""The package and the container (issue 14): a wheel built from the Dockerfile's sources, installed
apart from the checkout, runs ``python -m geo`` and the app on the data it ships; the Dockerfile
installs that wheel with the pinned dependencies only and starts the console command; compose.yaml
runs it beside PostGIS with volumes and health checks.

The wheel is built without a download (``--no-build-isolation --no-index``, setuptools from
requirements-dev.txt) and installed with ``pip install --no-deps --target``; its programs run from a
folder outside the checkout with only that target on ``PYTHONPATH`` and the project's installed
dependencies, so nothing can come from the checkout.
"""

from __future__ import annotations

import email.parser
import hashlib
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from ui import launch

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
VERSION = PYPROJECT["project"]["version"]
FREIBERG = {"key": "14522180", "art": "gemeinde", "name": "Freiberg", "einwohner": 40485,
            "flaeche_km2": 48.03}


# --- reading the Dockerfile, the requirements and the Makefile -------------------------------------

def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions per stage as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    stages: list[list[tuple[str, str]]] = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word.upper() == "FROM":
            stages.append([])
        stages[-1].append((word.upper(), " ".join(rest.split())))
    return stages


def instructions(stage, word: str) -> list[str]:
    return [rest for name, rest in stage if name == word]


def requirement_lines(path: Path) -> list[str]:
    lines = (line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("-")]


def healthcheck_command() -> list[str]:
    (check,) = instructions(dockerfile_stages()[-1], "HEALTHCHECK")
    return json.loads(check[check.index("CMD ") + 4:])


def streamlit_flags(argv, env) -> dict[str, str]:
    command = launch.streamlit_command(argv, env)
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
    return dict(zip(command[5::2], command[6::2], strict=True))


# --- the wheel, built from what the Dockerfile copies, installed outside the checkout --------------

@dataclass
class Installed:
    site: Path  # pip install --target
    home: Path  # working directory outside the checkout
    env: dict[str, str]

    def run(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(args, cwd=self.home, env={**self.env, **(extra_env or {})}, capture_output=True,
                              text=True, timeout=600, check=False)


def docker_context(target: Path) -> None:
    """Copy what the Dockerfile's build stage copies into `target`, leaving out what .dockerignore
    leaves out at every depth (``**/name``)."""
    ignored = [line[3:] for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line.startswith("**/")]
    for args in instructions(dockerfile_stages()[0], "COPY"):
        *sources, dest = args.split()
        assert not any(s.startswith("--") for s in sources), "the build stage copies from the context only"
        for source in sources:
            into = target / (Path(source).name if dest in ("./", ".") else dest)
            if (ROOT / source).is_dir():
                shutil.copytree(ROOT / source, into, ignore=shutil.ignore_patterns(*ignored))
            else:
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / source, into)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    base = tmp_path_factory.mktemp("paket")
    context, wheels, site, home = base / "kontext", base / "wheels", base / "site", base / "home"
    for folder in (context, home):
        folder.mkdir()
    docker_context(context)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", str(wheels),
                    str(context)], check=True, capture_output=True, timeout=600)
    (wheel,) = wheels.glob("*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ATLAS_", "STREAMLIT_"))}
    env |= {"PYTHONPATH": str(site), "ATLAS_DATA_DIR": str(home / "store")}
    return Installed(site=site, home=home, env=env)


def test_the_test_builds_with_the_backend_pyproject_names():
    assert PYPROJECT["build-system"]["requires"] == [f"setuptools=={metadata.version('setuptools')}"]
    assert f"setuptools=={metadata.version('setuptools')}" in requirement_lines(ROOT / "requirements-dev.txt")


def test_wheel_metadata_version_licence_dependencies_and_console_command(installed):
    (dist,) = installed.site.glob("praeventionsatlas_sachsen-*.dist-info")
    meta = email.parser.Parser().parsestr((dist / "METADATA").read_text(encoding="utf-8"))
    assert (meta["Name"], meta["Version"]) == ("praeventionsatlas-sachsen", VERSION)
    assert meta["License-Expression"] == "EUPL-1.2"
    assert meta.get_all("Requires-Dist") == requirement_lines(ROOT / "requirements.txt")
    assert (dist / "licenses" / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()
    assert (dist / "entry_points.txt").read_text().split() == ["[console_scripts]", "praeventionsatlas", "=",
                                                               "ui.launch:main"]
    newest = re.search(r"^## \[(\d+\.\d+\.\d+)\]", (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    assert newest and newest.group(1) == VERSION


def test_licence_is_the_eupl_1_2_in_full():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016\n")
    articles = re.findall(r"^(\d+)\.\s?\w", text, re.M)
    assert articles == [str(n) for n in range(1, 16)]
    assert "— Mozilla Public Licence (MPL) v. 2" in text and text.rstrip().endswith("new EUPL version.")


def test_wheel_holds_app_py_and_every_module_of_the_checkout(installed):
    def modules(root: Path) -> set[Path]:
        found = (p for package in ("geo", "layers", "ui") for p in (root / package).rglob("*.py"))
        return {p.relative_to(root) for p in found if "__pycache__" not in p.parts}

    missing = modules(ROOT) - modules(installed.site)
    assert not missing, f"not in the wheel (add the package to [tool.setuptools] packages): {sorted(missing)}"
    assert (installed.site / "app.py").is_file()
    catalogue = json.loads((installed.site / "geo" / "lang_en.json").read_text(encoding="utf-8"))
    assert catalogue["Einwohner"] == "Inhabitants"
    config = installed.site / "ui" / "streamlit_config" / "config.toml"
    assert config.read_bytes() == (ROOT / ".streamlit" / "config.toml").read_bytes()


def test_installed_package_ships_every_data_file_with_the_checksums_of_provenance(installed):
    data = installed.site / "geo" / "data"
    checkout = {p.relative_to(ROOT / "data") for p in (ROOT / "data").rglob("*") if p.is_file()}
    assert {p.relative_to(data) for p in data.rglob("*") if p.is_file()} == checkout
    assert all((data / rel).read_bytes() == (ROOT / "data" / rel).read_bytes() for rel in checkout)
    table = re.findall(r"^\| `([^`]+)` \|.*\| ([0-9a-f]{64}) \|$", (data / "PROVENANCE.md").read_text(), re.M)
    pks_text = (data / "pks" / "PROVENANCE.md").read_text()
    pks = re.findall(r"`([^`]+\.csv)`.*?sha256 `([0-9a-f]{64})`", pks_text, re.S)
    listed = {**dict(table), **{f"pks/{name}": digest for name, digest in pks}}
    assert set(listed) == {
        "sachsen_verwaltungsgrenzen.gpkg", "sachsen_gemeinden_einwohner_gv100ad_2023-11-30.csv",
        "sachsen_gemeinden_vg250_2016_zu_2023.csv", "pks/KR-F-01-T01-Kreise-Faelle-HZ_2020.csv"}
    assert {rel: hashlib.sha256((data / rel).read_bytes()).hexdigest() for rel in listed} == listed


def test_python_m_geo_from_the_wheel_reads_the_installed_data(installed):
    where = installed.run(sys.executable, "-c", "import geo, geo.sources; print(geo.__file__); "
                                                "print(geo.sources.DATA_DIR)")
    assert where.stdout.split() == [str(installed.site / "geo" / name) for name in ("__init__.py", "data")]
    found = installed.run(sys.executable, "-m", "geo", "gebiet", "14522180", "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout) == FREIBERG
    assert installed.run(sys.executable, "-m", "geo", "--version").stdout == f"python -m geo {VERSION}\n"
    unknown = installed.run(sys.executable, "-m", "geo", "gebiet", "99999999")
    assert unknown.returncode == 2 and unknown.stderr.startswith("Fehler: '99999999' ist kein Amtlicher")
    assert "Traceback" not in unknown.stderr


def test_postgis_store_from_the_wheel_migrates_imports_and_reads_back(installed, empty_postgis_url):
    """The installed package carries the migrations: a new database gets its schema from the wheel,
    and an import goes into PostGIS for the Mandant of ATLAS_MANDANT."""
    pg = {"ATLAS_DATABASE_URL": empty_postgis_url, "ATLAS_MANDANT": "14522180"}
    migrated = installed.run(sys.executable, "-m", "geo", "speicher", "migrieren", extra_env=pg)
    assert migrated.returncode == 0 and "Schema leer → 0003" in migrated.stdout, migrated.stderr
    source = ROOT / "tests" / "data" / "ordnungsamt_utf8_bom.csv"
    imported = installed.run(sys.executable, "-m", "geo", "import", str(source), extra_env=pg)
    assert imported.returncode == 0, imported.stderr
    log = installed.run(sys.executable, "-m", "geo", "speicher", "protokoll", extra_env=pg)
    assert log.stdout.splitlines()[1].split(",")[2:4] == ["14522180", "import"]
    assert not (installed.home / "store" / "vorfaelle.sqlite").exists()  # nothing went to the embedded file


def test_console_command_help_version_and_bad_port_in_german(installed):
    command = str(installed.site / "bin" / "praeventionsatlas")
    shown = installed.run(command, "--help")
    assert shown.returncode == 0
    for text in ("Aufruf: praeventionsatlas", "Optionen:", "--address ADRESSE", "--port PORT",
                 "ATLAS_DATA_DIR", "python -m geo --help"):
        assert text in shown.stdout
    assert installed.run(command, "--version").stdout == f"praeventionsatlas {VERSION}\n"
    bad = installed.run(command, "--port", "70000")
    assert (bad.returncode, bad.stderr) == (
        2, "Fehler: --port: „70000“ ist kein Port (erwartet eine Zahl von 1 bis 65535).\n")
    assert installed.run(command, extra_env={"ATLAS_PORT": "acht"}).stderr.startswith(
        "Fehler: ATLAS_PORT: „acht“ ist kein Port")


_APP_TEST = """
import json, sys
from streamlit import config
from streamlit.testing.v1 import AppTest
config.set_option("server.enableStaticServing", True)
config.set_option("server.address", "127.0.0.1")  # as the launcher passes it; unset = every address
at = AppTest.from_file(sys.argv[1], default_timeout=300)
at.run()
print(json.dumps({"exception": [e.value for e in at.exception], "title": [t.value for t in at.title]}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def test_console_command_serves_the_installed_app_with_its_map_files(installed):
    rendered = installed.run(sys.executable, "-c", _APP_TEST, str(installed.site / "app.py"))
    assert rendered.returncode == 0, rendered.stderr
    result = json.loads(rendered.stdout.splitlines()[-1])
    assert result == {"exception": [], "title": ["Präventionsatlas Sachsen"]}
    assert (installed.site / "static" / "gemeinden.geojson").is_file()  # published beside the wheel's app.py

    port = free_port()
    health = [sys.executable, *healthcheck_command()[1:]]  # the image's and compose's health check
    health_env = {**installed.env, "ATLAS_PORT": str(port)}
    server = subprocess.Popen([str(installed.site / "bin" / "praeventionsatlas"), "--port", str(port)],
                              cwd=installed.home, env=installed.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                assert get(f"http://127.0.0.1:{port}/_stcore/health") == b"ok"
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "the app did not come up"
                time.sleep(0.5)
        served = json.loads(get(f"http://127.0.0.1:{port}/app/static/gemeinden.geojson"))
        assert len(served["features"]) == 418
        assert b"<title>Streamlit</title>" in get(f"http://127.0.0.1:{port}/")
        up = subprocess.run(health, env=health_env, capture_output=True, timeout=60, check=False)
        assert up.returncode == 0, up.stderr
    finally:
        server.terminate()
        server.wait(timeout=60)
    down = subprocess.run(health, env=health_env, capture_output=True, timeout=60, check=False)
    assert down.returncode != 0


# --- the launcher's options (in process) ------------------------------------------------------------

def test_launcher_passes_the_options_of_streamlit_config_toml_and_make_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    expected = {f"--{section}.{key}": str(value).lower() if isinstance(value, bool) else str(value)
                for section, options in config.items() for key, value in options.items()}
    assert launch.CONFIG == ROOT / ".streamlit" / "config.toml"
    flags = streamlit_flags([], {})
    assert flags == expected
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n((?:\t.*\n)+)", makefile, re.M).group(1)
    defaults = dict(re.findall(r"^(ADDRESS|PORT)\s*\?=\s*(\S+)", makefile, re.M))
    recipe = re.sub(r"\$\((ADDRESS|PORT)\)", lambda m: defaults[m.group(1)], recipe.replace("\\\n", " "))
    words = recipe.split()
    start = words.index("app.py") + 1
    make_flags = dict(zip(words[start::2], words[start + 1::2], strict=True))
    assert make_flags.items() <= flags.items()


def test_launcher_takes_address_and_port_from_options_before_the_environment():
    env = {"ATLAS_PORT": "9000", "ATLAS_ADDRESS": "0.0.0.0"}
    flags = streamlit_flags([], env)
    assert (flags["--server.address"], flags["--server.port"]) == ("0.0.0.0", "9000")
    flags = streamlit_flags(["--port", "9100", "--address", "127.0.0.1"], env)
    assert (flags["--server.address"], flags["--server.port"]) == ("127.0.0.1", "9100")
    with pytest.raises(launch.LaunchError, match=r"^ATLAS_PORT: „acht“ ist kein Port"):
        launch.streamlit_command([], {"ATLAS_PORT": "acht"})
    with pytest.raises(launch.LaunchError, match=r"^--port: „0“ ist kein Port"):
        launch.streamlit_command(["--port", "0"], {})


# --- Dockerfile and compose.yaml --------------------------------------------------------------------

def test_dockerfile_installs_the_wheel_with_the_pinned_dependencies_and_starts_the_console_command():
    build, final = dockerfile_stages()
    assert [stage[0][1].split()[0] for stage in (build, final)] == ["python:3.11-slim-bookworm"] * 2
    assert any(re.search(r"pip wheel --no-deps .* \.$", run) for run in instructions(build, "RUN"))
    parts = [part.strip() for run in instructions(final, "RUN") for part in run.split("&&")]
    installs = [part for part in parts if "pip install" in part]
    assert len(installs) == 1, installs
    words = shlex.split(installs[0])
    args = words[words.index("install") + 1:]
    constraint = args[args.index("-c") + 1]
    assert [w for w in args if not w.startswith("-") and w != constraint] == ["/tmp/wheels/*.whl"]
    assert f"constraints.txt {constraint}" in instructions(final, "COPY")
    assert "--from=build /wheels /tmp/wheels" in instructions(final, "COPY")
    pins = {line.lower() for line in requirement_lines(ROOT / "constraints.txt")}
    wanted = {re.sub(r"\[[^]]*\]", "", line).lower() for line in requirement_lines(ROOT / "requirements.txt")}
    assert wanted <= pins  # psycopg[binary]==3.3.9 is pinned as psycopg==3.3.9 (and psycopg-binary)
    apt = [part for part in parts if "apt-get install" in part]
    assert [shlex.split(part)[-1] for part in apt] == ["postgresql-client-15"]  # pg_dump for the backups

    env = dict(word.split("=", 1) for rest in instructions(final, "ENV") for word in shlex.split(rest))
    assert (env["ATLAS_ADDRESS"], env["ATLAS_PORT"], env["ATLAS_DATA_DIR"]) == ("0.0.0.0", "8501", "/daten")
    assert instructions(final, "VOLUME") == ['["/daten"]'] and instructions(final, "EXPOSE") == ["8501"]
    (user,) = instructions(final, "USER")
    assert user not in ("root", "0")
    assert [json.loads(cmd) for cmd in instructions(final, "CMD")] == [["praeventionsatlas"]]
    assert not instructions(final, "ENTRYPOINT")
    assert "/_stcore/health" in " ".join(healthcheck_command())


def test_compose_runs_the_app_beside_postgis_with_volumes_and_health_checks():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    app, db, migrate = (compose["services"][name] for name in ("app", "postgis", "migrate"))
    assert set(compose["services"]) == {"app", "migrate", "postgis"}
    assert (app["build"], db["image"]) == (".", "postgis/postgis:15-3.4")
    assert app["ports"] == ["127.0.0.1:8501:8501"]  # the host's loopback only, for a proxy with TLS
    mounts = {name: dict(volume.split(":", 1) for volume in service["volumes"])
              for name, service in compose["services"].items() if "volumes" in service}
    assert mounts == {"app": {"atlas-daten": app["environment"]["ATLAS_DATA_DIR"]},
                      "postgis": {"postgis-daten": "/var/lib/postgresql/data"}}
    assert set(compose["volumes"]) == {"atlas-daten", "postgis-daten"}
    assert app["environment"]["ATLAS_DATA_DIR"] == "/daten"
    assert app["healthcheck"]["test"] == ["CMD", *healthcheck_command()]
    assert db["healthcheck"]["test"] == ["CMD-SHELL", "pg_isready -U atlas -d atlas"]
    # the schema is migrated before the app starts, once PostGIS is healthy
    assert migrate["command"] == ["python", "-m", "geo", "speicher", "migrieren"]
    assert (migrate["build"], migrate["restart"]) == (".", "no")
    assert migrate["environment"]["ATLAS_DATABASE_URL"] == app["environment"]["ATLAS_DATABASE_URL"]
    assert migrate["depends_on"] == {"postgis": {"condition": "service_healthy"}}
    assert app["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    required = re.compile(r"\$\{(\w+):\?[^}]*\}")  # compose's ${NAME:?message}: refuses to start without it
    assert required.fullmatch(db["environment"]["POSTGRES_PASSWORD"]).group(1) == "POSTGRES_PASSWORD"
    database = {key: required.sub("geheim", value) for key, value in db["environment"].items()}
    url = urlsplit(required.sub("geheim", app["environment"]["ATLAS_DATABASE_URL"]))
    assert (url.scheme, url.hostname, url.port, url.username, url.password, url.path) == (
        "postgresql", "postgis", 5432, database["POSTGRES_USER"], database["POSTGRES_PASSWORD"],
        "/" + database["POSTGRES_DB"])


def docker_daemon() -> bool:
    return bool(shutil.which("docker")) and subprocess.run(["docker", "info"], capture_output=True,
                                                            timeout=60, check=False).returncode == 0


def test_image_builds_and_runs_the_console_command_and_the_cli():
    """Needs a Docker engine (and the base image and PyPI); skipped only where ``docker info`` finds none."""
    if not docker_daemon():
        pytest.skip("kein Docker-Daemon auf diesem Rechner (docker info)")
    tag = f"praeventionsatlas:test-{VERSION}"
    subprocess.run(["docker", "build", "-t", tag, str(ROOT)], check=True, timeout=3600)

    def in_image(*args: str) -> str:
        command = ["docker", "run", "--rm", tag, *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=300, check=True).stdout

    assert in_image("praeventionsatlas", "--version") == f"praeventionsatlas {VERSION}\n"
    assert json.loads(in_image("python", "-m", "geo", "gebiet", "14522180", "--json")) == FREIBERG
