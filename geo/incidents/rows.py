"""Bookkeeping shared by both validations: each row's fate and its German message."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from geo.incidents.readers import RawTable
from geo.incidents.report import IGNORED, REASONS


class RowLedger:
    """Which rows are still open, which were rejected (why) and which deliberately not used.

    A row gets the first reason it meets; later checks only look at open rows.
    """

    def __init__(self, table: RawTable) -> None:
        self.table = table
        n = len(table.frame)
        self.code = np.full(n, "", dtype=object)
        self.message = np.full(n, "", dtype=object)
        self.ignored = np.full(n, "", dtype=object)

    @property
    def open(self) -> np.ndarray:
        return (self.code == "") & (self.ignored == "")

    def where(self, row: int) -> str:
        """``"datei.csv, Zeile 7"`` for frame row `row`."""
        return f"{self.table.file}, {self.table.row_word} {self.table.rows[row]}"

    def reject(self, mask: np.ndarray, code: str, text: Callable[[int], str]) -> None:
        """Reject the open rows in `mask` with reason `code`; `text(i)` says why (after the location)."""
        if code not in REASONS:
            raise KeyError(code)
        hit = np.flatnonzero(np.asarray(mask, dtype=bool) & self.open)
        self.code[hit] = code
        self.message[hit] = [f"{self.where(i)}{text(i)}" for i in hit]

    def ignore(self, mask: np.ndarray, code: str) -> None:
        """Mark the open rows in `mask` as deliberately not used (reason `code`)."""
        if code not in IGNORED:
            raise KeyError(code)
        self.ignored[np.asarray(mask, dtype=bool) & self.open] = code

    def reasons(self) -> dict[str, int]:
        counts = pd.Series(self.code[self.code != ""]).value_counts()
        return {c: int(counts[c]) for c in REASONS if c in counts.index}

    def ignored_reasons(self) -> dict[str, int]:
        counts = pd.Series(self.ignored[self.ignored != ""]).value_counts()
        return {c: int(counts[c]) for c in IGNORED if c in counts.index}

    def rejected_frame(self) -> pd.DataFrame:
        """The rejected rows as the file had them, with ``zeile`` and ``grund`` in front."""
        hit = np.flatnonzero(self.code != "")
        frame = self.table.frame.iloc[hit].reset_index(drop=True)
        frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("__")])
        frame = frame.astype(object).where(frame.notna(), None)
        frame.insert(0, "grund", pd.Series(self.message[hit], dtype=object))
        frame.insert(0, "zeile", self.table.rows[hit])
        return frame


def shown_column(name: str) -> str:
    """How a column is named in a message (geometry columns of geodata read as 'Geometrie')."""
    return "Geometrie" if name.startswith("__") else name


def first_of_duplicates(keys: Iterable[np.ndarray], candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among the rows `candidates`, the later copies of equal keys and the first row of each.

    Returns
    -------
    (duplicate rows, first row for each duplicate)
    """
    frame = pd.DataFrame({f"k{i}": np.asarray(k)[candidates] for i, k in enumerate(keys)})
    if frame.empty:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    group = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first_pos = np.unique(group, return_index=True)
    first_of_group = np.empty(group.max() + 1, dtype=np.int64)
    first_of_group[group[first_pos]] = first_pos
    dup_pos = np.flatnonzero(first_of_group[group] != np.arange(len(group)))
    return candidates[dup_pos], candidates[first_of_group[group[dup_pos]]]
