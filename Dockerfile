# Präventionsatlas Sachsen as a container image. With PostGIS: docker compose up (compose.yaml).
# Alone: docker build -t praeventionsatlas . &&
#        docker run -p 127.0.0.1:8501:8501 -v atlas-daten:/daten \
#          -v "$PWD/secrets.toml:/home/atlas/.streamlit/secrets.toml:ro" praeventionsatlas
# The app listens on 0.0.0.0 inside, so it starts only with the login configured: [auth] in that
# secrets.toml (README "Betrieb für mehrere Kommunen"); without it the command says so and exits 2.
# Stage 1 builds the wheel from the sources below (tests/test_package.py builds the same wheel from
# these COPY lines); stage 2 installs it: its dependencies are requirements.txt, every further
# package is held at constraints.txt. Besides, only Debian's PostgreSQL client for the backups.

FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml requirements.txt README.md LICENSE app.py ./
COPY .streamlit/config.toml .streamlit/config.toml
COPY data data
COPY geo geo
COPY layers layers
COPY ui ui
RUN pip wheel --no-deps --no-cache-dir --disable-pip-version-check --wheel-dir /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/atlas/bin:$PATH
RUN useradd --create-home --uid 10001 atlas
# pg_dump, pg_restore and psql for `python -m geo sicherung` with PostGIS (server 15: client 15)
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/*
COPY constraints.txt /tmp/constraints.txt
COPY --from=build /wheels /tmp/wheels
# The app publishes the map's files into static/ beside app.py (site-packages) on its first view:
# that one folder, and the data directory, belong to the user the app runs as.
RUN python -m venv /opt/atlas \
 && /opt/atlas/bin/pip install --no-cache-dir -c /tmp/constraints.txt /tmp/wheels/*.whl \
 && install -d -o atlas -g atlas /daten \
    "$(/opt/atlas/bin/python -c 'import pathlib, ui; print(pathlib.Path(ui.__file__).parents[1])')/static" \
 && rm -rf /tmp/wheels /tmp/constraints.txt

USER atlas
WORKDIR /home/atlas
# Inside the container the app listens on every interface; compose.yaml publishes the port on the
# host's 127.0.0.1 only (for a reverse proxy with TLS). Listening on 0.0.0.0 needs the login: the
# command refuses to start without [auth] in a secrets.toml (~/.streamlit/ or STREAMLIT_SECRETS_FILES).
ENV ATLAS_DATA_DIR=/daten \
    ATLAS_ADDRESS=0.0.0.0 \
    ATLAS_PORT=8501
VOLUME ["/daten"]
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('ATLAS_PORT', '8501'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/_stcore/health', timeout=5).read() != b'ok')"]
CMD ["praeventionsatlas"]
