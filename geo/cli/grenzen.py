"""``python -m geo grenzen --vg250 FILE.zip --gv100 FILE.txt``: boundaries of a newer Gebietsstand.

Builds the boundary and population files from BKG VG250 and Destatis GV100AD
(:func:`geo.grenzen.rebuild`), checks them and writes them into a new directory, or with
``--ersetzen`` over the shipped ones. Exit code 0, or 2 when a file is unusable or a check
fails (nothing is written then).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.fmt import zahl
from geo.grenzen import rebuild


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "grenzen",
        help="Gemeindegrenzen und Einwohner aus neuem VG250 (BKG) und GV100AD (Destatis) erzeugen",
        description=(
            "Liest VG250 des BKG (ZIP mit VG250_GEM/KRS/LAN.shp, z. B. "
            "vg250_01-01.utm32s.shape.ebenen.zip) und das Gemeindeverzeichnis GV100AD von Destatis "
            "(Textdatei mit festen Spalten), behält Sachsen, prüft Anzahl, Schlüssel, Gültigkeit, "
            "Überlappungen und die Bereinigung der Grenzen und schreibt dieselben "
            "Dateien wie die ausgelieferten, mit einer Zuordnung alter Schlüssel zu den heutigen Gemeinden. "
            "Exit-Code 0: erzeugt, 2: Datei unbrauchbar oder Prüfung fehlgeschlagen (nichts geschrieben)."
        ),
    )
    parser.add_argument("--vg250", type=Path, required=True, help="die VG250-ZIP-Datei des BKG")
    parser.add_argument("--gv100", type=Path, required=True, help="die GV100AD-Textdatei von Destatis")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--ziel",
        type=Path,
        default=None,
        help="neues (oder leeres) Verzeichnis für die Dateien (Standard: grenzen_<Gebietsstand>); "
        "zum Verwenden ATLAS_GRENZEN_DIR darauf setzen",
    )
    where.add_argument(
        "--ersetzen",
        action="store_true",
        help="die ausgelieferten Grenzdaten im Datenverzeichnis ersetzen (je Datei durch Umbenennen)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    result = rebuild(args.vg250, args.gv100, ziel=args.ziel, ersetzen=args.ersetzen)
    stand = f", VG250 Stand {result.vg250_stand}" if result.vg250_stand else ""
    print(
        f"Grenzdaten Gebietsstand {result.gebietsstand}{stand}: {zahl(result.gemeinden)} Gemeinden, "
        f"{zahl(result.kreise)} Kreise, {zahl(result.einwohner)} Einwohner."
    )
    print(
        f"Geprüft: größte Überlappung {result.figures['max_ueberlappung_m2']:.6f} m², größte Änderung durch "
        f"die Bereinigung {result.figures['max_bereinigung_m2']:.6f} m², Gemeinden gegen Land "
        f"{result.figures['abweichung_land']:+.3%}."
    )
    for row in result.mergers.itertuples():
        print(f"  {row.gen_vg250_2016} ({row.ags_vg250_2016}) → {row.gen_2023} ({row.ags_2023})")
    print(f"Geschrieben nach {result.directory}: {', '.join(result.files)}")
    return 0
