"""Arrow-backed fast paths for the parsers in :mod:`geo.incidents.parse`.

A million-row export must import in seconds, so numbers and dates are parsed with
pyarrow compute kernels (C++, no Python loop). Each fast path returns which values
it read with certainty; the rest go to the slower, per-value rules in
:mod:`geo.incidents.parse`, so results are the same as without the fast path.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_FIELDS = {"%d": "d", "%m": "m", "%Y": "Y", "%y": "y", "%H": "H", "%M": "M", "%S": "S"}


def arrow_strings(text: pd.Series) -> pa.Array:
    """`text` (strings, no missing values) as a pyarrow string array, zero-copy when arrow-backed."""
    try:
        return pa.array(text)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(text.astype(object).to_numpy(), type=pa.large_string())


def needs_strip(text: pd.Series) -> bool:
    """Whether any value has leading or trailing whitespace (checking is cheaper than stripping)."""
    if not len(text):
        return False
    return bool(pc.any(pc.match_substring_regex(arrow_strings(text.fillna("")), r"^\s|\s$")).as_py())


def fast_decimal(text: pd.Series, *, decimal: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Plain numbers with ``.`` or a single ``,`` as decimal mark.

    Returns
    -------
    (float64 array with NaN where not read, mask of values read)
        Values with thousands separators or anything unusual are *not* read here.
    """
    arr = arrow_strings(text)
    arr = pc.replace_substring(arr, ",", "" if decimal == "." else ".")
    ok = pc.fill_null(pc.match_substring_regex(arr, _NUMBER), False)
    numbers = pc.cast(pc.if_else(ok, arr, pa.scalar(None, arr.type)), pa.float64())
    values = numbers.to_numpy(zero_copy_only=False)
    return np.where(np.isnan(values), np.nan, values), ok.to_numpy(zero_copy_only=False) & ~np.isnan(values)


def _field_regex(fmt: str) -> str | None:
    parts = re.split(r"(%[a-zA-Z])", fmt)
    out = []
    for part in parts:
        if part.startswith("%"):
            if part not in _FIELDS:
                return None
            digits = r"\d{4}" if part == "%Y" else r"\d{1,2}"
            out.append(f"(?P<{_FIELDS[part]}>{digits})")
        else:
            out.append(re.escape(part))
    return "^" + "".join(out) + "$"


def fast_strptime(text: pd.Series, fmt: str) -> tuple[np.ndarray, np.ndarray] | None:
    """Dates in one strptime format, strictly (no 31 April rolled over to 1 May).

    Returns
    -------
    (datetime64[s] array, mask of values read) or None
        None if the format has fields this fast path does not check.
    """
    pattern = _field_regex(fmt)
    if pattern is None:
        return None
    arr = arrow_strings(text)
    parsed = pc.strptime(arr, format=fmt, unit="s", error_is_null=True)
    fields = pc.extract_regex(arr, pattern)  # null where the text does not have the format's shape
    ok = pc.fill_null(pc.is_valid(fields), False)
    ok = pc.and_(ok, pc.is_valid(parsed))
    # Arrow normalises out-of-range days and hours (31.04. → 01.05.); the text's own fields must survive.
    for name, extract in (("d", pc.day), ("H", pc.hour), ("m", pc.month)):
        if f"?P<{name}>" not in pattern:
            continue
        written = pc.cast(pc.struct_field(fields, name), pa.int64())
        ok = pc.and_(ok, pc.fill_null(pc.equal(written, pc.cast(extract(parsed), pa.int64())), False))
    mask = ok.to_numpy(zero_copy_only=False)
    values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    return np.where(mask, values, np.datetime64("NaT")), mask
