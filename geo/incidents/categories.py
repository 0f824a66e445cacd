"""The app's six incident categories and the mapping from source labels to them.

The mapping lives in ``data/kategorien.csv`` (German defaults, documented in the
file). A user file in the same format extends it; its lines win on equal labels.
Labels are compared in a folded form (:func:`fold_label`): case, spacing,
punctuation, umlaut spelling (ä/ae), "insgesamt"/"gesamt", "und zwar" and paragraph
references do not matter. PKS Schlüsselzahlen are labels too ("899500").

A label that is not in the mapping is reported, never guessed.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

from geo.errors import InputFileError
from geo.sources import DATA_DIR

CATEGORIES = ("graffiti", "littering", "violence", "extremism", "drugs", "other")
CATEGORY_LABELS = {
    "graffiti": "Graffiti",
    "littering": "Vermüllung",
    "violence": "Gewalt im öffentlichen Raum",
    "extremism": "Extremismus",
    "drugs": "Drogen",
    "other": "Sonstiges",
}
#: Mapping target for labels that are deliberately not used (PKS summary keys etc.).
IGNORE = "ignorieren"
DEFAULT_MAPPING = DATA_DIR / "kategorien.csv"

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_PARAGRAPH = re.compile(r"§.*$")
_SUFFIX = re.compile(r"\b(insgesamt|gesamt|und zwar|total)\b")
_NON_WORD = re.compile(r"[^a-z0-9*]+")
_PKS_KEY = re.compile(r"^[0-9*]{6}$|^-{6}$")
#: Longer text is no label (the longest PKS offence names have about 150 characters); it
#: folds to "" and so matches nothing, without running the rules over a cell of megabytes.
MAX_LABEL = 1_000


def fold_label(label: object) -> str:
    """The comparison form of a category label (see module doc).

    >>> fold_label("Sachbeschädigung durch Graffiti insgesamt")
    'sachbeschaedigung durch graffiti'
    >>> fold_label("  VERMÜLLUNG ")
    'vermuellung'
    """
    if len(str(label)) > MAX_LABEL:
        return ""
    text = unicodedata.normalize("NFKC", str(label)).casefold().strip()
    if _PKS_KEY.match(text):
        return text
    text = _PARAGRAPH.sub("", text.translate(_UMLAUTS))
    text = _SUFFIX.sub(" ", text)
    return _NON_WORD.sub(" ", text).strip()


def _parse_mapping(text: str, *, name: str) -> dict[str, str]:
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return {}
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    result: dict[str, str] = {}
    problems = []
    for number, row in enumerate(reader, start=1):
        if number == 1 and [c.strip().casefold() for c in row[:2]] == ["bezeichnung", "kategorie"]:
            continue
        cells = [c.strip() for c in row]
        if len(cells) < 2 or not cells[0]:
            problems.append(f"Eintrag {number}: erwartet 'Bezeichnung;Kategorie', gelesen {row!r}")
            continue
        target = cells[1].casefold()
        if target not in CATEGORIES and target != IGNORE:
            allowed = ", ".join((*CATEGORIES, IGNORE))
            problems.append(
                f"Eintrag {number} ({cells[0]}): Kategorie '{cells[1]}' unbekannt, erlaubt: {allowed}"
            )
            continue
        result[fold_label(cells[0])] = target
    if problems:
        msg = f"{name}: Zuordnungsdatei fehlerhaft – " + "; ".join(problems[:10])
        raise InputFileError(msg)
    return result


@functools.cache
def _default_mapping() -> dict[str, str]:
    return _parse_mapping(DEFAULT_MAPPING.read_text(encoding="utf-8"), name=DEFAULT_MAPPING.name)


def load_mapping(path: str | Path | Mapping[str, str] | None = None) -> dict[str, str]:
    """Folded label → category (or ``"ignorieren"``): the defaults, extended by `path`.

    Parameters
    ----------
    path : path, mapping or None
        A CSV file ``Bezeichnung;Kategorie`` (``#`` starts a comment) or a dict
        ``{label: category}``; its entries are added to the shipped defaults and win
        on equal labels. ``None`` gives the defaults.

    Raises
    ------
    InputFileError
        If the file cannot be read, names an unknown category, or maps two
        overlapping PKS keys (a summary key and one of its parts) to one category.
    """
    mapping = dict(_default_mapping())
    if isinstance(path, Mapping):
        extra = {fold_label(k): str(v).strip().casefold() for k, v in path.items()}
        bad = sorted({v for v in extra.values() if v not in CATEGORIES and v != IGNORE})
        if bad:
            msg = f"Zuordnung: unbekannte Kategorie(n) {', '.join(bad)}; erlaubt: {', '.join(CATEGORIES)}."
            raise InputFileError(msg)
        mapping.update(extra)
    elif path is not None:
        path = Path(path)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except OSError as err:
            msg = f"Zuordnungsdatei {path} kann nicht gelesen werden ({err.strerror})."
            raise InputFileError(msg) from err
        except UnicodeDecodeError:
            text = path.read_bytes().decode("cp1252", errors="replace")
        mapping.update(_parse_mapping(text, name=path.name))
    _check_pks_overlaps(mapping)
    return mapping


# --- PKS keys: which summary keys contain which others --------------------------------------
#: Summary keys whose parts are not found by the key prefix (BKA PKS Schlüsselsystematik).
_PKS_SUMMARIES: dict[str, tuple[str, ...]] = {
    "------": ("",),  # Straftaten insgesamt: everything
    "890000": ("",),  # insgesamt ohne ausländerrechtliche Verstöße: nearly everything
    "892000": ("892", "111", "21", "222"),  # Gewaltkriminalität
    "899000": ("1", "2", "3", "4", "*", "674", "8995"),  # Straßenkriminalität (overlaps these)
    "674000": ("674", "8995"),  # Sachbeschädigung contains graffiti
    "972500": ("725",),
}


def pks_overlap(a: str, b: str) -> bool:
    """Whether two PKS Schlüsselzahlen may count the same cases (one contains the other)."""
    if a == b:
        return True
    return _contains(a, b) or _contains(b, a)


def _contains(outer: str, inner: str) -> bool:
    prefixes = _PKS_SUMMARIES.get(outer)
    if prefixes is not None:
        return any(inner.startswith(p) for p in prefixes)
    stem = outer.rstrip("0")
    return bool(stem) and "*" not in outer and inner.startswith(stem)


def _check_pks_overlaps(mapping: Mapping[str, str]) -> None:
    keys = sorted((k, v) for k, v in mapping.items() if _PKS_KEY.match(k) and v in CATEGORIES)
    for i, (key_a, cat_a) in enumerate(keys):
        for key_b, cat_b in keys[i + 1 :]:
            if cat_a == cat_b and pks_overlap(key_a, key_b):
                msg = (
                    f"Zuordnung: die PKS-Schlüssel {key_a} und {key_b} überschneiden sich "
                    f"(einer enthält Fälle des anderen) und sind beide '{cat_a}' zugeordnet; "
                    "das zählte Fälle doppelt. Bitte nur einen davon zuordnen, den anderen 'ignorieren'."
                )
                raise InputFileError(msg)
