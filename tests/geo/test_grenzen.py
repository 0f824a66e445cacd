"""``python -m geo grenzen``: the shipped boundaries rebuilt from VG250/GV100AD-format files.

The inputs are generated at test time in the official formats from the shipped data: a VG250
ZIP (shapefiles in a nested folder, EPSG:25832, VG250 columns) and a GV100AD text file (fixed
columns), with one constructed merger: Börnichen/Erzgeb. (14521090) and Grünhainichen
(14521270) become "Grünhainichen-Börnichen" (14521275).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.__main__ import main
from geo.crs import METRIC_CRS
from geo.sources import BOUNDARIES_GPKG, DATA_DIR, boundaries_metadata

STAND = "20241231"
MERGED = ("14521090", "14521270")
NEW_AGS, NEW_NAME = "14521275", "Grünhainichen-Börnichen"
FOLDER = "vg250_01-01.utm32s.shape.ebenen/vg250_ebenen_0101/"
ROOT = Path(__file__).resolve().parents[2]


def _line(
    satzart: str,
    key: str,
    gem: str,
    verband: str,
    name: str,
    sitz: str = "",
    kennzeichen: str = "",
    tail: str = "",
) -> str:
    """One GV100AD record: key = Land+RB+Kreis (2 to 5 digits), fixed columns as Destatis publishes them."""
    head = f"{satzart}{STAND}{key:<5}{gem:<3}{verband:<4}"
    return f"{head}{name:<50}{sitz:<50}{kennzeichen:<2}{tail}".ljust(220)


def _gemeinde_tail(flaeche: int, einwohner: int, maennlich: int, plz: str) -> str:
    return f"    {flaeche:011d}{einwohner:011d}{maennlich:011d}    {plz:<5}"


def write_gv100(path: Path) -> None:
    table = pd.read_csv(next(DATA_DIR.glob("sachsen_gemeinden_einwohner_gv100ad_*.csv")), dtype=str)
    kreise = gpd.read_file(BOUNDARIES_GPKG, layer="kreise")
    bez = {"Kreisfreie Stadt": "61", "Stadt": "63", "Gemeinde": "64"}
    vb = {"verbandsfreie Gemeinde": "50", "Verwaltungsgemeinschaft": "54", "Verwaltungsverband": "56"}
    lines = [
        _line("10", "01", "", "", "Schleswig-Holstein", "Kiel"),
        _line("40", "01001", "", "", "Flensburg, Stadt", "Flensburg", "41"),
        _line("50", "01001", "", "0000", "Flensburg, Stadt", "", "50"),
        _line(
            "60",
            "01001",
            "000",
            "0000",
            "Flensburg, Stadt",
            "",
            "61",
            _gemeinde_tail(5673, 92550, 45874, "24937"),
        ),
        _line("10", "14", "", "", "Sachsen", "Dresden"),
    ]
    for k in kreise.itertuples():
        lines.append(
            _line(
                "40",
                k.kreis_ags,
                "",
                "",
                k.kreis_name,
                k.sitz,
                "41" if k.kreis_typ == "Kreisfreie Stadt" else "44",
            )
        )
        for v in table[table["kreis_ags"] == k.kreis_ags].drop_duplicates("vb_ars").itertuples():
            lines.append(
                _line(
                    "50",
                    k.kreis_ags,
                    "",
                    v.vb_ars[5:],
                    v.vb_name,
                    "" if pd.isna(v.vb_sitz) else v.vb_sitz,
                    vb[v.vb_typ],
                )
            )
        for g in table[table["kreis_ags"] == k.kreis_ags].itertuples():
            if g.ags in MERGED:
                continue
            lines.append(
                _line(
                    "60",
                    k.kreis_ags,
                    g.ags[5:],
                    g.vb_ars[5:],
                    g.name_amtlich,
                    "",
                    bez[g.bez],
                    _gemeinde_tail(
                        int(g.flaeche_ha_amtlich), int(g.einwohner), int(g.einwohner_maennlich), g.plz
                    ),
                )
            )
        if k.kreis_ags == "14521":
            parts = table[table["ags"].isin(MERGED)]
            lines.append(
                _line(
                    "60",
                    "14521",
                    NEW_AGS[5:],
                    "5405",
                    NEW_NAME,
                    "",
                    "64",
                    _gemeinde_tail(
                        int(parts["flaeche_ha_amtlich"].astype(int).sum()),
                        int(parts["einwohner"].astype(int).sum()),
                        int(parts["einwohner_maennlich"].astype(int).sum()),
                        "09579",
                    ),
                )
            )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_vg250(path: Path, *, layers: tuple[str, ...] = ("GEM", "KRS", "LAN"), land: str = "14") -> None:
    """A VG250 ZIP as BKG publishes it, from the shipped geometry, plus water and a Gemeinde elsewhere."""
    gem = gpd.read_file(BOUNDARIES_GPKG, layer="gemeinden").to_crs("EPSG:25832")
    gem = gpd.GeoDataFrame(
        {
            "AGS": gem["ags"].where(~gem["ags"].isin(MERGED), NEW_AGS),
            "ARS": gem["ars"],
            "GEN": gem["gen"].where(~gem["ags"].isin(MERGED), NEW_NAME),
            "BEZ": gem["bez"],
            "GF": 4,
            "NUTS": gem["nuts3"],
            "WSK": "2024-01-01",
        },
        geometry=gem.geometry,
    )
    leipzig = gem[gem["AGS"] == "14713000"]
    water = leipzig.assign(GF=2, geometry=leipzig.buffer(3000))  # overlaps the neighbours: must be dropped
    elsewhere = leipzig.assign(AGS="15001000", GEN="Anderswo", geometry=leipzig.translate(-80_000, 0))
    gem = pd.concat([gem, water, elsewhere], ignore_index=True)
    if land != "14":
        gem["AGS"] = land + gem["AGS"].str[2:]
    kre = gpd.read_file(BOUNDARIES_GPKG, layer="kreise").to_crs("EPSG:25832")
    kre = gpd.GeoDataFrame(
        {"AGS": kre["kreis_ags"], "GEN": kre["kreis_name"], "GF": 4, "NUTS": kre["nuts3"]},
        geometry=kre.geometry,
    )
    lan = gpd.read_file(BOUNDARIES_GPKG, layer="land").to_crs("EPSG:25832")
    lan = gpd.GeoDataFrame({"AGS": ["14"], "GEN": ["Sachsen"], "GF": [4]}, geometry=lan.geometry)
    shapes = path.parent / (path.stem + "_shp")
    shapes.mkdir()
    with zipfile.ZipFile(path, "w") as archive:
        for name, gdf in (("GEM", gem), ("KRS", kre), ("LAN", lan)):
            if name not in layers:
                continue
            target = shapes / f"VG250_{name}.shp"
            pyogrio.write_dataframe(gdf, target, driver="ESRI Shapefile", encoding="UTF-8")
            for part in shapes.glob(f"VG250_{name}.*"):
                archive.write(part, FOLDER + part.name)


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    base = tmp_path_factory.mktemp("grenzen")
    write_vg250(base / "vg250_01-01.utm32s.shape.ebenen.zip")
    write_gv100(base / "GV100AD_311224.txt")
    code = main(
        [
            "grenzen",
            "--vg250",
            str(base / "vg250_01-01.utm32s.shape.ebenen.zip"),
            "--gv100",
            str(base / "GV100AD_311224.txt"),
            "--ziel",
            str(base / "neu"),
        ]
    )
    assert code == 0
    return base


def test_rebuild_equals_the_shipped_data_for_unchanged_gemeinden(rebuilt):
    new = gpd.read_file(rebuilt / "neu" / BOUNDARIES_GPKG.name, layer="gemeinden")
    old = gpd.read_file(BOUNDARIES_GPKG, layer="gemeinden")
    assert len(new) == 417 and new["ags"].is_unique
    assert set(old["ags"]) - set(new["ags"]) == set(MERGED)
    assert list(new.columns) == list(old.columns)
    kept = old[~old["ags"].isin(MERGED)].sort_values("ags", ignore_index=True)
    mine = new[new["ags"] != NEW_AGS].sort_values("ags", ignore_index=True)
    for column in (
        "ags",
        "ars",
        "gen",
        "name_amtlich",
        "bez",
        "kreis_ags",
        "kreis_name",
        "kreis_typ",
        "nuts3",
        "vb_ars",
        "vb_name",
        "vb_typ",
        "vb_sitz",
        "einwohner",
        "einwohner_maennlich",
        "flaeche_ha_amtlich",
        "plz",
        "vorgaenger_ags",
        "vorgaenger_namen",
    ):
        pd.testing.assert_series_equal(mine[column], kept[column], check_dtype=False, obj=column)
    moved = shapely.hausdorff_distance(
        gpd.GeoSeries(mine.geometry.values, crs=4326).to_crs(METRIC_CRS).values,
        gpd.GeoSeries(kept.geometry.values, crs=4326).to_crs(METRIC_CRS).values,
    )
    assert moved.max() < 0.01  # metres: reprojected to EPSG:25832 and back
    merged = new[new["ags"] == NEW_AGS].iloc[0]
    parts = old[old["ags"].isin(MERGED)]
    assert merged["einwohner"] == parts["einwohner"].sum() and merged["gen"] == NEW_NAME
    assert merged["vorgaenger_ags"] == ";".join(MERGED)
    merged_area = gpd.GeoSeries([merged.geometry], crs=4326).to_crs(METRIC_CRS).area.iloc[0]
    assert merged_area == pytest.approx(parts.to_crs(METRIC_CRS).area.sum(), rel=1e-6)
    land = gpd.read_file(rebuilt / "neu" / BOUNDARIES_GPKG.name, layer="land").iloc[0]
    assert land["einwohner"] == 4_086_152 and land["anzahl_gemeinden"] == 417
    kreise = gpd.read_file(rebuilt / "neu" / BOUNDARIES_GPKG.name, layer="kreise").set_index("kreis_ags")
    assert kreise.loc["14521", "anzahl_gemeinden"] == 58 and kreise.loc["14612", "sitz"] == "Dresden"


def test_merger_table_maps_old_keys_of_2016_and_2023_to_the_new_gemeinde(rebuilt):
    table = pd.read_csv(rebuilt / "neu" / "sachsen_gemeinden_vg250_2016_zu_2023.csv", dtype=str).set_index(
        "ags_vg250_2016"
    )
    assert table.loc[list(MERGED), "ags_2023"].tolist() == [NEW_AGS, NEW_AGS]
    assert table.loc["14521030", "ags_2023"] == "14521035"  # Aue (2016) stays with Aue-Bad Schlema
    assert table.loc["14522180", "ags_2023"] == "14522180"
    assert table.loc["14521035", "ags_2023"] == "14521035"  # a key of 2023 is an old key from now on
    assert len(table) == 426 + 2  # the 2016 keys and the two keys new in 2023


def test_gebietsstand_is_recorded_and_read_for_the_attribution(rebuilt):
    meta = boundaries_metadata(rebuilt / "neu" / BOUNDARIES_GPKG.name)
    assert meta["gebietsstand"] == "2024-12-31" and meta["vg250_stand"] == "2024-01-01"
    assert boundaries_metadata(BOUNDARIES_GPKG) == {}  # the shipped data: the lines stay as they were
    script = "from geo.sources import MAP_ATTRIBUTION; print(' | '.join(MAP_ATTRIBUTION))"
    env = {**os.environ, "ATLAS_GRENZEN_DIR": str(rebuilt / "neu")}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == (
        "© GeoBasis-DE / BKG 2024 (Daten verändert) | © Statistisches Bundesamt (Destatis), "
        "GV100AD 31.12.2024, dl-de/by-2-0"
    )
    assert (rebuilt / "neu" / "sachsen_gemeinden_einwohner_gv100ad_2024-12-31.csv").is_file()


_AFTER = """
import json, sys
from geo import boundaries
from geo.store import IncidentStore
from geo.incidents import read_incidents
store = IncidentStore(sys.argv[1])
stored = store.point_table()
table = read_incidents(sys.argv[2]).aggregates
now = sorted(set(boundaries.current_ags(stored["ags"])))
print(json.dumps({"stored": sorted(set(stored["ags"])), "now": now,
                  "table": sorted(set(table["area_key"])), "note": boundaries.merger_note("14521090")}))
"""


def test_stored_incidents_with_an_old_key_count_for_the_new_gemeinde(rebuilt, tmp_path):
    from geo.store import IncidentStore

    old = gpd.read_file(BOUNDARIES_GPKG, layer="gemeinden").set_index("ags")
    spot = old.loc["14521090"].geometry.representative_point()
    points = tmp_path / "boernichen.csv"
    points.write_text(
        "Kategorie;Datum;Laenge;Breite\n"
        + "".join(f"Graffiti;0{d}.03.2024;{spot.x:.6f};{spot.y:.6f}\n" for d in (1, 2, 3)),
        encoding="utf-8",
    )
    IncidentStore(tmp_path / "store").import_file(
        points, name="Börnichen 2024"
    )  # with the shipped boundaries
    table = tmp_path / "alt.csv"
    table.write_text(
        "AGS;Gemeinde;Kategorie;Jahr;Anzahl\n14521270;Grünhainichen;Graffiti;2023;4\n", encoding="utf-8"
    )
    env = {**os.environ, "ATLAS_GRENZEN_DIR": str(rebuilt / "neu")}
    out = subprocess.run(
        [sys.executable, "-c", _AFTER, str(tmp_path / "store"), str(table)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    seen = pd.read_json(pd.io.common.StringIO(out), typ="series")
    assert seen["stored"] == [NEW_AGS]  # stored under 14521090 before the rebuild, read as today's key
    assert seen["now"] == [NEW_AGS] and seen["table"] == [NEW_AGS]
    assert (
        seen["note"]
        == f"Börnichen/Erzgeb. (14521090) gehört seit einer Gemeindefusion zu {NEW_NAME} ({NEW_AGS})."
    )


def _run(tmp_path, capsys, *, no_geometry=None, layers=("GEM", "KRS", "LAN"), land="14", ziel=None):
    write_vg250(tmp_path / "vg250.zip", layers=layers, land=land)
    write_gv100(tmp_path / "gv100.txt")
    if no_geometry:  # the Gemeinde stays in GV100AD but has no polygon in VG250
        _vg250_without(tmp_path, no_geometry)
    target = ziel or tmp_path / "neu"
    code = main(
        [
            "grenzen",
            "--vg250",
            str(tmp_path / "vg250.zip"),
            "--gv100",
            str(tmp_path / "gv100.txt"),
            "--ziel",
            str(target),
        ]
    )
    return code, capsys.readouterr().err, target


def _vg250_without(tmp_path: Path, ags: str) -> None:
    shapes = tmp_path / "vg250_shp"
    gem = pyogrio.read_dataframe(shapes / "VG250_GEM.shp")
    pyogrio.write_dataframe(
        gem[gem["AGS"] != ags], shapes / "VG250_GEM.shp", driver="ESRI Shapefile", encoding="UTF-8"
    )
    with zipfile.ZipFile(tmp_path / "vg250.zip", "w") as archive:  # written anew
        for part in shapes.iterdir():
            archive.write(part, FOLDER + part.name)


def test_a_missing_layer_is_named_and_nothing_is_written(tmp_path, capsys):
    code, err, target = _run(tmp_path, capsys, layers=("GEM", "LAN"))
    assert code == 2
    assert "vg250.zip: Ebene VG250_KRS fehlt" in err and "Traceback" not in err
    assert not target.exists()


def test_vg250_of_another_land_is_refused(tmp_path, capsys):
    code, err, target = _run(tmp_path, capsys, land="16")
    assert code == 2
    assert "vg250.zip, Ebene VG250_GEM: keine Landfläche (GF = 4) des Landes 14" in err
    assert "die Datei enthält die Länder 16." in err and not target.exists()


def test_a_gv100_gemeinde_without_geometry_is_named(tmp_path, capsys):
    code, err, target = _run(tmp_path, capsys, no_geometry="14522180")
    assert code == 2
    assert "1 Gemeinden aus gv100.txt haben keine Geometrie in vg250.zip" in err
    assert "14522180 (Freiberg, Stadt, Universitätsstadt)" in err and not target.exists()


def test_the_shipped_data_is_replaced_only_with_ersetzen(tmp_path, capsys):
    before = BOUNDARIES_GPKG.stat().st_mtime_ns
    code, err, _ = _run(tmp_path, capsys, ziel=DATA_DIR)
    assert code == 2 and "nur mit --ersetzen ersetzt" in err
    assert BOUNDARIES_GPKG.stat().st_mtime_ns == before
