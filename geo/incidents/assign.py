"""Which Gemeinde is a point in? A lookup grid with exact tests only near borders.

A plain spatial join tests every point against the 418 full-resolution polygons
(88,485 vertices). Most points lie far from any border, so :class:`GemeindeGrid`
answers them from a raster instead:

1. A grid of ``CELL_M`` metre cells covers Saxony's bounding box in ``METRIC_CRS``.
2. Every Gemeinde border (exterior and interior rings, densified to at most one cell
   length per segment) marks the cells its vertices fall in, plus their eight
   neighbours. A segment no longer than a cell only passes through cells next to one
   of its end points, so every cell a border crosses is marked: the *border cells*.
3. The remaining cells form connected regions that no border crosses; each region lies
   wholly inside one Gemeinde or wholly outside Saxony. One exact point-in-polygon test
   per region labels all its cells.

A point in an inner cell takes the cell's label; a point in a border cell (a few
per cent of the area) gets the exact test against the polygons that can contain it
(``shapely.STRtree``, predicate ``intersects``). A point on a shared border belongs
to the Gemeinde with the lower AGS, the same rule the benchmark applies to
``geopandas.sjoin``; the results are identical (``benchmarks/import_incidents.py``).
"""

from __future__ import annotations

import functools

import numpy as np
import shapely
from scipy import ndimage

from geo.boundaries import load_gemeinden
from geo.incidents.coords import to_metric

CELL_M = 50.0
_MARGIN_M = 2 * CELL_M
_OUTSIDE = -1
_BORDER = -2


class GemeindeGrid:
    """Point → Gemeinde lookup for Saxony, built once per process (see module doc)."""

    def __init__(self, *, cell: float = CELL_M) -> None:
        gem = load_gemeinden()  # sorted by AGS, so a lower index means a lower AGS
        self.ags = gem["ags"].to_numpy(dtype=object)
        self.geometries = gem.geometry.values
        self.tree = shapely.STRtree(np.asarray(self.geometries))
        self.cell = float(cell)
        xmin, ymin, xmax, ymax = gem.total_bounds
        self.x0, self.y0 = xmin - _MARGIN_M, ymin - _MARGIN_M
        self.nx = int(np.ceil((xmax + _MARGIN_M - self.x0) / self.cell))
        self.ny = int(np.ceil((ymax + _MARGIN_M - self.y0) / self.cell))
        self.labels = self._build_labels()

    def _build_labels(self) -> np.ndarray:
        rings = shapely.boundary(np.asarray(self.geometries))
        dense = shapely.segmentize(rings, self.cell * 0.9)
        coords = shapely.get_coordinates(dense)
        border = np.zeros((self.ny, self.nx), dtype=bool)
        ix, iy = self._cell_index(coords[:, 0], coords[:, 1])
        border[iy, ix] = True
        border = ndimage.binary_dilation(border, structure=np.ones((3, 3), dtype=bool))
        regions, count = ndimage.label(~border)
        labels = np.full((self.ny, self.nx), _BORDER, dtype=np.int16)
        if count:
            flat = regions.ravel()
            any_cell = np.zeros(count + 1, dtype=np.int64)
            any_cell[flat] = np.arange(
                flat.size, dtype=np.int32
            )  # some cell of every region, whichever write wins
            first = any_cell[1:]  # region 0 is the border
            cy, cx = np.divmod(first, self.nx)
            cx_m = self.x0 + (cx + 0.5) * self.cell
            cy_m = self.y0 + (cy + 0.5) * self.cell
            region_label = np.full(count + 1, _BORDER, dtype=np.int16)
            region_label[1:] = self._exact(cx_m, cy_m)
            labels = region_label[regions]
            labels[border] = _BORDER
        return labels

    def _cell_index(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ix = np.floor((x - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((y - self.y0) / self.cell).astype(np.int64)
        return ix, iy

    def _exact(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index of the Gemeinde containing each point (lowest index on a border), or -1."""
        if len(x) == 0:
            return np.full(0, _OUTSIDE, dtype=np.int32)
        points = shapely.points(x, y)
        hit_point, hit_gem = self.tree.query(points, predicate="intersects")
        lowest = np.full(len(x), len(self.ags), dtype=np.int64)
        np.minimum.at(lowest, hit_point, hit_gem)  # lowest Gemeinde index (AGS) per point
        return np.where(lowest < len(self.ags), lowest, _OUTSIDE).astype(np.int32)

    def lookup(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Index into :attr:`ags` for each point (``METRIC_CRS`` metres), -1 outside Saxony.

        Parameters
        ----------
        x, y : ndarray
            Easting and northing in EPSG:25833, metres. NaN counts as outside.

        Returns
        -------
        ndarray of int32
            Row index of the Gemeinde in :func:`geo.boundaries.load_gemeinden`, or -1.
        """
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        result = np.full(len(x), _OUTSIDE, dtype=np.int32)
        finite = np.isfinite(x) & np.isfinite(y)
        ix, iy = self._cell_index(np.where(finite, x, self.x0 - 1), np.where(finite, y, self.y0 - 1))
        inside = finite & (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        result[inside] = self.labels[iy[inside], ix[inside]]
        exact = np.flatnonzero(result == _BORDER)
        result[exact] = self._exact(x[exact], y[exact])
        return result


@functools.cache
def gemeinde_grid() -> GemeindeGrid:
    """The shared lookup grid (built on first use, about one second)."""
    return GemeindeGrid()


def assign_ags(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """8-digit AGS of the Gemeinde containing each point, ``None`` outside Saxony.

    Parameters
    ----------
    x, y : ndarray
        Easting and northing in EPSG:25833 (``METRIC_CRS``), metres.

    Returns
    -------
    ndarray of object
        AGS strings; ``None`` where the point lies in no Saxon Gemeinde.
    """
    grid = gemeinde_grid()
    index = grid.lookup(x, y)
    ags = np.empty(len(index), dtype=object)
    hit = index >= 0
    ags[hit] = grid.ags[index[hit]]
    return ags


def ags_at(lon: float, lat: float) -> str | None:
    """AGS of the Gemeinde at a WGS84 position (e.g. a click on the map), ``None`` outside Saxony."""
    x, y = to_metric(np.array([lon], dtype=np.float64), np.array([lat], dtype=np.float64), "EPSG:4326")
    return assign_ags(x, y)[0]
