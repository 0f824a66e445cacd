"""Incident data: read the exports municipalities have, validate every row, map categories.

:func:`read_incidents` reads one file (CSV, XLSX, GeoJSON, GeoPackage, Open311 JSON;
point records or aggregated tables incl. PKS) and returns an `ImportResult`: the
accepted points or aggregates and a report that accounts for every row. Storing is
:mod:`geo.store`'s job; synthetic data is :mod:`geo.incidents.demo`.
"""

from __future__ import annotations

import datetime as dt
import errno
import stat
from pathlib import Path
from typing import IO

from geo.errors import InputFileError
from geo.files import MB, check_size, max_file_mb
from geo.incidents.categories import CATEGORIES, CATEGORY_LABELS, load_mapping
from geo.incidents.parse import parse_period
from geo.incidents.report import DEMO_LABEL, REASONS, ImportReport, ImportResult

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "DEMO_LABEL",
    "REASONS",
    "ImportReport",
    "ImportResult",
    "read_bytes",
    "read_incidents",
]

#: Keyword options of :func:`read_incidents` besides mapping, crs and period.
READ_OPTIONS = (
    "encoding",
    "delimiter",
    "decimal",
    "date_format",
    "sheet",
    "layer",
    "category",
    "now",
    "progress",
    *(
        f"{role}_column"
        for role in ("category", "key", "date", "clock", "x", "y", "ags", "area", "count", "year")
    ),
)


_OS_REASONS = {errno.ENOENT: "nicht gefunden", errno.EACCES: "keine Leseberechtigung",
               errno.EPERM: "keine Leseberechtigung", errno.EISDIR: "ein Verzeichnis, keine Datei"}


def read_bytes(source: str | Path | IO[bytes] | bytes, *, name: str | None = None) -> tuple[bytes, str]:
    """The content and file name of `source` (a path, an uploaded file object or bytes).

    A file above the size limit (:func:`geo.files.check_size`) is refused before it is read,
    and so is anything that is not a regular file (a directory, ``/dev/zero``, a pipe).
    """
    if isinstance(source, bytes):
        check_size(name or "upload", len(source))
        return source, name or "upload"
    if isinstance(source, str | Path):
        path = Path(source)
        shown = name or path.name
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                msg = f"{shown}: keine gewöhnliche Datei (ein Verzeichnis, Gerät oder eine Pipe)."
                raise InputFileError(msg)
            check_size(shown, info.st_size)
            with path.open("rb") as handle:
                data = handle.read(max_file_mb() * MB + 1)  # bounded even if the file grows meanwhile
        except OSError as err:
            msg = f"{shown}: Datei kann nicht gelesen werden ({_OS_REASONS.get(err.errno, err.strerror)})."
            raise InputFileError(msg) from err
        check_size(shown, len(data))
        return data, shown
    shown = name or Path(getattr(source, "name", "upload")).name
    size = getattr(source, "size", None)  # an upload knows its size
    if size is None and hasattr(source, "getbuffer"):
        size = source.getbuffer().nbytes
    if size is not None:
        check_size(shown, int(size))
    data = source.getvalue() if hasattr(source, "getvalue") else source.read(max_file_mb() * MB + 1)
    check_size(shown, len(data))
    return bytes(data), shown


def read_incidents(
    path: str | Path | IO[bytes] | bytes,
    *,
    mapping: object = None,
    crs: str | None = None,
    period: str | None = None,
    **overrides: object,
) -> ImportResult:
    """Read and validate one incident file.

    Parameters
    ----------
    path : path, file object or bytes
        The file; format, encoding, delimiter, decimal mark, date format, header row
        and columns are detected.
    mapping : path or dict, optional
        Extra category mapping (see :func:`geo.incidents.categories.load_mapping`).
    crs : str, optional
        CRS of the coordinates (``"EPSG:31468"``); detected when not given.
    period : str, optional
        Reporting period of an aggregated table (``"2022"``, ``"2021-07..2022-06"``);
        overrides a period column.
    **overrides
        ``encoding``, ``delimiter``, ``decimal`` ("," or "."), ``date_format``
        (strptime or "ISO8601"), ``sheet`` (XLSX), ``layer`` (GeoPackage),
        ``category`` (one category for all rows), ``now`` (naive datetime for the
        future-date check), ``progress`` (a callable ``progress(fraction, text)``
        called at each stage, e.g. for ``st.progress``), and ``<role>_column`` to name
        a column explicitly (roles: category, key, date, clock, x, y, ags, area,
        count, year).

    Returns
    -------
    ImportResult
        ``points`` (EPSG:25833) or ``aggregates``, and the ``report``.

    Raises
    ------
    InputFileError
        If the file cannot be used at all (nothing is returned then).
    """
    from geo.incidents import aggregates, columns, points, readers

    unknown = sorted(set(overrides) - set(READ_OPTIONS))
    if unknown:
        raise TypeError(f"read_incidents: unbekannte Option(en) {', '.join(unknown)}")
    raw, name = read_bytes(path)
    if period is not None:
        parse_period(period)  # a wrong period is an error even before the file is read
    progress = overrides.get("progress") or (lambda fraction, text: None)
    progress(0.05, "Datei wird gelesen")
    table = readers.read_table(
        raw,
        name,
        encoding=overrides.get("encoding"),
        delimiter=overrides.get("delimiter"),
        sheet=overrides.get("sheet"),
        layer=overrides.get("layer"),
    )
    roles = columns.resolve(table.frame.columns, overrides, file=name)
    for role, column in table.roles.items():  # what the format itself says, unless overridden
        if f"{role}_column" not in overrides:
            roles = {r: c for r, c in roles.items() if c != column}
            roles[role] = column
    if not len(table.frame):
        msg = f"{name}: die Datei enthält keine Datenzeilen."
        raise InputFileError(msg)
    kind = columns.table_kind(roles, file=name, headers=table.frame.columns)
    table_mapping = load_mapping(mapping)
    if kind == "punkte":
        category = overrides.get("category")
        if category is not None and category not in CATEGORIES:
            msg = f"Kategorie '{category}' unbekannt; erlaubt: {', '.join(CATEGORIES)}."
            raise InputFileError(msg)
        now = overrides.get("now")
        return points.validate_points(
            table,
            roles,
            mapping=table_mapping,
            crs=crs,
            now=now if isinstance(now, dt.datetime) else None,
            decimal=overrides.get("decimal"),
            date_format=overrides.get("date_format"),
            category=category,
            progress=progress,
        )
    progress(0.5, "Zeilen werden geprüft")
    now = overrides.get("now")
    today = now.date() if isinstance(now, dt.datetime) else None
    result = aggregates.validate_aggregates(table, roles, mapping=table_mapping, period=period, today=today)
    progress(1.0, "fertig")
    return result
