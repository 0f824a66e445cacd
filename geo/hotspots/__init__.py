"""Hotspot statistics: rates per area, kernel density, Gi* with FDR, local Moran, accuracy.

Pure computation on incident points in ``METRIC_CRS`` (columns ``category``, ``time``,
``ags``); everything returns plain GeoDataFrames or frozen dataclasses an app can cache.

==========================  =====================================================
:func:`area_rates`          counts, rates per 1,000, empirical-Bayes rates per Gemeinde/Kreis
:func:`aggregate_rates`     the same from aggregated tables
:func:`grid_hotspots`       bin + KDE + Gi* + LISA on the study cells of an area
:func:`evaluate`            hit rate, PAI, PEI, RRI of grid/KDE/Gi* (fit A, test B)
:func:`compare_cells`       change between two periods per cell (exact test, FDR)
:func:`compare_areas`       the same per Gemeinde/Kreis
:func:`trend`               yearly counts and trend per Gemeinde
:func:`gemeinde_lisa`       local Moran of smoothed rates over Gemeinden
:func:`emerging_hotspots`   Gi* per time step, Mann–Kendall trend, ArcGIS's 17 patterns
==========================  =====================================================
"""

from __future__ import annotations

from geo.hotspots.areas_lisa import gemeinde_lisa
from geo.hotspots.cells import GRID_METHODS, GridHotspots, grid_hotspots
from geo.hotspots.compare import compare_areas, compare_cells, trend
from geo.hotspots.emerging import EmergingHotspots, emerging_hotspots
from geo.hotspots.evaluate import Evaluation, evaluate
from geo.hotspots.gistar import GI_CLASSES
from geo.hotspots.lisa import LISA_LABELS
from geo.hotspots.rates import aggregate_rates, area_rates

__all__ = [
    "GI_CLASSES",
    "GRID_METHODS",
    "LISA_LABELS",
    "METHOD_HELP",
    "EmergingHotspots",
    "Evaluation",
    "GridHotspots",
    "aggregate_rates",
    "area_rates",
    "compare_areas",
    "compare_cells",
    "emerging_hotspots",
    "evaluate",
    "gemeinde_lisa",
    "grid_hotspots",
    "trend",
]

#: One-line German explanations for the method picker: what it shows and how sure it is.
METHOD_HELP = {
    "rates": (
        "Vorfälle je 1.000 Einwohner pro Gemeinde; geglättet (Empirical Bayes), damit kleine Orte "
        "nicht durch Zufall oben stehen – mit Unsicherheitsbereich, unter 3 Fällen keine Zahl."
    ),
    "kde": (
        "Kerndichte: wo sich Vorfälle räumlich ballen (Vorfälle je km²), geglättet über die gezeigte "
        "Bandbreite – zeigt Muster, aber keine statistische Sicherheit."
    ),
    "gi": (
        "Getis-Ord Gi*: Zellen, deren Umgebung deutlich mehr (Hotspot) oder weniger (Coldspot) "
        "Vorfälle hat als im Gebiet üblich – mit 90/95/99 % Sicherheit, korrigiert für viele Tests (FDR)."
    ),
    "lisa": (
        "Local Moran (LISA): Cluster hoher Werte (Hoch-Hoch), niedriger Werte (Niedrig-Niedrig) und "
        "Ausreißer, die sich von ihrer Umgebung abheben – nur bei 95 % Sicherheit (FDR) eingefärbt."
    ),
    "emerging": (
        "Neue und wachsende Hotspots: Gi* in jedem Quartal oder Jahr und der Trend darüber – zeigt, wo "
        "Hotspots neu entstehen, zunehmen, anhalten oder abklingen (ArcGIS-Muster, FDR)."
    ),
    "grid": (
        "Zählung je Rasterzelle: die einfache Vergleichsbasis – die Zellen mit den meisten Vorfällen "
        "der Vorperiode; schwer zu schlagen."
    ),
    "evaluate": (
        "Trefferquote: Anteil der späteren Vorfälle in den markierten 5 % der Fläche; PAI = "
        "Trefferquote ÷ Flächenanteil (über 1 heißt: besser als Zufall)."
    ),
}
