"""What the user looks at, as plain data that a URL can carry.

A `View` holds area, categories, period, method and its parameters, and the mode
(``planung`` at a desk, ``sitzung`` on the shared screen of a prevention council).
:func:`from_query` reads ``st.query_params``-like mappings and never fails: every bad
value becomes a German message (translatable, see :mod:`geo.lang`) and falls back to its
default. :func:`to_query` writes only what differs from the defaults, so links stay short.
The interface language (``sprache``) travels in the same URL but is not part of a `View`
(:func:`language_from_query`, :func:`with_language`). Saved view sequences for the
Sitzungsmodus are JSON files (:func:`save_views`, :func:`load_views`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.boundaries import gemeinde_labels, kreis_labels, merged_into
from geo.errors import InputFileError
from geo.filenames import safe_name
from geo.files import write_atomic
from geo.incidents.categories import CATEGORIES
from geo.lang import DEFAULT_LANG, LANGUAGES, phrase

METHODS = ("rates", "kde", "gi", "lisa", "emerging")
STEPS = ("quartal", "jahr")  # emerging hot spots: time steps
INFERENCES = ("analytisch", "permutation")  # LISA
MODES = ("planung", "sitzung")
LEVELS = ("gemeinde", "kreis")
BANDWIDTH_RULES = ("auto", "regel")  # ``bandbreite=auto|regel|<metres>``
OVERLAYS = ("asskomm", "befragung", "massnahmen")  # ASSKomm network, Bürgerbefragung, Maßnahmenregister

CELL_RANGE_M = (100, 1000)
BANDWIDTH_RANGE_M = (100, 5000)
RADIUS_RANGE = (1, 5)
MIN_COUNT_RANGE = (1, 50)
MEASURE_RANGE = (1, 999_999_999)


@dataclass(frozen=True)
class View:
    """One view of the atlas. ``area`` is None (Sachsen), a 5-digit Kreis key or an 8-digit AGS."""

    area: str | None = None
    categories: tuple[str, ...] = ("graffiti",)
    start: dt.date | None = None
    end: dt.date | None = None
    method: str = "rates"
    level: str = "gemeinde"
    cell_m: int = 250
    bandwidth_m: int | None = None  # a fixed KDE bandwidth in metres; None: by `bandwidth_rule`
    bandwidth_rule: str = "auto"  # "auto": chosen by validation; "regel": ArcGIS Pro's rule
    step: str = "quartal"  # emerging hot spots: "quartal" or "jahr"
    inference: str = "analytisch"  # LISA p-values: "analytisch" or "permutation"
    radius: int = 1
    min_count: int = 3
    mode: str = "planung"
    dataset: str | None = None  # None: all imported data, or the demo data when none
    title: str = ""  # the name of a saved view, e.g. "Graffiti Innenstadt 2024"
    overlays: tuple[str, ...] = ("massnahmen",)  # extra layers from OVERLAYS (``ebenen=keine``: none)
    split: dt.date | None = None  # predictive accuracy: fit before, test from (None: default rule)
    measure: int | None = None  # number of a measure of the register the view shows (``massnahme=``)

    def __post_init__(self) -> None:
        # The council screen never shows a figure built on fewer than 3 incidents.
        if self.mode == "sitzung" and self.min_count < 3:
            object.__setattr__(self, "min_count", 3)


DEFAULT = View()


def _int_in(raw: str, name: str, bounds: tuple[int, int], problems: list[str]) -> int | None:
    try:
        value = int(raw)
    except ValueError:
        problems.append(phrase("„{name}={raw}“ ist keine ganze Zahl – Standardwert verwendet.",
                               name=name, raw=raw))
        return None
    low, high = bounds
    if not low <= value <= high:
        problems.append(phrase("„{name}={raw}“ liegt nicht zwischen {low:d} und {high:d} – "
                               "Standardwert verwendet.", name=name, raw=raw, low=low, high=high))
        return None
    return value


def _date(raw: str, name: str, problems: list[str]) -> dt.date | None:
    for parse in (dt.date.fromisoformat, lambda s: dt.datetime.strptime(s, "%d.%m.%Y").date()):
        try:
            return parse(raw)
        except ValueError:
            continue
    problems.append(phrase("„{name}={raw}“ ist kein Datum (JJJJ-MM-TT oder TT.MM.JJJJ) – ignoriert.",
                           name=name, raw=raw))
    return None


def from_query(params: Mapping[str, str]) -> tuple[View, list[str]]:
    """Build a `View` from URL parameters; returns the view and German messages for bad values.

    Parameters: ``ags`` (8-digit Gemeinde) or ``kreis`` (5-digit), ``kategorie``
    (comma-separated), ``von``, ``bis``, ``methode``, ``ebene``, ``zelle``, ``bandbreite``
    (``auto``, ``regel`` or metres),
    ``radius``, ``k`` (minimum count), ``modus``, ``daten``, ``titel``, ``ebenen``
    (comma-separated overlays: ``asskomm``, ``befragung``, ``massnahmen`` – the default – or
    ``keine``), ``massnahme`` (number of a measure to show), ``teilung`` (split date of the
    predictive accuracy check), ``schritt`` (``quartal`` or ``jahr``: the time steps of
    ``methode=emerging``), ``inferenz`` (``analytisch`` or ``permutation``: LISA's p-values).
    """
    problems: list[str] = []
    values: dict[str, object] = {}
    get = {k: str(v).strip() for k, v in params.items() if str(v).strip()}

    if "ags" in get:
        if get["ags"] in gemeinde_labels():
            values["area"] = get["ags"]
        elif (old := merged_into(get["ags"])) is not None and get["ags"].isdigit():
            values["area"] = old["ags"]
            problems.append(phrase("{old} ({key}) gehört seit einer Gemeindefusion zu {name} – zeige {name}.",
                                   old=old["name_alt"], key=get["ags"], name=old["name"]))
        else:
            problems.append(phrase("Unbekannter Gemeindeschlüssel „{key}“ – zeige ganz Sachsen.",
                                   key=get["ags"]))
    elif "kreis" in get:
        if get["kreis"] in kreis_labels():
            values["area"] = get["kreis"]
        else:
            problems.append(phrase("Unbekannter Kreisschlüssel „{key}“ – zeige ganz Sachsen.",
                                   key=get["kreis"]))

    if "kategorie" in get:
        wanted = [c.strip().lower() for c in get["kategorie"].split(",") if c.strip()]
        unknown = [c for c in wanted if c not in CATEGORIES]
        known = tuple(dict.fromkeys(c for c in wanted if c in CATEGORIES))
        if unknown:
            problems.append(phrase("Unbekannte Kategorie „{unknown}“ – erlaubt: {allowed}.",
                                   unknown=", ".join(unknown), allowed=", ".join(CATEGORIES)))
        if known:
            values["categories"] = known

    for key, attr in (("von", "start"), ("bis", "end"), ("teilung", "split")):
        if key in get and (day := _date(get[key], key, problems)) is not None:
            values[attr] = day
    if values.get("start") and values.get("end") and values["start"] > values["end"]:
        problems.append(phrase("„von“ liegt nach „bis“ – Zeitraum ignoriert."))
        values.pop("start"), values.pop("end")

    for key, attr, allowed in (("methode", "method", METHODS), ("modus", "mode", MODES),
                               ("ebene", "level", LEVELS), ("schritt", "step", STEPS),
                               ("inferenz", "inference", INFERENCES)):
        if key in get:
            if get[key] in allowed:
                values[attr] = get[key]
            else:
                problems.append(phrase("„{key}={raw}“ ist unbekannt – erlaubt: {allowed}.", key=key,
                                       raw=get[key], allowed=", ".join(allowed)))

    if get.get("bandbreite") in BANDWIDTH_RULES:
        values["bandwidth_rule"] = get.pop("bandbreite")
    numbers = (("zelle", "cell_m", CELL_RANGE_M), ("bandbreite", "bandwidth_m", BANDWIDTH_RANGE_M),
               ("radius", "radius", RADIUS_RANGE), ("k", "min_count", MIN_COUNT_RANGE),
               ("massnahme", "measure", MEASURE_RANGE))
    for key, attr, bounds in numbers:
        if key in get and (number := _int_in(get[key], key, bounds, problems)) is not None:
            values[attr] = number

    if "ebenen" in get:
        wanted = [o.strip() for o in get["ebenen"].split(",") if o.strip() not in ("", "keine")]
        if unknown := [o for o in wanted if o not in OVERLAYS]:
            problems.append(phrase("Unbekannte Ebene „{unknown}“ – erlaubt: {allowed}.",
                                   unknown=", ".join(unknown), allowed=", ".join(OVERLAYS)))
        values["overlays"] = tuple(o for o in OVERLAYS if o in wanted)

    if "daten" in get:
        values["dataset"] = get["daten"]
    if "titel" in get:
        values["title"] = get["titel"][:120]
    return dataclasses.replace(DEFAULT, **values), problems


def to_query(view: View) -> dict[str, str]:
    """URL parameters for `view`, only those that differ from the defaults."""
    query: dict[str, str] = {}
    if view.area is not None:
        query["ags" if len(view.area) == 8 else "kreis"] = view.area
    if view.categories != DEFAULT.categories:
        query["kategorie"] = ",".join(view.categories)
    if view.overlays != DEFAULT.overlays:
        query["ebenen"] = ",".join(view.overlays) or "keine"
    if view.start:
        query["von"] = view.start.isoformat()
    if view.end:
        query["bis"] = view.end.isoformat()
    if view.split:
        query["teilung"] = view.split.isoformat()
    if view.bandwidth_m is None and view.bandwidth_rule != DEFAULT.bandwidth_rule:
        query["bandbreite"] = view.bandwidth_rule
    simple = (("methode", "method"), ("ebene", "level"), ("zelle", "cell_m"), ("bandbreite", "bandwidth_m"),
              ("radius", "radius"), ("k", "min_count"), ("schritt", "step"), ("inferenz", "inference"),
              ("modus", "mode"), ("daten", "dataset"), ("titel", "title"), ("massnahme", "measure"))
    for key, attr in simple:
        value = getattr(view, attr)
        if value != getattr(DEFAULT, attr) and value is not None:
            query[key] = str(value)
    return query


LANGUAGE_PARAM = "sprache"


def language_from_query(params: Mapping[str, str]) -> tuple[str, list[str]]:
    """The interface language a URL asks for: ``sprache=en`` or German (absent, empty or bad).

    Never fails, like :func:`from_query`: an unknown value gives a message (in German
    and English, since whoever typed it may read either) and German.

    The language is kept beside the `View`, not in it: it changes the words, not the
    figures, so the cached analysis and saved view sequences do not depend on it.
    """
    raw = str(params.get(LANGUAGE_PARAM, "")).strip()
    if not raw or raw in LANGUAGES:
        return raw or DEFAULT_LANG, []
    allowed = ", ".join(LANGUAGES)
    problem = phrase("„{param}={raw}“ ist unbekannt – erlaubt: {allowed}; zeige Deutsch. "
                     "/ Unknown language “{raw}” – allowed: {allowed}; showing German.",
                     param=LANGUAGE_PARAM, raw=raw, allowed=allowed)
    return DEFAULT_LANG, [problem]


BASEMAP_PARAM = "karte"
#: Background maps (``karte=``): basemap.de grey and colour, OpenStreetMap, none, local tiles.
BASEMAPS = ("basemapde", "basemapde-farbe", "osm", "keine", "lokal")


def basemap_from_query(params: Mapping[str, str], default: str) -> tuple[str, list[str]]:
    """The background map a URL asks for (``karte=``), else the installation's `default`.

    Like the language it is kept beside the `View`: it changes what lies under the figures,
    not the figures. An unknown value gives a message and the default.
    """
    raw = str(params.get(BASEMAP_PARAM, "")).strip()
    if not raw or raw in BASEMAPS:
        return raw or default, []
    return default, [phrase("„{key}={raw}“ ist unbekannt – erlaubt: {allowed}.", key=BASEMAP_PARAM, raw=raw,
                            allowed=", ".join(BASEMAPS))]


def with_basemap(params: Mapping[str, str], basemap: str, default: str) -> dict[str, str]:
    """`params` with ``karte`` for `basemap`; the installation's `default` leaves it out."""
    out = {k: v for k, v in params.items() if k != BASEMAP_PARAM}
    if basemap != default:
        out[BASEMAP_PARAM] = basemap
    return out


def with_language(params: Mapping[str, str], lang: str) -> dict[str, str]:
    """`params` with ``sprache`` for `lang`; German, the default, leaves it out."""
    out = {k: v for k, v in params.items() if k != LANGUAGE_PARAM}
    if lang != DEFAULT_LANG:
        out[LANGUAGE_PARAM] = lang
    return out


@dataclass
class ViewSequence:
    """Saved views a presenter steps through (``next``/``previous``), e.g. for a council meeting."""

    name: str
    views: list[View] = field(default_factory=list)


def save_views(sequence: ViewSequence, path: Path) -> None:
    """Write `sequence` as readable JSON (each view as its URL parameters); atomic replace."""
    doc = {"name": sequence.name, "ansichten": [to_query(v) | {"titel": v.title} for v in sequence.views]}
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"))


def load_views(path: Path) -> tuple[ViewSequence, list[str]]:
    """Read a file written by :func:`save_views`; messages name the view that had a bad value."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise _not_a_sequence(path.name, err) from err
    return _parse_views(data, file=path.name, default_name=path.stem)


def _not_a_sequence(file: str, err: Exception) -> InputFileError:
    return InputFileError(f"{file}: keine gespeicherte Ansichtsfolge ({err.__class__.__name__}).")


def _parse_views(data: bytes, *, file: str, default_name: str) -> tuple[ViewSequence, list[str]]:
    try:
        doc = json.loads(data.decode("utf-8"))
        entries: Sequence[Mapping[str, str]] = doc["ansichten"]
        name = str(doc.get("name", default_name))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as err:
        raise _not_a_sequence(file, err) from err
    views, problems = [], []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.append(phrase("{file}, Ansicht {number}: kein Objekt – übersprungen.",
                                   file=file, number=number))
            continue
        view, issues = from_query(entry)
        views.append(view)
        problems.extend(phrase("{file}, Ansicht {number}: {issue}", file=file, number=number,
                               issue=issue) for issue in issues)
    return ViewSequence(name, views), problems


def import_sequence(directory: Path, filename: str, data: bytes) -> tuple[str, list[str]]:
    """Keep an uploaded view sequence (the bytes of `filename`) under `directory`.

    Returns the name it is kept under and messages on views with bad values (they fall
    back to defaults, as in :func:`load_views`). A file that is not a view sequence
    raises :class:`InputFileError` naming it, and nothing is written. A saved sequence of
    the same name is never overwritten: the upload is kept as ``NAME 2`` (``3`` …), and a
    message says so; the same file uploaded again is kept once.
    """
    path = sequence_path(directory, Path(filename).stem)
    problems = _parse_views(data, file=filename, default_name=path.stem)[1]
    wanted, number = path.stem, 2
    while path.exists() and path.read_bytes() != data:
        suffix = f" {number}"
        path = sequence_path(directory, wanted[:MAX_SEQUENCE_NAME - len(suffix)] + suffix)
        number += 1
    if path.stem != wanted:
        problems.append(phrase("Eine Ansichtsfolge „{name}“ gibt es schon; die hochgeladene heißt „{new}“.",
                               name=wanted, new=path.stem))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return path.stem, problems


MAX_SEQUENCE_NAME = 80


def sequence_path(directory: Path, name: str) -> Path:
    """Where the view sequence `name` is kept: ``<directory>/ansichten/<name>.json``, the name made
    safe by :func:`geo.filenames.safe_name` (letters, digits, ``-_`` and spaces, at most
    :data:`MAX_SEQUENCE_NAME` characters), so a name never becomes a path elsewhere or one the
    file system refuses."""
    safe = safe_name(name, default="sitzung", max_chars=MAX_SEQUENCE_NAME)
    return Path(directory) / "ansichten" / f"{safe}.json"


def list_sequences(directory: Path) -> list[str]:
    """Names of the saved view sequences under `directory`, alphabetical."""
    folder = Path(directory) / "ansichten"
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def add_view(directory: Path, name: str, view: View) -> ViewSequence:
    """Append `view` to the sequence `name` (created if new) and save it; returns the sequence."""
    path = sequence_path(directory, name)
    sequence = load_views(path)[0] if path.exists() else ViewSequence(name)
    sequence.views.append(view)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_views(sequence, path)
    return sequence


Step = tuple[str, int, int]  # (sequence name, view number, number of views)


def from_url(params: Mapping[str, str], directory: Path) -> tuple[View, list[str], Step | None]:
    """The view a URL asks for: its parameters, or view ``nr`` of a saved sequence.

    ``?folge=NAME&nr=2`` opens the second view of the sequence NAME (under `directory`)
    on the shared screen. Returns the view, German messages, and for a sequence the step
    ``(name, nr, total)`` (else None).
    """
    if "folge" not in params:
        view, problems = from_query(params)
        return view, problems, None
    name = str(params["folge"])
    try:
        sequence, problems = load_views(sequence_path(directory, name))
    except InputFileError as err:
        missing = phrase("Ansichtsfolge „{name}“ nicht gefunden ({err}).", name=name, err=str(err))
        return DEFAULT, [missing], None
    raw = str(params.get("nr", "")).strip()
    # ASCII digits only ("²" is a digit to str.isdigit but not to int), and no 5,000-digit numbers
    nr = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 1
    nr = min(max(nr, 1), max(len(sequence.views), 1))
    if not sequence.views:
        return DEFAULT, [*problems, phrase("Die Ansichtsfolge „{name}“ ist leer.", name=name)], None
    view = dataclasses.replace(sequence.views[nr - 1], mode="sitzung")
    return view, problems, (name, nr, len(sequence.views))
