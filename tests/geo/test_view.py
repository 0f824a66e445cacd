"""View state in the URL: every view round-trips, every bad value falls back with a message."""

import datetime as dt

import pytest

from geo.errors import InputFileError
from geo.lang import translate
from geo.view import (
    DEFAULT,
    View,
    ViewSequence,
    add_view,
    from_query,
    from_url,
    import_sequence,
    language_from_query,
    list_sequences,
    load_views,
    save_views,
    sequence_path,
    to_query,
    with_language,
)


def test_council_link_for_freiberg_graffiti():
    view, problems = from_query({"ags": "14522180", "kategorie": "graffiti", "modus": "sitzung"})
    assert problems == []
    assert view.area == "14522180"
    assert view.categories == ("graffiti",)
    assert view.mode == "sitzung"


@pytest.mark.parametrize(
    "view",
    [
        DEFAULT,
        View(area="14522180", categories=("graffiti", "littering"), start=dt.date(2024, 1, 1),
             end=dt.date(2024, 12, 31), method="gi", cell_m=500, radius=2, mode="sitzung", min_count=5),
        View(area="14729", method="kde", bandwidth_m=800, dataset="ordnungsamt-2024"),
        View(method="rates", level="kreis", title="Gewalt Kreise 2020"),
        View(overlays=("asskomm", "befragung"), mode="sitzung"),
        View(method="gi", start=dt.date(2022, 1, 1), end=dt.date(2024, 12, 31), split=dt.date(2024, 1, 1)),
    ],
)
def test_every_view_survives_the_round_trip_through_the_url(view):
    again, problems = from_query(to_query(view))
    assert problems == []
    assert again == view


def test_a_link_with_the_key_of_a_merged_gemeinde_shows_the_gemeinde_of_today():
    view, problems = from_query({"ags": "14521050", "kategorie": "graffiti"})
    assert view.area == "14521035" and view.categories == ("graffiti",)
    assert problems == ["Bad Schlema (14521050) gehört seit einer Gemeindefusion zu Aue-Bad Schlema "
                        "– zeige Aue-Bad Schlema."]


def test_defaults_give_an_empty_query():
    assert to_query(DEFAULT) == {}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"ags": "99999999"}, "Unbekannter Gemeindeschlüssel „99999999“"),
        ({"kreis": "14999"}, "Unbekannter Kreisschlüssel „14999“"),
        ({"kategorie": "graffiti,tags"}, "Unbekannte Kategorie „tags“"),
        ({"methode": "heatmap"}, "„methode=heatmap“ ist unbekannt"),
        ({"zelle": "20"}, "„zelle=20“ liegt nicht zwischen 100 und 1000"),
        ({"radius": "x"}, "„radius=x“ ist keine ganze Zahl"),
        ({"von": "31.02.2024"}, "„von=31.02.2024“ ist kein Datum"),
        ({"von": "2024-05-01", "bis": "2024-01-01"}, "„von“ liegt nach „bis“"),
        ({"modus": "beamer"}, "„modus=beamer“ ist unbekannt"),
        ({"ebenen": "asskomm,kameras"}, "Unbekannte Ebene „kameras“"),
    ],
)
def test_bad_parameters_fall_back_with_a_german_message(params, fragment):
    view, problems = from_query(params)
    assert any(fragment in p for p in problems), problems
    # Everything else stays at its default.
    assert view.method in {"rates"} and view.cell_m == 250


def test_german_dates_are_understood():
    view, problems = from_query({"von": "01.07.2021", "bis": "30.06.2022"})
    assert problems == []
    assert (view.start, view.end) == (dt.date(2021, 7, 1), dt.date(2022, 6, 30))


def test_council_mode_never_shows_counts_below_three():
    view, _ = from_query({"modus": "sitzung", "k": "1"})
    assert view.min_count == 3
    assert from_query({"modus": "planung", "k": "1"})[0].min_count == 1


def test_saved_view_sequence_round_trips_and_reports_bad_entries(tmp_path):
    seq = ViewSequence("Präventionsrat Freiberg", [
        View(area="14522180", categories=("graffiti",), title="Graffiti Innenstadt 2024", mode="sitzung"),
        View(area="14522180", categories=("littering",), method="kde", title="Vermüllung Bahnhof"),
    ])
    path = tmp_path / "sitzung.json"
    save_views(seq, path)
    loaded, problems = load_views(path)
    assert problems == []
    assert loaded.name == "Präventionsrat Freiberg"
    assert [v.title for v in loaded.views] == ["Graffiti Innenstadt 2024", "Vermüllung Bahnhof"]
    assert loaded.views == seq.views

    path.write_text('{"name": "x", "ansichten": [{"ags": "1"}, 5]}', encoding="utf-8")
    loaded, problems = load_views(path)
    assert len(loaded.views) == 1
    assert problems[0].startswith("sitzung.json, Ansicht 1: Unbekannter Gemeindeschlüssel")
    assert problems[1] == "sitzung.json, Ansicht 2: kein Objekt – übersprungen."


def test_a_file_that_is_not_a_view_sequence_is_refused(tmp_path):
    path = tmp_path / "kaputt.json"
    path.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(InputFileError, match=r"kaputt\.json: keine gespeicherte Ansichtsfolge"):
        load_views(path)


def test_an_uploaded_sequence_is_kept_as_sent_and_its_bad_views_named(tmp_path):
    other = tmp_path / "anderer_rechner"
    add_view(other, "Rat Döbeln", View(area="14522080", title="Graffiti Markt"))
    sent = sequence_path(other, "Rat Döbeln").read_bytes()
    name, problems = import_sequence(tmp_path, "Rat Döbeln.json", sent)
    assert (name, problems) == ("Rat Döbeln", [])
    assert sequence_path(tmp_path, "Rat Döbeln").read_bytes() == sent
    assert list_sequences(tmp_path) == ["Rat Döbeln"]

    old = b'{"name": "alt", "ansichten": [{"methode": "x"}]}'
    name, problems = import_sequence(tmp_path, "alt.json", old)
    assert name == "alt"
    assert problems[0].startswith("alt.json, Ansicht 1: „methode=x“ ist unbekannt")


def test_an_upload_that_is_not_a_sequence_is_refused_and_nothing_is_written(tmp_path):
    with pytest.raises(InputFileError, match=r"foto\.json: keine gespeicherte Ansichtsfolge"):
        import_sequence(tmp_path, "foto.json", b"\x89PNG\r\n")
    assert not (tmp_path / "ansichten").exists()


def test_presenter_builds_a_sequence_view_by_view(tmp_path):
    assert list_sequences(tmp_path) == []
    add_view(tmp_path, "Rat Freiberg", View(area="14522180", title="Graffiti Innenstadt 2024"))
    seq = add_view(tmp_path, "Rat Freiberg", View(area="14522180", method="kde", title="Vermüllung Bahnhof"))
    assert [v.title for v in seq.views] == ["Graffiti Innenstadt 2024", "Vermüllung Bahnhof"]
    assert list_sequences(tmp_path) == ["Rat Freiberg"]
    assert load_views(sequence_path(tmp_path, "Rat Freiberg"))[0].views == seq.views
    assert sequence_path(tmp_path, "../../etc/passwd").parent == tmp_path / "ansichten"


def test_url_with_a_sequence_opens_its_view_on_the_shared_screen(tmp_path):
    add_view(tmp_path, "Rat", View(area="14522180", title="Graffiti Innenstadt"))
    add_view(tmp_path, "Rat", View(area="14522180", method="kde", title="Vermüllung Bahnhof"))
    view, problems, step = from_url({"folge": "Rat", "nr": "2"}, tmp_path)
    assert problems == [] and step == ("Rat", 2, 2)
    assert (view.title, view.method, view.mode) == ("Vermüllung Bahnhof", "kde", "sitzung")
    assert from_url({"folge": "Rat", "nr": "9"}, tmp_path)[2] == ("Rat", 2, 2)  # clamped
    view, problems, step = from_url({"folge": "Gibtsnicht"}, tmp_path)
    assert step is None and view == DEFAULT and "Ansichtsfolge „Gibtsnicht“ nicht gefunden" in problems[0]
    assert from_url({"ags": "14522180"}, tmp_path)[0].area == "14522180"


def test_language_is_german_when_absent_and_english_for_sprache_en():
    assert language_from_query({}) == ("de", [])
    assert language_from_query({"sprache": "de"}) == ("de", [])
    assert language_from_query({"sprache": " en "}) == ("en", [])


def test_unknown_language_gives_a_message_in_both_languages_and_german():
    lang, problems = language_from_query({"sprache": "xx"})
    assert lang == "de"
    assert problems == ["„sprache=xx“ ist unbekannt – erlaubt: de, en; zeige Deutsch. "
                        "/ Unknown language “xx” – allowed: de, en; showing German."]


def test_language_round_trips_beside_the_view_and_german_stays_out_of_the_url():
    view = View(area="14522180", method="gi")
    params = with_language(to_query(view), "en")
    assert params == {"ags": "14522180", "methode": "gi", "sprache": "en"}
    assert from_query(params) == (view, [])
    assert language_from_query(params) == ("en", [])
    assert with_language(params, "de") == {"ags": "14522180", "methode": "gi"}


def test_url_messages_render_in_english_with_the_same_values():
    _, problems = from_query({"zelle": "5", "ags": "99999999"})
    assert problems == ["Unbekannter Gemeindeschlüssel „99999999“ – zeige ganz Sachsen.",
                        "„zelle=5“ liegt nicht zwischen 100 und 1000 – Standardwert verwendet."]
    assert [translate(p, "en") for p in problems] == [
        "Unknown municipality key “99999999” – showing all of Saxony.",
        "“zelle=5” is not between 100 and 1000 – default used."]


def test_the_background_map_travels_beside_the_view_and_falls_back_to_the_default():
    from geo.view import basemap_from_query, with_basemap

    assert basemap_from_query({"karte": "osm"}, "basemapde") == ("osm", [])
    assert basemap_from_query({}, "keine") == ("keine", [])
    key, problems = basemap_from_query({"karte": "google"}, "basemapde")
    assert key == "basemapde" and "„karte=google“ ist unbekannt" in problems[0]
    assert with_basemap({"ags": "14522180"}, "basemapde", "basemapde") == {"ags": "14522180"}
    assert with_basemap({"ags": "14522180", "karte": "osm"}, "keine", "basemapde") == {
        "ags": "14522180", "karte": "keine"}


@pytest.mark.parametrize("nr", ["²", "٣", "9" * 5000, "-1", "2.5"])
def test_a_strange_step_number_opens_the_first_view_instead_of_crashing(tmp_path, nr):
    add_view(tmp_path, "Rat", View(area="14522180"))
    add_view(tmp_path, "Rat", View(area="14612000"))
    view, _problems, step = from_url({"folge": "Rat", "nr": nr}, tmp_path)
    assert step == ("Rat", 1, 2) and view.area == "14522180"


def test_a_very_long_sequence_name_is_kept_under_a_short_file_name(tmp_path):
    name = "Präventionsrat " * 20  # 300 characters
    sequence = add_view(tmp_path, name, View(area="14522180"))
    path = sequence_path(tmp_path, name)
    assert path.exists() and len(path.name) <= 85 and len(sequence.views) == 1
    assert from_url({"folge": name, "nr": "1"}, tmp_path)[2] == (name, 1, 1)
