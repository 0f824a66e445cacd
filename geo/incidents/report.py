"""What an import did with every row: the report and the result of a read.

Every row read ends up in exactly one bucket: accepted, rejected (with a German
reason) or not used (rows a table carries that the atlas deliberately skips, e.g.
other Länder or PKS summary keys in a BKA table). ``rows == accepted + rejected +
ignored`` always holds.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo.export import to_csv_bytes
from geo.incidents.categories import CATEGORIES, CATEGORY_LABELS

#: Rejection reason code → German label (the codes are the keys of ``reasons``).
REASONS = {
    "keine_koordinaten": "keine Koordinaten",
    "koordinaten_unlesbar": "Koordinaten nicht lesbar",
    "ausserhalb_sachsen": "außerhalb Sachsens",
    "datum_unlesbar": "Datum fehlt oder nicht lesbar",
    "datum_zukunft": "Datum in der Zukunft",
    "kategorie_unbekannt": "unbekannte Kategorie",
    "duplikat": "doppelt (gleicher Ort, gleiche Zeit, gleiche Kategorie)",
    "gebiet_unbekannt": "Gemeinde/Kreis unbekannt oder mehrdeutig",
    "anzahl_ungueltig": "Anzahl negativ, keine ganze Zahl oder fehlt",
}
#: Reason code → German label for rows deliberately not used.
IGNORED = {
    "nicht_sachsen": "Gebiet außerhalb Sachsens (nicht importiert)",
    "summenzeile": "Summenzeile (Sachsen/Deutschland gesamt, nicht doppelt gezählt)",
    "nicht_zugeordnet": (
        "Kategorie bewusst nicht verwendet (Zuordnung 'ignorieren' oder PKS-Schlüssel ohne Zuordnung)"
    ),
}
DEMO_LABEL = "Demodaten (synthetisch)"


@dataclass
class ImportReport:
    """Counts and rejected rows of one read (see module doc for the invariant)."""

    file: str
    kind: str  # "punkte" | "aggregiert"
    rows: int = 0
    accepted: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    ignored_reasons: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    period: tuple[dt.date, dt.date] | None = None
    notes: list[str] = field(default_factory=list)
    rejected_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"zeile": [], "grund": []}))
    dataset: str | None = None
    stored: bool = False
    demo: bool = False

    @property
    def rejected(self) -> int:
        return sum(self.reasons.values())

    @property
    def ignored(self) -> int:
        return sum(self.ignored_reasons.values())

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (keys ``file``, ``rows``, ``accepted``, ``rejected``, ...)."""
        return {
            "file": self.file,
            "kind": self.kind,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
            "ignored": self.ignored,
            "ignored_reasons": dict(self.ignored_reasons),
            "categories": dict(self.categories),
            "period": [d.isoformat() for d in self.period] if self.period else None,
            "notes": list(self.notes),
            "dataset": self.dataset,
            "stored": self.stored,
            "demo": self.demo,
        }

    def to_json(self) -> str:
        """One-line JSON object of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_text(self) -> str:
        """The report in German for people (what ``python -m geo import`` prints)."""
        lines = [f"Datei: {self.file}" + (f"  [{DEMO_LABEL}]" if self.demo else "")]
        lines.append(
            f"Art: {'Einzelfälle mit Koordinaten' if self.kind == 'punkte' else 'Fallzahlen je Gebiet'}"
        )
        lines.append(f"Zeilen gelesen: {self.rows}")
        lines.append(f"übernommen: {self.accepted}")
        lines.append(f"abgelehnt: {self.rejected}")
        for code, count in self.reasons.items():
            lines.append(f"  {REASONS.get(code, code)}: {count}")
        if self.ignored:
            lines.append(f"nicht verwendet: {self.ignored}")
            for code, count in self.ignored_reasons.items():
                lines.append(f"  {IGNORED.get(code, code)}: {count}")
        if self.categories:
            unit = "Fälle" if self.kind == "aggregiert" else "Einträge"
            lines.append(f"übernommen nach Kategorie ({unit}):")
            for cat, count in self.categories.items():
                lines.append(f"  {CATEGORY_LABELS.get(cat, cat)}: {count}")
        if self.period:
            start, end = self.period
            lines.append(f"Zeitraum: {start:%d.%m.%Y} – {end:%d.%m.%Y}")
        lines.extend(f"Hinweis: {note}" for note in self.notes)
        if self.dataset:
            state = "gespeichert" if self.stored else "nicht gespeichert"
            lines.append(f"Datensatz: {self.dataset} ({state})")
        return "\n".join(lines)

    def reason_table(self) -> pd.DataFrame:
        """Every row's fate as a small table for the app: ``Ergebnis``, ``Grund``, ``Zeilen``."""
        rows = [("übernommen", "", self.accepted)]
        rows += [("abgelehnt", REASONS.get(code, code), count) for code, count in self.reasons.items()]
        rows += [("nicht verwendet", IGNORED.get(code, code), n) for code, n in self.ignored_reasons.items()]
        return pd.DataFrame(rows, columns=["Ergebnis", "Grund", "Zeilen"])

    def rejected_csv(self) -> bytes:
        """The rejected rows with their reason as a German CSV (``;``, UTF-8 with BOM).

        The rows are the user's raw input: cells a spreadsheet would run as a formula
        (``=``, ``+``, ``-``, ``@`` …) are neutralised (see :mod:`geo.export`).
        """
        return to_csv_bytes(self.rejected_rows, {})


@dataclass
class ImportResult:
    """What :func:`geo.incidents.read_incidents` returns.

    ``points``: GeoDataFrame in EPSG:25833 with ``category``, ``time`` (naive local
    datetime64), ``ags`` and point geometry. ``aggregates``: DataFrame with
    ``area_key``, ``level`` ("gemeinde"|"kreis"), ``category``, ``period_start``,
    ``period_end`` (dates, inclusive), ``count``. One of the two is empty.
    """

    points: gpd.GeoDataFrame
    aggregates: pd.DataFrame
    report: ImportReport


def empty_points() -> gpd.GeoDataFrame:
    """A points frame with the contract's columns and no rows."""
    return gpd.GeoDataFrame(
        {
            "category": pd.Series([], dtype="str"),
            "time": pd.Series([], dtype="datetime64[s]"),
            "ags": pd.Series([], dtype="str"),
        },
        geometry=gpd.GeoSeries([], crs="EPSG:25833"),
        crs="EPSG:25833",
    )


def empty_aggregates() -> pd.DataFrame:
    """An aggregates frame with the contract's columns and no rows."""
    return pd.DataFrame(
        {
            "area_key": pd.Series([], dtype="str"),
            "level": pd.Series([], dtype="str"),
            "category": pd.Series([], dtype="str"),
            "period_start": pd.Series([], dtype="object"),
            "period_end": pd.Series([], dtype="object"),
            "count": pd.Series([], dtype="int64"),
        }
    )


def count_categories(categories: pd.Series, weights: pd.Series | None = None) -> dict[str, int]:
    """Category → count (or sum of `weights`) in the order of ``CATEGORIES``, zeros left out."""
    counts = categories.value_counts() if weights is None else weights.groupby(categories.to_numpy()).sum()
    return {c: int(counts[c]) for c in CATEGORIES if c in counts.index and counts[c] > 0}
