"""The aligned grid: edges on multiples of the cell size, stable ids, study cells by centre."""

import numpy as np
import pytest
import shapely

from geo import boundaries
from geo.grid import GridError, cell_id, grid_for_geometry, study_grid


@pytest.mark.parametrize(("key", "cell"), [("14", 250), ("14", 1000), ("14522180", 250), ("14612000", 100)])
def test_study_cells_are_exactly_the_cells_whose_centre_is_inside(key, cell):
    grid = study_grid(key, cell=cell)
    geometry = boundaries.area(key).geometry
    row, col = np.indices(grid.shape)
    inside = shapely.contains_xy(geometry, (grid.col0 + col + 0.5) * cell, (grid.row0 + row + 0.5) * cell)
    np.testing.assert_array_equal(grid.mask, inside)


def test_study_cell_counts_of_saxony_and_freiberg():
    assert study_grid("14", cell=250).n_cells == 295_067
    assert study_grid("14", cell=1000).n_cells == 18_424
    assert study_grid("14522180", cell=250).n_cells == 773


def test_edges_lie_on_multiples_of_the_cell_size_and_ids_are_stable():
    grid = study_grid("14522180", cell=250)
    cells = grid.cells()
    xmin, ymin, xmax, ymax = cells.total_bounds
    assert all(v % 250 == 0 for v in (xmin, ymin, xmax, ymax))
    first = cells.iloc[0]
    x0, y0 = first.geometry.bounds[:2]
    assert first["cell_id"] == f"250mE{int(x0)}N{int(y0)}"
    # The same cell has the same id when the grid is built for the Kreis or for Saxony.
    kreis_ids = set(study_grid("14522", cell=250).cell_ids())
    assert set(cells["cell_id"]) <= kreis_ids
    assert cells["cell_id"].is_unique
    assert np.allclose(cells.area, 62_500)


def test_points_on_cell_borders_belong_to_the_cell_east_and_north():
    grid = study_grid("14522180", cell=250)
    row, col = grid.study_index()
    x = (grid.col0 + col[0]) * 250.0  # exactly on the west edge of the first study cell
    y = (grid.row0 + row[0]) * 250.0  # exactly on its south edge
    counts = grid.counts(np.array([x, x - 1e-6]), np.array([y, y]))
    assert counts[row[0], col[0]] == 1
    assert counts[row[0], col[0] - 1] == 1
    assert counts.sum() == 2


def test_points_outside_the_window_and_nan_are_dropped():
    grid = study_grid("14522180", cell=250)
    counts = grid.counts(np.array([0.0, np.nan, 1e9]), np.array([0.0, 5.6e6, np.nan]))
    assert counts.sum() == 0


def test_area_smaller_than_a_cell_is_a_clear_german_error():
    tiny = shapely.box(400_010, 5_650_010, 400_090, 5_650_090)  # 80 m square, no cell centre inside
    with pytest.raises(GridError, match="kleiner als eine Rasterzelle von 250 m"):
        grid_for_geometry(tiny, cell=250, key="x", name="Winzig")


def test_smallest_gemeinde_has_cells_at_1000_m():
    grid = study_grid("14628310", cell=1000)  # Rathen, 3.8 km²
    assert grid.n_cells == 4


def test_cell_size_outside_100_to_1000_m_is_refused():
    with pytest.raises(GridError, match="erlaubt sind ganze Meter von 100 bis 1000 m"):
        study_grid("14522180", cell=50)
    with pytest.raises(GridError):
        study_grid("14522180", cell=250.5)


def test_cell_id_format():
    assert list(cell_id(np.array([1641]), np.array([22580]), cell=250)) == ["250mE410250N5645000"]
