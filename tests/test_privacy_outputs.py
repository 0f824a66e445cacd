"""Every output obeys the privacy rules (README, "Datenschutz"): on a small constructed case
(:mod:`tests.privacy_case`) no file, map or report shows an area or cell whose figure stands for
fewer than k = 3 incidents, and none carries the coordinate of a lone incident.

Outputs: the result tables (CSV, GeoPackage, GeoJSON) of every method, the HTML map export,
the PNG export's texts (title, legend, notes), the Sicherheitsanalyse as HTML and PDF, and the
CLI's file. The council page's DOM is checked in a real browser
(``tests/browser/test_privacy_council.py``), with the same rules.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pypdf import PdfReader

from geo.__main__ import main
from geo.analysis import analyse
from geo.export import result_bytes
from geo.incidents.categories import CATEGORIES
from geo.report.make import report_bytes
from geo.view import View
from layers import compose, static
from tests.privacy_case import (
    FREIBERG,
    K,
    case,
    case_csv,
    coordinate_texts,
    feature_collections,
    near_count,
    small_count,
    written,
)

METHODS = ("gi", "lisa", "kde", "emerging", "rates")
#: The columns that hold a statistic of a cell (empty where the cell is suppressed).
STATISTICS = re.compile(r"^(gi_z|gi_p|lisa_(i|z|p)|dichte|mk_)")


@pytest.fixture(scope="module")
def constructed():
    points, lone, pair = case()
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    return points, xy, lone, pair


@pytest.fixture(scope="module", params=METHODS)
def analysis(request, constructed):
    points = constructed[0]
    return analyse(points, View(area=FREIBERG, method=request.param, categories=CATEGORIES),
                   source="Testfall")


def _vertices(table: gpd.GeoDataFrame) -> np.ndarray:
    return shapely.get_coordinates(table.to_crs("EPSG:25833").geometry.values)


def _assert_no_lone_coordinate(text: str, lone: np.ndarray) -> None:
    leaked = [t for t in coordinate_texts(lone) if written(t, text)]
    assert leaked == [], f"coordinates of lone incidents in the output: {leaked[:5]}"


def _assert_cells_stand_for_k(table: pd.DataFrame, xy: np.ndarray, analysis) -> None:
    """Counts never 1..k−1; a cell with a statistic stands for at least k raw incidents."""
    for column in ("vorfaelle", "vorfaelle_nachbarschaft"):
        if column in table:
            shown = [v for v in table[column] if small_count(v)]
            assert shown == [], f"{column} shows counts below {K}: {shown}"
    stats = [c for c in table.columns if STATISTICS.match(str(c))]
    figures = np.zeros(len(table), dtype=bool)
    if stats:
        figures |= table[stats].notna().any(axis=1).to_numpy()
    if "gi_klasse" in table:
        figures |= (table["gi_klasse"] != "nicht signifikant").to_numpy()
    if "lisa_klasse" in table:
        figures |= (table["lisa_klasse"] != "nicht signifikant").to_numpy()
    if "muster" in table:
        figures |= (table["muster"] != "kein Muster").to_numpy()
    assert figures.any(), "the case has cells that pass: the check must see some"
    cells = table[figures]
    if analysis.view.method == "kde":  # the bandwidth disk, centre to centre of the cells
        bandwidth = analysis.hotspots.kde.bandwidth
        centres = shapely.get_coordinates(shapely.centroid(cells.geometry.values))
        origin = shapely.get_coordinates(table.geometry.values).min(axis=0)
        size = analysis.view.cell_m
        point_centres = (np.floor((xy - origin) / size) + 0.5) * size + origin
        for cx, cy in centres:
            near = np.hypot(point_centres[:, 0] - cx, point_centres[:, 1] - cy) <= bandwidth + 1e-6
            assert near.sum() >= K
        return
    for cell in cells.geometry:
        assert near_count(cell, xy, reach_cells=analysis.view.radius) >= K


def test_result_files_show_no_cell_or_area_below_k(analysis, constructed, tmp_path):
    _points, xy, lone, _pair = constructed
    table = analysis.export_table()
    for fmt in ("csv", "gpkg", "geojson"):
        data = result_bytes(table, analysis.metadata(), fmt)
        path = tmp_path / f"ergebnis.{fmt}"
        path.write_bytes(data)
        if fmt == "csv":
            text = data.decode("utf-8-sig")
            _assert_no_lone_coordinate(text, lone)
            rows = [line for line in text.splitlines() if not line.startswith("#")]
            frame = pd.read_csv(io.StringIO("\n".join(rows)), sep=";", decimal=",", dtype=str)
            for column in ("vorfaelle", "vorfaelle_nachbarschaft"):
                if column in frame:
                    assert not any(small_count(v) for v in frame[column].dropna()), (fmt, column)
            continue
        if fmt == "geojson":
            _assert_no_lone_coordinate(data.decode("utf-8"), lone)
        read = gpd.read_file(path, layer="ergebnis") if fmt == "gpkg" else gpd.read_file(path)
        vertices = _vertices(read)
        for x, y in lone:
            assert np.hypot(vertices[:, 0] - x, vertices[:, 1] - y).min() > 1.0
        if analysis.view.method == "rates":
            shown = [v for v in read["vorfaelle"] if small_count(v)]
            assert shown == []
            assert read.loc[read["ohne_angabe"], "rate_je_1000"].isna().all()
        else:
            _assert_cells_stand_for_k(read, xy, analysis)


def test_the_html_map_shows_no_cell_below_k_and_no_incident(analysis, constructed):
    _points, xy, lone, _pair = constructed
    html = compose.export_bytes(analysis, "html").decode("utf-8")
    _assert_no_lone_coordinate(html, lone)
    drawn, hidden = 0, 0
    for collection in feature_collections(html):
        for feature in collection["features"]:
            props, geometry = feature["properties"], feature["geometry"]
            assert geometry is None or geometry["type"] not in ("Point", "MultiPoint"), "an incident point"
            for key in ("count", "count_nearby", "count_text"):
                assert not small_count(props.get(key)), (key, props)
            if "cell_id" in props:  # a coloured cell, drawn one by one
                drawn += 1
                hidden += props.get("count") == f"< {K}"
                cell = shapely.geometry.shape(geometry)
                cell = gpd.GeoSeries([cell], crs="EPSG:4326").to_crs("EPSG:25833").iloc[0]
                assert near_count(cell, xy, reach_cells=analysis.view.radius) >= K, props
    if analysis.view.method in ("gi", "lisa", "emerging"):
        assert drawn > 0, "the case has a hotspot: the HTML must draw it"
    if analysis.view.method == "gi":
        assert hidden > 0, "the hot cell that holds one incident says '< 3'"


def test_the_png_texts_show_no_count_below_k(analysis):
    figure = static.view_figure(analysis)
    texts = [t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text"))]
    words = " ".join(texts)
    assert "Freiberg" in words
    assert not re.search(r"(?<![\d.,])[12] (Vorfäll|Fäll|Fall|Meldung)", words), words


class _Tables(HTMLParser):
    """Table cells of an HTML page: [[header…], [row…], …] per table."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def reports(constructed):
    points = constructed[0]
    return {fmt: report_bytes(FREIBERG, fmt, incidents=points, demo=False) for fmt in ("html", "pdf")}


def test_the_report_counts_no_area_below_k(reports, constructed):
    _points, _xy, lone, _pair = constructed
    html = reports["html"].decode("utf-8")
    _assert_no_lone_coordinate(html, lone)
    parser = _Tables()
    parser.feed(html)
    counted = [t for t in parser.tables if t and t[0][:1] == ["Kategorie"] and t[0][-1] == "Summe"]
    assert len(counted) == 1
    table = counted[0]
    by_label = {row[0]: row[1:] for row in table[1:]}
    assert by_label["Drogen"] == ["0", "< 3", "< 3"] or "< 3" in by_label["Drogen"]  # the pair
    assert by_label["Graffiti"][-1] == "41"
    for row in table[1:]:
        assert not any(small_count(v) for v in row[1:]), row
    for t in parser.tables:  # every other table with incident counts: areas at or above k
        header = t[0] if t else []
        for i, name in enumerate(header):
            if "Vorfälle" in name:
                assert not any(small_count(row[i]) for row in t[1:] if len(row) > i), (header, t)
    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(reports["pdf"])).pages)
    pdf = " ".join(pdf.split())
    _assert_no_lone_coordinate(pdf, lone)
    assert re.search(r"Drogen( (0|< 3))+ < 3", pdf), "the PDF's table shows the pair as '< 3'"
    assert not re.search(r"Drogen( \d+)* [12](?![\d.,])", pdf)


def test_the_cli_file_obeys_the_same_rules(constructed, tmp_path):
    points, _xy, lone, _pair = constructed
    source = tmp_path / "fall.csv"
    source.write_text(case_csv(points), encoding="utf-8")
    out = tmp_path / "gi.csv"
    assert main(["hotspots", "--incidents", str(source), "--category", ",".join(CATEGORIES), "--method", "gi",
                 "--area", FREIBERG,
                 "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8-sig")
    _assert_no_lone_coordinate(text, lone)
    rows = [line for line in text.splitlines() if not line.startswith("#")]
    frame = pd.read_csv(io.StringIO("\n".join(rows)), sep=";", decimal=",", dtype=str)
    assert frame["vorfaelle"].dropna().map(int).max() >= K  # the cluster's cells are there
    for column in ("vorfaelle", "vorfaelle_nachbarschaft"):
        assert not any(small_count(v) for v in frame[column].dropna())
