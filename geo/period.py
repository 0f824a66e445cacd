"""Period bounds: what "from" and "to" mean for every selection in the atlas.

Both bounds are inclusive; a date as upper bound means that whole day.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geo.errors import AtlasError

DateLike = dt.date | dt.datetime | str | pd.Timestamp | None


def timestamp(value: DateLike, *, end: bool) -> pd.Timestamp | None:
    """A date `end` means the whole day: up to 23:59:59.999… of it."""
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as err:
        msg = f"'{value}' ist kein Datum (erwartet JJJJ-MM-TT)."
        raise AtlasError(msg) from err
    is_date = (isinstance(value, dt.date) and not isinstance(value, dt.datetime)) or (
        isinstance(value, str) and len(value.strip()) == 10)
    if end and is_date:
        ts = ts + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
    return ts


def epoch_seconds(value: DateLike, *, end: bool) -> int:
    """:func:`timestamp` as whole seconds since 1970 (how the store keeps times)."""
    return int(np.datetime64(timestamp(value, end=end).to_datetime64(), "s").astype(np.int64))


def quick_periods(first: dt.date, last: dt.date) -> dict[str, tuple[dt.date | None, dt.date | None]]:
    """The period picker's quick choices for data from `first` to `last` (inclusive).

    ``gesamt`` (no bounds: the whole period), ``12monate`` (the last 365 days of the data)
    and each calendar year, newest first, as ``"2024"``.
    """
    years = range(last.year, first.year - 1, -1)
    return {"gesamt": (None, None), "12monate": (last - dt.timedelta(days=364), last),
            **{str(y): (dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in years}}
