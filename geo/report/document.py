"""The report as a neutral list of blocks, so HTML and PDF show exactly the same content."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import shapely
from shapely.geometry.base import BaseGeometry

from geo.boundaries import load_gemeinden, load_kreise
from geo.errors import UnknownAreaError
from geo.osm import OsmData


@dataclass(frozen=True)
class Block:
    """One element of the report.

    ``kind`` is ``h1``/``h2``/``p``/``note`` (a remark in smaller type), ``table``
    (``header`` and ``rows`` of text), ``image`` (``png`` bytes with ``text`` as caption)
    or ``placeholder`` (a clearly marked empty place for content the app cannot fill).
    """

    kind: str
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    png: bytes = b""
    widths: tuple[float, ...] = ()  # relative column widths of a table


@dataclass(frozen=True)
class Report:
    """A complete report: title lines, blocks, and whether it shows demo data."""

    title: str
    subtitle: str
    demo: bool
    blocks: list[Block] = field(default_factory=list)

    def text(self) -> str:
        """All text of the report (for search and tests)."""
        parts = [self.title, self.subtitle]
        for b in self.blocks:
            parts += [b.text, *b.header, *(" ".join(r) for r in b.rows)]
        return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Subject:
    """The area a report is about: a Gemeinde, a Verwaltungsverband/-gemeinschaft or a Kreis."""

    key: str
    kind: str  # "gemeinde" | "verband" | "kreis"
    kind_text: str
    name: str
    ags: tuple[str, ...]  # member Gemeinden
    kreis_ags: str
    kreis_name: str
    verband: str
    einwohner: int
    flaeche_km2: float
    geometry: BaseGeometry  # METRIC_CRS


def resolve(key: str) -> Subject:
    """An 8-digit AGS, a 9-digit Verband key (``vb_ars``) or a 5-digit Kreis key → `Subject`."""
    key = str(key).strip()
    gem = load_gemeinden()
    if len(key) == 8:
        sel = gem[gem["ags"] == key]
        kind = "gemeinde"
    elif len(key) == 9:
        sel = gem[gem["vb_ars"] == key]
        kind = "verband"
    elif len(key) == 5:
        sel = gem[gem["kreis_ags"] == key]
        kind = "kreis"
    else:
        sel, kind = gem.iloc[0:0], ""
    if sel.empty:
        msg = (
            f"'{key}' ist kein Gebiet für einen Bericht: erwartet einen 8-stelligen Amtlichen "
            "Gemeindeschlüssel, einen 9-stelligen Verbandsschlüssel oder einen 5-stelligen "
            "Kreisschlüssel einer sächsischen Gemeinde bzw. eines Kreises."
        )
        raise UnknownAreaError(msg)
    first = sel.iloc[0]
    if kind == "gemeinde":
        name, kind_text = first["name"], first["bez"]
        verband = (
            "" if first["vb_typ"] == "verbandsfreie Gemeinde" else f"{first['vb_typ']} {first['vb_name']}"
        )
    elif kind == "verband":
        name, kind_text, verband = first["vb_name"], first["vb_typ"], ""
    else:
        kreis = load_kreise().set_index("kreis_ags").loc[key]
        name, kind_text, verband = kreis["kreis_name"], kreis["kreis_typ"], ""
    geometry = shapely.union_all(sel.geometry.values)
    return Subject(
        key=key,
        kind=kind,
        kind_text=kind_text,
        name=name,
        ags=tuple(sel["ags"]),
        kreis_ags=first["kreis_ags"],
        kreis_name=first["kreis_name"],
        verband=verband,
        einwohner=int(sel["einwohner"].sum()),
        flaeche_km2=float(sel["flaeche_km2"].sum()),
        geometry=geometry,
    )


def streets_near(subject: Subject, osm: OsmData | None, *,
                 margin_m: float = 2_000.0) -> gpd.GeoDataFrame | None:
    """The OSM streets within the subject's bounding box plus `margin_m` (for the maps), or None."""
    if osm is None:
        return None
    xmin, ymin, xmax, ymax = subject.geometry.bounds
    return osm.streets.cx[xmin - margin_m:xmax + margin_m, ymin - margin_m:ymax + margin_m]


def neighbourhood(subject: Subject, *, margin_m: float = 2_000.0) -> gpd.GeoDataFrame:
    """Gemeinden intersecting the subject's bounding box plus `margin_m` (for the maps)."""
    gem = load_gemeinden()
    xmin, ymin, xmax, ymax = subject.geometry.bounds
    box = shapely.box(xmin - margin_m, ymin - margin_m, xmax + margin_m, ymax + margin_m)
    return gem[gem.intersects(box)].reset_index(drop=True)
