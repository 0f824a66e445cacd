"""The Streamlit screens of the atlas, split by what a person sees.

========================  ==============================================================
:mod:`ui.i18n`            the page's language: ``_("Zeitraum")``, ``_n(1234.5, 1)``
:mod:`ui.state`           the view: URL → widgets → `geo.view.View` → URL
:mod:`ui.data`            cached data and analyses (plain keys; every figure from ``geo``)
:mod:`ui.sidebar`         the planner's sidebar: language, area, selection, method, overlays
:mod:`ui.datasets`        the sidebar's data part: choose, import, delete a data set
:mod:`ui.sequences`       preparing a council meeting: view sequences and their links
:mod:`ui.council`         the shared screen: its style, heading and previous/next controls
:mod:`ui.map_view`        the map (drawn once, updated in place) beside the side panel
:mod:`ui.panels`          side and lower panels: accuracy, Gemeinde detail, overlays
:mod:`ui.exports`         download buttons: result files and the Sicherheitsanalyse
:mod:`ui.measures`        the Maßnahmenregister below the map: list, new, change, history, files
:mod:`ui.drawing`         drawing a measure's place by clicking the map
:mod:`ui.measure_effect`  a measure's Wirkung panel and its lines on the shared screen
========================  ==============================================================

Only ``app.py`` and this package import streamlit. Nothing here computes a figure: it
calls :mod:`geo` and :mod:`layers` and shows what they return.
"""
