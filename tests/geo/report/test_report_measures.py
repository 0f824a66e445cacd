"""Part 5 of the Sicherheitsanalyse, "Maßnahmen und Wirkung": the area's measures and their
Wirkungsprüfung, counted by hand on a constructed case (20 → 8 graffiti in T, 10 → 22 in the ring
D: displacement), and the privacy rule (a count of 1 or 2 reads "< 3")."""

from __future__ import annotations

import datetime as dt
import io

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from pypdf import PdfReader

from geo.boundaries import gemeinde
from geo.crs import METRIC_CRS
from geo.measures.model import Measure
from geo.report.content import build_report
from geo.report.make import render

FREIBERG, CHEMNITZ = "14522180", "14511000"


def _points(spec, spots):
    rows = []
    for n, spot, first in spec:
        x, y = spots[spot]
        rows += [{"x": x + i % 7, "y": y + i % 5, "category": "graffiti",
                  "time": pd.Timestamp(first) + pd.Timedelta(hours=10 + 12 * i)} for i in range(n)]
    table = pd.DataFrame(rows)
    return gpd.GeoDataFrame({"category": table["category"], "time": table["time"], "ags": FREIBERG},
                            geometry=gpd.points_from_xy(table["x"], table["y"]), crs=METRIC_CRS)


def _measure(number, place, *, ags=FREIBERG, start=dt.date(2024, 3, 1), title="Beleuchtung Unterführung"):
    return Measure(id=number, title=title, kind="beleuchtung", categories=("graffiti",), place=place,
                   place_kind="zeichnung", ags=ags, start=start, end=None, responsible="Ordnungsamt",
                   cost_eur=12_500.0, status="umgesetzt", decision="Präventionsrat, Beschluss 3/2024",
                   notes="Ansprechpartner Herr Muster, Tel. 0123")


@pytest.fixture(scope="module")
def report():
    c = gemeinde(FREIBERG).geometry.representative_point()
    place = shapely.box(c.x - 100, c.y - 100, c.x + 100, c.y + 100)
    spots = {"t": (c.x, c.y), "d": (c.x + 200, c.y), "c": (c.x + 1500, c.y + 1500)}
    points = _points([(20, "t", "2023-04-01"), (8, "t", "2024-04-01"), (10, "d", "2023-05-01"),
                      (22, "d", "2024-05-01"), (200, "c", "2023-03-01"), (200, "c", "2024-03-01"),
                      (2, "d", "2025-02-20")], spots)
    elsewhere = gemeinde(CHEMNITZ).geometry.representative_point().buffer(100)
    measures = [_measure(1, place), _measure(2, elsewhere, ags=CHEMNITZ, title="Streetwork Zentrum"),
                _measure(3, place.buffer(50), start=dt.date(2026, 1, 1), title="Videoschutz geplant")]
    return build_report(FREIBERG, points, demo=False, measures=measures, created=dt.date(2025, 3, 1))


def _part(report):
    blocks = report.blocks
    start = next(i for i, b in enumerate(blocks) if b.text == "Maßnahmen und Wirkung")
    end = next(i for i, b in enumerate(blocks) if b.kind == "h1" and i > start)
    return blocks[start:end]


def test_the_areas_measures_are_listed_without_costs_notes_or_persons(report):
    part = _part(report)
    listing = part[1]
    assert listing.kind == "table" and listing.header[:2] == ("Nr.", "Maßnahme")
    titles = [row[1] for row in listing.rows]
    assert titles == ["Beleuchtung Unterführung", "Videoschutz geplant"]  # not the one in Chemnitz
    assert listing.rows[0][3:] == ("umgesetzt", "seit 01.03.2024", "Präventionsrat, Beschluss 3/2024")
    text = " ".join([b.text for b in part] + [c for b in part for row in b.rows for c in row])
    assert "12.500" not in text and "Muster" not in text and "Ordnungsamt" not in text


def test_the_evaluation_is_counted_by_hand_and_calls_it_displacement(report):
    part = _part(report)
    first = next(i for i, b in enumerate(part) if b.text == "Nr. 1: Beleuchtung Unterführung")
    verdict, periods, counts = part[first + 1], part[first + 2], part[first + 3]
    assert verdict.text.startswith("Rückgang im Zielgebiet um 60 %")
    assert "Verdrängung in die Umgebung wahrscheinlich" in verdict.text
    # the data end on 20.02.2025 (the last incident's day): the same days are compared before and after
    assert "vorher 01.03.2023 – 20.02.2024, nachher 01.03.2024 – 20.02.2025" in periods.text
    assert "Vorläufig: die Daten reichen erst bis 20.02.2025." in verdict.text
    assert counts.rows == (("Zielgebiet (T)", "20", "8"), ("Umgebung (D, Ring von 250 m)", "10", "24"),
                           ("Vergleichsgebiet (C)", "200", "200"))
    assert part[first + 5].kind == "image" and part[first + 5].png.startswith(b"\x89PNG")


def test_a_measure_that_starts_after_the_data_says_so(report):
    part = _part(report)
    later = next(i for i, b in enumerate(part) if b.text == "Nr. 3: Videoschutz geplant")
    assert part[later + 1].kind == "note" and "beginnt nach dem Ende der Daten" in part[later + 1].text


def test_small_counts_read_below_three_and_the_pdf_has_the_part():
    c = gemeinde(FREIBERG).geometry.representative_point()
    place = shapely.box(c.x - 100, c.y - 100, c.x + 100, c.y + 100)
    spots = {"t": (c.x, c.y), "d": (c.x + 200, c.y), "c": (c.x + 1500, c.y + 1500)}
    points = _points([(14, "t", "2023-04-01"), (5, "t", "2024-04-01"), (2, "d", "2023-05-01"),
                      (1, "d", "2024-05-01"), (90, "c", "2023-03-01"), (95, "c", "2024-03-01")], spots)
    report = build_report(FREIBERG, points, demo=False, measures=[_measure(1, place)],
                          created=dt.date(2025, 3, 1))
    counts = next(b for b in _part(report) if b.kind == "table" and b.header[0] == "Gebiet")
    assert counts.rows[1][1:] == ("< 3", "< 3")
    pages = PdfReader(io.BytesIO(render(report, "pdf"))).pages
    pdf = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert "Maßnahmen und Wirkung" in pdf and "Nr. 1: Beleuchtung Unterführung" in pdf
    assert pdf.index("5 Empfehlungen") < pdf.index("Maßnahmen und Wirkung") < pdf.index("Methoden und Daten")


def test_without_measures_the_part_says_how_to_record_them():
    spot = gemeinde(FREIBERG).geometry.representative_point().coords[0]
    points = _points([(5, "t", "2024-01-01")], {"t": spot})
    report = build_report(FREIBERG, points, demo=False, measures=None, created=dt.date(2025, 3, 1))
    part = _part(report)
    assert part[1].kind == "note" and "keine Maßnahmen" in part[1].text
