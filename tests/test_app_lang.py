"""The app in English (``?sprache=en``) and German (default): AppTest, no browser."""

from geo.lang import catalogue
from geo.view import View, ViewSequence, save_views, sequence_path
from layers import compose
from tests.conftest import captions


def test_sprache_en_shows_english_title_labels_and_numbers(app):
    app.query_params["sprache"] = "en"
    app.query_params["ags"] = "14522180"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Prevention Atlas Saxony"
    assert app.radio(key="w_sprache").value == "en"
    assert any(c.startswith("Freiberg · Graffiti · ") and
               c.endswith(" · Rates per municipality (smoothed) · Source: Demo data (synthetic)")
               for c in captions(app))
    assert [h.value for h in app.sidebar.header] == ["Data", "Area", "Selection", "Method",
                                                     "Alliance and survey", "Prepare a council meeting"]
    assert app.selectbox(key="w_gemeinde").label == "Find a municipality"
    assert app.radio(key="w_methode").options[0] == "Rates per municipality (smoothed)"
    assert any(m.label == "Incidents in the selection" for m in app.metric)
    assert any(s.value == "Freiberg (Mittelsachsen) · 40,485 inhabitants" for s in app.subheader)
    assert any(c.startswith("Demo data (synthetic): the incidents are made up") for c in captions(app))
    assert ("The report (Sicherheitsanalyse) is a German document for German councils and stays in German."
            in captions(app))
    assert app.query_params["sprache"] == "en"


def test_german_is_the_default_and_stays_out_of_the_url(app):
    app.run()
    assert not app.exception
    assert app.radio(key="w_sprache").value == "de"
    assert app.radio(key="w_sprache").label == "Sprache / Language"
    assert app.title[0].value == "Präventionsatlas Sachsen"
    assert app.sidebar.header[0].value == "Daten"
    assert "sprache" not in app.query_params


def test_unknown_language_gives_a_message_and_german(app):
    app.query_params["sprache"] = "xx"
    app.run()
    assert not app.exception
    assert any("„sprache=xx“ ist unbekannt" in w.value and "Unknown language “xx”" in w.value
               for w in app.warning)
    assert app.title[0].value == "Präventionsatlas Sachsen"
    assert app.radio(key="w_sprache").value == "de"
    assert "sprache" not in app.query_params


def test_switching_language_keeps_the_view_and_writes_the_url(app):
    app.query_params["ags"] = "14522180"
    app.query_params["methode"] = "kde"
    app.run()
    app.selectbox(key="w_pick").select("gesamt").run()
    app.radio(key="w_sprache").set_value("en").run()
    assert not app.exception
    assert app.query_params["sprache"] == "en"
    assert app.query_params["ags"] == "14522180" and app.query_params["methode"] == "kde"
    assert app.selectbox(key="w_pick").value == "gesamt"
    assert app.selectbox(key="w_pick").format_func("gesamt") == "Whole period"
    assert app.title[0].value == "Prevention Atlas Saxony"
    app.radio(key="w_sprache").set_value("de").run()
    assert "sprache" not in app.query_params
    assert app.title[0].value == "Präventionsatlas Sachsen"


def test_url_messages_are_shown_in_english(app):
    app.query_params["sprache"] = "en"
    app.query_params["zelle"] = "5"
    app.run()
    assert not app.exception
    assert [w.value for w in app.warning] == ["“zelle=5” is not between 100 and 1000 – default used."]


def test_council_mode_takes_the_language_from_the_url(app):
    for key, value in {"ags": "14522180", "modus": "sitzung", "methode": "kde", "sprache": "en"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert len(app.sidebar) == 0
    title = " ".join(md.value for md in app.markdown)
    assert "Freiberg · Graffiti · " in title
    assert "Kernel density (KDE) · Source: Demo data (synthetic)" in title
    assert [b.label for b in app.button] == ["Leave council mode"]
    assert app.query_params["sprache"] == "en"


def test_every_export_button_label_has_an_english_entry():
    assert {label: catalogue().get(label) for label in compose.EXPORTS} == {
        "CSV": "CSV", "GeoPackage": "GeoPackage", "Karte (HTML)": "Map (HTML)", "Karte (PNG)": "Map (PNG)"}


def test_overlay_panels_in_english_with_translated_classes_and_caveats(app):
    for key, value in {"sprache": "en", "ebenen": "befragung,asskomm", "ags": "14522180"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert {e.label for e in app.expander} == {"Parameters", "ASSKomm network: key figures",
                                               "Fear and incidents",
                                               "Protocol (imports, deletions, measures)"}
    assert app.info[0].value.startswith("The list of ASSKomm municipalities is incomplete")
    assert any(c.startswith("Demo data (synthetic) Fear and incidents: ") and "unremarkable: " in c
               for c in captions(app))
    assert any(c.startswith("Small samples: shares from surveys are uncertain.") for c in captions(app))
    assert any(c.startswith("Comparison per municipality.") and "p < 0.05." in c for c in captions(app))


def test_links_to_council_mode_and_sequences_keep_the_language(app):
    app.query_params["sprache"] = "en"
    app.run()
    app.text_input(key="w_folge").input("Rat").run()
    app.button[0].click().run()  # "Add view to the sequence"
    assert not app.exception
    assert "“Rat” now has 1 view(s)." in [s.value for s in app.success]
    links = {b.proto.label: b.proto.url for b in app.get("link_button")}
    assert links == {"Start the meeting with this sequence": "?folge=Rat&nr=1&sprache=en",
                     "This view in council mode": "?modus=sitzung&sprache=en"}


def test_stepping_through_a_sequence_in_council_mode_keeps_english(app, tmp_path):
    path = sequence_path(tmp_path / "store", "Rat")
    path.parent.mkdir(parents=True)
    save_views(ViewSequence("Rat", [View(area="14522180"), View(area="14612000", method="kde")]), path)
    for key, value in {"folge": "Rat", "nr": "1", "sprache": "en"}.items():
        app.query_params[key] = value
    app.run()
    assert [b.label for b in app.button] == ["◀ Back", "Next ▶", "Leave council mode"]
    app.button[1].click().run()
    assert not app.exception
    assert {k: app.query_params[k] for k in ("folge", "nr", "sprache")} == {
        "folge": "Rat", "nr": "2", "sprache": "en"}
    assert "View 2 of 2 · Rat" in [md.value for md in app.markdown]
    title = " ".join(md.value for md in app.markdown)
    assert "Dresden · Graffiti · " in title and "Kernel density (KDE)" in title
