"""Vectorised parsing of the values exports contain: numbers, dates, counts, periods.

Every parser takes a column (strings from CSV, or native values from XLSX/JSON) and
returns the parsed values plus masks saying which rows were empty and which could
not be read, so the validation can give each row its own reason.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from geo.errors import InputFileError
from geo.incidents.fastparse import fast_decimal, fast_strptime, needs_strip

#: Date formats tried in this order when the user gives none (German first).
DATE_FORMATS = (
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y",
    "%d.%m.%y %H:%M",
    "%d.%m.%y",
    "ISO8601",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)
_TZ_SUFFIX = re.compile(r"(?:Z|[+-]\d{2}:?\d{2})$")
_ERROR_CELL = re.compile(r"^#[A-Z0-9/!?]+[!?]?$|^#NV$|^#N/A$", re.IGNORECASE)
_THOUSANDS = re.compile(r"^\d{1,3}([.,'’ ]\d{3})+$")
_INTEGER = re.compile(r"^[+-]?\d+$")
#: The earliest date an incident or a reporting period may have: earlier ones are typing or
#: export errors (year 0001, Excel's day 0 = 30.12.1899) and would stretch every period and
#: time series over centuries.
EARLIEST = dt.date(1900, 1, 1)
#: The largest count one row of an aggregated table may have (all of Germany records about
#: 6 million offences a year); larger ones are errors, and sums of rows can never overflow.
MAX_COUNT = 100_000_000


def as_text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Stripped strings and the mask of empty cells (None, NaN, blank)."""
    text = values.astype("str")
    if needs_strip(text):
        text = text.str.strip()
    missing = values.isna().to_numpy() | (text == "").to_numpy()
    return (text.where(~missing, "") if missing.any() else text), missing


def raw_text(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Strings as they are (not stripped; the fast paths reject padded values) and the NaN mask."""
    isna = np.array(values.isna().to_numpy(), dtype=bool)  # a writable copy
    text = values.astype("str")
    return (text.fillna("") if isna.any() else text), isna


def parse_decimal(
    values: pd.Series, *, decimal: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Numbers with decimal comma or point, with or without thousands separators.

    Parameters
    ----------
    values : Series
        Strings or numbers.
    decimal : {",", ".", None}
        Force the decimal mark; ``None`` decides per value: a value with both marks
        takes the last one as decimal mark, a single ``,`` is a decimal comma.

    Returns
    -------
    (ndarray of float, missing mask, unreadable mask)
    """
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(numbers)
        return numbers, missing, np.zeros(len(values), dtype=bool)
    text, missing = raw_text(values)
    numbers, done = fast_decimal(text, decimal=decimal)
    rest = np.flatnonzero(~done & ~missing)
    if len(rest):  # blanks, padding, thousands separators, both marks: the per-value rules
        stripped, blank = as_text(text.iloc[rest])
        missing[rest[blank]] = True
        numbers[rest[~blank]] = _slow_decimal(stripped[~blank], decimal=decimal)
    numbers[missing] = np.nan
    unreadable = ~missing & ~np.isfinite(numbers)
    return numbers, missing, unreadable


def _slow_decimal(text: pd.Series, *, decimal: str | None) -> np.ndarray:
    if decimal == ",":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    elif decimal == ".":
        text = text.str.replace(",", "", regex=False)
    else:
        comma_last = text.str.rfind(",") > text.str.rfind(".")
        german = comma_last & text.str.contains(".", regex=False)
        text = text.where(~german, text.str.replace(".", "", regex=False))
        text = text.where(~comma_last, text.str.replace(",", ".", regex=False))
        text = text.where(comma_last, text.str.replace(",", "", regex=False))
        grouped = text.str.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}")  # 4.526.728: German thousands, no decimals
        text = text.where(~grouped, text.str.replace(".", "", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def detect_date_format(text: pd.Series) -> str | None:
    """The format of :data:`DATE_FORMATS` that reads most of a sample of `text`."""
    head = text.head(20_000).str.strip()
    sample = head[head != ""].drop_duplicates().head(200)
    best, best_hits = None, 0
    for fmt in DATE_FORMATS:
        try:
            hits = _to_datetime(sample, fmt).notna().sum()
        except ValueError:  # e.g. mixed time zones pandas refuses for this format
            continue
        if hits > best_hits:
            best, best_hits = fmt, hits
        if best_hits == len(sample):
            break
    return best


def _to_datetime(text: pd.Series, fmt: str) -> pd.Series:
    """Parse with one format; ISO values with an offset become naive local (Europe/Berlin) time."""
    if fmt == "ISO8601":
        aware = text.str.contains(_TZ_SUFFIX, regex=True)
        if aware.any():
            local = pd.to_datetime(text.where(aware, None), format=fmt, errors="coerce", utc=True)
            local = local.dt.tz_convert("Europe/Berlin").dt.tz_localize(None)
            naive = pd.to_datetime(text.where(~aware, None), format=fmt, errors="coerce")
            return naive.where(~aware, local)
    return pd.to_datetime(text, format=fmt, errors="coerce")


def parse_datetime(
    values: pd.Series, *, date_format: str | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dates and times as naive local ``datetime64[s]``.

    German (``TT.MM.JJJJ [HH:MM[:SS]]``), ISO 8601 (an offset such as ``Z`` or
    ``+01:00`` is converted to German local time) and a few others; the format
    reading most values is used first, the others for the rest. Spreadsheet dates
    (already datetimes) are taken as they are.

    Returns
    -------
    (ndarray of datetime64[s], missing mask, unreadable mask)
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        series = values.dt.tz_convert("Europe/Berlin").dt.tz_localize(None) if values.dt.tz else values
        result = series.to_numpy(dtype="datetime64[s]")
        missing = np.isnat(result)
        return result, missing, np.zeros(len(values), dtype=bool)
    native = values.map(lambda v: isinstance(v, dt.date)) if values.dtype == object else None
    text, missing = raw_text(values)
    missing |= (text == "").to_numpy()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[s]")
    if native is not None and native.any():
        result[native] = pd.to_datetime(values[native].astype("object"))
        text = text.where(~native, "")
    todo = text != ""
    formats = [date_format] if date_format else [detect_date_format(text[todo]), *DATE_FORMATS]
    for fmt in dict.fromkeys(f for f in formats if f):
        if not todo.any():
            break
        fast = fast_strptime(text[todo], fmt) if fmt != "ISO8601" else None
        if fast is not None:
            values, read = fast
            index = text.index[todo.to_numpy()]
            result[index[read]] = values[read]
            todo &= result.isna()
        try:
            parsed = _to_datetime(text[todo].str.strip(), fmt)
        except ValueError:
            continue
        result[parsed.index] = parsed
        todo &= result.isna()
    unresolved = np.flatnonzero(result.isna().to_numpy() & ~missing)
    if len(unresolved):  # whitespace only counts as empty
        missing[unresolved[(text.iloc[unresolved].str.strip() == "").to_numpy()]] = True
    out = result.to_numpy(dtype="datetime64[s]")
    return out, missing, ~missing & np.isnat(out)


def parse_count(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Case counts: non-negative integers, thousands separators allowed (``8,380``, ``1.234``).

    Returns
    -------
    (ndarray of int64 with 0 where invalid, invalid mask)
        Invalid: empty, negative, fractional, above :data:`MAX_COUNT`, text or spreadsheet
        error cells (``#DIV/0!``).
    """
    if pd.api.types.is_integer_dtype(values.dtype):
        numbers = values.to_numpy()
        bad = (numbers < 0) | (numbers > MAX_COUNT)
        return np.where(bad, 0, numbers).astype(np.int64), bad
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64, na_value=np.nan)
        bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
        bad |= np.where(bad, 0, numbers) < 0
        bad |= np.where(bad, 0, numbers) > MAX_COUNT
        return np.where(bad, 0, numbers).astype(np.int64), bad
    native_float = values.map(lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    text, missing = as_text(values)
    text = text.where(~native_float, values.map(lambda v: f"{v:.10g}" if isinstance(v, float) else str(v)))
    grouped = text.str.fullmatch(_THOUSANDS)
    text = text.where(~grouped, text.str.replace(r"[.,'’ ]", "", regex=True))
    text = text.str.replace(r"\.0+$", "", regex=True)
    ok = text.str.fullmatch(_INTEGER) & ~pd.Series(missing, index=text.index)
    ok &= text.str.lstrip("+-").str.lstrip("0").str.len() <= 12  # above MAX_COUNT; no int64 overflow
    numbers = pd.to_numeric(text.where(ok, "0"), errors="coerce").fillna(0).to_numpy(dtype=np.int64)
    bad = ~ok.to_numpy() | (numbers < 0) | (numbers > MAX_COUNT)
    return np.where(bad, 0, numbers), bad


def is_error_cell(text: str) -> bool:
    """Whether `text` is a spreadsheet error value such as ``#DIV/0!``, ``#WERT!``, ``#NV``."""
    return bool(_ERROR_CELL.match(text.strip()))


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_GERMAN_RANGE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}\s*[-–]\s*\d{1,2}\.\d{1,2}\.\d{4}")
_GERMAN_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _bound(text: str, *, end: bool) -> dt.date:
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        year = int(text)
        return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
    if m := _MONTH.match(text):
        start = dt.date(int(m[1]), int(m[2]), 1)
        if not end:
            return start
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    if m := _DAY.match(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if m := _GERMAN_DAY.match(text):
        return dt.date(int(m[3]), int(m[2]), int(m[1]))
    raise ValueError(text)


def parse_period(text: object) -> tuple[dt.date, dt.date]:
    """A reporting period: ``2022``, ``2022-03``, ``2021-07..2022-06``, ``01.01.2020-31.12.2020``.

    Returns
    -------
    (start, end)
        Both inclusive.

    Raises
    ------
    InputFileError
        If `text` is none of the forms above or ends before it starts.
    """
    raw = str(text).strip()
    if isinstance(text, float) and text.is_integer():
        raw = str(int(text))
    if ".." in raw:
        parts = raw.split("..")
    elif _GERMAN_RANGE.fullmatch(raw):
        parts = re.split(r"\s*[-–]\s*", raw)
    else:
        parts = re.split(r"\s+[-–]\s+|–|\s+bis\s+", raw)
    try:
        if len(parts) == 1:
            start, end = _bound(parts[0], end=False), _bound(parts[0], end=True)
        elif len(parts) == 2:
            start, end = _bound(parts[0], end=False), _bound(parts[1], end=True)
        else:
            raise ValueError(raw)
    except ValueError as err:
        msg = (
            f"Zeitraum '{raw}' nicht lesbar; erwartet z. B. 2022, 2022-03, 2021-07..2022-06 "
            "oder 01.01.2020-31.12.2020."
        )
        raise InputFileError(msg) from err
    if end < start:
        msg = f"Zeitraum '{raw}' endet vor seinem Beginn."
        raise InputFileError(msg)
    return start, end
