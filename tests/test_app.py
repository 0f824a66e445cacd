"""The Streamlit app's logic (AppTest, no browser): the view, the URL and the two modes."""

import datetime as dt

from geo.view import View, ViewSequence, save_views, sequence_path
from tests.conftest import captions


def test_app_starts_on_demo_data_with_all_of_saxony_and_attribution(app):
    app.run()
    assert not app.exception
    assert app.title[0].value == "Präventionsatlas Sachsen"
    line = next(c for c in captions(app) if c.startswith("Sachsen · "))
    assert line.endswith("Raten je Gemeinde (geglättet) · Quelle: Demodaten (synthetisch)")
    assert any("GeoBasis-DE / BKG 2016" in c and "GV100AD" in c for c in captions(app))
    assert any("Demodaten (synthetisch)" in c for c in captions(app))


def test_ags_in_url_selects_freiberg(app):
    app.query_params["ags"] = "14522180"
    app.run()
    assert not app.exception
    assert app.selectbox(key="w_gemeinde").value == "14522180"
    assert any(c.startswith("Freiberg · Graffiti · ") for c in captions(app))
    assert any(s.value.startswith("Freiberg (Mittelsachsen) · 40.485 Einwohner") for s in app.subheader)


def test_kreis_in_url_selects_the_landkreis_not_the_city(app):
    app.query_params["kreis"] = "14729"
    app.run()
    assert not app.exception
    assert app.selectbox(key="w_kreis").value == "14729"
    assert any(c.startswith("Leipzig · Graffiti") for c in captions(app))


def test_full_view_in_url_is_restored_and_written_back(app):
    params = {"ags": "14522180", "kategorie": "graffiti,littering", "von": "2024-01-01",
              "bis": "2024-12-31", "methode": "gi", "zelle": "500", "radius": "2"}
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert app.multiselect(key="w_kategorien").value == ["graffiti", "littering"]
    assert app.radio(key="w_methode").value == "gi"
    assert app.select_slider(key="w_zelle").value == 500
    assert {k: app.query_params[k] for k in params} == params
    assert any(c.startswith("Freiberg · Graffiti, Vermüllung · 01.01.2024 – 31.12.2024 · Hotspots")
               for c in captions(app))
    assert any(m.label == "Vorfälle in der Auswahl" for m in app.metric)


def test_bad_parameters_give_friendly_messages_and_defaults(app):
    app.query_params["ags"] = "99999999"
    app.query_params["methode"] = "heatmap"
    app.query_params["zelle"] = "5"
    app.run()
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "Unbekannter Gemeindeschlüssel „99999999“" in warnings
    assert "„methode=heatmap“ ist unbekannt" in warnings
    assert "„zelle=5“ liegt nicht zwischen 100 und 1000" in warnings
    assert any(c.startswith("Sachsen · ") for c in captions(app))
    assert "ags" not in app.query_params and "methode" not in app.query_params


def test_choosing_a_gemeinde_writes_it_into_the_url_and_a_kreis_replaces_it(app):
    app.run()
    app.selectbox(key="w_gemeinde").select("14625030").run()  # Bernsdorf (Bautzen)
    assert app.query_params["ags"] == "14625030"
    assert any(c.startswith("Bernsdorf · ") for c in captions(app))
    app.selectbox(key="w_kreis").select("14522").run()
    assert "ags" not in app.query_params and app.query_params["kreis"] == "14522"
    assert app.selectbox(key="w_gemeinde").value is None


def test_council_mode_has_no_sidebar_and_a_title_line(app):
    app.query_params["ags"] = "14522180"
    app.query_params["modus"] = "sitzung"
    app.query_params["methode"] = "kde"
    app.run()
    assert not app.exception
    assert len(app.sidebar) == 0
    title = " ".join(md.value for md in app.markdown)
    assert "Freiberg · Graffiti · " in title and "Kerndichte (KDE) · Quelle: Demodaten (synthetisch)" in title
    assert [b.label for b in app.button] == ["Sitzungsmodus beenden"]
    assert not app.subheader  # no detail panel, no exports


def test_shipped_pks_table_gives_real_kreis_rates(app):
    app.query_params["daten"] = "pks2020"
    app.query_params["kategorie"] = "violence"
    app.run()
    assert not app.exception
    assert ("Sachsen · Gewalt im öffentlichen Raum · 01.01.2020 – 31.12.2020 · Raten je Kreis (geglättet) · "
            "Quelle: PKS 2020 (BKA), Fälle je Kreis") in captions(app)
    assert app.metric[0].value == "7.566"  # Gewaltkriminalität in Saxony, 2020
    assert any("Bundeskriminalamt, Polizeiliche Kriminalstatistik 2020" in c for c in captions(app))


def test_accuracy_split_from_the_url_sets_the_widget_and_the_figures(app):
    app.query_params.update({"methode": "gi", "teilung": "2024-01-01"})
    app.run()
    assert not app.exception
    assert [d.value for d in app.date_input if d.key == "w_teilung"] == [dt.date(2024, 1, 1)]
    assert any(c.startswith("Gelernt bis 01.01.2024, geprüft danach") for c in captions(app))
    app.query_params.clear()
    [box] = [d for d in app.date_input if d.key == "w_teilung"]
    box.set_value(dt.date(2023, 7, 1)).run()
    assert any(c.startswith("Gelernt bis 01.07.2023, geprüft danach") for c in captions(app))
    assert app.query_params["teilung"] == "2023-07-01"


def test_a_saved_views_title_heads_the_council_screen(app, tmp_path):
    path = sequence_path(tmp_path / "store", "Rat")
    path.parent.mkdir(parents=True)
    save_views(ViewSequence("Rat", [View(area="14522180", title="Graffiti Innenstadt 2024"), View()]), path)
    app.query_params["folge"] = "Rat"
    app.query_params["nr"] = "1"
    app.run()
    assert not app.exception
    heading = next(md.value for md in app.markdown if md.value.startswith("<h1"))
    assert heading.startswith("<h1 class='atlas-title'>Graffiti Innenstadt 2024</h1><p class='atlas-line'>"
                              "Freiberg · Graffiti · ")
    app.button[1].click().run()  # Weiter: a view without a title is headed by what it shows
    heading = next(md.value for md in app.markdown if md.value.startswith("<h1"))
    assert heading.startswith("<h1 class='atlas-title'>Sachsen · Graffiti · ") and "atlas-line" not in heading


def test_a_titled_view_names_itself_in_the_planners_caption(app):
    app.query_params["titel"] = "Vermüllung Bahnhof"
    app.run()
    assert not app.exception
    assert any(c.startswith("Vermüllung Bahnhof · Sachsen · Graffiti · ") for c in captions(app))


def test_the_period_list_says_what_is_shown(app):
    app.run()  # no period in the URL: the whole period, not an empty "eigener Zeitraum"
    assert app.selectbox(key="w_pick").value == "gesamt"
    assert [d.value for d in app.date_input][:2] == [None, None]
    app.query_params.update({"von": "2024-01-01", "bis": "2024-06-30"})
    del app.session_state["view_ready"]  # as if the link were opened anew
    app.run()
    assert app.selectbox(key="w_pick").value == "eigen"
    assert [d.value for d in app.date_input][:2] == [dt.date(2024, 1, 1), dt.date(2024, 6, 30)]


def test_lisa_says_its_accuracy_is_that_of_gi(app):
    app.query_params["methode"] = "lisa"
    app.run()
    assert not app.exception
    texts = captions(app)
    assert "Für LISA-Cluster gibt es kein Vorhersagemaß; gezeigt ist Gi* für dieselbe Auswahl." in texts
    assert any(t.startswith("Gi* trifft") for t in texts)


def test_kde_bandwidth_is_chosen_by_validation_unless_the_planner_picks_the_rule(app):
    app.query_params["ags"] = "14612000"
    app.query_params["methode"] = "kde"
    app.run()
    assert not app.exception
    assert app.radio(key="w_bandbreite_art").value == "auto"
    assert any(c.startswith("Bandbreite ") and "(automatisch gewählt): in 8 Prüfzeiträumen" in c
               for c in captions(app))
    app.radio(key="w_bandbreite_art").set_value("regel").run()
    assert app.query_params["bandbreite"] == "regel"
    assert any(c.startswith("Bandbreite ") and "(Standardregel (ArcGIS Pro))" in c for c in captions(app))
    assert any("einfachen Zählung der Vorperiode" in c and "Prüfzeiträumen" in c for c in captions(app))


def test_emerging_hot_spots_in_the_url_with_yearly_steps(app):
    for key, value in {"ags": "14612000", "methode": "emerging", "schritt": "jahr"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert app.radio(key="w_schritt").value == "jahr"
    assert any("Neue und wachsende Hotspots" in c for c in captions(app))
    assert any(c.startswith("4 Jahre von 2021 bis 2024") for c in captions(app))
    assert app.query_params["schritt"] == "jahr"


def test_names_from_data_are_shown_as_plain_text_not_markdown(app, tmp_path):
    from geo.incidents.demo import demo_csv
    from geo.store import IncidentStore

    name = "[klick](http://x.de) *fett*"
    IncidentStore(tmp_path / "store").import_file(demo_csv(tmp_path / "d.csv", n=500), name=name)
    app.query_params["daten"] = name
    app.run()
    assert not app.exception
    line = next(c for c in captions(app) if "Quelle" in c)
    assert "\\[klick\\](http:\u2060//x.de) \\*fett\\*" in line  # escaped, the address joined: no link


def test_a_damaged_store_gives_a_message_and_no_traceback(app, tmp_path):
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "vorfaelle.sqlite").write_bytes(b"Dies ist keine Datenbank.\n" * 40)
    app.run()
    assert not app.exception
    assert any("ist beschädigt" in e.value and "Sicherung" in e.value for e in app.error)
    assert (tmp_path / "store" / "vorfaelle.sqlite").read_bytes() == b"Dies ist keine Datenbank.\n" * 40
