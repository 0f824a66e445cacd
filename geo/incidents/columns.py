"""Which column is what: German and English aliases, explicit overrides.

Roles: ``category`` (label), ``key`` (PKS Schlüsselzahl), ``date``, ``clock``
(separate time-of-day column), ``x`` (longitude, Rechtswert, easting), ``y``
(latitude, Hochwert, northing), ``ags`` (Gemeinde- or Kreisschlüssel), ``area``
(Gemeinde or Kreis name), ``count``, ``year``/``period`` and the optional ``reporter``
(who or which device reported: read only as an opaque per-import hash, column ``melder``
of the points; see :mod:`geo.incidents.bias`). Header names are compared in folded form
(:func:`geo.incidents.categories.fold_label`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from geo.errors import InputFileError
from geo.incidents.categories import fold_label
from geo.incidents.rows import quoted

ALIASES: dict[str, tuple[str, ...]] = {
    "category": (
        "kategorie",
        "category",
        "delikt",
        "deliktart",
        "delikt art",
        "straftat",
        "tatbestand",
        "service name",
        "servicename",
        "meldungsart",
        "meldungstyp",
        "art",
        "typ",
        "type",
        "vorfall",
        "vorfallart",
        "anliegen",
        "thema",
        "kategorie name",
        "offence",
        "offense",
    ),
    "key": ("schluessel", "schluesselzahl", "straftatenschluessel", "pks schluessel", "deliktschluessel"),
    "date": (
        "datum",
        "date",
        "tatzeit",
        "tatdatum",
        "tatzeitpunkt",
        "tattag",
        "zeitpunkt",
        "zeit",
        "requested datetime",
        "datetime",
        "timestamp",
        "meldedatum",
        "meldezeit",
        "erfasst",
        "erfassungsdatum",
        "tatzeit von",
        "tatbeginn",
        "created",
        "created at",
        "eingang",
        "eingangsdatum",
        "datum zeit",
        "datum uhrzeit",
    ),
    "clock": ("uhrzeit", "tatuhrzeit", "time of day", "uhrzeit von"),
    "x": (
        "lon",
        "long",
        "lng",
        "longitude",
        "laenge",
        "laengengrad",
        "geo laenge",
        "x",
        "rechtswert",
        "ostwert",
        "easting",
        "rw",
        "x koordinate",
        "koordinate x",
        "utm x",
        "x utm",
        "gk x",
        "lon wgs84",
    ),
    "y": (
        "lat",
        "latitude",
        "breite",
        "breitengrad",
        "geo breite",
        "y",
        "hochwert",
        "nordwert",
        "northing",
        "hw",
        "y koordinate",
        "koordinate y",
        "utm y",
        "y utm",
        "gk y",
        "lat wgs84",
    ),
    "ags": (
        "ags",
        "gemeindeschluessel",
        "amtlicher gemeindeschluessel",
        "gkz",
        "gemeindekennziffer",
        "kreisschluessel",
        "regionalschluessel",
        "ars",
        "gebietsschluessel",
        "schluessel gemeinde",
    ),
    "area": (
        "gemeinde",
        "gemeindename",
        "kommune",
        "ort",
        "stadt",
        "gebiet",
        "gebietsname",
        "kreis",
        "landkreis",
        "stadt landkreis",
        "kreisname",
        "municipality",
        "district",
    ),
    "count": (
        "anzahl",
        "count",
        "faelle",
        "anzahl faelle",
        "anzahl erfasste faelle",
        "erfasste faelle",
        "fallzahl",
        "fallzahlen",
        "number",
        "cases",
        "menge",
    ),
    "year": ("jahr", "year", "berichtsjahr", "berichtszeitraum", "zeitraum", "period", "periode"),
    "reporter": (
        "melder",
        "melderin",
        "melder in",
        "melder id",
        "melderid",
        "melder kennung",
        "meldende",
        "meldender",
        "meldende person",
        "hinweisgeber",
        "hinweisgeber in",
        "geraet",
        "geraet id",
        "geraete id",
        "geraeteid",
        "geraetekennung",
        "device",
        "device id",
        "account id",
        "accountid",
        "email",
        "e mail",
        "reporter",
        "reporter id",
    ),
}
#: Area-name columns that name Kreise, and those that name Gemeinden; the rest ("Gebiet",
#: "Stadt") may name either, so a name that fits both levels is ambiguous there.
KREIS_AREA_ALIASES = frozenset({"kreis", "landkreis", "stadt landkreis", "kreisname", "district"})
GEMEINDE_AREA_ALIASES = frozenset({"gemeinde", "gemeindename", "kommune", "ort", "municipality"})
_LOOKUP = {alias: role for role, aliases in ALIASES.items() for alias in aliases}
ROLES = tuple(ALIASES)


def role_of(header: object) -> str | None:
    """The role a header name stands for, or ``None``."""
    return _LOOKUP.get(fold_label(header)) if header is not None else None


def count_known(headers: Iterable[object]) -> int:
    """How many of `headers` are recognised aliases (to find the header row)."""
    return sum(role_of(h) is not None for h in headers)


def resolve(headers: Iterable[object], overrides: Mapping[str, str | None], *, file: str) -> dict[str, str]:
    """Role → column name for a table, from aliases and explicit ``<role>_column`` overrides.

    The first column recognised for a role wins; an override naming a missing column
    is an error (with the columns that exist).
    """
    headers = [str(h) for h in headers]
    roles: dict[str, str] = {}
    for header in headers:
        role = role_of(header)
        if role and role not in roles:
            roles[role] = header
    by_fold = {fold_label(h): h for h in headers}
    for role in ROLES:
        wanted = overrides.get(f"{role}_column")
        if wanted is None:
            continue
        column = wanted if wanted in headers else by_fold.get(fold_label(wanted))
        if column is None:
            msg = f"{file}: Spalte '{wanted}' (für {role}) gibt es nicht. Vorhanden: {_listed(headers)}."
            raise InputFileError(msg)
        roles = {r: c for r, c in roles.items() if c != column}
        roles[role] = column
    return roles


def table_kind(roles: Mapping[str, str], *, file: str, headers: Iterable[object]) -> str:
    """``"punkte"`` (coordinates) or ``"aggregiert"`` (area × count), else a clear error."""
    if "x" in roles and "y" in roles:
        return "punkte"
    if "count" in roles and ("ags" in roles or "area" in roles):
        return "aggregiert"
    found = ", ".join(f"{quoted(c)} ({r})" for r, c in roles.items()) or "keine"
    msg = (
        f"{file}: keine verwendbaren Spalten. Erwartet Koordinaten (z. B. 'lat'/'lon', 'Breite'/'Länge', "
        "'Rechtswert'/'Hochwert') oder eine Fallzahl ('Anzahl') mit Gebiet ('AGS', 'Gemeinde', 'Kreis'). "
        f"Erkannt: {found}. Gelesene Spalten: {_listed(headers)}."
    )
    raise InputFileError(msg)


def _listed(headers: Iterable[object], most: int = 12) -> str:
    """Header names for a message: each quoted (they are the file's text), at most `most` of them."""
    names = [quoted(h, 30) for h in headers]
    more = f" und {len(names) - most} weitere" if len(names) > most else ""
    return ", ".join(names[:most]) + more
