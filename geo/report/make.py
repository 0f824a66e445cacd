"""One call for the CLI and the app: incidents from a store (or demo data), report, bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.errors import AtlasError
from geo.incidents.demo import demo_points
from geo.measures.model import Measure
from geo.measures.register import MeasureRegister
from geo.osm import OsmData
from geo.osm import load as load_osm
from geo.report.content import build_report
from geo.report.document import Report
from geo.report.html import render_html
from geo.report.pdf import render_pdf
from geo.store import connect
from geo.survey import demo as survey_demo

FORMATS = ("html", "pdf")


def make_report(
    key: str,
    *,
    store: str | Path | None = None,
    incidents: gpd.GeoDataFrame | None = None,
    demo: bool = False,
    shares: pd.DataFrame | None = None,
    angstraeume: gpd.GeoDataFrame | None = None,
    datasets: pd.DataFrame | None = None,
    created: dt.date | None = None,
    osm: OsmData | None = None,
    measures: Sequence[Measure] | None = None,
) -> Report:
    """The report for `key` from the given incidents, the store in `store`, or demo data.

    Parameters
    ----------
    key : str
        8-digit AGS, 9-digit Verband key or 5-digit Kreis key.
    store : path, optional
        Incident store directory; used when `incidents` is not given.
    incidents : GeoDataFrame, optional
        The incidents the app already holds (e.g. cached); `demo` says whether they are
        demo data.
    demo : bool
        With `incidents`: whether they are demo data (labelled on every page).
    shares, angstraeume : optional
        An imported survey; with demo data and no survey, the demo survey is used.
    datasets : DataFrame, optional
        The store's dataset table for the methods part (read from `store` otherwise).
    created : date, optional
        Date on the title page.
    osm : OsmData, optional
        Streets and places; read from `store` (or the default data directory) when not given.
    measures : sequence of Measure, optional
        The Maßnahmenregister; read from `store` when not given (none with demo data).

    Demo incidents (:func:`geo.incidents.demo.demo_points`) are used when neither
    `incidents` nor a non-empty store is given.
    """
    if incidents is None and store is not None:
        db = connect(store)
        if not db.is_empty():
            incidents, datasets = db.points(), db.datasets()
    if incidents is None:
        incidents, demo = demo_points(), True
    if demo and shares is None and angstraeume is None:
        shares = survey_demo.demo_shares()
        angstraeume = survey_demo.demo_angstraeume(key) if len(str(key)) == 8 else None
    if osm is None:
        osm = load_osm(store)
    if measures is None and store is not None:
        measures = MeasureRegister(connect(store)).current()
    return build_report(
        key, incidents, demo=demo, shares=shares, angstraeume=angstraeume, datasets=datasets, created=created,
        osm=osm, measures=measures,
    )


def render(report: Report, fmt: str) -> bytes:
    """``"html"`` (self-contained, UTF-8) or ``"pdf"`` (A4) bytes of `report`."""
    if fmt not in FORMATS:
        msg = f"Unbekanntes Berichtsformat '{fmt}'; möglich sind {' und '.join(FORMATS)}."
        raise AtlasError(msg)
    return render_html(report) if fmt == "html" else render_pdf(report)


def report_bytes(key: str, fmt: str, **options: object) -> bytes:
    """:func:`make_report` then :func:`render` (the app's download button)."""
    return render(make_report(key, **options), fmt)  # type: ignore[arg-type]
