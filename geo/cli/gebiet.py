"""``python -m geo gebiet KEY``: what the atlas knows about an area (Land, Kreis, Gemeinde)."""

from __future__ import annotations

import argparse
import json

from geo import boundaries


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "gebiet",
        help="Gebiet nachschlagen (14 = Sachsen, 5-stelliger Kreisschlüssel, AGS oder Name)",
        description="Zeigt Name, Art, Einwohner und Fläche eines Gebiets.",
    )
    parser.add_argument("key", help="14, Kreisschlüssel (z. B. 14522), AGS (14522180) oder Gemeindename")
    parser.add_argument("--json", action="store_true", help="als JSON ausgeben")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    key = args.key.strip()
    if not key.isdigit():
        hits = boundaries.find_gemeinden(key)
        if len(hits) != 1:
            labels = boundaries.gemeinde_labels()
            names = ", ".join(f"{labels[a]} ({a})" for a in hits["ags"]) or "keine"
            note = boundaries.merger_note(key) if hits.empty else None
            print(f"„{key}“ ist nicht eindeutig oder unbekannt. Treffer: {names}"
                  + (f". {note}" if note else ""))
            return 2
        key = hits["ags"].iloc[0]
    area = boundaries.area(key)
    info = {
        "key": area.key,
        "art": area.kind,
        "name": area.name,
        "einwohner": area.einwohner,
        "flaeche_km2": round(area.geometry.area / 1e6, 2),
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        for field, value in info.items():
            print(f"{field:12} {value}")
    return 0
