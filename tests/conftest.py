"""The app under ``streamlit.testing`` (no browser), shared by the AppTest modules."""

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 120


@pytest.fixture
def app(tmp_path, monkeypatch):
    """``app.py`` on an empty store (so: the demo data), not yet run."""
    monkeypatch.setenv("ATLAS_DATA_DIR", str(tmp_path / "store"))
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT)


def captions(at):
    return [c.value for c in at.caption]


from tests.postgis import backend, empty_postgis_url, pg_cluster, postgis_url  # noqa: E402,F401  (fixtures)
