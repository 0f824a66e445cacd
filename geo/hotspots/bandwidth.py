"""The KDE bandwidth chosen by validation: which smoothing would have predicted best here.

ArcGIS Pro's default search radius (:func:`geo.hotspots.kde.default_bandwidth`) is a
normal-reference rule: it sets the kernel from the spread of the whole area, not from
how tightly incidents cluster at micro-places, and on real data it often predicts
worse than simply counting. "Automatisch" instead asks the data:

* **Candidates**: 1, 1.5, 2, 3, 4 and 6 cells (quartic kernel; 1 cell puts no weight
  on the neighbours, so it *is* counting).
* **Rolling-origin folds** inside the training period [`start`, `end`): each fold
  learns on every incident from `start` up to its origin and is tested on the
  following :data:`TEST_MONTHS` months. The first origin leaves at least
  :data:`MIN_LEARN_MONTHS` months to learn from (or half the period if that is
  shorter); origins then move forward by :data:`TEST_MONTHS` months; the last
  :data:`MAX_FOLDS` folds are used. Folds whose test months hold no incident of the
  study area are skipped.
* **Score**: the hit rate at the user's area share (the share of the test months'
  incidents inside the k = round(share · n) best cells, ties shared as in
  :func:`geo.hotspots.evaluate.selection_weights`), averaged over the folds.
* **Rule**: the smallest bandwidth whose mean score is within one standard error
  (of the best candidate's fold scores) of the best mean. Fewer than two usable folds:
  counting (1 cell), the choice that is never worse than itself.

The chosen bandwidth is then used on the whole training period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import fft

from geo.grid import Grid
from geo.hotspots.kde import kernel_weights

CANDIDATE_CELLS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
TEST_MONTHS = 3
MIN_LEARN_MONTHS = 12
MAX_FOLDS = 8
RULE = "automatisch gewählt"


@dataclass(frozen=True, eq=False)
class BandwidthChoice:
    """The result of :func:`choose_bandwidth`.

    Attributes
    ----------
    bandwidth : float
        Chosen bandwidth, metres.
    cells : float
        The same in cells.
    score : float
        Mean hit rate (0–1) of the chosen bandwidth over the folds; NaN without folds.
    se : float
        Standard error of the best candidate's mean (the one-SE band); NaN below 2 folds.
    scores : DataFrame
        One row per candidate: ``zellen``, ``bandbreite_m``, ``trefferquote`` (mean),
        ``se``; one column per fold is not kept.
    folds : list of (date, date)
        Origin and end (exclusive) of each test window used.
    """

    bandwidth: float
    cells: float
    score: float
    se: float
    scores: pd.DataFrame
    folds: list[tuple[dt.date, dt.date]]

    def as_dict(self) -> dict:
        return {"m": self.bandwidth, "cells": self.cells, "rule": RULE,
                "score": None if np.isnan(self.score) else round(self.score, 6),
                "se": None if np.isnan(self.se) else round(self.se, 6), "folds": len(self.folds)}


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def rolling_folds(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Test windows ``(origin, origin + TEST_MONTHS)`` inside [`start`, `end`) (see module doc)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    learn = min(MIN_LEARN_MONTHS, max(1, months // 2))
    folds = []
    origin = add_months(start, learn)
    while add_months(origin, TEST_MONTHS) <= end:
        folds.append((origin, add_months(origin, TEST_MONTHS)))
        origin = add_months(origin, TEST_MONTHS)
    return folds[-MAX_FOLDS:]


def hit_rates(spectra: list[np.ndarray], counts: np.ndarray, test: np.ndarray, grid: Grid, *,
              k: int, shape: tuple[int, int]) -> list[float]:
    """Hit rate of each smoothed `counts` (one per kernel spectrum) on the `test` counts."""
    from geo.hotspots.evaluate import selection_weights

    n_test = float(test.sum())
    if n_test == 0:
        return [np.nan] * len(spectra)
    row, col = grid.study_index()
    spectrum = fft.rfft2(counts, s=shape, workers=-1)
    out = []
    for kernel_spectrum, reach in spectra:
        if kernel_spectrum is None:  # one cell: the counts themselves
            score = counts[row + reach, col + reach]
        else:
            smooth = fft.irfft2(spectrum * kernel_spectrum, s=shape, workers=-1)
            score = np.round(smooth[row + reach, col + reach], 9)  # FFT round-off must not break ties
        out.append(float(selection_weights(score, k) @ test) / n_test)
    return out


def choose_bandwidth(x: np.ndarray, y: np.ndarray, t: np.ndarray, grid: Grid, *, start: dt.date,
                     end: dt.date, area_share: float) -> BandwidthChoice:
    """Choose the KDE bandwidth for `grid` by rolling-origin validation (see module doc).

    Parameters
    ----------
    x, y : ndarray
        Incident coordinates, EPSG:25833 metres.
    t : ndarray of datetime64
        Incident times.
    grid : Grid
        The study grid (its cell size sets the candidates).
    start, end : date
        The training period, `end` exclusive.
    area_share : float
        Share of the study cells marked as hotspots (0–0.5).
    """
    cell = grid.cell
    folds = rolling_folds(start, end)
    reach = int(np.floor(max(CANDIDATE_CELLS)))
    shape = (grid.shape[0] + 2 * reach, grid.shape[1] + 2 * reach)
    fast = (fft.next_fast_len(shape[0], real=True), fft.next_fast_len(shape[1], real=True))
    spectra = []
    for cells in CANDIDATE_CELLS:
        weights = kernel_weights(cells * cell, cell=cell)
        k = weights.shape[0] // 2
        if k == 0 or np.count_nonzero(weights) == 1:
            spectra.append((None, reach))
            continue
        # centre the kernel at (0, 0) so the product shifts nothing but the padding `reach`
        kernel = np.zeros(fast)
        kernel[np.ix_(np.arange(-k, k + 1) % fast[0], np.arange(-k, k + 1) % fast[1])] = weights
        spectra.append((fft.rfft2(kernel, workers=-1), reach))
    padded = Grid(cell=cell, col0=grid.col0 - reach, row0=grid.row0 - reach,
                  mask=np.zeros(shape, dtype=bool))
    k_best = max(1, round(area_share * grid.n_cells))
    times = np.asarray(t, dtype="datetime64[s]")
    table = []
    used = []
    for origin, stop in folds:
        o, s = np.datetime64(origin, "s"), np.datetime64(stop, "s")
        learn = (times >= np.datetime64(start, "s")) & (times < o)
        tested = (times >= o) & (times < s)
        test = grid.counts(x[tested], y[tested])[grid.mask]
        if test.sum() == 0 or not learn.any():
            continue
        counts = padded.counts(x[learn], y[learn]).astype(np.float64)
        table.append(hit_rates(spectra, counts, test, grid, k=k_best, shape=fast))
        used.append((origin, stop))
    scores = np.array(table).reshape(len(table), len(CANDIDATE_CELLS))
    mean = scores.mean(axis=0) if len(table) else np.full(len(CANDIDATE_CELLS), np.nan)
    se = (scores.std(axis=0, ddof=1) / np.sqrt(len(table)) if len(table) >= 2
          else np.full(len(CANDIDATE_CELLS), np.nan))
    frame = pd.DataFrame({"zellen": CANDIDATE_CELLS, "bandbreite_m": [c * cell for c in CANDIDATE_CELLS],
                          "trefferquote": mean, "se": se})
    if len(table) < 2:
        return BandwidthChoice(cell, 1.0, float(mean[0]), np.nan, frame, used)
    best = int(np.argmax(mean))
    chosen = int(np.flatnonzero(mean >= mean[best] - se[best])[0])
    return BandwidthChoice(CANDIDATE_CELLS[chosen] * cell, CANDIDATE_CELLS[chosen], float(mean[chosen]),
                           float(se[best]), frame, used)
