"""``python -m geo demo``: synthetic incidents in the format of a police export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from geo.incidents.demo import DEFAULT_N, DEFAULT_SEED, demo_csv


def register(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser(
        "demo",
        help="synthetische Demodaten als CSV erzeugen",
        description="Schreibt Demodaten (synthetisch) im Format eines Polizei-Exports (Windows-1252, ';').",
    )
    demo.add_argument("--n", type=int, default=DEFAULT_N, help=f"Anzahl Vorfälle (Standard {DEFAULT_N})")
    demo.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"Zufallsstartwert (Standard {DEFAULT_SEED})"
    )
    demo.add_argument(
        "--out", type=Path, default=Path("demodaten.csv"), help="Zieldatei (Standard demodaten.csv)"
    )
    demo.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.n < 0:
        print("Fehler: --n muss mindestens 0 sein.", file=sys.stderr)
        return 2
    path = demo_csv(args.out, n=args.n, seed=args.seed)
    print(f"{args.n} Vorfälle (Demodaten (synthetisch), Startwert {args.seed}) geschrieben: {path}")
    return 0
