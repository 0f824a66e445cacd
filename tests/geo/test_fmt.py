"""Numbers in the reader's language: German by default, English on request."""

from geo.fmt import zahl


def test_german_is_the_default_with_dot_thousands_and_decimal_comma():
    assert zahl(4_086_152) == "4.086.152"
    assert zahl(3.74, 1) == "3,7"
    assert zahl(4_086_152.5, 1, lang="de") == "4.086.152,5"


def test_english_groups_with_comma_and_uses_a_decimal_point():
    assert zahl(4_086_152, lang="en") == "4,086,152"
    assert zahl(1234.5, 1, lang="en") == "1,234.5"
    assert zahl(0.25, 2, lang="en") == "0.25"
