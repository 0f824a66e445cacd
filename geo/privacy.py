"""The privacy threshold on grid results: no coloured cell stands for fewer than k incidents.

:func:`suppress_small_cells` is applied by :func:`geo.analysis.analyse` to every grid
result, so the app, the command line and the report show the same cells (README, "One path
per figure"); emerging hot spots apply the same rule in :mod:`geo.hotspots.emerging`.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import signal

from geo.hotspots import GI_CLASSES, GridHotspots
from geo.hotspots.windows import window_sum


def suppress_small_cells(hotspots: GridHotspots, *, min_count: int, radius: int) -> GridHotspots:
    """Blank every cell that stands for fewer than `min_count` incidents.

    * Gi* and LISA: a cell whose (2r+1)² neighbourhood (the window the statistic is
      computed on) holds fewer than `min_count` incidents is set to "nicht signifikant"
      (bin 0), whatever its z-value.
    * KDE: a cell with fewer than `min_count` incidents within one bandwidth of it gets
      no density (NaN), in the cells and in the image.

    A coloured cell then always stands for at least `min_count` incidents, so no single
    incident (and no address) can be read off the map. ``suppressed`` marks the cells;
    ``count`` is kept for planners' exports; ``count_nearby`` (Gi*, LISA) is the
    neighbourhood's count the threshold was applied to.
    """
    grid = hotspots.grid
    counts = np.zeros(grid.shape, dtype=np.int64)
    row, col = grid.study_index()
    counts[row, col] = hotspots.cells["count"].to_numpy()
    cells = hotspots.cells.copy()
    if hotspots.gi is not None or hotspots.lisa is not None:
        cells["count_nearby"] = window_sum(counts, radius)[row, col].astype(np.int64)
        small = cells["count_nearby"].to_numpy() < min_count
    else:
        small = np.zeros(len(cells), dtype=bool)
    kde = hotspots.kde
    if kde is not None:
        few = _disk_counts(counts, kde.bandwidth / grid.cell) < min_count
        kde = dataclasses.replace(kde, density=np.where(few, np.nan, kde.density))
        cells.loc[few[row, col], "density"] = np.nan
        small |= few[row, col]
    cells["suppressed"] = small
    if "gi_class" in cells:
        cells.loc[small, "gi_class"] = GI_CLASSES[0]
        cells.loc[small, "gi_bin"] = 0
    if "lisa_class" in cells:
        cells.loc[small, "lisa_class"] = "nicht signifikant"
    return GridHotspots(cells=cells, grid=grid, n_incidents=hotspots.n_incidents, kde=kde,
                        gi=hotspots.gi, lisa=hotspots.lisa, min_count=min_count)


def _disk_counts(counts: np.ndarray, radius_cells: float) -> np.ndarray:
    """Incidents within `radius_cells` (centre to centre) of every cell."""
    reach = int(np.floor(radius_cells))
    offsets = np.arange(-reach, reach + 1)
    disk = (offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius_cells**2).astype(np.float64)
    return np.rint(signal.fftconvolve(counts.astype(np.float64), disk, mode="same")).astype(np.int64)


#: Cell columns that stay in a file whatever the count: where the cell is and what it is.
_KEPT_COLUMNS = ("cell_id", "geometry", "suppressed", "gi_class", "gi_bin", "lisa_class", "pattern")


def cells_for_export(cells: gpd.GeoDataFrame, *, min_count: int) -> gpd.GeoDataFrame:
    """The cell table as a file may carry it: no figure stands for fewer than `min_count` incidents.

    * A suppressed cell (``suppressed``: its neighbourhood, or for KDE its bandwidth disk, holds
      fewer than `min_count` incidents) keeps its place and class ("nicht signifikant",
      "kein Muster") but no statistic: z, p, I, density are empty.
    * A cell's own ``count`` (and ``count_nearby``) is empty where it is 1 to `min_count` − 1,
      also in a cell that passes: a file can be passed on, and one or two incidents in a
      250 m square are as good as their address. Zero stays zero.

    Counts become nullable integers (``Int64``), so an empty count is not a zero.
    """
    cells = cells.copy()
    if "caution" in cells:  # a reporting caution (geo.reporting) as German text in a file
        cells["caution"] = cells["caution"].map(str)
    small = cells["suppressed"].to_numpy(dtype=bool)
    for column in cells.columns:
        if column in _KEPT_COLUMNS or not pd.api.types.is_numeric_dtype(cells[column]):
            continue
        values = cells[column]
        if column in ("count", "count_nearby"):
            values = values.astype("Int64")
            cells[column] = values.mask((values > 0) & (values < min_count))  # a suppressed cell's are
        else:
            cells[column] = values.astype("float64").mask(small) if values.dtype.kind == "f" else \
                values.astype("Int64").mask(small)
    return cells


def counts_shown(counts, min_count: int | None) -> list[int | str]:
    """A cell's own count as a map may show it: the number where it is 0 or at least `min_count`,
    else ``"< k"`` (no map text or file stands for one or two incidents; the notation reads the
    same in German and English). With `min_count` None (no threshold applied) the numbers."""
    return [int(c) if min_count is None or c == 0 or c >= min_count else f"< {min_count}" for c in counts]
