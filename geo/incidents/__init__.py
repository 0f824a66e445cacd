"""Incident data: read the exports municipalities have, validate every row, map categories.

:func:`read_incidents` reads one file (CSV, XLSX, GeoJSON, GeoPackage, Open311 JSON;
point records or aggregated tables incl. PKS) and returns an `ImportResult`: the
accepted points or aggregates and a report that accounts for every row. Storing is
:mod:`geo.store`'s job; synthetic data is :mod:`geo.incidents.demo`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from geo.errors import InputFileError
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


def read_bytes(source: str | Path | IO[bytes] | bytes, *, name: str | None = None) -> tuple[bytes, str]:
    """The content and file name of `source` (a path, an uploaded file object or bytes)."""
    if isinstance(source, bytes):
        return source, name or "upload"
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            return path.read_bytes(), name or path.name
        except OSError as err:
            msg = f"{path.name}: Datei kann nicht gelesen werden ({err.strerror})."
            raise InputFileError(msg) from err
    data = source.getvalue() if hasattr(source, "getvalue") else source.read()
    return bytes(data), name or Path(getattr(source, "name", "upload")).name


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
