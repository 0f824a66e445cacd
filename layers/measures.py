"""The Maßnahmen layer: where measures of the register take place, coloured by status.

Each current measure's place is an outline with a light fill, so the hotspots below stay
readable: wine and dashed for *geplant*, teal and solid for *umgesetzt*, indigo and dotted for
*beendet* (Paul Tol's muted colours: told apart with colour-vision deficiency and away from the
red–yellow–blue of Gi*, LISA and the hotspot patterns; the line style says the status without
colour too). The layer lies in its own pane above the result and below the Kreis borders.

Tooltips show title, Art, Status, Zeitraum and, in the planner view, who is responsible; the
shared screen (``council=True``) gets no responsible body, and no layer ever carries costs or
notes. A measure the view names (``massnahme=``) is drawn stronger and the map zooms to it.

While a planner draws a new place (:func:`drawing_layer`), the clicked points and the polygon
they make are shown as a layer of their own: no drawing plugin is needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
import shapely

from geo.crs import METRIC_CRS, to_display
from geo.lang import translate
from geo.measures.model import Measure
from geo.measures.summary import kind_label, period_text, status_label
from layers.legend import HtmlLegend, Swatch, legend_box
from layers.tooltips import SafeTooltip

PANE = "massnahmen"
LAYER_NAME = "Maßnahmen"
DRAWING_NAME = "Neue Fläche (Zeichnung)"
STATUS_COLOURS = {"geplant": "#882255", "umgesetzt": "#44AA99", "beendet": "#332288"}
#: Leaflet ``dashArray`` per status (None: solid); :data:`STATUS_LINESTYLES` for matplotlib.
STATUS_DASHES = {"geplant": "10 6", "umgesetzt": None, "beendet": "2 6"}
STATUS_LINESTYLES = {"geplant": (0, (5, 3)), "umgesetzt": "solid", "beendet": (0, (1, 3))}
_CSS_LINES = {"geplant": "dashed", "umgesetzt": "solid", "beendet": "dotted"}
WEIGHT, FOCUS_WEIGHT = 3.0, 6.0
FILL_OPACITY, FOCUS_FILL_OPACITY = 0.12, 0.22
DRAWING_COLOUR = "#000000"
_DECIMALS = 6  # about 0.1 m: a drawn place keeps its shape

PLANNER_FIELDS = ("titel", "art", "status", "zeitraum", "zustaendig")
COUNCIL_FIELDS = ("titel", "art", "status", "zeitraum")
_ALIASES = {"titel": "Maßnahme", "art": "Art", "status": "Status", "zeitraum": "Zeitraum",
            "zustaendig": "Zuständig"}

Bounds = tuple[tuple[float, float], tuple[float, float]]


def measure_features(measures: Sequence[Measure], *, council: bool = False, lang: str = "de",
                     focus: int | None = None) -> gpd.GeoDataFrame:
    """The measures' places in ``DISPLAY_CRS`` with their tooltip and style fields.

    Columns ``nr``, the tooltip fields (:data:`PLANNER_FIELDS`, on the shared screen
    :data:`COUNCIL_FIELDS`: no ``zustaendig``), ``status_key`` and ``fokus`` (the measure `focus`).
    Costs, notes and the decision are never among them.
    """
    frame = gpd.GeoDataFrame({
        "nr": [int(m.id) if m.id is not None else 0 for m in measures],
        "titel": [m.title for m in measures],
        "art": [kind_label(m, lang=lang) for m in measures],
        "status": [status_label(m.status, lang=lang) for m in measures],
        "zeitraum": [translate(period_text(m.start, m.end), lang) for m in measures],
        "zustaendig": [m.responsible or "–" for m in measures],
        "status_key": [m.status for m in measures],
        "fokus": [focus is not None and m.id == focus for m in measures],
    }, geometry=[m.place for m in measures], crs=METRIC_CRS)
    if council:
        frame = frame.drop(columns="zustaendig")
    shown = to_display(frame)
    rounded = shapely.transform(shown.geometry.values, lambda xy: np.round(xy, _DECIMALS))
    return shown.set_geometry(gpd.GeoSeries(rounded, crs=shown.crs))


def measure_style(feature: dict) -> dict:
    """Outline and light fill in the status colour; the view's measure stronger."""
    props = feature["properties"]
    colour = STATUS_COLOURS.get(props["status_key"], "#555555")
    focus = bool(props.get("fokus"))
    return {"color": colour, "weight": FOCUS_WEIGHT if focus else WEIGHT, "opacity": 1.0,
            "dashArray": STATUS_DASHES.get(props["status_key"]), "fillColor": colour,
            "fillOpacity": FOCUS_FILL_OPACITY if focus else FILL_OPACITY}


#: Around a measure the map zooms to: half its extent on every side, at least this much (m).
FOCUS_MARGIN_M = 300.0


def focus_bounds(measure: Measure) -> Bounds:
    """((south, west), (north, east)) in WGS84 the map zooms to for `measure`: its place with a margin
    (half its extent, at least :data:`FOCUS_MARGIN_M`), so the streets around it stay in sight."""
    xmin, ymin, xmax, ymax = measure.place.bounds
    margin = max(FOCUS_MARGIN_M, 0.5 * max(xmax - xmin, ymax - ymin))
    around = shapely.box(xmin - margin, ymin - margin, xmax + margin, ymax + margin)
    frame = to_display(gpd.GeoDataFrame(geometry=[around], crs=METRIC_CRS))
    west, south, east, north = frame.total_bounds
    return (float(south), float(west)), (float(north), float(east))


def measures_layer(measures: Sequence[Measure], *, council: bool = False, lang: str = "de",
                   focus: int | None = None, show: bool = True) -> folium.FeatureGroup:
    """The Maßnahmen group: the places, their tooltips and the legend (shown with the layer).

    Parameters
    ----------
    measures : sequence of Measure
        As the register returns them (:meth:`geo.measures.MeasureRegister.current`).
    council : bool
        The shared screen: tooltips without the responsible body.
    lang : {"de", "en"}
        Language of the layer name, the tooltip labels, Art, Status and Zeitraum (titles stay as
        written).
    focus : int, optional
        Number of the measure the view names: drawn stronger, and the group's ``focus`` holds its
        bounds (``layers.compose.view_groups`` zooms there instead of to the area).
    show : bool
        Whether the layer is on when the map opens.
    """
    fields = list(COUNCIL_FIELDS if council else PLANNER_FIELDS)
    group = folium.FeatureGroup(name=translate(LAYER_NAME, lang), show=show)
    features = measure_features(measures, council=council, lang=lang, focus=focus)
    folium.GeoJson(
        features.to_json(drop_id=True, to_wgs84=False),
        name=translate(LAYER_NAME, lang),
        style_function=measure_style,
        highlight_function=lambda _: {"weight": FOCUS_WEIGHT, "fillOpacity": FOCUS_FILL_OPACITY},
        tooltip=SafeTooltip(fields=fields, aliases=[translate(_ALIASES[f], lang) for f in fields],
                            sticky=True),
        pane=PANE,
    ).add_to(group)
    group.add_child(legend(lang=lang, statuses={m.status for m in measures}))
    chosen = [m for m in measures if focus is not None and m.id == focus]
    group.focus = focus_bounds(chosen[0]) if chosen else None
    return group


def legend_html(*, lang: str = "de", statuses: set[str] | None = None) -> str:
    """The legend box: a swatch per status (those in `statuses`, default all) as drawn on the map."""
    rows = []
    for status, colour in STATUS_COLOURS.items():
        if statuses is not None and status not in statuses:
            continue
        swatch = Swatch(fill=f"{colour}2e", border=f"3px {_CSS_LINES[status]} {colour}")
        rows.append((swatch, status_label(status, lang=lang)))
    return legend_box(translate(LAYER_NAME, lang), rows,
                      note=translate("Umriss: Ort der Maßnahme aus dem Maßnahmenregister", lang))


def legend(*, lang: str = "de", statuses: set[str] | None = None) -> HtmlLegend:
    """The legend control (bottom right, as the other overlays')."""
    return HtmlLegend(legend_html(lang=lang, statuses=statuses), position="bottomright")


def drawing_layer(vertices: Sequence[Sequence[float]], *, lang: str = "de") -> folium.FeatureGroup:
    """The place being drawn: its points (``(lat, lon)`` in click order), the line through them and,
    from three points on, the polygon they close (black and dashed on a white casing). Not
    interactive: clicks go on to the map."""
    group = folium.FeatureGroup(name=translate(DRAWING_NAME, lang), show=True)
    points = [(float(lat), float(lon)) for lat, lon in vertices]
    style = {"color": DRAWING_COLOUR, "weight": 2.5, "dash_array": "6 4"}
    casing = {"color": "#ffffff", "weight": 6, "opacity": 0.9}  # under the line: seen on any fill
    shapes = []
    if len(points) >= 3:
        shapes += [folium.Polygon(points, fill=False, **casing),
                   folium.Polygon(points, fill=True, fill_color=DRAWING_COLOUR, fill_opacity=0.1, **style)]
    elif len(points) == 2:
        shapes += [folium.PolyLine(points, **casing), folium.PolyLine(points, **style)]
    shapes += [folium.CircleMarker(point, radius=6 if number == 1 else 4, color=DRAWING_COLOUR, weight=2,
                                   fill=True, fill_color="#ffffff", fill_opacity=1.0)
               for number, point in enumerate(points, start=1)]
    for shape in shapes:
        shape.options.update(interactive=False, pane=PANE)  # folium's path options know neither
        group.add_child(shape)
    return group

