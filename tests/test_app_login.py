"""Login and roles on the app's side (issue 14, part 2), without a browser: who a login is
(claims, the mapping table), what each role's page shows (AppTest with ``st.user``), that the
cache never hands one role's store data to another, and that neither the launcher nor the app
starts on an address others reach unless the login is configured.

The whole flow against a real OpenID Connect provider: tests/browser/test_login.py.
"""

from __future__ import annotations

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from geo.lang import translate
from geo.store import IncidentStore
from geo.store.access import AccessDeniedError, MandantError, Principal
from tests.conftest import TIMEOUT, captions
from ui import launch
from ui.login import principal_from

DATA = launch.APP.parent / "tests" / "data"
AUTH = {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "ein-langes-geheimnis-1234",
        "client_id": "atlas", "client_secret": "geheim",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}
PLANUNG = {"is_logged_in": True, "email": "planung@freiberg.de", "name": "P. Lanung",
           "atlas_rolle": "planung", "atlas_mandant": "14522180"}
RAT = {"is_logged_in": True, "email": "rat@freiberg.de", "atlas_rolle": "rat", "atlas_mandant": "14522180"}


# --- who a login is -------------------------------------------------------------------------------

def test_role_and_mandant_come_from_the_default_claims():
    assert principal_from(PLANUNG, {}) == Principal("planung@freiberg.de", "planung", "14522180")
    assert principal_from({"name": "Ratsmitglied", "sub": "u1", "atlas_rolle": "Rat", "atlas_mandant": 14522},
                          {}) == Principal("Ratsmitglied", "rat", "14522")


def test_claim_names_are_configurable_and_a_list_of_one_role_counts():
    claims = {"email": "a@landkreis.de", "gruppen": ["rat", "sonstwas"], "ags": "14522"}
    settings = {"rollen_claim": "gruppen", "mandant_claim": "ags"}
    assert principal_from(claims, settings) == Principal("a@landkreis.de", "rat", "14522")
    with pytest.raises(AccessDeniedError, match="keine Rolle zugewiesen"):  # the default claim is not read
        principal_from({"email": "a@landkreis.de", "atlas_rolle": "rat", "atlas_mandant": "14522"}, settings)


def test_the_mapping_table_wins_over_the_claims_field_by_field():
    table = {"benutzer": {"Chefin@Freiberg.de": {"rolle": "admin"}, "rat@freiberg.de": {"mandant": "14522"}}}
    chefin = {"email": "chefin@freiberg.de", "atlas_rolle": "rat", "atlas_mandant": "14522180"}
    assert principal_from(chefin, table) == Principal("chefin@freiberg.de", "admin", "14522180")
    assert principal_from(RAT, table) == Principal("rat@freiberg.de", "rat", "14522")
    assert principal_from({"email": "neu@freiberg.de"}, {"benutzer": {"neu@freiberg.de": {
        "rolle": "planung", "mandant": "14522180"}}}) == Principal("neu@freiberg.de", "planung", "14522180")


def test_no_unknown_or_ambiguous_role_and_a_missing_or_foreign_mandant_are_refused_in_german():
    cases = [({"email": "x@y.de"}, "Ihrem Konto x@y.de ist im Präventionsatlas keine Rolle zugewiesen."),
             ({"email": "x@y.de", "atlas_rolle": "chef", "atlas_mandant": "14522"},
              "Die Rolle „chef“ Ihres Kontos x@y.de kennt der Präventionsatlas nicht (Planung, Rat oder "
              "Admin)."),
             ({"email": "x@y.de", "atlas_rolle": ["rat", "planung"], "atlas_mandant": "14522"},
              "Die Rolle „['rat', 'planung']“ Ihres Kontos x@y.de kennt der Präventionsatlas nicht"),
             ({"email": "x@y.de", "atlas_rolle": "planung"},
              "Ihrem Konto x@y.de ist kein Mandant (Gemeinde oder Kreis) zugewiesen.")]
    for claims, message in cases:
        with pytest.raises(AccessDeniedError) as caught:
            principal_from(claims, {})
        assert str(caught.value).startswith(message)
    with pytest.raises(MandantError, match="Mandant '09162000' ist kein sächsischer"):
        principal_from({"email": "x@y.de", "atlas_rolle": "rat", "atlas_mandant": "09162000"}, {})
    assert principal_from({"email": "x@y.de", "atlas_rolle": "admin"}, {}).mandant is None  # all Mandanten


# --- the pages ------------------------------------------------------------------------------------

@pytest.fixture
def login_app(app):
    """``app.py`` with the login configured (``[auth]`` in the secrets), not yet run."""
    app.secrets["auth"] = dict(AUTH)
    app.secrets["atlas"] = {"kontakt": "Frau Schmidt, IT des Landkreises"}
    return app


def plain(text: str) -> str:
    """`text` as read: no Markdown escapes, no word joiner after "@" (ui.i18n.plain)."""
    return text.replace("\\", "").replace("\u2060", "")


def shown_text(at) -> str:
    return plain(" ".join([*(m.value for m in at.markdown), *(e.value for e in at.error), *captions(at)]))


def has_map(at) -> bool:
    return any("folium" in c.proto.component_name for c in at.get("component_instance"))


def test_a_visitor_who_is_not_logged_in_sees_the_login_page_only(login_app):
    login_app.user = {"is_logged_in": False}
    login_app.query_params["ags"] = "14522180"
    login_app.run()
    assert not login_app.exception
    assert [t.value for t in login_app.title] == ["Präventionsatlas Sachsen"]
    assert [b.label for b in login_app.button] == ["Anmelden"]
    assert len(login_app.sidebar) == 0 and not login_app.selectbox and not has_map(login_app)
    assert "Bitte melden Sie sich mit dem Konto Ihrer Verwaltung an." in shown_text(login_app)
    assert "Freiberg" not in shown_text(login_app)


def test_a_planner_gets_the_planner_view_with_account_line_import_and_logout(login_app):
    login_app.user = dict(PLANUNG)
    login_app.run()
    assert not login_app.exception
    assert login_app.session_state["w_modus"] == "planung" and has_map(login_app)
    assert ("Angemeldet als planung@freiberg.de · Rolle Planung · Mandant Freiberg (14522180)"
            in [plain(c.value) for c in login_app.sidebar.caption])
    assert "Abmelden" in [b.label for b in login_app.sidebar.button]
    assert login_app.file_uploader(key="w_import") is not None


def test_a_council_member_is_held_in_the_council_view_whatever_the_url_says(login_app):
    login_app.user = dict(RAT)
    for key, value in {"ags": "14522180", "modus": "planung", "methode": "gi"}.items():
        login_app.query_params[key] = value
    login_app.run()
    assert not login_app.exception
    assert login_app.session_state["w_modus"] == "sitzung"
    assert login_app.query_params["modus"] == "sitzung"  # the URL says what is shown
    assert len(login_app.sidebar) == 0 and has_map(login_app)
    assert [b.label for b in login_app.button] == ["Abmelden"]  # no way back to the planner view
    assert not login_app.get("file_uploader") and not login_app.subheader  # no import, panels, exports
    assert "Freiberg · Graffiti · " in shown_text(login_app)


def test_with_login_measure_changes_are_signed_with_the_logged_in_name(login_app):
    login_app.user = dict(PLANUNG)
    login_app.run()
    login_app.radio(key="w_massnahmen_teil").set_value("dateien").run()
    assert not login_app.exception
    who = login_app.text_input(key="w_wer_angemeldet")
    assert (who.label, who.value, who.proto.disabled) == ("Bearbeitet von", "planung@freiberg.de", True)
    assert not [t for t in login_app.text_input if t.key == "w_wer"]  # no free name field


def test_on_a_damaged_store_only_a_role_that_may_delete_gets_the_set_aside_button(login_app, tmp_path):
    damaged = b"Dies ist keine Datenbank.\n" * 40
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "vorfaelle.sqlite").write_bytes(damaged)
    login_app.user = dict(RAT)
    login_app.run()
    assert not login_app.exception
    assert any("ist beschädigt" in e.value for e in login_app.error)
    assert not login_app.button
    login_app.user = dict(PLANUNG)
    login_app.run()
    assert "Datei beiseitelegen und mit leerem Datenspeicher beginnen" in [b.label for b in login_app.button]
    assert (tmp_path / "store" / "vorfaelle.sqlite").read_bytes() == damaged


def test_an_account_without_role_gets_a_page_that_says_whom_to_ask_and_no_data(login_app):
    login_app.user = {"is_logged_in": True, "email": "neu@freiberg.de", "atlas_mandant": "14522180"}
    login_app.run()
    assert not login_app.exception
    assert [plain(e.value) for e in login_app.error] == [
        "Ihrem Konto neu@freiberg.de ist im Präventionsatlas keine Rolle zugewiesen."]
    assert "Bitte wenden Sie sich an Frau Schmidt, IT des Landkreises" in shown_text(login_app)
    assert [b.label for b in login_app.button] == ["Abmelden"]
    assert len(login_app.sidebar) == 0 and not login_app.selectbox and not has_map(login_app)


def test_the_login_page_speaks_english_with_sprache_en(login_app):
    login_app.user = {"is_logged_in": False}
    login_app.query_params["sprache"] = "en"
    login_app.run()
    assert [b.label for b in login_app.button] == [translate("Anmelden", "en")] == ["Log in"]


def map_args(at) -> str:
    """What the app hands to the map component (its layers as Leaflet code)."""
    maps = (c for c in at.get("component_instance") if "folium" in c.proto.component_name)
    return "".join(c.proto.json_args for c in maps)


def test_the_council_sees_the_figures_of_imported_data_but_never_its_points(login_app, tmp_path):
    """Planner and council member read the same data set; the planner's map carries the incident
    points, the council's is computed from the same points and carries none of them."""
    IncidentStore(tmp_path / "store").import_file(DATA / "polizei_export_cp1252.csv")
    login_app.user = dict(PLANUNG)
    login_app.run()
    assert not login_app.exception and not login_app.error
    assert login_app.selectbox(key="w_daten").options[-1] == "polizei_export_cp1252"
    assert "L.circleMarker" in map_args(login_app)
    council = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
    council.secrets["auth"] = dict(AUTH)
    council.user = dict(RAT)
    council.run()
    assert not council.exception and not council.error
    assert has_map(council) and "L.circleMarker" not in map_args(council)
    titles = [m.value for m in council.markdown if "<h1 class='atlas-title'>" in m.value]
    assert titles and "03.05.2023 – 10.05.2023" in titles[0]  # the imported file's period, not demo data


# --- no start on an open address without login ----------------------------------------------------

@pytest.fixture
def address():
    """Set Streamlit's ``server.address`` for an AppTest run; the old value comes back after."""
    old = config.get_option("server.address")
    yield lambda value: config.set_option("server.address", value)
    config.set_option("server.address", old)


@pytest.mark.parametrize("open_address", ["0.0.0.0", "192.168.1.20", None])
def test_the_app_without_login_refuses_an_address_others_reach(app, address, open_address):
    address(open_address)
    app.run()
    assert not app.exception
    shown = plain(app.error[0].value)  # shown as text: Markdown escaped
    assert shown == launch.LOGIN_NEEDED.format(address=open_address or "jeder Adresse dieses Rechners")
    assert "Betrieb für mehrere Kommunen" in shown and "[auth]" in shown
    assert len(app.sidebar) == 0 and not app.button and not has_map(app)


@pytest.mark.parametrize("loopback", ["127.0.0.1", "localhost", "::1"])
def test_the_app_without_login_works_on_loopback_as_before(app, address, loopback):
    address(loopback)
    app.run()
    assert not app.exception and not app.error
    assert has_map(app) and app.selectbox(key="w_daten") is not None


def test_with_login_an_open_address_gets_the_login_page_and_incomplete_auth_says_what_is_missing(
        login_app, address):
    address("0.0.0.0")
    login_app.user = {"is_logged_in": False}
    login_app.run()
    assert [b.label for b in login_app.button] == ["Anmelden"]
    login_app.secrets["auth"] = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": "x" * 32}
    login_app.run()
    assert [plain(e.value) for e in login_app.error] == [launch.AUTH_INCOMPLETE.format(
        keys="client_id, client_secret, server_metadata_url")]
    assert not login_app.button


def test_the_refusals_have_english_entries():
    for text in (launch.LOGIN_NEEDED, launch.AUTH_INCOMPLETE):
        assert translate(text, "en") != text


# --- the launcher (praeventionsatlas) ---------------------------------------------------------------

def write_secrets(path, auth: dict) -> None:
    lines = ["[auth]", *(f'{key} = "{value}"' for key, value in auth.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_launcher_refuses_an_open_address_without_login_with_exit_2(tmp_path, monkeypatch, capsys):
    def started(*args):  # a launcher that let this through would start a server on 0.0.0.0: fail instead
        raise AssertionError(f"the app was started: {args}")

    monkeypatch.setattr(launch.os, "execv", started)
    monkeypatch.setattr(launch.subprocess, "call", started)
    monkeypatch.setenv("STREAMLIT_SECRETS_FILES", str(tmp_path / "fehlt.toml"))
    monkeypatch.delenv("ATLAS_PORT", raising=False)
    monkeypatch.setenv("ATLAS_ADDRESS", "0.0.0.0")
    assert launch.main([]) == 2
    assert capsys.readouterr().err == "Fehler: " + launch.LOGIN_NEEDED.format(address="0.0.0.0") + "\n"
    assert launch.main(["--address", "10.1.2.3"]) == 2
    assert "Die App soll an 10.1.2.3 lauschen" in capsys.readouterr().err


def test_launcher_check_takes_loopback_and_a_complete_auth_section(tmp_path):
    for loopback in ("127.0.0.1", "localhost", "::1", "[::1]"):
        launch.check_login(loopback, [])
    secrets = tmp_path / "secrets.toml"
    write_secrets(secrets, AUTH)
    launch.check_login("0.0.0.0", [tmp_path / "fehlt.toml", secrets])
    write_secrets(secrets, {key: AUTH[key] for key in ("redirect_uri", "cookie_secret", "client_id")})
    with pytest.raises(launch.LaunchError) as caught:
        launch.check_login("0.0.0.0", [secrets])
    assert str(caught.value) == launch.AUTH_INCOMPLETE.format(keys="client_secret, server_metadata_url")
    secrets.write_text("[atlas]\nkontakt = 'IT'\n", encoding="utf-8")  # secrets, but no [auth]
    with pytest.raises(launch.LaunchError, match=r"^Die App soll an 0\.0\.0\.0 lauschen"):
        launch.check_login("0.0.0.0", [secrets])


def test_launcher_reads_the_secrets_files_streamlit_reads(tmp_path):
    home, cwd = tmp_path / "home", tmp_path / "arbeit"
    assert launch.secret_files({}, cwd=cwd, home=home) == [
        home / ".streamlit" / "secrets.toml", cwd / ".streamlit" / "secrets.toml",
        launch.APP.parent / ".streamlit" / "secrets.toml"]
    assert launch.secret_files({"STREAMLIT_SECRETS_FILES": "/a/s.toml  /b/t.toml"}, cwd=cwd, home=home) == [
        launch.Path("/a/s.toml"), launch.Path("/b/t.toml")]


def test_a_deletion_in_the_app_is_in_the_protocol_with_the_logged_in_name(login_app, tmp_path):
    IncidentStore(tmp_path / "store").import_file(DATA / "polizei_export_cp1252.csv")
    login_app.user = dict(PLANUNG)
    login_app.run()
    login_app.selectbox(key="w_daten").select("polizei_export_cp1252").run()
    (delete,) = [b for b in login_app.button if plain(b.label) == "Datensatz „polizei_export_cp1252“ löschen"]
    delete.click().run()
    assert not login_app.exception and not login_app.error
    (log,) = [d.value for d in login_app.dataframe]
    assert log[["wer", "aktion"]].values.tolist() == [["planung@freiberg.de", "loeschen"],
                                                      ["lokal", "import"]]  # newest first
    assert log["was"].iloc[0] == "Datensatz 'polizei_export_cp1252'"


def test_postgis_the_app_shows_each_mandant_its_own_data_sets_only(login_app, postgis_url, monkeypatch):
    """One server, two municipalities: the same app on PostGIS, logged in for Freiberg and for
    Dresden, lists only that Mandant's own data set and maps it."""
    from geo.store.postgis import PostgisStore

    dresden = {**PLANUNG, "email": "planung@dresden.de", "atlas_mandant": "14612000"}
    PostgisStore(postgis_url, principal=Principal("a", "planung", "14522180")).import_file(
        DATA / "polizei_export_cp1252.csv", name="Freiberger Meldungen")
    PostgisStore(postgis_url, principal=Principal("b", "planung", "14612000")).import_file(
        DATA / "ordnungsamt_utf8_bom.csv", name="Dresdner Meldungen")
    monkeypatch.setenv("ATLAS_DATABASE_URL", postgis_url)
    seen = {}
    for user in (PLANUNG, dresden, PLANUNG):
        at = AppTest.from_file("../app.py", default_timeout=TIMEOUT)
        at.secrets["auth"] = dict(AUTH)
        at.user = dict(user)
        at.run()
        assert not at.exception and not at.error
        options = at.selectbox(key="w_daten").options
        seen.setdefault(user["email"], []).append(options[3:])  # after the three built-in choices
        assert has_map(at)
    assert seen["planung@freiberg.de"] == [["Freiberger Meldungen"]] * 2
    assert seen["planung@dresden.de"] == [["Dresdner Meldungen"]]
