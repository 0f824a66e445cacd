"""``python -m geo massnahmen …``: the Maßnahmenregister from the command line.

``import`` prints the report and exits 0 when every row was stored, 1 when rows were rejected
(the valid ones are stored unless ``--strict``), 2 when the file is unusable (nothing stored;
the message comes from the central `AtlasError` handler in :mod:`geo.cli`). ``liste``,
``export`` and ``verlauf`` read; an unknown measure or Gemeinde is exit 2 with a message.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
from pathlib import Path

from geo.boundaries import gemeinde
from geo.cli.options import add_store, categories
from geo.errors import AtlasError
from geo.files import write_output
from geo.fmt import zahl
from geo.incidents import read_incidents
from geo.measures.effect import DEFAULT_BUFFER_M, DEFAULT_MONTHS, Effect, evaluate, evaluate_measure
from geo.measures.files import export_measures, import_measures
from geo.measures.model import MEASURE_KINDS, Measure
from geo.measures.places import gemeinde_key, geojson_place
from geo.measures.register import MeasureRegister
from geo.measures.summary import counts_table, figures_table, periods_text
from geo.store import connect


def os_user() -> str:
    """The operating system's user name (``getpass.getuser()``), or "unbekannt"."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unbekannt"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "massnahmen", help="Maßnahmenregister: importieren, auflisten, exportieren, bewerten, Verlauf",
        description="Das Maßnahmenregister im Datenspeicher: was wo seit wann gegen Graffiti, Vermüllung "
                    "oder Gewalt getan wird. Jede Änderung wird mit Zeit und Namen fortgeschrieben, "
                    "nichts wird überschrieben.")
    commands = parser.add_subparsers(dest="action", required=True, metavar="AKTION")

    imp = commands.add_parser(
        "import", help="Maßnahmen aus CSV oder GeoJSON übernehmen",
        description="Liest eine CSV-Datei (Titel;Art;Kategorien;Ort;Beginn;Ende;Zuständig;Kosten;Status;"
                    "Beschluss;Notizen) oder eine GeoJSON-FeatureCollection mit diesen Eigenschaften, prüft "
                    "jede Zeile und speichert die gültigen in einem Schritt. Exit-Code 0: alles übernommen, "
                    "1: Zeilen abgelehnt, 2: Datei unbrauchbar.")
    imp.add_argument("file", type=Path, help="die Datei (.csv oder .geojson)")
    add_store(imp)
    imp.add_argument("--strict", action="store_true", help="nichts speichern, wenn eine Zeile abgelehnt wird")
    imp.add_argument("--wer", default=None,
                     help=f"wer die Maßnahmen einträgt (Standard: der Benutzername des Betriebssystems, "
                          f"getpass.getuser(), hier '{os_user()}')")
    imp.add_argument("--json", action="store_true", help="Bericht als ein JSON-Objekt ausgeben")
    imp.add_argument("--rejected", type=Path, help="abgelehnte Zeilen mit Grund als CSV hierhin schreiben")
    imp.set_defaults(run=run_import)

    listing = commands.add_parser("liste", help="die aktuellen Maßnahmen zeigen",
                                  description="Die Maßnahmen, wie sie jetzt sind (gelöschte nicht).")
    add_store(listing)
    listing.add_argument("--gemeinde", help="nur Maßnahmen in dieser Gemeinde (AGS oder Name)")
    listing.add_argument("--json", action="store_true", help="als JSON-Liste ausgeben")
    listing.set_defaults(run=run_list)

    out = commands.add_parser("export", help="das Register als CSV oder GeoJSON schreiben",
                              description="Schreibt die aktuellen Maßnahmen; die Datei lässt sich wieder "
                                          "importieren.")
    add_store(out)
    out.add_argument("--out", type=Path, required=True, help="Zieldatei: .csv oder .geojson")
    out.add_argument("--gemeinde", help="nur Maßnahmen in dieser Gemeinde (AGS oder Name)")
    out.set_defaults(run=run_export)

    judge = commands.add_parser(
        "bewerten", help="Wirkung einer Maßnahme prüfen (WDQ, WDD, Ratenverhältnis)",
        description="Vergleicht die Vorfälle vor und nach dem Beginn im Zielgebiet (T), in einem Ring darum "
                    "(D) und im Rest der Gemeinde (C): Weighted Displacement Quotient (Bowers & Johnson "
                    "2003), Weighted Displacement Difference mit z-Test (Wheeler & Ratcliffe 2018) und das "
                    "Verhältnis der Raten T zu C mit 95-%-Intervall. Entweder eine gespeicherte Maßnahme "
                    "(NR) mit den Vorfällen des Datenspeichers, oder ohne Register: --incidents, --flaeche, "
                    "--beginn und --kategorie.")
    judge.add_argument("id", type=int, nargs="?", help="Nummer der Maßnahme (Spalte Nr)")
    add_store(judge)
    judge.add_argument("--incidents", type=Path, help="Vorfalldatei statt des Datenspeichers")
    judge.add_argument("--flaeche", type=Path, help="Zielgebiet als GeoJSON (ohne gespeicherte Maßnahme)")
    judge.add_argument("--beginn", type=_iso_day, help="Beginn der Maßnahme, JJJJ-MM-TT (ohne Maßnahme)")
    judge.add_argument("--kategorie", type=categories,
                       help="Kategorie(n), durch Komma getrennt (ohne Maßnahme)")
    judge.add_argument("--monate", type=int, default=DEFAULT_MONTHS,
                       help=f"Monate je Zeitraum vorher und nachher (Standard {DEFAULT_MONTHS})")
    judge.add_argument("--auslassen", type=int, default=0,
                       help="Monate nach dem Beginn, die nicht zählen (Umsetzung; Standard 0)")
    judge.add_argument("--puffer", type=float, default=DEFAULT_BUFFER_M,
                       help=f"Breite des Rings D in m (Standard {DEFAULT_BUFFER_M:.0f})")
    judge.add_argument("--stichtag", type=_iso_day,
                       help="letzter Tag, den die Daten abdecken (Standard: der Tag des letzten Vorfalls)")
    judge.add_argument("--json", action="store_true", help="ein JSON-Objekt ausgeben (Schlüssel: README)")
    judge.set_defaults(run=run_judge)

    history = commands.add_parser("verlauf", help="alle Fassungen einer Maßnahme zeigen",
                                  description="Wer hat wann was an der Maßnahme geändert.")
    history.add_argument("id", type=int, help="Nummer der Maßnahme (Spalte Nr)")
    add_store(history)
    history.add_argument("--json", action="store_true", help="als JSON-Liste ausgeben")
    history.set_defaults(run=run_history)


def _iso_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' ist kein Datum der Form JJJJ-MM-TT") from None


def _register(args: argparse.Namespace) -> MeasureRegister:
    return MeasureRegister(connect(args.store))


def _selected(args: argparse.Namespace) -> list[Measure]:
    ags = gemeinde_key(args.gemeinde) if args.gemeinde else None
    return _register(args).current(ags=ags)


def run_import(args: argparse.Namespace) -> int:
    report = import_measures(_register(args), args.file, who=args.wer or os_user(), strict=args.strict)
    if args.rejected is not None and report.rejected:
        write_output(args.rejected, report.rejected_csv())
    print(report.to_json() if args.json else report.to_text())
    return 1 if report.rejected else 0


def _record(measure: Measure) -> dict[str, object]:
    """One measure for ``liste --json`` (keys documented in the README, "Maßnahmenregister")."""
    return {"nr": measure.id, "titel": measure.title, "art": measure.kind,
            "kategorien": list(measure.categories), "ortsart": measure.place_kind, "gemeinde": measure.ags,
            "flaeche_m2": round(measure.place.area, 2), "beginn": measure.start.isoformat(),
            "ende": measure.end.isoformat() if measure.end else None, "zustaendig": measure.responsible,
            "kosten_eur": measure.cost_eur, "status": measure.status, "beschluss": measure.decision,
            "notizen": measure.notes}


def run_list(args: argparse.Namespace) -> int:
    measures = _selected(args)
    if args.json:
        print(json.dumps([_record(m) for m in measures], ensure_ascii=False))
        return 0
    if not measures:
        print("keine Maßnahmen im Register" + (f" für {args.gemeinde}" if args.gemeinde else ""))
        return 0
    for m in measures:
        period = f"{m.start:%d.%m.%Y} – {f'{m.end:%d.%m.%Y}' if m.end else 'laufend'}"
        cost = f" · {zahl(m.cost_eur, 2)} €" if m.cost_eur is not None else ""
        what = f"{MEASURE_KINDS[m.kind]}; {', '.join(m.category_labels)}"
        print(f"Nr. {m.id}: {m.title} [{what}] · {m.status} · {period} · {gemeinde(m.ags)['name']} ({m.ags})"
              f"{cost}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    measures = _selected(args)
    path = export_measures(measures, args.out)
    print(f"{len(measures)} Maßnahme(n) nach {path} geschrieben")
    return 0


def run_history(args: argparse.Namespace) -> int:
    history = _register(args).history(args.id)
    if args.json:
        records = history.assign(zeit=history["zeit"].map(lambda t: t.isoformat())).to_dict("records")
        print(json.dumps(records, ensure_ascii=False))
        return 0
    for row in history.itertuples(index=False):
        line = f"Version {row.version} · {row.zeit:%d.%m.%Y %H:%M} UTC · {row.wer} · {row.aktion}"
        print(line + (f": {row.aenderungen}" if row.aenderungen else ""))
    return 0


def _judged(args: argparse.Namespace) -> Effect:
    """The evaluation the arguments ask for: a stored measure, or an ad-hoc place, start and categories."""
    options = {"months": args.monate, "skip_months": args.auslassen, "buffer_m": args.puffer,
               "as_of": args.stichtag}
    ad_hoc = (args.flaeche, args.beginn, args.kategorie)
    if args.id is not None:
        if any(v is not None for v in ad_hoc):
            raise AtlasError("Entweder die Nummer einer Maßnahme oder --flaeche/--beginn/--kategorie, "
                             "nicht beides.")
        measure = _register(args).get(args.id)
        points = (read_incidents(args.incidents).points if args.incidents is not None
                  else connect(args.store).point_table(categories=measure.categories))
        return evaluate_measure(measure, points, **options)
    if any(v is None for v in ad_hoc) or args.incidents is None:
        raise AtlasError("Ohne Nummer einer Maßnahme braucht die Prüfung --incidents, --flaeche, --beginn "
                         "und --kategorie.")
    place = geojson_place(args.flaeche)
    return evaluate(read_incidents(args.incidents).points, place.geometry, gemeinde(place.ags).geometry,
                    args.beginn, categories=args.kategorie, **options)


def run_judge(args: argparse.Namespace) -> int:
    effect = _judged(args)
    if args.json:
        print(json.dumps(effect.as_dict(), ensure_ascii=False))
        return 0
    print(str(effect.urteil))
    print(periods_text(effect))
    for row in counts_table(effect).itertuples(index=False):
        print(f"  {row.gebiet}: vorher {row.vorher}, nachher {row.nachher} ({row.veraenderung})")
    for row in figures_table(effect).itertuples(index=False):
        print(f"  {row.kennzahl}: {row.wert}")
    for note in effect.hinweise:
        print(f"Hinweis: {note}")
    return 0
