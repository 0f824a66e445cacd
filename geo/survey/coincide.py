"""Where fear and reported incidents coincide, and where they diverge.

Two resolutions:

* **per Gemeinde** (:func:`coincidence_by_gemeinde`), from per-area shares: fear is
  *high* when the lower end of the 95 % Wilson interval of the share feeling unsafe lies
  above the reference share (pooled over all surveyed Gemeinden); incidents are *high*
  when the count is improbably large for the Gemeinde's population at the reference
  rate (one-sided Poisson test, p < ``alpha``).
* **per grid cell** (:func:`coincidence_by_cell`), from Angsträume within one or more
  Gemeinden: fear is *high* in a cell with at least ``min_mentions`` mentions; incidents
  are *high* when the cell has at least ``min_incidents`` and its count is improbably
  large against an even spread of the area's incidents (one-sided Poisson test).

Classes: :data:`BOTH`, :data:`FEAR_ONLY`, :data:`INCIDENTS_ONLY`, :data:`NEITHER`, and
:data:`TOO_SMALL` where the survey is too small to say anything. The caveat that goes
with the numbers is part of the result (:attr:`Coincidence.hinweis`) and must be shown
with them.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import stats

from geo.boundaries import load_gemeinden
from geo.crs import METRIC_CRS, require_crs
from geo.fmt import p_wert, zahl
from geo.grid import cell_id, check_cell
from geo.lang import phrase, translate
from geo.survey.shares import MIN_N, per_gemeinde

BOTH = "Angst und Vorfälle"
FEAR_ONLY = "Angst ohne Vorfälle (Beleuchtung/Gestaltung prüfen)"
INCIDENTS_ONLY = "Vorfälle ohne Angst (Bewusstsein schaffen)"
NEITHER = "unauffällig"
TOO_SMALL = "Befragung zu klein"
CLASSES = (BOTH, FEAR_ONLY, INCIDENTS_ONLY, NEITHER, TOO_SMALL)
ALPHA = 0.05
CELL_M = 250.0
MIN_MENTIONS = 3
MIN_INCIDENTS = 3


@dataclass(frozen=True)
class Coincidence:
    """The result: one row per area, plus the caveat and method text to show with it."""

    table: gpd.GeoDataFrame
    hinweis: str
    methode: str

    def counts(self) -> dict[str, int]:
        """Number of areas per class, in the order of :data:`CLASSES`."""
        return {c: int((self.table["klasse"] == c).sum()) for c in CLASSES}

    def table_text(self, lang: str = "de") -> pd.DataFrame:
        """The table as its reader sees it, in `lang`: class, answers, the share feeling unsafe
        with its 95 % interval, incidents against the expected number, rate and p."""
        t = self.table

        def pct(v: float) -> str:
            return zahl(100 * v, 0, lang=lang)

        return pd.DataFrame({
            "gemeinde": t["gemeinde"], "klasse": [translate(k, lang) for k in t["klasse"]],
            "antworten": [zahl(n, lang=lang) for n in t["n"]],
            "unsicher": [f"{pct(a)} % ({pct(lo)}–{pct(hi)} %)"
                         for a, lo, hi in zip(t["anteil"], t["ci_low"], t["ci_high"], strict=True)],
            "vorfaelle": [f"{zahl(n, lang=lang)} / {zahl(e, 1, lang=lang)}"
                          for n, e in zip(t["vorfaelle"], t["erwartet"], strict=True)],
            "rate": [zahl(r, 2, lang=lang) for r in t["rate"]],
            "p": [p_wert(p, lang=lang) for p in t["p_vorfaelle"]]})


def _classify(fear: np.ndarray, incidents: np.ndarray, too_small: np.ndarray) -> np.ndarray:
    out = np.select([fear & incidents, fear, incidents], [BOTH, FEAR_ONLY, INCIDENTS_ONLY], NEITHER)
    return np.where(too_small, TOO_SMALL, out).astype(object)


def poisson_excess(count: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """One-sided p-value P(X ≥ count) for X ~ Poisson(expected)."""
    return stats.poisson.sf(np.asarray(count) - 1, np.asarray(expected, dtype=float))


def coincidence_by_gemeinde(incidents: gpd.GeoDataFrame, shares: pd.DataFrame, *,
                            categories: tuple[str, ...] | None = None, min_n: int = MIN_N,
                            alpha: float = ALPHA, reference_share: float | None = None,
                            reference_rate: float | None = None) -> Coincidence:
    """Fear (survey shares) against reported incidents, per surveyed Gemeinde.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in ``METRIC_CRS`` with ``category`` and ``ags``.
    shares : DataFrame
        From :func:`geo.survey.shares.load_shares` or the demo; Ortsteile are summed to
        their Gemeinde.
    categories : tuple of str, optional
        Only these incident categories (all by default).
    min_n : int
        Gemeinden with fewer respondents are :data:`TOO_SMALL`.
    alpha : float
        Significance level of the Poisson test for incidents.
    reference_share, reference_rate : float, optional
        Share (fraction) and incidents per 1,000 inhabitants to compare against; by
        default pooled over the surveyed Gemeinden with enough respondents, and over all
        Gemeinden that have incidents in the data.

    Returns
    -------
    Coincidence
        ``table``: ``ags``, ``gemeinde``, ``einwohner``, ``vorfaelle``, ``rate`` (per 1,000
        inhabitants), ``erwartet``, ``p_vorfaelle``, ``vorfaelle_hoch``, ``n``, ``unsicher``,
        ``anteil``, ``ci_low``, ``ci_high``, ``angst_hoch``, ``zu_klein``, ``klasse``,
        geometry (Gemeinde, ``METRIC_CRS``).
    """
    require_crs(incidents)
    points = incidents if categories is None else incidents[incidents["category"].isin(categories)]
    gem = load_gemeinden()
    counts = points.groupby("ags").size()
    with_data = gem[gem["ags"].isin(counts.index)]
    if reference_rate is None:
        reference_rate = 1000 * counts.sum() / max(with_data["einwohner"].sum(), 1)
    survey = per_gemeinde(shares, min_n=min_n)
    usable = survey[~survey["zu_klein"]]
    if reference_share is None:
        reference_share = usable["unsicher"].sum() / max(usable["n"].sum(), 1)
    table = gem[["ags", "einwohner", "geometry"]].merge(survey, on="ags", how="inner")
    count = table["ags"].map(counts).fillna(0).astype("int64")
    expected = table["einwohner"] * reference_rate / 1000
    p_value = poisson_excess(count, expected)
    table = table.assign(vorfaelle=count, rate=1000 * count / table["einwohner"], erwartet=expected,
                         p_vorfaelle=p_value, vorfaelle_hoch=p_value < alpha,
                         angst_hoch=table["ci_low"] > reference_share)
    table["klasse"] = _classify(table["angst_hoch"].to_numpy(), table["vorfaelle_hoch"].to_numpy(),
                                table["zu_klein"].to_numpy())
    columns = ["ags", "gemeinde", "einwohner", "vorfaelle", "rate", "erwartet", "p_vorfaelle",
               "vorfaelle_hoch", "n", "unsicher", "anteil", "ci_low", "ci_high", "angst_hoch",
               "zu_klein", "klasse", "geometry"]
    table = gpd.GeoDataFrame(table[columns], geometry="geometry", crs=METRIC_CRS)
    small = int(table["zu_klein"].sum())
    hinweis = phrase(
        "Kleine Stichproben: Anteile aus Befragungen sind unsicher. Zu jedem Anteil ist das "
        "95-%-Konfidenzintervall nach Wilson angegeben; als „Angst“ gilt eine Gemeinde nur, wenn "
        "selbst die Untergrenze dieses Intervalls über dem Vergleichswert von {share:.1f} % liegt. "
        "{small} Gemeinde(n) mit weniger als {min_n} Antworten werden nicht eingeordnet („{too_small}“). "
        "Bei etwa 35–40 % Rücklauf und freiwilliger Teilnahme kann die Befragung zudem verzerrt sein. "
        "Vorfälle sind erfasste Vorfälle: ein Ort ohne Meldungen ist nicht unbedingt ein Ort ohne "
        "Vorfälle. Bei vielen gleichzeitig getesteten Gemeinden ist etwa jede zwanzigste unauffällige "
        "Gemeinde zufällig als „Vorfälle“ markiert (Signifikanzniveau {alpha_pct:.0f} %).",
        share=100 * reference_share, small=small, min_n=min_n, too_small=phrase(TOO_SMALL),
        alpha_pct=100 * alpha)
    methode = phrase(
        "Vergleich je Gemeinde. Angst: Anteil der Befragten, die sich nachts unsicher fühlen, "
        "Untergrenze des 95-%-Wilson-Intervalls über {share:.1f} % (gepoolter Anteil der Gemeinden "
        "mit mindestens {min_n} Antworten). Vorfälle: einseitiger Poisson-Test der Fallzahl gegen die "
        "Erwartung bei {rate:.2f} Vorfällen je 1.000 Einwohner, p < {alpha:.2f}.",
        share=100 * reference_share, min_n=min_n, rate=reference_rate, alpha=alpha)
    return Coincidence(table.sort_values("ags", ignore_index=True), hinweis, methode)


def _cell_index(x: np.ndarray, y: np.ndarray, cell: float) -> tuple[np.ndarray, np.ndarray]:
    return np.floor(np.asarray(x) / cell).astype("int64"), np.floor(np.asarray(y) / cell).astype("int64")


def coincidence_by_cell(incidents: gpd.GeoDataFrame, angstraeume: gpd.GeoDataFrame, *,
                        ags: tuple[str, ...] | None = None, cell_m: float = CELL_M,
                        min_mentions: int = MIN_MENTIONS, min_incidents: int = MIN_INCIDENTS,
                        alpha: float = ALPHA,
                        categories: tuple[str, ...] | None = None) -> Coincidence:
    """Angsträume against reported incidents in square grid cells of `cell_m` metres.

    Parameters
    ----------
    incidents : GeoDataFrame
        Points in ``METRIC_CRS`` with ``category`` and ``ags``.
    angstraeume : GeoDataFrame
        From :func:`geo.survey.angstraeume.load_angstraeume`; a line or area counts in the
        cell of its inner point.
    ags : tuple of str, optional
        The study area; the Gemeinden of the Angsträume by default.
    cell_m : float
        Cell edge in metres; the cells are those of :mod:`geo.grid` (aligned to multiples
        of `cell_m` in EPSG:25833), so ids match the hotspot layers.
    min_mentions : int
        A cell with fewer mentions in total is not read as a place of fear.
    min_incidents : int
        A cell with fewer incidents is never *high* (single reports are not a pattern).

    Returns
    -------
    Coincidence
        ``table``: one row per cell with at least one mention or incident: ``zelle``
        (the cell id of :func:`geo.grid.cell_id`, e.g. ``"250mE383000N5641750"``),
        ``nennungen``, ``orte`` (names),
        ``vorfaelle``, ``erwartet``, ``p_vorfaelle``, ``angst_hoch``, ``vorfaelle_hoch``,
        ``klasse``, cell polygon in ``METRIC_CRS``; cells of the classes other than
        :data:`NEITHER` first.
    """
    require_crs(incidents)
    require_crs(angstraeume)
    cell_m = check_cell(cell_m)
    area_ags = tuple(sorted(set(angstraeume["ags"]))) if ags is None else tuple(ags)
    gem = load_gemeinden()
    area = gem[gem["ags"].isin(area_ags)]
    points = incidents[incidents["ags"].isin(area_ags)]
    if categories is not None:
        points = points[points["category"].isin(categories)]
    anchors = angstraeume.geometry.where(angstraeume.geom_type == "Point",
                                         angstraeume.geometry.representative_point())
    fx, fy = _cell_index(anchors.x, anchors.y, cell_m)
    fear = pd.DataFrame({"cx": fx, "cy": fy, "nennungen": angstraeume["nennungen"].to_numpy(),
                         "name": angstraeume["name"].to_numpy()})
    fear = fear.groupby(["cx", "cy"]).agg(nennungen=("nennungen", "sum"), orte=("name", "; ".join))
    ix, iy = _cell_index(points.geometry.x, points.geometry.y, cell_m)
    inc = pd.DataFrame({"cx": ix, "cy": iy}).groupby(["cx", "cy"]).size().rename("vorfaelle")
    table = fear.join(inc, how="outer").reset_index()
    table["nennungen"] = table["nennungen"].fillna(0).astype("int64")
    table["vorfaelle"] = table["vorfaelle"].fillna(0).astype("int64")
    table["orte"] = table["orte"].fillna("")
    expected = len(points) * cell_m**2 / max(area.geometry.area.sum(), 1.0)
    p_value = poisson_excess(table["vorfaelle"].to_numpy(), np.full(len(table), expected))
    fear_high = table["nennungen"].to_numpy() >= min_mentions
    inc_high = (p_value < alpha) & (table["vorfaelle"].to_numpy() >= min_incidents)
    cx, cy = table["cx"].to_numpy(), table["cy"].to_numpy()
    geometry = shapely.box(cx * cell_m, cy * cell_m, (cx + 1) * cell_m, (cy + 1) * cell_m)
    names = cell_id(cx, cy, cell=cell_m)
    table = table.assign(zelle=names, erwartet=expected, p_vorfaelle=p_value, angst_hoch=fear_high,
                         vorfaelle_hoch=inc_high,
                         klasse=_classify(fear_high, inc_high, np.zeros(len(table), dtype=bool)))
    order = table["klasse"].map({c: i for i, c in enumerate(CLASSES)})
    columns = ["zelle", "nennungen", "orte", "vorfaelle", "erwartet", "p_vorfaelle", "angst_hoch",
               "vorfaelle_hoch", "klasse"]
    table = gpd.GeoDataFrame(table[columns].assign(_o=order), geometry=geometry, crs=METRIC_CRS)
    table = table.sort_values(["_o", "vorfaelle", "nennungen"], ascending=[True, False, False],
                              ignore_index=True).drop(columns="_o")
    hinweis = phrase(
        "Angsträume sind Nennungen einzelner Befragter: Orte mit weniger als {min_mentions} Nennungen "
        "je Zelle werden nicht als Angstort gewertet. Die Zahl der Nennungen hängt von der Zahl der "
        "Antworten ab und ist nicht repräsentativ für alle Einwohner. Vorfälle sind erfasste Vorfälle; "
        "bei vielen Zellen ist etwa jede zwanzigste unauffällige Zelle zufällig als „Vorfälle“ markiert "
        "(Signifikanzniveau {alpha_pct:.0f} %).", min_mentions=min_mentions, alpha_pct=100 * alpha)
    methode = phrase(
        "Rasterzellen von {cell:.0f} m Kantenlänge (EPSG:25833). Angst: mindestens {min_mentions} "
        "Nennungen. Vorfälle: mindestens {min_incidents} und einseitiger Poisson-Test gegen eine "
        "gleichmäßige Verteilung der {n} Vorfälle im Untersuchungsgebiet ({expected:.2f} je Zelle "
        "erwartet), p < {alpha:.2f}.", cell=cell_m, min_mentions=min_mentions, min_incidents=min_incidents,
        n=len(points), expected=expected, alpha=alpha)
    return Coincidence(table, hinweis, methode)
