"""Where a measure takes place: a Gemeinde, a polygon drawn on the map, a GeoJSON file, or a
hotspot area of a Gi* result.

Every place ends as a `Place`: a valid (Multi)Polygon in ``METRIC_CRS`` on the register's
1 cm grid (:func:`geo.measures.model.normalise_place`), the Gemeinde it lies in (that of its
representative point) and a name for people. Anything else is refused with a German
message (:class:`PlaceError`): points and lines, empty or unreadable geometry, coordinates
that are not in the stated system, places outside Saxony, absurdly small or large areas,
and self-intersections that no repair turns into an area. A repaired self-intersection is
kept and said in ``notes``.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError
from scipy import ndimage
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geo.boundaries import find_gemeinden, gemeinde, load_gemeinden, merger_note
from geo.crs import DISPLAY_CRS, METRIC_CRS
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.hotspots import GI_CLASSES
from geo.measures.model import MAX_AREA_KM2, MIN_AREA_M2, normalise_place, polygonal_part

HOT_CLASSES = frozenset(GI_CLASSES[b] for b in (1, 2, 3))
_AREA_COLUMNS = ["id", "label", "zellen", "vorfaelle", "stufe", "flaeche_km2", "ags"]


class PlaceError(AtlasError, ValueError):
    """A place the register cannot use; the message says why and where it came from."""


@dataclass(frozen=True)
class Place:
    """A checked place: ``geometry`` in ``METRIC_CRS``, ``kind`` (a key of
    :data:`geo.measures.PLACE_KINDS`), ``ags`` of its Gemeinde, ``name`` for people."""

    geometry: BaseGeometry
    kind: str
    ags: str
    name: str
    notes: tuple[str, ...] = ()


# --- Gemeinden ----------------------------------------------------------------------------
@functools.cache
def _gemeinden() -> tuple[np.ndarray, np.ndarray, shapely.STRtree]:
    table = load_gemeinden()
    geometries = np.asarray(table.geometry.values)
    return table["ags"].to_numpy(), geometries, shapely.STRtree(geometries)


def gemeinde_of(geometry: BaseGeometry) -> str | None:
    """AGS of the Gemeinde containing the representative point of `geometry` (in ``METRIC_CRS``);
    if that point lies outside Saxony, the Gemeinde with the largest share of it; None if
    `geometry` does not touch Saxony."""
    keys, shapes, tree = _gemeinden()
    hits = tree.query(shapely.point_on_surface(geometry), predicate="intersects")
    if len(hits):
        return str(keys[hits.min()])
    hits = tree.query(geometry, predicate="intersects")
    if not len(hits):
        return None
    shares = shapely.area(shapely.intersection(shapes[hits], geometry))
    return str(keys[hits[int(np.argmax(shares))]]) if shares.max() > 0 else None


def gemeinde_key(text: str) -> str:
    """The AGS of a Gemeinde given by its key or its name (a name two Gemeinden share must
    be given as key)."""
    text = str(text).strip()
    if text.isdigit():
        return str(gemeinde(text)["ags"])
    found = find_gemeinden(text)
    if len(found) == 1:
        return str(found["ags"].iloc[0])
    if len(found) > 1:
        options = ", ".join(f"{r.name} ({r.kreis_name}): {r.ags}" for r in found.itertuples())
        raise PlaceError(f"'{text}' gibt es mehrmals – bitte den Gemeindeschlüssel angeben: {options}.")
    msg = f"'{text}' ist weder Gemeindeschlüssel noch Name einer sächsischen Gemeinde."
    if note := merger_note(text):
        msg = f"{msg} {note}"
    raise PlaceError(msg)


def gemeinde_place(key_or_name: str) -> Place:
    """The whole Gemeinde as a place (kind ``gemeinde``)."""
    ags = gemeinde_key(key_or_name)
    row = gemeinde(ags)
    return Place(normalise_place(row.geometry), "gemeinde", ags, f"{row['name']} ({ags})")


# --- geometry from files and drawings ------------------------------------------------------
@functools.cache
def _to_metric(crs: str) -> Transformer:
    return Transformer.from_crs(crs, METRIC_CRS, always_xy=True)


def metric_place(geometry: BaseGeometry, *, kind: str, source: str) -> Place:
    """Check a geometry already in ``METRIC_CRS`` and make it a place (see module doc)."""
    if geometry is None or geometry.is_empty:
        raise PlaceError(f"{source}: die Fläche ist leer.")
    if geometry.geom_type == "GeometryCollection":
        geometry = polygonal_part(geometry) if all(
            g.geom_type in ("Polygon", "MultiPolygon") for g in geometry.geoms) else geometry
    if geometry.geom_type not in ("Polygon", "MultiPolygon"):
        what = {"Point": "ein Punkt", "MultiPoint": "Punkte", "LineString": "eine Linie",
                "MultiLineString": "Linien", "LinearRing": "eine Linie"}.get(geometry.geom_type,
                                                                               geometry.geom_type)
        raise PlaceError(f"{source}: {what} ist kein Maßnahmenort; erwartet wird eine Fläche "
                         "(Polygon oder MultiPolygon).")
    if not np.isfinite(shapely.get_coordinates(geometry)).all():
        raise PlaceError(f"{source}: die Koordinaten liegen nicht im angegebenen Koordinatensystem.")
    notes: list[str] = []
    if not geometry.is_valid:
        reason = _invalid_reason(geometry)
        repaired = polygonal_part(shapely.make_valid(geometry))
        if repaired.is_empty or repaired.area <= 0:
            raise PlaceError(f"{source}: die Fläche {reason} und lässt sich nicht zu einer Fläche "
                             "reparieren; bitte neu zeichnen.")
        notes.append(f"{source}: die Fläche {reason}; sie wurde repariert (make_valid).")
        geometry = repaired
    geometry = normalise_place(geometry)
    if geometry.is_empty or geometry.area < MIN_AREA_M2:
        raise PlaceError(f"{source}: die Fläche ist mit {zahl(geometry.area, 1)} m² zu klein für einen "
                         f"Maßnahmenort (mindestens {zahl(MIN_AREA_M2)} m²).")
    if geometry.area > MAX_AREA_KM2 * 1e6:
        raise PlaceError(f"{source}: die Fläche ist mit {zahl(geometry.area / 1e6)} km² größer als jeder "
                         f"sächsische Landkreis (höchstens {zahl(MAX_AREA_KM2)} km²) – stimmt das "
                         "Koordinatensystem?")
    ags = gemeinde_of(geometry)
    if ags is None:
        raise PlaceError(f"{source}: die Fläche liegt außerhalb Sachsens.")
    return Place(geometry, kind, ags, source, tuple(notes))


#: GEOS's reasons for an invalid polygon, as a German predicate ("die Fläche …").
_INVALID = {"Self-intersection": "überschneidet sich selbst", "Ring Self-intersection": "berührt sich selbst",
            "Hole lies outside shell": "hat ein Loch außerhalb ihres Umrings",
            "Nested shells": "hat ineinanderliegende Umringe",
            "Nested holes": "hat ineinanderliegende Löcher",
            "Interior is disconnected": "zerfällt durch Löcher in Teile",
            "Too few points in geometry component": "hat zu wenige Punkte"}


def _invalid_reason(geometry: BaseGeometry) -> str:
    reason = shapely.is_valid_reason(geometry)
    key = reason.split("[", 1)[0].strip()
    return _INVALID.get(key, f"ist keine gültige Fläche ({reason})")


def projected_place(geometry: BaseGeometry, *, crs: str, kind: str, source: str) -> Place:
    """A place from a geometry in `crs` (default of GeoJSON and WKT: WGS84, longitude first)."""
    try:
        geographic = CRS.from_user_input(crs).is_geographic
        transformer = _to_metric(crs)
    except ProjCRSError as err:
        raise PlaceError(f"{source}: unbekanntes Koordinatensystem '{crs}'.") from err
    coords = shapely.get_coordinates(geometry)
    if geographic and len(coords) and (np.abs(coords) > (180, 90)).any():
        raise PlaceError(f"{source}: die Koordinaten sind keine Längen und Breiten in Grad (WGS84); "
                         "Koordinaten in Metern brauchen die Angabe des Systems (GeoJSON: crs, z. B. "
                         "EPSG:25833).")
    try:
        return metric_place(_reproject(geometry, transformer), kind=kind, source=source)
    except PlaceError as err:
        if geographic and "außerhalb Sachsens" in str(err):
            swapped = shapely.transform(geometry, lambda xy: xy[:, ::-1])
            if gemeinde_of(_reproject(swapped, transformer)) is not None:
                raise PlaceError(f"{err} Sind Breite und Länge vertauscht? In GeoJSON und WKT steht die "
                                 "Länge (x, um 13) vor der Breite (y, um 51).") from None
        raise


def _reproject(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    return shapely.transform(shapely.force_2d(geometry), lambda x, y: transformer.transform(x, y),
                             interleaved=False)


def geometry_of(data: object, source: str) -> BaseGeometry:
    """The geometry of a GeoJSON geometry, Feature or FeatureCollection (several features: their
    union); errors name `source`."""
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise PlaceError(f"{source}: die FeatureCollection enthält keine Objekte.")
        parts = [geometry_of(f, f"{source}, Objekt {i}") for i, f in enumerate(features, start=1)]
        return shapely.GeometryCollection(parts) if len(parts) > 1 else parts[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if not isinstance(data, dict) or data.get("type") is None:
        raise PlaceError(f"{source}: keine Geometrie (erwartet GeoJSON mit type und coordinates).")
    try:
        return shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, shapely.errors.GEOSException) as err:
        raise PlaceError(f"{source}: keine gültige GeoJSON-Geometrie ({str(err)[:120]}).") from err


def crs_of(data: object, source: str) -> str:
    """The ``crs`` member of a GeoJSON object (old GeoJSON 2008 style) or WGS84 (RFC 7946)."""
    member = data.get("crs") if isinstance(data, dict) else None
    if member is None:
        return DISPLAY_CRS
    name = member.get("properties", {}).get("name") if isinstance(member, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise PlaceError(f"{source}: das crs-Mitglied nennt kein Koordinatensystem (properties.name).")
    return name


def load_json(source: str | bytes | Path | dict, name: str | None = None) -> tuple[object, str]:
    """Parsed GeoJSON and the name messages use for it (a path's file name, else `name`)."""
    if isinstance(source, dict):
        return source, name or "GeoJSON"
    if isinstance(source, Path):
        try:
            source, name = source.read_bytes(), name or source.name
        except OSError as err:
            raise PlaceError(f"{source.name}: Datei kann nicht gelesen werden ({err.strerror}).") from err
    name = name or "GeoJSON"
    try:
        text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
        return json.loads(text), name
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise PlaceError(f"{name}: kein gültiges GeoJSON ({str(err)[:120] or type(err).__name__}).") from err


def geojson_place(source: str | bytes | Path | dict, *, name: str | None = None,
                  kind: str = "datei") -> Place:
    """A place from an uploaded GeoJSON (FeatureCollection, Feature or geometry; WGS84 unless a
    ``crs`` member names another system; several features become one place)."""
    data, name = load_json(source, name)
    return projected_place(geometry_of(data, name), crs=crs_of(data, name), kind=kind, source=name)


def drawn_place(feature: str | dict) -> Place:
    """A place from a Leaflet.draw feature (WGS84): a polygon or rectangle, or a circle, which
    Leaflet.draw sends as a point with ``properties.radius`` in metres."""
    data, source = load_json(feature, "Zeichnung")
    props = data.get("properties") if isinstance(data, dict) else None
    geometry = geometry_of(data, source)
    radius = props.get("radius") if isinstance(props, dict) else None
    circle = isinstance(radius, int | float) and math.isfinite(radius) and radius > 0
    if geometry.geom_type == "Point" and circle:
        centre = _reproject(geometry, _to_metric(DISPLAY_CRS))
        return metric_place(centre.buffer(float(radius), quad_segs=16), kind="zeichnung", source=source)
    return projected_place(geometry, crs=DISPLAY_CRS, kind="zeichnung", source=source)


def wkt_place(text: str, *, kind: str = "datei", source: str = "WKT", crs: str = DISPLAY_CRS) -> Place:
    """A place from WKT (``POLYGON ((13.34 50.92, …))``), by default in WGS84, longitude first."""
    try:
        geometry = shapely.from_wkt(str(text).strip())
    except shapely.errors.GEOSException as err:
        raise PlaceError(f"{source}: kein lesbares WKT ({str(err)[:120]}).") from err
    return projected_place(geometry, crs=crs, kind=kind, source=source)


# --- hotspot areas of a Gi* result ---------------------------------------------------------
def hotspot_areas(analysis: object, *, min_bin: int = 1) -> gpd.GeoDataFrame:
    """The connected hot areas of a Gi* result, one row each: the register's places and the
    Sicherheitsanalyse's hotspot table (:mod:`geo.report.analysis`, 95 % and more) alike.

    Parameters
    ----------
    analysis : geo.analysis.Analysis
        A grid result with Gi* (``view.method == "gi"``); cells the privacy threshold
        blanked (``suppressed``) never count as hot.
    min_bin : {1, 2, 3}
        The lowest Gi* class counted as hot: 1 = Hotspot 90 %, 2 = 95 %, 3 = 99 %.

    Returns
    -------
    GeoDataFrame (``METRIC_CRS``)
        ``id`` (1, 2, … by incidents, then cells), ``label`` ("Hotspot 1 (12 Zellen)"),
        ``zellen``, ``vorfaelle`` (incidents in its cells), ``stufe`` (highest Gi* class),
        ``flaeche_km2``, ``ags`` (Gemeinde of its representative point) and the polygon: the
        hot cells (Hotspot 90/95/99 %) that share an edge, dissolved.
    """
    hotspots = getattr(analysis, "hotspots", None)
    if hotspots is None or "gi_class" not in hotspots.cells:
        raise PlaceError("Hotspot-Gebiete gibt es nur zu einem Gi*-Ergebnis (Methode Hotspots, Gi*).")
    cells = hotspots.cells
    hot_classes = HOT_CLASSES & {GI_CLASSES[b] for b in range(min_bin, 4)}
    hot = cells[cells["gi_class"].isin(hot_classes).to_numpy() & ~cells["suppressed"].to_numpy()]
    if hot.empty:
        return gpd.GeoDataFrame({c: [] for c in _AREA_COLUMNS}, geometry=[], crs=METRIC_CRS)
    size = float(hotspots.grid.cell)
    bounds = shapely.bounds(hot.geometry.values)
    col = np.rint(bounds[:, 0] / size).astype(np.int64)
    row = np.rint(bounds[:, 1] / size).astype(np.int64)
    mask = np.zeros((row.max() - row.min() + 1, col.max() - col.min() + 1), dtype=bool)
    mask[row - row.min(), col - col.min()] = True
    labels, _ = ndimage.label(mask)  # edge neighbours only: one polygon per area
    group = labels[row - row.min(), col - col.min()]
    frame = pd.DataFrame({"group": group, "count": hot["count"].to_numpy(), "bin": hot["gi_bin"].to_numpy(),
                          "order": row * 10**9 + col})
    summary = frame.groupby("group").agg(zellen=("count", "size"), vorfaelle=("count", "sum"),
                                         bin=("bin", "max"), first=("order", "min"))
    summary = summary.sort_values(["vorfaelle", "zellen", "first"], ascending=[False, False, True])
    geometries = [shapely.union_all(hot.geometry.values[group == g]) for g in summary.index]
    ids = np.arange(1, len(summary) + 1)
    areas = gpd.GeoDataFrame({
        "id": ids,
        "label": [f"Hotspot {i} ({n} {'Zelle' if n == 1 else 'Zellen'})"
                  for i, n in zip(ids, summary["zellen"], strict=True)],
        "zellen": summary["zellen"].to_numpy(), "vorfaelle": summary["vorfaelle"].to_numpy().astype(np.int64),
        "stufe": [GI_CLASSES[int(b)] for b in summary["bin"]],
        "flaeche_km2": [g.area / 1e6 for g in geometries],
        "ags": [gemeinde_of(g) for g in geometries],
    }, geometry=geometries, crs=METRIC_CRS)
    return areas


def hotspot_place(areas: gpd.GeoDataFrame, area_id: int) -> Place:
    """The hot area `area_id` of :func:`hotspot_areas` as a place (kind ``hotspot``)."""
    hit = areas[areas["id"] == area_id]
    if hit.empty:
        raise PlaceError(f"Hotspot-Gebiet {area_id} gibt es nicht; vorhanden: "
                         f"{', '.join(map(str, areas['id'])) or 'keines'}.")
    return metric_place(hit.geometry.iloc[0], kind="hotspot", source=str(hit["label"].iloc[0]))
