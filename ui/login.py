"""Who works with the atlas: the login through the municipality's identity provider (OpenID
Connect, ``st.login``), the :class:`~geo.store.access.Principal` it gives, and the pages for
whoever may not see the atlas.

The login is configured when Streamlit's secrets (``.streamlit/secrets.toml``) have an ``[auth]``
section (:data:`ui.launch.AUTH_KEYS`). Then

* a visitor who is not logged in sees the login page only: one button, "Anmelden";
* a logged-in person gets role and Mandant from the mapping table ``[atlas.benutzer."e-mail"]``
  (``rolle``, ``mandant``) and, for what the table does not say, from the ID token's claims
  (``atlas_rolle``, ``atlas_mandant``; other names with ``[atlas] rollen_claim`` and
  ``mandant_claim``). Without a role, or as Planung or Rat without a Mandant, they see a page that
  says so and whom to ask (``[atlas] kontakt``), and no data;
* a role that may not see single incidents (Rat) is held on the shared screen (:func:`held`).

Without ``[auth]`` the atlas works as before, for the person at this machine
(:data:`~geo.store.access.LOCAL`), and only there: on an address others reach, :func:`gate` shows
why it does not start (:data:`ui.launch.LOGIN_NEEDED`). The store checks every right itself; this
module only says who asks.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from geo import boundaries
from geo import view as views
from geo.errors import AtlasError
from geo.lang import phrase
from geo.store.access import LOCAL, ROLE_LABELS, ROLES, AccessDeniedError, Principal
from ui.i18n import _, error, plain
from ui.launch import AUTH_INCOMPLETE, LOGIN_NEEDED, is_loopback, missing_auth_keys

ROLE_CLAIM = "atlas_rolle"  # default claim names; [atlas] rollen_claim / mandant_claim change them
MANDANT_CLAIM = "atlas_mandant"
NAME_CLAIMS = ("email", "name", "preferred_username", "sub")  # the first one given names the person
CONTACT = "die Stelle, die den Präventionsatlas betreibt"  # unless [atlas] kontakt names it


def _secrets(section: str) -> Mapping:
    try:
        found = st.secrets.get(section)
    except FileNotFoundError:  # no secrets.toml at all (Streamlit's StreamlitSecretNotFoundError)
        return {}
    return found if isinstance(found, Mapping) else {}


def configured() -> bool:
    """Whether the login is configured (``[auth]`` in Streamlit's secrets)."""
    return bool(_secrets("auth"))


def _role(value: object) -> str | None:
    """The role a claim or table value names (``"Planung"``, ``["rat"]``); None unless exactly one."""
    values = value if isinstance(value, list | tuple) else [value]
    found = {str(v).strip().lower() for v in values if v is not None} & set(ROLES)
    return found.pop() if len(found) == 1 else None


def principal_from(claims: Mapping, settings: Mapping) -> Principal:
    """The principal of a person logged in with `claims` (``st.user``) under the ``[atlas]`` `settings`.

    Raises
    ------
    AccessDeniedError
        No role or an unknown one, or no Mandant for Planung or Rat (German, names the account).
    MandantError
        A Mandant that is no Saxon Kreis or Gemeinde key.
    """
    name = next((str(claims[c]).strip() for c in NAME_CLAIMS if str(claims.get(c) or "").strip()), "?")
    users = {str(key).strip().lower(): entry for key, entry in (settings.get("benutzer") or {}).items()}
    entry = users.get(name.lower()) or {}
    raw_role = entry.get("rolle") or claims.get(settings.get("rollen_claim") or ROLE_CLAIM)
    raw_mandant = entry.get("mandant") or claims.get(settings.get("mandant_claim") or MANDANT_CLAIM)
    role = _role(raw_role)
    if role is None and raw_role in (None, "", []):
        raise AccessDeniedError(phrase("Ihrem Konto {name} ist im Präventionsatlas keine Rolle zugewiesen.",
                                       name=name))
    if role is None:
        raise AccessDeniedError(phrase("Die Rolle „{role}“ Ihres Kontos {name} kennt der Präventionsatlas "
                                       "nicht (Planung, Rat oder Admin).", role=str(raw_role)[:80],
                                       name=name))
    mandant = None if raw_mandant in (None, "") else str(raw_mandant)
    if mandant is None and role != "admin":
        raise AccessDeniedError(phrase("Ihrem Konto {name} ist kein Mandant (Gemeinde oder Kreis) "
                                       "zugewiesen.", name=name))
    return Principal(name, role, mandant)


def current() -> Principal:
    """This session's principal: :data:`LOCAL` without login, else the logged-in person's.

    Raises
    ------
    AccessDeniedError, MandantError
        Not logged in, or no usable role (:func:`principal_from`).
    """
    if not configured():
        return LOCAL
    user = st.user.to_dict()
    if not user.get("is_logged_in"):
        raise AccessDeniedError(phrase("Nicht angemeldet."))
    return principal_from(user, _secrets("atlas"))


def held() -> bool:
    """Whether this session is held on the shared screen: its role may not see single incidents."""
    return not current().may("punkte")


def _stop_with(message: str) -> None:
    st.title(_("Präventionsatlas Sachsen"))
    st.error(plain(message))
    st.stop()


def gate() -> Principal:
    """Called first in every run: the principal, or a page instead of the atlas (and the run ends)
    for whoever may not see it: the refusal on an open address without login, the login page, the
    page for an account without role."""
    if "w_sprache" not in st.session_state:  # these pages come before the view is read: the URL's language
        st.session_state.w_sprache = views.language_from_query(st.query_params.to_dict())[0]
    if not configured():
        address = st.get_option("server.address")
        if not is_loopback(address):
            _stop_with(_(LOGIN_NEEDED).format(address=address or _("jeder Adresse dieses Rechners")))
        return LOCAL
    if missing := missing_auth_keys(_secrets("auth")):
        _stop_with(_(AUTH_INCOMPLETE).format(keys=", ".join(missing)))
    if not st.user.is_logged_in:
        st.title(_("Präventionsatlas Sachsen"))
        st.markdown(_("Der Präventionsatlas zeigt Daten der beteiligten Kommunen. Bitte melden Sie sich mit "
                      "dem Konto Ihrer Verwaltung an."))
        if st.button(_("Anmelden"), type="primary", key="w_anmelden"):
            st.login()
        st.stop()
    try:
        return current()
    except AtlasError as err:
        st.title(_("Präventionsatlas Sachsen"))
        error(err)
        contact = _secrets("atlas").get("kontakt") or _(CONTACT)
        st.markdown(_("Bitte wenden Sie sich an {contact}: dort werden Ihnen eine Rolle (Planung, Rat oder "
                      "Admin) und ein Mandant zugewiesen. Bis dahin zeigt der Atlas Ihnen keine Daten.")
                    .format(contact=plain(contact)))
        logout_button()
        st.stop()


def mandant_label(key: str | None) -> str:
    """A Mandant as people know it: "Freiberg (14522180)", "Mittelsachsen (14522)", "alle Mandanten"."""
    if key is None:
        return _("alle Mandanten")
    labels = boundaries.gemeinde_labels() if len(key) == 8 else boundaries.kreis_labels()
    return f"{labels[key]} ({key})" if key in labels else key


def logout_button(where=st) -> None:
    if where.button(_("Abmelden"), key="w_abmelden"):
        st.logout()


def account() -> None:
    """In the sidebar, with the login: who is logged in, role, Mandant, and "Abmelden"."""
    if not configured():
        return
    who = current()
    st.caption(_("Angemeldet als {name} · Rolle {role} · Mandant {mandant}").format(
        name=plain(who.name), role=_(ROLE_LABELS[who.role]), mandant=plain(mandant_label(who.mandant))))
    logout_button()
