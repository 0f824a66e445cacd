"""Where the shipped data comes from, and the attribution lines its licences require.

The lines are shown on the map, in the app and in the README; see ``data/PROVENANCE.md``.
"""

from __future__ import annotations

from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BOUNDARIES_GPKG = DATA_DIR / "sachsen_verwaltungsgrenzen.gpkg"
GEMEINDEN_2016_ZU_2023 = DATA_DIR / "sachsen_gemeinden_vg250_2016_zu_2023.csv"
PKS_KREISE_2020 = DATA_DIR / "pks" / "KR-F-01-T01-Kreise-Faelle-HZ_2020.csv"

ATTRIBUTION_BOUNDARIES = "© GeoBasis-DE / BKG 2016 (Daten verändert)"
ATTRIBUTION_POPULATION = (
    "© Statistisches Bundesamt (Destatis), GV100AD 30.11.2023, dl-de/by-2-0"
)
ATTRIBUTION_PKS = "Quelle: Bundeskriminalamt, Polizeiliche Kriminalstatistik 2020, Version 1.0"

#: The lines every map and report shows (boundaries and population are always on screen).
MAP_ATTRIBUTION = (ATTRIBUTION_BOUNDARIES, ATTRIBUTION_POPULATION)
