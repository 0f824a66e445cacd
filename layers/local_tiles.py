"""Local tiles for installations without internet (``karte=lokal``): read and publish them.

Local tiles (``lokal``): ``ATLAS_TILES`` names a folder of ``{z}/{x}/{y}.png`` tiles
(XYZ numbering, as OpenStreetMap), an MBTiles file or a PMTiles file (raster: PNG,
JPEG or WebP). :func:`publish_local` writes them as a folder of single tiles into the
directory the app serves (``static/kacheln``), so the browser loads them from the app
itself. One file per tile for all three sources, because Streamlit's static handler
serves files of at most 200 MB and resolves symlinks, refusing any whose target lies
outside ``static/`` (so the source cannot simply be linked in); a PMTiles archive read
in the browser would also need range requests and a JavaScript reader we do not ship.
A folder of tiles works with any static server and costs one conversion at start,
skipped while the source is unchanged.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import html
import logging
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from geo.errors import AtlasError
from geo.lang import phrase

_log = logging.getLogger(__name__)

TILES_ENV = "ATLAS_TILES"  # folder, .mbtiles or .pmtiles for ``lokal``
TILES_DIR = "kacheln"  # local tiles below the served directory


class TileSourceError(AtlasError):
    """``ATLAS_TILES`` names nothing usable as local tiles."""


@dataclass(frozen=True)
class LocalTiles:
    """A local tile source (see :func:`local_source`)."""

    path: Path
    kind: str  # "ordner", "mbtiles" or "pmtiles"
    ext: str  # "png", "jpg" or "webp": the published files' extension
    min_zoom: int
    max_zoom: int
    attribution: str  # plain text ("" when the source names none)
    bounds: tuple[tuple[float, float], tuple[float, float]] | None = None  # (south, west), (north, east)


def local_source(path: str | os.PathLike[str] | None = None) -> LocalTiles:
    """The local tiles at `path` (default: ``ATLAS_TILES``); :class:`TileSourceError` says
    why there are none. Cheap: a folder is not walked, an archive only opened."""
    raw = os.environ.get(TILES_ENV, "").strip() if path is None else os.fspath(path)
    if not raw:
        raise TileSourceError(phrase("ATLAS_TILES ist nicht gesetzt: keine lokalen Kacheln eingerichtet."))
    source = Path(raw).expanduser()
    try:
        stamp = source.stat().st_mtime_ns
    except OSError:
        raise TileSourceError(phrase("ATLAS_TILES: „{path}“ gibt es nicht.", path=str(source))) from None
    return _read_source(source, stamp)


@functools.lru_cache(maxsize=8)
def _read_source(source: Path, stamp: int) -> LocalTiles:
    del stamp  # cache key only: a changed source is read again
    try:
        if source.is_dir():
            return _folder_source(source)
        suffix = source.suffix.lower()
        if suffix == ".mbtiles":
            return _mbtiles_source(source)
        if suffix == ".pmtiles":
            return _pmtiles_source(source)
    except (OSError, sqlite3.Error, ValueError, IndexError, KeyError) as err:  # a damaged file
        raise TileSourceError(phrase("ATLAS_TILES: „{path}“ ist nicht lesbar: {error}", path=str(source),
                                     error=str(err))) from err
    raise TileSourceError(phrase("ATLAS_TILES: „{path}“ ist weder ein Kachelordner (z/x/y.png) noch eine "
                                 ".mbtiles- oder .pmtiles-Datei.", path=str(source)))


def _no_raster(source: Path) -> TileSourceError:
    return TileSourceError(phrase("ATLAS_TILES: „{path}“ enthält keine Rasterkacheln (PNG, JPEG oder WebP).",
                                  path=str(source)))


_EXT = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "webp": "webp"}
_TILE_FILE = re.compile(r"^(\d+)\.(png|jpe?g|webp)$", re.IGNORECASE)


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def _plain(text: object) -> str:
    """Attribution from a tile archive as plain text (it may carry HTML)."""
    return html.unescape(re.sub(r"<[^>]*>", "", str(text or ""))).strip()


def _folder_source(source: Path) -> LocalTiles:
    zooms = sorted(int(p.name) for p in source.iterdir() if p.is_dir() and p.name.isdigit())
    ext = next((_EXT[m.group(2).lower()] for z in zooms for x in (source / str(z)).iterdir() if x.is_dir()
                for f in x.iterdir() if (m := _TILE_FILE.match(f.name))), None)
    if ext is None:
        raise TileSourceError(phrase("ATLAS_TILES: „{path}“ ist weder ein Kachelordner (z/x/y.png) noch eine "
                                     ".mbtiles- oder .pmtiles-Datei.", path=str(source)))
    note = source / "attribution.txt"
    attribution = _plain(note.read_text(encoding="utf-8")) if note.is_file() else ""
    return LocalTiles(source, "ordner", ext, zooms[0], zooms[-1], attribution)


def _connect(source: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)


def _mbtiles_source(source: Path) -> LocalTiles:
    with closing(_connect(source)) as db:
        meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
        low, high = db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        first = db.execute("SELECT tile_data FROM tiles LIMIT 1").fetchone()
    ext = _EXT.get(str(meta.get("format", "")).lower()) or (_sniff(bytes(first[0])) if first else None)
    if ext is None or low is None:
        raise _no_raster(source)
    bounds = None
    try:
        west, south, east, north = (float(v) for v in str(meta["bounds"]).split(","))
        bounds = ((south, west), (north, east))
    except (KeyError, ValueError):
        pass
    return LocalTiles(source, "mbtiles", ext, int(low), int(high), _plain(meta.get("attribution")), bounds)


def _file_bytes(handle):
    def get_bytes(offset: int, length: int) -> bytes:
        handle.seek(offset)
        return handle.read(length)

    return get_bytes


def _pmtiles_source(source: Path) -> LocalTiles:
    from pmtiles.reader import Reader
    from pmtiles.tile import MagicNumberNotFound, SpecVersionUnsupported, TileType

    with open(source, "rb") as handle:
        reader = Reader(_file_bytes(handle))
        try:
            header, meta = reader.header(), reader.metadata()
        except MagicNumberNotFound:
            raise ValueError("keine PMTiles-Datei") from None
        except SpecVersionUnsupported:
            raise ValueError("PMTiles-Version nicht unterstützt (nur Version 3)") from None
    ext = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp"}.get(header["tile_type"])
    if ext is None:
        raise _no_raster(source)
    bounds = ((header["min_lat_e7"] / 1e7, header["min_lon_e7"] / 1e7),
              (header["max_lat_e7"] / 1e7, header["max_lon_e7"] / 1e7))
    valid = bounds[0][0] < bounds[1][0] and bounds[0][1] < bounds[1][1]
    attribution = _plain(meta.get("attribution") if isinstance(meta, dict) else "")
    return LocalTiles(source, "pmtiles", ext, header["min_zoom"], header["max_zoom"], attribution,
                      bounds if valid else None)


def _tiles(tiles: LocalTiles) -> Iterator[tuple[int, int, int, bytes | Path]]:
    """(z, x, y, data or file) of every tile, y counted from the north (XYZ)."""
    if tiles.kind == "ordner":
        for z_dir in tiles.path.iterdir():
            if not (z_dir.is_dir() and z_dir.name.isdigit()):
                continue
            for x_dir in z_dir.iterdir():
                if x_dir.is_dir() and x_dir.name.isdigit():
                    for f in x_dir.iterdir():
                        if (m := _TILE_FILE.match(f.name)) and _EXT[m.group(2).lower()] == tiles.ext:
                            yield int(z_dir.name), int(x_dir.name), int(m.group(1)), f
    elif tiles.kind == "mbtiles":
        with closing(_connect(tiles.path)) as db:
            rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles")
            for z, x, row, data in rows:
                yield z, x, (1 << z) - 1 - row, bytes(data)  # MBTiles count rows from the south (TMS)
    else:
        from pmtiles.reader import Reader, all_tiles
        from pmtiles.tile import Compression

        with open(tiles.path, "rb") as handle:
            gzipped = Reader(_file_bytes(handle)).header()["tile_compression"] == Compression.GZIP
            for (z, x, y), data in all_tiles(_file_bytes(handle)):
                yield z, x, y, gzip.decompress(data) if gzipped else data


def _signature(tiles: LocalTiles) -> str:
    """Changes when the source changes (a folder: its files' count, sizes and times)."""
    parts = [str(tiles.path.resolve()), tiles.ext]
    if tiles.kind == "ordner":
        stats = [f.stat() for *_, f in _tiles(tiles)]
        parts += [str(len(stats)), str(sum(s.st_size for s in stats)), str(max(s.st_mtime_ns for s in stats))]
    else:
        stat = tiles.path.stat()
        parts += [str(stat.st_size), str(stat.st_mtime_ns)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


_STAND = ".stand"  # signature of the published source, inside the tiles folder


def publish_tiles(tiles: LocalTiles, directory: Path) -> int:
    """Write `tiles` as ``{z}/{x}/{y}.{ext}`` files into ``directory/kacheln``.

    Parameters
    ----------
    tiles : LocalTiles
        From :func:`local_source`.
    directory : Path
        The directory the app serves (``static/``).

    Returns
    -------
    int
        Tiles written; 0 when the folder already holds this unchanged source. The folder is
        built beside and swapped in whole, so the app never serves half of two sources.
        Folder sources are hard-linked where the file system allows, else copied (never
        symlinked: Streamlit refuses links that lead out of ``static/``).
    """
    target = directory / TILES_DIR
    signature = _signature(tiles)
    stand = target / _STAND
    if stand.is_file() and stand.read_text(encoding="ascii") == signature:
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{TILES_DIR}.", suffix=".neu", dir=directory))
    try:
        count = 0
        for z, x, y, data in _tiles(tiles):
            out = fresh / str(z) / str(x) / f"{y}.{tiles.ext}"
            out.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(data, Path):
                try:
                    os.link(data, out)
                except OSError:
                    shutil.copyfile(data, out)
            else:
                out.write_bytes(data)
            count += 1
        (fresh / _STAND).write_text(signature, encoding="ascii")
        os.chmod(fresh, 0o755)  # as an ordinary new folder (mkdtemp makes it private)
        old = directory / f".{TILES_DIR}.{os.getpid()}.alt"
        if target.exists():
            os.replace(target, old)
        os.replace(fresh, target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    return count


def publish_local(directory: Path) -> int | None:
    """Publish the tiles ``ATLAS_TILES`` names into `directory` (see :func:`publish_tiles`);
    None when it names none or they cannot be published: logged, never an error, since the
    app works without background (the map then says why)."""
    if not os.environ.get(TILES_ENV, "").strip():
        return None
    try:
        return publish_tiles(local_source(), directory)
    except Exception:  # a damaged archive, a full disk: the app must start all the same
        _log.exception("Lokale Kacheln (%s) nicht veröffentlicht", TILES_ENV)
        return None
