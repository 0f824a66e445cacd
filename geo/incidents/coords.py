"""Coordinates from exports: which reference system, swapped axes, distance to Saxony.

Exports give WGS84 degrees, UTM 33 (EPSG:25833, sometimes with the zone number 33
in front of the easting), UTM 32 (EPSG:25832) or Gauß-Krüger zone 4/5
(EPSG:31468/31469). :func:`detect_crs` tries each on a sample, in both axis orders,
and takes the one that puts most points in Saxony. Rows whose axes are swapped
(latitude in the longitude column, Hochwert in the Rechtswert column) are found one
by one and corrected; the report says how many.
"""

from __future__ import annotations

import functools

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from geo.boundaries import load_land
from geo.crs import METRIC_CRS
from geo.errors import CRSError as AtlasCRSError

#: Candidates in order of preference on ties.
CANDIDATES = ("EPSG:4326", "EPSG:25833", "EPSG:25833+33", "EPSG:25832", "EPSG:31468", "EPSG:31469")
CRS_NAMES = {
    "EPSG:4326": "WGS84 (Grad)",
    "EPSG:25833": "ETRS89/UTM 33 (EPSG:25833)",
    "EPSG:25833+33": "ETRS89/UTM 33 mit Zonenkennung 33 vor dem Rechtswert",
    "EPSG:25832": "ETRS89/UTM 32 (EPSG:25832)",
    "EPSG:31468": "Gauß-Krüger Zone 4 (EPSG:31468)",
    "EPSG:31469": "Gauß-Krüger Zone 5 (EPSG:31469)",
}
#: Saxony's bounding box in METRIC_CRS, 20 km margin: "plausibly Saxony" for detection.
_BOX = (258_000.0, 5_541_000.0, 523_000.0, 5_749_000.0)
_SAMPLE = 2000


@functools.cache
def _transformer(crs: str) -> Transformer:
    source = "EPSG:25833" if crs == "EPSG:25833+33" else crs
    return Transformer.from_crs(source, METRIC_CRS, always_xy=True)


def to_metric(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """Easting/longitude `x` and northing/latitude `y` in `crs` → EPSG:25833 metres."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if crs == "EPSG:25833":
        return x.copy(), y.copy()
    if crs == "EPSG:25833+33":
        return x - 33_000_000.0, y.copy()
    with np.errstate(invalid="ignore"):
        mx, my = _transformer(crs).transform(x, y, errcheck=False)
    mx, my = np.asarray(mx, dtype=np.float64), np.asarray(my, dtype=np.float64)
    bad = ~np.isfinite(mx) | ~np.isfinite(my)
    return np.where(bad, np.nan, mx), np.where(bad, np.nan, my)


def in_box(mx: np.ndarray, my: np.ndarray) -> np.ndarray:
    """Whether metric points lie in Saxony's bounding box (with a 20 km margin)."""
    xmin, ymin, xmax, ymax = _BOX
    with np.errstate(invalid="ignore"):
        return (mx >= xmin) & (mx <= xmax) & (my >= ymin) & (my <= ymax)


def _plausible(x: np.ndarray, y: np.ndarray, crs: str) -> np.ndarray:
    if crs == "EPSG:4326":
        ok = (np.abs(x) <= 180) & (np.abs(y) <= 90)
    else:
        ok = (np.abs(x) > 1000) & (np.abs(y) > 1000)
    mx, my = to_metric(np.where(ok, x, np.nan), np.where(ok, y, np.nan), crs)
    return ok & in_box(mx, my)


def detect_crs(x: np.ndarray, y: np.ndarray) -> tuple[str, int]:
    """The candidate CRS that puts most of a sample of points in Saxony, and its hit count.

    Both axis orders count, so a file whose columns are all swapped is still
    recognised. Ties go to the earlier candidate in :data:`CANDIDATES`.
    """
    finite = np.isfinite(x) & np.isfinite(y)
    index = np.flatnonzero(finite)
    if len(index) > _SAMPLE:
        index = index[np.linspace(0, len(index) - 1, _SAMPLE).astype(np.int64)]
    sx, sy = x[index], y[index]
    best, best_hits = CANDIDATES[0] if np.all(np.abs(sx) <= 180) else "EPSG:25833", 0
    for crs in CANDIDATES:
        hits = int(np.sum(_plausible(sx, sy, crs) | _plausible(sy, sx, crs)))
        if hits > best_hits:
            best, best_hits = crs, hits
    return best, best_hits


def locate(x: np.ndarray, y: np.ndarray, crs: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Metric coordinates, correcting rows whose axes are swapped.

    Returns
    -------
    (mx, my, swapped)
        EPSG:25833 coordinates (NaN where the transformation fails) and the mask of
        rows that lie in Saxony only with their two values exchanged.
    """
    mx, my = to_metric(x, y, crs)
    outside = ~in_box(mx, my) & np.isfinite(x) & np.isfinite(y)
    swapped = np.zeros(len(x), dtype=bool)
    if outside.any():
        idx = np.flatnonzero(outside)
        sx, sy = to_metric(y[idx], x[idx], crs)
        fits = in_box(sx, sy)
        swapped[idx[fits]] = True
        mx[idx[fits]], my[idx[fits]] = sx[fits], sy[fits]
    return mx, my, swapped


@functools.cache
def _land_outline() -> shapely.Geometry:
    land = load_land().to_crs(METRIC_CRS).geometry.iloc[0]
    return shapely.simplify(land, 20.0)


def distance_to_saxony_km(mx: np.ndarray, my: np.ndarray) -> np.ndarray:
    """Distance of metric points to Saxony's territory in km (outline simplified to 20 m)."""
    outline = _land_outline()
    shapely.prepare(outline)
    return shapely.distance(outline, shapely.points(mx, my)) / 1000.0


def normalise_crs(crs: object) -> str:
    """``"EPSG:NNNN"`` for what a user or a file says (``31468``, ``epsg:25833``, WKT), or `CRSError`."""
    text = str(crs).strip()
    if text in CANDIDATES:
        return text
    try:
        parsed = CRS.from_user_input(int(text) if text.isdigit() else text)
    except CRSError as err:
        msg = f"Koordinatensystem '{text}' unbekannt; erwartet z. B. EPSG:4326, EPSG:25833 oder EPSG:31468."
        raise AtlasCRSError(msg) from err
    code = parsed.to_epsg()
    if code is None:
        return parsed.to_wkt()
    return f"EPSG:{code}"
