"""The page for a damaged store: what happened, what can be done, and the way out that keeps the file.

The store file is never changed here. "Beiseitelegen" renames it (``geo.store.IncidentStore.set_aside``)
and the app starts again on a new, empty store; restoring a backup is described, not done.
"""

from __future__ import annotations

import streamlit as st

from geo.errors import AtlasError
from geo.store import StoreDamagedError
from ui.data import store as installation_store
from ui.i18n import _, error, plain

_MOVED = "_store_set_aside"  # session key: where the damaged file went, shown once in the next run


def show(err: StoreDamagedError) -> None:
    """The damaged-store page: the message, the two ways out, and the button for the second."""
    store = installation_store()
    st.title(_("Präventionsatlas Sachsen"))
    error(err)
    st.subheader(_("Was jetzt?"))
    st.markdown(_("1. **Sicherung zurückspielen**: die App beenden, die gesicherte Datei als `{path}` "
                  "ablegen und die App neu starten.").format(path=plain(store.path)))
    st.markdown(_("2. **Neu beginnen**: die beschädigte Datei beiseitelegen (sie wird nur umbenannt und "
                  "bleibt im selben Verzeichnis, Byte für Byte) und die Daten neu importieren. Bis dahin "
                  "zeigt die App Demodaten."))
    if store.principal.may("loeschen") and st.button(
            _("Datei beiseitelegen und mit leerem Datenspeicher beginnen"), type="primary",
            key="w_beiseitelegen"):
        try:
            moved = store.set_aside()
        except AtlasError as problem:
            error(problem)
            return
        st.session_state[_MOVED] = moved.name
        st.rerun()


def notice() -> None:
    """Once, after the button: where the damaged file now lies."""
    if moved := st.session_state.pop(_MOVED, None):
        st.success(_("Die beschädigte Datei liegt jetzt als „{name}“ im Datenverzeichnis; der "
                     "Datenspeicher ist neu und leer.").format(name=plain(moved)))
