"""What can go wrong with a store: a damaged file, a file imported twice, an unknown data set."""

from __future__ import annotations

from pathlib import Path

from geo.errors import AtlasError

#: What SQLite says about a file that is not the store as written (truncated, overwritten, replaced).
DAMAGE_SIGNS = ("malformed", "not a database", "no such table", "no such column", "encrypted", "corrupt")


class StoreDamagedError(AtlasError):
    """The store file cannot be read as it was written (damaged disk, overwritten pages, changed
    bytes). Nothing is changed; the message says what can be done."""

    @classmethod
    def of(cls, path: Path, reason: str) -> StoreDamagedError:
        """The error for the store file `path`, damaged as `reason` says."""
        return cls(f"Der Datenspeicher {path} ist beschädigt ({reason}); gelesen oder geändert wurde "
                   "nichts. Möglich ist: eine Sicherung der Datei zurückspielen, oder die Datei "
                   f"beiseitelegen (z. B. in {path.name}.defekt umbenennen) und die Daten neu importieren. "
                   "Die Datei selbst bleibt, wie sie ist.")


class DuplicateImportError(AtlasError):
    """The same file (same SHA-256) is already in the store."""


class UnknownDatasetError(AtlasError, KeyError):
    """No dataset of that name."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""
