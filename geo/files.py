"""Writing files so that nothing is ever half-written."""

from __future__ import annotations

from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it and a rename.

    Readers, and whatever else opens `path` meanwhile (the app, a second app process),
    see the old file or the new one, never part of it; a failure leaves the old file.
    """
    partial = path.with_name(f".{path.name}.neu")
    partial.write_bytes(data)
    partial.replace(path)
