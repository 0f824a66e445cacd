"""Fear against reported incidents: classes, tests against scipy, the small-sample caveat, demo data."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from geo.boundaries import load_gemeinden
from geo.crs import METRIC_CRS
from geo.errors import CRSError
from geo.survey import coincide, demo
from geo.survey.shares import with_intervals

FREIBERG, CHEMNITZ, FLOEHA, EIBENSTOCK = "14522180", "14511000", "14522140", "14521170"


def _incidents(counts: dict[str, int], *, at=None) -> gpd.GeoDataFrame:
    """`counts[ags]` points at the inner point of each Gemeinde (or at `at[ags]`, metres offset)."""
    gem = load_gemeinden().set_index("ags")
    rows = []
    for ags, k in counts.items():
        p = gem.loc[ags].geometry.representative_point()
        for i in range(k):
            dx, dy = at[ags] if at and ags in at else (0.0, 0.0)
            rows.append({"category": "graffiti" if i % 2 else "littering",
                         "time": pd.Timestamp("2024-05-01 12:00") + pd.Timedelta(hours=i), "ags": ags,
                         "geometry": shapely.Point(p.x + dx + (i % 5), p.y + dy + (i // 5 % 5))})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)


def _shares(rows):
    table = pd.DataFrame(rows, columns=["ags", "n", "unsicher"]).assign(gemeinde="", gebiet="")
    return with_intervals(table)


def test_gemeinde_classes_follow_wilson_bound_and_poisson_test():
    gem = load_gemeinden().set_index("ags")["einwohner"]
    rate = 5.0  # per 1,000 inhabitants
    counts = {FREIBERG: int(gem[FREIBERG] * rate / 1000 * 1.5),  # clearly above expectation
              CHEMNITZ: int(gem[CHEMNITZ] * rate / 1000),  # as expected
              FLOEHA: int(gem[FLOEHA] * rate / 1000 * 2.0),  # clearly above
              EIBENSTOCK: 1}
    shares = _shares([(FREIBERG, 400, 140), (CHEMNITZ, 400, 140), (FLOEHA, 300, 45), (EIBENSTOCK, 20, 15)])
    result = coincide.coincidence_by_gemeinde(_incidents(counts), shares, reference_share=0.25,
                                              reference_rate=rate)
    table = result.table.set_index("ags")
    assert table.loc[FREIBERG, "klasse"] == coincide.BOTH
    assert table.loc[CHEMNITZ, "klasse"] == coincide.FEAR_ONLY
    assert table.loc[FLOEHA, "klasse"] == coincide.INCIDENTS_ONLY
    assert table.loc[EIBENSTOCK, "klasse"] == coincide.TOO_SMALL  # 20 answers < 30
    expected = gem[FREIBERG] * rate / 1000
    assert table.loc[FREIBERG, "erwartet"] == pytest.approx(expected)
    assert table.loc[FREIBERG, "p_vorfaelle"] == pytest.approx(
        stats.poisson.sf(counts[FREIBERG] - 1, expected), rel=1e-12)
    low = stats.binomtest(140, 400).proportion_ci(method="wilson").low
    assert table.loc[CHEMNITZ, "ci_low"] == pytest.approx(low, abs=1e-12)
    assert low > 0.25
    assert result.counts() == {coincide.BOTH: 1, coincide.FEAR_ONLY: 1, coincide.INCIDENTS_ONLY: 1,
                               coincide.NEITHER: 0, coincide.TOO_SMALL: 1}


def test_the_table_for_readers_has_the_interval_and_the_expected_count_written_out():
    gem = load_gemeinden().set_index("ags")["einwohner"]
    shares = _shares([(CHEMNITZ, 400, 140), (EIBENSTOCK, 20, 15)])
    result = coincide.coincidence_by_gemeinde(_incidents({CHEMNITZ: 1500, EIBENSTOCK: 1}), shares,
                                              reference_share=0.25, reference_rate=5.0)
    low, high = stats.binomtest(140, 400).proportion_ci(method="wilson")
    assert list(result.table["ags"]) == [CHEMNITZ, EIBENSTOCK]
    chemnitz, eibenstock = (row for _, row in result.table_text().iterrows())
    assert chemnitz["klasse"] == coincide.BOTH and chemnitz["antworten"] == "400"
    assert chemnitz["unsicher"] == f"35 % ({round(100 * low)}–{round(100 * high)} %)"
    expected = f"{gem[CHEMNITZ] * 5 / 1000:,.1f}"  # 1,242.8: English, then German
    german = expected.replace(",", " ").replace(".", ",").replace(" ", ".")
    assert chemnitz["vorfaelle"] == f"1.500 / {german}" and chemnitz["p"] == "< 0,001"
    assert eibenstock["klasse"] == coincide.TOO_SMALL
    english = result.table_text("en")
    assert english.iloc[0]["vorfaelle"] == f"1,500 / {expected}"
    assert english.iloc[1]["klasse"] not in ("", coincide.TOO_SMALL)  # in English


def test_result_states_the_small_sample_caveat_and_the_method():
    shares = _shares([(FREIBERG, 400, 140), (EIBENSTOCK, 20, 15)])
    result = coincide.coincidence_by_gemeinde(_incidents({FREIBERG: 10}), shares)
    assert "Wilson" in result.hinweis
    assert "1 Gemeinde(n) mit weniger als 30 Antworten" in result.hinweis
    # pooled share of the Gemeinden with enough answers only: 140/400
    assert "über 35,0 %" in result.methode
    assert "Poisson" in result.methode


def test_cells_separate_fear_without_incidents_from_incidents_without_fear():
    gem = load_gemeinden().set_index("ags")
    p = gem.loc[FREIBERG].geometry.representative_point()
    # incidents: 30 at the inner point, 12 at a place 2 km east, nothing at the fear-only place 2 km west
    incidents = pd.concat([_incidents({FREIBERG: 30}), _incidents({FREIBERG: 12}, at={FREIBERG: (2000, 0)})])
    places = gpd.GeoDataFrame(
        {"name": ["Zentrum", "Westpark", "Weg"], "kategorie": ["Personengruppen", "Dunkelheit/Beleuchtung",
                                                             "Sonstiges"],
         "nennungen": [9, 6, 1], "ags": FREIBERG, "art": "punkt"},
        geometry=[shapely.Point(p.x + 10, p.y + 10), shapely.Point(p.x - 2000, p.y),
                  shapely.Point(p.x - 4000, p.y)], crs=METRIC_CRS)
    result = coincide.coincidence_by_cell(incidents, places, cell_m=250)
    by_place = result.table.set_index("orte")
    assert by_place.loc["Zentrum", "klasse"] == coincide.BOTH
    assert by_place.loc["Westpark", "klasse"] == coincide.FEAR_ONLY
    assert by_place.loc["Weg", "klasse"] == coincide.NEITHER  # one mention is no pattern
    east = result.table[(result.table["orte"] == "") & (result.table["vorfaelle"] == 12)]
    assert list(east["klasse"]) == [coincide.INCIDENTS_ONLY]
    area_m2 = gem.loc[FREIBERG].geometry.area
    assert result.table["erwartet"].iloc[0] == pytest.approx(42 * 250**2 / area_m2)
    assert result.table.crs == METRIC_CRS
    assert list(result.table["klasse"][:3]) == [coincide.BOTH, coincide.FEAR_ONLY, coincide.INCIDENTS_ONLY]


def test_incidents_in_degrees_are_refused():
    shares = _shares([(FREIBERG, 400, 140)])
    with pytest.raises(CRSError):
        coincide.coincidence_by_gemeinde(_incidents({FREIBERG: 3}).to_crs("EPSG:4326"), shares)


def test_demo_survey_is_fixed_labelled_and_has_small_samples():
    shares = demo.demo_shares()
    assert len(shares) == 418
    assert (shares["quelle"] == "Demodaten (synthetisch)").all()
    pd.testing.assert_frame_equal(shares, demo.demo_shares())
    assert int(shares["zu_klein"].sum()) == 7
    invited = np.minimum(1000, load_gemeinden()["einwohner"] // 10).to_numpy()
    assert (shares["n"].to_numpy() <= invited).all()
    assert 0.33 < shares["n"].sum() / invited.sum() < 0.42  # 35–40 % reply
    freiberg = shares.set_index("ags").loc[FREIBERG]
    assert (freiberg["n"], freiberg["unsicher"]) == (400, 89)
    places = demo.demo_angstraeume()
    assert len(places) == 16 and set(places["ags"]) == {FREIBERG}
    assert (places["quelle"] == demo.DEMO_LABEL).all()
    assert places["nennungen"].min() >= 1
    assert set(places["kategorie"]) <= set(demo.KATEGORIEN)


def test_demo_overlay_with_demo_incidents_yields_every_class():
    from geo.incidents.demo import demo_points

    incidents = demo_points(n=20_000)
    by_gemeinde = coincide.coincidence_by_gemeinde(incidents, demo.demo_shares())
    assert len(by_gemeinde.table) == 418
    counts = by_gemeinde.counts()
    assert all(counts[c] > 0 for c in coincide.CLASSES)
    by_cell = coincide.coincidence_by_cell(incidents, demo.demo_angstraeume())
    cell_counts = by_cell.counts()
    assert cell_counts[coincide.BOTH] > 0 and cell_counts[coincide.FEAR_ONLY] > 0
    assert cell_counts[coincide.INCIDENTS_ONLY] > 0
    assert np.isclose(by_cell.table["vorfaelle"].sum(), (incidents["ags"] == FREIBERG).sum())


def test_cells_carry_the_ids_of_the_shared_grid():
    from geo.grid import cell_id

    gem = load_gemeinden().set_index("ags")
    p = gem.loc[FREIBERG].geometry.representative_point()
    places = gpd.GeoDataFrame({"name": ["Zentrum"], "kategorie": ["Sonstiges"], "nennungen": [4],
                               "ags": FREIBERG, "art": "punkt"},
                              geometry=[shapely.Point(p.x, p.y)], crs=METRIC_CRS)
    result = coincide.coincidence_by_cell(_incidents({FREIBERG: 5}), places, cell_m=250)
    expected = cell_id(np.array([int(p.x // 250)]), np.array([int(p.y // 250)]), cell=250)[0]
    assert list(result.table["zelle"]) == [expected]
    assert result.table.geometry.iloc[0].bounds[:2] == (int(p.x // 250) * 250, int(p.y // 250) * 250)
