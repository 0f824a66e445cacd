"""Writes the hostile-input corpus of issue 15 (what each file is and what must happen: README.md).

``python tests/data/bad/erzeuge.py`` writes the small files into this folder (run once; they
are committed). The big ones (a 50 MB line, a million columns, ZIP and XLSX bombs that expand
to gigabytes, a 612 MB file) are never committed: the tests call :func:`write_large` to write
them into a temporary folder. Bombs are assembled from one compressed block repeated, so
writing one takes milliseconds and no gigabyte is ever in memory or on disk.
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent
HEADER = "Datum;Kategorie;Breite;Länge;Bemerkung"
VALID = "02.06.2024 10:00;Graffiti;51,0496;13,7381;gültige Zeile"
SCRIPT = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def _text(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\n".join(lines) + "\n").encode(encoding)


# --- CSV -------------------------------------------------------------------------------------------
def _mixed_encodings() -> bytes:
    return (_text(HEADER, "02.06.2024;Vermüllung;51,0496;13,7381;UTF-8: Müll")
            + _text("03.06.2024;Vermüllung;51,3455;12,3821;Windows-1252: Müll", encoding="cp1252"))


def _bom_in_the_middle() -> bytes:
    first = _text(HEADER, "02.06.2024;Graffiti;51,0496;13,7381;erster Export")
    second = _text(HEADER, "03.06.2024;Graffiti;51,3455;12,3821;zweiter Export")
    return b"\xef\xbb\xbf" + first + b"\xef\xbb\xbf" + second  # two files concatenated


def _nul_bytes() -> bytes:
    return _text(HEADER, VALID).replace(b"Graffiti", b"Graf\x00fiti")


def _formulas() -> bytes:
    return _text(
        "Datum;Kategorie;Breite;Länge;Bemerkung",
        '=HEUTE();"=HYPERLINK(""http://example.invalid"";""Graffiti"")";=1+50;=13,7;=cmd|\' /C calc\'!A0',
        "+02.06.2024;+Graffiti;+51,0496;+13,7381;@SUMME(1+1)*cmd|' /C calc'!A0",
        "-02.06.2024;-Graffiti;-51,0496;-13,7381;\t=1+1",
        '@02.06.2024;@Graffiti;@51,0496;@13,7381;"=DDE(""cmd"";""/C calc"";""x"")"',
    )


def _html_everywhere() -> bytes:
    cells = ";".join([SCRIPT] * 5)
    return _text(HEADER, cells, f"{SCRIPT}02.06.2024;Graffiti{SCRIPT};51,0496{SCRIPT};13,7381;{SCRIPT}")


def _html_header() -> bytes:
    return _text(";".join(f"<b onmouseover=alert({i})>{SCRIPT}</b>" for i in range(5)), VALID)


def _no_place_many_html_columns() -> bytes:
    """Date and category but no place, and 900 more columns named with markup."""
    names = ["Datum", "Kategorie", *(f"{SCRIPT}{i}" for i in range(900))]
    return _text(";".join(names), ";".join(["02.06.2024", "Graffiti", *["x"] * 900]))


def _control_characters() -> bytes:
    return _text(HEADER, '02.06.2024;"Graffiti\x1b[2J\x1b[31mROT\x1b]0;titel\x07";51,0496;13,7381;ESC',
                 "03.06.2024;Graf\u202efiti\u202c\u200b;51,3455;12,3821;Bidi-Umkehr, Nullbreite")


def _odd_line_breaks() -> bytes:
    """Breaks that Python's str.splitlines() sees and CSV readers do not, in a title row and a cell."""
    return _text("Ordnungsamt\u2028Meldungen\x0cSeite 1\x1c", HEADER,
                 "02.06.2024 09:00;Graffiti;51,0496;13,7381;Zeile 1\x0bZeile 2\u2029Absatz",
                 "02.06.2024 10:00;Graffiti;51,0497;13,7382;\x85NEL",
                 "02.06.2024 11:00;Kreide\u2028Graffiti;51,0498;13,7383;Zeilentrenner in der Kategorie")


def _absurd_coordinates() -> bytes:
    rows = [("NaN", "NaN"), ("inf", "-inf"), ("Infinity", "13,7"), ("1e308", "1e308"), ("-1e308", "13,7"),
            ("1e999", "13,7"), ("200", "13,7381"), ("51,0496", "999"), ("-91", "13,7"), ("0x1p6", "13,7"),
            ("٥١٫٠٤", "١٣٫٧٣"), ("51,0496", ""), ("9" * 400, "13,7381"), ("51°02'58\"N", "13°44'17\"E")]
    lines = [f"0{1 + i % 9}.05.2024;Graffiti;{lat};{lon};absurd {i}" for i, (lat, lon) in enumerate(rows)]
    return _text(HEADER, *lines, VALID)


def _years_0_and_9999() -> bytes:
    dates = ["00.01.0000", "01.01.0000", "01.01.0001 00:00", "31.12.1899", "0000-01-01", "0001-01-01T00:00",
             "31.12.9999 23:59", "9999-12-31T23:59:59", "01.01.10000", "31.02.2024", "32.01.2024",
             "2024-13-01", "01.01.-2024", "1e9"]
    lines = [f"{d};Graffiti;51,0{i:03d};13,7381;Datum {i}" for i, d in enumerate(dates)]
    return _text(HEADER, *lines)


AGG_HEADER = "AGS;Gemeinde;Kategorie;Jahr;Anzahl"
#: Eleven different Gemeinden, so no row is a duplicate of another.
AGS = ["14511000", "14612000", "14713000", "14522180", "14521010", "14521020", "14521030",
       "14521040", "14521060", "14521070", "14521080"]


def _negative_counts() -> bytes:
    counts = ["-1", "-12", "−5", "-1.234", "1,5", "#DIV/0!", "=A1*2", "NaN", "inf", "", "1e9"]
    lines = [f"{ags};;Graffiti;2023;{c}" for ags, c in zip(AGS, counts, strict=True)]
    return _text(AGG_HEADER, *lines)


def _count_overflow() -> bytes:
    # Aue and Bad Schlema (2016) are both Aue-Bad Schlema today: their counts are added up.
    return _text(AGG_HEADER, "14521020;Aue;Graffiti;2019;9223372036854775807",
                 "14521540;Bad Schlema;Graffiti;2019;9223372036854775807",
                 "14612000;Dresden;Graffiti;2019;99999999999999999999999999")


def _periods_0_and_9999() -> bytes:
    years = ["0", "0000", "0001", "1899", "9999", "10000", "2023-13", "-2023", "2023..2021", "1e3", "20230"]
    lines = [f"{ags};;Graffiti;{y};5" for ags, y in zip(AGS, years, strict=True)]
    return _text(AGG_HEADER, *lines)


def _unclosed_quote() -> bytes:
    later = VALID.replace("10:00", "11:00")
    return _text(HEADER, VALID, '03.06.2024;"Graffiti;51,3455;12,3821;ohne Ende', later)


# --- JSON ------------------------------------------------------------------------------------------
def _open311(records: object) -> bytes:
    return json.dumps(records, ensure_ascii=False, indent=1).encode("utf-8")


def _open311_record(**changes: object) -> dict:
    record = {"service_request_id": "1", "service_name": "Graffiti", "requested_datetime":
              "2024-04-02T09:12:00+02:00", "lat": 51.1814, "long": 14.4244, "description": "gültig"}
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


def _open311_mixed_types() -> bytes:
    return _open311([
        _open311_record(lat=[51.1, 51.2]), _open311_record(long={"wert": 14.4}), _open311_record(lat=True),
        _open311_record(service_name={"name": "Graffiti"}), _open311_record(service_name=["Graffiti"]),
        _open311_record(requested_datetime=1712041920), _open311_record(requested_datetime=None),
        _open311_record(lat=...), _open311_record(requested_datetime=...),
        _open311_record(service_name=...), _open311_record(lat="NaN"), _open311_record(long=1e308),
        _open311_record(service_request_id="2", requested_datetime="2024-04-03T10:00:00+02:00"),
    ])


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _deep_geojson(path: Path) -> None:
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, '
                    f'"properties": {{"Kategorie": {_deep(100_000)}}}}}]}}')


def _deep_open311(path: Path) -> None:
    path.write_text('[{"service_name": "Graffiti", "requested_datetime": "2024-04-02", "lat": 51.1, '
                    f'"long": 14.4, "description": {_deep(100_000)}}}]')


def _feature(geometry: object, **properties: object) -> dict:
    props = {"Kategorie": "Graffiti", "Datum": "2023-09-14T21:30:00"}
    props.update(properties)
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _collection(*features: object, **extra: object) -> bytes:
    return json.dumps({"type": "FeatureCollection", **extra, "features": list(features)}).encode("utf-8")


BOWTIE = {"type": "Polygon", "coordinates": [[[13.70, 51.00], [13.80, 51.10], [13.80, 51.00],
                                               [13.70, 51.10], [13.70, 51.00]]]}


def _invalid_geometries() -> bytes:
    return _collection(
        _feature({"type": "Point", "coordinates": [13.7]}),
        _feature({"type": "Point", "coordinates": ["13,7", "51,0"]}),
        _feature({"type": "Point", "coordinates": []}),
        _feature({"type": "Point", "coordinates": None}),
        _feature({"type": "Kreis", "coordinates": [13.7, 51.0], "radius": 5}),
        _feature({"type": "LineString", "coordinates": [[13.7, 51.0]]}),
        _feature({"type": "Polygon", "coordinates": [[[13.7, 51.0], [13.8, 51.0], [13.8, 51.1]]]}),
        _feature(BOWTIE),
        _feature({"type": "Point", "coordinates": [1e308, 1e308]}),
        _feature({"type": "Point", "coordinates": [13.7381, 200.0]}),
        _feature("Punkt"),
    )


def _self_intersecting() -> bytes:
    ring = [[13.70, 51.00], [13.80, 51.00], [13.70, 51.05], [13.80, 51.05], [13.70, 51.00]]
    return _collection(
        _feature(BOWTIE),
        _feature({"type": "Polygon", "coordinates": [ring]}),
        _feature({"type": "MultiPolygon", "coordinates": [BOWTIE["coordinates"], [ring]]}),
        _feature({"type": "MultiPoint", "coordinates": [[13.73, 51.05], [13.74, 51.06]]}),
        _feature({"type": "GeometryCollection", "geometries": [BOWTIE]}),
    )


# --- GeoPackage ------------------------------------------------------------------------------------
def _gpkg(frame: object, *, layer: str = "vorfaelle") -> bytes:
    """A GeoPackage of `frame`, pages of 512 bytes so it stays small."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.gpkg"
        frame.to_file(path, layer=layer, driver="GPKG")
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA page_size = 512")
        conn.execute("VACUUM")
        conn.close()
        return path.read_bytes()


def _gpkg_frame(geometries: list, **columns: list) -> object:
    import geopandas as gpd

    n = len(geometries)
    data = {"Kategorie": ["Graffiti"] * n, "Datum": [f"2023-09-{10 + i % 20:02d}" for i in range(n)]}
    data.update(columns)
    return gpd.GeoDataFrame(data, geometry=geometries, crs="EPSG:4326")


def _gpkg_polygons() -> bytes:
    import shapely

    bowtie = shapely.from_geojson(json.dumps(BOWTIE))
    spike = shapely.Polygon([(13.7, 51.0), (13.8, 51.0), (13.75, 51.0), (13.75, 51.1), (13.7, 51.0)])
    return _gpkg(_gpkg_frame([bowtie, spike, shapely.MultiPolygon([bowtie, spike])]))


def _gpkg_absurd() -> bytes:
    import shapely

    points = [shapely.Point(x, y) for x, y in [(float("nan"), float("nan")), (float("inf"), 51.0),
                                               (1e308, -1e308), (13.7381, 200.0), (999.0, 51.0)]]
    points.append(shapely.Point())  # POINT EMPTY
    return _gpkg(_gpkg_frame(points, Kategorie=[SCRIPT] * 5 + ["Graffiti"]))


def _gpkg_empty() -> bytes:
    return _gpkg(_gpkg_frame([]))


def _gpkg_truncated() -> bytes:
    import shapely

    raw = _gpkg(_gpkg_frame([shapely.Point(13.7381, 51.0496 + i / 1000) for i in range(200)]))
    return raw[: len(raw) // 2]


def _sqlite_not_gpkg() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.sqlite"
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE vorfaelle (Datum TEXT, Kategorie TEXT, lat REAL, lon REAL)")
            conn.execute("INSERT INTO vorfaelle VALUES ('02.06.2024', 'Graffiti', 51.05, 13.74)")
        conn.close()
        return path.read_bytes()


# --- XLSX and ZIP ----------------------------------------------------------------------------------
def _xlsx(rows: list[list[object]], *, formats: dict[str, str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Meldungen"
    for row in rows:
        sheet.append(row)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_formulas() -> bytes:
    return _xlsx([
        ["Datum", "Kategorie", "Rechtswert", "Hochwert", "Bemerkung"],
        ["=HEUTE()", '=HYPERLINK("http://example.invalid","Graffiti")', "=1/0", "=A1", SCRIPT],
        [0, "Graffiti", 411548.9, 5656098.2, "Datum: Excel-Tag 0"],
        [-1, "Graffiti", 411548.9, 5656098.2, "Datum: Excel-Tag -1"],
        [2958466, "Graffiti", 411548.9, 5656098.2, "Datum: nach 9999"],
        [SCRIPT, SCRIPT, SCRIPT, SCRIPT, SCRIPT],
    ], formats={"A3": "DD.MM.YYYY", "A4": "DD.MM.YYYY", "A5": "DD.MM.YYYY"})


def _xlsx_empty() -> bytes:
    return _xlsx([])


def _xlsx_truncated() -> bytes:
    raw = (FIXTURES / "ordnungsamt_meldungen.xlsx").read_bytes()
    return raw[: len(raw) // 2]


def _xml_bomb_xlsx() -> bytes:
    """Billion laughs: sharedStrings.xml defines an entity that expands to 10^9 'lol's."""
    good = zipfile.ZipFile(io.BytesIO(_xlsx([["Datum", "Kategorie", "lat", "lon"],
                                             ["02.06.2024", "Graffiti", 51.05, 13.74]])))
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    strings = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
               'uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in good.infolist():
            data = good.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<c r="B2" t="inlineStr"><is><t>Graffiti</t></is></c>',
                                    b'<c r="B2" t="s"><v>0</v></c>')
            bomb.writestr(item.filename, data)
        if "xl/sharedStrings.xml" not in good.namelist():
            bomb.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def _zip_of_csv() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("vorfaelle.csv", _text(HEADER, VALID))
        archive.writestr("liesmich.txt", "Export vom 02.06.2024")
    return out.getvalue()


def _zip_truncated() -> bytes:
    raw = _zip_of_csv()
    return raw[: len(raw) - 40]


# --- ZIP bombs: hand-made archives ------------------------------------------------------------------
_BLOCK = 1 << 24  # 16 MiB of one repeated byte per compressed block


def _crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """zlib's crc32_combine: the CRC of A+B from CRC(A), CRC(B) and len(B), in O(log len(B))."""

    def times(matrix: list[int], vector: int) -> int:
        total, i = 0, 0
        while vector:
            if vector & 1:
                total ^= matrix[i]
            vector >>= 1
            i += 1
        return total

    def square(matrix: list[int]) -> list[int]:
        return [times(matrix, matrix[n]) for n in range(32)]

    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = square(odd)
    odd = square(even)
    while True:
        even = square(odd)
        if len2 & 1:
            crc1 = times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = square(even)
        if len2 & 1:
            crc1 = times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


class _Repeated:
    """`prefix` + `block` × `count` + `suffix`, deflated without ever building the whole."""

    def __init__(self, prefix: bytes, block: bytes, count: int, suffix: bytes) -> None:
        self.size = len(prefix) + len(block) * count + len(suffix)
        head = zlib.compressobj(9, zlib.DEFLATED, -15)
        first = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
        body = zlib.compressobj(9, zlib.DEFLATED, -15)
        middle = body.compress(block) + body.flush(zlib.Z_FULL_FLUSH)  # the same bytes for every block
        tail = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.data = first + middle * count + tail.compress(suffix) + tail.flush()
        crc_block = zlib.crc32(block)
        crc_blocks, n, doubled = 0, count, crc_block
        length, done = len(block), False
        while n:  # the CRC of `count` blocks by doubling
            if n & 1:
                crc_blocks = _crc32_combine(crc_blocks, doubled, length) if done else doubled
                done = True
            n >>= 1
            if n:
                doubled, length = _crc32_combine(doubled, doubled, length), length * 2
        crc = zlib.crc32(prefix)
        crc = _crc32_combine(crc, crc_blocks, len(block) * count)
        self.crc = _crc32_combine(crc, zlib.crc32(suffix), len(suffix))


def _write_zip(path: Path, members: list[tuple[str, bytes | _Repeated]], *, claim: int | None = None) -> None:
    """A ZIP archive (deflate) of `members`; `claim` replaces the unpacked size it declares for each
    repeated member (a lie)."""
    entries = []
    with path.open("wb") as out:
        for name, content in members:
            if isinstance(content, bytes):
                packer = zlib.compressobj(9, zlib.DEFLATED, -15)
                data, size, crc = packer.compress(content) + packer.flush(), len(content), zlib.crc32(content)
            else:
                data, size, crc = content.data, content.size, content.crc
            if claim is not None and isinstance(content, _Repeated):
                size = claim
            offset = out.tell()
            encoded = name.encode()
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                  len(encoded), 0) + encoded)
            out.write(data)
            entries.append((encoded, crc, len(data), size, offset))
        start = out.tell()
        for encoded, crc, packed, size, offset in entries:
            out.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, packed, size,
                                  len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        directory = out.tell() - start
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), directory, start, 0))


def _xlsx_parts() -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(_xlsx([["Datum", "Kategorie", "lat", "lon"]])))
    return {item.filename: archive.read(item) for item in archive.infolist()}


_ROW = b'<row><c t="inlineStr"><is><t>Graffiti</t></is></c><c><v>51.05</v></c><c><v>13.74</v></c></row>'


def _sheet_bomb(blocks: int) -> _Repeated:
    """sheet1.xml of `blocks` × 16 MiB of rows: well-formed, so a reader would build every row."""
    block = _ROW * (_BLOCK // len(_ROW))
    parts = _xlsx_parts()["xl/worksheets/sheet1.xml"]
    head, _, rest = parts.partition(b"<sheetData>")
    _, _, tail = rest.partition(b"</sheetData>")
    return _Repeated(head + b"<sheetData>", block, blocks, b"</sheetData>" + tail)


def _zip_bomb(path: Path) -> None:
    """Five members of 1 GiB of zeros each: 5 GiB from 5 MB."""
    zeros = _Repeated(b"", b"\0" * _BLOCK, 64, b"")
    _write_zip(path, [(f"teil{i}.csv", zeros) for i in range(5)])


def _xlsx_bomb(path: Path) -> None:
    """A real workbook whose sheet unpacks to 4.2 GB of rows."""
    parts = _xlsx_parts()
    members: list[tuple[str, bytes | _Repeated]] = [(n, d) for n, d in parts.items()]
    members = [(n, _sheet_bomb(250) if n == "xl/worksheets/sheet1.xml" else d) for n, d in members]
    _write_zip(path, members)


def _dense_xlsx(path: Path) -> None:
    """A real workbook whose sheet unpacks to 800 MiB (under the size bound) from 3 MB."""
    parts = _xlsx_parts()
    members = [(n, _sheet_bomb(50) if n == "xl/worksheets/sheet1.xml" else d) for n, d in parts.items()]
    _write_zip(path, members)


def _lying_xlsx(path: Path) -> None:
    """Its directory claims 1,000 bytes for the sheet; the sheet's stream really unpacks to 1 GiB."""
    parts = _xlsx_parts()
    members = [(n, _sheet_bomb(64) if n == "xl/worksheets/sheet1.xml" else d) for n, d in parts.items()]
    _write_zip(path, members, claim=1000)


# --- big text files --------------------------------------------------------------------------------
MB = 1_000_000


def _long_header_line(path: Path) -> None:
    with path.open("wb") as out:
        out.write(b"Datum;Kategorie;Breite;L\xc3\xa4nge;")
        for _ in range(50):
            out.write(b"x" * MB)
        out.write(b"\n" + VALID.encode() + b"\n")


def _long_data_line(path: Path) -> None:
    with path.open("wb") as out:
        out.write(_text(HEADER, VALID))
        out.write(b"03.06.2024;Graffiti")
        for _ in range(50):
            out.write(b"<script>" * (MB // 8))
        out.write(b";51,3455;12,3821;lang\n")


def _long_line_no_newline(path: Path) -> None:
    with path.open("wb") as out:
        for _ in range(50):
            out.write(b"Graffiti;" * (MB // 9) + b"x" * (MB % 9))


def _million_columns(path: Path) -> None:
    with path.open("wb") as out:
        out.write(b"Datum;Kategorie;Breite;L\xc3\xa4nge;" + b";".join(b"s%d" % i for i in range(999_996)))
        out.write(b"\n" + VALID.encode() + b"\n")


def _million_fields(path: Path) -> None:
    with path.open("wb") as out:
        out.write(_text(HEADER, VALID))
        out.write(b"03.06.2024;Graffiti;51,3455;12,3821" + b";x" * 999_996 + b"\n")


def _open311_million_fields(path: Path) -> None:
    record = _open311_record()
    record.update({f"feld{i}": i for i in range(1_000_000)})
    path.write_bytes(json.dumps([record]).encode())


def _late_nul(path: Path) -> None:
    """1,500 valid rows (75 KB), then a NUL byte: beyond the first 64 KiB that are sampled for binary data."""
    rows = [f"{1 + i % 28:02d}.05.2024 {i % 24:02d}:{i % 60:02d};Graffiti;51,0496;13,7381;Zeile {i}"
            for i in range(1500)]
    path.write_bytes(_text(HEADER, *rows) + b"02.06.2024;Graf\x00fiti;51,0496;13,7381;NUL\n")


def _too_big(path: Path) -> None:
    """612 MB (MiB) that take no disk space (a sparse file): refused by its size before it is read."""
    with path.open("wb") as out:
        out.write(_text(HEADER, VALID))
        out.truncate(612 << 20)


#: File name → its bytes; committed to this folder.
SMALL: dict[str, Callable[[], bytes]] = {
    "leer.csv": lambda: b"",
    "leer.xlsx": lambda: b"",
    "leer.geojson": lambda: b"",
    "nur_leerzeilen.csv": lambda: b"\r\n  \n\t\n\n",
    "nur_kopfzeile.csv": lambda: _text(HEADER),
    "binaer.csv": lambda: random.Random(15).randbytes(4096),
    "binaer.xlsx": lambda: random.Random(16).randbytes(4096),
    "binaer.gpkg": lambda: random.Random(17).randbytes(4096),
    "nul_bytes.csv": _nul_bytes,
    "gemischte_kodierung.csv": _mixed_encodings,
    "zeilenumbrueche_unicode.csv": _odd_line_breaks,
    "bom_in_der_mitte.csv": _bom_in_the_middle,
    "utf16_abgeschnitten.csv": lambda: "\ufeffDatum;Kategorie\n".encode("utf-16-le") + b"\x00",
    "formeln.csv": _formulas,
    "html_js.csv": _html_everywhere,
    "html_kopfzeile.csv": _html_header,
    "ohne_ort_900_html_spalten.csv": _no_place_many_html_columns,
    "steuerzeichen.csv": _control_characters,
    "koordinaten_absurd.csv": _absurd_coordinates,
    "datum_jahr_0_und_9999.csv": _years_0_and_9999,
    "fallzahlen_negativ.csv": _negative_counts,
    "fallzahlen_ueberlauf.csv": _count_overflow,
    "fallzahlen_jahr_0_und_9999.csv": _periods_0_and_9999,
    "zu_viele_felder.csv": lambda: _text(HEADER, VALID, "03.06.2024;Graffiti;51,3;12,3;a;b;c;d"),
    "anfuehrungszeichen_offen.csv": _unclosed_quote,
    "text_als.xlsx": lambda: _text(HEADER, VALID),
    "text_als.gpkg": lambda: _text(HEADER, VALID),
    "bild_als.json": lambda: (FIXTURES / "kachel.png").read_bytes(),
    "bild_als.csv": lambda: (FIXTURES / "kachel.png").read_bytes(),
    "arbeitsmappe_als.csv": lambda: (FIXTURES / "ordnungsamt_meldungen.xlsx").read_bytes(),
    "geojson_als.txt": lambda: (FIXTURES / "vorfaelle.geojson").read_bytes(),
    "abgeschnitten.xlsx": _xlsx_truncated,
    "formeln.xlsx": _xlsx_formulas,
    "leere_mappe.xlsx": _xlsx_empty,
    "nur_kopfzeile.xlsx": lambda: _xlsx([["Datum", "Kategorie", "Rechtswert", "Hochwert"]]),
    "xml_bombe.xlsx": _xml_bomb_xlsx,
    "csv_im.zip": _zip_of_csv,
    "abgeschnitten.zip": _zip_truncated,
    "geometrie_ungueltig.geojson": _invalid_geometries,
    "selbstueberschneidend.geojson": _self_intersecting,
    "ohne_objekte.geojson": lambda: _collection(),
    "features_kein_array.geojson": lambda: b'{"type": "FeatureCollection", "features": {"0": "Graffiti"}}',
    "crs_unbekannt.geojson": lambda: _collection(
        _feature({"type": "Point", "coordinates": [13.7381, 51.0496]}),
        crs={"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}),
    "verschachtelte_werte.geojson": lambda: _collection(*[  # lists in every feature: GDAL list fields
        _feature({"type": "Point", "coordinates": [13.7381 + i / 1000, 51.0496]}, Kategorie=labels,
                 Liste=[i, 2, 3], **extra)
        for i, (labels, extra) in enumerate([
            (["Graffiti", "Müll"], {}), (["Graffiti"], {"Datum": {"tag": "2023-09-14"}}), ([], {}),
            (["Graffiti"], {"Objekt": {"a": [None]}})])]),
    "html_js.geojson": lambda: _collection(*[_feature({"type": "Point", "coordinates": [13.7381, 51.0496]},
                                                      Kategorie=SCRIPT, Datum=SCRIPT, **{SCRIPT: SCRIPT})]),
    "abgeschnitten.gpkg": _gpkg_truncated,
    "sqlite_kein_gpkg.gpkg": _sqlite_not_gpkg,
    "leer.gpkg": _gpkg_empty,
    "polygone.gpkg": _gpkg_polygons,
    "koordinaten_absurd.gpkg": _gpkg_absurd,
    "open311_felder_fehlen.json": lambda: _open311([{"service_name": "Graffiti", "description": "kein Ort"}]),
    "open311_falsche_typen.json": _open311_mixed_types,
    "open311_keine_objekte.json": lambda: b'[1, "Graffiti", null, [51.1, 14.4]]',
    "open311_leer.json": lambda: b"[]",
    "open311_abgeschnitten.json": lambda: _open311([_open311_record()] * 3)[:-40],
    "open311_html_js.json": lambda: _open311([_open311_record(service_name=SCRIPT, requested_datetime=SCRIPT,
                                                              description=SCRIPT, address=SCRIPT)]),
}

#: File name → a function writing it (too big to commit); see :func:`write_large`.
LARGE: dict[str, Callable[[Path], None]] = {
    "lange_kopfzeile_50mb.csv": _long_header_line,
    "lange_datenzeile_50mb.csv": _long_data_line,
    "eine_zeile_50mb_ohne_umbruch.csv": _long_line_no_newline,
    "million_spalten.csv": _million_columns,
    "million_felder_in_zeile_3.csv": _million_fields,
    "open311_million_felder.json": _open311_million_fields,
    "tief_verschachtelt.geojson": _deep_geojson,
    "open311_tief_verschachtelt.json": _deep_open311,
    "zip_bombe.zip": _zip_bomb,
    "xlsx_bombe.xlsx": _xlsx_bomb,
    "xlsx_dicht_gepackt.xlsx": _dense_xlsx,
    "zip_luegt.xlsx": _lying_xlsx,
    "nul_nach_64kb.csv": _late_nul,
    "zu_gross_612mb.csv": _too_big,
}


def write_small(folder: Path = HERE) -> list[Path]:
    """Write the committed files into `folder`."""
    paths = []
    for name, build in SMALL.items():
        path = folder / name
        path.write_bytes(build())
        paths.append(path)
    return paths


def write_large(folder: Path) -> list[Path]:
    """Write the big files into `folder` (a temporary one) and return their paths."""
    paths = []
    for name, write in LARGE.items():
        path = folder / name
        write(path)
        paths.append(path)
    return paths


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parents[2]))
    for written in write_small():
        print(written.name, written.stat().st_size)
