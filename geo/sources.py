"""Where the shipped data comes from, and the attribution lines its licences require.

The lines are shown on the map, in the app and in the README; see ``data/PROVENANCE.md``.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

_GEO = Path(__file__).resolve().parent
#: The shipped data: ``data/`` beside the packages in a checkout, ``geo/data`` in an installed wheel
#: (pyproject.toml maps the one folder into the package).
DATA_DIR = _GEO / "data" if (_GEO / "data").is_dir() else _GEO.parent / "data"
#: Where the boundary files are read from: the shipped ones, or those ``python -m geo grenzen`` built
#: into another directory when ``ATLAS_GRENZEN_DIR`` names it.
BOUNDARY_DIR = Path(os.environ.get("ATLAS_GRENZEN_DIR") or DATA_DIR)
BOUNDARIES_GPKG = BOUNDARY_DIR / "sachsen_verwaltungsgrenzen.gpkg"
GEMEINDEN_2016_ZU_2023 = BOUNDARY_DIR / "sachsen_gemeinden_vg250_2016_zu_2023.csv"
POPULATION_CSV_PREFIX = "sachsen_gemeinden_einwohner_gv100ad_"
#: The GeoPackage's table of ``schluessel``/``wert`` rows that a rebuild writes (``gebietsstand``,
#: ``vg250_jahr``, the attribution lines); the data as first shipped has none.
METADATA_TABLE = "metadaten"
PKS_KREISE_2020 = DATA_DIR / "pks" / "KR-F-01-T01-Kreise-Faelle-HZ_2020.csv"



def boundaries_metadata(path: Path = BOUNDARIES_GPKG) -> dict[str, str]:
    """The ``metadaten`` table of the boundaries' GeoPackage as a dict; empty when it has none."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            rows = conn.execute(f"SELECT schluessel, wert FROM {METADATA_TABLE}").fetchall()
    except sqlite3.Error:
        return {}
    return {str(key): str(value) for key, value in rows}


_META = boundaries_metadata()
#: The Gebietsstand of the boundaries (GV100AD date, ISO); the shipped data's is 2023-11-30.
GEBIETSSTAND = _META.get("gebietsstand", "2023-11-30")
ATTRIBUTION_BOUNDARIES = _META.get("namensnennung_grenzen", "© GeoBasis-DE / BKG 2016 (Daten verändert)")
ATTRIBUTION_POPULATION = _META.get(
    "namensnennung_einwohner", "© Statistisches Bundesamt (Destatis), GV100AD 30.11.2023, dl-de/by-2-0"
)
ATTRIBUTION_PKS = "Quelle: Bundeskriminalamt, Polizeiliche Kriminalstatistik 2020, Version 1.0"

#: The lines every map and report shows (boundaries and population are always on screen).
MAP_ATTRIBUTION = (ATTRIBUTION_BOUNDARIES, ATTRIBUTION_POPULATION)
