"""grid_hotspots: one row per study cell with every method's columns; edge cases; method help."""

import numpy as np
import pytest
import shapely

from geo import boundaries
from geo.errors import AtlasError, CRSError
from geo.hotspots import GI_CLASSES, METHOD_HELP, grid_hotspots


def test_freiberg_cells_hold_counts_density_gi_and_lisa(demo):
    result = grid_hotspots(demo, area="14522180", cell=250)
    cells = result.cells
    assert len(cells) == 773 and cells["cell_id"].is_unique
    assert list(cells.columns) == [
        "cell_id", "count", "density", "gi_z", "gi_p", "gi_p_fdr", "gi_bin", "gi_class",
        "lisa_i", "lisa_z", "lisa_p", "lisa_p_fdr", "lisa_class", "geometry"]
    # Counts: the incidents whose cell centre lies in Freiberg, checked with a plain spatial test.
    xy = demo.geometry.get_coordinates().to_numpy()
    centre_x = (np.floor(xy[:, 0] / 250) + 0.5) * 250
    centre_y = (np.floor(xy[:, 1] / 250) + 0.5) * 250
    inside = shapely.contains_xy(boundaries.area("14522180").geometry, centre_x, centre_y)
    assert cells["count"].sum() == inside.sum() == result.n_incidents == 188
    assert set(cells["gi_class"]) <= set(GI_CLASSES.values())
    assert (cells["density"] >= 0).all()


def test_period_and_category_filter(demo):
    result = grid_hotspots(demo, area="14522180", methods="kde", categories=["violence"],
                           start="2024-01-01", end="2024-12-31")
    assert list(result.cells.columns) == ["cell_id", "count", "density", "geometry"]
    assert result.gi is None and result.lisa is None
    assert 0 < result.n_incidents < 188


def test_gemeinde_smaller_than_a_cell_and_bad_input_are_german_messages(demo):
    with pytest.raises(AtlasError, match="Zellgröße 2000 m ist nicht möglich"):
        grid_hotspots(demo, area="14628310", cell=2000)
    with pytest.raises(CRSError):
        grid_hotspots(demo.to_crs("EPSG:4326"), area="14522180")
    with pytest.raises(AtlasError, match="Unbekannte Rastermethode hexbin"):
        grid_hotspots(demo, area="14522180", methods="hexbin")


def test_no_incidents_give_zero_density_and_a_clear_gi_message(demo):
    none = demo.iloc[:0]
    kde_only = grid_hotspots(none, area="14522180", methods="kde")
    assert kde_only.n_incidents == 0 and (kde_only.cells["density"] == 0).all()
    with pytest.raises(AtlasError, match="keine Hot- oder Coldspots"):
        grid_hotspots(none, area="14522180", methods="gi")


def test_method_help_explains_every_method_in_german():
    assert set(METHOD_HELP) >= {"rates", "kde", "gi", "lisa", "grid", "evaluate"}
    assert "Sicherheit" in METHOD_HELP["gi"] and "FDR" in METHOD_HELP["gi"]
    assert "keine statistische Sicherheit" in METHOD_HELP["kde"]
    assert all(len(text) < 260 for text in METHOD_HELP.values())
