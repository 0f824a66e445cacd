"""The background map: each choice's tiles, attribution and pane; the default from the
environment; local tiles (folder, MBTiles, PMTiles) published for the app to serve."""

import json
import logging
import re
import sqlite3
from contextlib import closing
from pathlib import Path

import folium
import pytest
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

from geo.analysis import analyse
from geo.incidents.demo import demo_points
from geo.view import BASEMAPS as URL_BASEMAPS
from geo.view import View
from layers import basemaps, compose, maps
from layers.basemaps import BASEMAPS, DEFAULT_BASEMAP, PANE, configured_default
from layers.local_tiles import TILES_DIR, TileSourceError, local_source, publish_local, publish_tiles

TILE = (Path(__file__).resolve().parents[1] / "data" / "kachel.png").read_bytes()
SERVED = "/app/static"
BASEMAPDE = ("https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_{}/default/"
             "GLOBAL_WEBMERCATOR/{{z}}/{{y}}/{{x}}.png")


def tile_layers(m: folium.Map) -> list[folium.TileLayer]:
    return [c for c in m._children.values() if isinstance(c, folium.TileLayer)]


def render(m: folium.Map) -> str:
    return m.get_root().render()


def shown(text: str, html: str) -> bool:
    """`text` is written into the page's script (as JSON: non-ASCII letters escaped)."""
    return json.dumps(text)[1:-1] in html


@pytest.fixture(autouse=True)
def no_tiles_configured(monkeypatch):
    monkeypatch.delenv("ATLAS_TILES", raising=False)
    monkeypatch.delenv("ATLAS_BASEMAP", raising=False)


@pytest.mark.parametrize(("key", "url", "attribution", "max_zoom"), [
    ("basemapde", BASEMAPDE.format("grau"), "© basemap.de / BKG (CC BY 4.0)", 18),
    ("basemapde-farbe", BASEMAPDE.format("farbe"), "© basemap.de / BKG (CC BY 4.0)", 18),
    ("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "© OpenStreetMap-Mitwirkende", 19),
])
def test_each_online_background_has_its_tiles_attribution_pane_and_max_zoom(key, url, attribution, max_zoom):
    m = compose.base(basemap=key, served=SERVED)
    (layer,) = tile_layers(m)
    assert layer.tiles == url
    assert attribution in layer.options["attribution"]
    link = "https://basemap.de" if key.startswith("basemapde") else "https://www.openstreetmap.org/copyright"
    assert f'<a href="{link}"' in layer.options["attribution"]
    assert layer.options["pane"] == PANE
    assert layer.options["max_zoom"] == max_zoom
    assert layer.options["opacity"] == 1.0
    assert not layer.control  # not in the layer switcher: it is chosen in the sidebar
    html = render(m)
    assert json.dumps(url) in html and f'"pane": "{PANE}"' in html and f'"maxZoom": {max_zoom}' in html
    # The pane exists before the layer that draws into it.
    assert html.index(f'createPane(\n                "{PANE}")') < html.index("L.tileLayer(")


def test_the_tile_pane_lies_under_the_gemeinden_and_every_other_pane():
    z_tiles = maps.PANES[PANE][0]
    assert z_tiles < 400  # Leaflet's overlayPane: the Gemeinden
    assert all(z_tiles < z for name, (z, _) in maps.PANES.items() if name != PANE)
    assert maps.PANES[PANE][1] is False  # never takes the Gemeinde clicks


def test_osm_keeps_to_the_tile_usage_policy():
    (layer,) = tile_layers(compose.base(basemap="osm"))
    assert layer.options["max_zoom"] <= 19
    assert layer.options["referrer_policy"] == "strict-origin-when-cross-origin"  # origin as Referer
    assert "subdomains" not in layer.tiles and "{s}" not in layer.tiles  # tile.openstreetmap.org only
    assert not {"keep_buffer", "update_when_idle"} & set(layer.options)  # Leaflet's defaults: no prefetching


def test_basemapde_asks_for_no_tile_outside_germany():
    (layer,) = tile_layers(compose.base(basemap="basemapde"))
    (south, west), (north, east) = layer.options["bounds"]
    (s_sn, w_sn), (n_sn, e_sn) = maps.SACHSEN_BOUNDS
    assert south < s_sn and west < w_sn and north > n_sn and east > e_sn


def test_keine_has_no_tile_layer_and_no_script_of_its_own():
    plain, none = render(compose.base(served=SERVED)), render(compose.base(served=SERVED, basemap="keine"))
    for html in (plain, none):
        assert "L.tileLayer" not in html and "atlasBasemap" not in html
        assert not re.findall(r"https?://(?!www\.w3\.org)[\w.-]+", html.split("<script>", 1)[1])
    assert len(plain) == len(none)  # the same map (element ids differ, their lengths do not)


def test_attribution_and_note_in_english():
    m = compose.base(basemap="osm", lang="en")
    (layer,) = tile_layers(m)
    assert "© OpenStreetMap contributors" in layer.options["attribution"]
    assert layer.layer_name == "Background map"
    assert shown("Background map unreachable – map without background", render(m))
    german = render(compose.base(basemap="osm"))
    assert shown("Hintergrundkarte nicht erreichbar – Karte ohne Hintergrund", german)


def test_the_shared_screen_gets_the_same_background_calmer():
    m = compose.base(basemap="basemapde", council=True)
    (layer,) = tile_layers(m)
    assert layer.tiles == BASEMAPDE.format("grau")
    assert 0.5 <= layer.options["opacity"] <= 0.6
    assert json.dumps(basemaps.COUNCIL_FILTER) in render(m)
    assert basemaps.COUNCIL_FILTER not in render(compose.base(basemap="basemapde"))


def test_unknown_background_is_a_programming_error():
    with pytest.raises(ValueError, match="unbekannte Hintergrundkarte 'google'"):
        compose.base(basemap="google")


def test_keys_and_labels_match_the_url_parameter():
    assert tuple(BASEMAPS) == URL_BASEMAPS
    assert DEFAULT_BASEMAP == "basemapde"
    assert basemaps.label("basemapde", lang="en") == "basemap.de grey"
    assert basemaps.label("lokal") == "lokale Kacheln"


@pytest.mark.parametrize(("raw", "expected"), [
    (None, "basemapde"), ("", "basemapde"), ("osm", "osm"), (" Keine ", "keine"), ("lokal", "lokal"),
    ("basemapde-farbe", "basemapde-farbe"), ("google", "basemapde"), ("karte=osm", "basemapde"),
])
def test_the_installation_default_comes_from_atlas_basemap_and_never_fails(monkeypatch, raw, expected):
    if raw is not None:
        monkeypatch.setenv("ATLAS_BASEMAP", raw)
    assert configured_default() == expected


def test_an_unknown_atlas_basemap_is_logged_once(monkeypatch, caplog):
    monkeypatch.setenv("ATLAS_BASEMAP", "bing")
    with caplog.at_level(logging.WARNING, logger="layers.basemaps"):
        assert configured_default() == configured_default() == "basemapde"
    assert caplog.text.count("ATLAS_BASEMAP='bing' ist unbekannt") == 1


# --- the HTML export ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def freiberg():
    return analyse(demo_points(), View(area="14522180", method="rates"))


def test_html_export_keeps_an_online_background_and_still_inlines_leaflet(freiberg):
    html = compose.export_bytes(freiberg, "html", basemap="osm").decode()
    assert html.count("L.tileLayer(") == 1 and "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in html
    assert "data:text/javascript" in html  # Leaflet inlined: the file opens anywhere
    assert not re.findall(r"""(?:src|href)\s*=\s*["'](https?:[^"']+)""", html)


@pytest.mark.parametrize("key", ["keine", "lokal"])
def test_html_export_without_online_tiles_has_none(freiberg, monkeypatch, tmp_path, key):
    monkeypatch.setenv("ATLAS_TILES", str(make_mbtiles(tmp_path / "sachsen.mbtiles")))
    html = compose.export_bytes(freiberg, "html", basemap=key).decode()
    assert "L.tileLayer(" not in html
    note = "Ohne Hintergrundkarte: lokale Kacheln liefert nur die laufende App aus."
    assert shown(note, html) == (key == "lokal")  # the recipient has no app to serve them


# --- local tiles --------------------------------------------------------------------------------

def make_mbtiles(path: Path, *, fmt: str = "png",
                 tiles=((10, 549, 677), (10, 550, 677), (6, 34, 42))) -> Path:
    """A tiny MBTiles (TMS rows: row 677 at z 10 is XYZ y 346, Freiberg's)."""
    with closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
        db.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                   "tile_data BLOB)")
        db.executemany("INSERT INTO metadata VALUES (?, ?)", [
            ("name", "Sachsen"), ("format", fmt), ("minzoom", "6"), ("maxzoom", "10"),
            ("bounds", "11.85,50.15,15.05,51.70"),
            ("attribution", '<a href="https://example.org">© Landesamt & Co</a>')])
        db.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, row, TILE) for z, x, row in tiles])
        db.commit()
    return path


def make_pmtiles(path: Path, tiles=((10, 549, 346), (10, 550, 346), (6, 34, 21))) -> Path:
    with open(path, "wb") as out:
        writer = Writer(out)
        for z, x, y in sorted(tiles, key=lambda t: zxy_to_tileid(*t)):
            writer.write_tile(zxy_to_tileid(z, x, y), TILE)
        writer.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE,
                         "min_lon_e7": 118_500_000, "min_lat_e7": 501_500_000,
                         "max_lon_e7": 150_500_000, "max_lat_e7": 517_000_000},
                        {"attribution": "© PMTiles-Test"})
    return path


def make_folder(path: Path, tiles=((10, 549, 346), (6, 34, 21))) -> Path:
    for z, x, y in tiles:
        (path / str(z) / str(x)).mkdir(parents=True, exist_ok=True)
        (path / str(z) / str(x) / f"{y}.png").write_bytes(TILE)
    (path / "attribution.txt").write_text("© Stadtvermessung\n", encoding="utf-8")
    return path


def published(static: Path) -> set[tuple[int, int, int]]:
    root = static / TILES_DIR
    return {tuple(int(part) for part in p.relative_to(root).with_suffix("").parts)
            for p in root.rglob("*.png")}


def test_mbtiles_are_published_as_xyz_tiles_with_the_rows_flipped(tmp_path):
    source = local_source(make_mbtiles(tmp_path / "sachsen.mbtiles"))
    assert (source.kind, source.ext, source.min_zoom, source.max_zoom) == ("mbtiles", "png", 6, 10)
    assert source.attribution == "© Landesamt & Co"  # the archive's HTML as plain text
    assert source.bounds == ((50.15, 11.85), (51.70, 15.05))
    static = tmp_path / "static"
    assert publish_tiles(source, static) == 3
    assert published(static) == {(10, 549, 346), (10, 550, 346), (6, 34, 21)}
    tile = static / "kacheln" / "10" / "549" / "346.png"
    assert tile.read_bytes() == TILE and not tile.is_symlink()


def test_pmtiles_are_published_as_xyz_tiles(tmp_path):
    source = local_source(make_pmtiles(tmp_path / "sachsen.pmtiles"))
    assert (source.kind, source.ext, source.min_zoom, source.max_zoom) == ("pmtiles", "png", 6, 10)
    assert source.attribution == "© PMTiles-Test"
    assert source.bounds == ((50.15, 11.85), (51.70, 15.05))
    static = tmp_path / "static"
    assert publish_tiles(source, static) == 3
    assert published(static) == {(10, 549, 346), (10, 550, 346), (6, 34, 21)}


def test_a_tile_folder_is_copied_not_linked_and_republished_only_when_it_changes(tmp_path):
    folder = make_folder(tmp_path / "kacheln_quelle")
    source = local_source(folder)
    assert (source.kind, source.min_zoom, source.max_zoom, source.attribution) == ("ordner", 6, 10,
                                                                                   "© Stadtvermessung")
    static = tmp_path / "static"
    assert publish_tiles(source, static) == 2
    tile = static / "kacheln" / "10" / "549" / "346.png"
    # A symlink out of static/ would be refused by Streamlit's static handler; a hard link or a
    # copy is an ordinary file inside it.
    assert not tile.is_symlink() and tile.resolve().is_relative_to(static.resolve())
    assert publish_tiles(source, static) == 0  # unchanged: nothing rewritten
    make_folder(folder, tiles=((10, 550, 346),))
    assert publish_tiles(local_source(folder), static) == 3
    assert published(static) == {(10, 549, 346), (10, 550, 346), (6, 34, 21)}
    assert [p.name for p in static.iterdir()] == ["kacheln"]  # no temporary folders left


def test_publish_puts_the_configured_tiles_beside_the_other_served_files(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_TILES", str(make_mbtiles(tmp_path / "sachsen.mbtiles")))
    static = tmp_path / "static"
    compose.publish(static)
    assert (static / "leaflet.js").is_file()
    assert published(static) == {(10, 549, 346), (10, 550, 346), (6, 34, 21)}


def test_the_local_background_loads_the_published_tiles_from_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("ATLAS_TILES", str(make_mbtiles(tmp_path / "sachsen.mbtiles")))
    m = compose.base(basemap="lokal", served=SERVED)
    (layer,) = tile_layers(m)
    assert layer.tiles == f"{SERVED}/kacheln/{{z}}/{{x}}/{{y}}.png"
    assert layer.options["pane"] == PANE
    assert (layer.options["min_native_zoom"], layer.options["max_native_zoom"]) == (6, 10)
    assert layer.options["attribution"] == "© Landesamt &amp; Co"
    assert layer.options["bounds"] == [[50.15, 11.85], [51.70, 15.05]]
    assert not re.findall(r"https?://(?!www\.w3\.org)[\w.-]+", render(m).split("<script>", 1)[1])


@pytest.mark.parametrize(("setup", "reason"), [
    (lambda tmp: None, "ATLAS_TILES ist nicht gesetzt"),
    (lambda tmp: tmp / "fehlt.mbtiles", "gibt es nicht"),
    (lambda tmp: make_mbtiles(tmp / "vektor.mbtiles", fmt="pbf", tiles=()), "enthält keine Rasterkacheln"),
    (lambda tmp: (tmp / "karte.tif").write_bytes(b"II*") and tmp / "karte.tif", "weder ein Kachelordner"),
    (lambda tmp: (tmp / "kaputt.pmtiles").write_bytes(b"kaputt") and tmp / "kaputt.pmtiles", "nicht lesbar"),
])
def test_an_unusable_local_source_is_named_in_the_map_and_never_breaks_publishing(tmp_path, monkeypatch,
                                                                                   setup, reason):
    path = setup(tmp_path)
    if path is not None:
        monkeypatch.setenv("ATLAS_TILES", str(path))
    with pytest.raises(TileSourceError, match=reason):
        local_source()
    assert publish_local(tmp_path / "static") is None
    m = compose.base(basemap="lokal", served=SERVED)
    assert tile_layers(m) == []
    html = render(m)
    assert shown("Hintergrundkarte nicht erreichbar – Karte ohne Hintergrund", html) and shown(reason, html)
