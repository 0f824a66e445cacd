"""Issue 13: the Maßnahmenregister (what was done where and when, with its history) and the
evaluation of measures against the incidents.

* :mod:`geo.measures.model`: a `Measure`, its vocabularies and its checks;
* :mod:`geo.measures.places`: where a measure takes place (Gemeinde, drawing, GeoJSON, Gi* hotspot area);
* :mod:`geo.measures.register`: the register in the store's SQLite file, append-only history;
* :mod:`geo.measures.files`: CSV and GeoJSON import and export (:mod:`geo.measures.report`: what an
  import did with every row);
* :mod:`geo.measures.effect`: the Wirkungsprüfung of a measure (periods and areas in
  :mod:`geo.measures.effect_space`, WDQ, WDD and rate ratio in :mod:`geo.measures.effect_stats`).
"""

from geo.measures.effect import (
    MIN_BEFORE,
    Effect,
    areas,
    counts,
    evaluate,
    evaluate_measure,
    monthly,
    periods,
    rate_ratio,
    wdd,
    wdq,
)
from geo.measures.files import (
    MEASURE_COLUMNS,
    export_measures,
    import_measures,
    measures_csv,
    measures_geojson,
    read_measures,
)
from geo.measures.model import (
    FIELD_LABELS,
    MEASURE_KINDS,
    PLACE_KINDS,
    STATUSES,
    Measure,
    MeasureError,
    UnknownMeasureError,
)
from geo.measures.places import (
    Place,
    PlaceError,
    drawn_place,
    gemeinde_of,
    gemeinde_place,
    geojson_place,
    hotspot_areas,
    hotspot_place,
    wkt_place,
)
from geo.measures.register import MeasureRegister
from geo.measures.report import MeasureReport

__all__ = [
    "FIELD_LABELS",
    "MEASURE_COLUMNS",
    "MEASURE_KINDS",
    "MIN_BEFORE",
    "PLACE_KINDS",
    "STATUSES",
    "Effect",
    "Measure",
    "MeasureError",
    "MeasureRegister",
    "MeasureReport",
    "Place",
    "PlaceError",
    "UnknownMeasureError",
    "areas",
    "counts",
    "drawn_place",
    "evaluate",
    "evaluate_measure",
    "export_measures",
    "gemeinde_of",
    "gemeinde_place",
    "geojson_place",
    "hotspot_areas",
    "hotspot_place",
    "import_measures",
    "measures_csv",
    "measures_geojson",
    "monthly",
    "periods",
    "rate_ratio",
    "read_measures",
    "wdd",
    "wdq",
    "wkt_place",
]
