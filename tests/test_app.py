"""The Streamlit app's logic (AppTest, no browser): selection and the URL."""

import pytest
from streamlit.testing.v1 import AppTest

TIMEOUT = 60


@pytest.fixture
def app():
    return AppTest.from_file("../app.py", default_timeout=TIMEOUT)


def captions(at):
    return [c.value for c in at.caption]


def test_app_starts_with_all_of_saxony_and_shows_attribution(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Präventionsatlas Sachsen"
    assert "Sachsen · 418 Gemeinden · 13 Kreise" in captions(app)
    assert any("GeoBasis-DE / BKG 2016" in c and "GV100AD" in c for c in captions(app))


def test_ags_in_url_selects_freiberg(app):
    app.query_params["ags"] = "14522180"
    app.run()
    assert not app.exception
    assert app.session_state["gemeinde"] == "14522180"
    assert app.selectbox(key="gemeinde").value == "14522180"
    assert "Freiberg · Mittelsachsen · 40.485 Einwohner · AGS 14522180" in captions(app)


def test_kreis_in_url_selects_the_landkreis_not_the_city(app):
    app.query_params["kreis"] = "14729"
    app.run()
    assert not app.exception
    assert any(c.startswith("Leipzig · ") and "Kreisschlüssel 14729" in c for c in captions(app))


def test_unknown_ags_in_url_gives_a_friendly_message_and_all_of_saxony(app):
    app.query_params["ags"] = "99999999"
    app.run()
    assert not app.exception
    assert "Unbekannter Gemeindeschlüssel „99999999“" in app.warning[0].value
    assert "Sachsen · 418 Gemeinden · 13 Kreise" in captions(app)
    assert "ags" not in app.query_params


def test_choosing_a_gemeinde_writes_it_into_the_url_and_a_kreis_replaces_it(app):
    app.run()
    app.selectbox(key="gemeinde").select("14625030").run()  # Bernsdorf (Bautzen)
    assert app.query_params["ags"] == "14625030"
    assert any(c.startswith("Bernsdorf · Bautzen") for c in captions(app))
    app.selectbox(key="kreis").select("14522").run()
    assert "ags" not in app.query_params
    assert app.session_state["gemeinde"] is None
    assert any(c.startswith("Mittelsachsen · ") for c in captions(app))
