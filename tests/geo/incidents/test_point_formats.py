"""Every point format, read from hand-written fixtures, with exact expected outcomes."""

import pytest
import shapely

from geo.crs import METRIC_CRS
from geo.incidents import read_incidents
from tests.geo.incidents.conftest import DATA, NOW


def read(name, **options):
    return read_incidents(DATA / name, now=NOW, **options)


def test_german_police_export_cp1252_every_rejection_reason_once_with_row_and_column():
    result = read("polizei_export_cp1252.csv")
    report = result.report
    assert (report.rows, report.accepted, report.rejected) == (16, 7, 9)
    assert report.reasons == {
        "keine_koordinaten": 1,
        "koordinaten_unlesbar": 1,
        "ausserhalb_sachsen": 2,
        "datum_unlesbar": 2,
        "datum_zukunft": 1,
        "kategorie_unbekannt": 1,
        "duplikat": 1,
    }
    assert report.categories == {
        "graffiti": 2,
        "littering": 1,
        "violence": 1,
        "extremism": 1,
        "drugs": 1,
        "other": 1,
    }
    grund = dict(zip(report.rejected_rows["zeile"], report.rejected_rows["grund"], strict=True))
    f = "polizei_export_cp1252.csv"
    assert grund[9] == f"{f}, Zeile 9, Spalten 'Rechtswert'/'Hochwert': keine Koordinaten."
    assert grund[10] == f"{f}, Zeile 10, Spalte 'Rechtswert': '383498,2a' ist keine Koordinate."
    assert grund[11] == (
        f"{f}, Zeile 11, Spalten 'Rechtswert'/'Hochwert': (392340,2 / 5820271,2) liegt "
        "99,1 km außerhalb Sachsens."
    )
    assert grund[12].startswith(f"{f}, Zeile 12, Spalte 'Tatzeit': '31.04.2023 12:00' ist kein Datum")
    assert grund[13] == f"{f}, Zeile 13, Spalte 'Tatzeit': 01.01.2031 12:00 liegt in der Zukunft."
    assert grund[14] == f"{f}, Zeile 14, Spalte 'Delikt': Kategorie 'Hundekot' steht nicht in der Zuordnung."
    assert grund[15] == f"{f}, Zeile 15: doppelt – gleicher Ort, gleiche Zeit und Kategorie wie Zeile 2."
    assert grund[16].endswith("liegt 6,3 km außerhalb Sachsens.")
    assert grund[17] == f"{f}, Zeile 17, Spalte 'Tatzeit': kein Datum."
    # the rejected rows keep the file's own columns, umlauts decoded from cp1252
    assert report.rejected_rows.loc[report.rejected_rows["zeile"] == 11, "Straße"].item() == "Alexanderplatz"
    assert "Zeichenkodierung cp1252" in report.notes[0]


def test_police_export_points_are_metric_with_assigned_gemeinde_and_naive_local_time():
    points = read("polizei_export_cp1252.csv").points
    assert points.crs == METRIC_CRS
    assert list(points.columns) == ["category", "time", "ags", "geometry"]
    assert str(points["time"].dtype) == "datetime64[s]"
    assert points["ags"].tolist() == [
        "14612000",
        "14713000",
        "14511000",
        "14626110",
        "14523320",
        "14524330",
        "14625020",
    ]
    assert points["category"].tolist() == [
        "graffiti",
        "violence",
        "littering",
        "drugs",
        "extremism",
        "other",
        "graffiti",
    ]
    first = points.iloc[0]
    assert (first.geometry.x, first.geometry.y) == (411548.9, 5656098.2)
    assert str(first["time"]) == "2023-05-03 22:15:00"
    assert str(points.iloc[4]["time"]) == "2023-05-08 00:00:00"  # date without time


def test_utf8_bom_wgs84_decimal_comma_separate_time_column_and_swapped_rows_corrected():
    result = read("ordnungsamt_utf8_bom.csv")
    report = result.report
    assert (report.rows, report.accepted, report.rejected) == (5, 5, 0)
    assert report.categories == {"graffiti": 1, "littering": 4}
    assert result.points["ags"].tolist() == ["14612000", "14713000", "14511000", "14612000", "14626110"]
    assert [str(t) for t in result.points["time"]][:3] == [
        "2024-06-02 07:30:00",
        "2024-06-02 00:00:00",
        "2024-06-03 22:10:00",
    ]
    assert any("Koordinatensystem erkannt: WGS84" in n for n in report.notes)
    swapped = [n for n in report.notes if "vertauschte Koordinaten" in n]
    assert swapped == [
        "vertauschte Koordinaten (Breite/Länge bzw. Rechts-/Hochwert) in 2 Datensätzen erkannt "
        "und korrigiert, zuerst ordnungsamt_utf8_bom.csv, Zeile 4."
    ]
    # Chemnitz (swapped in the file) lands within a metre of its UTM position
    assert result.points.geometry.iloc[2].distance(shapely.Point(353894.0, 5633216.5)) < 1.0


def test_international_csv_iso_dates_with_offsets_become_german_local_time():
    result = read("maengelmelder_international.csv")
    report = result.report
    assert (report.rows, report.accepted) == (5, 3)
    assert report.reasons == {"ausserhalb_sachsen": 1, "datum_unlesbar": 1}
    assert [str(t) for t in result.points["time"]] == [
        "2024-03-01 09:15:00",  # 08:15Z in winter = 09:15 CET
        "2024-07-01 08:15:00",  # +02:00 kept as local summer time
        "2024-07-02 10:00:00",  # naive ISO taken as local
    ]
    assert result.points["category"].tolist() == ["graffiti", "littering", "littering"]
    assert "Trennzeichen ','" in report.notes[0]


def test_gauss_krueger_zone_4_detected_and_a_swapped_rechtswert_hochwert_corrected():
    result = read("gauss_krueger_gk4.csv")
    report = result.report
    assert (report.rows, report.accepted, report.rejected) == (5, 5, 0)
    assert "Koordinatensystem erkannt: Gauß-Krüger Zone 4 (EPSG:31468)" in report.notes
    assert any("in 1 Datensatz erkannt" in n and "Zeile 6" in n for n in report.notes)
    assert result.points["ags"].tolist() == ["14713000", "14511000", "14612000", "14524330", "14713000"]
    # Leipzig Hbf in GK4 → UTM 33 within a metre of the direct WGS84 → UTM position
    assert result.points.geometry.iloc[0].distance(shapely.Point(317684.5, 5691500.6)) < 1.0


def test_explicit_crs_overrides_detection():
    result = read("gauss_krueger_gk4.csv", crs="EPSG:31469")
    assert result.report.accepted == 0
    assert result.report.reasons == {"ausserhalb_sachsen": 5}


def test_open311_json_unknown_service_missing_position_and_duplicate_across_time_zones():
    result = read("open311_maengelmelder.json")
    report = result.report
    assert (report.rows, report.accepted) == (5, 2)
    assert report.reasons == {"keine_koordinaten": 1, "kategorie_unbekannt": 1, "duplikat": 1}
    grund = report.rejected_rows.set_index("zeile")["grund"]
    assert grund[5] == (
        "open311_maengelmelder.json, Eintrag 5: doppelt – gleicher Ort, gleiche Zeit und "
        "Kategorie wie Eintrag 1."
    )
    assert result.points["ags"].tolist() == ["14625020", "14522180"]
    assert [str(t) for t in result.points["time"]] == ["2024-04-02 09:12:00", "2024-04-03 16:45:10"]


def test_geojson_points_polygon_and_missing_geometry():
    result = read("vorfaelle.geojson")
    report = result.report
    assert (report.rows, report.accepted) == (2 + 2, 2)
    assert report.reasons == {"keine_koordinaten": 1, "koordinaten_unlesbar": 1}
    grund = report.rejected_rows.set_index("zeile")["grund"]
    assert grund[3] == "vorfaelle.geojson, Objekt 3: Geometrie ist kein Punkt (Polygon)."
    assert grund[4] == "vorfaelle.geojson, Objekt 4, Geometrie: keine Koordinaten."
    assert result.points["ags"].tolist() == ["14511000", "14523320"]


def test_geopackage_in_gauss_krueger_is_reprojected(tmp_path):
    source = read("gauss_krueger_gk4.csv").points
    gk = source.to_crs("EPSG:31468").assign(Kategorie=source["category"], Datum=source["time"])
    path = tmp_path / "vorfaelle.gpkg"
    gk[["Kategorie", "Datum", "geometry"]].to_file(path, layer="vorfaelle")
    result = read_incidents(path, now=NOW)
    assert result.report.accepted == 5
    assert result.points["ags"].tolist() == source["ags"].tolist()
    assert result.points.geometry.distance(source.geometry).max() < 0.01


def test_xlsx_first_sheet_below_a_title_row_with_excel_dates_and_a_text_date():
    result = read("ordnungsamt_meldungen.xlsx")
    report = result.report
    assert (report.rows, report.accepted) == (5, 3)
    assert report.reasons == {"koordinaten_unlesbar": 1, "kategorie_unbekannt": 1}
    assert report.rejected_rows["zeile"].tolist() == [7, 8]  # spreadsheet rows, title and header counted
    assert [str(t) for t in result.points["time"]] == [
        "2023-01-12 08:30:00",
        "2023-02-03 22:05:00",
        "2023-03-15 10:00:00",
    ]
    assert "Tabellenblatt 'Meldungen', Kopfzeile in Zeile 3" in report.notes


def test_xlsx_named_sheet_is_an_aggregated_table():
    result = read("ordnungsamt_meldungen.xlsx", sheet="Vorjahr")
    assert result.report.kind == "aggregiert"
    assert result.report.reasons == {"anzahl_ungueltig": 1}
    assert result.aggregates[["area_key", "category", "count"]].values.tolist() == [
        ["14511000", "graffiti", 96],
        ["14511000", "littering", 412],
    ]


def test_column_override_and_fixed_category():
    path = DATA / "ordnungsamt_utf8_bom.csv"
    result = read_incidents(path, now=NOW, category_column="Bemerkung")
    assert result.report.accepted == 0
    assert result.report.reasons == {"kategorie_unbekannt": 5}
    fixed = read_incidents(path, now=NOW, category="graffiti")
    assert fixed.report.categories == {"graffiti": 5}


def test_unknown_option_is_a_programming_error():
    with pytest.raises(TypeError):
        read_incidents(DATA / "ordnungsamt_utf8_bom.csv", colour="red")


@pytest.mark.parametrize(
    ("crs", "name"),
    [
        ("EPSG:25832", "ETRS89/UTM 32 (EPSG:25832)"),
        ("EPSG:31469", "Gauß-Krüger Zone 5 (EPSG:31469)"),
        ("EPSG:25833+33", "ETRS89/UTM 33 mit Zonenkennung 33 vor dem Rechtswert"),
    ],
)
def test_other_reference_systems_are_detected(tmp_path, crs, name):
    from pyproj import Transformer

    places = {"14626110": (14.9872, 51.1529), "14612000": (13.7381, 51.0496), "14713000": (12.3821, 51.3455)}
    source = "EPSG:25833" if crs == "EPSG:25833+33" else crs
    to_crs = Transformer.from_crs("EPSG:4326", source, always_xy=True)
    lines = ["Datum;Delikt;Rechtswert;Hochwert"]
    for lon, lat in places.values():
        x, y = to_crs.transform(lon, lat)
        x += 33_000_000 if crs == "EPSG:25833+33" else 0
        lines.append(f"01.02.2024;Graffiti;{x:.2f};{y:.2f}".replace(".", ","))
    path = tmp_path / "koordinaten.csv"
    path.write_text("\n".join(lines).replace("01,02,2024", "01.02.2024"), encoding="utf-8")
    result = read_incidents(path, now=NOW)
    assert f"Koordinatensystem erkannt: {name}" in result.report.notes
    assert result.points["ags"].tolist() == list(places)


def test_padded_cells_and_blank_lines_are_read_with_correct_row_numbers(tmp_path):
    path = tmp_path / "gepolstert.csv"
    path.write_text(
        "Datum;Kategorie;Breite;Länge\n"
        " 03.05.2023 22:15 ; Graffiti ; 51,0496 ;13,7381\n"
        "\n"
        "04.05.2023;   ;51,0496;13,7381\n"
        "   ;Graffiti;51,3455;12,3821\n"
        "05.05.2023;Graffiti;  ;12,3821\n",
        encoding="utf-8",
    )
    report = read_incidents(path, now=NOW).report
    assert (report.rows, report.accepted) == (4, 1)
    grund = report.rejected_rows.set_index("zeile")["grund"]
    assert grund[4] == "gepolstert.csv, Zeile 4, Spalte 'Kategorie': keine Kategorie."
    assert grund[5] == "gepolstert.csv, Zeile 5, Spalte 'Datum': kein Datum."
    assert grund[6] == "gepolstert.csv, Zeile 6, Spalten 'Länge'/'Breite': keine Koordinaten."
