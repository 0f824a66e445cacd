"""Emerging hot spots: Mann–Kendall equals pymannkendall, every pattern rule, Gi* per step equals esda,
steps and their errors, and the privacy threshold."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pymannkendall
import pytest
from esda import G_Local

from geo.crs import METRIC_CRS
from geo.errors import AtlasError
from geo.grid import study_grid
from geo.hotspots.emerging import emerging_hotspots
from geo.hotspots.gistar import NoVariationError, gi_star
from geo.hotspots.patterns import (
    COLD_PATTERNS,
    HOT_PATTERNS,
    NO_PATTERN,
    PATTERN_HELP,
    PATTERNS,
    classify,
    mann_kendall,
)
from geo.hotspots.points import select, xy
from geo.hotspots.windows import window_sum
from geo.lang import catalogue, translate
from tests.geo.hotspots.conftest import window_weights


# --- Mann–Kendall ------------------------------------------------------------------------------
def reference(x):
    r = pymannkendall.original_test(np.asarray(x, dtype=float))
    return r.s, r.var_s, r.z, r.p


@pytest.mark.parametrize("n", [4, 5, 7, 10, 16, 40])
def test_mann_kendall_equals_pymannkendall_on_random_series(n):
    rng = np.random.default_rng(n)
    series = rng.normal(size=(200, n)) + np.linspace(0, rng.uniform(-2, 2), n)
    s, var_s, z, p = mann_kendall(series)
    for i, x in enumerate(series):
        ref = reference(x)
        assert s[i] == ref[0]
        assert var_s[i] == pytest.approx(ref[1], abs=1e-9)
        assert z[i] == pytest.approx(ref[2], abs=1e-12)
        assert p[i] == pytest.approx(ref[3], abs=1e-12)


@pytest.mark.parametrize("n", [4, 6, 16, 25])
def test_mann_kendall_corrects_the_variance_for_ties_like_pymannkendall(n):
    rng = np.random.default_rng(100 + n)
    series = rng.integers(0, 4, size=(300, n)).astype(float)  # many ties of every size
    series[0] = 2.0  # all tied: S = 0, variance 0, z = 0, p = 1
    series[1] = np.repeat([1.0, 2.0], [n // 2, n - n // 2])  # two tied blocks, rising
    s, var_s, z, p = mann_kendall(series)
    for i, x in enumerate(series):
        ref = reference(x)
        assert s[i] == ref[0]
        assert var_s[i] == pytest.approx(ref[1], abs=1e-9)
        assert z[i] == pytest.approx(ref[2], abs=1e-12)
        assert p[i] == pytest.approx(ref[3], abs=1e-12)
    assert (s[0], var_s[0], z[0], p[0]) == (0, 0.0, 0.0, 1.0)
    assert z[1] > 0


def test_mann_kendall_takes_any_time_axis_and_keeps_the_other_axes():
    rng = np.random.default_rng(7)
    series = rng.normal(size=(3, 5, 12))
    s, _, z, p = mann_kendall(series)
    s0, _, z0, p0 = mann_kendall(np.moveaxis(series, -1, 0), axis=0)
    assert s.shape == (3, 5)
    np.testing.assert_array_equal(s, s0)
    np.testing.assert_allclose(z, z0, rtol=0, atol=0)
    np.testing.assert_allclose(p, p0, rtol=0, atol=0)


def test_mann_kendall_smallest_p_with_4_and_5_steps():
    """Why the module doc says: at α = 0.05 a trend needs at least 5 steps."""
    assert mann_kendall([1, 2, 3, 4])[3] == pytest.approx(0.0894, abs=1e-4)
    assert mann_kendall([1, 2, 3, 4, 5])[3] == pytest.approx(0.0275, abs=1e-4)


def test_mann_kendall_refuses_nan_and_single_values():
    with pytest.raises(ValueError):
        mann_kendall([1.0, np.nan, 2.0, 3.0])
    with pytest.raises(ValueError):
        mann_kendall([1.0])


# --- pattern rules -------------------------------------------------------------------------------
UP, DOWN, FLAT = (3.0, 0.001), (-3.0, 0.001), (0.5, 0.6)


def pattern(states: str, trend=FLAT, *, alpha=0.05):
    """The pattern of one cell: states per step, H hot, C cold, . not significant."""
    z = np.array([{"H": 3.0, "C": -3.0, ".": 0.3}[s] for s in states])
    p = np.array([0.001 if s in "HC" else 0.7 for s in states])
    return classify(z, p, [trend[0]], [trend[1]], alpha=alpha)[0]


def mirrored(states: str, trend):
    return states.translate(str.maketrans("HC", "CH")), (-trend[0], trend[1])


# (states, trend, hot pattern): every rule, and the cases at its edges.
RULES = [
    # new: hot in the final step only, never significant before
    ("...H", FLAT, "neuer Hotspot"),
    ("...H", UP, "neuer Hotspot"),  # the trend does not matter
    ("C..H", FLAT, "schwankender Hotspot"),  # cold before: oscillating, not new
    # consecutive: a final run of ≥ 2 hot steps, nothing significant before, < 90 % hot
    ("..HH", FLAT, "fortlaufender Hotspot"),
    ("..HHHHHHHH", UP, "fortlaufender Hotspot"),  # 8 of 10: still under 90 %
    (".HHHHHHHHH", FLAT, "anhaltender Hotspot"),  # 9 of 10 = 90 %: persistent
    ("C.HH", FLAT, "schwankender Hotspot"),  # cold before the run: oscillating
    ("H.HH", FLAT, "sporadischer Hotspot"),  # hot before the run: sporadic
    # intensifying / persistent / diminishing: ≥ 90 % hot incl. the final step, by the trend
    ("HHHH", UP, "zunehmender Hotspot"),
    ("HHHH", FLAT, "anhaltender Hotspot"),
    ("HHHH", DOWN, "abnehmender Hotspot"),
    (".HHHHHHHHH", UP, "zunehmender Hotspot"),
    ("H.HHHHHHHH", DOWN, "abnehmender Hotspot"),
    ("CHHHHHHHHH", FLAT, "anhaltender Hotspot"),  # 90 % hot: an old cold step does not matter
    ("HHH.", FLAT, NO_PATTERN),  # 3 of 4 is not 90 %, final not significant
    # sporadic: final hot, hot before with gaps, < 90 %, never cold
    ("H..H", FLAT, "sporadischer Hotspot"),
    ("H.H.H", UP, "sporadischer Hotspot"),
    ("HHHHHHH..H", FLAT, "sporadischer Hotspot"),  # 8 of 10
    ("HHHHHHHH.H", FLAT, "anhaltender Hotspot"),  # 9 of 10 with the final one: persistent, not sporadic
    # oscillating: final hot, cold before, < 90 % hot
    ("CCCH", FLAT, "schwankender Hotspot"),
    ("HC.HH", DOWN, "schwankender Hotspot"),
    # historical: final step not significant, ≥ 90 % hot (possible from 10 steps on)
    ("HHHHHHHHH.", FLAT, "historischer Hotspot"),
    ("HHHHHHHHH.", DOWN, "historischer Hotspot"),
    ("HHHHHHHH..", FLAT, NO_PATTERN),  # 8 of 10
    ("HHHHHHHHHC", FLAT, "schwankender Coldspot"),  # cold now after ≥ 90 % hot: oscillating cold
    # nothing
    ("....", FLAT, NO_PATTERN),
    ("H...", UP, NO_PATTERN),
    ("HH.C.", FLAT, NO_PATTERN),
]


def test_rules_cover_every_pattern():
    covered = {hot for _, _, hot in RULES}
    assert set(HOT_PATTERNS) <= covered and NO_PATTERN in covered


@pytest.mark.parametrize(("states", "trend", "expected"), RULES)
def test_hot_pattern_rules(states, trend, expected):
    assert pattern(states, trend) == expected


@pytest.mark.parametrize(("states", "trend", "expected"), RULES)
def test_cold_patterns_mirror_the_hot_ones(states, trend, expected):
    flipped = {**dict(zip(HOT_PATTERNS, COLD_PATTERNS, strict=True)),
               **dict(zip(COLD_PATTERNS, HOT_PATTERNS, strict=True)), NO_PATTERN: NO_PATTERN}
    assert pattern(*mirrored(states, trend)) == flipped[expected]


def test_intensifying_coldspot_has_falling_z():
    assert pattern("CCCC", DOWN) == "zunehmender Coldspot"
    assert pattern("CCCC", UP) == "abnehmender Coldspot"


def test_significance_is_strictly_below_alpha_for_steps_and_trend():
    z = np.array([0.3, 0.3, 0.3, 3.0])
    assert classify(z, [0.7, 0.7, 0.7, 0.05], [0.0], [1.0], alpha=0.05)[0] == NO_PATTERN
    assert classify(z, [0.7, 0.7, 0.7, 0.0499], [0.0], [1.0], alpha=0.05)[0] == "neuer Hotspot"
    assert classify(z, [0.7, 0.7, 0.7, 0.05], [0.0], [1.0], alpha=0.10)[0] == "neuer Hotspot"
    hot = np.full(4, 3.0)
    p = np.full(4, 0.001)
    assert classify(hot, p, [2.0], [0.05], alpha=0.05)[0] == "anhaltender Hotspot"
    assert classify(hot, p, [2.0], [0.049], alpha=0.05)[0] == "zunehmender Hotspot"


def test_a_large_z_without_a_small_p_is_not_significant():
    assert classify([3.0, 3.0, 3.0, 3.0], [0.2, 0.2, 0.2, 0.2], [0.0], [1.0])[0] == NO_PATTERN


def test_classify_takes_many_cells_at_once():
    cases = [(s, t, e) for s, t, e in RULES if len(s) == 4]
    z = np.array([[{"H": 3.0, "C": -3.0, ".": 0.3}[c] for c in s] for s, _, _ in cases])
    p = np.where(z == 0.3, 0.7, 0.001)
    got = classify(z, p, [t[0] for _, t, _ in cases], [t[1] for _, t, _ in cases])
    assert list(got) == [e for _, _, e in cases]


def test_every_pattern_has_a_help_line_and_english_names():
    assert len(PATTERNS) == 17 and set(PATTERN_HELP) == set(PATTERNS)
    missing = [t for t in [*PATTERNS, *PATTERN_HELP.values()] if t not in catalogue()]
    assert missing == []
    assert translate("neuer Hotspot", "en") == "new hotspot"


# --- the analysis on demo data ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def dresden_grid():
    return study_grid("14612000", cell=250)


@pytest.fixture(scope="module")
def dresden(demo, dresden_grid):
    return emerging_hotspots(demo, grid=dresden_grid, step="quartal")


def test_columns_steps_and_counts(demo, dresden, dresden_grid):
    labels = [f"{y}q{q}" for y in range(2021, 2025) for q in range(1, 5)]
    assert dresden.steps == tuple(labels)
    assert list(dresden.cells.columns) == ["cell_id", "count", *(f"gi_z_{s}" for s in labels), "mk_z", "mk_p",
                                           "pattern", "count_nearby", "suppressed", "geometry"]
    assert dresden.cells.crs == METRIC_CRS and len(dresden.cells) == dresden_grid.n_cells
    counts = dresden_grid.counts(*xy(demo))
    np.testing.assert_array_equal(dresden.cells["count"], counts[dresden_grid.mask])
    assert dresden.n_incidents == sum(dresden.step_counts) == counts[dresden_grid.mask].sum()
    assert dresden.z.shape == dresden.p_fdr.shape == (16, dresden_grid.n_cells)
    assert set(dresden.cells["pattern"]) <= set(PATTERNS)
    assert (dresden.cells["pattern"] != NO_PATTERN).sum() > 20  # the demo's centres show up


def test_each_step_is_gi_star_of_that_steps_counts(demo, dresden, dresden_grid):
    times = demo["time"]
    for year, quarter in [(2022, 3), (2024, 4)]:
        chosen = demo[(times.dt.year == year) & (times.dt.quarter == quarter)]
        gi = gi_star(dresden_grid, dresden_grid.counts(*xy(chosen)))
        column = f"gi_z_{year}q{quarter}"
        np.testing.assert_array_equal(dresden.cells[column], gi.z)
        step = dresden.steps.index(f"{year}q{quarter}")
        np.testing.assert_array_equal(dresden.p_fdr[step], gi.p_fdr)


def test_each_years_z_equals_esda_g_local_star(demo, freiberg):
    result = emerging_hotspots(demo, grid=freiberg, step="jahr", radius=1)
    weights = window_weights(freiberg, 1, self_neighbour=True)
    assert result.steps == ("2021", "2022", "2023", "2024")
    for k, year in enumerate(result.steps):
        counts = freiberg.counts(*xy(demo[demo["time"].dt.year == int(year)]))
        ref = G_Local(counts[freiberg.mask].astype(float), weights, transform="B", star=True, permutations=0)
        np.testing.assert_allclose(result.cells[f"gi_z_{year}"], ref.Zs, rtol=0, atol=1e-9)
        np.testing.assert_allclose(result.z[k], ref.Zs, rtol=0, atol=1e-9)


def test_trend_per_cell_and_overall_equal_pymannkendall(dresden):
    columns = [f"gi_z_{s}" for s in dresden.steps]
    shown = dresden.cells[dresden.cells["pattern"] != NO_PATTERN].head(30)
    for _, cell in shown.iterrows():
        ref = pymannkendall.original_test(cell[columns].to_numpy(dtype=float))
        assert cell["mk_z"] == pytest.approx(ref.z, abs=1e-12)
        assert cell["mk_p"] == pytest.approx(ref.p, abs=1e-12)
    overall = pymannkendall.original_test(np.array(dresden.step_counts, dtype=float))
    assert dresden.trend_z == pytest.approx(overall.z, abs=1e-12)
    assert dresden.trend_p == pytest.approx(overall.p, abs=1e-12)


def test_patterns_follow_the_rules_on_the_cells_series(dresden):
    cells = dresden.cells
    expected = classify(dresden.z.T, dresden.p_fdr.T, cells["mk_z"], cells["mk_p"], alpha=dresden.alpha)
    shown = ~cells["suppressed"].to_numpy()
    np.testing.assert_array_equal(cells["pattern"].to_numpy()[shown], expected[shown])
    np.testing.assert_array_equal(dresden.hot, (dresden.p_fdr < 0.05) & (dresden.z > 0))
    hot_now = dresden.hot[-1] & shown
    assert set(cells.loc[hot_now, "pattern"]) <= set(HOT_PATTERNS) - {"historischer Hotspot"}


def test_yearly_steps_on_dresden(demo, dresden_grid):
    result = emerging_hotspots(demo, grid=dresden_grid, categories="graffiti")
    assert result.step == "jahr" and result.steps == ("2021", "2022", "2023", "2024")
    assert list(result.cells.columns[2:6]) == ["gi_z_2021", "gi_z_2022", "gi_z_2023", "gi_z_2024"]
    counts = dresden_grid.counts(*xy(select(demo, categories="graffiti")))
    assert result.n_incidents == counts[dresden_grid.mask].sum()
    # With 4 steps no trend reaches 5 %: no intensifying or diminishing cells.
    assert not result.cells["pattern"].str.startswith(("zunehmend", "abnehmend")).any()
    assert (result.cells["mk_p"] >= 0.089).all()


# --- privacy -----------------------------------------------------------------------------------------
def test_cells_with_few_incidents_nearby_show_no_pattern_and_are_flagged(demo, dresden_grid, dresden):
    cells = dresden.cells
    nearby = window_sum(np.where(dresden_grid.mask, dresden_grid.counts(*xy(demo)), 0), 1)[dresden_grid.mask]
    np.testing.assert_array_equal(cells["count_nearby"], nearby)
    np.testing.assert_array_equal(cells["suppressed"], nearby < 3)
    assert (cells.loc[cells["suppressed"], "pattern"] == NO_PATTERN).all()
    strict = emerging_hotspots(demo, grid=dresden_grid, step="quartal", min_count=40)
    open_ = emerging_hotspots(demo, grid=dresden_grid, step="quartal", min_count=0)
    assert not open_.cells["suppressed"].any()
    hidden = strict.cells["suppressed"].to_numpy() & (open_.cells["pattern"] != NO_PATTERN).to_numpy()
    assert hidden.sum() > 0  # the threshold hides cells that would show a pattern
    assert (strict.cells.loc[hidden, "pattern"] == NO_PATTERN).all()
    kept = ~strict.cells["suppressed"].to_numpy()
    np.testing.assert_array_equal(strict.cells["pattern"][kept], open_.cells["pattern"][kept])
    np.testing.assert_array_equal(strict.cells["gi_z_2024q4"], open_.cells["gi_z_2024q4"])


def incidents(xs, ys, times):
    return gpd.GeoDataFrame({"category": "graffiti", "time": pd.to_datetime(times), "ags": "14522180"},
                            geometry=gpd.points_from_xy(xs, ys), crs=METRIC_CRS)


def test_a_new_cluster_of_few_incidents_is_suppressed(freiberg):
    centres = freiberg.cells().geometry.centroid
    west = centres.x < centres.x.median()
    rng = np.random.default_rng(3)
    background = centres[west].sample(400, replace=True, random_state=1)
    times = pd.to_datetime("2021-01-01") + pd.to_timedelta(rng.integers(0, 4 * 365, 400), unit="D")
    east = centres[~west].iloc[len(centres[~west]) // 2]
    points = pd.concat([incidents(background.x, background.y, times),
                        incidents([east.x] * 6, [east.y] * 6, ["2024-06-01"] * 6)], ignore_index=True)
    shown = emerging_hotspots(points, grid=freiberg, min_count=0)
    at = np.flatnonzero(freiberg.cells().geometry.contains(east))[0]
    assert shown.cells["pattern"].iloc[at] == "neuer Hotspot"
    hidden = emerging_hotspots(points, grid=freiberg, min_count=10)
    assert hidden.cells["count_nearby"].iloc[at] == 6
    assert hidden.cells["suppressed"].iloc[at] and hidden.cells["pattern"].iloc[at] == NO_PATTERN


# --- steps, periods and errors -----------------------------------------------------------------------
def test_three_years_are_refused_with_a_german_hint(demo, freiberg):
    with pytest.raises(AtlasError, match="mindestens 4 Zeitschritte; der Zeitraum umfasst 3 Kalenderjahr"
                                         r"\(e\)\. Bitte Quartale wählen"):
        emerging_hotspots(demo, grid=freiberg, start="2022-01-01", end="2024-12-31")
    with pytest.raises(AtlasError, match=r"umfasst 3 Quartal\(e\)\. Bitte den Zeitraum verlängern"):
        emerging_hotspots(demo, grid=freiberg, step="quartal", start="2024-01-01", end="2024-09-30")


def test_the_refusal_reads_in_english(demo, freiberg):
    with pytest.raises(AtlasError) as err:
        emerging_hotspots(demo, grid=freiberg, start="2023-01-01", end="2024-12-31")
    english = translate(err.value.args[0], "en")
    assert english.startswith("New and growing hotspots need at least 4 time steps")


def test_more_than_120_steps_are_refused(demo, freiberg):
    with pytest.raises(AtlasError, match="Höchstens 120 Zeitschritte sind möglich; der Zeitraum umfasst 144"):
        emerging_hotspots(demo, grid=freiberg, step="quartal", start="1989-01-01", end="2024-12-31")


def test_unknown_step_alpha_and_min_count_are_refused(demo, freiberg):
    with pytest.raises(AtlasError, match="Unbekannter Zeitschritt „monat“"):
        emerging_hotspots(demo, grid=freiberg, step="monat")
    with pytest.raises(AtlasError, match="Signifikanzniveau"):
        emerging_hotspots(demo, grid=freiberg, alpha=5)
    with pytest.raises(AtlasError, match="Mindestzahl"):
        emerging_hotspots(demo, grid=freiberg, min_count=-1)
    with pytest.raises(AtlasError, match="Radius 0"):
        emerging_hotspots(demo, grid=freiberg, radius=0)


def test_no_incidents_is_a_clear_message(demo, freiberg):
    with pytest.raises(NoVariationError, match="Keine Vorfälle in der Auswahl"):
        emerging_hotspots(demo, grid=freiberg, categories="gibt es nicht")
    with pytest.raises(NoVariationError, match="Keine Vorfälle in den Rasterzellen"):
        emerging_hotspots(demo, grid=freiberg, categories="gibt es nicht", start="2021-01-01",
                          end="2024-12-31")


def test_steps_follow_the_period_partial_and_empty_steps_included(demo, freiberg):
    result = emerging_hotspots(demo, grid=freiberg, step="quartal", start="2021-02-15", end="2025-03-31")
    assert result.steps[0] == "2021q1" and result.steps[-1] == "2025q1" and len(result.steps) == 17
    assert result.partial == ("2021q1",)
    assert result.step_counts[-1] == 0  # no demo data in 2025: an empty step, nothing significant
    np.testing.assert_array_equal(result.cells["gi_z_2025q1"], 0.0)
    assert not result.hot[-1].any() and not result.cold[-1].any()
    whole = emerging_hotspots(demo, grid=freiberg, step="quartal", start="2021-01-01", end="2024-12-31")
    assert whole.partial == () and len(whole.steps) == 16
    tail = emerging_hotspots(demo, grid=freiberg, start="2021-01-01", end="2024-06-30")
    assert tail.partial == ("2024",)


def test_without_bounds_steps_run_from_the_first_to_the_last_incident(demo, freiberg):
    chosen = demo[(demo["time"] >= "2021-07-01") & (demo["time"] < "2023-10-01")]
    result = emerging_hotspots(chosen, grid=freiberg, step="quartal")
    assert result.steps[0] == "2021q3" and result.steps[-1] == "2023q3" and result.partial == ()


def test_incidents_without_time_are_left_out_and_the_input_is_untouched(demo, freiberg):
    points = demo.copy()
    points.loc[points.index[:50], "time"] = pd.NaT
    before = points.copy()
    result = emerging_hotspots(points, grid=freiberg)
    pd.testing.assert_frame_equal(points, before)
    inside = freiberg.counts(*xy(points.iloc[50:]))[freiberg.mask].sum()
    assert result.n_incidents == inside
