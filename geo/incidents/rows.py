"""Bookkeeping shared by both validations: each row's fate and its German message."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from geo.incidents.report import IGNORED, REASONS

if TYPE_CHECKING:  # the readers quote values through this module
    from geo.incidents.readers import RawTable

QUOTE_LIMIT = 80


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """`value` as a message quotes it: at most `limit` characters and "…", on one line (a 300 MB
    cell must not become a 300 MB message); control and format characters (terminal escapes,
    right-to-left overrides, zero-width characters) show as "�", so a message is read as written."""
    raw = str(value)
    text = " ".join(raw[: limit + 1].split())
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text)
    return text if len(text) <= limit and len(raw) <= limit else text[:limit] + "…"


class Cells:
    """Read single cells of a column on demand (for messages), without converting the whole column;
    each cell as :func:`quoted` shows it."""

    def __init__(self, values: pd.Series | np.ndarray) -> None:
        self.values = values

    def __getitem__(self, row: int) -> str:
        return quoted(self.values.iat[row] if isinstance(self.values, pd.Series) else self.values[row])


_REASON_CODES = tuple(REASONS)
_IGNORED_CODES = tuple(IGNORED)


class RowLedger:
    """Which rows are still open, which were rejected (why) and which deliberately not used.

    A row gets the first reason it meets; later checks only look at open rows. Codes
    are small integers (index into ``REASONS``/``IGNORED`` plus one, 0 = none).
    """

    def __init__(self, table: RawTable) -> None:
        self.table = table
        n = len(table.frame)
        self.code = np.zeros(n, dtype=np.int8)
        self.ignored = np.zeros(n, dtype=np.int8)
        self.message: dict[int, str] = {}
        self.open = np.ones(n, dtype=bool)

    def where(self, row: int) -> str:
        """``"datei.csv, Zeile 7"`` for frame row `row`."""
        return f"{self.table.file}, {self.table.row_word} {self.table.rows[row]}"

    def reject(self, mask: np.ndarray, code: str, text: Callable[[int], str]) -> None:
        """Reject the open rows in `mask` with reason `code`; `text(i)` says why (after the location)."""
        number = _REASON_CODES.index(code) + 1
        hit = np.flatnonzero(np.asarray(mask, dtype=bool) & self.open)
        self.code[hit] = number
        self.open[hit] = False
        self.message.update((int(i), f"{self.where(i)}{text(i)}") for i in hit)

    def ignore(self, mask: np.ndarray, code: str) -> None:
        """Mark the open rows in `mask` as deliberately not used (reason `code`)."""
        number = _IGNORED_CODES.index(code) + 1
        hit = np.asarray(mask, dtype=bool) & self.open
        self.ignored[hit] = number
        self.open[hit] = False

    def reasons(self) -> dict[str, int]:
        counts = np.bincount(self.code, minlength=len(_REASON_CODES) + 1)
        return {c: int(counts[i + 1]) for i, c in enumerate(_REASON_CODES) if counts[i + 1]}

    def ignored_reasons(self) -> dict[str, int]:
        counts = np.bincount(self.ignored, minlength=len(_IGNORED_CODES) + 1)
        return {c: int(counts[i + 1]) for i, c in enumerate(_IGNORED_CODES) if counts[i + 1]}

    def rejected_frame(self) -> pd.DataFrame:
        """The rejected rows as the file had them, with ``zeile`` and ``grund`` in front."""
        hit = np.flatnonzero(self.code != 0)
        frame = self.table.frame.iloc[hit].reset_index(drop=True)
        frame = frame.drop(columns=[c for c in frame.columns if str(c).startswith("__")])
        frame = frame.astype(object).where(frame.notna(), None)
        frame.insert(0, "grund", pd.Series([self.message[int(i)] for i in hit], dtype=object))
        frame.insert(0, "zeile", self.table.rows[hit])
        return frame


def shown_column(name: str) -> str:
    """How a column is named in a message: quoted (a header is text from the file), geometry
    columns of geodata as 'Geometrie'."""
    return "Geometrie" if name.startswith("__") else quoted(name)


def first_of_duplicates(keys: Iterable[np.ndarray], candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among the rows `candidates`, the later copies of equal keys and the first row of each.

    Returns
    -------
    (duplicate rows, first row for each duplicate)
    """
    frame = pd.DataFrame({f"k{i}": np.asarray(k)[candidates] for i, k in enumerate(keys)})
    if frame.empty:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    # One 64-bit hash per row finds the candidates fast (usually none); the exact check follows.
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    involved = pd.Series(hashed).duplicated(keep=False).to_numpy().copy()
    if involved.any():
        involved[involved] = frame[involved].duplicated(keep=False).to_numpy()
    if not involved.any():
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    frame, candidates = frame[involved], candidates[involved]
    group = frame.groupby(list(frame.columns), sort=False, dropna=False).ngroup().to_numpy()
    _, first_pos = np.unique(group, return_index=True)
    first_of_group = np.empty(group.max() + 1, dtype=np.int64)
    first_of_group[group[first_pos]] = first_pos
    dup_pos = np.flatnonzero(first_of_group[group] != np.arange(len(group)))
    return candidates[dup_pos], candidates[first_of_group[group[dup_pos]]]
