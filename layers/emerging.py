"""Emerging hot spots: cells coloured by their pattern over time, legend and tooltips.

Only cells with a pattern are drawn (hot patterns in reds and oranges, cold ones in
blues, the historical ones muted); "kein Muster" and every suppressed cell (fewer than
the minimum count in the neighbourhood, see :func:`geo.hotspots.emerging.emerging_hotspots`)
stay off the map. As for Gi*, above :data:`layers.hotspots.MAX_CELL_FEATURES` cells the
cells of a pattern are merged into areas. Tooltips give the pattern, what it means and in
how many steps the cell was hot or cold; the shared screen (``council=True``) never shows
a cell's own count, its id or its trend figures. The legend is a :mod:`layers.legend` box.
"""

from __future__ import annotations

import functools

import folium
import geopandas as gpd

from geo.fmt import p_wert, zahl
from geo.hotspots.emerging import EmergingHotspots, step_text
from geo.hotspots.patterns import NO_PATTERN, PATTERN_COLOURS, PATTERN_HELP, PATTERNS
from geo.lang import phrase, translate
from geo.privacy import counts_shown
from geo.reporting import CAUTION
from layers import hotspots as hotspot_layers
from layers.hotspots import cells_geojson, merged_cells_geojson
from layers.legend import legend_box
from layers.tooltips import SafeTooltip

LAYER_NAME = "Neue und wachsende Hotspots"


def emerging_features(result: EmergingHotspots, *, lang: str = "de") -> gpd.GeoDataFrame:
    """The drawn cells (a pattern, not suppressed) with tooltip texts in `lang`:
    ``pattern_label``, ``help_text``, ``steps_text``, ``trend_text``, ``p_text``."""
    cells = result.cells
    shown = ((cells["pattern"] != NO_PATTERN) & ~cells["suppressed"]).to_numpy()
    hot = result.hot[:, shown].sum(axis=0)
    cold = result.cold[:, shown].sum(axis=0)
    n = len(result.steps)
    cells = cells[shown]
    return cells.assign(
        count=counts_shown(cells["count"], result.min_count),
        **hotspot_layers.cautions_in(cells, lang),
        pattern_label=[translate(p, lang) for p in cells["pattern"]],
        help_text=[translate(PATTERN_HELP[p], lang) for p in cells["pattern"]],
        steps_text=[translate(phrase("heiß in {hot}, kalt in {cold} von {n} Zeitschritten", hot=int(h),
                                     cold=int(c), n=n), lang) for h, c in zip(hot, cold, strict=True)],
        trend_text=[zahl(z, 2, lang=lang) for z in cells["mk_z"]],
        p_text=[p_wert(p, lang=lang) for p in cells["mk_p"]])


def _tooltip(council: bool) -> list[tuple[str, str]]:
    """(field, German label) rows of a cell's tooltip: the shared screen shows the pattern, what it
    means, the steps and the neighbourhood's count (at least the minimum count), nothing of the cell
    itself."""
    rows = [("pattern_label", "Muster"), ("help_text", "Bedeutung"), ("steps_text", "Zeitschritte"),
            ("count_nearby", "Vorfälle in der Nachbarschaft")]
    if not council:
        rows += [("count", "Vorfälle in der Zelle"), ("trend_text", "Trend (Mann-Kendall z)"),
                 ("p_text", "p (Trend)"), ("cell_id", "Zelle")]
    return [*rows, (CAUTION, "Hinweis zu den Meldungen")]


@functools.lru_cache(maxsize=8)
def _geojson(result: EmergingHotspots, lang: str, council: bool) -> tuple[str, bool, int]:
    """GeoJSON of the drawn cells, whether they were merged per pattern, and how many cells there are.

    Cached on the result object (compared by identity), the language and the audience, like the
    Gi* layer: the app redraws the same analysis often.
    """
    cells = emerging_features(result, lang=lang)
    if len(cells) > hotspot_layers.MAX_CELL_FEATURES:
        return merged_cells_geojson(cells, "pattern", "pattern_label"), True, len(cells)
    return cells_geojson(cells, ["pattern", *(f for f, _ in _tooltip(council))]), False, len(cells)


def emerging_layer(result: EmergingHotspots, *, name: str = LAYER_NAME, show: bool = True,
                   council: bool = False, lang: str = "de") -> folium.FeatureGroup:
    """The cells of an :func:`geo.hotspots.emerging.emerging_hotspots` result by pattern.

    Parameters
    ----------
    result : EmergingHotspots
    name : str
        Layer name (German, shown in `lang`).
    show : bool
        Switched on at first.
    council : bool
        Shared screen: tooltips without the cell's own count, id and trend figures.
    lang : {"de", "en"}

    Returns
    -------
    folium.FeatureGroup
        Empty when no cell shows a pattern.
    """
    name = translate(name, lang)
    group = folium.FeatureGroup(name=name, show=show)
    geojson, merged, n_cells = _geojson(result, lang, council)
    if n_cells == 0:  # nothing to draw: an empty layer (a tooltip needs features)
        return group
    if merged:
        tooltip = SafeTooltip(fields=["pattern_label", "zellen"],
                                        aliases=[translate("Muster", lang), translate("Zellen", lang)])
    else:
        rows = _tooltip(council)
        tooltip = SafeTooltip(fields=[f for f, _ in rows],
                                        aliases=[translate(label, lang) for _, label in rows], sticky=True)
    folium.GeoJson(
        geojson, name=name, tooltip=tooltip,
        style_function=lambda f: {"fillColor": PATTERN_COLOURS[f["properties"]["pattern"]],
                                  "fillOpacity": 0.75, "color": PATTERN_COLOURS[f["properties"]["pattern"]],
                                  "weight": 0.5},
    ).add_to(group)
    return group


def legend_entries(result: EmergingHotspots | None = None) -> list[str]:
    """The patterns a legend lists, hot first: those drawn in `result`, or all (no `result`)."""
    if result is None:
        return [p for p in PATTERNS if p != NO_PATTERN]
    cells = result.cells
    present = set(cells.loc[~cells["suppressed"], "pattern"])
    return [p for p in PATTERNS if p != NO_PATTERN and p in present]


def emerging_legend_html(result: EmergingHotspots, *, lang: str = "de", present_only: bool = True) -> str:
    """The patterns on the map (all with `present_only=False`) in their colours, with the steps,
    the significance level and what is not drawn."""
    patterns = legend_entries(result if present_only else None)
    rows = [(PATTERN_COLOURS[p], translate(p, lang)) for p in patterns]
    notes = []
    if not patterns:
        notes.append(translate(phrase("Keine Zelle zeigt ein Muster."), lang))
    notes.append(translate(phrase(
        "{n} Zeitschritte ({first} bis {last}), Gi* je Zeitschritt (FDR-korrigiert), Trend nach "
        "Mann-Kendall, Signifikanzniveau {alpha_pct:.0f} %. Nicht eingefärbt: kein Muster oder weniger als "
        "{k} Vorfälle in der Nachbarschaft.", n=len(result.steps), first=step_text(result.steps[0]),
        last=step_text(result.steps[-1]), alpha_pct=100 * result.alpha, k=result.min_count), lang))
    if result.partial:
        notes.append(translate(phrase("Nur teilweise im Zeitraum: {steps}.",
                                      steps=", ".join(step_text(s) for s in result.partial)), lang))
    return legend_box(translate("Hotspot-Muster über die Zeit", lang), rows, note=" ".join(notes))


def pattern_help_rows(*, lang: str = "de") -> list[tuple[str, str]]:
    """(pattern, one-line help) for every pattern in `lang`, e.g. for a help panel."""
    return [(translate(p, lang), translate(PATTERN_HELP[p], lang)) for p in PATTERNS]

