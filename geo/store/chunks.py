"""How points are kept: column blobs in chunks, and back to a plain table.

A chunk holds up to ``chunk`` points as five little-endian columns: ``x``/``y`` (float64,
EPSG:25833 metres), ``t`` (int64 seconds of naive local time), ``category`` (uint8 index
into ``CATEGORIES``), ``ags`` (uint32). A million points load into numpy in milliseconds,
which row-wise tables cannot. The store only moves the blobs; this module reads and writes them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.boundaries import current_ags
from geo.crs import METRIC_CRS, require_crs
from geo.incidents import CATEGORIES
from geo.period import epoch_seconds

#: (position in a stored row, numpy type) of x, y, t, category, ags.
_COLUMNS = ((1, "<f8"), (2, "<f8"), (3, "<i8"), (4, "u1"), (5, "<u4"))


class ChunkChecksumError(ValueError):
    """A stored chunk's columns no longer match the checksum written with them."""


def checksum(columns: Sequence[bytes]) -> str:
    """SHA-256 over a chunk's five column blobs, in order (hex)."""
    digest = hashlib.sha256()
    for blob in columns:
        digest.update(blob)
    return digest.hexdigest()


def encode_points(points: gpd.GeoDataFrame, *, chunk: int) -> Iterator[tuple[int, int, bytes, ...]]:
    """``(chunk number, n, x, y, t, category, ags, checksum)`` per chunk of `points` (``METRIC_CRS``)."""
    require_crs(points, METRIC_CRS)
    x = points.geometry.x.to_numpy(dtype="<f8")
    y = points.geometry.y.to_numpy(dtype="<f8")
    t = points["time"].to_numpy(dtype="datetime64[s]").astype("<i8")
    cat = pd.Categorical(points["category"], categories=CATEGORIES).codes.astype(np.uint8)
    ags = points["ags"].astype("int64").to_numpy().astype("<u4")
    for number, start in enumerate(range(0, len(points), chunk)):
        part = slice(start, start + chunk)
        blobs = [column[part].tobytes() for column in (x, y, t, cat, ags)]
        yield (number, len(x[part]), *blobs, checksum(blobs))


def decode_chunks(
    chunks: Sequence[tuple],
    *,
    categories: Iterable[str] | None = None,
    start: dt.date | dt.datetime | None = None,
    end: dt.date | dt.datetime | None = None,
) -> pd.DataFrame:
    """Stored rows ``(dataset, x, y, t, category, ags, n, checksum)`` → columns ``x``, ``y``,
    ``category``, ``time``, ``ags``, ``dataset``, filtered by category and inclusive period.

    A row whose checksum (None for chunks stored before checksums existed) does not match its
    blobs raises :class:`ChunkChecksumError`: a flipped byte would silently move points."""
    for row in chunks:
        if row[7] is not None and checksum(row[1:6]) != row[7]:
            raise ChunkChecksumError(f"Datensatz '{row[0]}': ein gespeicherter Block ist verändert")
    x, y, t, cat, ags = (
        np.concatenate([np.frombuffer(c[i], d) for c in chunks]) if chunks else np.empty(0, d)
        for i, d in _COLUMNS
    )
    owner = np.repeat(np.array([c[0] for c in chunks], dtype=object), [c[6] for c in chunks])
    keep = np.ones(len(x), dtype=bool)
    if categories is not None:
        wanted = [CATEGORIES.index(c) for c in categories if c in CATEGORIES]
        keep &= np.isin(cat, wanted)
    if start is not None:
        keep &= t >= epoch_seconds(start, end=False)
    if end is not None:
        keep &= t <= epoch_seconds(end, end=True)
    return point_frame(x[keep], y[keep], cat[keep], t[keep], ags[keep], owner[keep])


def point_frame(x: np.ndarray, y: np.ndarray, category: np.ndarray, t: np.ndarray, ags: np.ndarray,
                dataset: np.ndarray) -> pd.DataFrame:
    """The store's point table from plain columns (``category``: index into ``CATEGORIES``, ``t``:
    int64 seconds, ``ags``: integer keys): the same for both backends (:meth:`point_table`)."""
    ags_codes, ags_values = pd.factorize(ags)
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "category": pd.Categorical.from_codes(category.astype(np.int8), categories=list(CATEGORIES)),
            "time": t.astype("<i8").astype("datetime64[s]"),
            # keys as they are now: a Gemeinde merged since the import reads as its successor
            "ags": np.array(current_ags(f"{int(v):08d}" for v in ags_values), dtype=object)[ags_codes],
            "dataset": pd.Series(dataset, dtype="str"),
        }
    ).astype({"category": "str", "ags": "str"})
