"""The Gemeinde lookup grid gives exactly what a spatial join gives."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.boundaries import load_gemeinden
from geo.incidents.assign import assign_ags, gemeinde_grid


@pytest.fixture(scope="module")
def gemeinden():
    return load_gemeinden()


def _sjoin_reference(x, y, gemeinden):
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=gemeinden.crs)
    joined = gpd.sjoin(points, gemeinden[["ags", "geometry"]], how="left")
    return joined.groupby(level=0)["ags"].min().reindex(range(len(x))).to_numpy(dtype=object)


def test_random_points_over_saxony_identical_to_sjoin(gemeinden):
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = gemeinden.total_bounds
    x = rng.uniform(xmin - 5_000, xmax + 5_000, 20_000)
    y = rng.uniform(ymin - 5_000, ymax + 5_000, 20_000)
    ours = assign_ags(x, y)
    ref = _sjoin_reference(x, y, gemeinden)
    assert [a if a is not None else None for a in ours] == [a if isinstance(a, str) else None for a in ref]
    assert 0.3 < np.mean([a is not None for a in ours]) < 0.6  # the box is about half Saxony


def test_points_right_next_to_borders_identical_to_sjoin(gemeinden):
    # Points 0.01 m to 40 m off the vertices of Gemeinde borders: all in border cells.
    rng = np.random.default_rng(5)
    coords = shapely.get_coordinates(gemeinden.geometry.boundary.values)[::40]
    offset = rng.normal(0, 15, coords.shape)
    x, y = coords[:, 0] + offset[:, 0], coords[:, 1] + offset[:, 1]
    ours = assign_ags(x, y)
    ref = _sjoin_reference(x, y, gemeinden)
    assert [a if a is not None else None for a in ours] == [a if isinstance(a, str) else None for a in ref]


def test_point_exactly_on_a_shared_border_goes_to_the_lower_ags(gemeinden):
    by_ags = gemeinden.set_index("ags").geometry
    dresden = {tuple(c) for c in shapely.get_coordinates(by_ags["14612000"])}
    neighbour = gemeinden[gemeinden.geometry.touches(by_ags["14612000"])].iloc[0]
    shared = sorted(dresden & {tuple(c) for c in shapely.get_coordinates(neighbour.geometry)})
    x, y = shared[len(shared) // 2]  # a vertex of both polygons
    owners = sorted(gemeinden.loc[gemeinden.geometry.intersects(shapely.Point(x, y)), "ags"])
    assert len(owners) >= 2
    assert assign_ags(np.array([x]), np.array([y]))[0] == owners[0]


def test_nan_and_far_away_are_outside():
    assert assign_ags(np.array([np.nan, 0.0, 1e9]), np.array([5_650_000.0, 0.0, 1e9])).tolist() == [None] * 3


def test_grid_mostly_answers_without_exact_tests():
    grid = gemeinde_grid()
    assert grid.cell == 50.0
    assert np.mean(grid.labels == -2) < 0.06  # border cells: about 4 % of the box
