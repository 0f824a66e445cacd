"""Streets and named places from OpenStreetMap, imported offline from a PBF extract.

``python -m geo osm sachsen-latest.osm.pbf`` reads the extract with pyosmium
(:mod:`geo.osm.read`), keeps named streets, squares and places of interest
(:mod:`geo.osm.tags`), reprojects and clips them to Saxony (:mod:`geo.osm.clip`) and stores
them as one GeoPackage in the data directory (:mod:`geo.osm.store`). The app loads them with
:func:`load` and names cells and hotspot areas with :func:`lage`.
"""

from geo.osm.data import ATTRIBUTION, OsmData
from geo.osm.nearby import lage
from geo.osm.store import ImportSummary, gpkg_path, import_extract, info, load

__all__ = ["ATTRIBUTION", "ImportSummary", "OsmData", "gpkg_path", "import_extract", "info", "lage", "load"]
