"""Writing files so that nothing is ever half-written.

:func:`write_atomic` for files the atlas keeps (views, published map files); :func:`write_output`
for every file a command writes for the user (report, hotspot export, rejected rows, demo data,
survey table): the target is the whole new file or untouched, also when the process is killed
(``tests/geo/store/test_faults.py``), and a target that cannot be written gives a German message.
Reading has one size limit, :data:`MAX_FILE_MB` (:func:`check_size`), for the app and the CLI.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from geo.errors import AtlasError, InputFileError
from geo.lang import phrase

#: The largest file the atlas reads, in MB (MiB, as Streamlit counts them): the app's upload and
#: ``python -m geo import`` both refuse a bigger one before reading it. 400 MB admits a police
#: export of 5 million rows (about 300 MB as CSV). ``ATLAS_MAX_FILE_MB`` overrides it;
#: ``server.maxUploadSize`` in ``.streamlit/config.toml`` must say the same (a test checks it).
MAX_FILE_MB = 400
MB = 1 << 20


class OutputFileError(AtlasError):
    """An output file cannot be written (no such directory, read-only, disk full)."""


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


def write_output(path: Path, data: bytes) -> None:
    """Write the output file `path` for the user, all at once (:func:`write_atomic`).

    A process killed while writing leaves the old file or none at `path`, never part of one (at
    most a hidden ``.NAME.*.neu`` beside it). An output that cannot be written raises
    :class:`OutputFileError` with a German message naming the file; nothing at `path` changes.
    """
    path = Path(path)
    try:
        write_atomic(path, data)
    except OSError as err:
        msg = phrase("{file}: die Ausgabedatei kann nicht geschrieben werden ({reason}). Bitte Verzeichnis, "
                     "Schreibrechte und freien Platz prüfen oder eine andere Ausgabedatei wählen.",
                     file=str(path), reason=err.strerror or str(err))
        raise OutputFileError(msg) from err


def max_file_mb() -> int:
    """The size limit in MB: ``$ATLAS_MAX_FILE_MB`` if set, else :data:`MAX_FILE_MB`."""
    text = os.environ.get("ATLAS_MAX_FILE_MB", "").strip()
    if not text:
        return MAX_FILE_MB
    if not text.isdigit() or int(text) < 1:
        msg = f"ATLAS_MAX_FILE_MB='{text[:20]}' ist keine ganze Zahl ab 1 (Megabyte)."
        raise AtlasError(msg)
    return int(text)


def check_size(name: str, size: int) -> None:
    """Refuse a file of `size` bytes above :func:`max_file_mb` with a German message naming it."""
    limit = max_file_mb()
    if size > limit * MB:
        msg = phrase("{file} ist {size} MB groß; höchstens {limit} MB werden gelesen. Bitte die Datei "
                     "aufteilen (z. B. nach Jahren) oder den Grenzwert mit ATLAS_MAX_FILE_MB anheben.",
                     file=name, size=round(size / MB), limit=limit)
        raise InputFileError(msg)
