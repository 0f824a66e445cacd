"""Static maps and charts for the report, rendered offline with matplotlib (Agg) as PNG bytes.

Maps are drawn in ``METRIC_CRS`` (metres), so the scale bar is exact: a bar of a
round length (100 m … 50 km, about a fifth of the map width) with its label.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from shapely.geometry.base import BaseGeometry

from geo.crs import METRIC_CRS

# Texts from data (data set, street and place names) are drawn as written: "$…$" is not mathtext,
# which would garble them and raises on an unknown command such as "$\x$" (a crashed export).
matplotlib.rcParams["text.parse_math"] = False

DPI = 150
_STEPS_M = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)
CELL_COLOURS = ("#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15")
HOT_COLOURS = {1: "#fcbba1", 2: "#fb6a4a", 3: "#a50f15"}
HOT_LABELS = {1: "Hotspot 90 %", 2: "Hotspot 95 %", 3: "Hotspot 99 %"}
FEAR_COLOUR = "#7b3294"
AREA_COLOUR = "#d95f02"


def figure_png(fig: Figure) -> bytes:
    """The PNG of `fig` (closed after)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def scale_length(width_m: float) -> int:
    """A round scale-bar length of about a fifth of `width_m`."""
    target = width_m / 5
    return max((s for s in _STEPS_M if s <= target), default=_STEPS_M[0])


def add_scale_bar(ax: plt.Axes) -> int:
    """Draw a black/white scale bar in the lower left of a metric map; return its length in m."""
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    length = scale_length(xmax - xmin)
    x0, y0 = xmin + 0.04 * (xmax - xmin), ymin + 0.05 * (ymax - ymin)
    h = 0.012 * (ymax - ymin)
    for i, colour in enumerate(("black", "white")):
        ax.add_patch(
            Rectangle(
                (x0 + i * length / 2, y0),
                length / 2,
                h,
                facecolor=colour,
                edgecolor="black",
                linewidth=0.8,
                zorder=10,
            )
        )
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    ax.text(x0 + length / 2, y0 + 1.8 * h, label, ha="center", va="bottom", fontsize=8, zorder=10,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    ax.annotate(
        "N",
        xy=(0.96, 0.93),
        xytext=(0.96, 0.83),
        xycoords="axes fraction",
        ha="center",
        fontsize=9,
        arrowprops={"arrowstyle": "-|>", "color": "black"},
    )
    return length


def framed_map(
    subject_geometry: BaseGeometry,
    neighbours: gpd.GeoDataFrame,
    *,
    title: str,
    credit: str,
    draw: Callable[[plt.Axes], None],
    streets: gpd.GeoDataFrame | None = None,
) -> bytes:
    """The PNG of :func:`framed_figure`."""
    return figure_png(framed_figure(subject_geometry, neighbours, title=title, credit=credit, draw=draw,
                                    streets=streets))


def framed_figure(
    subject_geometry: BaseGeometry,
    neighbours: gpd.GeoDataFrame,
    *,
    title: str,
    credit: str,
    draw: Callable[[plt.Axes], None],
    streets: gpd.GeoDataFrame | None = None,
) -> Figure:
    """Frame shared by all maps: Gemeinde borders, OSM `streets` underneath (with the names of a
    few main streets), content drawn by `draw`, the area outline, extent, title, scale bar,
    north arrow and the source lines."""
    fig, ax = plt.subplots(figsize=(6.7, 5.2))
    ax.set_aspect("equal")
    neighbours.boundary.plot(ax=ax, color="#9a9a9a", linewidth=0.5)
    if streets is not None and not streets.empty:
        _draw_streets(ax, streets)
    draw(ax)
    gpd.GeoSeries([subject_geometry], crs=METRIC_CRS).boundary.plot(ax=ax, color=AREA_COLOUR, linewidth=1.8)
    xmin, ymin, xmax, ymax = subject_geometry.bounds
    pad = 0.06 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(title, fontsize=10)
    add_scale_bar(ax)
    if credit:
        ax.text(
            0.0,
            -0.015,
            credit.replace(" · ", "\n"),
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=6,
            color="#555555",
        )
    return fig


def cell_breaks(counts: pd.Series, *, classes: int = len(CELL_COLOURS)) -> list[int]:
    """Upper bounds of up to `classes` quantile classes of the counts (distinct, increasing)."""
    qs = counts.quantile([(i + 1) / classes for i in range(classes)], interpolation="higher")
    return sorted({int(q) for q in qs})


MAIN_STREETS = ("motorway", "trunk", "primary", "secondary", "tertiary", "pedestrian")
STREET_LABELS = 8


def _draw_streets(ax: plt.Axes, streets: gpd.GeoDataFrame) -> None:
    """Streets as thin grey lines under everything; the longest main streets named."""
    main = streets["highway"].isin(MAIN_STREETS).to_numpy()
    streets[~main].plot(ax=ax, color="#c8c8c8", linewidth=0.35, zorder=0.5)
    streets[main].plot(ax=ax, color="#a8a8a8", linewidth=0.8, zorder=0.6)
    named = streets[main].assign(length=streets[main].length).dropna(subset=["name"])
    longest = named.groupby("name")["length"].sum().nlargest(STREET_LABELS).index
    for name in longest:
        line = named[named["name"] == name].sort_values("length").geometry.iloc[-1]
        point = line.interpolate(0.5, normalized=True)
        ax.text(point.x, point.y, name, fontsize=5, color="#555555", ha="center", va="center", zorder=0.7,
                clip_on=True)


def area_map(
    subject_geometry: BaseGeometry,
    neighbours: gpd.GeoDataFrame,
    *,
    title: str,
    cells: gpd.GeoDataFrame | None = None,
    angstraeume: gpd.GeoDataFrame | None = None,
    credit: str = "",
    streets: gpd.GeoDataFrame | None = None,
) -> bytes:
    """The area with optional count cells (``count``, quantile classes) and Angsträume."""

    def draw(ax: plt.Axes) -> None:
        if cells is not None and not cells.empty:
            breaks = cell_breaks(cells["count"])
            classes = pd.cut(cells["count"], bins=[0, *breaks], labels=False, include_lowest=True)
            cells.plot(ax=ax, color=[CELL_COLOURS[int(c)] for c in classes], edgecolor="none")
            handles = [Rectangle((0, 0), 1, 1, color=CELL_COLOURS[i]) for i in range(len(breaks))]
            lows = [int(cells["count"].min()), *[b + 1 for b in breaks[:-1]]]
            labels = [f"{lo}–{hi}" if hi > lo else f"{lo}" for lo, hi in zip(lows, breaks, strict=True)]
            ax.legend(
                handles, labels, title="Vorfälle je Zelle", loc="upper left", fontsize=7, title_fontsize=7
            )
        if angstraeume is not None and not angstraeume.empty:
            pts = angstraeume.geometry.where(
                angstraeume.geom_type == "Point", angstraeume.geometry.representative_point()
            )
            ax.scatter(
                pts.x,
                pts.y,
                s=12 + 6 * angstraeume["nennungen"],
                facecolor="none",
                edgecolor=FEAR_COLOUR,
                linewidth=1.2,
                zorder=5,
                label="Angstraum (Größe: Nennungen)",
            )
            ax.legend(loc="upper left", fontsize=7)

    return framed_map(subject_geometry, neighbours, title=title, credit=credit, draw=draw, streets=streets)


def hotspot_map(
    subject_geometry: BaseGeometry,
    neighbours: gpd.GeoDataFrame,
    hot: gpd.GeoDataFrame,
    *,
    title: str,
    credit: str = "",
    streets: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Gi* hot cells (``gi_bin`` 1–3) in three reds, with a legend."""

    def draw(ax: plt.Axes) -> None:
        if hot.empty:
            ax.text(
                0.5, 0.5, "keine signifikanten Hotspots", transform=ax.transAxes, ha="center", color="#555555"
            )
            return
        hot.plot(ax=ax, color=[HOT_COLOURS[int(b)] for b in hot["gi_bin"]], edgecolor="none")
        shown = sorted({int(b) for b in hot["gi_bin"]})
        ax.legend(
            [Rectangle((0, 0), 1, 1, color=HOT_COLOURS[b]) for b in shown],
            [HOT_LABELS[b] for b in shown],
            loc="upper left",
            fontsize=7,
        )

    return framed_map(subject_geometry, neighbours, title=title, credit=credit, draw=draw, streets=streets)


def trend_chart(per_year: pd.DataFrame, *, title: str) -> bytes:
    """Lines of incidents per year (index) for each category (columns, German labels)."""
    fig, ax = plt.subplots(figsize=(6.7, 3.2))
    for column in per_year.columns:
        ax.plot(per_year.index.astype(str), per_year[column], marker="o", linewidth=1.5, label=column)
    ax.set_ylabel("Vorfälle")
    ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#dddddd")
    ax.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    ax.set_title(title, fontsize=10)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure_png(fig)


def concentration_chart(curve: pd.DataFrame, names: dict[str, str], *, share: float) -> bytes:
    """Hit rate (%) over 1–20 % of the area, a line per method (`names`: column → German label),
    the chosen `share` marked."""
    fig, ax = plt.subplots(figsize=(6.7, 3.2))
    for column, label in names.items():
        ax.plot(100 * curve["anteil"], 100 * curve[column], marker="o", markersize=3, linewidth=1.5,
                label=label)
    ax.axvline(100 * share, color="#555555", linestyle="--", linewidth=1)
    ax.set_xlabel("markierte Fläche (%)")
    ax.set_ylabel("Trefferquote (%)")
    ax.set_ylim(0, 100)
    ax.grid(axis="y", color="#dddddd")
    ax.legend(fontsize=7, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure_png(fig)


def pattern_map(
    subject_geometry: BaseGeometry,
    neighbours: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    colours: dict[str, str],
    *,
    title: str,
    credit: str = "",
    streets: gpd.GeoDataFrame | None = None,
) -> bytes:
    """Cells coloured by their ``pattern`` (emerging hot spots), with a legend of those shown."""

    def draw(ax: plt.Axes) -> None:
        if cells.empty:
            ax.text(0.5, 0.5, "keine Zelle mit Muster", transform=ax.transAxes, ha="center", color="#555555")
            return
        cells.plot(ax=ax, color=[colours[p] for p in cells["pattern"]], edgecolor="none")
        shown = [p for p in colours if p in set(cells["pattern"])]
        ax.legend([Rectangle((0, 0), 1, 1, color=colours[p]) for p in shown], shown, loc="upper left",
                  fontsize=7)

    return framed_map(subject_geometry, neighbours, title=title, credit=credit, draw=draw, streets=streets)
