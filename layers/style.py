"""Colours, line widths and fonts of every layer, in one place."""

from __future__ import annotations

BACKGROUND = "#f3f3ef"

GEMEINDE_BORDER = {"color": "#6b6b6b", "weight": 0.6, "opacity": 0.9}
GEMEINDE_FILL = {"fillColor": "#ffffff", "fillOpacity": 0.0}
GEMEINDE_HOVER = {"color": "#111111", "weight": 2.0, "fillColor": "#000000", "fillOpacity": 0.06}
KREIS_BORDER = {"color": "#222222", "weight": 2.2, "opacity": 0.95}
SELECTION = {"color": "#d95f02", "weight": 4.0, "opacity": 1.0, "fillColor": "#d95f02", "fillOpacity": 0.08}
CHOROPLETH_OPACITY = 0.8
