"""Who works with the store, and what each role may do: checked by the store itself, on both
backends, so a hidden button is never the only thing between a council member and a deletion.

A :class:`Principal` is one logged-in person: a name (for the audit log), a role and a Mandant.

* ``planung`` (Ordnungsamt, Stadtplanung, police prevention): import, delete, measures, incident
  points and every export, for its own Mandant;
* ``rat`` (a member of the prevention council): views and the Sitzungsmodus only: no incident
  points, no raw exports, no writes;
* ``admin``: everything ``planung`` may, for every Mandant, plus sharing datasets (the PKS) and
  assigning users to Mandanten.

A Mandant is a Gemeinde (8-digit AGS) or a Kreis (5 digits). The embedded store without login
works as :data:`LOCAL`: one person on their own machine, who may do everything with their own file.
In PostGIS, row-level security adds the Mandant check in the database (:mod:`geo.store.postgis`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from geo.errors import AtlasError

ROLES = ("planung", "rat", "admin")
ROLE_LABELS = {"planung": "Planung", "rat": "Rat", "admin": "Admin"}

#: What each role may do (the store checks these names).
PERMISSIONS: dict[str, frozenset[str]] = {
    "rat": frozenset({"lesen"}),
    "planung": frozenset({"lesen", "punkte", "importieren", "loeschen", "massnahmen", "exportieren"}),
    "admin": frozenset({"lesen", "punkte", "importieren", "loeschen", "massnahmen", "exportieren",
                        "teilen", "verwalten"}),
}
ACTION_TEXT = {
    "lesen": "Daten ansehen",
    "punkte": "einzelne Vorfälle (Punkte) sehen",
    "importieren": "Daten importieren",
    "loeschen": "Datensätze löschen",
    "massnahmen": "Maßnahmen anlegen, ändern oder löschen",
    "exportieren": "Dateien exportieren",
    "teilen": "Datensätze für alle Mandanten freigeben",
    "verwalten": "Benutzer und Mandanten verwalten",
}
_MANDANT = re.compile(r"^14(\d{3}|\d{6})?$")


class AccessDeniedError(AtlasError, PermissionError):
    """The principal's role does not allow this (German message names role and action)."""


class MandantError(AtlasError, ValueError):
    """A Mandant key that is not a Saxon Kreis or Gemeinde key."""


def check_mandant(key: str | None) -> str | None:
    """`key` as a Mandant key (a Saxon Gemeinde 14xxxxxx, Kreis 14xxx, or 14 for the Land), or None."""
    if key is None or str(key).strip() == "":
        return None
    text = str(key).strip()
    if not _MANDANT.match(text):
        raise MandantError(f"Mandant '{text}' ist kein sächsischer Kreis- (14xxx) oder Gemeindeschlüssel "
                           "(14xxxxxx) und nicht 14 (der Freistaat).")
    return text


@dataclass(frozen=True)
class Principal:
    """One person working with the store.

    Attributes
    ----------
    name : str
        Shown in the audit log (the login's e-mail or name).
    role : str
        One of :data:`ROLES`.
    mandant : str or None
        The Gemeinde or Kreis whose data this person sees; None for :data:`LOCAL` and for an
        admin working across all Mandanten.
    """

    name: str
    role: str
    mandant: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise AccessDeniedError(f"Unbekannte Rolle '{self.role}' für {self.name}; erlaubt sind "
                                    f"{', '.join(ROLE_LABELS.values())}.")
        object.__setattr__(self, "mandant", check_mandant(self.mandant))

    def may(self, action: str) -> bool:
        return action in PERMISSIONS[self.role]

    def require(self, action: str) -> None:
        """Raise :class:`AccessDeniedError` unless this principal may do `action`."""
        if not self.may(action):
            raise AccessDeniedError(f"Die Rolle {ROLE_LABELS[self.role]} darf nicht: "
                                    f"{ACTION_TEXT.get(action, action)} ({self.name}).")


#: The embedded store without login: the person at this machine.
LOCAL = Principal("lokal", "admin")


def operator() -> Principal:
    """Whoever runs ``python -m geo`` on the server: admin, acting for Mandant ``$ATLAS_MANDANT``
    (none: may read everything but change nothing in PostGIS)."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unbekannt"
    return Principal(f"{name} (Kommandozeile)", "admin", os.environ.get("ATLAS_MANDANT"))
