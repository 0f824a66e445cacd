"""The Maßnahmenregister in the app (AppTest, no browser): record a measure at a Gemeinde or a
drawn place, see its Wirkung, and show it on the council's screen.

The evaluation cases are constructed in Freiberg's real boundary: graffiti in a 200 m square
T (20 before the start, 5 after), in the ring D around it (10 and 10) and in the rest of the
town C (100 and 100), so the verdict follows by hand: T fell by 75 %, C did not change, and D
did not change either.
"""

import datetime as dt
import json
import re

import pytest
import shapely
from pyproj import Transformer

from geo.boundaries import gemeinde
from geo.measures import Measure, MeasureRegister
from geo.measures.places import metric_place
from geo.store import IncidentStore
from geo.view import sequence_path
from layers.measures import STATUS_COLOURS
from tests.conftest import captions
from ui.council import MAP_HEIGHT, MEASURE_LINE_PX, VERDICT_LINE_PX

FREIBERG = "14522180"
START = dt.date(2024, 3, 1)
TO_WGS84 = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
TO_UTM = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
VERDICT = ("Rückgang im Zielgebiet um 75 %, stärker als im Vergleichsgebiet (dort unverändert); keine "
           "Verdrängung in die Umgebung erkennbar.")


def centre() -> tuple[float, float]:
    point = gemeinde(FREIBERG).geometry.representative_point()
    return point.x, point.y


def constructed_store(directory, *, responsible="Ordnungsamt Freiberg", notes="Kamera am Obermarkt prüfen"):
    """The case of the module doc imported into `directory`, and measure 1 at T (started 01.03.2024)."""
    x, y = centre()
    spots = {"t": (x, y), "d": (x + 200, y), "c": (x + 1500, y + 1500)}
    rows = []
    for spot, n_before, n_after in (("t", 20, 5), ("d", 10, 10), ("c", 100, 99)):
        days = [dt.date(2023, 3, 10) + dt.timedelta(days=2 * k) for k in range(n_before)]
        days += [dt.date(2024, 3, 10) + dt.timedelta(days=3 * k) for k in range(n_after)]
        rows += [(day, *spots[spot]) for day in days]
    rows.append((dt.date(2025, 2, 28), *spots["c"]))  # the data reach the end of the after period
    lines = ["Tatzeit;Delikt;Rechtswert;Hochwert"]
    lines += [f"{day:%d.%m.%Y} 12:00;Sachbeschädigung durch Graffiti;{px:.1f};{py:.1f}".replace(".", ",")
              .replace(f"{day:%d,%m,%Y}", f"{day:%d.%m.%Y}") for day, px, py in rows]
    path = directory.parent / "graffiti_freiberg.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = IncidentStore(directory)
    report = store.import_file(path)
    assert report.accepted == 245 and report.rejected == 0
    place = metric_place(shapely.box(x - 100, y - 100, x + 100, y + 100), kind="zeichnung", source="Test")
    measure = Measure(None, "Beleuchtung Obermarkt", "beleuchtung", ("graffiti",), place.geometry,
                      place.kind, place.ags, START, None, responsible, 12500.0, "umgesetzt",
                      "Präventionsrat 3/2024", notes)
    return MeasureRegister(store).add(measure, "Test")


def map_args(app) -> dict:
    return json.loads(app.get("component_instance")[0].proto.json_args)


def button(app, label):
    return next(b for b in app.button if b.label == label)


def test_a_measure_at_the_chosen_gemeinde_is_stored_with_who_and_when(app, tmp_path):
    app.query_params["ags"] = FREIBERG
    app.run()
    app.radio(key="w_massnahmen_teil").set_value("neu").run()
    app.radio(key="w_ortsart").set_value("gemeinde").run()
    app.button(key="w_ort_gemeinde").click().run()
    assert any(md.value.startswith("**Ort:** Gemeinde · ") and md.value.endswith(" · Freiberg")
               for md in app.markdown)
    app.text_input(key="w_wer").input("Anna Schmidt").run()
    app.text_input(key="w_neu_titel").input("Streetwork am Bahnhof")
    app.selectbox(key="w_neu_art").set_value("streetwork")
    app.selectbox(key="w_neu_status").set_value("umgesetzt")
    app.date_input(key="w_neu_beginn").set_value(START)
    app.text_input(key="w_neu_kosten").input("12.500,50")
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    button(app, "Speichern").click().run()
    after = dt.datetime.now(dt.UTC)
    assert not app.exception and not app.error

    register = MeasureRegister(IncidentStore(tmp_path / "store"))
    [stored] = register.current()
    assert (stored.title, stored.kind, stored.status, stored.start, stored.end) == (
        "Streetwork am Bahnhof", "streetwork", "umgesetzt", START, None)
    assert (stored.place_kind, stored.ags, stored.categories, stored.cost_eur) == (
        "gemeinde", FREIBERG, ("graffiti",), 12500.5)
    town = gemeinde(FREIBERG).geometry
    assert stored.place.symmetric_difference(town).area < 1e-5 * town.area  # the whole town, on the 1 cm grid
    history = register.history(stored.id)
    assert history[["wer", "aktion"]].values.tolist() == [["Anna Schmidt", "angelegt"]]
    assert before <= history["zeit"].iloc[0].to_pydatetime() <= after
    # The app says so, shows the new measure (it is in the URL) and keeps the name for the next one.
    assert [s.value for s in app.success] == [
        "Maßnahme Nr. 1 „Streetwork am Bahnhof“ angelegt (Anna Schmidt)."]
    assert app.selectbox(key="w_massnahme").value == 1 and app.query_params["massnahme"] == "1"
    assert "Streetwork am Bahnhof" in map_args(app)["feature_group"]
    app.radio(key="w_massnahmen_teil").set_value("liste").run()
    app.radio(key="w_massnahmen_teil").set_value("aendern").run()
    assert app.text_input(key="w_wer").value == "Anna Schmidt"
    assert app.text_input(key="w_m1v1_titel").value == "Streetwork am Bahnhof"
    assert app.text_input(key="w_m1v1_kosten").value == "12500,50"


def test_clicks_in_drawing_mode_make_the_place_and_are_drawn_on_the_map(app, tmp_path):
    app.query_params["ags"] = FREIBERG
    app.run()
    app.radio(key="w_massnahmen_teil").set_value("neu").run()
    app.toggle(key="w_zeichnen").set_value(True).run()
    x, y = centre()
    corners = [(x - 60, y - 40), (x + 60, y - 40), (x + 60, y + 40), (x - 60, y + 40), (x, y + 300)]
    clicks = [TO_WGS84.transform(cx, cy)[::-1] for cx, cy in corners]  # (lat, lon) as Leaflet sends them
    for lat, lon in clicks:  # as streamlit-folium reports a map click before the rerun
        app.session_state["karte"] = {"last_clicked": {"lat": lat, "lng": lon}}
        app.run()
    app.run()  # a rerun without a new click adds no point
    assert "5 Punkte gesetzt – in die Karte klicken, um weitere zu setzen." in captions(app)
    drawn = map_args(app)["feature_group"]
    assert all(f"{lat}" in drawn and f"{lon}" in drawn for lat, lon in clicks)
    button(app, "Letzten Punkt entfernen").click().run()
    assert "4 Punkte gesetzt – in die Karte klicken, um weitere zu setzen." in captions(app)
    button(app, "Fläche übernehmen").click().run()
    assert app.toggle(key="w_zeichnen").value is False
    assert "**Ort:** auf der Karte gezeichnet · 0,96 ha · Freiberg" in [md.value for md in app.markdown]

    app.text_input(key="w_wer").input("B. Krause").run()
    app.text_input(key="w_neu_titel").input("Müllbehälter Obermarkt")
    app.selectbox(key="w_neu_art").set_value("sauberkeit")
    app.date_input(key="w_neu_beginn").set_value(dt.date(2025, 5, 1))
    button(app, "Speichern").click().run()
    assert not app.exception and not app.error
    [stored] = MeasureRegister(IncidentStore(tmp_path / "store")).current()
    expected = shapely.Polygon([TO_UTM.transform(lon, lat) for lat, lon in clicks[:4]])
    assert (stored.place_kind, stored.ags, stored.status) == ("zeichnung", FREIBERG, "geplant")
    assert stored.place.symmetric_difference(expected).area < 0.01 * expected.area
    assert abs(stored.place.area - 9600) < 5


def test_a_change_is_a_new_version_by_its_editor_and_a_deleted_measure_keeps_its_history(app, tmp_path):
    constructed_store(tmp_path / "store")
    app.query_params.update({"ags": FREIBERG, "massnahme": "1"})
    app.run()
    app.radio(key="w_massnahmen_teil").set_value("aendern").run()
    assert app.selectbox(key="w_m1v1_status").value == "umgesetzt"
    app.text_input(key="w_wer").input("Ben Krause").run()
    app.selectbox(key="w_m1v1_status").set_value("beendet")
    app.date_input(key="w_m1v1_ende").set_value(dt.date(2025, 1, 31))
    button(app, "Speichern").click().run()
    saved = "Maßnahme Nr. 1 „Beleuchtung Obermarkt“ gespeichert (Ben Krause)."
    assert [s.value for s in app.success] == [saved]
    app.radio(key="w_massnahmen_teil").set_value("verlauf").run()
    history = next(d.value for d in app.dataframe if "aktion" in d.value.columns)
    assert history[["version", "wer", "aktion"]].values.tolist() == [[1, "Test", "angelegt"],
                                                                     [2, "Ben Krause", "geändert"]]
    assert history["aenderungen"].iloc[1] == "Ende: – → 31.01.2025; Status: umgesetzt → beendet"
    app.radio(key="w_massnahmen_teil").set_value("aendern").run()
    app.checkbox(key="w_loeschen_1").check().run()
    button(app, "Löschen").click().run()
    assert [s.value for s in app.success] == ["Maßnahme Nr. 1 gelöscht."] and not app.warning
    assert "massnahme" not in app.query_params and app.selectbox(key="w_massnahme").value is None
    register = MeasureRegister(IncidentStore(tmp_path / "store"))
    assert register.current() == []
    assert register.history(1)["aktion"].tolist() == ["angelegt", "geändert", "gelöscht"]


def test_the_wirkung_panel_shows_the_verdict_counts_and_chart(app, tmp_path):
    constructed_store(tmp_path / "store")
    app.query_params.update({"ags": FREIBERG, "massnahme": "1"})
    app.run()
    app.radio(key="w_massnahmen_teil").set_value("wirkung").run()
    assert not app.exception
    verdict = next(md.value for md in app.markdown if md.value.startswith("### "))
    assert verdict.startswith("### " + VERDICT)
    counts = next(d.value for d in app.dataframe if "gebiet" in d.value.columns)
    assert counts[["vorher", "nachher", "veraenderung"]].values.tolist() == [
        ["20", "5", "-75 %"], ["10", "10", "0 %"], ["100", "100", "0 %"]]
    figures = next(d.value for d in app.dataframe if "kennzahl" in d.value.columns)
    ratio = figures.set_index("kennzahl").loc["Verhältnis der Raten T zu C", "wert"]
    assert ratio.startswith("0,25 (95 %: ")  # (5/20) / (100/100)
    assert len(app.get("image")) == 1
    # A ring of 50 m no longer reaches D's spot (100 m from T): its incidents count for C.
    app.number_input(key="w_wirkung_puffer").set_value(50).run()
    counts = next(d.value for d in app.dataframe if "gebiet" in d.value.columns)
    assert counts["vorher"].tolist() == ["20", "0", "110"]


def test_the_council_screen_shows_the_named_measure_without_costs_notes_or_persons(app, tmp_path):
    constructed_store(tmp_path / "store")
    app.query_params.update({"ags": FREIBERG, "massnahme": "1", "modus": "sitzung"})
    app.run()
    assert not app.exception
    heading = next(md.value for md in app.markdown if md.value.startswith("<h1"))
    assert heading.startswith("<h1 class='atlas-title'>Beleuchtung Obermarkt</h1>"
                              "<p class='atlas-line'>Freiberg · ")
    assert ("<p class='atlas-measure'>Maßnahme: Beleuchtung · umgesetzt · seit 01.03.2024</p>"
            f"<p class='atlas-verdict'>{VERDICT}") in heading
    page = " ".join([md.value for md in app.markdown] + captions(app))
    args = map_args(app)
    shown = page + args["feature_group"] + args["script"]
    for secret in ("Ordnungsamt Freiberg", "Kamera am Obermarkt", "12500", "12.500", "Präventionsrat 3/2024",
                   "zustaendig"):
        assert secret not in shown
    layer = args["feature_group"]
    assert '"titel": "Beleuchtung Obermarkt"' in layer
    assert f'"color": "{STATUS_COLOURS["umgesetzt"]}"' in layer
    legends = [json.loads(text) for text in re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', layer)]
    assert any("<b>Maßnahmen</b>" in legend and ">umgesetzt</div>" in legend for legend in legends)
    assert args["height"] == MAP_HEIGHT - MEASURE_LINE_PX - 2 * VERDICT_LINE_PX  # the verdict takes two lines


def test_a_view_sequence_keeps_the_measure_for_the_council(app, tmp_path):
    constructed_store(tmp_path / "store", responsible="", notes="")
    app.query_params["ags"] = FREIBERG
    app.run()
    app.selectbox(key="w_massnahme").select(1).run()
    assert app.query_params["massnahme"] == "1"
    note = "Die Ansicht zeigt Maßnahme Nr. 1; der Sitzungsmodus nennt sie mit Status und Urteil."
    assert note in captions(app)
    app.text_input(key="w_folge").input("Rat").run()
    app.text_input(key="w_titel").input("Licht am Obermarkt").run()
    button(app, "Ansicht zur Folge hinzufügen").click().run()
    saved = json.loads(sequence_path(tmp_path / "store", "Rat").read_text(encoding="utf-8"))
    assert saved["ansichten"][0]["massnahme"] == "1"

    app.query_params.clear()
    app.query_params.update({"folge": "Rat", "nr": "1"})
    del app.session_state["view_ready"]  # as if the meeting's link were opened
    app.run()
    assert not app.exception
    heading = next(md.value for md in app.markdown if md.value.startswith("<h1"))
    assert heading.startswith("<h1 class='atlas-title'>Licht am Obermarkt</h1>")
    assert ("<p class='atlas-measure'>Maßnahme: Beleuchtung Obermarkt · Beleuchtung · umgesetzt · seit "
            f"01.03.2024</p><p class='atlas-verdict'>{VERDICT}") in heading


@pytest.mark.parametrize("raw", ["7", "x"])
def test_a_measure_the_register_does_not_have_gives_a_message_and_the_whole_map(app, raw):
    app.query_params.update({"massnahme": raw, "modus": "sitzung"})
    app.run()
    assert not app.exception
    expected = ("Maßnahme Nr. 7 gibt es nicht im Register." if raw == "7"
                else "„massnahme=x“ ist keine ganze Zahl – Standardwert verwendet.")
    assert expected in [w.value for w in app.warning]
    assert map_args(app)["height"] == MAP_HEIGHT
