"""Reading the Destatis Gemeindeverzeichnis GV100AD (fixed-width text, one record a line).

Positions (0-based slices) as Destatis documents them for the Satzarten used here:

* every record: ``[0:2]`` Satzart, ``[2:10]`` Gebietsstand (JJJJMMTT), ``[10:12]`` Land,
  ``[12]`` Regierungsbezirk, ``[13:15]`` Kreis, ``[15:18]`` Gemeinde, ``[18:22]`` Verband,
  ``[22:72]`` Name, ``[72:122]`` Sitz, ``[122:124]`` Textkennzeichen;
* Satzart 60 (Gemeinde) also ``[128:139]`` Fläche in ha, ``[139:150]`` Bevölkerung,
  ``[150:161]`` davon männlich, ``[165:170]`` Postleitzahl (of the seat).

Satzart 10 is the Land, 40 the Kreis, 50 the Gemeindeverband, 60 the Gemeinde.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.errors import InputFileError

#: Textkennzeichen → the words the shipped data uses.
GEMEINDE_TYP = {
    "60": "Markt",
    "61": "Kreisfreie Stadt",
    "62": "Stadtkreis",
    "63": "Stadt",
    "64": "Gemeinde",
    "65": "gemeindefreies Gebiet, bewohnt",
    "66": "gemeindefreies Gebiet, unbewohnt",
    "67": "große Kreisstadt",
}
KREIS_TYP = {
    "41": "Kreisfreie Stadt",
    "42": "Stadtkreis",
    "43": "Kreis",
    "44": "Landkreis",
    "45": "Regionalverband",
}
VERBAND_TYP = {
    "50": "verbandsfreie Gemeinde",
    "51": "Amt",
    "52": "Samtgemeinde",
    "53": "Verbandsgemeinde",
    "54": "Verwaltungsgemeinschaft",
    "55": "Kirchspielslandgemeinde",
    "56": "Verwaltungsverband",
    "57": "Verwaltungsgemeinschaft (Trägermodell)",
    "58": "erfüllende Gemeinde",
}
_MIN_LENGTH = {"10": 72, "40": 124, "50": 124, "60": 170}


@dataclass(frozen=True)
class Gemeindeverzeichnis:
    """The Gemeinden, Verbände and Kreise of one Land from a GV100AD file."""

    gebietsstand: dt.date
    land_name: str
    gemeinden: pd.DataFrame  # ags, ars, name_amtlich, bez, kreis_ags, vb_ars, einwohner, ... (one row each)
    verbaende: pd.DataFrame  # vb_ars, vb_name, vb_typ, vb_sitz
    kreise: pd.DataFrame  # kreis_ags, kreis_name, kreis_typ, sitz


def _text(line: str, start: int, end: int) -> str:
    return line[start:end].strip()


def read_gv100(path: Path, *, land: str) -> Gemeindeverzeichnis:
    """Read the records of Land `land` (2 digits) from the GV100AD file `path`.

    Raises `InputFileError` (German, naming file, row and column) for a file that is not
    GV100AD, a record too short for its Satzart, numbers that are not numbers, or a file
    without Gemeinden of `land`.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        msg = f"{path.name}: die Datei kann nicht gelesen werden ({err.strerror or err})."
        raise InputFileError(msg) from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")  # older releases were published in ANSI
    problems: list[str] = []
    gemeinden, verbaende, kreise = [], [], []
    stands: set[str] = set()
    land_name = ""
    seen_records = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        satzart = line[:2]
        if not satzart.isdigit() or not line[2:10].isdigit():
            problems.append(
                f"Zeile {number}, Spalte 1–10: '{line[:10]}' ist keine Satzart mit Gebietsstand "
                "(erwartet z. B. 6020231130) – ist das eine GV100AD-Datei?"
            )
            continue
        seen_records += 1
        if line[10:12] != land or satzart not in _MIN_LENGTH:
            continue
        if len(line) < _MIN_LENGTH[satzart]:
            problems.append(
                f"Zeile {number}: Satz der Satzart {satzart} hat {len(line)} Zeichen, "
                f"erwartet mindestens {_MIN_LENGTH[satzart]} (festes Spaltenformat)."
            )
            continue
        stands.add(line[2:10])
        name, sitz, kennzeichen = _text(line, 22, 72), _text(line, 72, 122), _text(line, 122, 124)
        if satzart == "10":
            land_name = name
        elif satzart == "40":
            kreise.append(
                {
                    "kreis_ags": line[10:15],
                    "kreis_name": name,
                    "kreis_typ": KREIS_TYP.get(kennzeichen, kennzeichen),
                    "sitz": sitz,
                }
            )
        elif satzart == "50":
            verbaende.append(
                {
                    "vb_ars": line[10:15] + line[18:22],
                    "vb_name": name,
                    "vb_typ": VERBAND_TYP.get(kennzeichen, kennzeichen),
                    "vb_sitz": sitz,
                }
            )
        else:
            numbers = {}
            for column, (start, end) in {
                "flaeche_ha_amtlich": (128, 139),
                "einwohner": (139, 150),
                "einwohner_maennlich": (150, 161),
            }.items():
                cell = _text(line, start, end)
                if not cell.isdigit():
                    problems.append(
                        f"Zeile {number}, Spalte {start + 1}–{end} ({column}): '{cell}' ist keine ganze Zahl."
                    )
                    cell = "0"
                numbers[column] = int(cell)
            gemeinden.append(
                {
                    "ags": line[10:15] + line[15:18],
                    "ars": line[10:15] + line[18:22] + line[15:18],
                    "name_amtlich": name,
                    "bez": GEMEINDE_TYP.get(kennzeichen, kennzeichen),
                    "kreis_ags": line[10:15],
                    "vb_ars": line[10:15] + line[18:22],
                    **numbers,
                    "plz": _text(line, 165, 170),
                    "_zeile": number,
                }
            )
    if seen_records == 0 and not problems:
        problems.append("die Datei enthält keinen Satz (leer?).")
    if problems:
        shown = "; ".join(problems[:10]) + (
            f"; … und {len(problems) - 10} weitere" if len(problems) > 10 else ""
        )
        msg = f"{path.name} ist keine lesbare GV100AD-Datei: {shown}"
        raise InputFileError(msg)
    if not gemeinden:
        msg = (
            f"{path.name}: keine Gemeinde (Satzart 60) des Landes {land} gefunden. Bitte das "
            "Gemeindeverzeichnis GV100AD für Deutschland oder für dieses Land verwenden."
        )
        raise InputFileError(msg)
    if len(stands) > 1:
        listed = ", ".join(sorted(stands))
        msg = f"{path.name}: die Sätze des Landes {land} haben mehrere Gebietsstände ({listed})."
        raise InputFileError(msg)
    stand = stands.pop()
    frame = pd.DataFrame(gemeinden)
    duplicated = frame[frame["ags"].duplicated(keep=False)]
    if len(duplicated):
        rows = ", ".join(
            f"Zeile {r} ({a})" for r, a in zip(duplicated["_zeile"], duplicated["ags"], strict=True)
        )
        msg = f"{path.name}: Gemeindeschlüssel mehrfach vergeben: {rows}."
        raise InputFileError(msg)
    return Gemeindeverzeichnis(
        gebietsstand=dt.date(int(stand[:4]), int(stand[4:6]), int(stand[6:])),
        land_name=land_name,
        gemeinden=frame,
        verbaende=pd.DataFrame(verbaende, columns=["vb_ars", "vb_name", "vb_typ", "vb_sitz"]),
        kreise=pd.DataFrame(kreise, columns=["kreis_ags", "kreis_name", "kreis_typ", "sitz"]),
    )
