"""The category mapping: folding, shipped defaults, user extensions, PKS overlaps."""

import pytest

from geo.errors import InputFileError
from geo.incidents import CATEGORIES, CATEGORY_LABELS
from geo.incidents.categories import fold_label, load_mapping, pks_overlap


def test_contract_names():
    assert CATEGORIES == ("graffiti", "littering", "violence", "extremism", "drugs", "other")
    assert CATEGORY_LABELS["violence"] == "Gewalt im öffentlichen Raum"
    assert CATEGORY_LABELS["littering"] == "Vermüllung"


@pytest.mark.parametrize(
    ("label", "folded"),
    [
        ("Sachbeschädigung durch Graffiti insgesamt", "sachbeschaedigung durch graffiti"),
        ("  VERMÜLLUNG ", "vermuellung"),
        ("Vermuellung", "vermuellung"),
        ("Sachbeschädigung §§ 303-305a StGB", "sachbeschaedigung"),
        ("Wilde   Müll-Ablagerung", "wilde muell ablagerung"),
        ("899500", "899500"),
        ("3***00", "3***00"),
        ("------", "------"),
    ],
)
def test_fold_label(label, folded):
    assert fold_label(label) == folded


def test_shipped_defaults_cover_the_issue_examples():
    mapping = load_mapping()
    expected = {
        "Graffiti": "graffiti",
        "Farbschmiererei": "graffiti",
        "Sachbeschädigung durch Graffiti": "graffiti",
        "Vermüllung": "littering",
        "wilde Müllablagerung": "littering",
        "illegale Abfallablagerung": "littering",
        "Körperverletzung": "violence",
        "Raub": "violence",
        "Schlägerei": "violence",
        "Bedrohung im öffentlichen Raum": "violence",
        "899500": "graffiti",
        "892000": "violence",
        "899000": "ignorieren",
        "222000": "ignorieren",
    }
    assert {label: mapping[fold_label(label)] for label in expected} == expected
    assert fold_label("Hundekot") not in mapping


def test_user_file_extends_and_overrides(tmp_path):
    path = tmp_path / "meine.csv"
    path.write_text(
        "# eigene Zuordnung\nBezeichnung;Kategorie\nHundekot;littering\nRuhestörung;ignorieren\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    assert mapping["hundekot"] == "littering"
    assert mapping["ruhestoerung"] == "ignorieren"
    assert mapping["graffiti"] == "graffiti"


def test_user_file_with_unknown_category_is_rejected(tmp_path):
    path = tmp_path / "falsch.csv"
    path.write_text("Hundekot;Tiere\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="Kategorie 'Tiere' unbekannt"):
        load_mapping(path)


def test_overlapping_pks_keys_in_one_category_are_refused():
    with pytest.raises(InputFileError, match=r"892000 und 222000|222000 und 892000"):
        load_mapping({"222000": "violence"})
    # simple assault is not part of 892000: may be added by a user
    assert load_mapping({"224000": "violence"})["224000"] == "violence"


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("892000", "222000", True),
        ("892000", "217000", True),
        ("210000", "217000", True),
        ("674000", "899500", True),
        ("899000", "899500", True),
        ("------", "730000", True),
        ("892000", "224000", False),
        ("899500", "730000", False),
        ("892000", "899500", False),
    ],
)
def test_pks_overlap(a, b, overlap):
    assert pks_overlap(a, b) is overlap
    assert pks_overlap(b, a) is overlap
