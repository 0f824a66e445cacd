import numpy as np
import pytest
from libpysal.weights import W

from geo.grid import study_grid
from geo.incidents.demo import demo_points


@pytest.fixture(scope="session")
def demo():
    """20,000 synthetic incidents over Saxony (fixed seed), the app's demo data."""
    return demo_points(n=20_000)


@pytest.fixture(scope="session")
def freiberg():
    return study_grid("14522180", cell=250)


def window_weights(grid, radius, *, self_neighbour):
    """libpysal W of the (2r+1)² window restricted to study cells, built cell by cell (the reference)."""
    rows, cols = grid.study_index()
    index = -np.ones(grid.shape, dtype=int)
    index[rows, cols] = np.arange(len(rows))
    neighbours = {}
    for i, (r, c) in enumerate(zip(rows, cols, strict=True)):
        found = []
        for dr in range(-radius, radius + 1):
            for dc in range(-radius, radius + 1):
                if (dr, dc) == (0, 0) and not self_neighbour:
                    continue
                rr, cc = r + dr, c + dc
                if 0 <= rr < grid.shape[0] and 0 <= cc < grid.shape[1] and index[rr, cc] >= 0:
                    found.append(int(index[rr, cc]))
        neighbours[i] = found
    return W(neighbours, silence_warnings=True)
