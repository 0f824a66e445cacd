"""The English catalogue: lookups, templates with values, and that nothing is left out."""

import datetime as dt
import pickle

from geo.lang import LANGUAGES, Text, catalogue, phrase, placeholders, translate


def test_languages_are_german_first_then_english():
    assert LANGUAGES == ("de", "en")


def test_german_text_is_the_key_and_unknown_text_stays_german():
    assert translate("Nur {n} Vorfälle im Gebiet.", "en") == "Only {n} incidents in the area."
    assert translate("Nur {n} Vorfälle im Gebiet.", "de") == "Nur {n} Vorfälle im Gebiet."
    assert translate("Freiberg", "en") == "Freiberg"
    assert translate("Nur {n} Vorfälle im Gebiet.", "xx") == "Nur {n} Vorfälle im Gebiet."


def test_a_message_is_the_german_sentence_and_renders_english_with_english_numbers():
    note = phrase("Nur {n} Vorfälle im Gebiet.", n=12345)
    assert isinstance(note, str) and isinstance(note, Text)
    assert note == "Nur 12.345 Vorfälle im Gebiet."
    assert translate(note, "en") == "Only 12,345 incidents in the area."
    assert translate(note, "de") == "Nur 12.345 Vorfälle im Gebiet."


def test_message_with_unknown_template_stays_german():
    note = phrase("Noch nicht übersetzt: {x:.1f}", x=2.25)
    assert translate(note, "en") == "Noch nicht übersetzt: 2,2"


def test_numbers_dates_and_nan_in_templates():
    note = phrase("{d:%d.%m.%Y} {x:.1f} {y:.1f} {k:d}", d=dt.date(2024, 1, 2), x=1234.56, y=float("nan"),
               k=1000)
    assert note == "02.01.2024 1.234,6 – 1000"


def test_message_survives_pickling_with_its_template():
    note = pickle.loads(pickle.dumps(phrase("Nur {n} Vorfälle im Gebiet.", n=7)))
    assert note == "Nur 7 Vorfälle im Gebiet."
    assert translate(note, "en") == "Only 7 incidents in the area."


def test_placeholders_are_the_field_names():
    assert placeholders("{n} von {total:.1f} · {n}") == {"n", "total"}
    assert placeholders("ohne Werte") == set()


def test_every_catalogue_entry_keeps_the_placeholders_of_its_german_text():
    wrong = {de: en for de, en in catalogue().items() if placeholders(de) != placeholders(en)}
    assert wrong == {}


def test_no_catalogue_entry_is_empty():
    assert all(en.strip() for en in catalogue().values())
