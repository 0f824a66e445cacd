"""Properties of the readers over arbitrary input (hypothesis): any byte string, any JSON value, gives
either a report that accounts for every row or the German `InputFileError` naming the file, never
another exception type; and no message grows with the input (values are quoted to 80 characters).

The hand-picked hostile files are ``tests/data/bad/`` (``test_bad_corpus.py``).
"""

import json
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.errors import InputFileError
from geo.incidents import read_incidents
from tests.geo.incidents.conftest import DATA, NOW

HEADER = b"Tatzeit;Delikt;Rechtswert;Hochwert\n"
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
#: The longest message or reason a file may cause: the fixed German text, file name, row, column and
#: quoted values (80 characters each, a dozen column names of 30), never the input itself.
LONGEST_MESSAGE = 1_000


def _read_or_clear_error(path):
    """A report accounting for every row, or `InputFileError` starting with the file name."""
    try:
        result = read_incidents(path, now=NOW)
    except InputFileError as err:
        assert str(err).startswith(path.name), str(err)
        assert len(str(err)) <= LONGEST_MESSAGE
        return None
    report = result.report
    assert report.rows == report.accepted + report.rejected + report.ignored
    reasons = report.rejected_rows["grund"]
    assert len(reasons) == report.rejected
    assert all(r.startswith(f"{path.name}, ") and len(r) <= LONGEST_MESSAGE for r in reasons)
    assert all(len(note) <= 2 * LONGEST_MESSAGE for note in report.notes)
    return result


# --- CSV -------------------------------------------------------------------------------------------
@SETTINGS
@given(
    st.binary(max_size=2000), st.sampled_from(["x.csv", "x.xlsx", "x.json", "x.geojson", "x.gpkg", "x.txt"])
)
def test_arbitrary_bytes_give_a_result_or_the_clear_error(tmp_path, raw, name):
    path = tmp_path / name
    path.write_bytes(raw)
    _read_or_clear_error(path)


@SETTINGS
@given(st.binary(max_size=800))
def test_arbitrary_bytes_after_a_valid_header(tmp_path, tail):
    path = tmp_path / "export.csv"
    path.write_bytes(HEADER + tail)
    _read_or_clear_error(path)


#: What breaks CSV readers: delimiters, quotes, every kind of line break, BOMs, NUL and control bytes,
#: bidi overrides, bytes of another encoding, and the pieces of valid values.
_CSV_PIECES = st.sampled_from(
    [";", ",", "\t", '"', "\n", "\r\n", "\r", "\x0b", "\x0c", "\u2028", "\x85", "\ufeff", "\x00", "\x1b[2J",
     "\u202e", "ä", "\udcfc", " ", "51,05", "13.74", "-", "1e308", "NaN", "01.02.2024", "2024-02-01T10:00",
     "Graffiti", "=1+1", "<script>", "x" * 200]
)


@SETTINGS
@given(st.lists(_CSV_PIECES, max_size=60), st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_structural_characters_after_a_valid_header(tmp_path, pieces, encoding):
    path = tmp_path / "stuecke.csv"
    text = "Datum;Kategorie;Breite;Länge\n" + "".join(pieces)
    path.write_bytes(text.encode(encoding, errors="surrogateescape" if encoding == "utf-8" else "replace"))
    _read_or_clear_error(path)


@SETTINGS
@given(
    st.lists(
        st.lists(st.text(string.printable + "äöüß€#;,", max_size=12), min_size=4, max_size=4), max_size=20
    )
)
def test_arbitrary_cells_every_row_accounted_for(tmp_path, rows):
    path = tmp_path / "zellen.csv"
    body = "\n".join(
        ";".join(c.replace("\n", " ").replace("\r", " ").replace(";", ",").replace('"', "") for c in row)
        for row in rows
    )
    path.write_text("Tatzeit;Delikt;Rechtswert;Hochwert\n" + body, encoding="utf-8")
    _read_or_clear_error(path)


@SETTINGS
@given(
    st.lists(st.tuples(st.integers(min_value=0, max_value=4000), st.binary(min_size=1, max_size=8)),
             min_size=1, max_size=5),
    st.sampled_from(["polizei_export_cp1252.csv", "ordnungsamt_utf8_bom.csv", "fallzahlen_gemeinden.csv",
                     "pks_gemeinden_2022.csv"]),
)
def test_bytes_overwritten_in_real_exports(tmp_path, damage, name):
    raw = bytearray((DATA / name).read_bytes())
    for position, junk in damage:
        at = position % len(raw)
        raw[at : at + len(junk)] = junk
    path = tmp_path / name
    path.write_bytes(bytes(raw))
    _read_or_clear_error(path)


@SETTINGS
@given(st.integers(min_value=1, max_value=4000))
def test_truncated_fixture_files(tmp_path, cut):
    for name in [
        "polizei_export_cp1252.csv",
        "open311_maengelmelder.json",
        "vorfaelle.geojson",
        "ordnungsamt_meldungen.xlsx",
        "pks_gemeinden_2022.csv",
    ]:
        raw = (DATA / name).read_bytes()
        path = tmp_path / name
        path.write_bytes(raw[: cut % len(raw)])
        _read_or_clear_error(path)


# --- JSON ------------------------------------------------------------------------------------------
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8), inner, max_size=4), max_leaves=12)
_OPEN311_KEYS = st.sampled_from(["service_name", "requested_datetime", "lat", "long", "description",
                                 "service_request_id", "address"])
_VALUES = st.sampled_from(["Graffiti", "2024-04-02T09:12:00+02:00", 51.1814, "51,18", 14.4244, None,
                           "NaN", 1e308, -1, [], {}]) | _JSON


@SETTINGS
@given(st.lists(st.dictionaries(_OPEN311_KEYS | st.text(max_size=6), _VALUES, max_size=8), max_size=12))
def test_open311_records_of_any_shape(tmp_path, records):
    path = tmp_path / "open311.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    _read_or_clear_error(path)


_GEOMETRY = st.fixed_dictionaries({
    "type": st.sampled_from(["Point", "MultiPoint", "LineString", "Polygon", "GeometryCollection", "Kreis"]),
    "coordinates": _JSON | st.lists(st.floats(width=32) | st.integers(), max_size=3),
}) | _JSON


@SETTINGS
@given(st.lists(st.fixed_dictionaries({"type": st.just("Feature"), "geometry": _GEOMETRY,
                                       "properties": st.dictionaries(_OPEN311_KEYS | st.just("Datum"),
                                                                     _VALUES, max_size=4) | _JSON}),
                max_size=8))
def test_geojson_features_of_any_shape(tmp_path, features):
    path = tmp_path / "objekte.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    _read_or_clear_error(path)


@SETTINGS
@given(_JSON, st.sampled_from(["x.json", "x.geojson"]))
def test_any_json_value(tmp_path, value, name):
    path = tmp_path / name
    path.write_text(json.dumps(value), encoding="utf-8")
    _read_or_clear_error(path)
