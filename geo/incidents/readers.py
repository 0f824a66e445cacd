"""One reader per format, each turning a file into a `RawTable` for the one validation path.

Readers only read: they keep every value as the file has it (CSV cells as text,
spreadsheet cells as Excel typed them, a JSON record's nested list or object as its JSON
text) and the row number a person would look for (the spreadsheet line including the
header, or the position of a JSON record). Whatever a parser library makes of a damaged
file becomes one `InputFileError` naming the file; its warnings are not passed on (each
row that suffers gets its own reason in the validation).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyogrio
import shapely

from geo.errors import InputFileError
from geo.fmt import zahl
from geo.incidents import sniff
from geo.incidents.columns import count_known
from geo.incidents.report import DEMO_LABEL
from geo.incidents.rows import quoted


@dataclass
class RawTable:
    """A file's records before validation."""

    file: str
    frame: pd.DataFrame
    rows: np.ndarray  # 1-based row (line or record) number of each frame row
    row_word: str = "Zeile"
    crs: str | None = None  # known from the file (GeoJSON, GeoPackage, Open311)
    roles: dict[str, str] = field(default_factory=dict)  # preset by the reader
    demo: bool = False  # the file says it holds synthetic demo data
    notes: list[str] = field(default_factory=list)


def read_csv(raw: bytes, name: str, *, encoding: str | None = None, delimiter: str | None = None) -> RawTable:
    """CSV/TXT as German spreadsheets and international tools write it (see module doc)."""
    text, used = sniff.decode(raw, name, encoding=encoding)
    delim, header = sniff.find_header(text, name, delimiter=delimiter)
    data = raw if used == "utf-8" else text.encode("utf-8")
    grid = _arrow_grid(data, text, delim, header)
    if grid is None:
        grid = _pandas_grid(data, delim, header, name)
    frame = grid.iloc[1:].reset_index(drop=True)
    frame.columns = _column_names(grid.iloc[0].tolist())
    rows = np.arange(len(frame), dtype=np.int64) + header + 2
    keep = ~(frame == "").all(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    frame = frame[keep].reset_index(drop=True)
    notes = [f"Zeichenkodierung {used}, Trennzeichen '{_show(delim)}', Kopfzeile in Zeile {header + 1}"]
    demo = DEMO_LABEL in "\n".join(sniff.lines(text[: 1 << 16], header))
    if demo:
        notes.append(f"{DEMO_LABEL}: die Datei ist als synthetische Demodaten gekennzeichnet.")
    return RawTable(name, frame, rows[keep], notes=notes, demo=demo)


def _arrow_grid(data: bytes, text: str, delim: str, header: int) -> pd.DataFrame | None:
    """All cells from the header line on as strings, via pyarrow's multithreaded reader.

    None when the file needs the careful reader: blank lines (pyarrow would drop them and
    shift every row number) or lines with more fields than the header.
    """
    if "\n\n" in text or "\n\r\n" in text or "\r\r" in text:
        return None
    header_line = sniff.line_at(text, header)
    fields = len(next(csv.reader([header_line], delimiter=delim)))
    names = [f"f{i}" for i in range(fields)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(data.removeprefix(codecs.BOM_UTF8)),
            read_options=pacsv.ReadOptions(skip_rows=header, column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delim, quote_char='"'),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, UnicodeDecodeError):
        return None
    return table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)


def _pandas_grid(data: bytes, delim: str, header: int, name: str) -> pd.DataFrame:
    """All cells from the header line on as strings, from UTF-8 `data` (bytes: a text buffer would
    hold four bytes per character)."""
    try:
        # header=None: a line with more fields than the header is an error, never an implicit index.
        return pd.read_csv(
            io.BytesIO(data.removeprefix(codecs.BOM_UTF8)),
            encoding="utf-8",
            sep=delim,
            skiprows=header,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            quotechar='"',
        )
    except (pd.errors.ParserError, ValueError, csv.Error) as err:
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(err))
        open_quote = re.search(r"EOF inside string starting at row (\d+)", str(err))
        detail = (f"Zeile {found[2]} hat {zahl(int(found[3]))} Felder, die Kopfzeile {found[1]}" if found
                  else _short(err))
        if open_quote:
            line = header + int(open_quote[1]) + 1
            detail = f"in Zeile {line} öffnet ein Anführungszeichen, das bis zum Dateiende nicht schließt"
        msg = f"{name}: die CSV-Datei ist nicht lesbar ({detail})."
        raise InputFileError(msg) from err


def _column_names(cells: list[object]) -> list[str]:
    """Header cells as unique column names (empty → ``Spalte N``, repeated → ``Name (2)``)."""
    names: list[str] = []
    for number, cell in enumerate(cells, start=1):
        name = str(cell).strip() if cell is not None and str(cell).strip() and str(cell) != "nan" else ""
        name = name or f"Spalte {number}"
        base, copy = name, 2
        while name in names:
            name, copy = f"{base} ({copy})", copy + 1
        names.append(name)
    return names


def read_xlsx(raw: bytes, name: str, *, sheet: str | int | None = None) -> RawTable:
    """First (or the named) sheet of an XLSX workbook; cells keep their Excel types.

    The archive is checked before it is opened (:func:`geo.incidents.sniff.check_archive`).
    """
    sniff.check_archive(raw, name)
    try:
        with warnings.catch_warnings():  # "no default style", a date cell out of range, ...
            warnings.simplefilter("ignore")
            book = pd.read_excel(
                io.BytesIO(raw), sheet_name=None if sheet is None else sheet, header=None, engine="openpyxl"
            )
    except (ValueError, KeyError, zipfile.BadZipFile, OSError, EOFError) as err:
        msg = f"{name}: die Excel-Datei ist nicht lesbar ({_short(err)})."
        if sheet is not None:
            msg = f"{name}: Tabellenblatt '{sheet}' nicht lesbar oder nicht vorhanden ({_short(err)})."
        raise InputFileError(msg) from err
    except MemoryError:
        raise
    except Exception as err:  # openpyxl fails in assorted ways on damaged or hostile workbooks
        msg = f"{name}: die Excel-Datei ist beschädigt ({_short(err)})."
        raise InputFileError(msg) from err
    if isinstance(book, dict):
        sheet_name, grid = next(iter(book.items()))
    else:
        sheet_name, grid = sheet, book
    header = next((i for i in range(min(30, len(grid))) if count_known(grid.iloc[i].dropna()) >= 2), None)
    if header is None:
        msg = f"{name}: im Tabellenblatt '{sheet_name}' keine Kopfzeile mit bekannten Spaltennamen gefunden."
        raise InputFileError(msg)
    names = _column_names([v if pd.notna(v) else None for v in grid.iloc[header]])
    frame = grid.iloc[header + 1 :].copy()
    frame.columns = names
    keep = ~frame.isna().all(axis=1).to_numpy()
    rows = np.arange(len(frame), dtype=np.int64) + header + 2
    frame = frame[keep].reset_index(drop=True).infer_objects()
    return RawTable(
        name, frame, rows[keep], notes=[f"Tabellenblatt '{sheet_name}', Kopfzeile in Zeile {header + 1}"]
    )


def read_json(raw: bytes, name: str) -> RawTable:
    """GeoJSON FeatureCollection or Open311 GeoReport v2 service requests."""
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        msg = f"{name}: kein gültiges JSON – ab Zeile {line} kein UTF-8-Text (Binärdaten, andere Kodierung?)."
        raise InputFileError(msg) from err
    except json.JSONDecodeError as err:
        what = _JSON_ERRORS.get(err.msg, quoted(err.msg))
        msg = f"{name}: kein gültiges JSON (Zeile {err.lineno}, Spalte {err.colno}: {what})."
        raise InputFileError(msg) from err
    except RecursionError as err:  # e.g. 100,000 nested lists: no incident file nests like that
        msg = f"{name}: das JSON ist zu tief verschachtelt, um Vorfälle zu enthalten."
        raise InputFileError(msg) from err
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        if not isinstance(data.get("features"), list):
            msg = f"{name}: GeoJSON-FeatureCollection ohne Liste 'features'."
            raise InputFileError(msg)
        return read_geodata(raw, name)
    if isinstance(data, dict):
        data = data.get("service_requests", data.get("requests"))
    if data == []:
        msg = f"{name}: die Datei enthält keine Datenzeilen."
        raise InputFileError(msg)
    if isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
        return _open311(data, name)
    msg = f"{name}: JSON weder GeoJSON-FeatureCollection noch Open311-Liste (service_requests)."
    raise InputFileError(msg)


_JSON_ERRORS = {
    "Expecting value": "Wert erwartet",
    "Expecting property name enclosed in double quotes": "Feldname in Anführungszeichen erwartet",
    "Expecting ',' delimiter": "',' erwartet",
    "Expecting ':' delimiter": "':' erwartet",
    "Unterminated string starting at": "Zeichenkette ohne Ende",
    "Invalid control character at": "Steuerzeichen in einer Zeichenkette",
    "Invalid \\escape": "ungültige \\-Folge",
    "Invalid \\uXXXX escape": "ungültige \\u-Folge",
    "Extra data": "weitere Daten nach dem Ende",
}


def _json_text(value: object) -> object:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with nested values (JSON lists and objects, GDAL list fields) as their JSON text: a
    cell is one value, never a container (they cannot be compared, hashed or quoted as one)."""
    for column in frame.columns:
        if not pd.api.types.is_object_dtype(frame[column].dtype):
            continue
        nested = frame[column].map(lambda v: isinstance(v, dict | list | tuple | np.ndarray))
        if nested.any():
            frame[column] = frame[column].where(~nested, frame[column].map(_json_text))
    return frame


def _open311(records: list[dict], name: str) -> RawTable:
    fields: set[str] = set()
    for number, record in enumerate(records, start=1):
        fields.update(record)
        if len(fields) > sniff.MAX_COLUMNS:  # a record of a million fields would take minutes
            msg = (f"{name}: Eintrag {number} bringt die Einträge auf mehr als {zahl(sniff.MAX_COLUMNS)} "
                   "verschiedene Felder; Open311-Einträge haben wenige Dutzend.")
            raise InputFileError(msg)
    frame = _flat(pd.DataFrame.from_records(records))
    needed = {"service_name", "requested_datetime", "lat", "long"}
    if not needed <= set(frame.columns):
        missing = ", ".join(sorted(needed - set(frame.columns)))
        msg = f"{name}: Open311-Einträge ohne Feld(er) {missing}."
        raise InputFileError(msg)
    frame = frame.astype(object).where(frame.notna(), None)
    roles = {"category": "service_name", "date": "requested_datetime", "x": "long", "y": "lat"}
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawTable(
        name, frame, rows, row_word="Eintrag", crs="EPSG:4326", roles=roles, notes=["Open311 GeoReport v2"]
    )


def read_geodata(raw: bytes, name: str, *, layer: str | int | None = None) -> RawTable:
    """GeoJSON or GeoPackage (first or named layer): point geometry plus attributes."""
    suffix = ".gpkg" if raw.startswith(b"SQLite format 3") else ".geojson"
    try:
        # Through a named temporary file: GDAL checks the extension of a GeoPackage.
        with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL's notes on unclosed rings, odd coordinates, ...
            path = Path(folder) / f"daten{suffix}"
            path.write_bytes(raw)
            # A geometry GEOS cannot build (a line of one point) is read as none: "keine Koordinaten".
            gdf = pyogrio.read_dataframe(path, layer=layer, on_invalid="ignore")
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        ValueError,
        RuntimeError,
        shapely.errors.ShapelyError,
    ) as err:
        msg = f"{name}: Geodaten nicht lesbar ({_short(err)})."
        raise InputFileError(msg) from err
    geoms = gdf.geometry.values
    types = shapely.get_type_id(np.asarray(geoms))
    single = (types == 4) & (shapely.get_num_geometries(np.asarray(geoms)) == 1)
    points = np.where(single, shapely.get_geometry(np.asarray(geoms), 0), np.asarray(geoms))
    is_point = (shapely.get_type_id(points) == 0) & ~shapely.is_empty(points)  # POINT EMPTY has no x
    x = np.where(is_point, shapely.get_x(np.where(is_point, points, None)), np.nan)
    y = np.where(is_point, shapely.get_y(np.where(is_point, points, None)), np.nan)
    missing = shapely.is_missing(np.asarray(geoms)) | shapely.is_empty(np.asarray(geoms))
    frame = _flat(pd.DataFrame(gdf.drop(columns=gdf.geometry.name)))
    # Non-point geometry becomes an unreadable coordinate with a telling text.
    # A non-point feature keeps its geometry type as an unreadable coordinate (reported as such).
    kind = pd.Series([g.geom_type if g is not None else None for g in np.asarray(geoms)], dtype=object)
    frame["__x"] = pd.Series(x, dtype=object).where(is_point, kind.where(~missing, None))
    frame["__y"] = pd.Series(y, dtype=object).where(is_point, kind.where(~missing, None))
    crs = gdf.crs.to_string() if gdf.crs is not None else None
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return RawTable(
        name,
        frame,
        rows,
        row_word="Objekt",
        crs=crs,
        roles={"x": "__x", "y": "__y"},
        notes=[f"Geodaten, Koordinatensystem der Datei {crs or 'unbekannt'}"],
    )


def read_table(
    raw: bytes,
    name: str,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | int | None = None,
    layer: str | int | None = None,
) -> RawTable:
    """Dispatch on the detected format (see :func:`geo.incidents.sniff.detect_format`)."""
    kind = sniff.detect_format(raw, name)
    if kind == "xlsx":
        return read_xlsx(raw, name, sheet=sheet)
    if kind == "gpkg":
        return read_geodata(raw, name, layer=layer)
    if kind == "json":
        return read_json(raw, name)
    return read_csv(raw, name, encoding=encoding, delimiter=delimiter)


#: What parser messages (English, sometimes with the file's own text) mean, in German.
_DETAILS = (
    ("file is not a zip file", "kein lesbares ZIP-Archiv"),
    ("bad crc", "Prüfsumme eines Bestandteils falsch: beschädigt oder manipuliert"),
    ("bad magic number", "Bestandteil beschädigt"),
    ("malformed", "Datei beschädigt oder abgeschnitten"),
    ("not a database", "keine SQLite-Datenbank"),
    ("required geopackage tables", "SQLite-Datenbank ohne GeoPackage-Tabellen"),
    ("there is no item named", "ein Bestandteil der Arbeitsmappe fehlt"),
    ("truncated", "abgeschnitten"),
    ("index out of range", "verweist auf Einträge, die fehlen"),
    ("forbidden", "XML mit DTD oder Entitäten, nicht erlaubt"),
)


def _short(err: BaseException) -> str:
    """The gist of a parser's message: German where it is known, else its first line, quoted."""
    text = str(err).strip()
    folded = text.casefold()
    german = next((meaning for sign, meaning in _DETAILS if sign in folded), None)
    return german or (quoted(text.splitlines()[0]) if text else type(err).__name__)


def _show(delim: str) -> str:
    return "Tab" if delim == "\t" else delim
