"""A measure of the Maßnahmenregister: what was done where, when, by whom, and why.

The vocabularies (:data:`MEASURE_KINDS`, :data:`STATUSES`, :data:`PLACE_KINDS`) map a key
(what the store and scripts keep) to its German label (what people read and may type).
:func:`problems` checks one measure and names the field of every problem with the German
name the register's files use as column header (:data:`FIELD_LABELS`), so a message reads
the same in the app, the command line and an import report.

A place is a (Multi)Polygon in ``METRIC_CRS`` (EPSG:25833, metres) kept on a 1 cm grid
(:func:`normalise_place`): the same place read back from WGS84 coordinates (GeoJSON, WKT)
is then exactly the stored one, so an export imported again gives equal measures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re

import shapely
from shapely.geometry.base import BaseGeometry

from geo.errors import AtlasError
from geo.fmt import zahl
from geo.incidents.categories import CATEGORIES, CATEGORY_LABELS, fold_label

MEASURE_KINDS = {
    "beleuchtung": "Beleuchtung",
    "sauberkeit": "Sauberkeit/Abfallbehälter",
    "graffiti": "Graffiti-Entfernung/legale Fläche",
    "streetwork": "Streetwork/Soziale Arbeit",
    "praesenz": "Polizei-/Ordnungsamtspräsenz",
    "gestaltung": "bauliche Gestaltung",
    "videoschutz": "Videoschutz",
    "sonstiges": "Sonstiges",
}
STATUSES = {"geplant": "geplant", "umgesetzt": "umgesetzt", "beendet": "beendet"}
PLACE_KINDS = {
    "zeichnung": "auf der Karte gezeichnet",
    "hotspot": "Hotspot-Gebiet (Gi*)",
    "gemeinde": "Gemeinde",
    "datei": "aus einer Datei",
}
#: Measure field → its German name (the column header of the register's CSV and GeoJSON).
FIELD_LABELS = {
    "title": "Titel", "kind": "Art", "categories": "Kategorien", "place": "Ort", "place_kind": "Ortsart",
    "ags": "Gemeinde", "start": "Beginn", "end": "Ende", "responsible": "Zuständig", "cost_eur": "Kosten",
    "status": "Status", "decision": "Beschluss", "notes": "Notizen",
}
#: Longest text a field may hold (characters).
MAX_TEXT = {"title": 200, "responsible": 200, "decision": 200, "notes": 5_000}
#: Grid the coordinates of a place are rounded to (metres).
PLACE_PRECISION_M = 0.01
#: Smallest and largest area a measure's place may have (a wall's stretch; a Landkreis).
MIN_AREA_M2 = 10.0
MAX_AREA_KM2 = 2_500.0

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$|^(\d{4})-(\d{2})-(\d{2})$")
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")


class MeasureError(AtlasError, ValueError):
    """A measure that cannot be stored as it is; the message names the fields."""


class UnknownMeasureError(AtlasError, KeyError):
    """No measure with this number (or it was deleted)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclasses.dataclass(frozen=True)
class Measure:
    """One measure as the register keeps it (see module doc; fields as in :data:`FIELD_LABELS`).

    ``id`` is None until the register stored it; ``categories`` are keys of
    :data:`geo.incidents.CATEGORIES`; ``place`` is in EPSG:25833; ``ags`` is the Gemeinde the
    place lies in (that of its representative point); ``end`` None means ongoing;
    ``cost_eur`` None means not stated.
    """

    id: int | None
    title: str
    kind: str
    categories: tuple[str, ...]
    place: BaseGeometry
    place_kind: str
    ags: str
    start: dt.date
    end: dt.date | None
    responsible: str = ""
    cost_eur: float | None = None
    status: str = "geplant"
    decision: str = ""
    notes: str = ""

    @property
    def kind_label(self) -> str:
        return MEASURE_KINDS.get(self.kind, self.kind)

    @property
    def category_labels(self) -> tuple[str, ...]:
        return tuple(CATEGORY_LABELS.get(c, c) for c in self.categories)

    def values(self) -> dict[str, object]:
        """The fields except ``id`` (what a version stores)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "id"}


FIELDS = tuple(f.name for f in dataclasses.fields(Measure) if f.name != "id")


@functools.cache
def _gemeinde_keys() -> frozenset[str]:
    from geo.boundaries import load_gemeinden

    return frozenset(load_gemeinden()["ags"])


def normalise_place(geometry: BaseGeometry) -> BaseGeometry:
    """`geometry` on the :data:`PLACE_PRECISION_M` grid, valid, in shapely's normal form.

    Idempotent: a normalised place normalised again is the same geometry (what makes an
    export→import round trip exact). A rounding that breaks validity is repaired on the grid.
    """
    rounded = shapely.set_precision(geometry, PLACE_PRECISION_M, mode="pointwise")
    if not shapely.is_valid(rounded):
        rounded = shapely.set_precision(shapely.make_valid(rounded), PLACE_PRECISION_M)
        rounded = polygonal_part(rounded)
    return shapely.normalize(rounded)


def polygonal_part(geometry: BaseGeometry) -> BaseGeometry:
    """The polygons of `geometry` (a GeometryCollection from a repair may hold lines and points too)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def problems(measure: Measure) -> list[tuple[str, str]]:
    """Every problem of `measure` as (field, German reason); empty if it can be stored."""
    found: list[tuple[str, str]] = []
    if not isinstance(measure.title, str) or not measure.title.strip():
        found.append(("title", "fehlt."))
    for name, limit in MAX_TEXT.items():
        value = getattr(measure, name)
        if not isinstance(value, str):
            found.append((name, "ist kein Text."))
        elif len(value) > limit:
            found.append((name, f"ist {len(value)} Zeichen lang, erlaubt sind höchstens {limit}."))
    if measure.kind not in MEASURE_KINDS:
        kinds = ", ".join(MEASURE_KINDS.values())
        found.append(("kind", f"'{measure.kind}' ist keine Art; möglich: {kinds}."))
    unknown = [c for c in measure.categories if c not in CATEGORIES]
    if unknown or not measure.categories:
        found.append(("categories", f"{'unbekannt: ' + ', '.join(map(str, unknown)) if unknown else 'fehlen'}"
                                    f"; möglich: {', '.join(CATEGORY_LABELS.values())}."))
    place = measure.place
    if not isinstance(place, BaseGeometry) or place.geom_type not in ("Polygon", "MultiPolygon"):
        found.append(("place", "ist keine Fläche (Polygon oder MultiPolygon)."))
    elif place.is_empty or not place.is_valid:
        found.append(("place", "ist leer oder keine gültige Fläche."))
    elif not MIN_AREA_M2 <= place.area <= MAX_AREA_KM2 * 1e6:
        found.append(("place", f"{zahl(place.area, 1)} m² liegt nicht zwischen {zahl(MIN_AREA_M2)} m² und "
                               f"{zahl(MAX_AREA_KM2)} km²."))
    if measure.place_kind not in PLACE_KINDS:
        found.append(("place_kind", f"'{measure.place_kind}' unbekannt; möglich: {', '.join(PLACE_KINDS)}."))
    if measure.ags not in _gemeinde_keys():
        found.append(("ags", f"'{measure.ags}' ist kein Gemeindeschlüssel einer sächsischen Gemeinde."))
    if not isinstance(measure.start, dt.date) or isinstance(measure.start, dt.datetime):
        found.append(("start", "fehlt oder ist kein Datum."))
    elif measure.end is not None:
        if not isinstance(measure.end, dt.date) or isinstance(measure.end, dt.datetime):
            found.append(("end", "ist kein Datum."))
        elif measure.end < measure.start:
            found.append(("end", f"{measure.end:%d.%m.%Y} liegt vor dem Beginn ({measure.start:%d.%m.%Y})."))
    cost = measure.cost_eur
    if cost is not None and not (isinstance(cost, int | float) and math.isfinite(cost) and cost >= 0):
        found.append(("cost_eur", f"'{cost}' ist kein Betrag (Euro, nicht negativ)."))
    if measure.status not in STATUSES:
        found.append(("status", f"'{measure.status}' ist kein Status; möglich: {', '.join(STATUSES)}."))
    elif measure.status == "beendet" and measure.end is None:
        found.append(("end", "fehlt: eine beendete Maßnahme braucht ihr Ende."))
    return found


def problem_text(found: list[tuple[str, str]], *, word: str = "Feld") -> str:
    """``Feld 'Beginn': fehlt; Feld 'Status': …`` (with `word` ``"Spalte"`` for files)."""
    return "; ".join(f"{word} '{FIELD_LABELS[name]}': {reason.rstrip('.')}" for name, reason in found) + "."


def validated(measure: Measure) -> Measure:
    """`measure` with tidy values (text stripped, categories in their order, place normalised),
    or `MeasureError` naming every problem."""
    if isinstance(measure.place, BaseGeometry) and not measure.place.is_empty:
        measure = dataclasses.replace(measure, place=normalise_place(measure.place))
    if isinstance(measure.categories, str | list | tuple | set | frozenset):
        chosen = {measure.categories} if isinstance(measure.categories, str) else set(measure.categories)
        ordered = (*(c for c in CATEGORIES if c in chosen), *sorted(chosen - set(CATEGORIES), key=str))
        measure = dataclasses.replace(measure, categories=ordered)
    texts: dict[str, object] = {n: getattr(measure, n).strip() for n in ("title", *MAX_TEXT)
                                if isinstance(getattr(measure, n), str)}
    if isinstance(measure.cost_eur, int) and not isinstance(measure.cost_eur, bool):
        texts["cost_eur"] = float(measure.cost_eur)
    measure = dataclasses.replace(measure, **texts)
    found = problems(measure)
    if found:
        title = measure.title if isinstance(measure.title, str) and measure.title.strip() else "ohne Titel"
        msg = f"Maßnahme '{title}': {problem_text(found)}"
        raise MeasureError(msg)
    return measure


# --- reading values as people write them --------------------------------------------------
def _lookup(text: str, vocabulary: dict[str, str]) -> str | None:
    folded = fold_label(text)
    for key, label in vocabulary.items():
        if folded in (fold_label(key), fold_label(label)):
            return key
    return None


def parse_kind(text: str) -> str:
    """The key of an Art given as key or label (``sauberkeit`` or ``Sauberkeit/Abfallbehälter``)."""
    key = _lookup(text, MEASURE_KINDS)
    if key is None:
        raise ValueError(f"'{text}' ist keine Art; möglich: {', '.join(MEASURE_KINDS.values())}.")
    return key


def parse_status(text: str) -> str:
    """The key of a Status (``geplant``, ``umgesetzt``, ``beendet``)."""
    key = _lookup(text, STATUSES)
    if key is None:
        raise ValueError(f"'{text}' ist kein Status; möglich: {', '.join(STATUSES)}.")
    return key


def parse_place_kind(text: str) -> str:
    key = _lookup(text, PLACE_KINDS)
    if key is None:
        raise ValueError(f"'{text}' ist keine Ortsart; möglich: {', '.join(PLACE_KINDS)}.")
    return key


def parse_categories(text: str) -> tuple[str, ...]:
    """Category keys from keys or labels separated by ``,`` (``graffiti, Vermüllung``)."""
    parts = [p for p in (s.strip() for s in str(text).split(",")) if p]
    if not parts:
        raise ValueError(f"fehlen; möglich: {', '.join(CATEGORY_LABELS.values())}.")
    keys, bad = [], []
    for part in parts:
        key = _lookup(part, CATEGORY_LABELS)
        (keys if key else bad).append(key or part)
    if bad:
        raise ValueError(f"unbekannt: {', '.join(repr(b) for b in bad)}; "
                         f"möglich: {', '.join(CATEGORY_LABELS.values())}.")
    return tuple(c for c in CATEGORIES if c in keys)


def parse_date(text: str) -> dt.date:
    """``TT.MM.JJJJ`` (also ``1.2.2025``) or ISO ``JJJJ-MM-TT``."""
    match = _DATE.match(str(text).strip())
    try:
        if match is None:
            raise ValueError
        day, month, year = match.group(1, 2, 3) if match.group(1) else match.group(6, 5, 4)
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"'{text}' ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT).") from None


def parse_cost(text: str) -> float | None:
    """Euro as written in Germany (``12.500,50``, ``12500,5 €``) or with a point (``12500.5``);
    empty → None."""
    raw = str(text).strip()
    cleaned = re.sub(r"\s|€|(?i:eur(o)?)", "", raw)
    if not cleaned:
        return None
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(".", "")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"'{raw}' ist kein Betrag in Euro (z. B. 12.500,00).") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"'{raw}' ist kein Betrag in Euro (nicht negativ).")
    return value
