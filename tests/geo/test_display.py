"""The simplified boundaries the browser gets: complete, gap-free, close to the original, small."""

import numpy as np
import pytest
import shapely

from geo import display
from geo.boundaries import load_gemeinden
from geo.crs import METRIC_CRS

# Stated tolerance for gaps and overlaps between neighbours after simplification,
# rounding and reprojection: one square metre in total over all of Saxony.
GAP_OVERLAP_TOLERANCE_M2 = 1.0


@pytest.fixture(scope="module")
def shown():
    return display.gemeinden_display()


def test_all_418_gemeinden_kept_valid_and_edge_matched(shown):
    assert len(shown) == 418
    assert sorted(shown["ags"]) == sorted(load_gemeinden()["ags"])
    assert shown.is_valid.all()
    assert shapely.coverage_is_valid(shown.geometry.values)


def test_no_gaps_or_overlaps_between_neighbours(shown):
    metric = shown.to_crs(METRIC_CRS).geometry.values
    union = shapely.union_all(metric)
    overlap = shapely.area(metric).sum() - union.area
    assert overlap < GAP_OVERLAP_TOLERANCE_M2
    assert union.geom_type == "Polygon"  # one piece: Saxony
    gaps = sum(shapely.Polygon(ring).area for ring in union.interiors)
    assert gaps < GAP_OVERLAP_TOLERANCE_M2


def test_simplified_borders_stay_close_to_the_full_geometry(shown):
    full = load_gemeinden().set_index("ags").loc[shown["ags"]].geometry.values
    distance = shapely.hausdorff_distance(full, shown.to_crs(METRIC_CRS).geometry.values)
    assert np.median(distance) < 150
    assert distance.max() < 3 * display.TOLERANCE_M
    area_ratio = shapely.area(shown.to_crs(METRIC_CRS).geometry.values) / shapely.area(full)
    assert np.abs(area_ratio - 1).max() < 0.05


def test_coordinates_rounded_to_four_decimals(shown):
    coords = shapely.get_coordinates(shown.geometry.values)
    assert np.allclose(coords, np.round(coords, display.DECIMALS), atol=1e-12, rtol=0)
    assert shapely.get_num_coordinates(shown.geometry.values).sum() < 0.6 * shapely.get_num_coordinates(
        load_gemeinden().geometry.values).sum()


def test_kreis_borders_lie_on_gemeinde_borders(shown):
    borders = display.kreis_borders_display()
    gemeinde_edges = shapely.union_all(shapely.boundary(shown.geometry.values))
    assert borders.difference(gemeinde_edges.buffer(1e-9)).is_empty


def test_area_display_for_gemeinde_kreis_and_land():
    assert display.area_display("14522180")["name"].tolist() == ["Freiberg"]
    assert display.area_display("14522")["kreis_name"].tolist() == ["Mittelsachsen"]
    land = display.area_display("14")
    west, south, east, north = land.total_bounds
    assert 11.8 < west < 12.0 and 15.0 < east < 15.1 and 50.1 < south < 50.2 and 51.6 < north < 51.7
