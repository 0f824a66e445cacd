"""``python -m geo evaluate``: predictive accuracy of grid counts, KDE and Gi*.

Fit before ``--split``, test from it, on the same analysis the app shows
(:func:`geo.analysis.analyse`); prints German text or, with ``--json``, one JSON object
whose keys are documented in the README ("Ausgaben").
"""

from __future__ import annotations

import argparse
import dataclasses
import json

from geo.analysis import analyse
from geo.cli.options import add_source, date, load, view_options
from geo.errors import AtlasError
from geo.fmt import zahl
from geo.hotspots.evaluate import DEFAULT_AREA_SHARE, EVAL_METHODS, METHOD_NAMES, Evaluation
from geo.view import View


def register(subparsers: argparse._SubParsersAction) -> None:
    ev = subparsers.add_parser(
        "evaluate", help="Trefferquote und PAI der Hotspot-Methoden prüfen",
        description="Lernt auf dem Zeitraum vor --split und prüft auf dem ab --split: Trefferquote, PAI, "
                    "PEI und RRI der markierten Fläche.")
    add_source(ev)
    ev.add_argument("--method", choices=[*EVAL_METHODS, "all"], default="all")
    ev.add_argument("--split", type=date, required=True, help="erster Tag des Prüfzeitraums JJJJ-MM-TT")
    ev.add_argument("--area-share", type=float, default=DEFAULT_AREA_SHARE,
                    help=f"Flächenanteil der Hotspots (Standard {DEFAULT_AREA_SHARE:g})")
    ev.add_argument("--json", action="store_true", help="als ein JSON-Objekt ausgeben")
    ev.set_defaults(run=run)


def evaluation(args: argparse.Namespace) -> Evaluation:
    """The accuracy of the methods asked for, from the analysis of the whole period."""
    points, _aggregates, source = load(args)
    view = View(**view_options(args), method="gi", split=args.split)
    analysis = analyse(points, view, source=source, area_share=args.area_share)
    if analysis.evaluation is None:
        raise AtlasError(analysis.evaluation_note or "Die Vorhersagegüte lässt sich nicht prüfen.")
    found = analysis.evaluation
    wanted = EVAL_METHODS if args.method == "all" else (args.method,)
    return dataclasses.replace(found, results={m: found.results[m] for m in wanted},
                               verdicts={m: v for m, v in found.verdicts.items() if m in wanted})


def run(args: argparse.Namespace) -> int:
    result = evaluation(args)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
        return 0
    print(f"Lernzeitraum: {zahl(result.n_train)} Vorfälle, Prüfzeitraum: {zahl(result.n_test)} Vorfälle, "
          f"markierte Fläche: {zahl(result.n_selected)} von {zahl(result.n_cells)} Zellen "
          f"({zahl(100 * result.area_share, 1)} %)")
    for method, acc in result.results.items():
        print(f"{METHOD_NAMES[method]:24} Trefferquote {zahl(100 * acc.hit_rate, 1):>5} %  "
              f"PAI {zahl(acc.pai, 2):>6}  PEI {zahl(acc.pei, 2)}  RRI {zahl(acc.rri, 2)}")
    if result.bandwidth is not None:
        print(f"Bandbreite KDE: {zahl(result.bandwidth.bandwidth)} m, automatisch gewählt: Trefferquote "
              f"{zahl(100 * result.bandwidth.score, 1)} % in {len(result.bandwidth.folds)} Prüfzeiträumen "
              f"vor dem Stichtag")
    elif result.kde_bandwidth_m is not None:
        print(f"Bandbreite KDE: {zahl(result.kde_bandwidth_m)} m")
    if result.rolling is not None and len(result.rolling):
        print("Rollierende Prüfzeiträume (Trefferquote in %):")
        for _, row in result.rolling.iterrows():
            figures = "  ".join(f"{METHOD_NAMES[m]} {zahl(100 * row[m], 1)}" for m in result.results)
            period = f"{row['von']:%d.%m.%Y} – {row['bis']:%d.%m.%Y}"
            print(f"  {period} ({zahl(row['n_test'])} Vorfälle): {figures}")
    for verdict in result.verdicts.values():
        print(verdict)
    return 0
