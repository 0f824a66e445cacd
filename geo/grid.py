"""An aligned square grid in ``METRIC_CRS`` and the study cells of an area.

Cells are squares of ``cell`` metres (100–1,000 m, default 250 m) whose edges lie on
multiples of the cell size in EPSG:25833 (origin 0, 0). Cell ``(col, row)`` covers
``[col·cell, (col+1)·cell) × [row·cell, (row+1)·cell)``: a point on a cell border
belongs to the cell east/north of it. The id names the cell size and the south-west
corner, ``"250mE410250N5645000"``, so the same cell has the same id in every run and
results from different runs and tools line up.

The *study cells* of an area are the cells whose centre lies inside it. They are
found by scanline rasterisation (even–odd rule over all rings, vectorised with numpy):
for every row of cell centres the crossings of the area's edges are sorted and the
centres between pairs of crossings are filled. No per-cell Python loop, no per-cell
point-in-polygon test; a centre exactly on the area's border may fall either way.

:class:`Grid` holds a window of the grid (``nrows × ncols`` cells starting at
``col0``, ``row0``; array row 0 is the southernmost) and the study mask on it. It is
frozen, plain and cheap to pickle, so an app can cache it.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.crs import METRIC_CRS
from geo.errors import AtlasError

DEFAULT_CELL_M = 250.0
MIN_CELL_M, MAX_CELL_M = 100.0, 1_000.0


class GridError(AtlasError, ValueError):
    """A grid cannot be built as asked (cell size, empty study area)."""


@dataclass(frozen=True, eq=False)
class Grid:
    """A window of the aligned grid with the study cells of an area.

    Attributes
    ----------
    cell : float
        Cell edge in metres.
    col0, row0 : int
        Grid column/row of the window's south-west cell (x = col·cell, y = row·cell).
    mask : ndarray of bool, shape (nrows, ncols)
        True for study cells (centre inside the area); row 0 is the south.
    key : str
        The area key the study cells belong to ("" when built from a bare geometry).
    """

    cell: float
    col0: int
    row0: int
    mask: np.ndarray
    key: str = ""

    @property
    def shape(self) -> tuple[int, int]:
        return self.mask.shape

    @property
    def n_cells(self) -> int:
        """Number of study cells."""
        return int(self.mask.sum())

    @property
    def cell_km2(self) -> float:
        return self.cell * self.cell / 1e6

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the window in metres."""
        nrows, ncols = self.shape
        return (self.col0 * self.cell, self.row0 * self.cell,
                (self.col0 + ncols) * self.cell, (self.row0 + nrows) * self.cell)

    def locate(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Window (row, col) of each point; points outside the window get -1 in both."""
        x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        finite = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 1e12) & (np.abs(y) < 1e12)
        if not finite.all():
            x, y = np.where(finite, x, 0.0), np.where(finite, y, 0.0)
        col = np.floor(x / self.cell).astype(np.int64) - self.col0
        row = np.floor(y / self.cell).astype(np.int64) - self.row0
        nrows, ncols = self.shape
        outside = ~(finite & (col >= 0) & (col < ncols) & (row >= 0) & (row < nrows))
        col[outside] = -1
        row[outside] = -1
        return row, col

    def counts(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Points per cell of the whole window, int64 array (nrows, ncols).

        Points outside the window are dropped; cells outside the study area keep
        their counts (use :attr:`mask` to restrict). NaN coordinates are dropped.
        """
        nrows, ncols = self.shape
        row, col = self.locate(x, y)
        keep = row >= 0
        flat = row[keep] * ncols + col[keep]
        return np.bincount(flat, minlength=nrows * ncols).reshape(nrows, ncols)

    def study_index(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, col) of the study cells in row-major order (south to north, west to east)."""
        return np.nonzero(self.mask)

    def cell_ids(self) -> np.ndarray:
        """Ids of the study cells, in :meth:`study_index` order."""
        row, col = self.study_index()
        return cell_id(col + self.col0, row + self.row0, cell=self.cell)

    def cells(self) -> gpd.GeoDataFrame:
        """The study cells: ``cell_id``, ``row``, ``col`` (window indices), square geometry."""
        row, col = self.study_index()
        x = (col + self.col0) * self.cell
        y = (row + self.row0) * self.cell
        geometry = shapely.box(x, y, x + self.cell, y + self.cell)
        return gpd.GeoDataFrame(
            {"cell_id": self.cell_ids(), "row": row, "col": col}, geometry=geometry, crs=METRIC_CRS
        )


def cell_id(col: np.ndarray, row: np.ndarray, *, cell: float) -> np.ndarray:
    """Stable ids ``"{cell}mE{x}N{y}"`` from grid columns/rows (south-west corner in metres)."""
    size = f"{cell:g}m"
    x = (np.asarray(col, dtype=np.int64) * int(cell)).tolist()
    y = (np.asarray(row, dtype=np.int64) * int(cell)).tolist()
    return np.array([f"{size}E{a}N{b}" for a, b in zip(x, y, strict=True)], dtype=object)


def check_cell(cell: float) -> float:
    """`cell` as float if it is a whole number of metres within 100–1,000, else `GridError`."""
    cell = float(cell)
    if not (MIN_CELL_M <= cell <= MAX_CELL_M) or cell != round(cell):
        msg = (f"Zellgröße {cell:g} m ist nicht möglich: erlaubt sind ganze Meter von "
               f"{MIN_CELL_M:g} bis {MAX_CELL_M:g} m.")
        raise GridError(msg)
    return cell


def _edges(geometry: BaseGeometry) -> np.ndarray:
    """All ring edges of a (multi)polygon as an (m, 4) array x1, y1, x2, y2."""
    rings = shapely.get_rings(shapely.get_parts(np.asarray([geometry])))
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same = ring_index[1:] == ring_index[:-1]
    return np.column_stack([coords[:-1][same], coords[1:][same]])


def rasterize(geometry: BaseGeometry, *, cell: float, col0: int, row0: int,
              nrows: int, ncols: int) -> np.ndarray:
    """Mask (nrows, ncols) of cells whose centre lies inside `geometry` (even–odd scanlines)."""
    mask = np.zeros((nrows, ncols + 1), dtype=np.int32)
    edges = _edges(geometry)
    if len(edges) == 0:
        return np.zeros((nrows, ncols), dtype=bool)
    x1, y1, x2, y2 = edges.T
    # Row centre y_r = (row0 + r + 0.5)·cell; an edge crosses it if min(y) <= y_r < max(y).
    lo = np.minimum(y1, y2) / cell - row0 - 0.5
    hi = np.maximum(y1, y2) / cell - row0 - 0.5
    r_first = np.clip(np.ceil(lo).astype(np.int64), 0, nrows)
    r_last = np.clip(np.ceil(hi).astype(np.int64), 0, nrows)  # exclusive
    n_cross = np.maximum(r_last - r_first, 0)
    edge = np.repeat(np.arange(len(edges)), n_cross)
    offset = np.arange(n_cross.sum()) - np.repeat(np.cumsum(n_cross) - n_cross, n_cross)
    rows = r_first[edge] + offset
    yc = (row0 + rows + 0.5) * cell
    t = (yc - y1[edge]) / (y2[edge] - y1[edge])
    xc = x1[edge] + t * (x2[edge] - x1[edge])
    order = np.lexsort((xc, rows))
    rows, xc = rows[order], xc[order]
    # Even–odd: crossings pair up within each row (closed rings cross every line an even number of times).
    r_in, x_in, x_out = rows[0::2], xc[0::2], xc[1::2]
    # Centre x_c = (col0 + c + 0.5)·cell is inside if x_in <= x_c < x_out.
    c_in = np.clip(np.ceil(x_in / cell - col0 - 0.5).astype(np.int64), 0, ncols)
    c_out = np.clip(np.ceil(x_out / cell - col0 - 0.5).astype(np.int64), 0, ncols)
    np.add.at(mask, (r_in, c_in), 1)
    np.add.at(mask, (r_in, c_out), -1)
    return np.cumsum(mask, axis=1)[:, :ncols] > 0


def grid_for_geometry(geometry: BaseGeometry, *, cell: float = DEFAULT_CELL_M, key: str = "",
                      name: str = "", pad: float = 0.0) -> Grid:
    """The grid window covering `geometry` (``METRIC_CRS``) plus `pad` metres, with its study cells.

    Raises
    ------
    GridError
        For a cell size outside 100–1,000 m, or when no cell centre lies inside the
        area (an area smaller than a cell): then a smaller cell size is needed.
    """
    cell = check_cell(cell)
    xmin, ymin, xmax, ymax = geometry.bounds
    col0 = int(np.floor((xmin - pad) / cell))
    row0 = int(np.floor((ymin - pad) / cell))
    ncols = int(np.floor((xmax + pad) / cell)) - col0 + 1
    nrows = int(np.floor((ymax + pad) / cell)) - row0 + 1
    mask = rasterize(geometry, cell=cell, col0=col0, row0=row0, nrows=nrows, ncols=ncols)
    if not mask.any():
        label = f"{name} ({key})" if name else (key or "Das Gebiet")
        msg = (f"{label} ist kleiner als eine Rasterzelle von {cell:g} m: keine Zellmitte liegt "
               "darin. Bitte eine kleinere Zellgröße wählen.")
        raise GridError(msg)
    return Grid(cell=cell, col0=col0, row0=row0, mask=mask, key=key)


def study_grid(key: str = "14", *, cell: float = DEFAULT_CELL_M, pad: float = 0.0) -> Grid:
    """The study grid of Sachsen (``"14"``), a Kreis (5 digits) or a Gemeinde (8-digit AGS).

    Parameters
    ----------
    key : str
        Area key as accepted by :func:`geo.boundaries.area`.
    cell : float
        Cell edge in metres, whole metres from 100 to 1,000.
    pad : float
        Extra metres of (non-study) cells around the area's bounding box, e.g. the
        kernel bandwidth so a density raster holds every kernel whole.

    Returns
    -------
    Grid
        The window and study mask; ``Grid.cells()`` gives the cell squares.
    """
    from geo.boundaries import area  # local: keeps this module importable without the data

    selected = area(key)
    return grid_for_geometry(selected.geometry, cell=cell, key=selected.key, name=selected.name, pad=pad)
