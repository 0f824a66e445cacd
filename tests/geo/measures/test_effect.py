"""Wirkungsprüfung: WDQ, WDD and rate ratio against published and independent figures, periods,
areas and the verdict on constructed incidents in Freiberg's real boundary."""

import datetime as dt
import json
import math
from collections import Counter
from fractions import Fraction

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from scipy.stats.contingency import odds_ratio

from geo.boundaries import gemeinde
from geo.errors import AtlasError, CRSError
from geo.incidents.demo import demo_points
from geo.lang import translate
from geo.measures.effect import (
    MIN_BEFORE,
    add_months,
    areas,
    classify,
    counts,
    evaluate,
    evaluate_measure,
    monthly,
    periods,
    rate_ratio,
    wdd,
    wdq,
)
from geo.measures.effect_space import BUFFER, CONTROL, OUTSIDE, TARGET

FREIBERG = "14522180"
START = dt.date(2024, 3, 1)
DATA_END = dt.date(2025, 2, 28)
CONTRACT = ["t_vorher", "t_nachher", "d_vorher", "d_nachher", "c_vorher", "c_nachher", "wdq", "wdd", "wdd_se",
            "wdd_z", "rr", "rr_unten", "rr_oben", "urteil"]


@pytest.fixture(scope="module")
def town():
    """Freiberg's boundary, a 200 m square T around its representative point, and where to put points."""
    boundary = gemeinde(FREIBERG).geometry
    c = boundary.representative_point()
    place = shapely.box(c.x - 100, c.y - 100, c.x + 100, c.y + 100)
    spots = {"t": (c.x, c.y), "d": (c.x + 200, c.y), "c": (c.x + 1500, c.y + 1500),
             "c2": (c.x - 1500, c.y + 1500), "out": (c.x + 40_000, c.y)}
    assert boundary.contains(shapely.Point(spots["c"])) and boundary.contains(shapely.Point(spots["c2"]))
    assert not boundary.contains(shapely.Point(spots["out"]))
    return boundary, place, spots


def rows(spots, *spec):
    """Incidents: (n, spot, first day[, category]) → n points near the spot, every 12 hours from 10:00."""
    out = []
    for n, spot, first, *category in spec:
        x, y = spots[spot]
        for i in range(n):
            out.append({"x": x + i % 7, "y": y + i % 5, "category": category[0] if category else "graffiti",
                        "time": pd.Timestamp(first) + pd.Timedelta(hours=10 + 12 * i)})
    return pd.DataFrame(out, columns=["x", "y", "category", "time"])


# --- WDD: Wheeler & Ratcliffe (2018) and Wheeler's published extensions -------------------------
def test_wdd_reproduces_the_worked_example_of_wheeler_and_ratcliffe_2018():
    # Crime Science 7:11, the example of the paper (as pinned in the R package ptools,
    # tests/testthat/test-wdd.R, "Est & Variance Paper"): treated 207 → 110, its control
    # 308 → 318, displacement area 178 → 157, its control 150 → 140. Published: WDD −118,
    # variance 1568, z −2.98, 95 % interval −196 to −40.
    result = wdd((207, 110), (308, 318), (178, 157), (150, 140))
    assert result.total == -118
    assert result.se ** 2 == pytest.approx(1568)
    assert round(result.z, 2) == -2.98
    assert round(result.total - 1.959964 * result.se) == -196
    assert round(result.total + 1.959964 * result.se) == -40
    assert (result.local, result.displacement) == (-107, -11)
    assert result.p == pytest.approx(math.erfc(2.97995 / math.sqrt(2)), rel=1e-4)


def test_wdd_weights_reproduce_wheelers_published_extensions():
    # Different period lengths (andrewpwheeler.com, 2021-01-09): 2 years before, 1 after,
    # treated 80 → 20, control 100 → 50: per year −20 with variance 115.
    per_year = wdd((80, 20), (100, 50), scale={"t": (0.5, 1), "ct": (0.5, 1)})
    assert per_year.total == -20 and per_year.se ** 2 == pytest.approx(115)
    # Different area sizes (andrewpwheeler.com, 2021-02-23; ptools test "Area Weights"):
    # weights control 0.9, treated 1.2, displacement control 1.6, displacement 1.5.
    weights = {"ct": 0.9, "t": 1.2, "cd": 1.6, "d": 1.5}
    by_area = wdd((207, 110), (308, 318), (178, 157), (150, 140),
                  scale={k: (1 / w, 1 / w) for k, w in weights.items()})
    assert by_area.total == pytest.approx(-99.69444444)
    assert by_area.se == pytest.approx(35.4280755)
    assert by_area.z == pytest.approx(-2.813995483)
    # crimede-coder.com, "Some extensions to the WDD statistic" (2025): control 100 → 90,
    # treated 100 → 80: 10 crimes fewer, standard error 19.
    simple = wdd((100, 80), (100, 90))
    assert simple.total == -10 and round(simple.se) == 19


def test_one_control_for_both_areas_counts_its_variance_with_the_summed_weights():
    t, d, c = (40, 25), (30, 34), (400, 380)
    st, sd = t[0] / c[0], d[0] / c[0]
    shared = wdd(t, c, d, shared_control=True, scale={"ct": (st, st), "cd": (sd, sd)})
    # the same figure computed independently: T and D together against C scaled to their sum
    pooled = wdd((t[0] + d[0], t[1] + d[1]), c, scale={"ct": (st + sd, st + sd)})
    assert shared.total == pytest.approx(pooled.total) and shared.se == pytest.approx(pooled.se)
    by_hand = t[0] + t[1] + d[0] + d[1] + (st + sd) ** 2 * (c[0] + c[1])
    assert shared.se ** 2 == pytest.approx(by_hand)
    # treating the one control as two independent ones would understate the variance
    independent = wdd(t, c, d, c, scale={"ct": (st, st), "cd": (sd, sd)})
    assert independent.total == pytest.approx(shared.total) and independent.se < shared.se
    with pytest.raises(ValueError):
        wdd(t, c, d, c, shared_control=True)


# --- WDQ: Bowers & Johnson (2003), formulas as in Guerette (2009), Appendix B -------------------
def test_wdq_follows_bowers_and_johnson_on_the_papers_counts():
    # No stored source publishes a WDQ value, so it is checked by hand with exact fractions,
    # formulas of Guerette (2009, POP Center Tool Guide 10, Appendix B), on the counts of
    # Wheeler & Ratcliffe's example (treated area, displacement area, the treated area's control).
    result = wdq(207, 110, 178, 157, 308, 318)
    success = Fraction(110, 318) - Fraction(207, 308)
    buffer = Fraction(157, 318) - Fraction(178, 308)
    assert result.success == pytest.approx(float(success), abs=1e-15)
    assert result.buffer == pytest.approx(float(buffer), abs=1e-15)
    assert result.value == pytest.approx(float(buffer / success), abs=1e-12)
    assert result.value == pytest.approx(0.2582, abs=1e-4)  # 0 < WDQ < 1: diffusion, smaller than the effect
    tne = (207 * Fraction(318, 308) - 110) + (178 * Fraction(318, 308) - 157)
    assert result.total_net_effect == pytest.approx(float(tne))


def test_wdq_is_minus_one_for_complete_displacement_and_undefined_without_control_or_effect():
    # everything T lost (50 of 100) turns up in the buffer, control unchanged: WDQ −1
    assert wdq(100, 50, 100, 150, 100, 100).value == pytest.approx(-1)
    no_control = wdq(20, 10, 5, 5, 0, 7)
    assert no_control.value is None and "Vergleichsgebiet" in no_control.reason
    no_effect = wdq(20, 22, 5, 9, 100, 110)  # T changed exactly like C
    assert no_effect.success == 0 and no_effect.value is None and "Erfolgsmaß 0" in no_effect.reason


# --- rate ratio against an independent implementation -----------------------------------------
@pytest.mark.parametrize("cells", [(207, 110, 308, 318), (20, 8, 200, 200), (12, 30, 55, 61)])
def test_rate_ratio_and_interval_match_scipys_woolf_interval(cells):
    t0, t1, c0, c1 = cells
    rr = rate_ratio(t0, t1, c0, c1)
    # (T1/T0)/(C1/C0) is the odds ratio of the 2×2 table [[T1, T0], [C1, C0]]; scipy's "sample"
    # odds ratio has the log-normal (Woolf) interval.
    reference = odds_ratio([[t1, t0], [c1, c0]], kind="sample")
    low, high = reference.confidence_interval(0.95)
    assert rr.value == pytest.approx(reference.statistic, rel=1e-12)
    assert (rr.lower, rr.upper) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert not rr.corrected


def test_rate_ratio_with_a_zero_count_adds_a_half_everywhere_and_without_any_case_is_none():
    rr = rate_ratio(12, 0, 50, 61)
    t0, t1, c0, c1 = 12.5, 0.5, 50.5, 61.5
    log_rr, se = math.log((t1 / t0) / (c1 / c0)), math.sqrt(1 / t0 + 1 / t1 + 1 / c0 + 1 / c1)
    assert rr.corrected
    assert rr.value == pytest.approx(math.exp(log_rr))
    assert rr.lower == pytest.approx(math.exp(log_rr - 1.959964 * se), rel=1e-6)
    assert rr.upper == pytest.approx(math.exp(log_rr + 1.959964 * se), rel=1e-6)
    assert rate_ratio(0, 0, 50, 61) is None and rate_ratio(5, 7, 0, 0) is None


# --- periods --------------------------------------------------------------------------------------
def months_of(span):
    return Counter((d.year * 12 + d.month) % 12 for d in pd.date_range(span.first, span.last, freq="D"))


def test_default_periods_are_the_twelve_months_on_each_side_of_the_start():
    p = periods(START, as_of=DATA_END)
    assert (p.before.first, p.before.last) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))
    assert (p.after.first, p.after.last) == (dt.date(2024, 3, 1), dt.date(2025, 2, 28))
    assert p.after_complete and p.compared_before == p.before and p.compared_after == p.after


def test_skipped_months_move_the_after_period_and_keep_the_same_calendar_months():
    p = periods(START, skip_months=2, as_of=DATA_END + dt.timedelta(days=61))
    assert (p.after.first, p.after.last) == (dt.date(2024, 5, 1), dt.date(2025, 4, 30))
    assert (p.before.first, p.before.last) == (dt.date(2023, 3, 1), dt.date(2024, 2, 29))
    assert months_of(p.before).keys() == months_of(p.after).keys() and len(months_of(p.after)) == 12
    # shorter periods: the same calendar months whole years earlier, before the start
    half = periods(START, months=6, as_of=DATA_END)
    assert (half.before.first, half.before.last) == (dt.date(2023, 3, 1), dt.date(2023, 8, 31))
    assert (half.after.first, half.after.last) == (dt.date(2024, 3, 1), dt.date(2024, 8, 31))
    late = periods(START, months=6, skip_months=8, as_of=DATA_END)
    assert (late.after.first, late.after.last) == (dt.date(2024, 11, 1), dt.date(2025, 4, 30))
    assert (late.before.first, late.before.last) == (dt.date(2022, 11, 1), dt.date(2023, 4, 30))
    assert late.before.last < START and months_of(late.before).keys() == months_of(late.after).keys()
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)


@pytest.mark.parametrize("kw", [{"months": 0}, {"months": 1.5}, {"months": 61}, {"skip_months": -1},
                                {"months": True}])
def test_period_lengths_outside_the_range_are_refused_in_german(kw):
    with pytest.raises(AtlasError, match="Monate"):
        periods(START, as_of=DATA_END, **kw)


# --- areas ------------------------------------------------------------------------------------------
def test_areas_are_the_place_its_ring_and_the_rest_of_the_gemeinde(town):
    boundary, place, _ = town
    zones = areas(place, boundary)
    assert zones.target.equals(place)
    assert zones.buffer.area == pytest.approx(place.buffer(250).area - place.area)
    assert zones.control.area == pytest.approx(boundary.area - place.buffer(250).area, rel=1e-9)
    x = np.array([place.bounds[2], place.bounds[2] + 250, place.bounds[2] + 250.5, 5e5])
    y = np.full(4, (place.bounds[1] + place.bounds[3]) / 2)
    # on T's edge → T; on the ring's outer edge → D; just beyond → C; elsewhere → outside
    assert classify(x, y, zones).tolist() == [TARGET, BUFFER, CONTROL, OUTSIDE]
    with pytest.raises(AtlasError, match="keine Fläche"):
        areas(shapely.Point(0, 0), boundary)
    with pytest.raises(AtlasError, match="Umgebung"):
        areas(place, boundary, buffer_m=0)
    with pytest.raises(AtlasError, match="kein Vergleichsgebiet"):
        areas(place, boundary, control=place.buffer(100))


# --- evaluation on constructed incidents ----------------------------------------------------------
def test_points_moved_from_target_into_ring_are_counted_by_hand_and_called_displacement(town):
    boundary, place, spots = town
    points = rows(spots, (20, "t", "2023-04-01"), (8, "t", "2024-04-01"), (10, "d", "2023-05-01"),
                  (22, "d", "2024-05-01"), (200, "c", "2023-03-01"), (200, "c", "2024-03-01"),
                  (50, "out", "2023-06-01"), (50, "out", "2024-06-01"), (30, "t", "2024-04-01", "littering"))
    effect = evaluate(points, place, boundary, START, categories="graffiti", as_of=DATA_END)
    out = effect.as_dict()
    assert list(out)[: len(CONTRACT)] == CONTRACT
    assert [out[k] for k in CONTRACT[:6]] == [20, 8, 10, 22, 200, 200]
    assert out["wdq"] == pytest.approx(-1)  # (22/200 − 10/200) / (8/200 − 20/200)
    assert (effect.wdd.local, effect.wdd.displacement, out["wdd"]) == (-12, 12, 0)
    assert out["wdd_se"] ** 2 == pytest.approx(20 + 8 + 10 + 22 + (30 / 200) ** 2 * 400)
    assert effect.wdd.displacement_z == pytest.approx(12 / math.sqrt(10 + 22 + (10 / 200) ** 2 * 400))
    assert out["rr"] == pytest.approx(0.4)
    assert effect.bewertbar and out["nachher_vollstaendig"] and out["puffer_m"] == 250
    assert out["urteil"] == (
        "Rückgang im Zielgebiet um 60 %, stärker als im Vergleichsgebiet (dort unverändert); Verdrängung in "
        "die Umgebung wahrscheinlich (10 → 22 Fälle im Ring von 250 m). Bilanz mit Umgebung: so viele Fälle "
        "wie nach dem Vergleichsgebiet erwartet (z = 0,0).")
    assert translate(effect.urteil, "en") == (
        "Decline of 60 % in the target area, more than in the control area (unchanged there); displacement "
        "into the surroundings likely (10 → 22 incidents in the 250 m ring). Balance including the "
        "surroundings: as many incidents as expected from the control area (z = 0.0).")
    json.dumps(out, allow_nan=False)


def test_fewer_incidents_in_the_ring_too_is_called_diffusion(town):
    boundary, place, spots = town
    points = rows(spots, (30, "t", "2023-04-01"), (12, "t", "2024-04-01"), (30, "d", "2023-05-01"),
                  (15, "d", "2024-05-01"), (300, "c", "2023-03-01"), (300, "c", "2024-03-01"))
    effect = evaluate(points, place, boundary, START, categories=["graffiti"], as_of=DATA_END)
    assert effect.wdq.value == pytest.approx(15 / 18)  # (15 − 30)/300 ÷ (12 − 30)/300
    assert effect.wdd.total == -33 and effect.wdd.se ** 2 == pytest.approx(87 + (60 / 300) ** 2 * 600)
    assert str(effect.urteil) == (
        "Rückgang im Zielgebiet um 60 %, stärker als im Vergleichsgebiet (dort unverändert); auch die "
        "Umgebung profitiert (30 → 15 Fälle im Ring von 250 m). Bilanz mit Umgebung: 33 Fälle weniger als "
        "nach dem Vergleichsgebiet erwartet (z = -3,1).")


def test_a_decline_like_the_control_areas_is_not_credited_to_the_measure(town):
    boundary, place, spots = town
    points = rows(spots, (40, "t", "2023-04-01"), (30, "t", "2024-04-01"), (20, "d", "2023-05-01"),
                  (15, "d", "2024-05-01"), (400, "c", "2023-03-01"), (300, "c", "2024-03-01"))
    effect = evaluate(points, place, boundary, START, categories="graffiti", as_of=DATA_END)
    assert effect.rr.value == pytest.approx(1.0) and effect.rr.lower < 1 < effect.rr.upper
    assert str(effect.urteil).startswith("Rückgang im Zielgebiet um 25 %, nicht deutlich anders als im "
                                         "Vergleichsgebiet (dort Rückgang um 25 %); keine Verdrängung")


def test_a_rise_is_not_read_as_displacement_and_late_data_earn_a_note(town):
    boundary, place, spots = town
    points = rows(spots, (15, "t", "2023-05-01"), (40, "t", "2024-04-01"), (10, "d", "2023-05-01"),
                  (25, "d", "2024-05-01"), (100, "c", "2023-05-01"), (100, "c", "2024-03-01"))
    effect = evaluate(points, place, boundary, START, categories="graffiti", as_of=DATA_END)
    assert effect.wdd.total == 40 and effect.wdd.se ** 2 == pytest.approx(90 + 0.25 ** 2 * 200)
    assert str(effect.urteil) == (
        "Anstieg im Zielgebiet um 167 %, stärker als im Vergleichsgebiet (dort unverändert); auch in der "
        "Umgebung mehr Fälle als erwartet (10 → 25 im Ring von 250 m). Bilanz mit Umgebung: 40 Fälle mehr "
        "als nach dem Vergleichsgebiet erwartet (z = 4,0).")
    assert [str(h) for h in effect.hinweise] == [
        "Die Daten beginnen erst am 01.05.2023, der Vorher-Zeitraum am 01.03.2023: die Vorher-Zahlen sind "
        "womöglich zu niedrig.",
        "Das Zielgebiet hat sich nicht günstiger entwickelt als das Vergleichsgebiet (Erfolgsmaß ≥ 0); der "
        "WDQ beschreibt dann keine Verdrängung.",
        # the constructed reports come every 12 hours at one spot: by the rule (≤ 25 m, ≤ 48 h) most
        # are re-reports, and the evaluation says so (geo.incidents.bias)
        "Meldeverhalten im Zielgebiet (vorher): 12 von 15 Meldungen sind Doppelmeldungen (gleiche Kategorie, "
        "≤ 25 m, ≤ 48 Std.)",
        "Meldeverhalten im Zielgebiet (nachher): 32 von 40 Meldungen sind Doppelmeldungen (gleiche "
        "Kategorie, ≤ 25 m, ≤ 48 Std.)"]


def test_too_few_incidents_in_the_target_area_give_no_verdict(town):
    boundary, place, spots = town
    base = [(5, "d", "2023-05-01"), (5, "d", "2024-05-01"), (100, "c", "2023-03-01"),
            (100, "c", "2024-03-01")]
    few = evaluate(rows(spots, (MIN_BEFORE - 1, "t", "2023-04-01"), (2, "t", "2024-04-01"), *base), place,
                   boundary, START, categories="graffiti", as_of=DATA_END)
    assert not few.bewertbar and few.as_dict()["bewertbar"] is False
    assert str(few.urteil) == ("Zu wenige Fälle für eine Bewertung: 9 Vorfälle im Zielgebiet im "
                               "Vorher-Zeitraum, nötig sind mindestens 10.")
    enough = evaluate(rows(spots, (MIN_BEFORE, "t", "2023-04-01"), (2, "t", "2024-04-01"), *base), place,
                      boundary, START, categories="graffiti", as_of=DATA_END)
    assert enough.bewertbar and str(enough.urteil).startswith("Rückgang im Zielgebiet um 80 %")


def test_an_incomplete_after_period_compares_the_covered_days_only_and_says_so(town):
    boundary, place, spots = town
    points = rows(spots, (12, "t", "2023-04-10"), (6, "t", "2023-11-10"), (5, "t", "2024-04-10"),
                  (150, "c", "2023-03-01"), (140, "c", "2024-03-01"))
    effect = evaluate(points, place, boundary, START, categories="graffiti")  # data end: latest incident
    out = effect.as_dict()
    assert out["daten_bis"] == "2024-05-09" and out["nachher_vollstaendig"] is False
    assert out["zeitraum_nachher"] == {"von": "2024-03-01", "bis": "2024-05-09"}
    assert out["zeitraum_vorher"] == {"von": "2023-03-01", "bis": "2023-05-09"}
    assert out["zeitraum_nachher_geplant"] == {"von": "2024-03-01", "bis": "2025-02-28"}
    assert (out["t_vorher"], out["t_nachher"]) == (12, 5)  # the six of November 2023 lie beyond the days
    assert (out["c_vorher"], out["c_nachher"]) == (140, 140)
    assert "die ersten 70 Tage" in out["hinweise"][0]
    assert out["urteil"].endswith("Vorläufig: die Daten reichen erst bis 09.05.2024.")


def test_no_verdict_before_the_after_period_has_begun(town):
    boundary, place, spots = town
    points = rows(spots, (20, "t", "2024-01-01"), (100, "c", "2024-01-01"))
    effect = evaluate(points, place, boundary, dt.date(2025, 6, 1), categories="graffiti", as_of=DATA_END)
    assert not effect.bewertbar and effect.as_dict()["zeitraum_nachher"] is None
    assert str(effect.urteil) == ("Keine Bewertung möglich: der Nachher-Zeitraum beginnt am 01.06.2025, die "
                                  "Daten reichen nur bis 28.02.2025.")


def test_a_chosen_control_area_replaces_the_rest_of_the_gemeinde(town):
    boundary, place, spots = town
    points = rows(spots, (20, "t", "2023-04-01"), (10, "t", "2024-04-01"), (100, "c", "2023-03-01"),
                  (100, "c", "2024-03-01"), (70, "c2", "2023-03-01"), (10, "c2", "2024-03-01"))
    whole = evaluate(points, place, boundary, START, categories="graffiti", as_of=DATA_END)
    cx, cy = spots["c"]
    chosen = evaluate(points, place, boundary, START, categories="graffiti", as_of=DATA_END,
                      control=shapely.box(cx - 300, cy - 300, cx + 300, cy + 300))
    assert (whole.counts.c_before, whole.counts.c_after) == (170, 110)
    assert (chosen.counts.c_before, chosen.counts.c_after) == (100, 100)
    assert chosen.rr.value == pytest.approx(0.5)


def test_points_as_geodataframe_count_the_same_and_degrees_are_refused(town):
    boundary, place, spots = town
    table = rows(spots, (20, "t", "2023-04-01"), (8, "t", "2024-04-01"), (30, "c", "2023-03-01"))
    frame = gpd.GeoDataFrame(table.drop(columns=["x", "y"]), crs="EPSG:25833",
                             geometry=gpd.points_from_xy(table["x"], table["y"]))
    p = periods(START, as_of=DATA_END)
    zones = areas(place, boundary)
    assert counts(frame, zones, p, ["graffiti"]) == counts(table, zones, p, ["graffiti"])
    with pytest.raises(CRSError):
        counts(frame.to_crs("EPSG:4326"), zones, p, ["graffiti"])
    with pytest.raises(AtlasError, match="Spalten time"):
        counts(table.drop(columns=["time"]), zones, p, ["graffiti"])
    with pytest.raises(AtlasError, match="Kategorien"):
        evaluate(table, place, boundary, START, categories=["tags"], as_of=DATA_END)
    stamped = evaluate(frame, place, boundary, START, categories="graffiti",
                       as_of=pd.Timestamp("2025-02-28 23:00"))
    assert stamped.as_dict() == evaluate(table, place, boundary, START, categories="graffiti",
                                         as_of=DATA_END).as_dict()
    with pytest.raises(AtlasError, match="Datenende"):
        evaluate(table, place, boundary, START, categories="graffiti", as_of="morgen")


# --- monthly counts for the chart -------------------------------------------------------------------
def test_monthly_counts_add_up_to_the_period_counts_and_mark_the_start():
    demo = demo_points()  # the app's synthetic incidents, here in Leipzig
    boundary = gemeinde("14713000").geometry
    c = boundary.representative_point()
    zones = areas(shapely.box(c.x - 700, c.y - 700, c.x + 700, c.y + 700), boundary)
    p = periods(dt.date(2023, 1, 15), skip_months=2, as_of=dt.date(2024, 12, 31))
    table = monthly(demo, zones, p, ["graffiti", "littering"])
    total = counts(demo, zones, p, ["graffiti", "littering"])
    before, after = table[table["phase"] == "vorher"], table[table["phase"] == "nachher"]
    assert len(before) == len(after) == 12 and min(total.t_before, total.d_before, total.c_before) > 30
    assert [before[k].sum() for k in "tdc"] == [total.t_before, total.d_before, total.c_before]
    assert [after[k].sum() for k in "tdc"] == [total.t_after, total.d_after, total.c_after]
    # each month's T count, recounted with geopandas
    inside = demo[demo.within(zones.target) & demo["category"].isin(["graffiti", "littering"])]
    for row in table.itertuples():
        stop = pd.Timestamp(row.bis) + pd.Timedelta(days=1)
        assert row.t == ((inside["time"] >= pd.Timestamp(row.von)) & (inside["time"] < stop)).sum()
    assert table.loc[table["monat"] == 0, "von"].item() == dt.date(2023, 1, 15)
    assert table.loc[table["monat"].isin([0, 1]), "phase"].tolist() == ["umsetzung", "umsetzung"]
    assert table.loc[table["monat"] == 2, "von"].item() == p.after.first
    assert table.loc[table["monat"] == -1, "bis"].item() == dt.date(2023, 1, 14)
    shorter = monthly(demo, zones, periods(dt.date(2023, 1, 15), months=6, as_of=dt.date(2024, 12, 31)),
                      ["graffiti"])
    assert shorter["phase"].tolist() == ["vorher"] * 6 + ["dazwischen"] * 6 + ["nachher"] * 6


def test_the_start_day_at_midnight_is_the_first_after_month(town):
    boundary, place, spots = town
    x, y = spots["t"]
    points = pd.DataFrame({"x": [x, x], "y": [y, y], "category": ["graffiti"] * 2,
                           "time": [pd.Timestamp(START), pd.Timestamp(START) - pd.Timedelta(minutes=1)]})
    table = monthly(points, areas(place, boundary), periods(START, as_of=DATA_END), ["graffiti"])
    assert table.set_index("monat").loc[[-1, 0], "t"].tolist() == [1, 1] and table["t"].sum() == 2


# --- the adapter for a measure of the register ------------------------------------------------------
def test_a_registered_measure_is_evaluated_at_its_place_gemeinde_start_and_categories(town):
    from geo.measures.model import Measure

    boundary, place, spots = town
    points = rows(spots, (20, "t", "2023-04-01"), (8, "t", "2024-04-01"), (15, "t", "2024-04-01", "violence"),
                  (100, "c", "2023-03-01"), (90, "c", "2024-03-01"))
    measure = Measure(id=7, title="Beleuchtung am Schlossplatz", kind="beleuchtung", categories=("graffiti",),
                      place=place, place_kind="zeichnung", ags=FREIBERG, start=START, end=None)
    from_measure = evaluate_measure(measure, points, as_of=DATA_END, buffer_m=100)
    direct = evaluate(points, place, boundary, START, categories="graffiti", as_of=DATA_END, buffer_m=100)
    assert from_measure.as_dict() == direct.as_dict()
    assert (from_measure.counts.t_before, from_measure.counts.t_after) == (20, 8)
