"""The privacy threshold on grid results (``geo.privacy.suppress_small_cells``) on constructed points
whose suppressed cells are known by hand: Gi* with a window radius above 1, LISA, and the kernel
density in both directions. Each case goes through ``geo.analysis.analyse`` (the one path of app,
command line and report) and through the function itself.

Incidents sit at cell centres of Freiberg's 250 m grid, at sites far apart in the middle of the
town (every cell within 4 cells of a site is a study cell), so distances are whole cells.
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.analysis import analyse
from geo.crs import METRIC_CRS
from geo.grid import study_grid
from geo.hotspots import grid_hotspots
from geo.privacy import suppress_small_cells
from geo.view import View

FREIBERG = "14522180"
K = 3
# (row, col) in Freiberg's grid window (row 0 the southernmost); pairwise 9 or more cells apart.
A, B, C = (15, 25), (26, 7), (10, 14)
NOT_SIGNIFICANT = "nicht signifikant"


@pytest.fixture(scope="module")
def grid():
    grid = study_grid(FREIBERG, cell=250)
    for r, c in (A, B, C):
        assert grid.mask[r - 4:r + 5, c - 4:c + 5].all()
    return grid


def incidents(grid, sites: dict[tuple[int, int], int]) -> gpd.GeoDataFrame:
    """Graffiti in Freiberg: `n` incidents at the centre of each cell (row, col) of `sites`."""
    cells = [cell for cell, n in sites.items() for _ in range(n)]
    x = [(grid.col0 + c + 0.5) * grid.cell for _, c in cells]
    y = [(grid.row0 + r + 0.5) * grid.cell for r, _ in cells]
    times = pd.date_range("2024-01-10 12:00", periods=len(cells), freq="17D").astype("datetime64[s]")
    return gpd.GeoDataFrame({"category": "graffiti", "time": times, "ags": FREIBERG},
                            geometry=gpd.points_from_xy(x, y), crs=METRIC_CRS)


def square(site, radius):
    """The (2r+1)² cells around `site` (Chebyshev distance at most r)."""
    r, c = site
    return {(r + dr, c + dc) for dr in range(-radius, radius + 1) for dc in range(-radius, radius + 1)}


def disk(site, offsets):
    return {(site[0] + dr, site[1] + dc) for dr, dc in offsets}


def column(grid, cells, name):
    """{(row, col): value} of a cell column (cells are in ``grid.study_index()`` order)."""
    row, col = grid.study_index()
    return dict(zip(zip(row.tolist(), col.tolist(), strict=True), cells[name], strict=True))


def both_paths(grid, points, method, *, radius=1, min_count=K, bandwidth=None):
    """(raw result, via analyse, via suppress_small_cells) for one grid method."""
    raw = grid_hotspots(points, area=FREIBERG, methods=method, radius=radius, grid=grid, bandwidth=bandwidth)
    view = View(area=FREIBERG, method=method, radius=radius, min_count=min_count, bandwidth_m=bandwidth)
    via_analyse = analyse(points, view).hotspots
    via_function = suppress_small_cells(raw, min_count=min_count, radius=radius)
    return raw, via_analyse, via_function


@pytest.mark.parametrize("radius", [2, 3])
def test_gi_star_keeps_only_cells_whose_wider_window_holds_k_incidents(grid, radius):
    # 3 incidents in cell A, 2 in cell B. With radius r the window is (2r+1)² cells: the (2r+1)²
    # cells around A see 3 incidents (= k, kept), those around B see 2 (suppressed), all others 0.
    points = incidents(grid, {A: 3, B: 2})
    raw, *paths = both_paths(grid, points, "gi", radius=radius)
    near_a, near_b = square(A, radius), square(B, radius)
    assert len(near_a) == len(near_b) == (2 * radius + 1) ** 2
    raw_class = column(grid, raw.cells, "gi_class")
    assert all(raw_class[p].startswith("Hotspot") for p in near_a)
    if radius == 2:  # what the threshold is for: raw Gi* calls B's whole window hot (at r = 3 it does not)
        assert all(raw_class[p].startswith("Hotspot") for p in near_b)
    for result in paths:
        nearby = column(grid, result.cells, "count_nearby")
        assert {p for p, n in nearby.items() if n == 3} == near_a
        assert {p for p, n in nearby.items() if n == 2} == near_b
        assert {n for p, n in nearby.items() if p not in near_a | near_b} == {0}
        suppressed = column(grid, result.cells, "suppressed")
        assert {p for p, s in suppressed.items() if not s} == near_a
        shown, bins = column(grid, result.cells, "gi_class"), column(grid, result.cells, "gi_bin")
        assert all(shown[p] == NOT_SIGNIFICANT and bins[p] == 0 for p in near_b)
        assert all(shown[p] == raw_class[p] for p in near_a)


def test_the_views_minimum_count_is_the_threshold(grid):
    # The same points with k = 2: B's window (2 incidents) is shown too.
    points = incidents(grid, {A: 3, B: 2})
    for result in both_paths(grid, points, "gi", radius=2, min_count=2)[1:]:
        suppressed = column(grid, result.cells, "suppressed")
        assert {p for p, s in suppressed.items() if not s} == square(A, 2) | square(B, 2)


@pytest.mark.parametrize("radius", [1, 2])
def test_lisa_classes_of_cells_with_fewer_than_k_incidents_nearby_are_blanked(grid, radius):
    points = incidents(grid, {A: 3, B: 2})
    raw, *paths = both_paths(grid, points, "lisa", radius=radius)
    near_a = square(A, radius)
    raw_class = column(grid, raw.cells, "lisa_class")
    for result in paths:
        suppressed = column(grid, result.cells, "suppressed")
        assert {p for p, s in suppressed.items() if not s} == near_a
        nearby = column(grid, result.cells, "count_nearby")
        assert {p for p, n in nearby.items() if n == 2} == square(B, radius)
        shown = column(grid, result.cells, "lisa_class")
        assert {shown[p] for p, s in suppressed.items() if s} == {NOT_SIGNIFICANT}
        assert all(shown[p] == raw_class[p] for p in near_a)
        assert shown[A] == raw_class[A] == "HL"  # 3 incidents among empty cells: a high outlier
    if radius == 2:
        # B's 2 incidents are a significant high outlier for raw LISA; the map must not show it.
        assert raw_class[B] == "HL"
        assert all(column(grid, r.cells, "lisa_class")[B] == NOT_SIGNIFICANT for r in paths)


# Kernel density with bandwidth h = 500 m = 2 cells: a cell keeps its density when at least k
# incidents lie within 2 cells of its centre (d² = dr² + dc² ≤ 4), else it gets none (NaN).
DISK_2 = [(dr, dc) for dr in range(-2, 3) for dc in range(-2, 3) if dr * dr + dc * dc <= 4]
# C holds 1 incident and the cell two rows north of C holds 2: only cells within 2 cells of both
# see 3. Offsets from C with dc² + dr² ≤ 4 and dc² + (dr − 2)² ≤ 4:
LENS = [(0, 0), (1, -1), (1, 0), (1, 1), (2, 0)]


def test_kde_keeps_density_where_k_incidents_lie_within_the_bandwidth_and_blanks_the_rest(grid):
    points = incidents(grid, {A: 3, B: 2, C: 1, (C[0] + 2, C[1]): 2})
    raw, *paths = both_paths(grid, points, "kde", bandwidth=500)
    kept = disk(A, DISK_2) | disk(C, LENS)
    assert len(disk(A, DISK_2)) == 13 and len(kept) == 18
    window = {(r, c) for r in range(grid.shape[0]) for c in range(grid.shape[1])}
    # Quartic kernel at h = 2 cells, worked by hand: weights 1 (centre), (1 − 1/4)² = 0.5625 (4 edge
    # neighbours), (1 − 2/4)² = 0.25 (4 corners), 0 at 2 cells; sum 4.25. Cell area 0.0625 km².
    peak_a = 3 * 1 / 4.25 / 0.0625  # 11.29 incidents per km²
    assert raw.kde.bandwidth == 500
    assert raw.kde.density[B] == pytest.approx(2 / 4.25 / 0.0625, rel=1e-9)  # there before the threshold
    for result in paths:
        image = result.kde.density
        assert {p for p in window if not np.isnan(image[p])} == kept
        assert image[A] == pytest.approx(peak_a, rel=1e-9)
        assert image[A[0] + 1, A[1]] == pytest.approx(3 * 0.5625 / 4.25 / 0.0625, rel=1e-9)
        assert abs(image[A[0], A[1] + 2]) < 1e-12  # 3 incidents at exactly h: shown, density 0
        np.testing.assert_allclose([image[p] for p in kept], [raw.kde.density[p] for p in kept], rtol=1e-12)
        density = column(grid, result.cells, "density")
        assert {p for p, d in density.items() if not np.isnan(d)} == kept
        suppressed = column(grid, result.cells, "suppressed")
        assert {p for p, s in suppressed.items() if not s} == kept
