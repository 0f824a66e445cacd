"""Validation of point records: coordinates, date, category, in Saxony, not twice.

Checks run in this order and a row keeps the first reason it fails: coordinates
missing or unreadable → date missing, unreadable or in the future → category empty
or unknown (or deliberately not used) → outside Saxony (with the distance) →
duplicate of an earlier row (same place to the centimetre, same time, same category).

A reporter or device column (role ``reporter``) is replaced before anything else by opaque
ids (:func:`pseudonyms`): the points get them as ``melder``, the raw values are in no result,
message or rejected row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.crs import METRIC_CRS
from geo.errors import InputFileError
from geo.fmt import zahl
from geo.incidents import coords
from geo.incidents.assign import gemeinde_grid
from geo.incidents.categories import CATEGORIES, IGNORE, fold_label
from geo.incidents.parse import EARLIEST, as_text, parse_datetime, parse_decimal
from geo.incidents.readers import RawTable
from geo.incidents.report import ImportReport, ImportResult, count_categories, empty_aggregates
from geo.incidents.rows import Cells, RowLedger, first_of_duplicates, quoted, shown_column

_DATE_HINT = "erwartet TT.MM.JJJJ [HH:MM] oder JJJJ-MM-TT[THH:MM]"


def _date_text(frame: pd.DataFrame, date_col: str, clock_col: str | None) -> pd.Series:
    values = frame[date_col]
    if clock_col is None:
        return values

    def part(v: object, fmt: str) -> object:
        return v.strftime(fmt) if isinstance(v, dt.date | dt.time) else v

    date = values.map(lambda v: part(v, "%Y-%m-%d")) if values.dtype == object else values
    clock, missing = as_text(frame[clock_col].map(lambda v: part(v, "%H:%M:%S")))
    return (
        (as_text(date)[0] + " " + clock)
        .str.strip()
        .where(~pd.Series(missing, index=frame.index), as_text(date)[0])
    )


def pseudonyms(values: pd.Series) -> np.ndarray:
    """Opaque reporter ids: HMAC-SHA256 of each value under a key made for this call, 16 hex digits.

    Equal values (trimmed, case-folded; 123.0 as 123) get equal ids within one call; the key
    is never kept, so an id leads back to no value and ids of two imports do not match.
    Blank cells give None.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    key = secrets.token_bytes(32)
    texts = [str(int(u)) if isinstance(u, float) and u.is_integer() else str(u).strip().casefold()
             for u in uniques]
    ids = [hmac.new(key, t.encode(), hashlib.sha256).hexdigest()[:16] if t else None for t in texts]
    return np.array([*ids, None], dtype=object)[codes]


def _categories(
    ledger: RowLedger, column: str | None, mapping: dict[str, str], fixed: str | None, notes: list[str]
) -> np.ndarray:
    """Category of every row as an index into ``CATEGORIES`` (-1 where none); rejects and ignores."""
    n = len(ledger.code)
    if fixed is not None:
        return np.full(n, CATEGORIES.index(fixed), dtype=np.int8)
    text = ledger.table.frame[column]
    codes, uniques = pd.factorize(text)  # strip and fold the few distinct labels, not every row
    blank_u = np.array([str(u).strip() == "" for u in uniques] + [True])
    missing = blank_u[codes]
    mapped = [mapping.get(fold_label(u), "") if str(u).strip() else "" for u in uniques]
    lookup = np.array([CATEGORIES.index(m) if m in CATEGORIES else -1 for m in mapped] + [-1], dtype=np.int8)
    unknown_u = np.array([m == "" for m in mapped] + [False])
    ignore_u = np.array([m == IGNORE for m in mapped] + [False])
    shown = shown_column(str(column))
    ledger.reject(missing, "kategorie_unbekannt", lambda i: f", Spalte '{shown}': keine Kategorie.")
    unknown = unknown_u[codes] & ~missing
    raw = Cells(text)
    if unknown.any():
        top = pd.Series(codes[unknown & ledger.open]).value_counts().head(10)  # codes: no copies of text
        if len(top):
            listed = ", ".join(f"'{quoted(uniques[code])}' ({count})" for code, count in top.items())
            notes.append(f"unbekannte Kategorien (bitte in der Zuordnungsdatei ergänzen): {listed}")
    ledger.reject(
        unknown,
        "kategorie_unbekannt",
        lambda i: f", Spalte '{shown}': Kategorie '{raw[i]}' steht nicht in der Zuordnung.",
    )
    ledger.ignore(ignore_u[codes], "nicht_zugeordnet")
    return lookup[codes]


def validate_points(
    table: RawTable,
    roles: dict[str, str],
    *,
    mapping: dict[str, str],
    crs: str | None = None,
    now: dt.datetime | None = None,
    decimal: str | None = None,
    date_format: str | None = None,
    category: str | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Validate point records and assign each accepted point its Gemeinde.

    Parameters
    ----------
    table : RawTable
        What a reader produced.
    roles : dict
        Role → column (see :mod:`geo.incidents.columns`); needs ``x``, ``y``, ``date``
        and ``category`` (unless `category` fixes it for the whole file).
    mapping : dict
        Folded label → category, from :func:`geo.incidents.categories.load_mapping`.
    crs : str, optional
        CRS of the coordinates (e.g. ``"EPSG:31468"``); detected when not given.
    now : datetime, optional
        Naive local time after which a date counts as future (default: now in Berlin).
    decimal, date_format : str, optional
        Force the decimal mark or the date format (``strptime`` syntax or ``"ISO8601"``).
    category : str, optional
        One category for every row (a file with no category column).
    progress : callable, optional
        ``progress(fraction, text)``, called at each stage.
    """
    progress = progress or (lambda fraction, text: None)
    progress(0.35, "Koordinaten und Datumsangaben werden geprüft")
    reporters = None
    if "reporter" in roles:  # hashed first, then the raw column is gone from everything below
        reporters = pseudonyms(table.frame[roles["reporter"]])
        table = dataclasses.replace(table, frame=table.frame.drop(columns=roles["reporter"]))
    file, frame = table.file, table.frame
    ledger = RowLedger(table)
    notes = list(table.notes)
    if "date" not in roles:
        msg = f"{file}: keine Datumsspalte gefunden (z. B. 'Datum', 'Tatzeit', 'requested_datetime')."
        raise InputFileError(msg)
    if category is None and "category" not in roles:
        msg = f"{file}: keine Kategoriespalte gefunden (z. B. 'Kategorie', 'Delikt', 'service_name')."
        raise InputFileError(msg)
    xcol, ycol, dcol = roles["x"], roles["y"], roles["date"]
    x, xmiss, xbad = parse_decimal(frame[xcol], decimal=decimal)
    y, ymiss, ybad = parse_decimal(frame[ycol], decimal=decimal)
    where_xy = "Geometrie" if xcol.startswith("__") else f"Spalten '{xcol}'/'{ycol}'"
    ledger.reject(xmiss | ymiss, "keine_koordinaten", lambda i: f", {where_xy}: keine Koordinaten.")
    xraw, yraw = Cells(frame[xcol]), Cells(frame[ycol])
    if xcol.startswith("__"):  # geodata: the value is the geometry type of a non-point feature
        kind = frame[xcol].map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        ledger.reject(
            kind & (xbad | ybad), "koordinaten_unlesbar", lambda i: f": Geometrie ist kein Punkt ({xraw[i]})."
        )
    ledger.reject(
        xbad,
        "koordinaten_unlesbar",
        lambda i: f", Spalte '{shown_column(xcol)}': '{xraw[i]}' ist keine Koordinate.",
    )
    ledger.reject(
        ybad,
        "koordinaten_unlesbar",
        lambda i: f", Spalte '{shown_column(ycol)}': '{yraw[i]}' ist keine Koordinate.",
    )

    when_raw = _date_text(frame, dcol, roles.get("clock"))
    when, tmiss, tbad = parse_datetime(when_raw, date_format=date_format)
    draw, dshown = Cells(when_raw), shown_column(dcol)
    ledger.reject(tmiss, "datum_unlesbar", lambda i: f", Spalte '{dshown}': kein Datum.")
    ledger.reject(
        tbad, "datum_unlesbar", lambda i: f", Spalte '{dshown}': '{draw[i]}' ist kein Datum ({_DATE_HINT})."
    )
    ledger.reject(  # year 0001, Excel's day 0: typing errors that would stretch every period over centuries
        ~np.isnat(when) & (when < np.datetime64(EARLIEST, "s")),
        "datum_unlesbar",
        lambda i: f", Spalte '{dshown}': '{draw[i]}' liegt vor {EARLIEST:%Y}, kein plausibles Datum.",
    )
    now = now or pd.Timestamp.now(tz="Europe/Berlin").tz_localize(None).to_pydatetime()
    ledger.reject(
        ~np.isnat(when) & (when > np.datetime64(now, "s")),
        "datum_zukunft",
        lambda i: f", Spalte '{dshown}': {pd.Timestamp(when[i]):%d.%m.%Y %H:%M} liegt in der Zukunft.",
    )

    progress(0.6, "Kategorien werden zugeordnet")
    cats = _categories(ledger, roles.get("category"), mapping, category, notes)

    open_rows = ledger.open
    if crs is None and table.crs is None:
        crs, _ = coords.detect_crs(x[open_rows], y[open_rows])
        notes.append(f"Koordinatensystem erkannt: {coords.CRS_NAMES.get(crs, crs)}")
    elif crs is None:
        crs = table.crs
    else:
        notes.append(f"Koordinatensystem angegeben: {coords.CRS_NAMES.get(crs, crs)}")
    mx, my, swapped = coords.locate(
        np.where(open_rows, x, np.nan), np.where(open_rows, y, np.nan), coords.normalise_crs(crs)
    )
    if swapped.any():
        first = ledger.where(int(np.flatnonzero(swapped)[0]))
        notes.append(
            f"vertauschte Koordinaten (Breite/Länge bzw. Rechts-/Hochwert) in {int(swapped.sum())} "
            f"{'Datensatz' if swapped.sum() == 1 else 'Datensätzen'} erkannt und korrigiert, zuerst {first}."
        )
    ledger.reject(
        open_rows & ~(np.isfinite(mx) & np.isfinite(my)),
        "koordinaten_unlesbar",
        lambda i: f", {where_xy}: ({xraw[i]} / {yraw[i]}) ist in {crs} keine gültige Position.",
    )
    progress(0.7, "Gemeinden werden zugeordnet")
    grid = gemeinde_grid()
    gem_index = grid.lookup(np.where(ledger.open, mx, np.nan), np.where(ledger.open, my, np.nan))
    outside = ledger.open & (gem_index < 0)
    if outside.any():
        distance = np.zeros(len(mx))
        distance[outside] = coords.distance_to_saxony_km(mx[outside], my[outside])
        ledger.reject(
            outside,
            "ausserhalb_sachsen",
            lambda i: (
                f", {where_xy}: ({xraw[i]} / {yraw[i]}) liegt "
                f"{zahl(max(distance[i], 0.1), 1)} km außerhalb Sachsens."
            ),
        )

    progress(0.85, "Duplikate werden gesucht")
    candidates = np.flatnonzero(ledger.open)
    dup, first = first_of_duplicates([np.round(mx, 2), np.round(my, 2), when, cats], candidates)
    if len(dup):
        first_row = dict(zip(dup.tolist(), table.rows[first].tolist(), strict=True))
        ledger.reject(
            np.isin(np.arange(len(mx)), dup),
            "duplikat",
            lambda i: (
                f": doppelt – gleicher Ort, gleiche Zeit und Kategorie wie {table.row_word} {first_row[i]}."
            ),
        )

    keep = ledger.open
    points = gpd.GeoDataFrame(
        {
            "category": pd.Series(pd.Categorical.from_codes(cats[keep], categories=list(CATEGORIES))).astype(
                "str"
            ),
            "time": pd.Series(when[keep], dtype="datetime64[s]"),
            "ags": pd.Series(pd.Categorical.from_codes(gem_index[keep], categories=list(grid.ags))).astype(
                "str"
            ),
        },
        geometry=gpd.points_from_xy(mx[keep], my[keep], crs=METRIC_CRS),
    )
    if reporters is not None:
        points["melder"] = pd.Series(reporters[keep], dtype="str")
        notes.append(f"Meldende: {points['melder'].nunique()} verschiedene (anonymisiert), "
                     f"aus Spalte '{roles['reporter']}'")
    report = ImportReport(
        file=file,
        kind="punkte",
        rows=len(frame),
        accepted=int(keep.sum()),
        reasons=ledger.reasons(),
        ignored_reasons=ledger.ignored_reasons(),
        categories=count_categories(points["category"]),
        notes=notes,
        rejected_rows=ledger.rejected_frame(),
    )
    if len(points):
        report.period = (pd.Timestamp(points["time"].min()).date(), pd.Timestamp(points["time"].max()).date())
    report.demo = table.demo
    progress(1.0, "fertig")
    return ImportResult(points=points, aggregates=empty_aggregates(), report=report)
