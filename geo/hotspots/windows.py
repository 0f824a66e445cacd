"""Square-window sums on a grid, exact for integer input (summed-area tables)."""

from __future__ import annotations

import numpy as np


def window_sum(values: np.ndarray, radius: int) -> np.ndarray:
    """Sum of `values` over the (2r+1)×(2r+1) window around each cell, self included.

    Cells beyond the array edge count as zero. Integer input is summed in int64 and is
    exact; float input is summed in float64 with a summed-area table.

    Parameters
    ----------
    values : ndarray, shape (nrows, ncols)
    radius : int
        Window radius r in cells (r ≥ 0).
    """
    if radius < 0:
        raise ValueError("radius must be >= 0")
    a = np.asarray(values)
    dtype = np.int64 if np.issubdtype(a.dtype, np.integer) or a.dtype == bool else np.float64
    nrows, ncols = a.shape
    table = np.zeros((nrows + 1, ncols + 1), dtype=dtype)
    np.cumsum(np.cumsum(a, axis=0, dtype=dtype), axis=1, out=table[1:, 1:])
    r0 = np.clip(np.arange(nrows) - radius, 0, nrows)
    r1 = np.clip(np.arange(nrows) + radius + 1, 0, nrows)
    c0 = np.clip(np.arange(ncols) - radius, 0, ncols)
    c1 = np.clip(np.arange(ncols) + radius + 1, 0, ncols)
    return (table[r1][:, c1] - table[r0][:, c1] - table[r1][:, c0] + table[r0][:, c0])
