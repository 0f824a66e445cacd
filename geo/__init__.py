"""Präventionsatlas Sachsen — the pure core.

Boundaries, coordinate reference systems, incident data, grids and hotspot
statistics. Nothing in this package imports streamlit or folium; the app and the
map layers build on it, never the other way round.
"""
