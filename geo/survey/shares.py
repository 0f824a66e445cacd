"""Per-area survey shares: how many respondents feel unsafe at night, per Gemeinde or Ortsteil.

One row per area: ``ags`` (the Gemeinde), optionally ``gebiet`` (Ortsteil name; empty
= the whole Gemeinde), the share feeling unsafe (``anteil_unsicher``, in per cent or as
a fraction) or the count (``unsicher``), and the number of respondents ``n``. Every
share gets a Wilson score interval; areas with fewer than :data:`MIN_N` respondents are
flagged, never interpreted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.boundaries import load_gemeinden, merger_note
from geo.errors import InputFileError
from geo.survey.table import Source, parse_number, read_csv, require_columns, row_messages, text_rows

#: Fewer respondents than this and a share is shown but not interpreted.
MIN_N = 30
Z_95 = 1.959963984540054

COLUMNS = ("ags", "gemeinde", "gebiet", "n", "unsicher", "anteil", "ci_low", "ci_high", "zu_klein")
_ALIASES = {
    "ags": ("gemeindeschlüssel", "gemeindeschluessel", "gkz"),
    "gebiet": ("ortsteil", "stadtteil", "bereich", "name"),
    "anteil_unsicher": ("anteil", "anteil unsicher", "unsicher nachts", "anteil unsicher nachts",
                        "unsicher_nachts", "anteil_unsicher_nachts", "prozent unsicher"),
    "unsicher": ("anzahl unsicher", "anzahl_unsicher", "unsicher anzahl"),
    "n": ("befragte", "stichprobe", "antworten", "anzahl befragte", "rücklauf", "ruecklauf"),
}


def wilson_interval(k: np.ndarray | int, n: np.ndarray | int, *,
                    z: float = Z_95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for `k` successes out of `n` (95 % by default).

    Unlike the plain ±1.96·√(p(1−p)/n) interval it stays inside [0, 1] and keeps its
    coverage for small `n` and shares near 0 or 1. ``n == 0`` gives (0, 1).
    """
    k, n = np.asarray(k, dtype=float), np.asarray(n, dtype=float)
    safe_n = np.where(n > 0, n, 1.0)
    p = k / safe_n
    denom = 1 + z**2 / safe_n
    centre = (p + z**2 / (2 * safe_n)) / denom
    half = z * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2)) / denom
    return np.where(n > 0, centre - half, 0.0), np.where(n > 0, centre + half, 1.0)


def validate_shares(frame: pd.DataFrame, *, name: str = "Eingabe", min_n: int = MIN_N) -> pd.DataFrame:
    """Check per-area shares and add the count, the Wilson interval and the small-sample flag.

    Parameters
    ----------
    frame : DataFrame
        Columns as in the module doc (aliases accepted). Shares may be written ``34,5``,
        ``34,5 %`` or ``0,345``: if any share of the file is above 1, all are per cent.
    name : str
        File name used in messages.
    min_n : int
        Areas with fewer respondents get ``zu_klein = True``.

    Returns
    -------
    DataFrame
        :data:`COLUMNS`: ``unsicher`` is the count (rounded from share × n where only the
        share is given), ``anteil`` a fraction, ``ci_low``/``ci_high`` its 95 % Wilson interval.

    Raises
    ------
    InputFileError
        Listing every row problem: unknown AGS, missing or impossible share or count,
        sample size not a positive whole number, duplicate area.
    """
    df = text_rows(frame)
    given = {c for role in ("anteil_unsicher", "unsicher") for c in (role, *_ALIASES[role])}
    has_share_column = bool(given & set(df.columns))
    df = require_columns(df, _ALIASES, name=name, optional=("gebiet", "anteil_unsicher", "unsicher"))
    if not has_share_column:
        msg = f"{name}: Spalte 'anteil_unsicher' (Anteil in %) oder 'unsicher' (Anzahl) fehlt."
        raise InputFileError(msg)
    gem = load_gemeinden().set_index("ags")["name"]
    shares = df["anteil_unsicher"].map(parse_number)
    percent = bool((shares.dropna() > 1).any()) or df["anteil_unsicher"].str.contains("%").any()
    problems: list[str] = []
    rows, seen = [], {}
    for row, rec in df.iterrows():
        here = f"Zeile {row}"
        if rec["ags"] not in gem.index:
            note = merger_note(rec["ags"])
            problems.append(f"{here}: Spalte 'ags' enthält '{rec['ags']}', das ist kein Amtlicher "
                            "Gemeindeschlüssel einer sächsischen Gemeinde." + (f" {note}" if note else ""))
        key = (rec["ags"], rec["gebiet"].casefold())
        if key in seen:
            problems.append(f"{here}: das Gebiet steht schon in Zeile {seen[key]}.")
        seen.setdefault(key, row)
        n = parse_number(rec["n"])
        if n is None or n < 1 or n != int(n):
            problems.append(f"{here}: Spalte 'n' enthält '{rec['n']}', erwartet die Zahl der Befragten "
                            "(ganze Zahl ab 1).")
            continue
        count = parse_number(rec["unsicher"]) if rec["unsicher"] else None
        share = shares[row]
        if rec["unsicher"] and (count is None or count < 0 or count > n or count != int(count)):
            problems.append(f"{here}: Spalte 'unsicher' enthält '{rec['unsicher']}', erwartet eine ganze "
                            f"Zahl von 0 bis {int(n)}.")
            continue
        if count is None:
            if share is None or not rec["anteil_unsicher"]:
                problems.append(f"{here}: Spalte 'anteil_unsicher' enthält '{rec['anteil_unsicher']}', "
                                "erwartet einen Anteil (z. B. 34,5 oder 34,5 %).")
                continue
            share = share / 100 if percent else share
            if not 0 <= share <= 1:
                problems.append(f"{here}: Spalte 'anteil_unsicher' enthält '{rec['anteil_unsicher']}', "
                                "ein Anteil liegt zwischen 0 und 100 %.")
                continue
            count = round(share * n)
        rows.append({"ags": rec["ags"], "gemeinde": gem.get(rec["ags"], ""), "gebiet": rec["gebiet"],
                     "n": int(n), "unsicher": int(count)})
    if df.empty:
        msg = f"{name}: die Datei enthält keine Zeilen."
        raise InputFileError(msg)
    if problems:
        raise InputFileError(row_messages(problems, name=name))
    return with_intervals(pd.DataFrame(rows), min_n=min_n)


def with_intervals(table: pd.DataFrame, *, min_n: int = MIN_N) -> pd.DataFrame:
    """`table` (``n``, ``unsicher``) with ``anteil``, ``ci_low``, ``ci_high``, ``zu_klein`` (a new frame)."""
    low, high = wilson_interval(table["unsicher"].to_numpy(), table["n"].to_numpy())
    out = table.assign(anteil=table["unsicher"] / table["n"], ci_low=low, ci_high=high,
                       zu_klein=table["n"] < min_n)
    return out[list(COLUMNS)].sort_values(["ags", "gebiet"], ignore_index=True)


def load_shares(source: Source, *, name: str | None = None, min_n: int = MIN_N) -> pd.DataFrame:
    """Read per-area shares from CSV (``;``/``,``, decimal comma, UTF-8/Windows-1252).

    See :func:`validate_shares`.
    """
    frame, name = read_csv(source, name=name)
    return validate_shares(frame, name=name, min_n=min_n)


def per_gemeinde(shares: pd.DataFrame, *, min_n: int = MIN_N) -> pd.DataFrame:
    """Ortsteil rows summed to their Gemeinde (respondents and counts add up), with intervals."""
    summed = shares.groupby(["ags", "gemeinde"], as_index=False)[["n", "unsicher"]].sum()
    return with_intervals(summed.assign(gebiet=""), min_n=min_n)
