"""The current view as a PNG for slides and documents: the web map's colours, drawn offline.

matplotlib (Agg) renders the result of an `Analysis` in ``METRIC_CRS`` inside the report's
map frame (Gemeinde borders, area outline, scale bar, source lines): the rates choropleth,
the density raster, or the coloured Gi*/LISA cells, each with its legend.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from geo import boundaries
from geo.analysis import METHOD_LABELS, Analysis
from geo.crs import METRIC_CRS
from geo.hotspots.patterns import PATTERN_COLOURS
from geo.incidents import CATEGORY_LABELS, DEMO_LABEL
from geo.lang import phrase, translate
from geo.measures.summary import status_label
from geo.osm import OsmData
from geo.report.charts import figure_png, framed_figure
from geo.sources import MAP_ATTRIBUTION
from layers.hotspots import GI_COLOURS, LISA_COLOURS, colour_density
from layers.measures import LAYER_NAME, STATUS_COLOURS, STATUS_LINESTYLES
from layers.rates import rate_features, rates_legend_entries

#: Legends right of the map, never over it (the PNG is cut to fit them).
_LEGEND = {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0), "fontsize": 7, "title_fontsize": 7,
           "frameon": False}


def view_png(analysis: Analysis, *, lang: str = "de", osm: OsmData | None = None,
             measures: Sequence = ()) -> bytes:
    """PNG of :func:`view_figure`."""
    return figure_png(view_figure(analysis, lang=lang, osm=osm, measures=measures))


def _draw_measures(ax, measures: Sequence, lang: str) -> None:
    """The measures' places as outlines in their status colour and line style, listed under the
    result's legend."""
    for status, colour in STATUS_COLOURS.items():
        places = [m.place for m in measures if m.status == status]
        if places:
            shapes = gpd.GeoSeries(places, crs=METRIC_CRS)
            shapes.plot(ax=ax, color=colour, alpha=0.12, edgecolor="none", zorder=3)
            shapes.boundary.plot(ax=ax, color=colour, linewidth=1.6, linestyle=STATUS_LINESTYLES[status],
                                 zorder=4)
    shown = [s for s in STATUS_COLOURS if any(m.status == s for m in measures)]
    handles = [Line2D([], [], alpha=0)] + [Line2D([0], [0], color=STATUS_COLOURS[s], linewidth=1.6,
                                                  linestyle=STATUS_LINESTYLES[s]) for s in shown]
    labels = [translate(LAYER_NAME, lang)] + [status_label(s, lang=lang) for s in shown]
    first, title = ax.get_legend(), None
    if first is not None:  # one legend box (a second one would fall outside the cut PNG)
        handles = [*first.legend_handles, *handles]
        labels = [t.get_text() for t in first.get_texts()] + labels
        title = first.get_title().get_text() or None
    ax.legend(handles, labels, title=title, **_LEGEND)


def view_figure(analysis: Analysis, *, lang: str = "de", osm: OsmData | None = None,
                measures: Sequence = ()) -> Figure:
    """The view's map (what :func:`layers.compose.atlas_map` shows, without points), in `lang`;
    with `measures` (:class:`geo.measures.Measure`) their places on top.

    The attribution lines stay German (licence text).
    """
    view = analysis.view
    subject = boundaries.area(view.area or "14").geometry
    gemeinden = boundaries.load_gemeinden()
    cats = ", ".join(translate(CATEGORY_LABELS[c], lang) for c in view.categories)
    period = f"{analysis.start:%d.%m.%Y} – {analysis.end:%d.%m.%Y}" if analysis.start and analysis.end else ""
    method = translate(METHOD_LABELS[view.method], lang)
    title = f"{boundaries.area(view.area or '14').name}: {cats}, {period}\n{method}"
    source = translate("Quelle: {source}", lang).format(source=translate(analysis.source, lang))
    demo = translate(DEMO_LABEL, lang)
    credit = " · ".join([source, *MAP_ATTRIBUTION] + ([demo] if analysis.demo and demo not in source else []))

    def draw(ax) -> None:
        if analysis.rates is not None:
            fills = rate_features(analysis.rates, lang=lang).set_index("ags")["fill"]
            shapes = analysis.rates.assign(fill=analysis.rates["ags"].map(fills))
            shapes.plot(ax=ax, color=shapes["fill"], edgecolor="#6b6b6b", linewidth=0.3)
            title, rows, _note = rates_legend_entries(analysis.rates, lang=lang)
            ax.legend([Rectangle((0, 0), 1, 1, facecolor=c, edgecolor="#6b6b6b") for c, _ in rows],
                      [label for _, label in rows], title=title, **_LEGEND)
            return
        result = analysis.hotspots
        if view.method == "kde":
            density = result.kde.density
            study = density[result.grid.mask]
            vmax = float(np.nanmax(study)) if np.isfinite(study).any() else 0.0
            rgba = colour_density(np.where(result.grid.mask, density, np.nan), vmax)
            xmin, ymin, xmax, ymax = result.grid.bounds
            ax.imshow(rgba, origin="lower", extent=(xmin, xmax, ymin, ymax), interpolation="nearest",
                      zorder=2)
            note = translate(phrase("Kerndichte bis {vmax:.1f} Vorfälle/km², Bandbreite {bandwidth:.0f} m",
                                    vmax=vmax, bandwidth=float(result.kde.bandwidth)), lang)
            ax.text(0.99, 0.01, note, transform=ax.transAxes, ha="right", fontsize=7)
            return
        if analysis.emerging is not None:
            cells = analysis.emerging.cells
            cells = cells[~cells["suppressed"] & cells["pattern"].isin(list(PATTERN_COLOURS))]
            if cells.empty:
                ax.text(0.5, 0.5, translate("Keine Zelle zeigt ein Muster.", lang), transform=ax.transAxes,
                        ha="center")
                return
            colours = [PATTERN_COLOURS[p] for p in cells["pattern"]]
            cells.plot(ax=ax, color=colours, edgecolor="none", zorder=2)
            shown = [p for p in PATTERN_COLOURS if p in set(cells["pattern"])]
            ax.legend([Rectangle((0, 0), 1, 1, color=PATTERN_COLOURS[p]) for p in shown],
                      [translate(p, lang) for p in shown], **_LEGEND)
            return
        column, colours = ("gi_bin", GI_COLOURS) if view.method == "gi" else ("lisa_class", LISA_COLOURS)
        cells = result.cells[result.cells[column].isin([k for k in colours if k != 0])]
        if cells.empty:
            ax.text(0.5, 0.5, translate("keine signifikanten Zellen", lang), transform=ax.transAxes,
                    ha="center")
            return
        cells.plot(ax=ax, color=[colours[v] for v in cells[column]], edgecolor="none", zorder=2)
        shown = sorted(set(cells[column]), key=str)
        labels = dict(zip(result.cells[column], result.cells["gi_class" if column == "gi_bin" else column],
                          strict=True))
        ax.legend([Rectangle((0, 0), 1, 1, color=colours[v]) for v in shown],
                  [translate(labels[v], lang) for v in shown], **_LEGEND)

    streets = None
    if osm is not None and view.area:  # the offline streets under a Gemeinde's or Kreis' map, not web tiles
        xmin, ymin, xmax, ymax = subject.bounds
        streets = osm.streets.cx[xmin - 2_000:xmax + 2_000, ymin - 2_000:ymax + 2_000]
        credit = f"{credit} · {osm.attribution}"
    def draw_all(ax) -> None:
        draw(ax)
        if measures:
            _draw_measures(ax, measures, lang)

    return framed_figure(subject, gemeinden, title=title, credit=credit, draw=draw_all, streets=streets)
