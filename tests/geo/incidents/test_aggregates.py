"""Aggregated tables: AGS/name tables, LKA-style PKS excerpts and the real BKA Kreis table."""

import datetime as dt

import pandas as pd
import pytest

from geo import boundaries
from geo.errors import InputFileError
from geo.incidents import read_incidents
from geo.incidents.pks import read_pks_kreise
from geo.sources import GEMEINDEN_2016_ZU_2023, PKS_KREISE_2020
from tests.geo.incidents.conftest import DATA, NOW

YEAR_2023 = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))


def test_ags_table_every_row_accounted_for():
    report = read_incidents(DATA / "fallzahlen_gemeinden.csv", now=NOW).report
    assert (report.rows, report.accepted, report.rejected, report.ignored) == (18, 7, 9, 2)
    assert report.reasons == {
        "datum_unlesbar": 1,
        "datum_zukunft": 1,
        "kategorie_unbekannt": 1,
        "duplikat": 1,
        "gebiet_unbekannt": 2,
        "anzahl_ungueltig": 3,
    }
    assert report.ignored_reasons == {"nicht_sachsen": 1, "summenzeile": 1}
    assert report.categories == {"graffiti": 3600, "littering": 57, "violence": 760}  # cases, not rows
    assert report.period == YEAR_2023


def test_ags_table_messages_name_row_column_and_problem():
    report = read_incidents(DATA / "fallzahlen_gemeinden.csv", now=NOW).report
    grund = report.rejected_rows.set_index("zeile")["grund"]
    f = "fallzahlen_gemeinden.csv"
    assert grund[6] == (
        f"{f}, Zeile 6, Spalte 'AGS': Gebiet 'Bernsdorf' ist mehrdeutig: gemeinde 14524010, "
        "gemeinde 14625030 – bitte den Schlüssel angeben."
    )
    assert (
        grund[7] == f"{f}, Zeile 7, Spalte 'AGS': Gebiet '14999999' ist keine sächsische Gemeinde "
        "und kein sächsischer Kreis."
    )
    assert grund[10] == f"{f}, Zeile 10, Spalte 'Anzahl': '-4' ist keine nicht-negative ganze Zahl."
    assert grund[11] == f"{f}, Zeile 11, Spalte 'Anzahl': '12,5' ist keine nicht-negative ganze Zahl."
    assert grund[12] == f"{f}, Zeile 12, Spalte 'Anzahl': Tabellenfehler '#DIV/0!' statt einer Anzahl."
    assert grund[13].endswith("wie Zeile 2.")
    assert grund[18] == f"{f}, Zeile 18: Zeitraum ab 01.01.2030 liegt in der Zukunft."


def test_ags_table_keys_names_thousands_and_summed_labels():
    aggregates = read_incidents(DATA / "fallzahlen_gemeinden.csv", now=NOW).aggregates
    rows = {(r.area_key, r.level, r.category): r.count for r in aggregates.itertuples()}
    assert rows == {
        ("14522", "kreis", "graffiti"): 321,
        ("14612000", "gemeinde", "graffiti"): 1234,  # "1.234"
        ("14713000", "gemeinde", "graffiti"): 2045,
        ("14522180", "gemeinde", "littering"): 57,  # by name: Freiberg
        ("14713000", "gemeinde", "violence"): 310,  # "Leipzig" in a Gemeinde column is the city
        ("14612000", "gemeinde", "violence"): 450,  # Körperverletzung 400 + Raub 50
    }
    assert set(zip(aggregates["period_start"], aggregates["period_end"], strict=True)) == {YEAR_2023}


def test_leipzig_is_ambiguous_without_a_level_and_resolved_by_a_kreis_column(tmp_path):
    plain = tmp_path / "gebiete.csv"
    plain.write_text(
        "Gebiet;Kategorie;Jahr;Anzahl\nLeipzig;Graffiti;2022;5\nLandkreis Leipzig;Graffiti;2022;7\n",
        encoding="utf-8",
    )
    report = read_incidents(plain).report
    assert report.reasons == {"gebiet_unbekannt": 1}
    assert "Leipzig' ist mehrdeutig: gemeinde 14713000, kreis 14729" in report.rejected_rows["grund"][0]
    kreise = tmp_path / "kreise.csv"
    kreise.write_text(
        "Kreis;Kategorie;Jahr;Anzahl\nLeipzig;Graffiti;2022;5\nLeipzig, Stadt;Graffiti;2022;9\n",
        encoding="utf-8",
    )
    result = read_incidents(kreise)
    assert result.aggregates[["area_key", "level", "count"]].values.tolist() == [
        ["14713", "kreis", 9],
        ["14729", "kreis", 5],
    ]


def test_keys_and_names_from_before_a_merger_count_for_the_gemeinde_of_today(tmp_path):
    # An Ordnungsamt's old table (Gebietsstand 2016): Aue and Bad Schlema are Aue-Bad Schlema
    # (14521035) since 2019, Kohren-Sahlis is part of Frohburg, Ostrau part of Jahnatal.
    path = tmp_path / "fallzahlen_2018.csv"
    path.write_bytes(
        "AGS;Gemeinde;Kategorie;Jahr;Anzahl\n"
        "14521030;Aue;Graffiti;2018;12\n"
        "14521050;Bad Schlema;Graffiti;2018;3\n"
        "14521035;Aue-Bad Schlema;Graffiti;2018;4\n"
        "14729230;Kohren-Sahlis;Vermüllung;2018;2\n"
        "14729140;Frohburg;Vermüllung;2018;5\n"
        ";Ostrau;Graffiti;2018;1\n"
        "14521030;Aue;Graffiti;2018;12\n"
        "14599999;Nirgendwo;Graffiti;2018;1\n".encode("cp1252")
    )
    result = read_incidents(path)
    report = result.report
    assert (report.rows, report.accepted) == (8, 6)
    assert report.reasons == {"duplikat": 1, "gebiet_unbekannt": 1}  # the repeated Aue row; a made-up key
    counts = result.aggregates.set_index(["area_key", "category"])["count"].to_dict()
    assert counts == {("14521035", "graffiti"): 12 + 3 + 4, ("14522275", "graffiti"): 1,
                      ("14729140", "littering"): 2 + 5}
    note = next(n for n in report.notes if "Fusion" in n)
    assert "Aue (14521030) → Aue-Bad Schlema (14521035), 1 Zeile" in note
    assert "Bad Schlema (14521050) → Aue-Bad Schlema (14521035), 1 Zeile" in note
    assert "Kohren-Sahlis (14729230) → Frohburg (14729140)" in note
    assert "Ostrau (14522450) → Jahnatal (14522275)" in note
    assert report.rejected_rows["grund"].str.contains("'14599999' ist keine sächsische Gemeinde").sum() == 1


def test_the_shipped_merger_table_maps_whole_gemeinden_onto_gemeinden_of_today():
    table = pd.read_csv(GEMEINDEN_2016_ZU_2023, dtype=str)
    merged = boundaries.merged_gemeinden()
    today = set(boundaries.load_gemeinden()["ags"])
    then = set(table["ags_vg250_2016"])
    assert len(then) == len(table) == 426 and len(merged) == 10
    # Today's 418 keys: those of 2016 that stayed, and the Gemeinden the others merged into.
    assert (then - set(merged["ags_alt"])) | set(merged["ags"]) == today
    assert not merged["ags_alt"].isin(today).any()


def test_table_without_period_needs_one_and_period_option_sets_it(tmp_path):
    path = tmp_path / "fallzahlen.csv"
    path.write_text("AGS;Kategorie;Anzahl\n14612000;Graffiti;3\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="--period 2022"):
        read_incidents(path)
    result = read_incidents(path, period="2021-07..2022-06")
    assert (result.aggregates["period_start"][0], result.aggregates["period_end"][0]) == (
        dt.date(2021, 7, 1),
        dt.date(2022, 6, 30),
    )


def test_lka_style_pks_excerpt_keys_win_summaries_never_added_to_parts():
    result = read_incidents(DATA / "pks_gemeinden_2022.csv")
    report = result.report
    assert (report.rows, report.accepted, report.rejected, report.ignored) == (14, 5, 1, 8)
    assert report.ignored_reasons == {"nicht_sachsen": 1, "summenzeile": 1, "nicht_zugeordnet": 6}
    assert report.reasons == {"anzahl_ungueltig": 1}
    assert report.rejected_rows["zeile"].tolist() == [13]  # title, note and column-number rows counted
    assert "Zeitraum aus dem Dateinamen: 2022" in report.notes
    assert "PKS-Schlüssel ohne Zuordnung, nicht verwendet: 3***00" in report.notes
    rows = {(r.area_key, r.category): r.count for r in result.aggregates.itertuples()}
    assert rows == {
        ("14612000", "graffiti"): 1502,  # not + 674000 Sachbeschädigung, not + 899000
        ("14612000", "violence"): 1187,  # 892000 only; 222000 and 217000 are parts of it
        ("14522180", "graffiti"): 88,  # '#DIV/0!' in Häufigkeitszahl does not matter
        ("14522180", "drugs"): 97,
        ("14713000", "graffiti"): 2345,
    }


def test_bka_kreis_table_2020_saxony_matches_published_totals():
    aggregates = read_pks_kreise()
    assert set(aggregates["level"]) == {"kreis"}
    assert aggregates["area_key"].nunique() == 13
    totals = aggregates.groupby("category")["count"].sum().to_dict()
    assert totals == {"graffiti": 9712, "violence": 7566, "drugs": 13836}
    leipzig = aggregates[aggregates["category"] == "graffiti"].set_index("area_key")["count"]
    assert (leipzig["14713"], leipzig["14729"]) == (3314, 381)  # Stadt and Landkreis kept apart
    assert set(aggregates["period_start"]) == {dt.date(2020, 1, 1)}
    assert set(aggregates["period_end"]) == {dt.date(2020, 12, 31)}


def test_bka_kreis_table_report_accounts_for_all_of_germany():
    report = read_incidents(PKS_KREISE_2020).report
    assert report.rows == 16_842
    assert report.accepted == 13 * 3
    assert report.rejected == 0
    assert report.ignored_reasons == {"nicht_sachsen": 16_842 - 13 * 42, "nicht_zugeordnet": 13 * 42 - 39}


def test_reason_table_for_the_app_sums_to_rows_read():
    report = read_incidents(DATA / "pks_gemeinden_2022.csv").report
    table = report.reason_table()
    assert table.values.tolist() == [
        ["übernommen", "", 5],
        ["abgelehnt", "Anzahl negativ, keine ganze Zahl oder fehlt", 1],
        ["nicht verwendet", "Gebiet außerhalb Sachsens (nicht importiert)", 1],
        ["nicht verwendet", "Summenzeile (Sachsen/Deutschland gesamt, nicht doppelt gezählt)", 1],
        [
            "nicht verwendet",
            "Kategorie bewusst nicht verwendet (Zuordnung 'ignorieren' oder PKS-Schlüssel ohne Zuordnung)",
            6,
        ],
    ]
    assert table["Zeilen"].sum() == report.rows
    csv_text = report.rejected_csv().decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("zeile;grund;Schlüssel;Straftat")
