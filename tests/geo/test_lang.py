"""The English catalogue: lookups, templates with values, and that nothing is left out."""

import ast
import datetime as dt
import pickle
from pathlib import Path

import pytest

from geo import asskomm
from geo.analysis import METHOD_LABELS, analyse
from geo.hotspots import GI_CLASSES, LISA_LABELS, METHOD_HELP
from geo.hotspots.evaluate import METHOD_NAMES
from geo.incidents import CATEGORY_LABELS, DEMO_LABEL
from geo.incidents.demo import demo_points
from geo.lang import LANGUAGES, Text, catalogue, phrase, placeholders, translate
from geo.survey.coincide import BOTH, FEAR_ONLY, INCIDENTS_ONLY, NEITHER, TOO_SMALL
from geo.view import View
from layers import asskomm as asskomm_layers
from layers import rates as rates_layers
from layers.boundaries import GEMEINDE_TOOLTIP

COINCIDENCE_CLASSES = (BOTH, FEAR_ONLY, INCIDENTS_ONLY, NEITHER, TOO_SMALL)


@pytest.fixture(scope="module")
def freiberg_analysis():
    view = View(area="14522180", categories=("graffiti", "littering"), start=dt.date(2024, 1, 1),
                end=dt.date(2024, 12, 31))
    return analyse(demo_points(), view, source=DEMO_LABEL, demo=True)


def test_languages_are_german_first_then_english():
    assert LANGUAGES == ("de", "en")


def test_german_text_is_the_key_and_unknown_text_stays_german():
    assert translate("„{name}“ hat jetzt {n} Ansicht(en).", "en") == "“{name}” now has {n} view(s)."
    assert translate("„{name}“ hat jetzt {n} Ansicht(en).", "de") == "„{name}“ hat jetzt {n} Ansicht(en)."
    assert translate("Freiberg", "en") == "Freiberg"
    assert translate("„{name}“ hat jetzt {n} Ansicht(en).", "xx") == "„{name}“ hat jetzt {n} Ansicht(en)."


def test_a_message_is_the_german_sentence_and_renders_english_with_english_numbers():
    note = phrase("„{name}“ hat jetzt {n} Ansicht(en).", name="Rat", n=12345)
    assert isinstance(note, str) and isinstance(note, Text)
    assert note == "„Rat“ hat jetzt 12.345 Ansicht(en)."
    assert translate(note, "en") == "“Rat” now has 12,345 view(s)."
    assert translate(note, "de") == "„Rat“ hat jetzt 12.345 Ansicht(en)."


def test_message_with_unknown_template_stays_german():
    note = phrase("Noch nicht übersetzt: {x:.1f}", x=2.25)
    assert translate(note, "en") == "Noch nicht übersetzt: 2,2"


def test_numbers_dates_and_nan_in_templates():
    note = phrase("{d:%d.%m.%Y} {x:.1f} {y:.1f} {k:d}", d=dt.date(2024, 1, 2), x=1234.56, y=float("nan"),
               k=1000)
    assert note == "02.01.2024 1.234,6 – 1000"


def test_message_survives_pickling_with_its_template():
    note = pickle.loads(pickle.dumps(phrase("„{name}“ hat jetzt {n} Ansicht(en).", name="Rat", n=7)))
    assert note == "„Rat“ hat jetzt 7 Ansicht(en)."
    assert translate(note, "en") == "“Rat” now has 7 view(s)."


def test_placeholders_are_the_field_names():
    assert placeholders("{n} von {total:.1f} · {n}") == {"n", "total"}
    assert placeholders("ohne Werte") == set()


def test_every_catalogue_entry_keeps_the_placeholders_of_its_german_text():
    wrong = {de: en for de, en in catalogue().items() if placeholders(de) != placeholders(en)}
    assert wrong == {}


def test_no_catalogue_entry_is_empty():
    assert all(en.strip() for en in catalogue().values())


# --- every German text the app can show has an English entry --------------------------------
ROOT = Path(__file__).resolve().parents[2]
TRANSLATING = {"_", "translate", "phrase"}


def translated_literals() -> dict[str, str]:
    """Every literal passed to ``_``, ``translate`` or ``phrase`` (app.py, ui/, geo/, layers/) → where."""
    found: dict[str, str] = {}
    sources = [ROOT / "app.py", *(path for package in ("ui", "geo", "layers")
                                  for path in sorted((ROOT / package).rglob("*.py")))]
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in TRANSLATING:
                continue
            first = node.args[0]
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(first, ast.JoinedStr):
                found[f"<f-string at {where}>"] = where  # never in the catalogue: fails below
            elif isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, where)
    return found


def test_the_source_scan_finds_the_translated_texts():
    found = translated_literals()
    assert "Sachsen" in found  # geo/analysis.py, title_line
    assert "Unbekannter Gemeindeschlüssel „{key}“ – zeige ganz Sachsen." in found  # geo/view.py
    assert "Vorfälle je 1.000 Einwohner" in found  # layers/rates.py, the legend title
    assert len(found) > 100


def test_every_text_passed_to_the_translate_helpers_has_an_english_entry():
    missing = {text: where for text, where in translated_literals().items() if text not in catalogue()}
    assert missing == {}


def test_every_label_table_the_app_shows_has_english_entries():
    tables = [*METHOD_LABELS.values(), *METHOD_HELP.values(), *CATEGORY_LABELS.values(),
              *METHOD_NAMES.values(), DEMO_LABEL, "Raten je Kreis (geglättet)"]
    assert [text for text in tables if text not in catalogue()] == []


def test_every_label_table_the_map_shows_has_english_entries():
    tables = [*GI_CLASSES.values(), *LISA_LABELS.values(), *(label for _, label in GEMEINDE_TOOLTIP),
              *rates_layers._ALIASES, *asskomm_layers._ALIASES, asskomm_layers.LAYER_NAME,
              *(label for label, _ in asskomm_layers.legend_entries()), *asskomm_layers.STATUS_COLOURS,
              *asskomm.PRAEVENTIONSRAT[:-1], *asskomm.SICHERHEITSANALYSE[:-1],
              "keine Angabe", "Datum unbekannt", "mitgeliefert", "ergänzt", "mitgeliefert, ergänzt",
              *COINCIDENCE_CLASSES, "Standardregel (ArcGIS Pro)", "vorgegeben",
              # tooltip aliases written where the layers are made (translated by the helpers)
              "Klasse", "Vorfälle in der Zelle", "Vorfälle in der Nachbarschaft", "z-Wert",
              "p (FDR-korrigiert)", "Zelle", "Gemeinde",
              "Fühlt sich nachts unsicher", "95-%-Intervall (Wilson)", "Antworten", "Gebiet", "Einordnung",
              "Angst", "Vorfälle", "Rate je 1.000 Einwohner (geglättet)", "Kerndichte (KDE)",
              "Hot- und Coldspots (Gi*)", "Cluster und Ausreißer (LISA)", "Angsträume (Befragung)",
              "Unsicherheitsgefühl nachts (Befragung)", "Angst und Vorfälle"]
    assert [text for text in tables if text not in catalogue()] == []


def test_title_line_and_notes_in_english(freiberg_analysis):
    analysis = freiberg_analysis
    assert analysis.title_line() == ("Freiberg · Graffiti, Vermüllung · 01.01.2024 – 31.12.2024 · "
                                     "Raten je Gemeinde (geglättet) · Quelle: Demodaten (synthetisch)")
    assert analysis.title_line(lang="en") == (
        "Freiberg · Graffiti, Littering · 01.01.2024 – 31.12.2024 · "
        "Rates per municipality (smoothed) · Source: Demo data (synthetic)")
    assert translate(analysis.notes[0], "en") == (
        "Demo data (synthetic): the incidents are made up and only show how the atlas works.")
