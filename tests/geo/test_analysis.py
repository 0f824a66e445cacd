"""From a view to its figures: selection, privacy threshold, accuracy split, metadata."""

import dataclasses
import datetime as dt

import numpy as np
import pytest

from geo.analysis import analyse, default_split
from geo.detail import gemeinde_detail
from geo.errors import AtlasError
from geo.incidents.demo import demo_points
from geo.view import View

FREIBERG = "14522180"


@pytest.fixture(scope="module")
def points():
    return demo_points()


def test_rates_view_counts_every_selected_incident_once(points):
    view = View(categories=("graffiti", "violence"), start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    result = analyse(points, view, source="Demo", demo=True)
    selected = points[points["category"].isin(["graffiti", "violence"])
                      & (points["time"] >= "2024-01-01") & (points["time"] < "2025-01-01")]
    assert len(result.rates) == 418
    shown = result.rates.loc[~result.rates["suppressed"], "count"].sum()
    hidden = selected["ags"].isin(result.rates.loc[result.rates["suppressed"], "ags"]).sum()
    assert shown + hidden == len(selected)
    assert result.rates.loc[result.rates["suppressed"], "count"].isna().all()
    assert (result.start, result.end) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    # "Vorfälle in der Auswahl": all of them, those in grey Gemeinden too (hidden > 0 here) ...
    assert hidden > 0 and result.n_incidents == len(selected)
    # ... and for a Gemeinde or a Kreis only those in it, as the grid methods count them.
    for area in (FREIBERG, "14522"):
        view = dataclasses.replace(view, area=area)
        in_area = selected["ags"].str.startswith(area).sum()
        assert analyse(points, view).n_incidents == in_area < len(selected)
        assert analyse(points, dataclasses.replace(view, method="gi")).n_incidents == in_area


def test_gi_cells_below_the_minimum_are_never_coloured(points):
    view = View(area=FREIBERG, method="gi", min_count=5, radius=1)
    result = analyse(points, view)
    cells = result.hotspots.cells
    grid = result.hotspots.grid
    counts = np.zeros(grid.shape, dtype=int)
    row, col = grid.study_index()
    counts[row, col] = cells["count"].to_numpy()
    padded = np.pad(counts, 1)
    nearby = sum(padded[1 + dr:1 + dr + grid.shape[0], 1 + dc:1 + dc + grid.shape[1]]
                 for dr in (-1, 0, 1) for dc in (-1, 0, 1))[row, col]
    assert (cells["suppressed"].to_numpy() == (nearby < 5)).all()
    assert (cells.loc[cells["suppressed"], "gi_class"] == "nicht signifikant").all()
    assert (cells.loc[cells["suppressed"], "gi_bin"] == 0).all()
    # The unsuppressed cells keep what Gi* said; some of them are hot.
    assert cells.loc[~cells["suppressed"], "gi_class"].str.startswith("Hotspot").any()
    assert int(cells["count"].sum()) == result.n_incidents > 0


def test_council_view_keeps_the_threshold_at_three_or_more(points):
    result = analyse(points, View(area=FREIBERG, method="kde", mode="sitzung", min_count=1))
    assert result.view.min_count == 3
    hot = result.hotspots
    assert hot.cells.loc[hot.cells["suppressed"], "density"].isna().all()
    # The image is masked too: no density where fewer than 3 incidents lie within the bandwidth.
    reach = hot.kde.bandwidth
    xy = np.column_stack([points.geometry.x, points.geometry.y])[
        (points["ags"] == FREIBERG).to_numpy() & (points["category"] == "graffiti").to_numpy()]
    row, col = hot.grid.study_index()
    centres = np.column_stack([(col + hot.grid.col0 + 0.5) * hot.grid.cell,
                               (row + hot.grid.row0 + 0.5) * hot.grid.cell])
    shown = ~np.isnan(hot.kde.density[row, col])
    near = np.array([(np.hypot(*(xy - c).T) <= reach + hot.grid.cell).sum() for c in centres[shown]])
    assert shown.any() and (near >= 3).all()


def test_grid_method_reports_accuracy_against_the_baseline(points):
    result = analyse(points, View(area="14522", method="gi"))
    assert result.split == dt.date(2023, 1, 1)
    assert set(result.evaluation.results) == {"grid", "kde", "gi"}
    assert result.evaluation.n_train + result.evaluation.n_test == result.n_incidents
    assert "Gi*" in result.evaluation.verdicts["gi"]


def test_empty_selection_for_a_grid_method_is_a_clear_message(points):
    view = View(area=FREIBERG, method="gi", start=dt.date(2030, 1, 1), end=dt.date(2030, 12, 31))
    with pytest.raises(AtlasError, match="keine Vorfälle"):
        analyse(points, view)


def test_metadata_names_method_period_source_and_attribution(points):
    meta = analyse(points, View(area=FREIBERG, method="gi"), source="Demodaten (synthetisch)",
                   demo=True).metadata()
    assert meta["Methode"] == "Hotspots (Getis-Ord Gi*)"
    assert meta["Gebiet"] == f"Freiberg ({FREIBERG})"
    assert meta["Zeitraum"].startswith("2021-01-0") and meta["Zeitraum"].endswith("2024-12-31")
    assert meta["Hinweis"] == "Demodaten (synthetisch)"
    assert "GeoBasis-DE / BKG 2016" in meta["Namensnennung"]


@pytest.mark.parametrize(
    ("start", "end", "split"),
    [
        (dt.date(2021, 1, 1), dt.date(2024, 12, 31), dt.date(2023, 1, 1)),
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), dt.date(2024, 7, 1)),
        (dt.date(2024, 3, 10), dt.date(2024, 5, 20), dt.date(2024, 4, 1)),  # middle 14.04.
    ],
)
def test_accuracy_split_is_the_month_start_nearest_the_middle(start, end, split):
    assert default_split(start, end) == split


def test_gemeinde_detail_compares_with_kreis_and_saxony(points):
    detail = gemeinde_detail(points, FREIBERG, categories=["graffiti", "extremism"],
                             start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    year = points[(points["time"] >= "2024-01-01") & (points["time"] < "2025-01-01")]
    n = int(((year["ags"] == FREIBERG) & (year["category"] == "graffiti")).sum())
    graffiti = detail.table.iloc[0]
    assert detail.name == "Freiberg" and detail.einwohner == 40_485
    assert graffiti["faelle"] == n
    assert graffiti["je_1000"] == pytest.approx(1000 * n / 40_485)
    saxony = int((year["category"] == "graffiti").sum())
    assert graffiti["je_1000_sachsen"] == pytest.approx(1000 * saxony / 4_086_152)
    extremism = detail.table.iloc[1]
    n_ext = int(((year["ags"] == FREIBERG) & (year["category"] == "extremism")).sum())
    assert n_ext < 3 and np.isnan(extremism["faelle"]) and np.isnan(extremism["je_1000"])
    # The months only for what the table shows: no chart of the hidden extremism cases.
    assert len(detail.monthly) == 12 and set(detail.monthly["kategorie"]) == {"Graffiti"}
    assert detail.monthly["faelle"].sum() == n
    # As the reader sees it: German numbers, "< 3" for hidden figures; English on request.
    text = detail.table_text()
    assert text.iloc[0]["faelle"] == str(n) and "," in text.iloc[0]["je_1000"]
    assert list(text.iloc[1][["kategorie", "faelle", "je_1000"]]) == ["Extremismus", "< 3", "< 3"]
    english = detail.table_text("en")
    assert english.iloc[1]["kategorie"] == "Extremism" and "." in english.iloc[0]["je_1000"]
    assert "," not in english.iloc[0]["je_1000"]
    # Top cells: aggregated 250 m squares with at least 3 incidents, most first.
    top = gemeinde_detail(points, FREIBERG, categories=["graffiti"]).top_cells
    assert 0 < len(top) <= 5 and (top["faelle"] >= 3).all() and top["faelle"].is_monotonic_decreasing
    x0, y0 = (int(v) for v in top["zelle"].iloc[0].removeprefix("250mE").split("N"))
    mine = points[(points["ags"] == FREIBERG) & (points["category"] == "graffiti")]
    inside = ((mine.geometry.x >= x0) & (mine.geometry.x < x0 + 250)
              & (mine.geometry.y >= y0) & (mine.geometry.y < y0 + 250)).sum()
    assert inside == top["faelle"].iloc[0]


def test_pks_kreis_table_feeds_kreis_rates_but_no_grid_method():
    from geo.incidents.pks import read_pks_kreise
    from geo.incidents.report import empty_points

    table = read_pks_kreise()
    graffiti = analyse(empty_points(), View(categories=("graffiti",)), aggregates=table)
    assert graffiti.view.level == "kreis" and len(graffiti.rates) == 13
    assert graffiti.n_incidents == 9_712
    leipzig = graffiti.rates.set_index("ags").loc["14713"]
    assert leipzig["rate"] == pytest.approx(1000 * leipzig["count"] / 616_093)
    assert (graffiti.start, graffiti.end) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    with pytest.raises(AtlasError, match="keine Kerndichte, Gi\\* oder LISA"):
        analyse(empty_points(), View(method="gi", categories=("graffiti",)), aggregates=table)


def test_one_towns_own_data_is_not_compared_with_all_of_saxony_unnoticed(points):
    freiberg = points[points["ags"] == "14522180"]
    statewide = analyse(freiberg, View(method="rates"))
    gaps = [n for n in statewide.notes if n.startswith("Die Daten stammen aus")]
    assert gaps == ["Die Daten stammen aus 1 von 418 Gemeinden (1 % der Einwohner Sachsens). Gemeinden "
                    "ohne Meldungen zählen als Orte ohne Vorfälle: Vergleiche mit „Sachsen“ und mit "
                    "Nachbarorten sind so nicht aussagekräftig – Gebiet auf die eigenen Daten eingrenzen."]
    in_kreis = analyse(freiberg, View(method="gi", area="14522"))
    assert any(n.startswith("Die Daten stammen aus") for n in in_kreis.notes)
    # Narrowed to the town itself, or with data from all over Saxony, there is nothing to say.
    own = analyse(freiberg, View(method="gi", area="14522180"))
    assert not any(n.startswith("Die Daten stammen aus") for n in own.notes)
    assert not any(n.startswith("Die Daten stammen aus") for n in analyse(points, View()).notes)


def test_the_planner_chooses_where_the_accuracy_check_splits_the_period(points):
    view = View(method="gi", start=dt.date(2021, 1, 1), end=dt.date(2024, 12, 31))
    default = analyse(points, view)
    assert default.split == dt.date(2023, 1, 1)
    chosen = analyse(points, dataclasses.replace(view, split=dt.date(2024, 1, 1)))
    assert chosen.split == dt.date(2024, 1, 1)
    # Three years to learn from instead of two: another test period, other figures.
    assert chosen.evaluation.results["gi"].hit_rate != default.evaluation.results["gi"].hit_rate
    outside = analyse(points, dataclasses.replace(view, split=dt.date(2030, 1, 1)))
    assert outside.evaluation is None
    assert any(n.startswith("Vorhersagegüte nicht berechenbar") for n in outside.notes)


def test_emerging_view_gives_a_pattern_per_cell_with_the_privacy_threshold(points):
    analysis = analyse(points, View(area="14612000", method="emerging", categories=("graffiti", "littering")))
    cells = analysis.emerging.cells
    assert analysis.emerging.steps[0] == "2021q1" and len(analysis.emerging.steps) == 16
    assert (cells.loc[cells["count_nearby"] < 3, "pattern"] == "kein Muster").all()
    assert cells["pattern"].str.endswith("Hotspot").sum() > 10
    assert analysis.n_incidents == cells["count"].sum()
    table = analysis.export_table()
    steps = [f"gi_z_{year}q{quarter}" for year in range(2021, 2025) for quarter in range(1, 5)]
    assert list(table.columns) == ["zelle", "lage", "vorfaelle", *steps, "mk_z", "mk_p", "muster",
                                   "vorfaelle_nachbarschaft", "ohne_angabe", "hinweis_meldungen", "geometry"]
    assert analysis.metadata()["zeitschritte"] == ",".join(s.removeprefix("gi_z_") for s in steps)
    assert "gi" in analysis.evaluation.results  # the accuracy panel shows Gi* for the same selection


def test_emerging_refuses_fewer_than_four_steps(points):
    with pytest.raises(AtlasError, match="mindestens 4 Zeitschritte"):
        analyse(points, View(area="14612000", method="emerging", step="jahr", start=dt.date(2023, 1, 1)))


def test_lisa_with_permutations_is_the_planners_choice_and_is_recorded(points):
    view = View(area="14522180", method="lisa")
    analytical = analyse(points, view)
    permuted = analyse(points, dataclasses.replace(view, inference="permutation"))
    assert analytical.metadata()["inferenz"] == "analytisch"
    assert permuted.metadata()["p-Werte (LISA)"] == "999 bedingte Permutationen"
    assert not np.array_equal(analytical.hotspots.cells["lisa_p"], permuted.hotspots.cells["lisa_p"])
    again = analyse(points, dataclasses.replace(view, inference="permutation"))
    assert np.array_equal(again.hotspots.cells["lisa_p"], permuted.hotspots.cells["lisa_p"])  # seeded
