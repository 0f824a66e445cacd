"""Writing files so that nothing is ever half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it and a rename.

    Readers, and whatever else opens `path` meanwhile (the app, a second app process),
    see the old file or the new one, never part of it; a failure leaves the old file and
    no temporary one. Each writer has its own temporary file, so two processes writing
    the same path at once cannot rename each other's half-written data into place.
    """
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".neu", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(partial, 0o644)  # as an ordinary new file (mkstemp makes it private)
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
