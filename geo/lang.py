"""The atlas in a second language: English for the German text the app writes.

German is the atlas's language and stays the default. Code keeps writing German; the
German text is the key of a catalogue (``geo/lang_en.json``, German → English) that
:func:`translate` looks up. Text that is not in the catalogue stays German, so a
missing entry never breaks a page (``tests/geo/test_lang.py`` finds missing entries).

Sentences with values are templates with named placeholders::

    translate("{n} Vorfälle", lang).format(n=...)

For sentences built deep in ``geo`` (notes, verdicts, URL messages) and shown later,
:func:`phrase` keeps template and values together: the result *is* the German sentence
(a ``str``), and ``translate(result, "en")`` renders the English template with the same
values. Numbers in a template are written by :func:`geo.fmt.zahl` in the target
language (``{pai:.1f}`` gives ``1,3`` in German and ``1.3`` in English; NaN gives
``–``); dates keep their format spec (``{day:%d.%m.%Y}`` in both languages).
"""

from __future__ import annotations

import functools
import json
import math
import numbers
import re
import string
from collections.abc import Mapping
from pathlib import Path

from geo.fmt import zahl

LANGUAGES = ("de", "en")
DEFAULT_LANG = "de"
LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}
CATALOGUE_EN = Path(__file__).with_name("lang_en.json")

_DECIMALS = re.compile(r"^,?\.(\d+)f$")


@functools.cache
def catalogue() -> dict[str, str]:
    """German text → English text, read once from :data:`CATALOGUE_EN`."""
    return json.loads(CATALOGUE_EN.read_text(encoding="utf-8"))


class Text(str):
    """A German sentence that remembers its template and values (made by :func:`phrase`).

    It is the German ``str`` wherever a string is expected (tests, CLI, reports);
    :func:`translate` renders the template's English version with the same values.
    """

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, values: Mapping[str, object] | None = None) -> Text:
        values = dict(values or {})
        obj = super().__new__(cls, render(template, values, lang=DEFAULT_LANG))
        obj.template = template
        obj.values = values
        return obj

    def __getnewargs__(self) -> tuple[str, dict[str, object]]:  # type: ignore[override]
        return self.template, self.values


def phrase(template: str, /, **values: object) -> Text:
    """The German sentence `template` filled with `values`, translatable later.

    Parameters
    ----------
    template : str
        German text with named placeholders (``{n}``, ``{pai:.1f}``, ``{day:%d.%m.%Y}``);
        the key of its English entry in the catalogue.
    **values
        The placeholders' values: numbers (written per language by :func:`geo.fmt.zahl`;
        ``{x:d}`` keeps an integer ungrouped), dates, text, or nested `Text` (translated
        with the sentence).

    Returns
    -------
    Text
        A ``str`` equal to the German sentence.

    >>> note = phrase("Nur {n} Vorfälle im Gebiet: Muster sind unsicher, Signifikanz ist bei so "
    ...               "wenigen Fällen selten.", n=1234)
    >>> note
    'Nur 1.234 Vorfälle im Gebiet: Muster sind unsicher, Signifikanz ist bei so wenigen Fällen selten.'
    >>> translate(note, "en")
    'Only 1,234 incidents in the area: patterns are uncertain, significance is rare with so few cases.'
    """
    return Text(template, values)


def translate(text: str, lang: str) -> str:
    """`text` in `lang`; German when `lang` is German or unknown or `text` has no entry.

    Parameters
    ----------
    text : str
        German text as written in the code (looked up as it is), or a :class:`Text`
        (looked up by its template, then filled with its values: numbers formatted for
        `lang`, nested `Text` values translated).
    lang : str
        One of :data:`LANGUAGES`.

    Returns
    -------
    str
        Plain text: a template stays a template (``translate("{n} Fälle", "en").format(n=3)``).
    """
    if isinstance(text, Text):
        if lang == DEFAULT_LANG or text.template not in _entries(lang):
            return str(text)
        return render(_entries(lang)[text.template], text.values, lang=lang)
    return _entries(lang).get(text, text)


def error_text(err: BaseException) -> str:
    """The message of `err`, as the :class:`Text` it was raised with if it was one.

    ``str(err)`` would give the German sentence only; this keeps it translatable.
    """
    first = err.args[0] if len(err.args) == 1 else None
    return first if isinstance(first, Text) else str(err)


def _entries(lang: str) -> Mapping[str, str]:
    return catalogue() if lang == "en" else {}


def render(template: str, values: Mapping[str, object], *, lang: str) -> str:
    """`template` filled with `values`, numbers written as `lang` readers expect them."""
    return _Formatter(lang).vformat(template, (), values)


def placeholders(template: str) -> set[str]:
    """The names of the placeholders in `template` (``"{n} von {total}"`` → ``{"n", "total"}``)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class _Formatter(string.Formatter):
    def __init__(self, lang: str) -> None:
        super().__init__()
        self.lang = lang

    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, Text):
            return translate(value, self.lang)
        if isinstance(value, numbers.Real) and not isinstance(value, bool):
            if isinstance(value, float) and math.isnan(value):
                return "–"
            match = _DECIMALS.match(format_spec)
            if match or (not format_spec and isinstance(value, numbers.Integral)):
                return zahl(float(value), int(match.group(1)) if match else 0, lang=self.lang)
        return super().format_field(value, format_spec)
