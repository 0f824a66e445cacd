"""What kind of file is this? Format, text encoding, delimiter and header row.

Every "cannot read this at all" case ends here or in the readers with one
`InputFileError` naming the file: empty, binary, old Excel, undecodable text, no
header with usable column names.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

from geo.errors import InputFileError
from geo.incidents.columns import count_known

DELIMITERS = (";", ",", "\t", "|")
_HEADER_SEARCH_LINES = 30
#: More columns than any incident export has; a header beyond it is refused before parsing.
MAX_COLUMNS = 1_000
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SQLITE = b"SQLite format 3\x00"


def detect_format(raw: bytes, name: str) -> str:
    """``"csv"``, ``"xlsx"``, ``"json"`` (GeoJSON or Open311, decided on content) or ``"gpkg"``."""
    if not raw.strip():
        msg = f"{name}: die Datei ist leer."
        raise InputFileError(msg)
    suffix = Path(name).suffix.casefold()
    if raw.startswith(_OLE) or suffix == ".xls":
        msg = f"{name}: altes Excel-Format (.xls) wird nicht gelesen; bitte als .xlsx oder CSV speichern."
        raise InputFileError(msg)
    if raw.startswith(_ZIP):
        return "xlsx"
    if raw.startswith(_SQLITE):
        return "gpkg"
    if suffix in {".xlsx", ".xlsm", ".gpkg"}:
        kind = "Excel-Arbeitsmappe" if suffix != ".gpkg" else "GeoPackage"
        msg = f"{name}: die Datei ist keine gültige {kind} (beschädigt oder abgeschnitten?)."
        raise InputFileError(msg)
    head = raw.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    if suffix in {".json", ".geojson"} or head in (b"{", b"["):
        return "json"
    return "csv"


def decode(raw: bytes, name: str, *, encoding: str | None = None) -> tuple[str, str]:
    """The text of `raw` and the encoding used.

    Tries UTF-8 (with or without BOM), UTF-16 with BOM, then Windows-1252 (what German
    Excel writes) and ISO-8859-1. Binary content or text that none of them reads
    plausibly is an error.
    """
    if encoding:
        try:
            return raw.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as err:
            msg = f"{name}: die Datei lässt sich nicht als {encoding} lesen ({err})."
            raise InputFileError(msg) from err
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as err:
            msg = f"{name}: UTF-16-Datei ist beschädigt ({err.reason})."
            raise InputFileError(msg) from err
    sample = raw[:65536]
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    if b"\x00" in sample or controls > len(sample) * 0.01:
        msg = (
            f"{name}: die Datei ist keine Textdatei (Binärdaten); "
            "erwartet CSV, XLSX, GeoJSON, GeoPackage oder JSON."
        )
        raise InputFileError(msg)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text, used = raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        text, used = raw.decode("iso-8859-1"), "iso-8859-1"
    odd = sum(1 for ch in text[:65536] if 0x80 <= ord(ch) < 0xA0 or ch in "ÃÂ\ufffd")
    if odd > max(3, len(text[:65536]) * 0.001) and used == "iso-8859-1":
        msg = (
            f"{name}: die Zeichenkodierung ist nicht erkennbar; bitte als UTF-8 oder Windows-1252 speichern."
        )
        raise InputFileError(msg)
    return text, used


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def find_header(text: str, name: str, *, delimiter: str | None = None) -> tuple[str, int]:
    """The delimiter and the 0-based line index of the header row.

    The header is the first of the first 30 lines with the most recognised column
    names (title rows and column-number rows above it are skipped); the delimiter is
    the one that makes that line split into the most recognised names, then the most
    fields.
    """
    lines = text[: 1 << 20].splitlines()[:_HEADER_SEARCH_LINES]
    candidates = [delimiter] if delimiter else list(DELIMITERS)
    best: tuple[int, int, int] = (0, 0, 0)
    best_choice: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        for delim in candidates:
            fields = _split(line, delim)
            score = (count_known(fields), len(fields), -index)
            if score[0] and score > best:
                best, best_choice = score, (delim, index)
    if best_choice is None or best[0] < 2:
        shown = lines[0][:120] if lines else ""
        msg = (
            f"{name}: keine Kopfzeile mit bekannten Spaltennamen gefunden (erste Zeile: '{shown}'). "
            "Erwartet z. B. Datum;Kategorie;Breite;Länge oder AGS;Kategorie;Anzahl."
        )
        raise InputFileError(msg)
    delim, index = best_choice
    # The whole header line, not the first MiB only: a header of 2,000,000 columns hung the readers.
    columns = text.split("\n", index + 1)[index].count(delim) + 1
    if columns > MAX_COLUMNS:
        msg = (f"{name}: die Kopfzeile (Zeile {index + 1}) hat {columns:,} Spalten; eine Vorfalltabelle "
               f"hat höchstens {MAX_COLUMNS:,}. Ist das Trennzeichen richtig erkannt?").replace(",", ".")
        raise InputFileError(msg)
    return best_choice
