"""The one tooltip for GeoJSON layers: folium's ``GeoJsonTooltip`` with every value escaped.

folium writes property values into the tooltip's ``innerHTML`` as they are, so a place name
from an uploaded file such as ``<img src=x onerror=alert(31)>`` ran as script. Every layer
uses :class:`SafeTooltip` instead (ruff bans ``folium.GeoJsonTooltip`` in ``layers/``): texts
from data are escaped here, in the browser, at one place for all layers.
"""

from __future__ import annotations

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
        (v,i)=>
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
    """``folium.GeoJsonTooltip`` whose field values and labels are HTML-escaped in the browser."""

    _template = Template("""
    {% macro script(this, kwargs) %}
    {{ this._parent.get_name() }}.bindTooltip(""" + _DETAIL + """,{{ this.tooltip_options | tojavascript }});
    {% endmacro %}
    """)
