"""One call from a `View` to its figures: the seam between the statistics and everything that
shows them. The app, the command line (``hotspots``, ``evaluate``) and the Sicherheitsanalyse
all call :func:`analyse`, so a figure has one path: same defaults, grid and privacy threshold.

:func:`analyse` selects the incidents of the view (categories, period), runs the chosen
method on the chosen area (rates per Gemeinde/Kreis, or KDE / Gi* / LISA on the grid),
applies the privacy threshold of the view, evaluates the predictive accuracy of grid
methods on a split of the period, and returns an `Analysis` with German notes and the
metadata every export carries. It is pure: the app caches it on plain keys. Notes and
error messages are German :func:`geo.lang.phrase` sentences, so the app can show them in
English without a second analysis; :meth:`Analysis.title_line` takes the language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import area as area_of
from geo.boundaries import load_gemeinden
from geo.errors import AtlasError
from geo.export import for_export
from geo.grid import study_grid
from geo.hotspots import (
    EmergingHotspots,
    Evaluation,
    GridHotspots,
    aggregate_rates,
    area_rates,
    emerging_hotspots,
    evaluate,
    grid_hotspots,
)
from geo.hotspots.bandwidth import RULE, BandwidthChoice, choose_bandwidth
from geo.hotspots.emerging import step_text
from geo.hotspots.evaluate import DEFAULT_AREA_SHARE
from geo.hotspots.points import select, xy
from geo.incidents import CATEGORY_LABELS, DEMO_LABEL
from geo.lang import DEFAULT_LANG, error_text, phrase, translate
from geo.osm import OsmData, lage
from geo.privacy import cells_for_export, suppress_small_cells
from geo.reporting import cautions_notes, with_cautions
from geo.sources import MAP_ATTRIBUTION
from geo.view import View

METHOD_LABELS = {
    "rates": "Raten je Gemeinde (geglättet)",
    "kde": "Kerndichte (KDE)",
    "gi": "Hotspots (Getis-Ord Gi*)",
    "lisa": "Cluster (Local Moran)",
    "emerging": "Neue und wachsende Hotspots",
}
STEP_NAMES = {"quartal": "Quartale", "jahr": "Jahre"}
SAXONY = "14"


@dataclass(frozen=True, eq=False)
class Analysis:
    """The figures of one view.

    Attributes
    ----------
    view : View
    rates : GeoDataFrame or None
        For ``method="rates"``: one row per Gemeinde/Kreis (see :func:`geo.hotspots.area_rates`).
    hotspots : GridHotspots or None
        For grid methods; cells below the privacy threshold are already blanked.
    evaluation : Evaluation or None
        Predictive accuracy of the grid methods (fit before ``split``, test from it).
    split : date or None
    n_incidents : int
        Incidents of the selection inside the area.
    start, end : date or None
        The period actually covered by the selected incidents.
    notes : list of str
        German sentences the user should read next to the map.
    evaluation_note : str or None
        Why there is no `evaluation` (period too short, no incidents before the split …).
    bandwidth_choice : BandwidthChoice or None
        How the KDE map's bandwidth was chosen ("automatisch": by validation on the period).
    emerging : EmergingHotspots or None
        For ``method="emerging"``: the pattern of every cell (privacy threshold applied).
    """

    view: View
    rates: gpd.GeoDataFrame | None
    hotspots: GridHotspots | None
    evaluation: Evaluation | None
    split: dt.date | None
    n_incidents: int
    start: dt.date | None
    end: dt.date | None
    notes: list[str] = field(default_factory=list)
    source: str = ""
    demo: bool = False
    evaluation_note: str | None = None
    bandwidth_choice: BandwidthChoice | None = None
    area_share: float = DEFAULT_AREA_SHARE
    emerging: EmergingHotspots | None = None

    def bandwidth_line(self) -> str | None:
        """German sentence on the KDE map's bandwidth and how it was chosen, or None."""
        kde = self.hotspots.kde if self.hotspots is not None else None
        if kde is None:
            return None
        choice = self.bandwidth_choice
        values = {"m": float(kde.bandwidth), "rule": phrase(kde.bandwidth_rule)}
        if choice is None or np.isnan(choice.score):
            return phrase("Bandbreite {m:.0f} m ({rule}).", **values)
        if np.isnan(choice.se):
            return phrase("Bandbreite {m:.0f} m ({rule}): zu wenige Prüfzeiträume, daher die einfache "
                          "Zählung.", **values)
        return phrase("Bandbreite {m:.0f} m ({rule}): in {n} Prüfzeiträumen lagen im Mittel {score:.0f} % "
                      "der Folgevorfälle in den markierten {share:.0f} % der Fläche (± {se:.0f} Pkt.).",
                      **values, n=len(choice.folds), score=100 * choice.score, share=100 * self.area_share,
                      se=100 * choice.se)

    def title_line(self, *, lang: str = DEFAULT_LANG) -> str:
        """Place · categories · period · method · source, e.g. for the council screen's title.

        In `lang` (see :mod:`geo.lang`); place names and imported data set names stay as they are.
        """
        view = self.view
        place = area_of(view.area).name if view.area else translate("Sachsen", lang)
        cats = ", ".join(translate(CATEGORY_LABELS[c], lang) for c in view.categories)
        period = (f"{self.start:%d.%m.%Y} – {self.end:%d.%m.%Y}" if self.start and self.end
                  else translate("ganzer Zeitraum", lang))
        method = METHOD_LABELS[view.method]
        if view.method == "rates" and view.level == "kreis":
            method = method.replace("je Gemeinde", "je Kreis")
        line = translate("{place} · {categories} · {period} · {method} · Quelle: {source}", lang)
        return line.format(place=place, categories=cats, period=period, method=translate(method, lang),
                           source=translate(self.source, lang))

    def export_table(self, *, area_only: bool = False, osm: OsmData | None = None) -> gpd.GeoDataFrame:
        """The result for CSV, GeoPackage and GeoJSON, with German column names
        (:data:`geo.export.EXPORT_COLUMNS`): the study cells, or the rates.

        Rates cover all of Saxony (the map compares the area with it); with `area_only`
        only the rows of the view's area: its Gemeinden, or the Kreis it lies in. Cells get
        ``lage`` after ``zelle``: the nearest streets and place (:func:`geo.osm.lage`, from
        `osm`) for every cell with incidents that passes the privacy threshold, else empty.
        """
        if self.rates is None:
            cells = self.emerging.cells if self.emerging is not None else self.hotspots.cells
            named = (~cells["suppressed"] & (cells["count"] > 0)).to_numpy()
            where = np.full(len(cells), "", dtype=object)
            where[named] = lage(osm, cells.geometry[named])
            table = for_export(cells_for_export(cells, min_count=self.view.min_count))
            table.insert(1, "lage", where)
            return table
        key = self.view.area or SAXONY
        inside = [not area_only or a.startswith(key) or key.startswith(a) for a in self.rates["ags"]]
        return for_export(self.rates[inside])

    def metadata(self) -> dict[str, str]:
        """What every export states: method, parameters, period, source, attribution.

        First the lines for readers (capitalised keys: ``Methode``, ``Gebiet``, ``Zeitraum`` …),
        then the same facts for scripts (lower-case keys: ``methode``, ``gebiet``,
        ``kategorien``, ``von``, ``bis``, ``mindestzahl`` and the method's parameters); both
        documented in the README ("Ausgaben").
        """
        view = self.view
        place = area_of(view.area).name if view.area else "Sachsen"
        meta = {
            "Methode": METHOD_LABELS[view.method],
            "Gebiet": f"{place} ({view.area or SAXONY})",
            "Kategorien": ", ".join(CATEGORY_LABELS[c] for c in view.categories),
            "Zeitraum": f"{_iso(self.start)} bis {_iso(self.end)}",
            "Vorfälle": str(self.n_incidents),
            "Mindestanzahl": str(view.min_count),
            "Datenquelle": self.source,
        }
        if view.method == "rates":
            meta["Ebene"] = view.level
        else:
            meta["Zellgröße (m)"] = str(view.cell_m)
            meta["Radius (Zellen)"] = str(view.radius)
            if view.method == "lisa":
                meta["p-Werte (LISA)"] = ("999 bedingte Permutationen" if view.inference == "permutation"
                                          else "analytisch")
            if self.emerging is not None:
                steps = self.emerging.steps
                meta["Zeitschritte"] = (f"{len(steps)} {STEP_NAMES[view.step]} ({step_text(steps[0])} bis "
                                        f"{step_text(steps[-1])})")
            if self.hotspots is not None and self.hotspots.kde is not None:
                meta["Bandbreite (m)"] = f"{self.hotspots.kde.bandwidth:.0f}"
        if self.demo:
            meta["Hinweis"] = DEMO_LABEL
        meta["Namensnennung"] = " · ".join(MAP_ATTRIBUTION)
        return meta | self._machine_metadata()

    def _machine_metadata(self) -> dict[str, str]:
        view = self.view
        meta = {"methode": view.method, "gebiet": view.area or SAXONY,
                "kategorien": ",".join(view.categories), "von": _iso(self.start), "bis": _iso(self.end),
                "vorfaelle": str(self.n_incidents),
                "mindestzahl": str(view.min_count)}
        if self.rates is not None:
            meta["ebene"] = view.level
            if "saxony_rate" in self.rates.attrs:
                meta["rate_sachsen_je_1000"] = repr(float(self.rates.attrs["saxony_rate"]))
            return meta
        meta |= {"zellgroesse_m": f"{view.cell_m:g}", "radius_zellen": str(view.radius)}
        if self.emerging is not None:
            meta |= {"zeitschritt": view.step, "zeitschritte": ",".join(self.emerging.steps)}
        if view.method == "lisa":
            meta["inferenz"] = view.inference
        if self.hotspots is not None and self.hotspots.kde is not None:
            meta |= {"bandbreite_m": repr(float(self.hotspots.kde.bandwidth)),
                     "bandbreite_regel": self.hotspots.kde.bandwidth_rule}
        if self.bandwidth_choice is not None:
            meta["bandbreite_trefferquote"] = repr(self.bandwidth_choice.score)
        if self.evaluation is not None:
            meta |= {"teilung": _iso(self.split), "flaechenanteil": repr(self.evaluation.area_share)}
        return meta


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "–"


def default_split(start: dt.date, end: dt.date) -> dt.date:
    """Where the accuracy check splits the period: the first of the month nearest its middle.

    Period A (before the split) fits the method, period B (from the split) tests it.
    """
    middle = start + (end - start) / 2
    first = dt.date(middle.year, middle.month, 1)
    following = dt.date(middle.year + middle.month // 12, middle.month % 12 + 1, 1)
    split = first if (middle - first) <= (following - middle) else following
    return min(max(split, start + dt.timedelta(days=1)), end)


def _covered(points: gpd.GeoDataFrame) -> tuple[dt.date | None, dt.date | None]:
    if points.empty:
        return None, None
    times = points["time"]
    return times.min().date(), times.max().date()


#: Below this share of Saxony's inhabitants living in Gemeinden with any incident in the data,
#: the view gets :func:`coverage_note` (e.g. one town has imported its own export).
COVERAGE_NOTE_BELOW = 0.5


def coverage_note(points: gpd.GeoDataFrame, area: str) -> str | None:
    """A note when the data covers few Gemeinden and `area` reaches beyond them, else None.

    Rates, their smoothing and every comparison with "Sachsen" treat a Gemeinde without
    reports as one without incidents; with one town's data that compares the town with
    places nobody reported from.
    """
    if points.empty:
        return None
    gemeinden = load_gemeinden()
    covered = gemeinden["ags"].isin(points["ags"].unique())
    share = float(gemeinden.loc[covered, "einwohner"].sum() / gemeinden["einwohner"].sum())
    in_area = gemeinden["ags"].str.startswith(area)
    if share >= COVERAGE_NOTE_BELOW or covered[in_area].all():
        return None
    return phrase("Die Daten stammen aus {n} von {total} Gemeinden ({p} % der Einwohner Sachsens). "
                  "Gemeinden ohne Meldungen zählen als Orte ohne Vorfälle: Vergleiche mit „Sachsen“ "
                  "und mit Nachbarorten sind so nicht aussagekräftig – Gebiet auf die eigenen Daten "
                  "eingrenzen.", n=int(covered.sum()), total=len(gemeinden), p=max(1, round(100 * share)))


def analyse(points: gpd.GeoDataFrame, view: View, *, source: str = "", demo: bool = False,
            aggregates: pd.DataFrame | None = None, area_share: float = DEFAULT_AREA_SHARE) -> Analysis:
    """Run the view's method on `points` (incidents in ``METRIC_CRS``).

    `aggregates` (counts per area and period, e.g. the BKA's PKS Kreis table) feed the
    rates when the selection has no points; grid methods need points. `area_share` is
    the share of the study cells the accuracy check marks as hotspots.

    Raises
    ------
    AtlasError
        With a German message when the method cannot run (e.g. an empty selection for a
        grid method, or a bad parameter).
    """
    chosen = select(points, categories=view.categories, start=view.start, end=view.end)
    start, end = view.start, view.end
    covered = _covered(chosen)
    start, end = start or covered[0], end or covered[1]
    notes: list[str] = []
    if demo:
        notes.append(phrase("{demo}: Die Vorfälle sind erfunden und zeigen nur, wie der Atlas arbeitet.",
                            demo=phrase(DEMO_LABEL)))
    area = view.area or SAXONY
    if chosen.empty and aggregates is not None and not aggregates.empty:
        return _aggregate_analysis(aggregates, view, notes, source, demo)
    gaps = coverage_note(points, area)
    if gaps is not None:
        notes.append(gaps)
    if view.method == "rates":
        rates = area_rates(chosen, level=view.level if area == SAXONY or len(area) == 5 else "gemeinde",
                           min_count=view.min_count)
        # Every selected incident in the area, those of grey (suppressed) areas included; the
        # rates themselves cover all of Saxony (or the Kreis) for comparison.
        n = int(chosen["ags"].str.startswith(area).sum())
        suppressed = int(rates["suppressed"].sum())
        if suppressed:
            notes.append(phrase("{n} Gebiete mit weniger als {k} Vorfällen zeigen keine Zahl (grau).",
                                n=suppressed, k=view.min_count))
        notes.append(phrase("Geglättete Raten (Empirical Bayes) ziehen kleine Gemeinden zum sächsischen "
                            "Wert hin, damit einzelne Fälle sie nicht an die Spitze bringen."))
        return Analysis(view, rates, None, None, None, n, start, end, notes, source, demo)

    if chosen.empty:
        msg = phrase("Für diese Auswahl gibt es keine Vorfälle – bitte Zeitraum oder Kategorien erweitern.")
        raise AtlasError(msg)
    grid = study_grid(area, cell=view.cell_m)
    if view.method == "emerging":
        return _emerging_analysis(chosen, view, grid, start, end, notes, source, demo, area_share)
    choice = None
    bandwidth: float | None = view.bandwidth_m
    if view.method == "kde" and bandwidth is None and view.bandwidth_rule == "auto":
        x, y = xy(chosen)
        choice = choose_bandwidth(x, y, chosen["time"].to_numpy(), grid, start=start,
                                  end=end + dt.timedelta(days=1), area_share=area_share)
        bandwidth = choice.bandwidth
    hotspots = grid_hotspots(chosen, area=area, methods=view.method, cell=view.cell_m,
                             bandwidth=bandwidth, radius=view.radius, grid=grid,
                             lisa_inference=view.inference)
    if choice is not None:
        hotspots = dataclasses.replace(hotspots, kde=dataclasses.replace(hotspots.kde, bandwidth_rule=RULE))
    hotspots = suppress_small_cells(hotspots, min_count=view.min_count, radius=view.radius)
    if view.method in ("gi", "lisa"):
        hotspots = with_cautions(chosen, hotspots, min_count=view.min_count)
        notes += cautions_notes(hotspots)
    evaluation, split, missing = _accuracy(chosen, view, hotspots.grid, start, end, area_share)
    if missing is not None:
        notes.append(missing)
    if hotspots.n_incidents < 30:
        notes.append(phrase("Nur {n} Vorfälle im Gebiet: Muster sind unsicher, Signifikanz ist bei so "
                            "wenigen Fällen selten.", n=hotspots.n_incidents))
    return Analysis(view, None, hotspots, evaluation, split, hotspots.n_incidents, start, end, notes,
                    source, demo, missing, choice, area_share)


def _accuracy(chosen: gpd.GeoDataFrame, view: View, grid, start: dt.date | None, end: dt.date | None,
              area_share: float) -> tuple[Evaluation | None, dt.date | None, str | None]:
    """The predictive accuracy of the view's selection, or why there is none."""
    if not (start and end and (end - start).days >= 60):
        return None, None, phrase("Für die Vorhersagegüte ist der Zeitraum zu kurz (mindestens 60 Tage).")
    split = view.split or default_split(start, end)
    try:
        return evaluate(chosen, split=split, area=view.area or SAXONY, cell=view.cell_m, start=start, end=end,
                        bandwidth=view.bandwidth_m or view.bandwidth_rule, radius=view.radius, grid=grid,
                        area_share=area_share), split, None
    except AtlasError as err:
        return None, split, phrase("Vorhersagegüte nicht berechenbar: {err}", err=error_text(err))


def _emerging_analysis(chosen: gpd.GeoDataFrame, view: View, grid, start: dt.date | None,
                       end: dt.date | None, notes: list[str], source: str, demo: bool,
                       area_share: float) -> Analysis:
    """Gi* per quarter or year, its trend and pattern per cell (:func:`geo.hotspots.emerging_hotspots`)."""
    result = emerging_hotspots(chosen, grid=grid, step=view.step, radius=view.radius,
                               min_count=view.min_count, start=start, end=end)
    result = with_cautions(chosen, result, min_count=view.min_count)
    notes += cautions_notes(result)
    evaluation, split, missing = _accuracy(chosen, view, grid, start, end, area_share)
    first, last = (step_text(result.steps[i]) for i in (0, -1))
    notes.append(phrase("{n} {steps} von {first} bis {last}; ein Muster braucht signifikante Gi*-Werte "
                        "(FDR) in den Zeitschritten, „zunehmend“ und „abnehmend“ dazu einen "
                        "Mann-Kendall-Trend.", n=len(result.steps), steps=phrase(STEP_NAMES[view.step]),
                        first=first, last=last))
    if missing is not None:
        notes.append(missing)
    return Analysis(view, None, None, evaluation, split, result.n_incidents, start, end, notes, source, demo,
                    missing, None, area_share, result)


def _aggregate_analysis(aggregates: pd.DataFrame, view: View, notes: list[str], source: str,
                        demo: bool) -> Analysis:
    """Rates from counts per area (no coordinates): Kreis level when the table has only Kreise."""
    if view.method != "rates":
        msg = phrase("Diese Daten sind Fallzahlen je Gebiet ohne Koordinaten: Sie ergeben Raten je "
                     "Gemeinde oder Kreis, aber keine Kerndichte, Gi* oder LISA.")
        raise AtlasError(msg)
    level = "kreis" if (aggregates["level"] == "kreis").all() else view.level
    rates = aggregate_rates(aggregates, level=level, categories=view.categories, start=view.start,
                            end=view.end, min_count=view.min_count)
    start = pd.to_datetime(aggregates["period_start"]).min().date()
    end = pd.to_datetime(aggregates["period_end"]).max().date()
    n = int(rates["count"].fillna(0).sum())
    if level != view.level:
        notes.append(phrase("Die Tabelle enthält nur Kreise: Raten je Kreis."))
    notes.append(phrase("Fallzahlen je Gebiet ohne Koordinaten; Raten mit den Einwohnern des "
                        "Gemeindeverzeichnisses GV100AD (Stand 31.12.2022), nicht des Berichtsjahres."))
    return Analysis(dataclasses.replace(view, level=level), rates, None, None, None, n,
                    view.start or start, view.end or end, notes, source, demo)
