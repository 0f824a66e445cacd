"""Setting a store file aside: the way out of a damaged store that keeps every byte of it.

The file is renamed to ``vorfaelle.sqlite.beschaedigt-<UTC time>`` in its directory (never over an
existing file), together with SQLite's journal if one is left from an interrupted write: the
journal belongs to that file, and beside a new store it would be rolled into the wrong one. The
next import starts a new, empty store; the old file can be sent for recovery or restored later.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
from pathlib import Path

from geo.errors import AtlasError
from geo.lang import phrase
from geo.store.errors import store_error

ASIDE_MARK = "beschaedigt"
#: SQLite's companion files of a database file (rollback journal, write-ahead log and its index).
COMPANIONS = ("-journal", "-wal", "-shm")


def set_aside(path: Path, *, now: dt.datetime | None = None) -> Path:
    """Rename the store file `path` (and its journal) to ``<name>.beschaedigt-<UTC time>``.

    Parameters
    ----------
    path : Path
        The store file, e.g. ``store/vorfaelle.sqlite``.
    now : datetime, optional
        The time for the new name (UTC); default the current time.

    Returns
    -------
    Path
        Where the file is now. An existing file of that name is never replaced: the name gets
        ``-2``, ``-3``, ... instead.

    Raises
    ------
    AtlasError
        If there is no store file at `path`.
    StoreUnwritableError
        If the directory cannot be written; nothing is renamed then.
    """
    if not path.exists():
        msg = phrase("Es gibt keinen Datenspeicher {path}, der beiseitegelegt werden könnte.", path=str(path))
        raise AtlasError(msg)
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = f"{path.name}.{ASIDE_MARK}-{stamp}"
    number = 1
    while True:
        target = path.with_name(base if number == 1 else f"{base}-{number}")
        try:
            if not any(Path(f"{target}{suffix}").exists() for suffix in COMPANIONS):
                _rename_without_replacing(path, target)
                break
        except FileExistsError:
            pass
        except OSError as err:
            if (mapped := store_error(path, err, waited=0)) is None:
                raise
            raise mapped from err
        number += 1
    for suffix in COMPANIONS:  # the journal goes with its file
        companion = Path(f"{path}{suffix}")
        if companion.exists():
            _rename_without_replacing(companion, Path(f"{target}{suffix}"))
    return target


def _rename_without_replacing(source: Path, target: Path) -> None:
    """Rename `source` to `target`; FileExistsError if `target` exists (os.rename would replace it)."""
    try:
        os.link(source, target)  # fails if target exists, atomically
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if target.exists():  # a file system without hard links: check, then rename
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from err
        os.rename(source, target)
        return
    os.unlink(source)
