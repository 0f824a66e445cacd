"""The reporting-bias caution beside a hotspot (issue 13): on constructed reports with the pattern
(a hot cell whose reports came on two days) the caution appears in the analysis, the file and the
map's tooltip; on the same counts spread over the year it does not."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.analysis import analyse
from geo.boundaries import gemeinde
from geo.crs import METRIC_CRS
from geo.view import View
from layers import compose

FREIBERG = "14522180"
BURST = "7 von 9 Meldungen in dieser Zelle an 2 Tagen"


def _reports(burst: bool) -> gpd.GeoDataFrame:
    area = gemeinde(FREIBERG).geometry
    centre = np.array(area.representative_point().coords[0])
    rng = np.random.default_rng(3)
    background = []
    minx, miny, maxx, maxy = area.bounds
    while len(background) < 40:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if area.contains(gpd.points_from_xy([x], [y])[0]) and np.hypot(*(np.array([x, y]) - centre)) > 1_500:
            background.append((x, y))
    days = rng.integers(0, 365, size=len(background))
    # nine reports in one 250 m cell: seven on 3 and 4 May (or every few weeks), two in other months
    hot_days = ([122, 122, 122, 123, 123, 123, 123, 30, 250] if burst
                else [5, 40, 80, 122, 160, 200, 240, 280, 330])
    cell = np.floor(centre / 250) * 250 + 125
    hot = [cell + rng.uniform(-100, 100, 2) for _ in hot_days]
    xy = np.array(background + hot)
    times = pd.Timestamp("2023-01-01 09:00") + pd.to_timedelta(np.concatenate([days, hot_days]), unit="D") \
        + pd.to_timedelta(rng.integers(0, 600, size=len(xy)), unit="min")
    return gpd.GeoDataFrame({"category": "littering", "time": times, "ags": FREIBERG},
                            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=METRIC_CRS)


@pytest.fixture(scope="module", params=[True, False], ids=["burst", "spread"])
def case(request):
    view = View(area=FREIBERG, method="gi", categories=("littering",))
    return request.param, analyse(_reports(request.param), view)


def test_the_hot_cell_carries_the_caution_only_when_its_reports_came_on_two_days(case):
    burst, analysis = case
    cells = analysis.hotspots.cells
    hot = cells[cells["gi_bin"] > 0]
    assert len(hot) > 0, "the nine reports make a hotspot"
    cautions = {str(c) for c in hot["caution"] if c}
    assert cautions == ({BURST} if burst else set())
    assert cells.loc[cells["gi_bin"] == 0, "caution"].map(bool).sum() == 0  # uncoloured cells: none
    notes = " ".join(analysis.notes)
    assert ("auffälliges Meldeverhalten" in notes) == burst


def test_the_file_and_the_tooltip_say_it_too(case):
    burst, analysis = case
    table = analysis.export_table()
    assert (table["hinweis_meldungen"] == BURST).any() == burst
    html = compose.export_bytes(analysis, "html").decode("utf-8")
    assert (json.dumps(BURST, ensure_ascii=False)[1:-1] in html) == burst
    english = compose.export_bytes(analysis, "html", lang="en").decode("utf-8")
    assert ("7 of 9 reports in this cell on 2 days" in english) == burst
