"""``python -m geo COMMAND ...``: the command line (:mod:`geo.cli`, one module per command)."""

from __future__ import annotations

import sys

from geo.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
