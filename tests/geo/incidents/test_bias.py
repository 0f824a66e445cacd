"""Reporting bias: duplicates against the O(n²) rule, bursts and few reporters on constructed
cells (the caution appears, word for word) and on seeded Poisson-random reports over Freiberg's
real grid (it does not), and the reporter column read only as hashes."""

import datetime as dt
import io
import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.crs import METRIC_CRS
from geo.grid import study_grid
from geo.incidents import bias, read_incidents
from geo.lang import translate
from tests.geo.incidents.conftest import NOW

FREIBERG = "14522180"
YEAR = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
CELL_X, CELL_Y = 383_500.0, 5_641_250.0  # a 250 m cell at Freiberg's Obermarkt (EPSG:25833)
CELL = "250mE383500N5641250"


def brute_force(x, y, t, category, metres=25.0, hours=48.0):
    """The rule as written: in time order (ties by input order), a duplicate lies within `metres`
    and `hours` after an earlier kept report of its category. O(n²)."""
    seconds = np.asarray(t, dtype="datetime64[s]").astype(np.int64)
    kept: list[int] = []
    dup = np.zeros(len(x), dtype=bool)
    for j in sorted(range(len(x)), key=lambda i: (seconds[i], i)):
        dup[j] = any(
            category[i] == category[j]
            and 0 <= seconds[j] - seconds[i] <= hours * 3600
            and (x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2 <= metres**2
            for i in kept
        )
        if not dup[j]:
            kept.append(j)
    return dup


def points(x, y, times, category="graffiti", melder=None):
    frame = gpd.GeoDataFrame(
        {"category": np.broadcast_to(np.asarray(category, dtype=object), len(x)).copy(),
         "time": pd.Series(pd.to_datetime(times), dtype="datetime64[s]")},
        geometry=gpd.points_from_xy(x, y), crs=METRIC_CRS,
    )
    if melder is not None:
        frame["melder"] = pd.Series(melder, dtype="str")
    return frame


def random_reports(seed, n, *, side=150.0, days=20, tick="s"):
    rng = np.random.default_rng(seed)
    x = CELL_X + rng.uniform(0, side, n).round(1)  # rounding gives exact ties and exact 25 m gaps
    y = CELL_Y + rng.uniform(0, side, n).round(1)
    step = {"s": 1, "h": 3600}[tick]
    t = np.datetime64("2024-03-01T00:00:00") + rng.integers(0, days * 86400 // step, n) * step
    return x, y, t, rng.choice(np.array(["graffiti", "littering"], dtype=object), n)


@pytest.mark.parametrize(("seed", "tick"), [(1, "s"), (2, "h"), (3, "h"), (4, "s")])
def test_duplicates_equal_the_plain_quadratic_rule_on_random_reports(seed, tick):
    x, y, t, category = random_reports(seed, 700, tick=tick)
    expected = brute_force(x, y, t, category)
    assert 100 < expected.sum() < 650  # dense enough for chains of kept and duplicate reports
    assert np.array_equal(bias.duplicates(x, y, t, category), expected)


def test_duplicates_stay_exact_when_blocks_are_split_and_settled_one_by_one(monkeypatch):
    monkeypatch.setattr(bias, "_BLOCK", 37)
    monkeypatch.setattr(bias, "_PAIR_BUDGET", 50)
    monkeypatch.setattr(bias, "_ROUNDS", 1)
    x, y, t, category = random_reports(5, 500, side=80, days=30, tick="h")
    assert np.array_equal(bias.duplicates(x, y, t, category), brute_force(x, y, t, category))


def test_duplicate_limits_are_inclusive_and_a_duplicate_anchors_nothing():
    start = np.datetime64("2024-05-01T10:00:00")
    hour, second = np.timedelta64(3600, "s"), np.timedelta64(1, "s")
    # four pairs 100 m apart: exactly 25 m and 48 h; 1 cm too far; 1 s too late; another category
    x = CELL_X + np.array([0.0, 25.0, 100.0, 125.01, 200.0, 200.0, 300.0, 300.0])
    y = np.full(8, CELL_Y)
    t = np.array([start, start + 48 * hour, start, start + hour, start, start + 48 * hour + second,
                  start, start + hour])
    category = np.array(["graffiti"] * 7 + ["littering"], dtype=object)
    assert bias.duplicates(x, y, t, category).tolist() == [False, True] + [False] * 6
    chain = np.array([start + k * 30 * hour for k in range(5)])  # one spot, every 30 hours
    same = np.full(5, CELL_X)
    assert bias.duplicates(same, same, chain, ["graffiti"] * 5).tolist() == [False, True, False, True, False]


def test_deduplicated_keeps_the_first_report_of_each_repeat():
    start = pd.Timestamp("2024-05-01 10:00")
    frame = points([CELL_X, CELL_X + 10, CELL_X + 500, CELL_X + 3], [CELL_Y] * 4,
                   [start, start + pd.Timedelta(hours=5), start, start + pd.Timedelta(days=3)])
    kept = bias.deduplicated(frame)
    assert kept.index.tolist() == [0, 2, 3]
    assert len(frame) == 4  # the caller's frame is untouched


def test_reports_without_time_or_place_are_never_duplicates():
    t = pd.to_datetime(["2024-01-01 10:00", None, "2024-01-01 11:00"])
    dup = bias.duplicates([CELL_X, CELL_X, np.nan], [CELL_Y] * 3, t, ["graffiti"] * 3)
    assert dup.tolist() == [False, False, False]


def burst_cell():
    """9 reports in one cell: 4 on 5 March, 3 on 6 March, one in June, one in September,
    each at its own spot (no duplicates) and from its own reporter."""
    times = ["2024-03-05 08:00", "2024-03-05 12:00", "2024-03-05 15:00", "2024-03-05 18:00",
             "2024-03-06 09:00", "2024-03-06 10:00", "2024-03-06 11:00", "2024-06-01 10:00",
             "2024-09-01 10:00"]
    offsets = np.arange(9) * 27.0
    return points(CELL_X + offsets, CELL_Y + offsets, times, melder=[f"h{i}" for i in range(9)])


def test_burst_caution_names_the_reports_and_days():
    cell = ["A"] * 9
    assert bias.cautions_for_cells(burst_cell(), cell, period=YEAR).to_dict() == {
        "A": "7 von 9 Meldungen in dieser Zelle an 2 Tagen"}
    one_day = burst_cell()
    one_day.loc[4:6, "time"] = pd.Timestamp("2024-03-05 20:00")
    table = bias.cell_bias(one_day, cell, period=YEAR)
    assert table.loc["A", "caution"] == "7 von 9 Meldungen in dieser Zelle an einem Tag"
    assert (table.loc["A", "days"], table.loc["A", "on_days"]) == (1, 7)


def test_a_burst_in_a_short_period_needs_to_beat_chance():
    # 7 of 9 on 2 days is still unusual within March (bound below 1e-4) …
    march = bias.bursts(["A"] * 9, burst_cell()["time"], period=(dt.date(2024, 3, 1), dt.date(2024, 3, 31)))
    assert march.loc["A", "burst"] and march.loc["A", "p_chance"] < 1e-4
    # … but over the 4 days from 5 to 8 March, reports fall on 2 of them anyway.
    days = bias.bursts(["A"] * 9, burst_cell()["time"], period=(dt.date(2024, 3, 5), dt.date(2024, 3, 8)))
    assert not days.loc["A", "burst"] and days.loc["A", "p_chance"] > 0.01


def test_duplicate_caution_counts_the_repeats():
    # 5 reports at spots 100 m apart in 5 months, 4 of them reported again 10 m away a day later
    spots = CELL_X + np.array([0, 100, 200, 0, 100]), CELL_Y + np.array([0, 0, 0, 100, 100])
    first = pd.to_datetime(["2024-01-10 09:00", "2024-03-10 09:00", "2024-05-10 09:00",
                            "2024-07-10 09:00", "2024-09-10 09:00"])
    x = np.concatenate([spots[0], spots[0][:4] + 10])
    y = np.concatenate([spots[1], spots[1][:4]])
    frame = points(x, y, first.append(first[:4] + pd.Timedelta(days=1)))
    table = bias.cell_bias(frame, ["A"] * 9, period=YEAR)
    assert table.loc["A", ["reports", "duplicates", "deduplicated"]].tolist() == [9, 4, 5]
    assert table.loc["A", "caution"] == (
        "4 von 9 Meldungen sind Doppelmeldungen (gleiche Kategorie, ≤ 25 m, ≤ 48 Std.)")


def test_few_reporters_caution_never_shows_an_id():
    frame = burst_cell()
    frame["time"] = pd.to_datetime([f"2024-{m:02d}-15 10:00" for m in range(1, 10)])  # no burst
    frame["melder"] = ["3f2a9c0d11aa7b42"] * 6 + ["77e0b4c1d2f3a4b5", None, ""]
    caution = bias.cautions_for_cells(frame, ["A"] * 9, period=YEAR)["A"]
    assert caution == "6 von 9 Meldungen stammen von einer meldenden Person"
    frame["melder"] = ["a"] * 3 + ["b"] * 3 + ["c", "d", "e"]
    table = bias.cell_bias(frame, ["A"] * 9, period=YEAR)
    assert table.loc["A", "caution"] == "6 von 9 Meldungen stammen von 2 meldenden Personen"
    assert table.loc["A", ["top1", "top2", "top3"]].tolist() == pytest.approx([3 / 9, 6 / 9, 7 / 9])
    frame["melder"] = [f"p{i}" for i in range(9)]  # everyone reported once
    assert bias.cautions_for_cells(frame, ["A"] * 9, period=YEAR)["A"] == ""
    # 4 of 6 from two people who reported twice each: fewer than 4 reports per reporter, no caution
    six = frame.iloc[:6].assign(melder=["a", "a", "b", "b", "c", "d"])
    pairs = bias.few_reporters(["A"] * 6, six["melder"])
    assert pairs.loc["A", ["reporters", "on_reporters", "few"]].tolist() == [2, 4, False]


def test_all_cautions_together_and_in_english():
    frame = burst_cell()
    frame["melder"] = ["a"] * 6 + ["b", "c", "d"]
    caution = bias.cautions_for_cells(frame, ["A"] * 9, period=YEAR)["A"]
    assert caution == ("7 von 9 Meldungen in dieser Zelle an 2 Tagen; "
                       "6 von 9 Meldungen stammen von einer meldenden Person")
    assert translate(caution, "en") == ("7 of 9 reports in this cell on 2 days; "
                                        "6 of 9 reports come from one reporter")


def test_caution_for_a_measures_target_area():
    caution = bias.cautions_for_counts(burst_cell(), period=YEAR)
    assert caution == "7 von 9 Meldungen in diesem Gebiet an 2 Tagen"
    assert bias.cautions_for_counts(burst_cell().iloc[:0], period=YEAR) == ""
    assert bias.cautions_for_counts(burst_cell().iloc[:5], period=YEAR) == ""  # fewer than 6 reports


@pytest.fixture(scope="module")
def freiberg_grid():
    return study_grid(FREIBERG, cell=250)


def test_cell_labels_are_the_grids_cell_ids(freiberg_grid):
    grid = freiberg_grid
    cells = grid.cells()
    centre = cells.geometry.centroid
    row, col = np.argwhere(~grid.mask)[0]  # in the window, but its centre lies outside Freiberg
    x = np.append(centre.x, [0.0, (grid.col0 + col + 0.5) * grid.cell])
    y = np.append(centre.y, [0.0, (grid.row0 + row + 0.5) * grid.cell])
    labels = bias.cell_labels(grid, x, y)
    assert labels[:-2].tolist() == cells["cell_id"].tolist()
    assert labels[-2] is None and labels[-1] is None


def poisson_reports(grid, seed, *, start, days, mean_per_cell):
    """Reports at random times (uniform over `days`) and places; cells get gamma-distributed rates,
    so a few hot cells hold dozens of reports; reporters drawn from 2,000 citizens."""
    rng = np.random.default_rng(seed)
    cells = grid.cells()
    counts = rng.poisson(rng.gamma(0.5, mean_per_cell / 0.5, len(cells)))
    corner = cells.geometry.bounds.to_numpy()[:, :2]
    n = int(counts.sum())
    xy = np.repeat(corner, counts, axis=0) + rng.uniform(0, grid.cell, (n, 2))
    t = np.datetime64(start) + rng.integers(0, days * 86400, n).astype("timedelta64[s]")
    frame = points(xy[:, 0], xy[:, 1], t, rng.choice(np.array(["graffiti", "littering"]), n),
                   melder=rng.integers(0, 2000, n).astype(str))
    return frame, bias.cell_labels(grid, xy[:, 0], xy[:, 1])


def test_no_caution_on_poisson_random_reports_over_a_year(freiberg_grid):
    frame, cells = poisson_reports(freiberg_grid, 7, start="2024-01-01", days=366, mean_per_cell=6)
    table = bias.cell_bias(frame, cells, period=YEAR)
    assert len(frame) > 4000 and (table["reports"] >= 6).sum() > 200 and table["reports"].max() > 40
    assert (table["caution"] == "").all()
    assert table["duplicates"].sum() < 0.01 * len(frame)


def test_no_caution_on_poisson_random_reports_within_a_month(freiberg_grid):
    frame, cells = poisson_reports(freiberg_grid, 12, start="2024-06-01", days=30, mean_per_cell=2)
    table = bias.cell_bias(frame, cells, period=(dt.date(2024, 6, 1), dt.date(2024, 6, 30)))
    busy = table["reports"] >= 6
    # by chance alone, 2 days hold two thirds of the reports in some busy cells …
    assert (busy & (table["days"] <= 2)).sum() == 4
    # … which the chance bound recognises: no caution anywhere
    assert (table["caution"] == "").all()


def test_constructed_burst_is_found_among_random_reports(freiberg_grid):
    frame, cells = poisson_reports(freiberg_grid, 7, start="2024-01-01", days=366, mean_per_cell=6)
    quiet = cells != CELL  # the burst cell holds only the constructed reports
    burst = burst_cell()
    together = pd.concat([frame[quiet], burst], ignore_index=True)
    own = bias.cell_labels(freiberg_grid, burst.geometry.x, burst.geometry.y)
    labels = np.concatenate([cells[quiet], own])
    cautions = bias.cautions_for_cells(together, labels, period=YEAR)
    assert cautions[cautions != ""].to_dict() == {CELL: "7 von 9 Meldungen in dieser Zelle an 2 Tagen"}


ROWS = [
    ("05.03.2024 08:00", "Graffiti", 10, "anna@example.org"),
    ("05.03.2024 12:00", "Graffiti", 60, "Anna@Example.org "),
    ("06.03.2024 09:00", "Graffiti", 110, "anna@example.org"),
    ("15.04.2024 09:00", "Graffiti", 160, "bert@example.org"),
    ("15.05.2024 09:00", "Graffiti", 210, ""),
    ("15.06.2024 09:00", "Hundekot", 210, "carla@example.org"),  # unknown category: rejected
    ("15.07.2024 09:00", "Graffiti", 40, "dora@example.org"),
]


def csv_file(with_reporter=True):
    head = "Datum;Kategorie;Rechtswert;Hochwert" + (";Melder-ID" if with_reporter else "")
    lines = [f"{d};{c};{CELL_X + o:.0f};{CELL_Y + o:.0f}" + (f";{who}" if with_reporter else "")
             for d, c, o, who in ROWS]
    return "\n".join([head, *lines, ""]).encode("utf-8")


RAW_IDS = ("anna", "bert", "carla", "dora", "example.org")


def test_reporter_column_is_kept_only_as_a_keyed_hash():
    result = read_incidents(csv_file(), now=NOW)
    melder = result.points["melder"]
    assert melder.iloc[:3].nunique() == 1  # case and blanks do not make another person
    assert melder.str.fullmatch(r"[0-9a-f]{16}").tolist() == [True] * 4 + [False, True]
    assert melder.isna().tolist() == [False] * 4 + [True, False]
    assert "Meldende: 3 verschiedene (anonymisiert), aus Spalte 'Melder-ID'" in result.report.notes
    rejected = result.report.rejected_rows  # the Hundekot row: no raw reporter in it either
    assert rejected["zeile"].tolist() == [7] and "Melder-ID" not in rejected.columns
    report = result.report
    reachable = " ".join([result.points.astype(str).to_csv(), report.to_json(), report.to_text(),
                          report.rejected_csv().decode("utf-8-sig")]).casefold()
    assert not [raw for raw in RAW_IDS if raw in reachable]
    again = read_incidents(csv_file(), now=NOW).points["melder"]
    assert not set(again.dropna()) & set(melder.dropna())  # a new key for every read


def test_reporter_hashes_feed_the_few_reporters_caution():
    rows = "".join(f"{d:02d}.{m:02d}.2024 10:00;Graffiti;{CELL_X + 5 + 27 * i:.0f};{CELL_Y + 5:.0f};{who}\n"
                   for i, (d, m, who) in enumerate([(5, 1, "x1"), (5, 2, "x1"), (5, 3, "x1"), (5, 4, "x1"),
                                                     (5, 5, "x1"), (5, 6, "x1"), (5, 7, "y"), (5, 8, "z"),
                                                     (5, 9, "w")]))
    result = read_incidents(("Datum;Kategorie;Rechtswert;Hochwert;Gerät\n" + rows).encode(), now=NOW)
    pts = result.points
    cells = bias.cell_labels(study_grid(FREIBERG, cell=250), pts.geometry.x, pts.geometry.y)
    assert bias.cautions_for_cells(pts, cells, period=YEAR).to_dict() == {
        CELL: "6 von 9 Meldungen stammen von einer meldenden Person"}


def test_open311_account_and_spreadsheet_device_columns_are_recognised(tmp_path):
    records = [{"service_request_id": str(i), "service_name": "Graffiti", "lat": 50.9119 + i * 1e-3,
                "long": 13.3428, "requested_datetime": f"2024-04-0{i + 1}T09:00:00+02:00",
                "account_id": "konto-4711" if i else None} for i in range(3)]
    result = read_incidents(json.dumps({"service_requests": records}).encode(), now=NOW)
    assert result.points["melder"].notna().tolist() == [False, True, True]
    assert "konto-4711" not in result.points.astype(str).to_csv() + result.report.to_json()
    sheet = pd.DataFrame({"Datum": ["05.03.2024"], "Kategorie": ["Graffiti"], "Rechtswert": [CELL_X + 10],
                          "Hochwert": [CELL_Y + 10], "Geräte-ID": [123456789]})
    buffer = io.BytesIO()
    sheet.to_excel(buffer, index=False)
    points_xlsx = read_incidents(buffer.getvalue(), now=NOW).points
    assert points_xlsx["melder"].str.fullmatch(r"[0-9a-f]{16}").all()


def test_a_file_without_reporter_column_has_no_melder_column():
    result = read_incidents(csv_file(with_reporter=False), now=NOW)
    assert "melder" not in result.points.columns
    assert not any(note.startswith("Meldende") for note in result.report.notes)
