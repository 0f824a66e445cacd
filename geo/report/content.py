"""What the Sicherheitsanalyse report says: the five parts of an ASSKomm analysis plus methods.

1. Profil · 2. Lokale Daten · 3. Bürgerbefragung · 4. Analyse · 5. Empfehlungen ·
Methoden und Daten. Parts 1, 2 and 4 are filled from the data; part 3 from an imported
survey (a marked placeholder otherwise); part 5 is left to the kommunaler
Präventionsrat. Part 2 lives in :mod:`geo.report.local`, parts 3 and 4 in
:mod:`geo.report.analysis`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from geo import asskomm
from geo.crs import require_crs
from geo.fmt import zahl
from geo.measures.model import Measure
from geo.osm import ATTRIBUTION as OSM_ATTRIBUTION
from geo.osm import OsmData
from geo.report.analysis import PLACEHOLDER_SURVEY, analysis_part, survey_part
from geo.report.document import Block, Report, Subject, resolve
from geo.report.local import local_data
from geo.report.measures import measures_part
from geo.sources import MAP_ATTRIBUTION

DEMO_LABEL = "Demodaten (synthetisch)"
PLACEHOLDER_RECOMMENDATIONS = (
    "Vom kommunalen Präventionsrat auszufüllen: Handlungsempfehlungen, Zuständigkeiten, Zeitplan. "
    "Dieser Teil ist nach dem Landespräventionsrat der Kern der Sicherheitsanalyse und wird nicht "
    "automatisch erzeugt."
)
__all__ = ["PLACEHOLDER_RECOMMENDATIONS", "PLACEHOLDER_SURVEY", "build_report"]


def _pct(value: float) -> str:
    return f"{zahl(100 * value, 1)} %"


def _profile(subject: Subject, members: pd.DataFrame) -> list[Block]:
    rows = [
        ("Gebiet", f"{subject.name} ({subject.kind_text})"),
        ("Schlüssel", subject.key),
        ("Kreis", subject.kreis_name),
    ]
    if subject.verband:
        rows.append(("Verband", subject.verband))
    if subject.kind != "gemeinde":
        rows.append(("Gemeinden", zahl(len(subject.ags))))
    rows += [
        ("Einwohner (30.11.2023)", zahl(subject.einwohner)),
        ("Fläche", f"{zahl(subject.flaeche_km2, 1)} km²"),
        ("Einwohner je km²", zahl(subject.einwohner / subject.flaeche_km2)),
    ]
    inside = members[members["ags"].isin(subject.ags)]
    if subject.kind == "gemeinde" and len(inside):
        m = inside.iloc[0]
        since = (
            f" seit {asskomm.date_text(m['kooperationsvereinbarung'])}"
            if m["kooperationsvereinbarung"]
            else ""
        )
        rows.append(("ASSKomm", f"{m['status']}{since} (Quelle: {m['quelle']})"))
    elif subject.kind == "gemeinde":
        rows.append(("ASSKomm", "in der (unvollständigen) Liste nicht genannt"))
    else:
        rows.append(("ASSKomm", f"{len(inside)} Gemeinde(n) in der (unvollständigen) Liste"))
    return [
        Block("h1", "1 Profil"),
        Block("table", header=("Merkmal", "Wert"), rows=tuple(rows), widths=(1, 3)),
    ]


def _methods(all_points: gpd.GeoDataFrame, datasets: pd.DataFrame | None, demo: bool,
             osm: OsmData | None = None) -> list[Block]:
    if len(all_points):
        start, end = all_points["time"].min(), all_points["time"].max()
        lines = [
            f"Zeitraum: {start:%d.%m.%Y} bis {end:%d.%m.%Y}; {zahl(len(all_points))} Vorfälle in "
            f"{zahl(all_points['ags'].nunique())} der 418 sächsischen Gemeinden."
        ]
    else:
        lines = ["Es liegen keine Vorfälle vor."]
    if demo:
        lines.append(
            f"{DEMO_LABEL}: Alle Vorfälle und Befragungsergebnisse in diesem Bericht sind erfunden "
            "(Zufallsgenerator mit festem Startwert). Sie zeigen, wie der Bericht aussieht, und sagen "
            "nichts über die Gemeinde aus."
        )
    blocks = [Block("h1", "Methoden und Daten"), *(Block("p", line) for line in lines)]
    if datasets is not None and len(datasets):
        rows = tuple(
            (
                str(r["name"]),
                str(r["file_name"]),
                zahl(r["accepted"]),
                zahl(r["rejected"]),
                str(r["imported_at"])[:10],
            )
            for _, r in datasets.iterrows()
        )
        blocks.append(
            Block(
                "table",
                header=("Datensatz", "Datei", "übernommen", "abgelehnt", "importiert"),
                rows=rows,
                widths=(2, 2.5, 1, 1, 1.2),
            )
        )
    sources = [
        *MAP_ATTRIBUTION,
        asskomm.ATTRIBUTION,
        "Karten: eigene Darstellung (ETRS89 / UTM 33N, EPSG:25833)",
        *([f"Straßen und Orte: {OSM_ATTRIBUTION}, Stand {osm.date:%d.%m.%Y} ({osm.source})"] if osm else []),
    ]
    blocks += [
        Block("h2", "Quellen"),
        *(Block("note", s) for s in sources),
        Block("note", asskomm.UNVOLLSTAENDIG),
    ]
    return blocks


def build_report(
    key: str,
    incidents: gpd.GeoDataFrame,
    *,
    demo: bool,
    shares: pd.DataFrame | None = None,
    angstraeume: gpd.GeoDataFrame | None = None,
    datasets: pd.DataFrame | None = None,
    created: dt.date | None = None,
    osm: OsmData | None = None,
    measures: Sequence[Measure] | None = None,
) -> Report:
    """The Sicherheitsanalyse report for a Gemeinde (AGS), Verband (9-digit key) or Kreis.

    Parameters
    ----------
    key : str
        8-digit AGS, 9-digit ``vb_ars`` or 5-digit Kreis key.
    incidents : GeoDataFrame
        All incident points of Saxony available (``category``, ``time``, ``ags``, points
        in ``METRIC_CRS``); Kreis and Saxony rates are computed from them.
    demo : bool
        Whether the data are demo data; "Demodaten (synthetisch)" then goes on every page.
    shares, angstraeume : optional
        Imported survey results (:mod:`geo.survey`); a marked placeholder otherwise.
    datasets : DataFrame, optional
        :meth:`geo.store.IncidentStore.datasets`, for the rejected-rows table.
    created : date, optional
        Date printed on the title (today by default).
    osm : OsmData, optional
        Streets and places (:func:`geo.osm.load`): drawn under the maps, naming cells and
        hotspot areas; without them the tables say "keine Straßendaten geladen".
    measures : sequence of Measure, optional
        The Maßnahmenregister (:class:`geo.measures.MeasureRegister`); part 5 lists the area's
        measures with their Wirkungsprüfung (:mod:`geo.report.measures`).
    """
    require_crs(incidents)
    subject = resolve(key)
    created = created or dt.date.today()
    points = incidents[incidents["ags"].isin(subject.ags)]
    credit = " · ".join([*MAP_ATTRIBUTION, *([OSM_ATTRIBUTION] if osm is not None else []),
                         *([DEMO_LABEL] if demo else [])])
    blocks = [
        *_profile(subject, asskomm.load_members()),
        *local_data(subject, points, incidents, credit, osm),
        *survey_part(subject, shares, angstraeume, credit, osm),
        *analysis_part(subject, incidents, shares, angstraeume, credit, osm),
        Block("h1", "5 Empfehlungen"),
        Block("placeholder", PLACEHOLDER_RECOMMENDATIONS),
        *measures_part(subject, measures, incidents),
        *_methods(incidents, datasets, demo, osm),
    ]
    subtitle = f"{subject.kind_text} {subject.name} · {subject.kreis_name} · erstellt am {created:%d.%m.%Y}"
    return Report(title=f"Sicherheitsanalyse {subject.name}", subtitle=subtitle, demo=demo, blocks=blocks)
