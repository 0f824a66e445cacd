"""Imported OSM data as the app uses it: :class:`OsmData` with its spatial indexes."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: The attribution OSM's licence asks for, wherever its data is shown.
ATTRIBUTION = "© OpenStreetMap-Mitwirkende (ODbL)"


@dataclass(frozen=True, eq=False)
class NamedIndex:
    """Named geometries in an STRtree, with what :func:`geo.osm.lage` writes for each.

    Attributes
    ----------
    tree : shapely.STRtree
        Over the geometries (``METRIC_CRS``).
    labels : ndarray of str
        The distinct labels in alphabetical order: street names, or texts like
        ``Haltestelle Obermarkt``.
    codes : ndarray of int
        For each geometry, the position of its label in `labels`; equal labels share a
        code, so the code tells distinct names apart and breaks ties in distance by name.
    """

    tree: shapely.STRtree
    labels: np.ndarray
    codes: np.ndarray

    @classmethod
    def build(cls, geometries: np.ndarray, labels: np.ndarray, *, tile: float | None = None) -> NamedIndex:
        """An index over `geometries`, each named by the label at the same position.

        With `tile` (metres), lines of the same label whose bounding boxes are centred in
        the same tile are joined into one MultiLineString first: a street of many OSM ways
        becomes a few index entries, which makes queries several times faster and changes
        no distance (the distance to a group is that to its nearest member).
        """
        codes, unique = pd.factorize(pd.Series(labels, dtype=object), sort=True)
        codes = codes.astype(np.int64)
        geometries = np.asarray(geometries, dtype=object)
        if tile is not None and len(geometries):
            parts, source = shapely.get_parts(geometries, return_index=True)
            bounds = shapely.bounds(parts)
            cells = np.floor((bounds[:, :2] + bounds[:, 2:]) / (2 * tile)).astype(np.int64)
            cells -= cells.min(axis=0)
            span = cells.max(axis=0) + 1
            key = (codes[source] * span[0] + cells[:, 0]) * span[1] + cells[:, 1]
            order = np.argsort(key, kind="stable")
            key = key[order]
            first = np.r_[True, key[1:] != key[:-1]]
            geometries = shapely.multilinestrings(parts[order], indices=np.cumsum(first) - 1)
            codes = codes[source[order][first]]
        return cls(shapely.STRtree(geometries), np.asarray(unique, dtype=object), codes)


def place_label(klasse: str, name: str) -> str:
    """``Haltestelle Obermarkt``; just the name when it says the class (``Schillerplatz``)."""
    return name if klasse.casefold() in name.casefold() else f"{klasse} {name}"


@dataclass(frozen=True, eq=False)
class OsmData:
    """Streets, areas and places from one OSM extract, clipped to Saxony.

    Attributes
    ----------
    streets : GeoDataFrame
        Named streets and paths (LineStrings): ``osm_id``, ``name``, ``highway``, ``klasse``
        (``Straße``, ``Weg``).
    areas : GeoDataFrame
        Squares and pedestrian areas (Polygons): ``osm_id``, ``name``, ``klasse``
        (``Platz``, ``Fußgängerzone``), ``art`` (the OSM tag).
    places : GeoDataFrame
        Points: ``osm_id``, ``name`` (may be missing), ``klasse`` (``Haltestelle``,
        ``Bahnhof``, ``Schule``, …), ``art``.
    date : datetime.date
        The extract's date (UTC).
    source : str
        File name of the extract.
    attribution : str
        ``© OpenStreetMap-Mitwirkende (ODbL)``; show it with the data.
    imported : datetime or None
        When it was imported.

    All frames are in ``METRIC_CRS``; treat them as read-only (the spatial indexes are
    built from them once, on first use, and kept).
    """

    streets: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    date: dt.date
    source: str
    attribution: str = ATTRIBUTION
    imported: dt.datetime | None = None

    @functools.cached_property
    def street_index(self) -> NamedIndex:
        """The named streets and paths."""
        return NamedIndex.build(self.streets.geometry.values, self.streets["name"].to_numpy(dtype=object),
                                tile=1_000.0)

    @functools.cached_property
    def place_index(self) -> NamedIndex:
        """Named places and areas (squares, pedestrian areas), labelled with their class."""
        frames = [frame[frame["name"].notna() & frame["name"].str.strip().ne("")]
                  for frame in (self.places, self.areas)]
        named = pd.concat([frame[["name", "klasse"]] for frame in frames], ignore_index=True)
        geometries = np.concatenate([np.asarray(frame.geometry.values, dtype=object) for frame in frames])
        labels = [place_label(k, n.strip()) for k, n in zip(named["klasse"], named["name"], strict=True)]
        return NamedIndex.build(geometries, np.asarray(labels, dtype=object))
