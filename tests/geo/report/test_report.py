"""The Sicherheitsanalyse report: content from demo data, HTML self-contained, PDF opened with pypdf."""

import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from esda import G_Local
from libpysal.weights import Queen
from pypdf import PdfReader
from scipy import stats

from geo.__main__ import main
from geo.analysis import analyse
from geo.boundaries import load_gemeinden
from geo.errors import AtlasError, UnknownAreaError
from geo.fmt import zahl
from geo.grid import study_grid
from geo.hotspots import evaluate, grid_hotspots
from geo.incidents.categories import CATEGORIES, CATEGORY_LABELS
from geo.incidents.demo import demo_points
from geo.report import charts
from geo.report.content import PLACEHOLDER_RECOMMENDATIONS, PLACEHOLDER_SURVEY, build_report
from geo.report.document import resolve
from geo.report.make import make_report, render
from geo.view import View

FREIBERG = "14522180"
DATA = Path(__file__).resolve().parents[3] / "data"


def german(value: float, decimals: int = 2) -> str:
    """1234.5 → "1.234,50": German number format, written out here (not geo.fmt)."""
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture(scope="module")
def population():
    """Inhabitants per Gemeinde (index ``ags``) and its ``kreis_ags``, read straight from the shipped
    GV100AD table (not through geo.boundaries)."""
    table = pd.read_csv(DATA / "sachsen_gemeinden_einwohner_gv100ad_2023-11-30.csv",
                        dtype={"ags": str, "kreis_ags": str})
    return table.set_index("ags")[["kreis_ags", "einwohner"]]


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


def shown(count: int) -> str:
    """A count as every output prints it: one or two incidents only as "< 3" (privacy threshold)."""
    return "< 3" if 0 < count < 3 else zahl(int(count))


def test_category_year_table_counts_the_freiberg_incidents(freiberg_report, points):
    own = points[points["ags"] == FREIBERG]
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and b.header[0] == "Kategorie"
                 and "Summe" in b.header)
    assert table.header == ("Kategorie", "2021", "2022", "2023", "2024", "Summe")
    for row, category in zip(table.rows, CATEGORIES, strict=False):
        mine = own[own["category"] == category]
        expected = [shown((mine["time"].dt.year == y).sum()) for y in (2021, 2022, 2023, 2024)]
        assert row == (CATEGORY_LABELS[category], *expected, shown(len(mine)))
    assert table.rows[-1] == ("Summe", *table.rows[-1][1:5], zahl(len(own)))


def expected_rate_rows(points, population):
    """The table "Raten im Vergleich" for Freiberg, worked out with pandas and scipy only.

    Per category and for all: incidents per 1,000 inhabitants and year in Freiberg, its smoothed
    rate with the 90 % interval, the Kreis and Sachsen; "–" under 3 incidents.
    """
    pop = population["einwohner"].astype(float)
    kreis = population.loc[FREIBERG, "kreis_ags"]
    kreis_pop = pop[population["kreis_ags"] == kreis].sum()
    first, last = points["time"].min().normalize(), points["time"].max().normalize()
    per_year = 1000 / (((last - first).days + 1) / 365.25)  # first to last day of the data, inclusive
    rows, shrinkage = [], []
    for category in (*CATEGORIES, None):
        chosen = points if category is None else points[points["category"] == category]
        y = chosen["ags"].value_counts().reindex(pop.index, fill_value=0).astype(float)
        rate = y / pop
        # Marshall (1991), global moment estimator: b the overall rate, a the between-area variance.
        b = y.sum() / pop.sum()
        s2 = (pop * (rate - b) ** 2).sum() / pop.sum()
        a = max(0.0, s2 - b / pop.mean())
        own, p = y[FREIBERG], pop[FREIBERG]
        if a > 0:  # posterior Gamma(b²/a + y, rate b/a + P); its mean is Marshall's shrunk rate
            smoothed = b + a / (a + b / p) * (rate[FREIBERG] - b)
            low, high = stats.gamma.ppf([0.05, 0.95], b * b / a + own, scale=1 / (b / a + p))
        else:  # no spread between areas: shrunk fully to b; Garwood's exact Poisson interval (χ² form)
            smoothed = b
            low = stats.chi2.ppf(0.05, 2 * own) / 2 / p if own > 0 else 0.0
            high = stats.chi2.ppf(0.95, 2 * own + 2) / 2 / p
        shrinkage.append(a > 0)
        in_kreis = chosen["ags"].str.startswith(kreis).sum()
        rows.append((
            CATEGORY_LABELS.get(category, "Alle Kategorien"),
            german(rate[FREIBERG] * per_year) if own >= 3 else "–",
            (f"{german(smoothed * per_year)} ({german(low * per_year)}–{german(high * per_year)})"
             if own >= 3 else "–"),
            german(in_kreis / kreis_pop * per_year) if in_kreis >= 3 else "–",
            german(b * per_year),
        ))
    return tuple(rows), shrinkage


def rate_table(report):
    return next(b for b in report.blocks if b.kind == "table" and "Sachsen" in b.header)


def test_rates_compare_gemeinde_kreis_and_saxony(freiberg_report, points, population):
    table = rate_table(freiberg_report)
    assert table.header == ("Kategorie", "Freiberg", "geglättet", "Kreis", "Sachsen")
    assert population.loc[FREIBERG, "einwohner"] == 40_485 and population["einwohner"].sum() == 4_086_152
    expected, _ = expected_rate_rows(points, population)
    assert [(r[0], r[1], r[3], r[4]) for r in table.rows] == [(r[0], r[1], r[3], r[4]) for r in expected]


def test_smoothed_rate_is_marshalls_empirical_bayes_rate_per_year(freiberg_report, points, population):
    expected, shrinkage = expected_rate_rows(points, population)
    # Both cases occur in the demo data: categories with and without spread between Gemeinden.
    assert any(shrinkage) and not all(shrinkage)
    assert [r[2] for r in rate_table(freiberg_report).rows] == [r[2] for r in expected]


@pytest.fixture(scope="module")
def freiberg_cells():
    """Freiberg's 250 m study cells found here: cells on multiples of 250 m in EPSG:25833 whose
    centre lies in the Gemeinde as stored in the shipped GeoPackage; (col, row) and squares."""
    gem = gpd.read_file(DATA / "sachsen_verwaltungsgrenzen.gpkg", layer="gemeinden").to_crs("EPSG:25833")
    geometry = gem.set_index("ags").loc[FREIBERG].geometry
    xmin, ymin, xmax, ymax = (int(np.floor(v / 250)) for v in geometry.bounds)
    cols, rows = (a.ravel() for a in np.meshgrid(np.arange(xmin, xmax + 1), np.arange(ymin, ymax + 1)))
    inside = shapely.contains_xy(geometry, (cols + 0.5) * 250, (rows + 0.5) * 250)
    cols, rows = cols[inside], rows[inside]
    squares = shapely.box(cols * 250, rows * 250, (cols + 1) * 250, (rows + 1) * 250)
    return pd.MultiIndex.from_arrays([cols, rows]), gpd.GeoDataFrame(geometry=squares, crs="EPSG:25833")


def test_predictive_accuracy_is_fitted_before_the_last_year_and_tested_on_it(freiberg_report, points,
                                                                             freiberg_cells):
    table = next(b for b in freiberg_report.blocks if b.kind == "table" and "Trefferquote" in b.header)
    assert [r[0] for r in table.rows] == ["Zählung der Vorperiode", "Kerndichte (KDE)", "Gi*"]
    index, squares = freiberg_cells
    n = len(index)
    col = np.floor(points.geometry.x / 250).astype(int).to_numpy()
    row = np.floor(points.geometry.y / 250).astype(int).to_numpy()
    before = (points["time"] < "2024-01-01").to_numpy()

    def per_cell(which):
        return pd.Series(1, index=pd.MultiIndex.from_arrays([col[which], row[which]])).groupby(
            level=[0, 1]).sum().reindex(index, fill_value=0).to_numpy()

    train, test = per_cell(before), per_cell(~before)
    k = round(0.05 * n)  # 5 % of the cells are marked

    def hit_rate(score):
        # The k best cells; cells tied at the threshold share the remaining places equally.
        threshold = np.sort(score)[::-1][k - 1]
        weight = (score > threshold).astype(float)
        tied = score == threshold
        weight[tied] = (k - (score > threshold).sum()) / tied.sum()
        return (weight * test).sum() / test.sum()

    # Gi* (Getis & Ord 1992) from esda on queen contiguity of the cell squares, the cell itself included.
    queen = Queen.from_dataframe(squares, use_index=False, silence_warnings=True)
    gi = G_Local(train.astype(float), queen, transform="B", star=True, permutations=0).Zs
    for shown, score in ((table.rows[0], train.astype(float)), (table.rows[2], np.round(gi, 9))):
        hit = hit_rate(score)
        # PAI = hit rate ÷ share of the area (Chainey, Tompson & Uhlig 2008)
        assert shown[1:] == (f"{german(100 * hit, 1)} %", german(hit / (k / n), 1))
    # The KDE row is the one path's figure (its bandwidth is chosen by validation inside the training
    # years); the density itself is checked against the textbook kernels in test_kde.py.
    kde = evaluate(points, split="2024-01-01", area=FREIBERG, methods="kde", bandwidth="auto").results["kde"]
    assert table.rows[1][1:] == (f"{german(100 * kde.hit_rate, 1)} %", german(kde.pai, 1))
    text = freiberg_report.text()
    assert f"vor 2024 ({german(train.sum(), 0)})" in text
    assert f"ab 01.01.2024 ({german(test.sum(), 0)})" in text


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
    padded = np.pad(counts, 1)  # the 3×3 neighbourhood summed by shifting, not by geo's window sums
    around = sum(padded[1 + dr:1 + dr + grid.shape[0], 1 + dc:1 + dc + grid.shape[1]]
                 for dr in (-1, 0, 1) for dc in (-1, 0, 1))
    nearby = dict(zip(raw["cell_id"], around[row, col], strict=True))
    assert min(nearby[c] for c in cells["cell_id"]) >= 3
    assert any(nearby[c] < 3 for c in raw.loc[raw["gi_bin"] >= 1, "cell_id"])
