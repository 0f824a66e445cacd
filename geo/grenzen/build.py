"""From VG250 geometry and GV100AD attributes to the three layers the atlas ships, checked.

The checks are those ``data/PROVENANCE.md`` lists for the shipped data: the Gemeinden of
VG250 and of GV100AD are the same set (count and keys), every geometry is a valid area,
neighbours do not overlap (above :data:`OVERLAP_TOLERANCE_M2`), the coverage cleaning of
:func:`geo.boundaries.load_gemeinden` and the simplification of :mod:`geo.display` work,
and the Gemeinden cover the Land.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.errors import InputFileError
from geo.grenzen.gv100 import Gemeindeverzeichnis

#: Largest area two neighbouring Gemeinden may share, in m². The shipped data's largest is
#: 0.00005 m² (borders digitised twice); anything real is far above.
OVERLAP_TOLERANCE_M2 = 1.0
#: Largest relative difference between the union of the Gemeinden and the Land's area.
LAND_TOLERANCE = 0.005
#: Largest area change of one Gemeinde through coverage cleaning, in m².
CLEAN_TOLERANCE_M2 = 1.0

GEMEINDE_COLUMNS = [
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
    "geom_quelle",
    "flaeche_km2_geom",
]
KREIS_COLUMNS = [
    "kreis_ags",
    "kreis_name",
    "kreis_typ",
    "nuts3",
    "einwohner",
    "einwohner_maennlich",
    "flaeche_ha_amtlich",
    "anzahl_gemeinden",
    "sitz",
    "flaeche_km2_geom",
]
LAND_COLUMNS = ["land_ags", "name", "anzahl_gemeinden", "anzahl_kreise", "einwohner", "flaeche_km2_geom"]


class BoundaryCheckError(InputFileError):
    """The new boundaries fail a check; the message says which and where."""


@dataclass(frozen=True)
class Layers:
    """The three layers in ``DISPLAY_CRS`` (as shipped), before predecessors are filled in."""

    gemeinden: gpd.GeoDataFrame
    kreise: gpd.GeoDataFrame
    land: gpd.GeoDataFrame
    vg250_stand: dt.date | None


def polygonal(geoms: np.ndarray) -> np.ndarray:
    """Only the polygon parts of each geometry (make_valid can leave lines and points), as MultiPolygons."""
    out = []
    for geom in geoms:
        parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
        flat = [q for p in parts for q in shapely.get_parts(p)]
        out.append(shapely.MultiPolygon(flat) if flat else shapely.MultiPolygon())
    return np.array(out, dtype=object)


def _km2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return np.round(gdf.to_crs(METRIC_CRS).area.to_numpy() / 1e6, 3)


def _listed(keys: list[str], names: dict[str, str] | None = None, limit: int = 12) -> str:
    shown = [f"{k} ({names[k]})" if names and k in names else k for k in sorted(keys)[:limit]]
    return ", ".join(shown) + (f" … und {len(keys) - limit} weitere" if len(keys) > limit else "")


def check_keys(gem: gpd.GeoDataFrame, gv: Gemeindeverzeichnis, *, vg250: str, gv100: str) -> None:
    """VG250 and GV100AD name the same Gemeinden; else a German message listing the differences."""
    geo_keys, gv_keys = set(gem["AGS"]), set(gv.gemeinden["ags"])
    names = dict(zip(gv.gemeinden["ags"], gv.gemeinden["name_amtlich"], strict=True))
    problems = []
    if gv_keys - geo_keys:
        problems.append(
            f"{len(gv_keys - geo_keys)} Gemeinden aus {gv100} haben keine Geometrie in {vg250} "
            f"(VG250_GEM, GF = 4): {_listed(sorted(gv_keys - geo_keys), names)}"
        )
    if geo_keys - gv_keys:
        problems.append(
            f"{len(geo_keys - gv_keys)} Gemeinden aus {vg250} fehlen in {gv100} (Satzart 60): "
            f"{_listed(sorted(geo_keys - gv_keys), dict(zip(gem['AGS'], gem['GEN'], strict=True)))}"
        )
    if problems:
        msg = (
            f"VG250 und GV100AD passen nicht zusammen ({len(geo_keys)} gegen {len(gv_keys)} Gemeinden): "
            + "; ".join(problems)
            + ". Bitte Dateien mit demselben Gebietsstand verwenden."
        )
        raise BoundaryCheckError(msg)


def check_geometry(
    gemeinden: gpd.GeoDataFrame, land: gpd.GeoDataFrame, *, tolerance_m: float
) -> dict[str, float]:
    """Validity, overlaps, coverage cleaning and simplification, cover of the Land (metric CRS).

    Returns the figures of the checks (``max_ueberlappung_m2``, ``max_bereinigung_m2``,
    ``abweichung_land``).
    """
    metric = gemeinden.to_crs(METRIC_CRS)
    geoms = metric.geometry.values
    names = dict(zip(metric["ags"], metric["gen"], strict=True))
    empty = metric["ags"][shapely.is_empty(geoms)].tolist()
    invalid = metric["ags"][~shapely.is_valid(geoms)].tolist()
    if empty or invalid:
        msg = "Ungültige Gemeindegeometrie: " + "; ".join(
            f"{label}: {_listed(keys, names)}"
            for label, keys in (("leer", empty), ("ungültig", invalid))
            if keys
        )
        raise BoundaryCheckError(msg)
    tree = shapely.STRtree(geoms)
    i, j = tree.query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    shared = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    over = shared > OVERLAP_TOLERANCE_M2
    if over.any():
        pairs = [
            f"{metric['ags'].iloc[a]}/{metric['ags'].iloc[b]} ({shared_m2:,.0f} m²)".replace(",", ".")
            for a, b, shared_m2 in zip(i[over], j[over], shared[over], strict=True)
        ]
        msg = (
            f"Gemeinden überlappen sich (mehr als {OVERLAP_TOLERANCE_M2:g} m²): {_listed(pairs, limit=8)}. "
            "Jede Fläche muss zu genau einer Gemeinde gehören."
        )
        raise BoundaryCheckError(msg)
    cleaned = shapely.coverage_clean(geoms)
    change = np.abs(shapely.area(cleaned) - shapely.area(geoms))
    simple = shapely.coverage_simplify(cleaned, tolerance_m)
    if (
        change.max() > CLEAN_TOLERANCE_M2
        or not shapely.coverage_is_valid(cleaned)
        or not shapely.is_valid(simple).all()
        or shapely.is_empty(simple).any()
    ):
        worst = metric["ags"].iloc[int(np.argmax(change))]
        msg = (
            f"Die Bereinigung der Gemeindegrenzen (coverage_clean, Vereinfachung auf {tolerance_m:g} m) "
            f"gelingt nicht: größte Flächenänderung {change.max():.1f} m² bei {worst} ({names[worst]})."
        )
        raise BoundaryCheckError(msg)
    land_area = float(land.to_crs(METRIC_CRS).area.sum())
    union_area = float(shapely.union_all(cleaned).area)
    deviation = union_area / land_area - 1
    if abs(deviation) > LAND_TOLERANCE:
        msg = (
            f"Die Gemeinden decken das Land nicht ab: zusammen {union_area / 1e6:.1f} km², das Land "
            f"(VG250_LAN) {land_area / 1e6:.1f} km² ({deviation:+.1%})."
        )
        raise BoundaryCheckError(msg)
    return {
        "max_ueberlappung_m2": float(shared.max(initial=0.0)),
        "max_bereinigung_m2": float(change.max()),
        "abweichung_land": deviation,
    }


def build_layers(vg: dict, gv: Gemeindeverzeichnis, *, land: str, vg250: str, gv100: str) -> Layers:
    """Join VG250 (dissolved land parts, any CRS) and GV100AD into the shipped layers (``DISPLAY_CRS``)."""
    gem_geo, wsk = vg["VG250_GEM"]
    krs_geo, _ = vg["VG250_KRS"]
    lan_geo, _ = vg["VG250_LAN"]
    check_keys(gem_geo, gv, vg250=vg250, gv100=gv100)
    table = gv.gemeinden.drop(columns="_zeile").merge(gv.kreise, on="kreis_ags", how="left")
    table = table.merge(gv.verbaende, on="vb_ars", how="left")
    no_kreis = table.loc[table["kreis_name"].isna(), "ags"].tolist()
    if no_kreis:
        msg = f"{gv100}: Gemeinden ohne Kreis (Satzart 40 fehlt): {_listed(no_kreis)}."
        raise BoundaryCheckError(msg)
    table["vb_name"] = table["vb_name"].fillna(table["name_amtlich"])
    table["vb_typ"] = table["vb_typ"].fillna("verbandsfreie Gemeinde")
    table["vb_sitz"] = table["vb_sitz"].fillna("")  # empty, as shipped, where there is none
    table.loc[table["vb_typ"] == "verbandsfreie Gemeinde", "vb_sitz"] = ""
    geo = gem_geo.rename(columns={"AGS": "ags", "GEN": "gen", "NUTS": "nuts3"})
    gem = geo.merge(table, on="ags", how="inner")
    gem = gem.set_geometry(polygonal(gem.geometry.values), crs=geo.crs).to_crs(DISPLAY_CRS)
    stand = f"VG250 Stand {wsk:%d.%m.%Y}" if wsk else "VG250"
    gem["geom_quelle"] = f"{stand} unveraendert, Gebietsstand {gv.gebietsstand:%d.%m.%Y}"
    gem["vorgaenger_ags"] = ""
    gem["vorgaenger_namen"] = ""
    gem["flaeche_km2_geom"] = _km2(gem)
    gem = gem[[*GEMEINDE_COLUMNS, "geometry"]].sort_values("ags", ignore_index=True)

    kre = krs_geo.rename(columns={"AGS": "kreis_ags"})[["kreis_ags", "geometry"]]
    kreis_keys, gv_kreise = set(kre["kreis_ags"]), set(gem["kreis_ags"])
    if kreis_keys != gv_kreise:
        msg = (
            f"VG250_KRS in {vg250} und die Kreise der Gemeinden in {gv100} unterscheiden sich: "
            f"nur in VG250 {_listed(sorted(kreis_keys - gv_kreise)) or '–'}, "
            f"nur in GV100AD {_listed(sorted(gv_kreise - kreis_keys)) or '–'}."
        )
        raise BoundaryCheckError(msg)
    sums = (
        gem.groupby("kreis_ags")
        .agg(
            einwohner=("einwohner", "sum"),
            einwohner_maennlich=("einwohner_maennlich", "sum"),
            flaeche_ha_amtlich=("flaeche_ha_amtlich", "sum"),
            anzahl_gemeinden=("ags", "size"),
            nuts3=("nuts3", "first"),
        )
        .reset_index()
    )
    kre = kre.merge(gv.kreise, on="kreis_ags", how="left").merge(sums, on="kreis_ags")
    kre = kre.set_geometry(_single(polygonal(kre.geometry.values)), crs=krs_geo.crs).to_crs(DISPLAY_CRS)
    kre["flaeche_km2_geom"] = _km2(kre)
    kre = kre[[*KREIS_COLUMNS, "geometry"]].sort_values("kreis_ags", ignore_index=True)

    lan = gpd.GeoDataFrame(
        {
            "land_ags": [land],
            "name": [gv.land_name or str(lan_geo["GEN"].iloc[0])],
            "anzahl_gemeinden": [len(gem)],
            "anzahl_kreise": [len(kre)],
            "einwohner": [int(gem["einwohner"].sum())],
        },
        geometry=_single(polygonal(lan_geo.geometry.values[:1])),
        crs=lan_geo.crs,
    ).to_crs(DISPLAY_CRS)
    lan["flaeche_km2_geom"] = _km2(lan)
    return Layers(gem, kre, lan[[*LAND_COLUMNS, "geometry"]], wsk)


def _single(geoms: np.ndarray) -> np.ndarray:
    """A MultiPolygon of one part as a Polygon (the shipped Kreise and Land are Polygons)."""
    return np.array([g.geoms[0] if len(g.geoms) == 1 else g for g in geoms], dtype=object)


def merger_table(
    previous: gpd.GeoDataFrame, previous_table: pd.DataFrame, new: gpd.GeoDataFrame
) -> pd.DataFrame:
    """Every key of an earlier Gebietsstand → the Gemeinde of the new one, as shipped.

    `previous` are the Gemeinden the atlas had (``ags``, ``gen``, geometry), `previous_table`
    the merger table it had (2016 → previous), `new` the new Gemeinden. A previous Gemeinde
    whose key is still there stays; one whose key disappeared goes to the new Gemeinde that
    covers most of its area. Columns as ``data/sachsen_gemeinden_vg250_2016_zu_2023.csv``:
    ``ags_vg250_2016``, ``gen_vg250_2016`` (the old key and name, of 2016 or of the previous
    Gebietsstand), ``ags_2023``, ``gen_2023`` (the Gemeinde now), ``flaechenanteil_ueberlappung``.
    """
    prev = previous.to_crs(METRIC_CRS).reset_index(drop=True)
    cur = new.to_crs(METRIC_CRS).reset_index(drop=True)
    cur_names = dict(zip(cur["ags"], cur["gen"], strict=True))
    tree = shapely.STRtree(cur.geometry.values)
    step: dict[str, tuple[str, float]] = {}
    for ags, geom in zip(prev["ags"], prev.geometry.values, strict=True):
        hits = tree.query(geom, predicate="intersects")
        shares = shapely.area(shapely.intersection(geom, cur.geometry.values[hits])) / geom.area
        if ags in cur_names:
            own = [s for h, s in zip(hits, shares, strict=True) if cur["ags"].iloc[h] == ags]
            step[ags] = (ags, float(own[0]) if own else 0.0)
        elif len(hits):
            best = int(np.argmax(shares))
            step[ags] = (str(cur["ags"].iloc[hits[best]]), float(shares[best]))
    lost = sorted(set(prev["ags"]) - set(step))
    if lost:
        msg = f"Bisherige Gemeinden ohne Fläche in den neuen Grenzen: {_listed(lost)}."
        raise BoundaryCheckError(msg)
    rows = []
    prev_names = dict(zip(prev["ags"], prev["gen"], strict=True))
    for old, name, via, share in zip(
        previous_table["ags_vg250_2016"],
        previous_table["gen_vg250_2016"],
        previous_table["ags_2023"],
        previous_table["flaechenanteil_ueberlappung"],
        strict=True,
    ):
        target, step_share = step.get(via, (via, 1.0))
        changed = target != via
        rows.append((old, name, target, cur_names.get(target, ""), step_share if changed else share))
    listed = set(previous_table["ags_vg250_2016"])
    for ags in sorted(set(prev["ags"]) - listed):
        target, share = step[ags]
        rows.append((ags, prev_names[ags], target, cur_names[target], share))
    return pd.DataFrame(
        rows,
        columns=["ags_vg250_2016", "gen_vg250_2016", "ags_2023", "gen_2023", "flaechenanteil_ueberlappung"],
    )


def fill_predecessors(gem: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """`gem` with ``vorgaenger_ags``, ``vorgaenger_namen`` (``;``-separated), ``geom_quelle`` from `table`."""
    moved = table[table["ags_vg250_2016"] != table["ags_2023"]].sort_values("ags_vg250_2016")
    keys = moved.groupby("ags_2023")["ags_vg250_2016"].agg(";".join)
    names = moved.groupby("ags_2023")["gen_vg250_2016"].agg(";".join)
    out = gem.copy()
    out["vorgaenger_ags"] = out["ags"].map(keys).fillna("")
    out["vorgaenger_namen"] = out["ags"].map(names).fillna("")
    merged = out["vorgaenger_ags"] != ""
    out.loc[merged, "geom_quelle"] = out.loc[merged, "geom_quelle"].str.replace(
        " unveraendert", ", vereinigt aus Vorgaengergemeinden", regex=False
    )
    return out
