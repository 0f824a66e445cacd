"""Grid hotspot maps in one call: bin, KDE, Gi*, LISA on the study cells of an area."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd

from geo.errors import AtlasError
from geo.grid import DEFAULT_CELL_M, Grid, study_grid
from geo.hotspots.gistar import DEFAULT_RADIUS, GiResult, gi_star
from geo.hotspots.kde import KDEResult, kde
from geo.hotspots.lisa import DEFAULT_ALPHA, LisaResult, lisa_grid
from geo.hotspots.points import DateLike, select, xy

GRID_METHODS = ("kde", "gi", "lisa")


@dataclass(frozen=True, eq=False)
class GridHotspots:
    """Result of :func:`grid_hotspots`.

    Attributes
    ----------
    cells : GeoDataFrame (``METRIC_CRS``)
        One row per study cell (zero cells included): ``cell_id``, ``count`` and the
        columns of the methods asked for: ``density`` (incidents per km²); ``gi_z``,
        ``gi_p``, ``gi_p_fdr``, ``gi_bin`` (−3…3), ``gi_class``; ``lisa_i``, ``lisa_z``,
        ``lisa_p``, ``lisa_p_fdr``, ``lisa_class``. Geometry: the cell square.
    grid : Grid
    n_incidents : int
        Incidents in the study cells.
    kde, gi, lisa : result or None
        The raw method results (e.g. ``kde.density`` on the whole window for an image).
    min_count : int or None
        The privacy threshold applied (:func:`geo.privacy.suppress_small_cells`), None before.
    """

    cells: gpd.GeoDataFrame
    grid: Grid
    n_incidents: int
    kde: KDEResult | None = None
    gi: GiResult | None = None
    lisa: LisaResult | None = None
    min_count: int | None = None


def _methods(methods: str | Iterable[str]) -> tuple[str, ...]:
    wanted = (methods,) if isinstance(methods, str) else tuple(methods)
    if wanted == ("all",):
        wanted = GRID_METHODS
    unknown = [m for m in wanted if m not in GRID_METHODS]
    if unknown or not wanted:
        msg = (f"Unbekannte Rastermethode {', '.join(unknown) or '(keine)'}; "
               f"möglich: {', '.join(GRID_METHODS)}.")
        raise AtlasError(msg)
    return wanted


def grid_hotspots(points: gpd.GeoDataFrame, *, area: str = "14", methods: str | Iterable[str] = "all",
                  cell: float = DEFAULT_CELL_M, categories: Iterable[str] | str | None = None,
                  start: DateLike = None, end: DateLike = None, bandwidth: float | None = None,
                  kernel: str = "quartic", radius: int = DEFAULT_RADIUS,
                  alpha: float = DEFAULT_ALPHA, grid: Grid | None = None,
                  lisa_inference: str = "analytisch") -> GridHotspots:
    """Hotspot statistics on the study cells of an area.

    Parameters
    ----------
    points : GeoDataFrame
        Incidents in ``METRIC_CRS`` (``category``, ``time``, ``ags``, point geometry).
    area : str
        ``"14"`` (Sachsen), a 5-digit Kreis key or an 8-digit AGS.
    methods : "all" or iterable of {"kde", "gi", "lisa"}
    cell : float
        Cell edge in metres (100–1,000).
    categories, start, end
        Selection (inclusive; dates are whole days).
    bandwidth : float, optional
        KDE bandwidth in metres; default by the documented rule (see :mod:`geo.hotspots.kde`).
    kernel : {"quartic", "gaussian"}
    radius : int
        Gi*/LISA window radius in cells.
    alpha : float
        LISA significance level on FDR-adjusted p-values.
    lisa_inference : {"analytisch", "permutation"}
        LISA p-values from the analytical moments or from 999 seeded conditional
        permutations (see :func:`geo.hotspots.lisa.lisa_grid`).
    grid : Grid, optional
        A prebuilt grid (e.g. cached by the app); else :func:`geo.grid.study_grid`.

    Returns
    -------
    GridHotspots
    """
    wanted = _methods(methods)
    grid = grid if grid is not None else study_grid(area, cell=cell)
    chosen = select(points, categories=categories, start=start, end=end)
    x, y = xy(chosen)
    counts = grid.counts(x, y)
    cells = grid.cells()
    cells.insert(1, "count", counts[grid.mask])
    cells = cells.drop(columns=["row", "col"])
    result: dict[str, object] = {}
    if "kde" in wanted:
        result["kde"] = k = kde(grid, x, y, bandwidth=bandwidth, kernel=kernel)
        cells.insert(2, "density", k.density[grid.mask])
    if "gi" in wanted:
        result["gi"] = g = gi_star(grid, counts, radius=radius)
        at = cells.columns.get_loc("geometry")
        for offset, (name, values) in enumerate(
                [("gi_z", g.z), ("gi_p", g.p), ("gi_p_fdr", g.p_fdr), ("gi_bin", g.bin),
                 ("gi_class", g.labels)]):
            cells.insert(at + offset, name, values)
    if "lisa" in wanted:
        result["lisa"] = li = lisa_grid(grid, counts, radius=radius, alpha=alpha, inference=lisa_inference)
        at = cells.columns.get_loc("geometry")
        for offset, (name, values) in enumerate(
                [("lisa_i", li.i), ("lisa_z", li.z), ("lisa_p", li.p), ("lisa_p_fdr", li.p_fdr),
                 ("lisa_class", li.label)]):
            cells.insert(at + offset, name, values)
    return GridHotspots(cells=cells, grid=grid, n_incidents=int(counts[grid.mask].sum()), **result)
