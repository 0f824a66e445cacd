import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.crs import DISPLAY_CRS, METRIC_CRS, require_crs, to_display, to_metric
from geo.errors import CRSError


def test_require_crs_accepts_metric_frame_unchanged():
    gdf = gpd.GeoDataFrame(geometry=[Point(380_000, 5_640_000)], crs=METRIC_CRS)
    assert require_crs(gdf) is gdf


def test_require_crs_refuses_degrees_with_a_german_hint():
    gdf = gpd.GeoDataFrame(geometry=[Point(13.34, 50.92)], crs=DISPLAY_CRS)
    with pytest.raises(CRSError, match="EPSG:4326 vor, erwartet wird EPSG:25833"):
        require_crs(gdf)


def test_frame_without_crs_is_an_error_not_a_guess():
    gdf = gpd.GeoDataFrame(geometry=[Point(13.34, 50.92)])
    with pytest.raises(CRSError, match="kein Koordinatenreferenzsystem"):
        require_crs(gdf)
    with pytest.raises(CRSError):
        to_metric(gdf)


def test_round_trip_freiberg_to_utm33_and_back():
    gdf = gpd.GeoDataFrame(geometry=[Point(13.3426, 50.9195)], crs=DISPLAY_CRS)
    metric = to_metric(gdf)
    x, y = metric.geometry.iloc[0].coords[0]
    assert 383_000 < x < 384_000 and 5_642_000 < y < 5_643_000
    back = to_display(metric).geometry.iloc[0]
    assert back.distance(Point(13.3426, 50.9195)) < 1e-9
