"""Parts 3 and 4 of the report: the Bürgerbefragung and the analysis linking data and survey.

Part 4 also holds the hotspot statistics, the top hotspot areas (neighbouring hot cells
joined, areas with fewer than ``MIN_CELL_COUNT`` incidents not named) and the method's
predictive accuracy (fit on the years before the last, test on the last). Both come from
one :func:`geo.analysis.analyse` call on :func:`report_view`, the path the app and the
command line take: the same Gi* with FDR, grid and privacy threshold, so the report never
shows a hotspot cell the app suppresses.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from geo.analysis import Analysis, analyse
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.hotspots.patterns import PATTERN_COLOURS, PATTERN_HELP
from geo.incidents.categories import CATEGORIES
from geo.measures import places as measure_places
from geo.osm import OsmData, lage
from geo.report import charts
from geo.report.document import Block, Subject, neighbourhood, streets_near
from geo.report.local import MIN_CELL_COUNT
from geo.survey import coincide
from geo.view import View

HOTSPOT_CELL_M = 250.0
PLACEHOLDER_SURVEY = (
    "Platz für die Ergebnisse der Bürgerbefragung. Sobald eine Befragung importiert ist "
    "(Angsträume oder Anteile je Gebiet), erscheinen hier Anteile mit Konfidenzintervall und die "
    "genannten Angsträume."
)
PLACEHOLDER_LINK = (
    "Der Abgleich von Vorfällen und Befragung erscheint hier, sobald eine Bürgerbefragung importiert ist."
)


def _pct(value: float) -> str:
    return f"{zahl(100 * value, 1)} %"


def survey_part(
    subject: Subject, shares: pd.DataFrame | None, places: gpd.GeoDataFrame | None, credit: str,
    osm: OsmData | None = None,
) -> list[Block]:
    """Part 3: shares with Wilson interval and the Angsträume of the subject, or a placeholder."""
    blocks = [Block("h1", "3 Bürgerbefragung")]
    if shares is None and places is None:
        return [*blocks, Block("placeholder", PLACEHOLDER_SURVEY)]
    if shares is not None:
        own = shares[shares["ags"].isin(subject.ags)]
        rows = tuple(
            (
                r["gemeinde"] + (f" – {r['gebiet']}" if r["gebiet"] else ""),
                zahl(r["n"]),
                _pct(r["anteil"]),
                f"{_pct(r['ci_low'])} – {_pct(r['ci_high'])}",
                "zu wenige Antworten" if r["zu_klein"] else "",
            )
            for _, r in own.iterrows()
        )
        blocks.append(Block("h2", "Unsicherheitsgefühl nachts"))
        blocks.append(
            Block(
                "table",
                header=("Gebiet", "Antworten", "unsicher", "95-%-Intervall", "Hinweis"),
                rows=rows,
                widths=(3, 1, 1, 1.8, 1.6),
            )
            if rows
            else Block("p", "Für dieses Gebiet enthält die Befragung keine Anteile.")
        )
    if places is not None:
        own = places[places["ags"].isin(subject.ags)]
        rows = tuple((r["name"], r["kategorie"], zahl(r["nennungen"])) for _, r in own.head(15).iterrows())
        blocks.append(Block("h2", "Angsträume"))
        if not rows:
            return [*blocks, Block("p", "Für dieses Gebiet wurden keine Angsträume genannt.")]
        blocks += [
            Block("table", header=("Ort", "Kategorie", "Nennungen"), rows=rows, widths=(3, 2, 1)),
            Block(
                "image",
                "Genannte Angsträume",
                png=charts.area_map(
                    subject.geometry,
                    neighbourhood(subject),
                    title=f"Angsträume – {subject.name}",
                    angstraeume=own,
                    credit=credit,
                    streets=streets_near(subject, osm),
                ),
            ),
        ]
    return blocks


def _link(
    subject: Subject, points: gpd.GeoDataFrame, shares: pd.DataFrame | None, places: gpd.GeoDataFrame | None
) -> list[Block]:
    blocks: list[Block] = []
    if shares is not None:
        result = coincide.coincidence_by_gemeinde(points, shares)
        own = result.table[result.table["ags"].isin(subject.ags)]
        rows = tuple(
            (r["gemeinde"], _pct(r["anteil"]), zahl(r["vorfaelle"]), zahl(r["erwartet"], 1), r["klasse"])
            for _, r in own.iterrows()
        )
        blocks += [
            Block("h2", "Angst und Vorfälle je Gemeinde"),
            Block(
                "table",
                header=("Gemeinde", "unsicher", "Vorfälle", "erwartet", "Einordnung"),
                rows=rows,
                widths=(2, 1, 1, 1, 3),
            ),
            Block("note", result.methode),
            Block("note", result.hinweis),
        ]
    own_places = None if places is None else places[places["ags"].isin(subject.ags)]
    if own_places is not None and len(own_places):
        result = coincide.coincidence_by_cell(points, own_places)
        rows = tuple((k, zahl(v)) for k, v in result.counts().items() if k != coincide.TOO_SMALL)
        blocks += [
            Block("h2", "Angsträume und Vorfälle je Rasterzelle"),
            Block("table", header=("Einordnung", "Zellen"), rows=rows, widths=(4, 1)),
            Block("note", result.methode),
            Block("note", result.hinweis),
        ]
    return blocks or [Block("placeholder", PLACEHOLDER_LINK)]


def hotspot_areas(analysis: Analysis) -> gpd.GeoDataFrame:
    """Hot cells (Gi* 95 % or more) joined where they share an edge (:func:`geo.measures.places.
    hotspot_areas`, the register's hotspot places too): ``zellen``, ``vorfaelle``, ``flaeche_km2``,
    ``stufe`` (highest class), geometry; most incidents first. Areas with fewer than
    :data:`MIN_CELL_COUNT` incidents are dropped (not named)."""
    areas = measure_places.hotspot_areas(analysis, min_bin=2)
    return areas[areas["vorfaelle"] >= MIN_CELL_COUNT].reset_index(drop=True)


def report_view(subject: Subject, points: gpd.GeoDataFrame) -> View:
    """The view the report's hotspots and accuracy show: Gi* over all categories and the whole
    period in 250 m cells of the subject, learnt before 1 January of the data's last year."""
    last = int(points["time"].max().year)
    return View(area=subject.key, categories=CATEGORIES, method="gi", cell_m=int(HOTSPOT_CELL_M),
                split=dt.date(last, 1, 1))


def _hotspots(subject: Subject, analysis: Analysis, credit: str, osm: OsmData | None) -> list[Block]:
    blocks = [Block("h2", "Hotspots (Getis-Ord Gi*)")]
    cells = analysis.hotspots.cells  # cells below the privacy threshold are already "nicht signifikant"
    shown = cells[cells["gi_bin"] >= 1]
    blocks.append(
        Block(
            "image",
            f"Gi*-Hotspots in {zahl(HOTSPOT_CELL_M)}-m-Zellen (Konfidenz nach FDR-Korrektur)",
            png=charts.hotspot_map(
                subject.geometry,
                neighbourhood(subject),
                shown,
                title=f"Hotspots – {subject.name}",
                credit=credit,
                streets=streets_near(subject, osm),
            ),
        )
    )
    areas = hotspot_areas(analysis)
    if len(areas):
        top = areas.head(10)
        centres = top.geometry.representative_point().to_crs("EPSG:4326")
        rows = tuple(
            (
                str(i + 1),
                zahl(r["vorfaelle"]),
                zahl(r["zellen"]),
                zahl(r["flaeche_km2"], 2),
                r["stufe"],
                f"{name} ({zahl(c.y, 4)} N, {zahl(c.x, 4)} O)",
            )
            for i, ((_, r), c, name) in enumerate(zip(top.iterrows(), centres, lage(osm, top.geometry),
                                                       strict=True))
        )
        blocks.append(
            Block(
                "table",
                header=("Nr.", "Vorfälle", "Zellen", "km²", "höchste Stufe", "Lage"),
                rows=rows,
                widths=(0.5, 0.8, 0.7, 0.7, 1.4, 3.4),
            )
        )
    else:
        blocks.append(Block("p", "Keine Hotspot-Gebiete mit mindestens 95 % Konfidenz."))
    blocks.append(
        Block(
            "note",
            f"Gi* vergleicht die Vorfälle jeder Zelle und ihrer 8 Nachbarzellen mit dem "
            f"Durchschnitt des Gebiets; p-Werte nach Benjamini-Hochberg (FDR) korrigiert. "
            f"Zellen mit weniger als {analysis.view.min_count} Vorfällen in ihrer Nachbarschaft "
            f"gelten als nicht signifikant (wie in der Karte der App). "
            f"Benachbarte Hotspot-Zellen (ab 95 %) sind zu Gebieten zusammengefasst; "
            f"Gebiete mit weniger als {MIN_CELL_COUNT} Vorfällen werden nicht genannt.",
        )
    )
    return blocks


def _accuracy(analysis: Analysis) -> list[Block]:
    blocks = [Block("h2", "Vorhersagegüte der Methode")]
    result = analysis.evaluation
    if result is None:
        reason = analysis.evaluation_note or "zu wenige Daten."
        return [*blocks, Block("placeholder", f"Die Vorhersagegüte lässt sich nicht prüfen: {reason}")]
    names = {"grid": "Zählung der Vorperiode", "kde": "Kerndichte (KDE)", "gi": "Gi*"}
    rows = tuple((names[m], _pct(a.hit_rate), zahl(a.pai, 1)) for m, a in result.results.items())
    last = analysis.split.year
    blocks += [
        Block(
            "p",
            f"Hotspots aus den Vorfällen vor {last} ({zahl(result.n_train)}) bestimmt, geprüft "
            f"an den Vorfällen ab 01.01.{last} ({zahl(result.n_test)}): Wie viele davon lagen in "
            f"den markierten {_pct(result.area_share)} der Fläche?",
        ),
        Block("table", header=("Methode", "Trefferquote", "PAI"), rows=rows, widths=(3, 1.2, 1)),
    ]
    if result.kde_bandwidth_m is not None:
        choice = result.bandwidth
        how = "nach der Faustregel (ArcGIS Pro)"
        if choice is not None:
            how = (f"automatisch gewählt (beste Trefferquote in {zahl(len(choice.folds))} Prüfzeiträumen "
                   f"vor {last}, {_pct(choice.score)})")
        blocks.append(Block("note", f"Kerndichte mit {zahl(result.kde_bandwidth_m)} m Bandbreite, {how}; "
                                    "eine Bandbreite von einer Zelle ist die einfache Zählung."))
    if result.rolling is not None and len(result.rolling):
        blocks += [
            Block("p", "Wie stabil ist das? Jedes Quartal des Prüfzeitraums, vorhergesagt aus allen "
                       "Vorfällen davor (Trefferquote in den markierten Flächen):"),
            Block("table", header=("Quartal", "Vorfälle", *(names[m] for m in result.results)),
                  rows=tuple((f"{r['von']:%d.%m.%Y} – {r['bis']:%d.%m.%Y}", zahl(r["n_test"]),
                              *(_pct(r[m]) for m in result.results)) for _, r in result.rolling.iterrows()),
                  widths=(2.2, 0.9, *([1.3] * len(result.results)))),
        ]
    blocks += [*(Block("note", v) for v in result.verdicts.values())]
    if result.curve is not None:
        chart = charts.concentration_chart(result.curve, {m: names[m] for m in result.results},
                                           share=result.area_share)
        blocks.append(Block("image", "Konzentrationskurve: Trefferquote je nach markierter Fläche; "
                                     "gestrichelt der gewählte Anteil", png=chart))
    blocks.append(Block("note", "PAI = Trefferquote ÷ Flächenanteil; über 1 heißt besser als Zufall."))
    return blocks


def emerging_view(subject: Subject, points: gpd.GeoDataFrame) -> View:
    """The report's view of how hotspots change: all categories, 250 m, years when the data
    cover at least four, else quarters."""
    years = points["time"].dt.year.nunique()
    return View(area=subject.key, categories=CATEGORIES, method="emerging", cell_m=int(HOTSPOT_CELL_M),
                step="jahr" if years >= 4 else "quartal")


def _emerging(subject: Subject, points: gpd.GeoDataFrame, credit: str, osm: OsmData | None) -> list[Block]:
    blocks = [Block("h2", "Neue und wachsende Hotspots")]
    try:
        analysis = analyse(points, emerging_view(subject, points))
    except AtlasError as err:
        return [*blocks, Block("placeholder", f"Keine Auswertung über die Zeit möglich: {err}")]
    result = analysis.emerging
    cells = result.cells[~result.cells["suppressed"] & result.cells["pattern"].isin(list(PATTERN_COLOURS))]
    steps = "Jahre" if result.step == "jahr" else "Quartale"
    png = charts.pattern_map(subject.geometry, neighbourhood(subject), cells, PATTERN_COLOURS,
                             title=f"Hotspot-Muster – {subject.name}", credit=credit,
                             streets=streets_near(subject, osm))
    caption = f"Muster der Gi*-Hotspots über {len(result.steps)} {steps} in {zahl(HOTSPOT_CELL_M)}-m-Zellen"
    blocks.append(Block("image", caption, png=png))
    counts = cells["pattern"].value_counts()
    rows = tuple((p, zahl(counts[p]), PATTERN_HELP[p]) for p in PATTERN_COLOURS if p in counts)
    if rows:
        blocks.append(Block("table", header=("Muster", "Zellen", "Bedeutung"), rows=rows,
                            widths=(2, 0.8, 4.2)))
    else:
        blocks.append(Block("p", "Keine Zelle zeigt ein Muster über die Zeit."))
    blocks.append(Block("note", "Gi* je Zeitschritt (FDR-korrigiert) und Mann-Kendall-Trend je Zelle, "
                                "Muster nach ArcGIS Pro (Emerging Hot Spot Analysis). Zellen mit weniger als "
                                f"{analysis.view.min_count} Vorfällen in ihrer Nachbarschaft zeigen kein "
                                "Muster."))
    return blocks


def analysis_part(
    subject: Subject,
    points: gpd.GeoDataFrame,
    shares: pd.DataFrame | None,
    places: gpd.GeoDataFrame | None,
    credit: str,
    osm: OsmData | None = None,
) -> list[Block]:
    """Part 4: fear against incidents, hotspots, top hotspot areas, predictive accuracy; places
    named and streets drawn from `osm` (:func:`geo.osm.load`)."""
    blocks = [Block("h1", "4 Analyse: Daten und Befragung")]
    if points.empty:
        return [*blocks, Block("placeholder", "Ohne Vorfälle ist keine Analyse möglich.")]
    blocks += _link(subject, points, shares, places)
    try:
        analysis = analyse(points, report_view(subject, points))
    except AtlasError as err:
        return [*blocks, Block("h2", "Hotspots (Getis-Ord Gi*)"),
                Block("placeholder", f"Keine Hotspot-Statistik möglich: {err}")]
    return [*blocks, *_hotspots(subject, analysis, credit, osm), *_emerging(subject, points, credit, osm),
            *_accuracy(analysis)]
