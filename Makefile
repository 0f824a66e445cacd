# Two commands for a newcomer: `make run` (the app) and `make test` (everything).
# Both create .venv and install what they need; `make test` also installs Debian's
# chromium for the real-browser tests when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# Only this machine reaches the app; serving a network is an explicit step, make run ADDRESS=0.0.0.0,
# and needs the login ([auth] in .streamlit/secrets.toml, README „Betrieb für mehrere Kommunen“):
# without it the app shows why it does not start.
ADDRESS ?= 127.0.0.1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint bench chromium postgres venv clean

$(PY):
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || \
	  { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends python3-venv; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev-deps: requirements.txt requirements-dev.txt constraints.txt | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt -c constraints.txt
	touch $@ $(VENV)/.run-deps

venv: $(VENV)/.dev-deps

# chromium, and Arial-metric fonts (Liberation) as on the planners' machines: without them
# Leaflet's "Arial" falls back to the much wider DejaVu Sans and map texts wrap differently.
chromium:
	@{ command -v chromium && dpkg -s fonts-liberation; } >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-liberation; }

# PostgreSQL 15 with PostGIS for the PostGIS store's tests (`pytest -k postgis`): they start their own
# throwaway cluster on a free port of 127.0.0.1 (geo/store/pgcluster.py), no system service is used.
postgres:
	@{ ls /usr/lib/postgresql/*/bin/initdb && ls /usr/share/postgresql/*/extension/postgis.control; } >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 postgresql-15-postgis-3; }

run: $(VENV)/.run-deps
	$(PY) -m streamlit run app.py --server.headless true --server.address $(ADDRESS) \
	  --server.port $(PORT) --browser.gatherUsageStats false

lint: $(VENV)/.dev-deps
	$(PY) -m ruff check .

test: $(VENV)/.dev-deps chromium postgres lint
	$(PY) -m pytest

bench: $(VENV)/.dev-deps postgres
	@for script in benchmarks/[!_]*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache artifacts
