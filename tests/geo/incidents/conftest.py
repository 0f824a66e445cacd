import datetime as dt
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
#: A fixed "now" so that the fixtures' future dates stay in the future and the past in the past.
NOW = dt.datetime(2026, 1, 1, 12, 0)


@pytest.fixture
def data_dir() -> Path:
    return DATA
