"""The Maßnahmenregister: measures in the same SQLite file as the incidents, with their history.

Two tables beside the store's own (created on the first write, inside its transaction):

* ``measures``: one row per measure ever created: its number (``id``), when and by whom.
* ``measure_versions``: append-only; every change adds a row with the version number, the
  UTC time, who, the action (``angelegt``, ``geändert``, ``gelöscht``) and the full field
  set (the place as WKB in EPSG:25833). The current state of a measure is its newest
  version; a deleted measure is one whose newest version says ``gelöscht``.

Nothing is overwritten or deleted in SQL (triggers refuse ``UPDATE`` and ``DELETE`` on both
tables), so every earlier state stays readable (:meth:`MeasureRegister.history`,
:meth:`MeasureRegister.state`). A change can name the version it was made on
(``expected_version``); if someone else changed the measure meanwhile, it is refused instead
of silently replacing their change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable

import pandas as pd
import shapely

from geo.fmt import zahl
from geo.measures.model import (
    FIELD_LABELS,
    FIELDS,
    MEASURE_KINDS,
    Measure,
    MeasureError,
    UnknownMeasureError,
    validated,
)
from geo.measures.places import Place, metric_place
from geo.store import IncidentStore

ACTIONS = ("angelegt", "geändert", "gelöscht")
_COLUMNS = ("title", "kind", "categories", "place", "place_kind", "ags", "start", "end_date", "responsible",
            "cost_eur", "status", "decision", "notes")
_ALL = "measure_id, version, changed_at, changed_by, action, " + ", ".join(_COLUMNS)
_LATEST = (f"SELECT {_ALL} FROM measure_versions v JOIN (SELECT measure_id, MAX(version) AS version "
           "FROM measure_versions GROUP BY measure_id) newest USING (measure_id, version)")
MAX_WHO = 100


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MeasureRegister:
    """The measures of one installation, kept in `store` (the SQLite file or PostGIS; see module doc).

    Parameters
    ----------
    store : IncidentStore
        Where the incidents live; the register writes through its transactions.
    clock : callable, optional
        Returns the current time (aware datetime); default the system clock in UTC.
    """

    def __init__(self, store: IncidentStore, *, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.store = store
        self.clock = clock or _utc_now

    # --- writing ----------------------------------------------------------------------------
    def add(self, measure: Measure, who: str) -> Measure:
        """Store a new measure (version 1, ``angelegt``) and return it with its number."""
        return self.add_many([measure], who)[0]

    def add_many(self, measures: Iterable[Measure], who: str) -> list[Measure]:
        """Store new measures in one transaction: all of them or, on any error, none."""
        who = _who(who)
        checked = []
        for measure in measures:
            if measure.id is not None:
                raise MeasureError(f"Maßnahme '{measure.title}' hat schon die Nummer {measure.id}; "
                                   "ändern statt neu anlegen.")
            checked.append(validated(measure))
        self.store.principal.require("massnahmen")
        stored = []
        with self.store._transaction() as conn:
            self.store._measure_tables(conn, create=True)
            for measure in checked:
                stored.append(self._insert(conn, measure, who))
                self.store._audit(conn, "massnahme angelegt", f"Maßnahme {stored[-1].id} „{measure.title}“")
        return stored

    def _insert(self, conn: object, measure: Measure, who: str) -> Measure:
        now = self._now()
        number = conn.execute("INSERT INTO measures (created_at, created_by) VALUES (?, ?) RETURNING id",
                              (now, who)).fetchone()[0]
        measure = dataclasses.replace(measure, id=int(number))
        self._write_version(conn, measure, 1, now, who, "angelegt")
        return measure

    def update(self, measure_id: int, who: str, *, expected_version: int | None = None,
               **changes: object) -> Measure:
        """A new version of measure `measure_id` with `changes` (field names of `Measure`).

        A changed ``place`` without ``ags`` gets the Gemeinde it lies in; a `Place` as
        ``place`` sets ``place_kind`` and ``ags`` too. Changes that change nothing add no
        version. With `expected_version`, the change is refused if the measure has another
        version by now (someone else changed it meanwhile).
        """
        who = _who(who)
        unknown = sorted(set(changes) - set(FIELDS))
        if unknown:
            fields = ", ".join(f"{name} ({FIELD_LABELS[name]})" for name in FIELDS)
            raise MeasureError(f"Maßnahme {measure_id}: unbekannte(s) Feld(er) {', '.join(unknown)}; "
                               f"änderbar sind {fields}.")
        place = changes.get("place")
        if isinstance(place, shapely.Geometry):  # checked like every place; its Gemeinde comes with it
            place = metric_place(place, kind=str(changes.get("place_kind", "datei")), source="Ort")
        if isinstance(place, Place):
            kind = {"place_kind": place.kind} if isinstance(changes["place"], Place) else {}
            changes = {**kind, "ags": place.ags, **changes, "place": place.geometry}
        self.store.principal.require("massnahmen")
        with self.store._transaction() as conn:
            self.store._measure_tables(conn, create=True)
            version, old = self._newest(conn, measure_id, expected_version)
            new = validated(dataclasses.replace(old, **changes))
            if not _changed(old, new):
                return old
            self._write_version(conn, new, version + 1, self._now(), who, "geändert")
            self.store._audit(conn, "massnahme geändert", f"Maßnahme {measure_id}: "
                              + "; ".join(_change_text(f, old, new) for f in _changed(old, new)))
        return new

    def remove(self, measure_id: int, who: str, *, expected_version: int | None = None) -> None:
        """Mark measure `measure_id` as deleted (a ``gelöscht`` version); its history stays."""
        who = _who(who)
        self.store.principal.require("massnahmen")
        with self.store._transaction() as conn:
            self.store._measure_tables(conn, create=True)
            version, old = self._newest(conn, measure_id, expected_version)
            self._write_version(conn, old, version + 1, self._now(), who, "gelöscht")
            self.store._audit(conn, "massnahme gelöscht", f"Maßnahme {measure_id} „{old.title}“")

    def _newest(self, conn: object, measure_id: int,
                expected_version: int | None) -> tuple[int, Measure]:
        row = conn.execute(f"{_LATEST} WHERE measure_id = ?", (int(measure_id),)).fetchone()
        if row is None:
            raise UnknownMeasureError(f"Maßnahme {measure_id} gibt es nicht.")
        version, when, who, action = row[1:5]
        if action == "gelöscht":
            raise UnknownMeasureError(f"Maßnahme {measure_id} wurde am {when[:10]} von {who} gelöscht; "
                                      "ihr Verlauf bleibt lesbar.")
        if expected_version is not None and version != expected_version:
            raise MeasureError(f"Maßnahme {measure_id} wurde inzwischen geändert (Version {version} vom "
                               f"{when[:10]}, {who}); die Änderung auf Version {expected_version} wird nicht "
                               "gespeichert, damit nichts überschrieben wird. Bitte neu laden.")
        return version, _measure(row)

    def _write_version(self, conn: object, measure: Measure, version: int, when: str, who: str,
                       action: str) -> None:
        values = (measure.title, measure.kind, ",".join(measure.categories), shapely.to_wkb(measure.place),
                  measure.place_kind, measure.ags, measure.start.isoformat(),
                  measure.end.isoformat() if measure.end else None, measure.responsible, measure.cost_eur,
                  measure.status, measure.decision, measure.notes)
        conn.execute(f"INSERT INTO measure_versions (measure_id, version, changed_at, changed_by, action, "
                     f"{', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (5 + len(_COLUMNS)))})",
                     (measure.id, version, when, who, action, *values))

    def _now(self) -> str:
        return self.clock().astimezone(dt.UTC).isoformat(timespec="seconds")

    # --- reading ----------------------------------------------------------------------------
    def _rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.store._connect() as conn:
            if conn is None or not self.store._measure_tables(conn, create=False):
                return []
            return conn.execute(sql, params).fetchall()

    def current(self, ags: str | None = None) -> list[Measure]:
        """The measures as they are now (deleted ones left out), by number; with `ags` only
        those in that Gemeinde."""
        where, params = (" WHERE v.action != 'gelöscht'", ())
        if ags is not None:
            where, params = where + " AND v.ags = ?", (str(ags),)
        return [_measure(row) for row in self._rows(f"{_LATEST}{where} ORDER BY v.measure_id", params)]

    def get(self, measure_id: int) -> Measure:
        """Measure `measure_id` as it is now (`UnknownMeasureError` if there is none or it is deleted)."""
        rows = self._rows(f"{_LATEST} WHERE measure_id = ?", (int(measure_id),))
        if not rows:
            raise UnknownMeasureError(f"Maßnahme {measure_id} gibt es nicht.")
        if rows[0][4] == "gelöscht":
            raise UnknownMeasureError(f"Maßnahme {measure_id} wurde am {rows[0][2][:10]} von {rows[0][3]} "
                                      "gelöscht; ihr Verlauf bleibt lesbar.")
        return _measure(rows[0])

    def version(self, measure_id: int) -> int:
        """The newest version number of measure `measure_id` (for ``expected_version``)."""
        rows = self._rows("SELECT MAX(version) FROM measure_versions WHERE measure_id = ?",
                          (int(measure_id),))
        if not rows or rows[0][0] is None:
            raise UnknownMeasureError(f"Maßnahme {measure_id} gibt es nicht.")
        return int(rows[0][0])

    def state(self, measure_id: int, version: int) -> Measure:
        """Measure `measure_id` as version `version` stored it (any version, deleted ones too)."""
        rows = self._rows(f"SELECT {_ALL} FROM measure_versions WHERE measure_id = ? AND version = ?",
                          (int(measure_id), int(version)))
        if not rows:
            raise UnknownMeasureError(f"Maßnahme {measure_id} hat keine Version {version}.")
        return _measure(rows[0])

    def history(self, measure_id: int) -> pd.DataFrame:
        """Every version of measure `measure_id`, oldest first.

        Columns ``version``, ``zeit`` (UTC), ``wer``, ``aktion`` (``angelegt``, ``geändert``,
        ``gelöscht``), ``geaenderte_felder`` (German field names, e.g. "Status, Ende"; empty for
        ``angelegt`` and ``gelöscht``) and ``aenderungen`` (old → new, e.g. "Status: geplant →
        umgesetzt").
        """
        rows = self._rows(f"SELECT {_ALL} FROM measure_versions WHERE measure_id = ? ORDER BY version",
                          (int(measure_id),))
        if not rows:
            raise UnknownMeasureError(f"Maßnahme {measure_id} gibt es nicht.")
        records, before = [], None
        for row in rows:
            measure = _measure(row)
            changed = _changed(before, measure) if before is not None and row[4] == "geändert" else []
            records.append({"version": row[1], "zeit": row[2], "wer": row[3], "aktion": row[4],
                            "geaenderte_felder": ", ".join(FIELD_LABELS[f] for f in changed),
                            "aenderungen": "; ".join(_change_text(f, before, measure) for f in changed)})
            before = measure
        frame = pd.DataFrame(records)
        frame["zeit"] = pd.to_datetime(frame["zeit"], utc=True)
        return frame


def _who(who: str) -> str:
    text = " ".join(str(who or "").split())
    if not text:
        raise MeasureError("Es fehlt, wer die Änderung macht (Name oder Kürzel).")
    if len(text) > MAX_WHO:
        raise MeasureError(f"Der Name, wer die Änderung macht, ist länger als {MAX_WHO} Zeichen.")
    return text


def _measure(row: tuple) -> Measure:
    """A `Measure` from a ``measure_versions`` row (all columns, in table order)."""
    (number, _, _, _, _, title, kind, categories, place, place_kind, ags, start, end, responsible, cost,
     status, decision, notes) = row
    place = bytes(place)  # PostgreSQL's bytea arrives as memoryview or bytes
    return Measure(int(number), title, kind, tuple(c for c in categories.split(",") if c),
                   shapely.from_wkb(place), place_kind, ags, dt.date.fromisoformat(start),
                   dt.date.fromisoformat(end) if end else None, responsible, cost, status, decision, notes)


def _changed(old: Measure, new: Measure) -> list[str]:
    """The fields whose values differ (the place compared coordinate by coordinate)."""
    def differs(name: str) -> bool:
        if name == "place":
            return old.place.wkb != new.place.wkb
        return getattr(old, name) != getattr(new, name)

    return [name for name in FIELDS if differs(name)]


def _show(name: str, measure: Measure) -> str:
    value = getattr(measure, name)
    if value is None or value == "":
        return "–"
    if name == "kind":
        return MEASURE_KINDS.get(value, value)
    if name == "categories":
        return ", ".join(measure.category_labels)
    if isinstance(value, dt.date):
        return f"{value:%d.%m.%Y}"
    if name == "cost_eur":
        return f"{zahl(value, 2)} €"
    return f"„{value}“" if name in ("title", "responsible", "decision", "notes") else str(value)


def _change_text(name: str, old: Measure, new: Measure) -> str:
    if name == "place":
        return (f"{FIELD_LABELS[name]}: neue Fläche ({zahl(old.place.area / 1e4, 2)} ha → "
                f"{zahl(new.place.area / 1e4, 2)} ha)")
    return f"{FIELD_LABELS[name]}: {_show(name, old)} → {_show(name, new)}"
