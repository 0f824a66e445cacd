"""Parsers: the arrow fast paths give exactly what the per-value rules give."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import InputFileError
from geo.incidents.fastparse import fast_strptime
from geo.incidents.parse import _slow_decimal, parse_count, parse_datetime, parse_decimal, parse_period


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("13,7372", 13.7372),
        ("51.0504", 51.0504),
        ("411.548,9", 411548.9),
        ("411,548.9", 411548.9),
        ("-3", -3.0),
        (" 5657890,1 ", 5657890.1),
        ("4.526.728", 4526728.0),
    ],
)
def test_decimal_forms(raw, value):
    numbers, missing, bad = parse_decimal(pd.Series([raw], dtype="str"))
    assert (numbers[0], missing[0], bad[0]) == (value, False, False)


def test_decimal_empty_and_unreadable():
    numbers, missing, bad = parse_decimal(pd.Series(["", "  ", "abc", None], dtype="str"))
    assert missing.tolist() == [True, True, False, True]
    assert bad.tolist() == [False, False, True, False]
    assert np.isnan(numbers).all()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.from_regex(r"\A-?[0-9]{0,7}([.,][0-9]{0,4}){0,2}\Z", fullmatch=True), min_size=1, max_size=30)
)
def test_fast_decimal_equals_the_per_value_rules(values):
    series = pd.Series(values, dtype="str")
    numbers, missing, _ = parse_decimal(series)
    expected = _slow_decimal(series, decimal=None).copy()
    expected[(series == "").to_numpy()] = np.nan
    np.testing.assert_array_equal(numbers, expected)
    assert missing.tolist() == (series == "").tolist()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 35),
            st.integers(0, 14),
            st.integers(1990, 2030),
            st.integers(0, 26),
            st.integers(0, 61),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_fast_strptime_is_as_strict_as_pandas(parts):
    text = pd.Series([f"{d:02d}.{m:02d}.{y} {h:02d}:{mi:02d}" for d, m, y, h, mi in parts], dtype="str")
    values, read = fast_strptime(text, "%d.%m.%Y %H:%M")
    reference = pd.to_datetime(text, format="%d.%m.%Y %H:%M", errors="coerce")
    assert read.tolist() == reference.notna().tolist()
    assert values[read].tolist() == reference[read].to_numpy(dtype="datetime64[s]").tolist()


def test_datetime_formats_and_time_zones():
    values, missing, bad = parse_datetime(
        pd.Series(
            [
                "03.05.2023 22:15",
                "3.5.2023",
                "2024-01-15T10:00:00+01:00",
                "2024-07-01T08:00Z",
                "31.04.2023",
                "",
            ],
            dtype="str",
        )
    )
    assert [str(v) for v in values[:4]] == [
        "2023-05-03T22:15:00",
        "2023-05-03T00:00:00",
        "2024-01-15T10:00:00",
        "2024-07-01T10:00:00",
    ]
    assert bad.tolist() == [False, False, False, False, True, False]
    assert missing.tolist() == [False] * 5 + [True]


def test_counts():
    counts, bad = parse_count(
        pd.Series(["8,380", "1.234", "12", "-4", "12,5", "#DIV/0!", "", "3.0"], dtype="str")
    )
    assert counts.tolist() == [8380, 1234, 12, 0, 0, 0, 0, 3]
    assert bad.tolist() == [False, False, False, True, True, True, True, False]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2022", dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
        ("2022-02", dt.date(2022, 2, 1), dt.date(2022, 2, 28)),
        ("2021-07..2022-06", dt.date(2021, 7, 1), dt.date(2022, 6, 30)),
        ("01.01.2020-31.12.2020", dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
    ],
)
def test_periods(text, start, end):
    assert parse_period(text) == (start, end)


@pytest.mark.parametrize("text", ["2022-13", "2023..2022", "letztes Jahr"])
def test_bad_periods(text):
    with pytest.raises(InputFileError, match="Zeitraum"):
        parse_period(text)
