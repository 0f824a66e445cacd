"""The privacy threshold on grid results: no coloured cell stands for fewer than k incidents.

:func:`suppress_small_cells` is applied by :func:`geo.analysis.analyse` to every grid
result, so the app, the command line and the report show the same cells (README, "One path
per figure"); emerging hot spots apply the same rule in :mod:`geo.hotspots.emerging`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
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
                        gi=hotspots.gi, lisa=hotspots.lisa)


def _disk_counts(counts: np.ndarray, radius_cells: float) -> np.ndarray:
    """Incidents within `radius_cells` (centre to centre) of every cell."""
    reach = int(np.floor(radius_cells))
    offsets = np.arange(-reach, reach + 1)
    disk = (offsets[:, None] ** 2 + offsets[None, :] ** 2 <= radius_cells**2).astype(np.float64)
    return np.rint(signal.fftconvolve(counts.astype(np.float64), disk, mode="same")).astype(np.int64)
