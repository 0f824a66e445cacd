"""The Maßnahmenregister as files: CSV for spreadsheets, GeoJSON for GIS; import and export.

Columns (:data:`MEASURE_COLUMNS`, the contract in the README, "Maßnahmenregister"): ``Nr``,
``Titel``, ``Art``, ``Kategorien``, ``Ort``, ``Ortsart``, ``Gemeinde``, ``Beginn``, ``Ende``,
``Zuständig``, ``Kosten``, ``Status``, ``Beschluss``, ``Notizen``. ``Nr`` and ``Gemeinde`` are
written for readers and ignored on import (a measure gets a new number; its Gemeinde follows
from its place). The CSV is written like every CSV of the atlas (:func:`geo.export.to_csv_bytes`:
``;``, UTF-8 with BOM, decimal comma, formula-like text neutralised); ``Ort`` is the Gemeinde key
or WKT in WGS84. GeoJSON carries the place as geometry (WGS84), dates as ISO, numbers as numbers.

The import follows the incident import: encoding and delimiter are detected
(:mod:`geo.incidents.sniff`), every row is checked and a rejected row gets one German reason
naming file, row and column; the valid rows are stored in one transaction (with `strict`,
nothing if any row fails); a file without a usable row is an `InputFileError`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.errors import AtlasError, InputFileError
from geo.export import FORMULA_PREFIXES, to_csv_bytes, to_geojson_bytes
from geo.files import write_atomic
from geo.incidents import read_bytes
from geo.incidents.categories import fold_label
from geo.incidents.rows import quoted
from geo.incidents.sniff import DELIMITERS, decode, detect_format
from geo.measures.model import (
    FIELD_LABELS,
    MEASURE_KINDS,
    Measure,
    parse_categories,
    parse_cost,
    parse_date,
    parse_kind,
    parse_place_kind,
    parse_status,
    problems,
    validated,
)
from geo.measures.places import (
    Place,
    crs_of,
    gemeinde_place,
    geometry_of,
    load_json,
    projected_place,
    wkt_place,
)
from geo.measures.register import MeasureRegister
from geo.measures.report import MeasureReport

MEASURE_COLUMNS = ("Nr", "Titel", "Art", "Kategorien", "Ort", "Ortsart", "Gemeinde", "Beginn", "Ende",
                   "Zuständig", "Kosten", "Status", "Beschluss", "Notizen")
REQUIRED = ("Titel", "Art", "Kategorien", "Ort", "Beginn", "Status")
_DERIVED = ("Nr", "Gemeinde")
_KNOWN = {fold_label(c): c for c in MEASURE_COLUMNS} | {
    "zustaendigkeit": "Zuständig", "bemerkungen": "Notizen", "kosten eur": "Kosten", "kosten euro": "Kosten"}
_WKT = re.compile(r"^\s*[A-Za-z]+\s*(Z|M|ZM)?\s*(\(|EMPTY)", re.IGNORECASE)
WKT_DECIMALS = 9  # 1e-9 degrees: about 0.1 mm, well inside the register's 1 cm grid
_TO_WGS84 = Transformer.from_crs(METRIC_CRS, DISPLAY_CRS, always_xy=True)


# --- reading --------------------------------------------------------------------------------
def _cell(value: object) -> str:
    """A cell as text; the apostrophe the export puts before formula-like text is taken off again."""
    text = "" if value is None else str(value).strip()
    if text.startswith("'") and text[1:].lstrip(" ").startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _csv_records(raw: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """Header (canonical names, '' for unknown columns), the records with their line number, notes."""
    text, used = decode(raw, name)
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), 0)

    def known(delimiter: str) -> int:
        fields = next(csv.reader([lines[start] if lines else ""], delimiter=delimiter), [])
        return sum(fold_label(f) in _KNOWN for f in fields)

    delimiter = max(DELIMITERS, key=known)
    if known(delimiter) < 2:
        shown = quoted(lines[start] if lines else "", 120)
        expected = ";".join(c for c in MEASURE_COLUMNS if c not in _DERIVED)
        raise InputFileError(f"{name}: keine Kopfzeile des Maßnahmenregisters gefunden (Zeile {start + 1}: "
                             f"'{shown}'). Erwartet: {expected}.")
    reader = csv.reader(io.StringIO("\n".join(lines[start:])), delimiter=delimiter)
    names = next(reader)
    header = [_KNOWN.get(fold_label(c), "") for c in names]
    notes = [f"Zeichenkodierung {used}, Trennzeichen '{'Tab' if delimiter == chr(9) else delimiter}', "
             f"Kopfzeile in Zeile {start + 1}"]
    if unused := [quoted(n) for n, h in zip(names, header, strict=True) if not h and n.strip()]:
        notes.append(f"Spalte(n) {', '.join(repr(n) for n in unused)} nicht verwendet.")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputFileError(f"{name}: Spalte(n) {', '.join(missing)} fehlen "
                             f"(Kopfzeile in Zeile {start + 1}).")
    records, line = [], start + 1
    for cells in reader:
        first, line = line + 1, start + reader.line_num
        if any(c.strip() for c in cells):
            records.append((first, cells))
    return header, records, notes


def _place(cells: dict[str, str], geometry: object | None, crs: str) -> Place:
    kind = parse_place_kind(cells["Ortsart"]) if cells.get("Ortsart") else None
    if geometry is not None:
        return projected_place(geometry, crs=crs, kind=kind or "datei", source="Geometrie")
    text = cells.get("Ort", "")
    if not text:
        raise ValueError("fehlt (Gemeindeschlüssel, Gemeindename oder WKT in WGS84).")
    if _WKT.match(text):
        return wkt_place(text, kind=kind or "datei", source="WKT")
    place = gemeinde_place(text)
    return place if kind in (None, "gemeinde") else dataclasses.replace(place, kind=kind)


_PARSERS = {"Art": ("kind", parse_kind), "Kategorien": ("categories", parse_categories),
            "Beginn": ("start", parse_date), "Ende": ("end", parse_date), "Kosten": ("cost_eur", parse_cost),
            "Status": ("status", parse_status)}


def _row_measure(cells: dict[str, str], geometry: object | None = None, crs: str = DISPLAY_CRS,
                 ) -> tuple[Measure | None, list[str], tuple[str, ...]]:
    """The measure of one row and notes on its place, or the problems of its cells in column order
    (``Spalte 'Beginn': …``)."""
    found: list[tuple[str, str]] = []
    values: dict[str, object] = {}
    for column, (name, parse) in _PARSERS.items():
        text = cells.get(column, "")
        try:
            if not text and column in REQUIRED:
                raise ValueError("fehlt.")
            values[name] = parse(text) if text else None
        except ValueError as err:
            found.append((column, f"Spalte '{column}': {err}"))
    notes: tuple[str, ...] = ()
    try:
        place = _place(cells, geometry, crs)
        values |= {"place": place.geometry, "place_kind": place.kind, "ags": place.ags}
        notes = place.notes
    except (AtlasError, ValueError) as err:
        text = str(err)
        found.append(("Ort", text if text.startswith("Geometrie")
                      else f"Spalte 'Ort': {text.removeprefix('WKT: ')}"))
    if not cells.get("Titel"):
        found.append(("Titel", "Spalte 'Titel': fehlt."))
    if found:
        return None, [text for _, text in sorted(found, key=lambda f: MEASURE_COLUMNS.index(f[0]))], ()
    measure = Measure(None, cells["Titel"], responsible=cells.get("Zuständig", ""),
                      decision=cells.get("Beschluss", ""), notes=cells.get("Notizen", ""), **values)
    if more := problems(measure):
        return None, [f"Spalte '{FIELD_LABELS[n]}': {reason}" for n, reason in more], ()
    return validated(measure), [], notes


def read_measures(source: str | Path | bytes | object, *, name: str | None = None) -> MeasureReport:
    """Read and check a register file (CSV or GeoJSON); nothing is stored (see module doc).

    Returns
    -------
    MeasureReport
        ``measures``: the valid rows (without number); ``rejected_rows``: ``zeile``, ``grund``
        and the row's cells.
    """
    raw, file_name = read_bytes(source, name=name)
    kind = detect_format(raw, file_name)
    notes: list[str] = []
    if kind == "json":
        table, word = _geojson_records(raw, file_name), "Objekt"
    elif kind == "csv":
        header, records, notes = _csv_records(raw, file_name)
        table, word = [], "Zeile"
        for number, cells in records:
            problem = (f"{len(cells)} Felder, die Kopfzeile hat {len(header)} – Trennzeichen im Text?"
                       if len(cells) > len(header) else None)
            table.append((number, {h: _cell(c) for h, c in zip(header, cells, strict=False) if h}, None,
                          DISPLAY_CRS, problem))
    else:
        raise InputFileError(f"{file_name}: das Maßnahmenregister wird als CSV oder GeoJSON importiert.")
    report = MeasureReport(file_name, rows=len(table), notes=notes, word=word)
    rejected, seen = [], {}
    for number, cells, geometry, crs, problem in table:
        where = f"{file_name}, {word} {number}"
        measure, found, place_notes = (None, [problem], ()) if problem else _row_measure(cells, geometry, crs)
        if measure is not None:
            key = _identity(measure)
            if key in seen:
                measure, found = None, [f"doppelt – gleiche Maßnahme wie {word} {seen[key]}."]
            else:
                seen[key] = number
        if measure is None:
            rejected.append({"zeile": number, "grund": f"{where}: {_joined(found)}",
                             **cells})
        else:
            report.measures.append(measure)
            report.lines.append(number)
            report.notes.extend(f"{where}: {n}" for n in place_notes)
    if rejected:
        report.rejected_rows = pd.DataFrame(rejected).astype(object)
    return report


def _geojson_records(raw: bytes, name: str) -> list[tuple]:
    try:
        data, _ = load_json(raw, name)
    except AtlasError as err:
        raise InputFileError(str(err)) from err
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection" or not isinstance(
            data.get("features"), list):
        raise InputFileError(f"{name}: keine GeoJSON-FeatureCollection.")
    try:
        crs = crs_of(data, name)
    except AtlasError as err:
        raise InputFileError(str(err)) from err
    records = []
    for number, feature in enumerate(data["features"], start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        cells = {_KNOWN[fold_label(k)]: _property(v) for k, v in props.items() if fold_label(k) in _KNOWN}
        problem, geometry = None, None
        if isinstance(feature, dict) and feature.get("geometry") is not None:
            try:
                geometry = geometry_of(feature, "Geometrie")
            except AtlasError as err:
                problem = str(err)
        records.append((number, cells, geometry, crs, problem))
    return records


def _property(value: object) -> str:
    """A GeoJSON property as the text a CSV cell would hold (numbers with decimal comma)."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value).replace(".", ",")
    return _cell(value)


def _joined(problems: list[str]) -> str:
    """Several problems of a row as one sentence: ``Spalte 'Art': …; Spalte 'Beginn': ….``"""
    text = "; ".join(p.rstrip(".") for p in problems)
    return text if text.endswith("?") else text + "."


def _identity(measure: Measure) -> tuple:
    values = measure.values()
    return tuple((k, v.wkb if k == "place" else v) for k, v in values.items())


def import_measures(register: MeasureRegister, source: str | Path | bytes | object, *, who: str,
                    strict: bool = False, name: str | None = None) -> MeasureReport:
    """Read a register file and store its valid rows as new measures, in one transaction.

    A row equal to a measure already in the register (every field) is rejected as such, so a
    file imported twice adds nothing. With `strict`, nothing is stored if any row is rejected.

    Raises
    ------
    InputFileError
        If the file cannot be read or has no usable row (nothing is stored).
    """
    report = read_measures(source, name=name)
    present = {_identity(dataclasses.replace(m, id=None)): m.id for m in register.current()}
    kept, rejected = [], []
    for measure, line in zip(report.measures, report.lines, strict=True):
        number = present.get(_identity(measure))
        if number is None:
            kept.append((measure, line))
        else:
            reason = (f"{report.file}, {report.word} {line}: Maßnahme '{measure.title}' steht schon im "
                      f"Register (Nr. {number}).")
            rejected.append({"zeile": line, "grund": reason, "Titel": measure.title})
    if rejected:
        report.measures, report.lines = [m for m, _ in kept], [n for _, n in kept]
        both = pd.concat([report.rejected_rows, pd.DataFrame(rejected)], ignore_index=True)
        report.rejected_rows = both.sort_values("zeile", kind="stable", ignore_index=True).astype(object)
    if not report.rows:
        raise InputFileError(f"{report.file}: die Datei enthält keine Maßnahme, nur die Kopfzeile.")
    if not report.measures:
        reasons = "; ".join(report.rejected_rows["grund"].head(5))
        more = report.rejected - 5
        raise InputFileError(f"{report.file}: keine gültige Zeile – nichts gespeichert. {reasons}"
                             + (f" (und {more} weitere)" if more > 0 else ""))
    if strict and report.rejected:
        report.notes.append("--strict: wegen abgelehnter Zeilen nichts gespeichert.")
        return report
    report.measures = register.add_many(report.measures, who)
    report.stored = True
    return report


# --- writing --------------------------------------------------------------------------------
def _wgs84(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geometry, lambda x, y: _TO_WGS84.transform(x, y), interleaved=False)


def measures_frame(measures: list[Measure], *, for_csv: bool) -> gpd.GeoDataFrame:
    """The register as a table with :data:`MEASURE_COLUMNS` and the place as geometry (WGS84).

    For the CSV, dates are ``TT.MM.JJJJ`` and ``Ort`` holds the Gemeinde key or WKT; for GeoJSON,
    dates are ISO and ``Ort`` the Gemeinde key or empty (the geometry is the place).
    """
    geometries = [_wgs84(m.place) for m in measures]

    def day(value):
        return None if value is None else (f"{value:%d.%m.%Y}" if for_csv else value.isoformat())

    def place_text(measure, geometry):
        if measure.place_kind == "gemeinde":
            return measure.ags
        return shapely.to_wkt(geometry, rounding_precision=WKT_DECIMALS) if for_csv else None

    table = pd.DataFrame({
        "Nr": pd.Series([m.id for m in measures], dtype="Int64"),
        "Titel": [m.title for m in measures],
        "Art": [MEASURE_KINDS[m.kind] for m in measures],
        "Kategorien": [", ".join(m.category_labels) for m in measures],
        "Ort": [place_text(m, g) for m, g in zip(measures, geometries, strict=True)],
        "Ortsart": [m.place_kind for m in measures],
        "Gemeinde": [m.ags for m in measures],
        "Beginn": [day(m.start) for m in measures],
        "Ende": [day(m.end) for m in measures],
        "Zuständig": [m.responsible for m in measures],
        "Kosten": np.array([np.nan if m.cost_eur is None else m.cost_eur for m in measures], dtype=float),
        "Status": [m.status for m in measures],
        "Beschluss": [m.decision for m in measures],
        "Notizen": [m.notes for m in measures],
    }, columns=list(MEASURE_COLUMNS))
    return gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(geometries, crs=DISPLAY_CRS), crs=DISPLAY_CRS)


def measures_csv(measures: list[Measure]) -> bytes:
    """The register as a German CSV (see module doc), no geometry column."""
    table = measures_frame(measures, for_csv=True)
    return to_csv_bytes(pd.DataFrame(table.drop(columns="geometry")), {})


def measures_geojson(measures: list[Measure]) -> bytes:
    """The register as GeoJSON in WGS84 (a ``metadaten`` member says what it is)."""
    table = measures_frame(measures, for_csv=False)
    return to_geojson_bytes(table, {"inhalt": "Maßnahmenregister", "massnahmen": len(measures)})


def export_measures(measures: list[Measure], path: str | Path) -> Path:
    """Write `measures` to `path` (``.csv``, ``.geojson`` or ``.json``), atomically."""
    path = Path(path)
    suffix = path.suffix.casefold()
    if suffix not in (".csv", ".geojson", ".json"):
        raise AtlasError(f"{path.name}: das Maßnahmenregister wird als .csv oder .geojson geschrieben.")
    data = measures_csv(measures) if suffix == ".csv" else measures_geojson(measures)
    try:
        write_atomic(path, data)
    except OSError as err:
        raise AtlasError(f"{path}: kann nicht geschrieben werden ({err.strerror}).") from err
    return path
