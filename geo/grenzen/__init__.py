"""``python -m geo grenzen``: the shipped boundaries and population from newer official releases.

Reads BKG VG250 (the ZIP as published) and Destatis GV100AD (the fixed-width text file),
keeps Saxony, joins, checks (:mod:`geo.grenzen.build`) and writes the same files as
shipped in ``data/``: ``sachsen_verwaltungsgrenzen.gpkg`` (layers ``gemeinden``,
``kreise``, ``land`` with the shipped columns, plus a table ``metadaten`` with the
Gebietsstand that :mod:`geo.sources` reads for the attribution), the population table,
the merger table (every earlier key → the Gemeinde now) and ``grenzen_herkunft.md``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.crs import METRIC_CRS
from geo.display import TOLERANCE_M
from geo.errors import AtlasError
from geo.grenzen.build import build_layers, check_geometry, fill_predecessors, merger_table
from geo.grenzen.gv100 import read_gv100
from geo.grenzen.vg250 import read_vg250
from geo.sources import (
    BOUNDARIES_GPKG,
    BOUNDARY_DIR,
    DATA_DIR,
    GEMEINDEN_2016_ZU_2023,
    METADATA_TABLE,
    POPULATION_CSV_PREFIX,
)

LAND = "14"
PROVENANCE_NAME = "grenzen_herkunft.md"


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild wrote and found."""

    directory: Path
    gebietsstand: str  # ISO date of GV100AD
    vg250_stand: str  # ISO date (newest WSK) or ""
    gemeinden: int
    kreise: int
    einwohner: int
    mergers: pd.DataFrame  # rows of the merger table whose key changed in this rebuild
    figures: dict[str, float]
    files: tuple[str, ...]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _provenance(rebuilt: Rebuilt, meta: dict[str, str], directory: Path) -> str:
    lines = [
        "# Verwaltungsgrenzen und Einwohner – Herkunft dieses Datenstands",
        "",
        f"Erzeugt mit `python -m geo grenzen` aus `{meta['vg250_datei']}` (BKG VG250, Stand "
        f"{meta['vg250_stand'] or 'unbekannt'}) und `{meta['gv100_datei']}` (Destatis GV100AD, Gebietsstand "
        f"{meta['gebietsstand']}).",
        "",
        f"- Gemeinden: {rebuilt.gemeinden}, Kreise: {rebuilt.kreise}, Einwohner: {rebuilt.einwohner}",
        f"- größte Überlappung zweier Gemeinden: {rebuilt.figures['max_ueberlappung_m2']:.6f} m²; "
        f"größte Flächenänderung durch die Bereinigung: {rebuilt.figures['max_bereinigung_m2']:.6f} m²; "
        f"Gemeinden gegen Land: {rebuilt.figures['abweichung_land']:+.4%}",
        f"- Gemeinden, deren Schlüssel in diesem Stand wegfiel: {len(rebuilt.mergers)}",
        *[
            f"  - {r.gen_vg250_2016} ({r.ags_vg250_2016}) → {r.gen_2023} ({r.ags_2023}), Flächenanteil "
            f"{r.flaechenanteil_ueberlappung:.3f}"
            for r in rebuilt.mergers.itertuples()
        ],
        "",
        "## Namensnennung",
        f"- Verwaltungsgrenzen: {meta['namensnennung_grenzen']}",
        f"- Einwohner/Schlüssel: {meta['namensnennung_einwohner']}",
        "",
        "## Dateien",
        "| Datei | Bytes | sha256 |",
        "|---|---|---|",
        *[
            f"| `{name}` | {(directory / name).stat().st_size} | {_sha256(directory / name)} |"
            for name in rebuilt.files
            if name != PROVENANCE_NAME
        ],
        "",
    ]
    return "\n".join(lines)


def _write(directory: Path, layers, table: pd.DataFrame, meta: dict[str, str], population: str) -> None:
    gpkg = directory / BOUNDARIES_GPKG.name
    for name, gdf in (("gemeinden", layers.gemeinden), ("kreise", layers.kreise), ("land", layers.land)):
        pyogrio.write_dataframe(gdf, gpkg, layer=name, driver="GPKG")
    pyogrio.write_dataframe(
        pd.DataFrame({"schluessel": list(meta), "wert": list(meta.values())}),
        gpkg,
        layer=METADATA_TABLE,
        driver="GPKG",
    )
    layers.gemeinden.drop(columns="geometry").to_csv(directory / population, index=False)
    table.to_csv(directory / GEMEINDEN_2016_ZU_2023.name, index=False)


def rebuild(
    vg250: Path,
    gv100: Path,
    *,
    ziel: Path | None = None,
    ersetzen: bool = False,
    previous: Path = BOUNDARY_DIR,
) -> Rebuilt:
    """Build, check and write the boundary data; see the module docstring.

    Parameters
    ----------
    vg250, gv100 : Path
        The BKG ZIP and the Destatis text file.
    ziel : Path, optional
        A new (or empty) directory for the files; default ``grenzen_<Gebietsstand>`` here.
    ersetzen : bool
        Replace the files in the shipped data directory instead (each by a rename).
    previous : Path
        Where the boundaries so far are (for the merger table); default the ones in use
        (:data:`geo.sources.BOUNDARY_DIR`).
    """
    vg250, gv100 = Path(vg250), Path(gv100)
    gv = read_gv100(gv100, land=LAND)
    vg = read_vg250(vg250, land=LAND, crs=METRIC_CRS)
    layers = build_layers(vg, gv, land=LAND, vg250=vg250.name, gv100=gv100.name)
    figures = check_geometry(layers.gemeinden, layers.land, tolerance_m=TOLERANCE_M)
    before = gpd.read_file(previous / BOUNDARIES_GPKG.name, layer="gemeinden")[["ags", "gen", "geometry"]]
    before_table = pd.read_csv(
        previous / GEMEINDEN_2016_ZU_2023.name, dtype={"ags_vg250_2016": str, "ags_2023": str}
    )
    table = merger_table(before, before_table, layers.gemeinden)
    layers = type(layers)(
        fill_predecessors(layers.gemeinden, table), layers.kreise, layers.land, layers.vg250_stand
    )
    vg_stand = layers.vg250_stand.isoformat() if layers.vg250_stand else ""
    vg_year = vg_stand[:4] or str(gv.gebietsstand.year)
    meta = {
        "gebietsstand": gv.gebietsstand.isoformat(),
        "vg250_stand": vg_stand,
        "vg250_jahr": vg_year,
        "vg250_datei": vg250.name,
        "gv100_datei": gv100.name,
        "namensnennung_grenzen": f"© GeoBasis-DE / BKG {vg_year} (Daten verändert)",
        "namensnennung_einwohner": (
            f"© Statistisches Bundesamt (Destatis), GV100AD {gv.gebietsstand:%d.%m.%Y}, dl-de/by-2-0"
        ),
    }
    population = f"{POPULATION_CSV_PREFIX}{gv.gebietsstand.isoformat()}.csv"
    files = (BOUNDARIES_GPKG.name, population, GEMEINDEN_2016_ZU_2023.name)
    target = DATA_DIR if ersetzen else Path(ziel or f"grenzen_{gv.gebietsstand.isoformat()}")
    _check_target(target, ersetzen=ersetzen)
    parent = target if ersetzen else target.resolve().parent
    try:
        staging = Path(tempfile.mkdtemp(prefix=".grenzen-", suffix=".neu", dir=parent))
    except OSError as err:
        msg = f"{parent}: hier kann nicht geschrieben werden ({err.strerror or err})."
        raise AtlasError(msg) from err
    try:
        _write(staging, layers, table, meta, population)
        mergers = table[
            (table["ags_2023"] != table["ags_vg250_2016"])
            & ~table["ags_vg250_2016"].isin(
                before_table["ags_vg250_2016"][before_table["ags_vg250_2016"] != before_table["ags_2023"]]
            )
        ]
        mergers = mergers[~mergers["ags_vg250_2016"].isin(layers.gemeinden["ags"])]
        result = Rebuilt(
            target,
            meta["gebietsstand"],
            vg_stand,
            len(layers.gemeinden),
            len(layers.kreise),
            int(layers.gemeinden["einwohner"].sum()),
            mergers.reset_index(drop=True),
            figures,
            (*files, PROVENANCE_NAME),
        )
        (staging / PROVENANCE_NAME).write_text(_provenance(result, meta, staging), encoding="utf-8")
        _move_into_place(staging, target, ersetzen=ersetzen, population=population)
    except OSError as err:
        msg = f"{target}: die Grenzdaten können nicht geschrieben werden ({err.strerror or err})."
        raise AtlasError(msg) from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _check_target(target: Path, *, ersetzen: bool) -> None:
    if ersetzen:
        return
    if target.resolve() == DATA_DIR.resolve():
        msg = (
            f"{target} ist das Datenverzeichnis des Atlas; die ausgelieferten Grenzdaten werden nur mit "
            "--ersetzen ersetzt."
        )
        raise AtlasError(msg)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        msg = f"{target} gibt es schon und ist nicht leer; bitte mit --ziel ein neues Verzeichnis angeben."
        raise AtlasError(msg)


def _move_into_place(staging: Path, target: Path, *, ersetzen: bool, population: str) -> None:
    if not ersetzen:
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
        return
    old_population = [p for p in target.glob(f"{POPULATION_CSV_PREFIX}*.csv") if p.name != population]
    # the population table and provenance first, the tables the atlas reads last, the GeoPackage
    # (which carries the Gebietsstand) at the very end: each file is replaced whole by a rename
    for name in (population, PROVENANCE_NAME, GEMEINDEN_2016_ZU_2023.name, BOUNDARIES_GPKG.name):
        os.replace(staging / name, target / name)
    for path in old_population:
        path.unlink()
