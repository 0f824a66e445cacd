"""Reading small German tables: CSV as Excel and survey tools write them.

German quirks handled here: ``;`` as delimiter (or ``,``/tab), decimal comma
(``34,5``), percent signs (``34,5 %``), Windows-1252 text and a UTF-8 byte-order
mark. Used by the survey importers and by :mod:`geo.asskomm`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from geo.errors import InputFileError

DELIMITERS = (";", ",", "\t")

#: What the readers accept: a path, the bytes of an upload, or a binary file object.
Source = str | Path | bytes | BinaryIO


def read_bytes(source: Source, *, name: str | None = None) -> tuple[bytes, str]:
    """The raw bytes of `source` and the file name used in messages."""
    if isinstance(source, bytes):
        return source, name or "Datei"
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            msg = f"{path.name}: die Datei gibt es nicht ({path})."
            raise InputFileError(msg)
        return path.read_bytes(), name or path.name
    raw = source.read()
    return raw, name or Path(getattr(source, "name", "Datei")).name


def decode_text(raw: bytes, name: str) -> str:
    """Text of `raw`: UTF-8 (with or without BOM), else Windows-1252."""
    if not raw.strip():
        msg = f"{name}: die Datei ist leer."
        raise InputFileError(msg)
    if b"\x00" in raw[:4096]:
        msg = f"{name}: die Datei ist keine Textdatei; erwartet wird CSV (Trennzeichen ; oder ,)."
        raise InputFileError(msg)
    try:
        return raw.decode("utf-8-sig") if raw.startswith(codecs.BOM_UTF8) else raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_csv(source: Source, *, name: str | None = None) -> tuple[pd.DataFrame, str]:
    """A CSV file as a frame of stripped strings (empty cells are ``""``) and its name.

    The delimiter is the one of ``;``, ``,`` and tab that splits the header line
    into the most fields. Header names are lower-cased and stripped. The frame index
    is the line number in the file (header = line 1), for row messages.
    """
    raw, name = read_bytes(source, name=name)
    text = decode_text(raw, name)
    header_line = text.lstrip("\ufeff").splitlines()[0]
    delimiter = max(DELIMITERS, key=lambda d: len(next(csv.reader([header_line], delimiter=d))))
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            skipinitialspace=True, engine="python")
    except (pd.errors.ParserError, csv.Error) as err:
        msg = f"{name}: die CSV-Datei lässt sich nicht lesen ({err})."
        raise InputFileError(msg) from err
    frame.columns = [str(c).strip().lstrip("\ufeff").casefold() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip())
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame, name


def text_rows(frame: pd.DataFrame, *, drop_empty: bool = True) -> pd.DataFrame:
    """`frame` as stripped text with lower-case column names, numbered for row messages.

    A frame from :func:`read_csv` keeps its file line numbers; any other frame (e.g. rows
    typed into a table in the app) is numbered 1, 2, … With `drop_empty`, rows whose
    cells are all empty (the blank last row of an editable table) are dropped.
    """
    out = pd.DataFrame(frame).copy()
    if not isinstance(out.index, pd.RangeIndex) or out.index.start != 2:
        out.index = pd.RangeIndex(1, 1 + len(out))
    out.columns = [str(c).strip().lstrip("\ufeff").casefold() for c in out.columns]
    out = out.fillna("").astype(str).apply(lambda col: col.str.strip())
    if drop_empty and len(out.columns):
        out = out[(out != "").any(axis=1)]
    return out


def require_columns(frame: pd.DataFrame, columns: dict[str, tuple[str, ...]], *,
                    name: str, optional: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rename the first alias found for each role in `columns` to the role name.

    Roles not in `optional` must be present; the message names what is missing and
    what the file has.
    """
    rename, missing = {}, []
    for role, aliases in columns.items():
        hit = next((a for a in (role, *aliases) if a in frame.columns), None)
        if hit is None:
            if role not in optional:
                missing.append(f"'{role}' (oder {', '.join(repr(a) for a in aliases)})" if aliases
                               else f"'{role}'")
            continue
        rename[hit] = role
    if missing:
        have = ", ".join(f"'{c}'" for c in frame.columns)
        msg = f"{name}: Spalte {' und '.join(missing)} fehlt. Vorhanden: {have}."
        raise InputFileError(msg)
    out = frame[list(rename)].rename(columns=rename)
    for role in columns:
        if role not in out.columns:
            out[role] = ""
    return out


_NUMBER = re.compile(r"^[+-]?([1-9]\d{0,2}(\.\d{3})+|\d+)(,\d+)?$|^[+-]?\d*\.\d+$|^[+-]?\d+$")


def parse_number(text: str) -> float | None:
    """German or plain number text → float; ``None`` if it is no number.

    ``"1.234,5"`` → 1234.5, ``"34,5"`` → 34.5, ``"0.345"`` → 0.345, ``"34,5 %"`` → 34.5.
    """
    text = text.replace("\u00a0", " ").replace("%", "").strip().replace(" ", "")
    if not text or not _NUMBER.match(text):
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.match(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$", text):
        text = text.replace(".", "")
    return float(text)


def row_messages(problems: list[str], *, name: str, limit: int = 20) -> str:
    """One message for all row problems of a file (the first `limit` listed)."""
    shown = problems[:limit]
    more = f"\n… und {len(problems) - limit} weitere." if len(problems) > limit else ""
    return f"{name}: {len(problems)} Fehler.\n" + "\n".join(shown) + more
