"""A measure's evaluation for people: the tables, the council's verdict, the monthly chart.

Constructed in Freiberg's real boundary: graffiti in a 200 m square T, in the ring D around it
and in the rest of the town C, on fixed days (no test depends on today).
"""

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundaries import gemeinde
from geo.crs import METRIC_CRS
from geo.measures import Measure, evaluate
from geo.measures.chart import AREA_COLOURS, monthly_chart, monthly_figure
from geo.measures.summary import council_verdict, counts_table, figures_table, measures_table, period_text

FREIBERG = "14522180"
START = dt.date(2024, 3, 1)


@pytest.fixture(scope="module")
def town():
    boundary = gemeinde(FREIBERG).geometry
    c = boundary.representative_point()
    return boundary, shapely.box(c.x - 100, c.y - 100, c.x + 100, c.y + 100), (c.x, c.y)


def case(town, *, t=(20, 5), d=(10, 10), c=(100, 100)) -> gpd.GeoDataFrame:
    """Incidents spread over 300 days from 10.03.2023 (before) and from 10.03.2024 (after), and one
    in C on 28.02.2025 (so the after period is complete)."""
    _, _, (x, y) = town
    spots = {"t": (x, y), "d": (x + 200, y), "c": (x + 1500, y + 1500)}
    rows = []
    for name, (before, after) in (("t", t), ("d", d), ("c", (c[0], c[1] - 1))):
        for first, n in ((dt.datetime(2023, 3, 10, 12), before), (dt.datetime(2024, 3, 10, 12), after)):
            rows += [(first + dt.timedelta(days=300 * k / n), *spots[name]) for k in range(n)]
    rows.append((dt.datetime(2025, 2, 28, 12), *spots["c"]))
    xs, ys = [r[1] for r in rows], [r[2] for r in rows]
    return gpd.GeoDataFrame({"category": "graffiti", "time": pd.to_datetime([r[0] for r in rows])},
                            geometry=gpd.points_from_xy(xs, ys), crs=METRIC_CRS)


def effect_of(town, **counts):
    boundary, place, _ = town
    return evaluate(case(town, **counts), place, boundary, START, categories="graffiti")


def test_the_counts_table_has_t_d_and_c_before_and_after_with_the_change(town):
    table = counts_table(effect_of(town))
    assert table.values.tolist() == [["Zielgebiet (T)", "20", "5", "-75 %"],
                                     ["Umgebung (D, Ring von 250 m)", "10", "10", "0 %"],
                                     ["Vergleichsgebiet (C)", "100", "100", "0 %"]]
    english = counts_table(effect_of(town, c=(1200, 1500)), lang="en")
    assert english.values.tolist()[2] == ["Control area (C)", "1,200", "1,500", "+25 %"]


def test_the_figures_table_gives_the_rate_ratio_with_its_interval(town):
    found = effect_of(town)
    table = figures_table(found).set_index("kennzahl")
    rr = found.rr
    assert (rr.value, rr.corrected) == (pytest.approx(0.25), False)
    assert table.loc["Verhältnis der Raten T zu C", "wert"] == (
        f"0,25 (95 %: {rr.lower:.2f} bis {rr.upper:.2f})".replace(".", ","))
    assert table.loc["Gewichtete Verdrängungsdifferenz (WDD)", "wert"] == (
        f"{found.wdd.total:.1f} ± {found.wdd.se:.1f}".replace(".", ","))
    assert found.wdd.total == pytest.approx(-15.0)  # T: 5 − 20 with C flat; D: 10 − 10
    assert table.loc["z-Wert der WDD", "wert"].startswith(f"{found.wdd.z:.2f}".replace(".", ","))
    assert table.loc["Gewichteter Verdrängungsquotient (WDQ)", "wert"] == "0,00"  # D did not move


def test_the_council_gets_no_verdict_that_quotes_a_ring_count_below_k(town):
    quiet = effect_of(town)
    assert council_verdict(quiet, min_count=3) == quiet.urteil
    moved = effect_of(town, d=(1, 12))  # incidents moved into the ring: the verdict names 1 → 12
    assert "(1 → 12 Fälle im Ring von 250 m)" in moved.urteil
    assert council_verdict(moved, min_count=3) is None
    three = effect_of(town, d=(3, 16))
    assert "(3 → 16 Fälle im Ring von 250 m)" in three.urteil
    assert council_verdict(three, min_count=3) == three.urteil
    few = effect_of(town, t=(6, 1))
    assert not few.bewertbar and council_verdict(few, min_count=3) is None


def test_the_register_list_and_periods_read_as_people_write_them(town):
    _, place, _ = town
    ongoing = Measure(4, "Licht", "beleuchtung", ("graffiti",), place, "zeichnung", FREIBERG, START, None)
    ended = Measure(5, "Streetwork", "streetwork", ("violence",), place, "zeichnung", FREIBERG, START,
                    dt.date(2024, 12, 31), status="beendet")
    assert measures_table([ongoing, ended]).values.tolist() == [
        [4, "Licht", "Beleuchtung", "geplant", "seit 01.03.2024"],
        [5, "Streetwork", "Streetwork/Soziale Arbeit", "beendet", "01.03.2024 – 31.12.2024"]]
    assert measures_table([ended], lang="en").values.tolist() == [
        [5, "Streetwork", "Street work/social work", "ended", "01.03.2024 – 31.12.2024"]]
    assert period_text(START, None) == "seit 01.03.2024"


def test_the_chart_draws_t_d_and_c_per_month_with_the_start_marked(town):
    found = effect_of(town, t=(20, 5))
    figure = monthly_figure(found)
    assert [ax.get_title(loc="left") for ax in figure.axes] == [
        "Zielgebiet (T)", "Umgebung (D, Ring von 250 m)", "Vergleichsgebiet (C)"]
    months = found.monate
    for ax, letter in zip(figure.axes, "tdc", strict=True):
        [line] = [ln for ln in ax.get_lines() if ln.get_color() == AREA_COLOURS[letter]]
        assert np.array_equal(line.get_xdata(), months["monat"])
        assert np.array_equal(line.get_ydata(), months[letter])
        starts = [ln.get_xdata()[0] for ln in ax.get_lines() if ln is not line]
        assert starts == [-0.5]  # between the month before the start and the first month after it
    assert months.loc[months["monat"] < 0, "t"].sum() == 20
    assert months.loc[months["monat"] >= 0, "t"].sum() == 5
    labels = [t.get_text() for t in figure.axes[-1].get_xticklabels()]
    assert labels[0] == "03.2023" and "03.2024" in labels
    assert any(t.get_text() == "Beginn 01.03.2024" for t in figure.axes[0].texts)
    english = monthly_figure(found, lang="en")
    assert english.axes[0].get_title(loc="left") == "Target area (T)"
    png = monthly_chart(found)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
