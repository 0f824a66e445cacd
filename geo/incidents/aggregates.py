"""Validation of aggregated tables: one row per area × category × period with a count.

Areas are Gemeinden (8-digit AGS, 12-digit ARS or name) or Kreise (5-digit key,
also with its leading zero dropped as in BKA tables, or name). Keys win over names:
a name that fits more than one area (Leipzig is a Gemeinde, a kreisfreie Stadt and
a Landkreis; there are two Bernsdorf) is rejected unless the column says which
level it means ("Gemeinde" vs "Kreis"). Rows for other Länder and Land/Bund totals
are not used and reported as such, never added to the Kreise.

A table with a PKS ``Schlüssel`` column maps by the key; keys the mapping does not
list are not used (reported), so summary keys are never added to their parts.
Accepted rows with the same area, category and period are summed.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

import numpy as np
import pandas as pd

from geo import boundaries
from geo.errors import InputFileError
from geo.fmt import zahl
from geo.incidents.categories import CATEGORIES, IGNORE, fold_label
from geo.incidents.columns import GEMEINDE_AREA_ALIASES, KREIS_AREA_ALIASES
from geo.incidents.parse import EARLIEST, MAX_COUNT, as_text, is_error_cell, parse_count, parse_period
from geo.incidents.readers import RawTable
from geo.incidents.report import ImportReport, ImportResult, count_categories, empty_points
from geo.incidents.rows import RowLedger, first_of_duplicates, quoted, shown_column

_TOTAL_NAMES = {
    "sachsen",
    "freistaat sachsen",
    "deutschland",
    "bundesgebiet",
    "bund",
    "insgesamt",
    "gesamt",
    "summe",
    "land sachsen",
}
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


@functools.cache
def _areas() -> tuple[dict[str, list[tuple[str, str]]], dict[str, list[tuple[str, str]]], set[str], set[str]]:
    gem = boundaries.load_gemeinden()
    kre = boundaries.load_kreise()
    by_gem: dict[str, list[tuple[str, str]]] = {}
    for ags, name, official in zip(gem["ags"], gem["name"], gem["name_amtlich"], strict=True):
        for label in {fold_label(name), fold_label(official)}:
            by_gem.setdefault(label, []).append((ags, "gemeinde"))
    merged = boundaries.merged_gemeinden()
    for old, name in zip(merged["ags_alt"], merged["name_alt"], strict=True):  # a name of today wins
        by_gem.setdefault(fold_label(name), [(old, "gemeinde")])
    by_kreis: dict[str, list[tuple[str, str]]] = {}
    for key, name, typ in zip(kre["kreis_ags"], kre["kreis_name"], kre["kreis_typ"], strict=True):
        base = name.removesuffix(", Stadt")
        labels = {fold_label(name)}
        if typ == "Kreisfreie Stadt":
            labels |= {
                fold_label(f"Stadt {base}"),
                fold_label(f"Kreisfreie Stadt {base}"),
                fold_label(f"{base} Stadt"),
            }
        else:
            labels |= {fold_label(f"Landkreis {base}"), fold_label(f"Kreis {base}"), fold_label(f"LK {base}")}
        for label in labels:
            by_kreis.setdefault(label, []).append((key, "kreis"))
    return by_gem, by_kreis, set(gem["ags"]), set(kre["kreis_ags"])


@functools.cache
def _successors() -> dict[str, str]:
    """Gemeinde key of 2016 → key of the Gemeinde that took it in."""
    table = boundaries.merged_gemeinden()
    return dict(zip(table["ags_alt"], table["ags"], strict=True))


def _by_key(raw: str) -> tuple[str, str, str]:
    """(area_key, level, problem) for a key cell; level "" when not a Saxon area."""
    digits = re.sub(r"\.0$", "", raw.strip()).replace(" ", "")
    _, _, gemeinden, kreise = _areas()
    if not digits.isdigit():
        return "", "", "kein Schlüssel"
    if len(digits) == 12:  # ARS: Land, RB, Kreis, Verband(4), Gemeinde(3)
        digits = digits[:5] + digits[9:]
    if len(digits) <= 3:
        return digits, "", "summenzeile" if digits.zfill(2).startswith("14") else "nicht_sachsen"
    if len(digits) in (4, 5):
        key = digits.zfill(5)
        if not key.startswith("14"):
            return key, "", "nicht_sachsen"
        return (key, "kreis", "") if key in kreise else (key, "", "unbekannt")
    if len(digits) in (7, 8):
        key = digits.zfill(8)
        if not key.startswith("14"):
            return key, "", "nicht_sachsen"
        if key in gemeinden or key in _successors():  # a key of 2016: see _merge_old_gemeinden
            return key, "gemeinde", ""
        return key, "", "unbekannt"
    return digits, "", "unbekannt"


def _by_name(raw: str, *, level: str | None) -> tuple[str, str, str]:
    """(area_key, level, problem) for a name; `level` is the column's hint ("kreis", "gemeinde" or None)."""
    label = fold_label(raw)
    if label in _TOTAL_NAMES:
        return "", "", "summenzeile"
    by_gem, by_kreis, _, _ = _areas()
    gem, kre = by_gem.get(label, []), by_kreis.get(label, [])
    if level == "kreis":
        hits = kre or gem
    elif level == "gemeinde":
        hits = gem or kre
    else:
        hits = gem + kre
    if len(hits) == 1:
        return hits[0][0], hits[0][1], ""
    if not hits:
        return "", "", "unbekannt"
    return "", "", "mehrdeutig: " + ", ".join(f"{lvl} {key}" for key, lvl in hits)


def _merge_old_gemeinden(keys: np.ndarray, notes: list[str]) -> np.ndarray:
    """`keys` with each Gemeinde of 2016 replaced by the Gemeinde of today that took it in
    (counts add up there); the replacements are listed in `notes`."""
    successors = _successors()
    old = np.isin(keys, list(successors))
    if not old.any():
        return keys
    names = boundaries.merged_gemeinden().set_index("ags_alt")
    moved = pd.Series(keys[old]).value_counts().sort_index()
    listed = "; ".join(f"{names.at[k, 'name_alt']} ({k}) → {names.at[k, 'name']} ({names.at[k, 'ags']}), "
                       f"{n} {'Zeile' if n == 1 else 'Zeilen'}" for k, n in moved.items())
    notes.append(f"Gemeinden vor einer Fusion (Stand 2016) der heutigen Gemeinde zugerechnet: {listed}")
    return np.array([successors.get(k, k) for k in keys], dtype=object)


def _resolve_areas(ledger: RowLedger, roles: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    frame = ledger.table.frame
    n = len(frame)
    keys = np.full(n, "", dtype=object)
    levels = np.full(n, "", dtype=object)
    problems = np.full(n, "", dtype=object)
    key_text = as_text(frame[roles["ags"]])[0].to_numpy() if "ags" in roles else np.full(n, "", dtype=object)
    name_text = (
        as_text(frame[roles["area"]])[0].to_numpy() if "area" in roles else np.full(n, "", dtype=object)
    )
    area_column = fold_label(roles.get("area", ""))
    level = (
        "kreis"
        if area_column in KREIS_AREA_ALIASES
        else "gemeinde"
        if area_column in GEMEINDE_AREA_ALIASES
        else None
    )
    by_key = {v: _by_key(v) for v in pd.unique(key_text) if v}
    by_name = {v: _by_name(v, level=level) for v in pd.unique(name_text) if v}
    for i in range(n):
        hit = by_key.get(key_text[i])
        if hit is None or (hit[2] == "kein Schlüssel" and name_text[i]):
            hit = by_name.get(name_text[i], ("", "", "leer"))
        keys[i], levels[i], problems[i] = hit
    ledger.ignore(problems == "nicht_sachsen", "nicht_sachsen")
    ledger.ignore(problems == "summenzeile", "summenzeile")
    column = shown_column(roles.get("ags", roles.get("area", "")))
    shown = np.where(key_text != "", key_text, name_text)
    ledger.reject(
        problems != "",
        "gebiet_unbekannt",
        lambda i: (
            f", Spalte '{column}': Gebiet '{quoted(shown[i])}' "
            + (
                "fehlt."
                if problems[i] == "leer"
                else f"ist {problems[i]} – bitte den Schlüssel angeben."
                if "mehrdeutig" in problems[i]
                else "ist keine sächsische Gemeinde und kein sächsischer Kreis."
            )
        ),
    )
    return keys, levels


def _resolve_categories(
    ledger: RowLedger, roles: dict[str, str], mapping: dict[str, str], notes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    frame = ledger.table.frame
    n = len(frame)
    key_text = as_text(frame[roles["key"]])[0].to_numpy() if "key" in roles else np.full(n, "", dtype=object)
    label_text = (
        as_text(frame[roles["category"]])[0].to_numpy()
        if "category" in roles
        else np.full(n, "", dtype=object)
    )
    if "key" not in roles and "category" not in roles:
        msg = (
            f"{ledger.table.file}: keine Spalte für die Kategorie (z. B. 'Kategorie', 'Delikt', 'Schlüssel')."
        )
        raise InputFileError(msg)
    source = np.where(key_text != "", key_text, label_text)
    folded = {v: fold_label(v) for v in pd.unique(np.concatenate([key_text, label_text])) if v}
    cats = np.array(
        [
            mapping.get(folded.get(k, ""), "") or mapping.get(folded.get(lab, ""), "")
            for k, lab in zip(key_text, label_text, strict=True)
        ],
        dtype=object,
    )
    if "key" in roles:
        unmapped = (cats == "") & (key_text != "") & ledger.open
        if unmapped.any():
            listed = ", ".join(quoted(k, 20) for k in sorted(set(key_text[unmapped]))[:20])
            notes.append(f"PKS-Schlüssel ohne Zuordnung, nicht verwendet: {listed}")
        ledger.ignore(unmapped, "nicht_zugeordnet")
    ledger.ignore(cats == IGNORE, "nicht_zugeordnet")
    column = shown_column(roles.get("category", roles.get("key", "")))
    ledger.reject(
        cats == "",
        "kategorie_unbekannt",
        lambda i: (
            f", Spalte '{column}': Kategorie '{quoted(source[i])}' steht nicht in der Zuordnung."
            if source[i]
            else f", Spalte '{column}': keine Kategorie."
        ),
    )
    return cats, np.array([folded.get(s, s) for s in source], dtype=object)


def _resolve_periods(
    ledger: RowLedger, roles: dict[str, str], period: object | None, notes: list[str], today: dt.date
) -> tuple[np.ndarray, np.ndarray]:
    table = ledger.table
    n = len(table.frame)
    column = roles.get("year", roles.get("date"))
    if period is not None:
        start, end = parse_period(period)
        notes.append(f"Zeitraum angegeben: {start:%d.%m.%Y} – {end:%d.%m.%Y}")
        starts, ends = np.full(n, start, dtype=object), np.full(n, end, dtype=object)
    elif column is not None:
        text = table.frame[column].map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, dt.date) else v)
        text = as_text(text)[0].str.replace(r"\.0$", "", regex=True).to_numpy()
        parsed: dict[str, tuple[dt.date, dt.date] | None] = {}
        for value in pd.unique(text):
            try:
                parsed[value] = parse_period(value)
            except InputFileError:
                parsed[value] = None
        bounds = [parsed[v] for v in text]
        ledger.reject(
            np.array([b is None for b in bounds]),
            "datum_unlesbar",
            lambda i: (f", Spalte '{shown_column(column)}': Zeitraum '{quoted(text[i])}' nicht lesbar "
                       "(z. B. 2022, 2022-03)."),
        )
        starts = np.array([b[0] if b else None for b in bounds], dtype=object)
        ends = np.array([b[1] if b else None for b in bounds], dtype=object)
    else:
        years = _YEAR_IN_NAME.findall(table.file)
        if len(set(years)) != 1:
            msg = (
                f"{table.file}: die Tabelle hat keine Jahres- oder Datumsspalte; bitte den Zeitraum "
                "angeben, z. B. --period 2022 oder --period 2021-07..2022-06."
            )
            raise InputFileError(msg)
        start, end = parse_period(years[0])
        notes.append(f"Zeitraum aus dem Dateinamen: {years[0]}")
        starts, ends = np.full(n, start, dtype=object), np.full(n, end, dtype=object)
    early = np.array([s is not None and s < EARLIEST for s in starts])
    ledger.reject(
        early,
        "datum_unlesbar",
        lambda i: f": Zeitraum ab {starts[i].isoformat()} liegt vor {EARLIEST:%Y}, kein plausibler Zeitraum.",
    )
    future = np.array([s is not None and s > today for s in starts])
    ledger.reject(
        future, "datum_zukunft", lambda i: f": Zeitraum ab {starts[i]:%d.%m.%Y} liegt in der Zukunft."
    )
    return starts, ends


def _too_large(text: str) -> bool:
    """Whether a count cell is a whole number above ``MAX_COUNT`` (to say so in its message)."""
    digits = re.sub(r"(?<=\d)[.,'’ ](?=\d{3})", "", text.strip().removeprefix("+")).lstrip("0")
    return digits.isascii() and digits.isdigit() and (len(digits) > 12 or int(digits) > MAX_COUNT)


def validate_aggregates(
    table: RawTable,
    roles: dict[str, str],
    *,
    mapping: dict[str, str],
    period: object | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Validate an aggregated table (see module doc); `period` overrides any period column."""
    ledger = RowLedger(table)
    notes = list(table.notes)
    today = today or pd.Timestamp.now(tz="Europe/Berlin").date()
    given, levels = _resolve_areas(ledger, roles)
    cats, sources = _resolve_categories(ledger, roles, mapping, notes)
    starts, ends = _resolve_periods(ledger, roles, period, notes, today)
    counts, bad = parse_count(table.frame[roles["count"]])
    column = shown_column(roles["count"])
    raw = as_text(table.frame[roles["count"]])[0].to_numpy()
    ledger.reject(
        bad,
        "anzahl_ungueltig",
        lambda i: (
            f", Spalte '{column}': "
            + (
                f"Tabellenfehler '{quoted(raw[i])}' statt einer Anzahl."
                if is_error_cell(raw[i])
                else "keine Anzahl."
                if not raw[i]
                else f"'{quoted(raw[i])}' ist unplausibel groß (höchstens {zahl(MAX_COUNT)} je Zeile)."
                if _too_large(raw[i])
                else f"'{quoted(raw[i])}' ist keine nicht-negative ganze Zahl."
            )
        ),
    )
    candidates = np.flatnonzero(ledger.open)
    # Duplicates by the area as given: Aue and Bad Schlema are two rows of Aue-Bad Schlema.
    dup, first = first_of_duplicates(
        [given, levels, sources, starts.astype(str), ends.astype(str)], candidates
    )
    if len(dup):
        first_row = dict(zip(dup.tolist(), table.rows[first].tolist(), strict=True))
        ledger.reject(
            np.isin(np.arange(len(given)), dup),
            "duplikat",
            lambda i: (
                f": doppelt – gleiches Gebiet, gleiche Kategorie und gleicher Zeitraum wie "
                f"{table.row_word} {first_row[i]}."
            ),
        )
    keep = ledger.open
    keys = _merge_old_gemeinden(np.where(keep, given, ""), notes)
    rows = pd.DataFrame(
        {
            "area_key": keys[keep],
            "level": levels[keep],
            "category": cats[keep],
            "period_start": starts[keep],
            "period_end": ends[keep],
            "count": counts[keep],
        }
    )
    order = {c: i for i, c in enumerate(CATEGORIES)}
    aggregates = (
        rows.groupby(["area_key", "level", "category", "period_start", "period_end"], sort=False)["count"]
        .sum()
        .reset_index()
    )
    aggregates = (
        aggregates.assign(_o=aggregates["category"].map(order))
        .sort_values(["_o", "area_key", "period_start"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )
    aggregates = aggregates.astype({"area_key": "str", "level": "str", "category": "str", "count": "int64"})
    report = ImportReport(
        file=table.file,
        kind="aggregiert",
        rows=len(given),
        accepted=int(keep.sum()),
        reasons=ledger.reasons(),
        ignored_reasons=ledger.ignored_reasons(),
        categories=count_categories(rows["category"], rows["count"]),
        notes=notes,
        rejected_rows=ledger.rejected_frame(),
    )
    if len(rows):
        report.period = (min(rows["period_start"]), max(rows["period_end"]))
    report.demo = table.demo
    return ImportResult(points=empty_points(), aggregates=aggregates, report=report)
