"""What a register import did with every row (as :mod:`geo.incidents.report` does for incidents)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from geo.export import to_csv_bytes
from geo.measures.model import Measure


@dataclass
class MeasureReport:
    """What an import did with every row: ``rows == accepted + rejected``."""

    file: str
    rows: int = 0
    measures: list[Measure] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)  # the row (or object) number of each measure
    word: str = "Zeile"
    rejected_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"zeile": [], "grund": []}))
    notes: list[str] = field(default_factory=list)
    stored: bool = False

    @property
    def accepted(self) -> int:
        return len(self.measures)

    @property
    def rejected(self) -> int:
        return len(self.rejected_rows)

    def to_dict(self) -> dict:
        """JSON-ready: ``file``, ``rows``, ``accepted``, ``rejected``, ``reasons`` (one German sentence
        per rejected row), ``notes``, ``stored``, ``ids`` (numbers given, when stored)."""
        return {"file": self.file, "rows": self.rows, "accepted": self.accepted, "rejected": self.rejected,
                "reasons": self.rejected_rows["grund"].tolist(), "notes": list(self.notes),
                "stored": self.stored, "ids": [m.id for m in self.measures] if self.stored else []}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_text(self) -> str:
        lines = [f"Datei: {self.file}", f"Zeilen gelesen: {self.rows}", f"übernommen: {self.accepted}",
                 f"abgelehnt: {self.rejected}"]
        lines += [f"  {reason}" for reason in self.rejected_rows["grund"]]
        lines += [f"Hinweis: {note}" for note in self.notes]
        if self.stored:
            lines.append(f"gespeichert: Maßnahme(n) Nr. {', '.join(str(m.id) for m in self.measures)}")
        else:
            lines.append("nichts gespeichert")
        return "\n".join(lines)

    def rejected_csv(self) -> bytes:
        """The rejected rows with their reason (``;``, UTF-8 with BOM, neutralised like every CSV)."""
        return to_csv_bytes(self.rejected_rows, {})
