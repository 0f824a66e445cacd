"""The Sicherheitsanalyse report: content from demo data, HTML self-contained, PDF opened with pypdf."""

import io
import re

import numpy as np
import pytest
from pypdf import PdfReader

from geo.__main__ import main
from geo.analysis import analyse
from geo.boundaries import load_gemeinden
from geo.errors import AtlasError, UnknownAreaError
from geo.fmt import zahl
from geo.grid import grid_for_geometry, study_grid
from geo.hotspots import area_rates, evaluate, grid_hotspots
from geo.hotspots.windows import window_sum
from geo.incidents.categories import CATEGORIES, CATEGORY_LABELS
from geo.incidents.demo import demo_points
from geo.report import charts
from geo.report.content import PLACEHOLDER_RECOMMENDATIONS, PLACEHOLDER_SURVEY, build_report
from geo.report.document import resolve
from geo.report.local import period_years
from geo.report.make import make_report, render
from geo.view import View

FREIBERG = "14522180"


@pytest.fixture(scope="module")
def points():
    return demo_points()


@pytest.fixture(scope="module")
def freiberg_report():
    return make_report(FREIBERG)


@pytest.fixture(scope="module")
def freiberg_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("bericht") / "freiberg.pdf"
    assert main(["report", FREIBERG, "--out", str(out)]) == 0
    return PdfReader(io.BytesIO(out.read_bytes()))


def test_pdf_from_cli_has_demo_label_and_page_number_on_every_page(freiberg_pdf):
    pages = [p.extract_text() for p in freiberg_pdf.pages]
    assert len(pages) == 10  # hotspot patterns over time; accuracy with rolling quarters and its curve
    for i, text in enumerate(pages, start=1):
        assert "Demodaten (synthetisch)" in text
        assert f"Seite {i} von {len(pages)}" in text
    assert pages[0].startswith("Sicherheitsanalyse Freiberg")


def test_pdf_follows_the_asskomm_structure_in_order(freiberg_pdf):
    text = " ".join(" ".join(p.extract_text() for p in freiberg_pdf.pages).split())
    heads = ["1 Profil", "2 Lokale Daten", "3 Bürgerbefragung", "4 Analyse: Daten und Befragung",
             "5 Empfehlungen", "Methoden und Daten"]
    positions = [text.index(h) for h in heads]
    assert positions == sorted(positions)
    assert "Einwohner (30.11.2023) 40.485" in text
    assert "Kooperationsvereinbarung seit 28.11.2022" in text
    assert "Vom kommunalen Präventionsrat auszufüllen" in text
    assert "© GeoBasis-DE / BKG 2016 (Daten verändert)" in text


def test_category_year_table_counts_the_freiberg_incidents(freiberg_report, points):
    own = points[points["ags"] == FREIBERG]
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and b.header[0] == "Kategorie"
                 and "Summe" in b.header)
    assert table.header == ("Kategorie", "2021", "2022", "2023", "2024", "Summe")
    for row, category in zip(table.rows, CATEGORIES, strict=False):
        mine = own[own["category"] == category]
        expected = [zahl((mine["time"].dt.year == y).sum()) for y in (2021, 2022, 2023, 2024)]
        assert row == (CATEGORY_LABELS[category], *expected, zahl(len(mine)))
    assert table.rows[-1] == ("Summe", *table.rows[-1][1:5], zahl(len(own)))


def test_rates_compare_gemeinde_kreis_and_saxony(freiberg_report, points):
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and "Sachsen" in b.header)
    assert table.header == ("Kategorie", "Freiberg", "geglättet", "Kreis", "Sachsen")
    years = ((points["time"].max().normalize() - points["time"].min().normalize()).days + 1) / 365.25
    own = (points["ags"] == FREIBERG).sum() / (40_485 * years) * 1000
    saxony = len(points) / (4_086_152 * years) * 1000
    assert table.rows[-1][0] == "Alle Kategorien"
    assert table.rows[-1][1] == zahl(own, 2)
    assert table.rows[-1][4] == zahl(saxony, 2)


def test_smoothed_rate_is_the_maps_empirical_bayes_rate_per_year(freiberg_report, points):
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and "Sachsen" in b.header)
    years = period_years(points)
    row = area_rates(points, level="gemeinde").set_index("ags").loc[FREIBERG]
    expected = (f"{zahl(row['rate_smoothed'] / years, 2)} ({zahl(row['rate_low'] / years, 2)}–"
                f"{zahl(row['rate_high'] / years, 2)})")
    assert table.rows[-1][2] == expected


def test_predictive_accuracy_is_fitted_before_the_last_year_and_tested_on_it(freiberg_report, points):
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and "Trefferquote" in b.header)
    geometry = load_gemeinden().set_index("ags").loc[FREIBERG].geometry
    result = evaluate(points, split="2024-01-01", grid=grid_for_geometry(geometry, cell=250))
    assert [r[0] for r in table.rows] == ["Zählung der Vorperiode", "Kerndichte (KDE)", "Gi*"]
    assert [r[2] for r in table.rows] == [zahl(a.pai, 1) for a in result.results.values()]
    assert f"vor 2024 ({zahl(result.n_train)})" in freiberg_report.text()


def test_hotspot_areas_are_aggregated_and_small_ones_not_named(freiberg_report):
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and "höchste Stufe" in b.header)
    assert len(table.rows) >= 1
    assert all(int(r[1].replace(".", "")) >= 5 for r in table.rows)
    assert table.rows[0][4] in {"Hotspot (95 %)", "Hotspot (99 %)"}


def test_html_is_self_contained_with_inlined_images(freiberg_report):
    html = render(freiberg_report, "html").decode("utf-8")
    assert re.findall(r"""(?:src|href)\s*=\s*["'](?!data:)([^"']+)""", html) == []
    assert "http://" not in html and "https://" not in html
    # trend, count map, Angsträume, Gi* map, pattern map (emerging), concentration curve
    assert html.count('src="data:image/png;base64,') == 6
    assert 'class="demo">Demodaten (synthetisch)' in html
    assert "@page { size: A4" in html
    assert "Sicherheitsanalyse Freiberg" in html


def test_demo_report_fills_the_survey_part_with_labelled_demo_survey(freiberg_report):
    text = freiberg_report.text()
    assert PLACEHOLDER_SURVEY not in text
    assert "Unsicherheitsgefühl nachts" in text and "Angsträume" in text
    assert "Wilson" in text
    assert "Hotspots (Getis-Ord Gi*)" in text and "Vorhersagegüte der Methode" in text
    assert PLACEHOLDER_RECOMMENDATIONS in text


def test_real_data_without_survey_has_no_demo_label_and_marked_placeholders(points):
    real = points[points["ags"].str.startswith("14522")].reset_index(drop=True)
    report = build_report(FREIBERG, real, demo=False)
    text = report.text()
    assert not report.demo
    assert "Demodaten" not in text
    assert PLACEHOLDER_SURVEY in text
    assert f"Vorfälle aus nur {real['ags'].nunique()} der 418 Gemeinden" in text
    pdf = PdfReader(io.BytesIO(render(report, "pdf")))
    assert all("Demodaten" not in p.extract_text() for p in pdf.pages)


def test_reports_for_verband_and_kreis():
    verband = resolve("145215103")
    assert (verband.kind, verband.name, verband.kind_text) == (
        "verband", "Burkhardtsdorf", "Verwaltungsgemeinschaft")
    assert list(verband.ags) == sorted(load_gemeinden().query("vb_ars == '145215103'")["ags"])
    kreis = resolve("14522")
    in_kreis = (load_gemeinden()["kreis_ags"] == "14522").sum()
    assert (kreis.kind, kreis.name, len(kreis.ags)) == ("kreis", "Mittelsachsen", in_kreis)
    with pytest.raises(UnknownAreaError, match="'1452' ist kein Gebiet für einen Bericht"):
        resolve("1452")


def test_cli_refuses_other_output_formats(tmp_path, capsys):
    assert main(["report", FREIBERG, "--out", str(tmp_path / "bericht.docx")]) == 2
    assert "bericht.docx: die Ausgabedatei muss auf .html oder .pdf enden." in capsys.readouterr().err
    with pytest.raises(AtlasError):
        render(make_report(FREIBERG, incidents=demo_points(n=2000)), "docx")


def test_app_supplied_demo_points_keep_the_demo_label(points):
    report = make_report(FREIBERG, incidents=points, demo=True)
    assert report.demo
    pdf = PdfReader(io.BytesIO(render(report, "pdf")))
    assert all("Demodaten (synthetisch)" in p.extract_text() for p in pdf.pages)
    assert "Unsicherheitsgefühl nachts" in report.text()  # demo survey with demo incidents


def test_scale_bar_length_is_round_and_about_a_fifth_of_the_width():
    assert charts.scale_length(9_000) == 1_000
    assert charts.scale_length(12_000) == 2_000
    assert charts.scale_length(60_000) == 10_000
    assert charts.scale_length(300) == 100


def test_survey_table_has_wilson_interval(freiberg_report):
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and "95-%-Intervall" in b.header)
    assert table.rows == (("Freiberg", "400", "22,2 %", "18,4 % – 26,6 %", ""),)



def test_report_from_a_store_names_the_dataset_and_its_rejected_rows(tmp_path):
    from geo.incidents.demo import demo_csv
    from geo.store import IncidentStore

    csv = demo_csv(tmp_path / "polizei_export.csv", n=3_000)
    lines = csv.read_bytes().split(b"\r\n")
    lines.insert(2, b"2024/9999999;31.02.2024 10:00;Graffiti;Freiberg;383000,0;5641500,0")
    csv.write_bytes(b"\r\n".join(lines))
    store = IncidentStore(tmp_path / "store")
    store.import_file(csv)
    out = tmp_path / "bericht.html"
    assert main(["report", FREIBERG, "--store", str(tmp_path / "store"), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Demodaten" not in html
    assert "<td>polizei_export</td><td>polizei_export.csv</td><td>3.000</td><td>1</td>" in html
    assert PLACEHOLDER_SURVEY in html


KLINGENBERG = "14628205"  # 32 demo incidents: raw Gi* calls cells with 1–2 incidents around them hot


def test_the_report_draws_no_hotspot_cell_the_app_suppresses(points, monkeypatch):
    drawn = []
    hotspot_map = charts.hotspot_map

    def recorded(geometry, neighbours, cells, **options):
        drawn.append(cells)
        return hotspot_map(geometry, neighbours, cells, **options)

    monkeypatch.setattr(charts, "hotspot_map", recorded)
    build_report(KLINGENBERG, points, demo=True)
    (cells,) = drawn
    # The app's view of the same selection: Gi*, all categories, default grid and threshold.
    app = analyse(points, View(area=KLINGENBERG, categories=tuple(CATEGORIES), method="gi")).hotspots.cells
    coloured = set(app.loc[app["gi_bin"] != 0, "cell_id"])
    assert len(cells) and set(cells["cell_id"]) <= coloured
    # Checked independently: every drawn cell has at least 3 incidents in its 3×3 neighbourhood,
    # while raw Gi* on the same grid does call cells with fewer significant.
    grid = study_grid(KLINGENBERG)
    raw = grid_hotspots(points, methods=("gi",), grid=grid).cells
    counts = np.zeros(grid.shape, dtype=np.int64)
    row, col = grid.study_index()
    counts[row, col] = raw["count"].to_numpy()
    nearby = dict(zip(raw["cell_id"], window_sum(counts, 1)[row, col], strict=True))
    assert min(nearby[c] for c in cells["cell_id"]) >= 3
    assert any(nearby[c] < 3 for c in raw.loc[raw["gi_bin"] >= 1, "cell_id"])
