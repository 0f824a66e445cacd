"""The tooltips of the map, with every text from data shown as text.

folium writes property values into the tooltip's ``innerHTML`` as they are, so a place name
from an uploaded file such as ``<img src=x onerror=alert(31)>`` ran as script. Every GeoJSON
layer uses :class:`SafeTooltip` instead (ruff bans ``folium.GeoJsonTooltip`` in ``layers/``):
texts from data are escaped here, in the browser, at one place for all layers.

A single marker's tooltip is a :class:`TextTooltip` (ruff bans ``folium.Tooltip``): folium's
puts its text into a JavaScript template literal, where HTML escaping does not help: an OSM
place named ``${alert(1)}`` or one with a backtick ran as script when the page loaded.

Leaflet's layer switcher shows a layer's name as HTML; :class:`TextLayerControl` (ruff bans
``folium.LayerControl``) escapes every name, so a name with text from data stays text.
"""

from __future__ import annotations

import html

import folium
from folium.template import Template

_ESCAPE = """let esc = s => String(s).replace(/[&<>"']/g,
        c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})[c]);"""
_DETAIL = """
    function(layer){
    let div = L.DomUtil.create('div');
    {% if this.fields %}
    """ + _ESCAPE + """
    let handleObject = feature => {
        if (feature === null || feature === undefined) {
            return '';
        } else if (typeof(feature)=='object') {
            return esc(JSON.stringify(feature));
        } else {
            return esc(feature);
        }
    }
    let fields = {{ this.fields | tojson | safe }};
    let aliases = {{ this.aliases | tojson | safe }};
    let table = '<table>' +
        String(
        fields.map(
        (v,i)=> [null, undefined, ''].includes(layer.feature.properties[v]) ? '' :
        `<tr>{% if this.labels %}
            <th>${esc(aliases[i])}</th>
            {% endif %}
            <td>${handleObject(layer.feature.properties[v])}</td>
        </tr>`).join(''))
    +'</table>';
    div.innerHTML=table;
    {% endif %}
    return div
    }
    """


class SafeTooltip(folium.GeoJsonTooltip):  # noqa: TID251 (the one place that wraps it)
    """``folium.GeoJsonTooltip`` whose field values and labels are HTML-escaped in the browser; a
    field without a value (null or empty text) leaves out its row."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(""" + _DETAIL + """,{{ this.tooltip_options | tojavascript }});
    {% endmacro %}
    """)


class TextTooltip(folium.Tooltip):  # noqa: TID251 (the one place that wraps it)
    """A tooltip that shows `text` as text: handed to the browser as a JSON string and set as the
    tooltip's ``textContent``, so nothing in it is read as HTML or as JavaScript."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(function() {
        let div = L.DomUtil.create('div');
        div.textContent = {{ this.text | tojson }};
        return div;
    }, {{ this.options | tojavascript }});
    {% endmacro %}
    """)


class TextLayerControl(folium.LayerControl):  # noqa: TID251 (the one place that wraps it)
    """``folium.LayerControl`` with every layer name HTML-escaped (Leaflet sets it as ``innerHTML``);
    the switcher shows the name as written, and its text is the layer's name."""

    def render(self, **kwargs) -> None:
        self.reset()
        for item in self._parent._children.values():
            if isinstance(item, folium.map.Layer) and item.control:
                names = self.overlays if item.overlay else self.base_layers
                names[html.escape(item.layer_name)] = item.get_name()
        super(folium.LayerControl, self).render(**kwargs)  # noqa: TID251 (skips folium's unescaped names)
