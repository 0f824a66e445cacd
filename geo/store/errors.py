"""What can go wrong with a store: a damaged file, a store that cannot be written (read-only, disk
full), a store busy with another import, a file imported twice, an unknown data set.

:func:`store_error` turns what SQLite or the operating system says into one of these, so that
app and command line show a German message with a way out and never a traceback.
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from geo.errors import AtlasError
from geo.lang import phrase

#: What SQLite says about a file that is not the store as written (truncated, overwritten, replaced).
DAMAGE_SIGNS = ("malformed", "not a database", "no such table", "no such column", "encrypted", "corrupt")

#: The operating system's errors for a store that cannot be written, by what the message says.
FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR}
#: SQLite's result codes (``sqlite3.Error.sqlite_errorname``, primary part) for the same.
_SQLITE_KINDS = {"SQLITE_FULL": "voll", "SQLITE_READONLY": "schreibgeschuetzt",
                 "SQLITE_CANTOPEN": "schreibgeschuetzt", "SQLITE_PERM": "schreibgeschuetzt",
                 "SQLITE_IOERR": "ein_ausgabe"}
_SQLITE_BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}

_UNWRITABLE = {
    "voll": "Der Datenspeicher {path} konnte nicht geschrieben werden: auf dem Datenträger ist kein Platz "
            "mehr ({reason}). Schon Gespeichertes ist unverändert; diese Änderung wurde nicht gespeichert. "
            "Bitte Platz schaffen oder mit --store bzw. ATLAS_DATA_DIR ein Verzeichnis auf einem anderen "
            "Datenträger wählen und den Vorgang wiederholen.",
    "schreibgeschuetzt": "Der Datenspeicher {path} kann nicht geschrieben werden: Datei oder Verzeichnis "
                         "ist schreibgeschützt oder nicht zugänglich ({reason}). Schon Gespeichertes ist "
                         "unverändert; diese Änderung wurde nicht gespeichert. Bitte Schreibrechte für das "
                         "Verzeichnis und die Datei einrichten oder mit --store bzw. ATLAS_DATA_DIR ein "
                         "beschreibbares Verzeichnis wählen und den Vorgang wiederholen.",
    "ein_ausgabe": "Der Datenspeicher {path} konnte nicht geschrieben oder gelesen werden: der Datenträger "
                   "meldet einen Ein-/Ausgabefehler ({reason}), etwa weil er voll oder nicht mehr "
                   "erreichbar ist. Schon Gespeichertes ist unverändert; eine unterbrochene Änderung nimmt "
                   "der Datenspeicher beim nächsten Öffnen zurück. Bitte Platz und Datenträger prüfen und "
                   "den Vorgang wiederholen.",
}


class StoreDamagedError(AtlasError):
    """The store file cannot be read as it was written (damaged disk, overwritten pages, changed
    bytes). Nothing is changed; the message says what can be done."""

    @classmethod
    def of(cls, path: Path, reason: str) -> StoreDamagedError:
        """The error for the store file `path`, damaged as `reason` says."""
        return cls(phrase(
            "Der Datenspeicher {path} ist beschädigt ({reason}); gelesen oder geändert wurde nichts. "
            "Möglich ist: eine Sicherung der Datei zurückspielen, oder die Datei beiseitelegen und mit "
            "einem neuen, leeren Datenspeicher beginnen (Befehl „python -m geo speicher beiseitelegen“ "
            "oder die Schaltfläche in der App; die Datei wird dabei nur umbenannt) und die Daten neu "
            "importieren. Die Datei selbst bleibt, wie sie ist.", path=str(path), reason=reason))


class StoreUnwritableError(AtlasError):
    """The store cannot be written: read-only file, directory or file system, a full disk, a disk
    that fails. Nothing already stored is changed; the message says what happened and what to do."""

    def __init__(self, message: str, *, kind: str = "schreibgeschuetzt") -> None:
        super().__init__(message)
        self.kind = kind

    @classmethod
    def of(cls, path: Path, kind: str, reason: str) -> StoreUnwritableError:
        """The error for the store file `path`: `kind` is ``voll``, ``schreibgeschuetzt`` or
        ``ein_ausgabe``; `reason` what SQLite or the system said."""
        return cls(phrase(_UNWRITABLE[kind], path=str(path), reason=reason), kind=kind)


class StoreBusyError(AtlasError):
    """Another process (a second import, a deletion) held the store longer than we waited."""

    @classmethod
    def of(cls, path: Path, seconds: float) -> StoreBusyError:
        return cls(phrase(
            "Der Datenspeicher {path} ist durch einen anderen Vorgang belegt (etwa einen zweiten Import); "
            "nach {seconds} Sekunden Warten wurde abgebrochen, geändert wurde nichts. Bitte den Vorgang "
            "wiederholen, wenn der andere fertig ist.", path=str(path), seconds=round(seconds)))


class DuplicateImportError(AtlasError):
    """The same file (same SHA-256) is already in the store."""


class UnknownDatasetError(AtlasError, KeyError):
    """No dataset of that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def store_error(path: Path, err: BaseException, *, waited: float) -> AtlasError | None:
    """The store's error for what SQLite or the system raised on the store file `path`, or None
    when `err` is none of the store's failures (then it is a bug and must surface).

    Parameters
    ----------
    path : Path
        The store file.
    err : BaseException
        What was raised while the store was open (``sqlite3.Error``, ``OSError``, ...).
    waited : float
        The busy timeout in seconds (named in :class:`StoreBusyError`'s message).
    """
    if isinstance(err, sqlite3.DatabaseError):
        text = str(err)
        code = "_".join((getattr(err, "sqlite_errorname", None) or "").split("_")[:2])  # primary code
        if any(sign in text for sign in DAMAGE_SIGNS) or code in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
            return StoreDamagedError.of(path, text)
        if code in _SQLITE_BUSY:
            return StoreBusyError.of(path, waited)
        kind = _SQLITE_KINDS.get(code)
        return StoreUnwritableError.of(path, kind, text) if kind else None
    if isinstance(err, OSError) and err.errno is not None:
        reason = err.strerror or str(err)
        if err.errno in FULL_ERRNOS:
            return StoreUnwritableError.of(path, "voll", reason)
        if err.errno in READ_ONLY_ERRNOS:
            return StoreUnwritableError.of(path, "schreibgeschuetzt", reason)
        if err.errno == errno.EIO:
            return StoreUnwritableError.of(path, "ein_ausgabe", reason)
    return None
