"""Window sums and scanline rasterisation against brute force on random inputs."""

import numpy as np
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

from geo.grid import rasterize
from geo.hotspots.windows import window_sum


@settings(max_examples=60, deadline=None)
@given(arrays(np.int64, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.integers(0, 50)),
       st.integers(0, 4))
def test_window_sum_equals_brute_force_convolution(values, radius):
    kernel = np.ones((2 * radius + 1, 2 * radius + 1), dtype=np.int64)
    expected = ndimage.correlate(values, kernel, mode="constant", cval=0)
    np.testing.assert_array_equal(window_sum(values, radius), expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 6.283), st.floats(300.0, 3000.0)), min_size=3, max_size=12),
       st.booleans())
def test_scanline_rasterisation_equals_point_in_polygon(spokes, with_hole):
    # A star-shaped polygon around an off-grid centre (never exactly on a cell centre line).
    cx, cy = 400_123.37, 5_650_077.71
    spokes = sorted(spokes)
    ring = [(cx + r * np.cos(a), cy + r * np.sin(a)) for a, r in spokes]
    polygon = shapely.Polygon(ring)
    assume(polygon.is_valid and polygon.area > 0)
    if with_hole:
        polygon = polygon.difference(shapely.Point(cx, cy).buffer(250.3))
    assume(not polygon.is_empty and polygon.is_valid)
    cell = 100.0
    xmin, ymin, xmax, ymax = polygon.bounds
    col0, row0 = int(np.floor(xmin / cell)), int(np.floor(ymin / cell))
    ncols, nrows = int(np.floor(xmax / cell)) - col0 + 1, int(np.floor(ymax / cell)) - row0 + 1
    mask = rasterize(polygon, cell=cell, col0=col0, row0=row0, nrows=nrows, ncols=ncols)
    r, c = np.indices((nrows, ncols))
    expected = shapely.contains_xy(polygon, (col0 + c + 0.5) * cell, (row0 + r + 0.5) * cell)
    np.testing.assert_array_equal(mask, expected)
