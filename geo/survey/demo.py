"""Synthetic Bürgerbefragung results: "Demodaten (synthetisch)".

Nothing here is real; it lets the survey overlay and the coincidence analysis be shown
and tested without a real survey. Fixed seed → identical output on every run.

* **Shares** (:func:`demo_shares`): every Gemeinde "surveys" like an ASSKomm analysis:
  up to 1,000 residents invited (at most 10 % of the population), 35–40 % reply. The
  share feeling unsafe at night grows with the log of the population (about 20 % in a
  village of 1,000, 35 % in a city of 500,000) plus Gemeinde-level noise; the count is
  binomial. Small Gemeinden therefore get small samples, as in reality.
* **Angsträume** (:func:`demo_angstraeume`): for one Gemeinde, places named as unsafe:
  some around the centre (where the demo incidents cluster too), some spread over the
  Gemeinde (fear without incidents). Mentions are negative-binomial (many places named
  once or twice, a few named often).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.boundaries import gemeinde, load_gemeinden
from geo.crs import METRIC_CRS
from geo.survey.angstraeume import KATEGORIEN, validate_angstraeume
from geo.survey.shares import MIN_N, with_intervals

DEMO_LABEL = "Demodaten (synthetisch)"
DEFAULT_SEED = 20261127

_CATEGORY_P = (0.32, 0.24, 0.14, 0.08, 0.10, 0.07, 0.05)
_STREETS = ("Bahnhofsvorplatz", "Stadtpark", "Unterführung", "Busbahnhof", "Marktplatz", "Parkhaus",
            "Uferweg", "Schulhof", "Friedhofsweg", "Gewerbegebiet", "Spielplatz", "Brücke",
            "Sportplatz", "Kleingartenanlage", "Fußgängertunnel", "Altstadtgasse")


def demo_shares(*, seed: int = DEFAULT_SEED, ags: list[str] | None = None,
                min_n: int = MIN_N) -> pd.DataFrame:
    """Per-Gemeinde shares feeling unsafe at night for all 418 Gemeinden (or those in `ags`).

    Returns
    -------
    DataFrame
        As :func:`geo.survey.shares.validate_shares`, plus ``quelle`` = :data:`DEMO_LABEL`.
    """
    rng = np.random.default_rng(seed)
    gem = load_gemeinden()
    pop = gem["einwohner"].to_numpy(dtype=float)
    invited = np.minimum(1000, np.floor(pop * 0.10)).astype(int)
    rate = rng.uniform(0.35, 0.40, len(gem))
    n = np.maximum(rng.binomial(invited, rate), 1)
    logit = -1.55 + 0.32 * np.log10(pop / 1000) + rng.normal(0, 0.35, len(gem))
    p = 1 / (1 + np.exp(-logit))
    k = rng.binomial(n, p)
    table = pd.DataFrame({"ags": gem["ags"], "gemeinde": gem["name"], "gebiet": "", "n": n, "unsicher": k})
    if ags is not None:
        table = table[table["ags"].isin(ags)]
    return with_intervals(table, min_n=min_n).assign(quelle=DEMO_LABEL)


def demo_angstraeume(ags: str = "14522180", *, seed: int = DEFAULT_SEED,
                     n_places: int = 16) -> gpd.GeoDataFrame:
    """`n_places` synthetic Angsträume in the Gemeinde `ags` (Freiberg by default).

    Half lie within about 700 m of the Gemeinde's inner point (the demo incidents'
    centre), half anywhere in the Gemeinde. Returns the frame of
    :func:`geo.survey.angstraeume.validate_angstraeume` plus ``quelle`` = :data:`DEMO_LABEL`.
    """
    rng = np.random.default_rng([seed, int(ags)])
    shape = gemeinde(ags).geometry
    centre = shapely.Point(load_gemeinden().set_index("ags").loc[ags].geometry.representative_point())
    points: list[shapely.Point] = []
    xmin, ymin, xmax, ymax = shape.bounds
    while len(points) < n_places:
        if len(points) < n_places // 2:
            candidate = shapely.Point(centre.x + rng.normal(0, 500), centre.y + rng.normal(0, 500))
        else:
            candidate = shapely.Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax))
        if shape.contains(candidate):
            points.append(shapely.Point(round(candidate.x, 1), round(candidate.y, 1)))
    near = np.arange(n_places) < n_places // 2
    mentions = rng.negative_binomial(1.2, np.where(near, 0.08, 0.2)) + 1
    names = [f"{_STREETS[i % len(_STREETS)]}" + (f" {i // len(_STREETS) + 1}" if i >= len(_STREETS) else "")
             for i in range(n_places)]
    categories = rng.choice(len(KATEGORIEN), size=n_places, p=_CATEGORY_P)
    frame = gpd.GeoDataFrame(
        {"name": names, "kategorie": [KATEGORIEN[c] for c in categories], "nennungen": mentions.astype(str),
         "ags": ags},
        geometry=points, crs=METRIC_CRS, index=pd.RangeIndex(1, 1 + n_places))
    return validate_angstraeume(frame, name=DEMO_LABEL).assign(quelle=DEMO_LABEL)
