"""The map in English (``lang="en"``): layer names, legends, tooltips and numbers; German unchanged."""

import json
from html import escape

import numpy as np
import pytest
from jinja2.utils import htmlsafe_json_dumps

from geo import asskomm
from geo.analysis import analyse
from geo.hotspots import GI_CLASSES
from geo.incidents import DEMO_LABEL
from geo.incidents.demo import demo_points
from geo.survey import coincide
from geo.survey.demo import demo_angstraeume, demo_shares
from geo.view import View
from layers import compose, static
from layers.rates import class_breaks

GERMAN_LEGEND_TITLES = ("Vorfälle je 1.000 Einwohner", "Kerndichte (Vorfälle je km²)", "Gi* (FDR-korrigiert)")


@pytest.fixture(scope="module")
def points():
    return demo_points()


def freiberg(points, method: str, **options):
    view = View(area="14522180", method=method, categories=("graffiti",), **options)
    return analyse(points, view, source=DEMO_LABEL, demo=True)


def html_of(analysis, **options) -> str:
    return compose.atlas_map(analysis, **options).get_root().render()


def shows(text: str, html: str) -> bool:
    """`text` is in the page, written plainly or as a JSON string (tooltip rows), maybe HTML-escaped
    first (legends), as the browser's JSON parser would read it."""
    forms = {text, escape(text)}
    return any(form in html or json.dumps(form)[1:-1] in html or str(htmlsafe_json_dumps(form))[1:-1] in html
               for form in forms)


@pytest.fixture(scope="module")
def rates_en(points):
    analysis = freiberg(points, "rates")
    return analysis, html_of(analysis, points=compose.map_points(points, analysis), lang="en")


def test_english_rates_map_has_the_english_legend_and_no_german_title(rates_en):
    analysis, html = rates_en
    assert shows("Incidents per 1,000 inhabitants", html)
    assert shows("Smoothed (empirical Bayes): small places are pulled towards the state value.", html)
    saxony = analysis.rates.attrs["saxony_rate"]
    assert shows(f"Saxony: {saxony:.2f} per 1,000 inhabitants.", html)
    assert f"{saxony:.2f}" == "1.67"
    assert not any(shows(title, html) for title in GERMAN_LEGEND_TITLES)


def test_english_rate_classes_use_a_decimal_point(rates_en):
    analysis, html = rates_en
    smoothed = analysis.rates["rate_smoothed"].to_numpy(dtype=np.float64, na_value=np.nan)
    breaks = class_breaks(smoothed)
    first = f"{np.nanmin(smoothed):.2f} – {breaks[0]:.2f}"
    assert "." in first and "," not in first
    assert shows(first, html)


def test_english_suppressed_areas_say_so_in_english(rates_en):
    analysis, html = rates_en
    assert analysis.rates["suppressed"].sum() > 0
    assert shows("fewer than 3 cases – not shown", html)
    assert not shows("weniger als 3 Fälle – keine Angabe", html)
    # tooltip rows that the rates add to the Gemeinde tooltip
    assert shows("Rate per 1,000 inh.", html) and shows("Smoothed rate", html)


def test_english_gemeinde_tooltip_rows_of_the_base_layer(rates_en):
    _, html = rates_en
    assert ('[["name", "Municipality"], ["kreis", "District"], ["einwohner_text", "Inhabitants"], '
            '["ags", "Municipality key (AGS)"]]') in html
    assert "[2].forEach(function(i)" in html  # Einwohner (row 2) regrouped to 40,485 in the browser


def test_english_layer_names(rates_en):
    _, html = rates_en
    for name in ("Municipalities", "District borders", "Rate per 1,000 inhabitants (smoothed)",
                 "Selection: Freiberg", "Incidents: Graffiti (Demo data (synthetic))"):
        assert shows(name, html), name
    assert not shows("Kreisgrenzen", html) and not shows("Auswahl: Freiberg", html)


def test_english_kreis_rates_group_thousands_with_a_comma(points):
    analysis = analyse(points, View(method="rates", level="kreis", categories=("graffiti",)))
    html = html_of(analysis, lang="en")
    biggest = int(analysis.rates["einwohner"].max())
    assert biggest > 100_000
    assert f'"einwohner_text": "{biggest:,}"' in html and "," in f"{biggest:,}"
    assert f'"einwohner_text": "{biggest:,}"'.replace(",", ".") not in html


def test_english_gi_legend_lists_the_classes(points):
    html = html_of(freiberg(points, "gi"), lang="en")
    assert shows("Gi* (FDR-corrected)", html)
    assert shows("Cells that are not significant are not coloured.", html)
    for b in (3, 2, 1, -1, -2, -3):
        assert shows(GI_CLASSES[b], html)  # the class names read the same in English
    assert shows("Hot and cold spots (Gi*)", html)
    assert not any(shows(title, html) for title in GERMAN_LEGEND_TITLES)
    assert not shows("Nicht signifikante Zellen sind nicht eingefärbt.", html)


def test_english_kde_legend_note(points):
    analysis = freiberg(points, "kde", bandwidth_rule="regel")
    kde = analysis.hotspots.kde
    html = html_of(analysis, lang="en")
    assert (kde.kernel, kde.bandwidth_rule) == ("quartic", "Standardregel (ArcGIS Pro)")
    assert shows(f"Quartic kernel, bandwidth {kde.bandwidth:,.0f} m (default rule (ArcGIS Pro))", html)
    assert shows("Kernel density (incidents per km²)", html) and shows("Kernel density (KDE)", html)
    assert not any(shows(title, html) for title in GERMAN_LEGEND_TITLES)


def test_english_lisa_legend(points):
    html = html_of(freiberg(points, "lisa"), lang="en")
    assert shows("High-High (hotspot)", html) and shows("Low-High (outlier)", html)
    assert shows("Only cells with p < 0.05 after FDR correction.", html)
    assert shows("Clusters and outliers (LISA)", html)


def test_german_stays_the_default(points):
    analysis = freiberg(points, "rates")
    german = html_of(analysis)
    assert shows("Vorfälle je 1.000 Einwohner", german)
    assert shows("weniger als 3 Fälle – keine Angabe", german)
    assert ('[["name", "Gemeinde"], ["kreis", "Kreis"], ["einwohner_text", "Einwohner"], '
            '["ags", "AGS"]]') in german
    assert ".forEach(function(i)" not in german
    assert not shows("Incidents per 1,000 inhabitants", german)


def test_english_overlays(points):
    shares = demo_shares(ags=["14522180"])
    found = compose.overlay_layers(members=asskomm.load_members(), shares=shares, places=demo_angstraeume(),
                                   coincidence=coincide.coincidence_by_gemeinde(points, shares,
                                                                                categories=("graffiti",)),
                                   label=DEMO_LABEL, lang="en")
    assert [g.layer_name for g in found] == [
        "ASSKomm network (incomplete)", "Feeling unsafe at night (survey) – Demo data (synthetic)",
        "Fear and incidents – Demo data (synthetic)", "Places people fear (survey) – Demo data (synthetic)"]


def test_english_html_and_png_exports(points):
    analysis = freiberg(points, "gi")
    html = compose.export_bytes(analysis, "html", lang="en").decode()
    assert html.count("Gi* (FDR-corrected)") == 1 and "Gi* (FDR-korrigiert)" not in html
    figure = static.view_figure(freiberg(points, "rates"), lang="en")
    credit = next(t.get_text() for t in figure.axes[0].texts if t.get_text().startswith("Source"))
    drawn = {"title": figure.axes[0].get_title(), "credit": credit.replace("\n", " · ")}
    assert drawn["title"] == "Freiberg: Graffiti, 01.01.2021 – 31.12.2024\nRates per municipality (smoothed)"
    assert drawn["credit"].startswith("Source: Demo data (synthetic) · ")
    assert drawn["credit"].count("Demo data (synthetic)") == 1  # said once, in the source line
