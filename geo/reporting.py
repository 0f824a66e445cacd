"""Reporting bias beside the hotspots: a cell the map colours gets a caution when its reports are
duplicates, come on a few days or from a few reporters (:mod:`geo.incidents.bias`).

:func:`with_cautions` is applied by :func:`geo.analysis.analyse` to every Gi*, LISA and emerging
result, so the app's tooltips, the council screen and the files read the same caution. Only the
coloured cells are checked (their reports are usually a small share of the selection), and a
caution needs at least ``max(6, k)`` reports in the cell, so it never tells the count of a cell
the privacy threshold hides.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.hotspots import GridHotspots
from geo.hotspots.points import xy
from geo.incidents.bias import MIN_REPORTS, cell_bias, cell_labels
from geo.lang import Text, phrase

#: Column of the cautions in a result's ``cells`` ("" where there is none).
CAUTION = "caution"


def coloured(cells: gpd.GeoDataFrame) -> np.ndarray:
    """Which cells a map colours: significant Gi* or LISA class, or an emerging pattern, not suppressed."""
    shown = np.zeros(len(cells), dtype=bool)
    if "gi_bin" in cells:
        shown |= (cells["gi_bin"] != 0).to_numpy()
    if "lisa_class" in cells:
        shown |= (cells["lisa_class"] != "nicht signifikant").to_numpy()
    if "pattern" in cells:
        shown |= (cells["pattern"] != "kein Muster").to_numpy()
    return shown & ~cells["suppressed"].to_numpy(dtype=bool)


def cell_cautions(points: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, grid, *, min_count: int) -> list:
    """The caution of each row of `cells` (a :class:`geo.lang.Text`, or "") from the `points` in it."""
    texts: list[Text | str] = [""] * len(cells)
    shown = coloured(cells)
    if not shown.any() or points.empty:
        return texts
    x, y = xy(points)
    labels = cell_labels(grid, x, y)
    wanted = set(cells["cell_id"].to_numpy()[shown])
    inside = np.array([label in wanted for label in labels], dtype=bool)
    if not inside.any():
        return texts
    table = cell_bias(points[inside], labels[inside], min_reports=max(MIN_REPORTS, min_count))
    by_cell = table["caution"].to_dict()
    for i in np.flatnonzero(shown):
        texts[i] = by_cell.get(cells["cell_id"].iat[i], "")
    return texts


def with_cautions(points: gpd.GeoDataFrame, result, *, min_count: int):
    """`result` (a :class:`GridHotspots` or an emerging result with ``cells`` and ``grid``) with
    the column :data:`CAUTION` in its cells."""
    cells = result.cells.copy()
    texts = cell_cautions(points, cells, result.grid, min_count=min_count)
    cells[CAUTION] = pd.Series(texts, index=cells.index, dtype=object)  # object keeps the translatable Text
    return dataclasses.replace(result, cells=cells)


def cautions_notes(result: GridHotspots) -> list[Text]:
    """A line for the view's notes when coloured cells carry a caution (else none)."""
    n = int((result.cells[CAUTION].map(bool)).sum()) if CAUTION in result.cells else 0
    if not n:
        return []
    return [phrase("{n} hervorgehobene Zellen: auffälliges Meldeverhalten (Doppelmeldungen, viele Meldungen "
                   "an wenigen Tagen oder von wenigen Meldenden); der Hinweis steht an der Zelle.", n=n)]
