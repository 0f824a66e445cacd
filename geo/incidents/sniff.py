"""What kind of file is this? Format, text encoding, delimiter and header row.

Every "cannot read this at all" case ends here or in the readers with one
`InputFileError` naming the file: empty, binary, old Excel, undecodable or mixed text
encodings, no header with usable column names, an archive that would unpack to more
than an incident table can be (:func:`check_archive`, before anything is unpacked).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from pathlib import Path

from geo.errors import InputFileError
from geo.fmt import zahl
from geo.incidents.columns import role_of
from geo.incidents.rows import quoted

DELIMITERS = (";", ",", "\t", "|")
_HEADER_SEARCH_LINES = 30
#: More columns than any incident export has; a header beyond it is refused before parsing.
MAX_COLUMNS = 1_000
#: What an XLSX may unpack to (sum of its members) and how densely a member may be packed: a
#: sheet at Excel's row limit unpacks to about 300 MB, and spreadsheet XML packs 5–30 fold;
#: ZIP bombs pack about 1,000 fold. Checked in the archive's directory before unpacking.
MAX_UNPACKED_MB = 1_000
MAX_RATIO = 100
_RATIO_FROM = 1 << 20  # members below 1 MiB may pack as densely as they like
_MB = 1 << 20
#: Control characters (other than tab and line breaks) in the first 64 KiB that make a file binary.
_CONTROL_SHARE = 0.05
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # an archive, or an empty one
#: A line break as pandas and pyarrow read one (str.splitlines also breaks at \x0b, \x0c, \x1c–\x1e,
#: U+0085, U+2028 and U+2029, so a title row holding one would shift the header by a line).
_BREAK = re.compile(r"\r\n|\r|\n")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SQLITE = b"SQLite format 3\x00"


def detect_format(raw: bytes, name: str) -> str:
    """``"csv"``, ``"xlsx"``, ``"json"`` (GeoJSON or Open311, decided on content) or ``"gpkg"``."""
    if not raw or raw.isspace():  # (strip() would copy a file of hundreds of MB)
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
    if suffix in {".xlsx", ".xlsm", ".gpkg", ".zip"}:
        kind = {".gpkg": "GeoPackage", ".zip": "ZIP-Archiv"}.get(suffix, "Excel-Arbeitsmappe")
        msg = f"{name}: die Datei ist keine gültige {kind} (beschädigt oder abgeschnitten?)."
        raise InputFileError(msg)
    head = raw[:65536].removeprefix(codecs.BOM_UTF8).lstrip()[:1]
    if suffix in {".json", ".geojson"} or head in (b"{", b"["):
        return "json"
    return "csv"


def decode(raw: bytes, name: str, *, encoding: str | None = None) -> tuple[str, str]:
    """The text of `raw` and the encoding used.

    Tries UTF-8 (with or without BOM), UTF-16 with BOM, then Windows-1252 (what German
    Excel writes) and ISO-8859-1. Binary content (a NUL byte anywhere, many control
    characters), a file that changes from UTF-8 to another encoding (two exports pasted
    together) and text that none of them reads plausibly are errors naming the line.
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
            msg = (f"{name}: UTF-16-Datei ist beschädigt oder abgeschnitten "
                   f"(Byte {zahl(err.start)}, Zeile {_line_of(raw, err.start)}).")
            raise InputFileError(msg) from err
    sample = raw[:65536]
    controls = sum(sample.count(bytes([b])) for b in range(32) if b not in (9, 10, 13))
    nul = raw.find(b"\x00")
    if nul >= 0 or controls > max(8, len(sample) * _CONTROL_SHARE):
        where = f", zuerst in Zeile {_line_of(raw, nul)}" if nul >= 0 else ""
        msg = (
            f"{name}: die Datei ist keine Textdatei (Binärdaten{where}); "
            "erwartet CSV, XLSX, GeoJSON, GeoPackage oder JSON."
        )
        raise InputFileError(msg)
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as err:
        if not raw[: err.start].removeprefix(codecs.BOM_UTF8).isascii():  # real UTF-8 before it
            line = _line_of(raw, err.start)
            msg = (f"{name}: die Zeichenkodierung wechselt – bis Zeile {line - 1} UTF-8, in Zeile {line} "
                   "nicht (z. B. Windows-1252; zwei Exporte zusammengefügt?). Bitte die Datei einheitlich "
                   "als UTF-8 speichern.")
            if line == 1:
                msg = (f"{name}: die Zeichenkodierung wechselt in Zeile 1 (UTF-8 und eine andere). "
                       "Bitte die Datei einheitlich als UTF-8 speichern.")
            raise InputFileError(msg) from err
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


def lines(text: str, most: int) -> list[str]:
    """The first `most` lines of `text`, broken where the CSV readers break them."""
    return _BREAK.split(text, maxsplit=most)[:most]


def line_at(text: str, index: int) -> str:
    """Line `index` (0-based) of `text`, whole, without copying the rest of the text."""
    start = 0
    for number, found in enumerate(_BREAK.finditer(text)):
        if number == index:
            return text[start : found.start()]
        start = found.end()
    return text[start:]


def _line_of(raw: bytes, position: int) -> int:
    """The 1-based line of byte `position`."""
    return raw.count(b"\n", 0, position) + 1


def _split(line: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []


def find_header(text: str, name: str, *, delimiter: str | None = None) -> tuple[str, int]:
    """The delimiter and the 0-based line index of the header row.

    The header is the first of the first 30 lines with the most recognised column
    roles (title rows and column-number rows above it are skipped; a role counts once,
    so a line of a million "x" cells is no header); the delimiter is the one that makes
    that line split into the most recognised roles, then the most fields.
    """
    first = lines(text[: 1 << 20], _HEADER_SEARCH_LINES)
    candidates = [delimiter] if delimiter else list(DELIMITERS)
    best: tuple[int, int, int] = (0, 0, 0)
    best_choice: tuple[str, int] | None = None
    for index, line in enumerate(first):
        for delim in candidates:
            fields = _split(line, delim)
            score = (len({role_of(f) for f in fields} - {None}), len(fields), -index)
            if score[0] and score > best:
                best, best_choice = score, (delim, index)
    if best_choice is None or best[0] < 2:
        length = text.find("\n") if "\n" in text else len(text)
        size = f", {zahl(length)} Zeichen" if length > 1000 else ""
        msg = (
            f"{name}: keine Kopfzeile mit bekannten Spaltennamen gefunden (erste Zeile{size}: "
            f"'{quoted(first[0])}'). "
            "Erwartet z. B. Datum;Kategorie;Breite;Länge oder AGS;Kategorie;Anzahl."
        )
        raise InputFileError(msg)
    delim, index = best_choice
    # The whole header line, not the first MiB only: a header of 2,000,000 columns hung the readers.
    columns = line_at(text, index).count(delim) + 1
    if columns > MAX_COLUMNS:
        msg = (f"{name}: die Kopfzeile (Zeile {index + 1}) hat {columns:,} Spalten; eine Vorfalltabelle "
               f"hat höchstens {MAX_COLUMNS:,}. Ist das Trennzeichen richtig erkannt?").replace(",", ".")
        raise InputFileError(msg)
    return best_choice


def check_archive(raw: bytes, name: str) -> None:
    """Refuse a ZIP archive that is damaged, would unpack to more than :data:`MAX_UNPACKED_MB`,
    packs a member more than :data:`MAX_RATIO` fold, or holds no Excel workbook.

    Only the archive's directory is read. The sizes it declares bind: Python's zipfile (which
    the XLSX reader uses) stops a member at its declared size and fails on the checksum, so
    an archive that lies about its sizes unpacks no further than the sizes checked here.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as err:
        kind = "das ZIP-Archiv" if Path(name).suffix.casefold() == ".zip" else "die Excel-Datei"
        msg = f"{name}: {kind} ist nicht lesbar (beschädigt oder abgeschnitten?)."
        raise InputFileError(msg) from err
    total = sum(member.file_size for member in members)
    if total > MAX_UNPACKED_MB * _MB:
        msg = (f"{name}: entpackt wäre das Archiv {zahl(total / _MB)} MB groß; höchstens "
               f"{zahl(MAX_UNPACKED_MB)} MB werden entpackt. Große Tabellen bitte als CSV speichern.")
        raise InputFileError(msg)
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FROM and ratio > MAX_RATIO:
            msg = (f"{name}: der Bestandteil '{quoted(member.filename)}' ist {zahl(ratio)}-fach gepackt "
                   f"(Tabellen höchstens etwa {MAX_RATIO}-fach) und wird nicht entpackt – eine ZIP-Bombe?")
            raise InputFileError(msg)
    names = [member.filename for member in members]
    if "xl/workbook.xml" not in names:
        listed = ", ".join(f"'{quoted(n, 40)}'" for n in names[:5]) or "nichts"
        more = f" und {zahl(len(names) - 5)} weitere" if len(names) > 5 else ""
        msg = (f"{name}: ein ZIP-Archiv, aber keine Excel-Arbeitsmappe (enthält {listed}{more}). "
               "Bitte entpacken und die Dateien darin einzeln importieren.")
        raise InputFileError(msg)
