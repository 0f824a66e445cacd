"""The composed atlas map: payload per method, privacy on the shared screen, exports."""

import dataclasses
import datetime as dt
import re

import pandas as pd
import pytest

from geo.analysis import analyse
from geo.incidents.demo import demo_points
from geo.view import View
from layers import compose

LIMIT_BYTES = 1_000_000


@pytest.fixture(scope="module")
def points():
    return demo_points()


def html_of(analysis, **options) -> str:
    return compose.atlas_map(analysis, **options).get_root().render()


@pytest.fixture(scope="module")
def boundaries_only(points):
    # The Gi* map of a period without significant cells is the boundary map plus an empty layer.
    return len(html_of(analyse(points, View(method="gi", area="14", categories=("extremism",),
                                            min_count=50))).encode())


@pytest.mark.parametrize("method", ["rates", "kde", "gi", "lisa"])
def test_statewide_layers_of_a_category_stay_under_one_megabyte(points, boundaries_only, method):
    analysis = analyse(points, View(method=method, categories=("graffiti",)))
    size = len(html_of(analysis).encode())
    assert size - boundaries_only < LIMIT_BYTES


def test_council_map_has_no_incident_points_and_no_small_counts(points):
    analysis = analyse(points, View(area="14522180", method="gi", mode="sitzung"))
    html = html_of(analysis, points=points, council=True)
    assert "markerClusterGroup" not in html
    # A cell says how many incidents its neighbourhood holds (never fewer than 3), not its own
    # count nor its name (a 250 m square).
    nearby = [int(n) for n in re.findall(r'"count_nearby": (\d+)', html)]
    assert nearby and min(nearby) >= 3
    assert '"count":' not in html and '"cell_id":' not in html and "250mE" not in html
    planner = html_of(analysis, points=points, council=False)
    assert '"count":' in planner and "250mE" in planner


def test_planner_map_adds_clustered_points_switched_off(points):
    analysis = analyse(points, View(area="14522180", method="gi"))
    html = html_of(analysis, points=compose.map_points(points, analysis))
    assert html.count("L.markerClusterGroup(") == 1  # graffiti only, the view's category


@pytest.mark.parametrize("kind", ["csv", "gpkg", "html", "png"])
def test_every_export_is_made_and_names_the_view(points, kind):
    analysis = analyse(points, View(area="14522180", method="gi"), source="Demo", demo=True)
    data = compose.export_bytes(analysis, kind)
    assert compose.export_name(analysis, kind) == f"praeventionsatlas_14522180_gi.{kind}"
    rates = dataclasses.replace(analysis, view=dataclasses.replace(analysis.view, method="rates"))
    assert compose.export_name(rates, kind) == f"praeventionsatlas_14522180_raten.{kind}"
    if kind == "csv":
        text = data.decode("utf-8-sig")
        assert "# Methode;Hotspots (Getis-Ord Gi*)" in text and "# Hinweis;Demodaten (synthetisch)" in text
        assert text.count("\n") > len(analysis.hotspots.cells)
    elif kind == "gpkg":
        assert data[:16] == b"SQLite format 3\x00"
    elif kind == "png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert width >= 600 and height >= 600
    else:
        html = data.decode()
        external = re.compile(r"""(?:src|href)\s*=\s*["'](https?:[^"']+)""")
        assert external.findall('<script src = "https://cdn.example/leaflet.js">')  # the check can fail
        assert not external.findall(html)
        assert html.count("Gi* (FDR-korrigiert)") == 1


def test_the_csv_of_a_rates_view_reads_as_a_german_table(points):
    analysis = analyse(points, View(area="14522180", categories=("extremism",)), source="Demo", demo=True)
    text = compose.export_bytes(analysis, "csv").decode("utf-8-sig")
    lines = text.splitlines()
    assert "# Gebiet;Freiberg (14522180)" in lines
    header = next(line for line in lines if not line.startswith("#")).split(";")
    assert header[:4] == ["ags", "gebiet", "einwohner", "vorfaelle"]
    assert {"rate_geglaettet", "rate_90_unten", "verhaeltnis_sachsen", "ohne_angabe"} <= set(header)
    rows = [dict(zip(header, line.split(";"), strict=True)) for line in lines[len(lines) - 418:]]
    assert {r["ohne_angabe"] for r in rows} == {"ja", "nein"}  # grey Gemeinden: no figures
    grey = next(r for r in rows if r["ohne_angabe"] == "ja")
    assert grey["vorfaelle"] == grey["rate_je_1000"] == ""
    shown = next(r for r in rows if r["ohne_angabe"] == "nein")
    assert len(shown["rate_geglaettet"].split(",")[1]) <= 4  # 4 decimals, decimal comma


def test_planner_points_follow_period_and_area_and_stay_bounded(points):
    view = View(area="14522", method="gi", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    shown = compose.map_points(points, analyse(points, view))
    assert len(shown) > 0
    assert shown["ags"].str.startswith("14522").all()
    assert (shown["time"] >= "2024-01-01").all() and (shown["category"] == "graffiti").all()
    many = pd.concat([points] * 3, ignore_index=True)  # 60,000 incidents statewide
    everything = View(categories=tuple(sorted(set(points["category"]))))
    assert compose.map_points(many, analyse(many, everything)) is None


def test_the_png_of_a_rates_view_has_its_legend_beside_the_map(points):
    import io

    import numpy as np
    from PIL import Image

    from layers.rates import RATE_COLOURS, SUPPRESSED_COLOUR, rates_legend_entries

    analysis = analyse(points, View(area="14522", categories=("graffiti",)), source="Demo", demo=True)
    image = np.asarray(Image.open(io.BytesIO(compose.export_bytes(analysis, "png"))).convert("RGB"))
    height, width, _ = image.shape
    assert width > 1.2 * height  # Mittelsachsen's frame is about square: the rest is the legend
    beside = image[:, int(0.7 * width):].reshape(-1, 3)  # right of the map frame

    def present(colour: str) -> bool:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)])
        return bool((np.abs(beside.astype(int) - rgb).sum(axis=1) <= 3).any())

    _, rows, _ = rates_legend_entries(analysis.rates)
    assert [c for c, _ in rows][-1] == SUPPRESSED_COLOUR and all(present(c) for c, _ in rows)
    assert present(RATE_COLOURS[-1])
