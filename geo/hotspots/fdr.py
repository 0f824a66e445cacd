"""Benjamini–Hochberg false discovery rate: adjusted p-values for many cells at once.

A map of 300,000 cells tested at 5 % shows about 15,000 "significant" cells by chance
alone. The Benjamini–Hochberg (1995) step-up procedure controls the expected share of
false discoveries among the cells called significant instead: the adjusted p-value of
the k-th smallest of m p-values is ``min over j ≥ k of p_(j) · m / j``, capped at 1.
A cell is significant at level α if its adjusted p-value is below α. The result equals
``scipy.stats.false_discovery_control(p, method="bh")`` (tested).
"""

from __future__ import annotations

import numpy as np


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values.

    Parameters
    ----------
    p : array_like
        p-values in [0, 1]. NaN entries (untestable cells) stay NaN and do not count
        towards the number of tests.

    Returns
    -------
    ndarray of float64
        Adjusted p-values, same shape as `p`, each ≥ its raw p-value and ≤ 1.
    """
    p = np.asarray(p, dtype=np.float64)
    flat = p.ravel()
    out = np.full(flat.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(flat))
    m = len(valid)
    if m == 0:
        return out.reshape(p.shape)
    order = valid[np.argsort(flat[valid], kind="stable")]
    scaled = flat[order] * m / np.arange(1, m + 1)
    adjusted = np.minimum.accumulate(scaled[::-1])[::-1]
    out[order] = np.minimum(adjusted, 1.0)
    return out.reshape(p.shape)
