"""The ASSKomm member list and network figures: shipped data, validation, merging."""

import datetime as dt
import re

import pandas as pd
import pytest

from geo import asskomm
from geo.boundaries import load_gemeinden
from geo.errors import InputFileError

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def members():
    return asskomm.load_members()


def test_shipped_list_has_52_saxon_gemeinden_each_with_a_source(members):
    assert len(members) == 52
    assert members["ags"].is_unique
    assert set(members["ags"]) <= set(load_gemeinden()["ags"])
    assert (members["quelle"] != "").all()


def test_freiberg_signed_its_agreement_on_28_november_2022(members):
    freiberg = members.set_index("ags").loc["14522180"]
    assert freiberg["gemeinde"] == "Freiberg"
    assert freiberg["kreis"] == "Mittelsachsen"
    assert freiberg["status"] == "Kooperationsvereinbarung"
    assert freiberg["kooperationsvereinbarung"] == "2022-11-28"
    assert freiberg["praeventionsrat"] == "geplant"
    assert "Medieninformation 28.11.2022" in freiberg["quelle"]


def test_status_counts_with_goerlitz_shown_as_modellkommune(members):
    assert asskomm.member_summary(members) == {
        "gesamt": 52, "Modellkommune": 8, "Kooperationsvereinbarung": 33, "beteiligt": 11,
        "praeventionsrat_ja": 12, "sicherheitsanalyse_durchgefuehrt": 17}
    goerlitz = members.set_index("ags").loc["14626110"]
    assert (goerlitz["status"], goerlitz["kooperationsvereinbarung"]) == ("Modellkommune", "2020-07")
    modell = members.loc[members["status"] == "Modellkommune", "gemeinde"]
    assert sorted(modell) == ["Chemnitz", "Freital", "Görlitz", "Leipzig", "Pirna", "Plauen", "Wurzen",
                              "Zwickau"]


def test_joint_agreements_keep_the_verbund_as_remark(members):
    olbersdorf = members[members["verbund"] == "VG Olbersdorf"]
    assert sorted(olbersdorf["gemeinde"]) == ["Bertsdorf-Hörnitz", "Jonsdorf", "Olbersdorf", "Oybin"]
    assert set(olbersdorf["kooperationsvereinbarung"]) == {"2022-01-14"}
    assert (members["verbund"] == "Städtebund Silberberg").sum() == 5


def test_network_figures_of_28_november_2022_as_the_smi_stated_them():
    assert asskomm.figures_on("2022-11-28") == {
        "kommunen_beraten": 133, "praeventionsraete": 28, "kooperationsvereinbarungen": 41,
        "coachingprozesse": 40, "sicherheitsanalysen": 25, "kommunen_im_netzwerk": 57,
        "foerdermittel_eur": 1_300_000}


def test_every_figure_has_a_date_and_a_source():
    figures = asskomm.load_figures()
    assert len(figures) == 23
    assert (figures["quelle"] != "").all()
    assert figures["datum"].str.match(r"^\d{4}-\d{2}(-\d{2})?$").all()


def test_info_panel_shows_the_latest_value_of_each_figure_with_date_and_source():
    latest = asskomm.latest_figures().set_index("kennzahl")
    assert latest.loc["kooperationsvereinbarungen", ["wert", "datum_text"]].tolist() == [60, "11.04.2025"]
    assert latest.loc["sicherheitsanalysen", ["wert", "datum_text"]].tolist() == [25, "02/2024"]
    assert latest.loc["kommunen_beraten", ["wert", "datum_text", "quelle"]].tolist() == [
        133, "28.11.2022", "SMI Sachsen, Medieninformation 28.11.2022"]
    assert latest.loc["kommunen_im_netzwerk", "wert"] == 54
    assert list(latest.index) == [k for k in asskomm.KENNZAHLEN if k in latest.index]
    assert len(latest) == 11


def test_incompleteness_is_stated_for_the_app():
    assert "unvollständig" in asskomm.UNVOLLSTAENDIG
    assert "60" in asskomm.UNVOLLSTAENDIG


def _excel_upload(lines):
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def test_excel_upload_with_semicolons_cp1252_and_german_dates_is_read():
    raw = _excel_upload([
        "AGS;Gemeinde;Kreis;Beteiligung;Kooperationsvereinbarung;Präventionsrat;Sicherheitsanalyse;"
        "Modellkommune;Quelle",
        "14522180;Freiberg;Mittelsachsen;Kooperationsvereinbarung;28.11.2022;ja;durchgeführt;;Stadt Freiberg",
        "14612000;Dresden;;beteiligt;03.2024;;;;Amtsblatt Dresden 3/2024",
    ])
    uploaded = asskomm.load_members(raw, name="mitglieder.csv")
    columns = ["ags", "gemeinde", "kreis", "kooperationsvereinbarung", "sicherheitsanalyse"]
    assert uploaded[columns].values.tolist() == [
        ["14522180", "Freiberg", "Mittelsachsen", "2022-11-28", "durchgeführt"],
        ["14612000", "Dresden", "Dresden, Stadt", "2024-03", ""]]


def test_all_row_problems_are_reported_together_with_file_row_and_column():
    raw = _excel_upload([
        "ags;gemeinde;beteiligung;kooperationsvereinbarung;praeventionsrat;quelle",
        "14522181;Freiberg;Kooperationsvereinbarung;2022-11-28;;x",
        "14522180;Chemnitz;beteiligt;;;x",
        "14511000;Chemnitz;Mitglied;2022-13;vielleicht;",
        "14522180;;beteiligt;2018-06-01;;y",
    ])
    with pytest.raises(InputFileError) as err:
        asskomm.load_members(raw, name="neu.csv")
    lines = str(err.value).splitlines()
    assert lines[0] == "neu.csv: 8 Fehler."
    assert lines[1] == ("Zeile 2: Spalte 'ags' enthält '14522181', das ist kein Amtlicher Gemeindeschlüssel "
                        "einer sächsischen Gemeinde (8 Ziffern, z. B. 14522180).")
    assert lines[2] == "Zeile 3: Spalte 'gemeinde' enthält 'Chemnitz', aber AGS 14522180 ist Freiberg."
    assert "Zeile 4: Spalte 'praeventionsrat' enthält 'vielleicht', erlaubt: ja / geplant oder leer." in lines
    assert any(line.startswith("Zeile 4: Spalte 'beteiligung' enthält 'Mitglied'") for line in lines)
    assert ("Zeile 4: Spalte 'kooperationsvereinbarung' enthält '2022-13', erwartet JJJJ-MM-TT, JJJJ-MM "
            "oder leer.") in lines
    assert any(line.startswith("Zeile 4: Spalte 'quelle' ist leer") for line in lines)
    assert "Zeile 5: AGS 14522180 (Freiberg) steht schon in Zeile 3." in lines
    assert ("Zeile 5: Spalte 'kooperationsvereinbarung': 2018-06-01 liegt vor der Gründung der Allianz "
            "(06.02.2019).") in lines


def test_missing_required_column_is_named():
    raw = _excel_upload(["ags;beteiligung", "14522180;beteiligt"])
    with pytest.raises(InputFileError, match=r"^x.csv: Spalte 'quelle' \(oder 'source', 'quellen'\) fehlt"):
        asskomm.load_members(raw, name="x.csv")


def test_future_agreement_date_is_rejected():
    rows = pd.DataFrame([{"ags": "14522180", "beteiligung": "beteiligt",
                          "kooperationsvereinbarung": "2027-01", "quelle": "x"}])
    expected = "Zeile 1: Spalte 'kooperationsvereinbarung': 2027-01 liegt in der Zukunft"
    with pytest.raises(InputFileError, match=expected):
        asskomm.validate_members(rows, name="Ergänzte Zeilen", today=TODAY)


def test_rows_added_in_the_app_are_merged_without_losing_any(members):
    rows = pd.DataFrame([
        {"ags": "14612000", "beteiligung": "Kooperationsvereinbarung",
         "kooperationsvereinbarung": "2024-05-02", "quelle": "Amtsblatt Dresden"},
        {"ags": "14522180", "beteiligung": "Kooperationsvereinbarung", "sicherheitsanalyse": "durchgeführt",
         "quelle": "Stadt Freiberg 2024"},
    ])
    added = asskomm.validate_members(rows, name="Ergänzte Zeilen", today=TODAY)
    merged = asskomm.merge_members(members, added)
    assert len(merged) == 53
    assert set(members["ags"]) | {"14612000"} == set(merged["ags"])
    by_ags = merged.set_index("ags")
    assert by_ags.loc["14612000", ["gemeinde", "status", "herkunft"]].tolist() == [
        "Dresden", "Kooperationsvereinbarung", "ergänzt"]
    freiberg = by_ags.loc["14522180"]
    assert freiberg["sicherheitsanalyse"] == "durchgeführt"
    assert freiberg["kooperationsvereinbarung"] == "2022-11-28"  # kept from the shipped row
    assert freiberg["praeventionsrat"] == "geplant"
    assert freiberg["quelle"].endswith("; Stadt Freiberg 2024")
    assert freiberg["herkunft"] == "mitgeliefert, ergänzt"
    assert (by_ags.drop(index=["14612000", "14522180"])["herkunft"] == "mitgeliefert").all()
    assert len(members) == 52  # inputs untouched


def test_date_parsing_accepts_iso_and_german_forms_only():
    assert asskomm.parse_date("2022-11-28") == "2022-11-28"
    assert asskomm.parse_date("2021-08") == "2021-08"
    assert asskomm.parse_date("5.2.2021") == "2021-02-05"
    assert asskomm.parse_date("11.2021") == "2021-11"
    assert asskomm.parse_date("") == ""
    assert asskomm.parse_date("2022-02-30") is None
    assert asskomm.parse_date("Nov 2021") is None


def test_figures_file_with_unknown_key_and_no_source_is_rejected():
    raw = b"datum;kennzahl;wert;quelle\n2024-13;mitglieder;12;\n"
    with pytest.raises(InputFileError) as err:
        asskomm.load_figures(raw, name="kennzahlen.csv")
    lines = str(err.value).splitlines()
    assert lines[0] == "kennzahlen.csv: 3 Fehler."
    assert lines[1] == "Zeile 2: Spalte 'datum' enthält '2024-13', erwartet JJJJ-MM-TT oder JJJJ-MM."
    assert lines[2].startswith("Zeile 2: Spalte 'kennzahl' enthält 'mitglieder', erlaubt: modellkommunen,")
    assert lines[3] == "Zeile 2: Spalte 'quelle' ist leer; jede Kennzahl braucht eine Quelle."


def test_cli_checks_the_shipped_file_and_prints_figures_with_date_and_source(capsys):
    from geo.__main__ import main

    assert main(["asskomm"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("asskomm_kommunen.csv: 52 Gemeinden, gültig.")
    assert re.search(r"Kooperationsvereinbarungen\s+60\s+11\.04\.2025\s+asskomm\.sachsen\.de", out)
    assert re.search(r"Kommunen beraten\s+133\s+28\.11\.2022\s+SMI Sachsen, Medieninformation", out)
    assert asskomm.UNVOLLSTAENDIG in out


def test_cli_reports_a_broken_upload_with_exit_code_2(tmp_path, capsys):
    from geo.__main__ import main

    path = tmp_path / "kreis.csv"
    path.write_bytes(_excel_upload(["ags;beteiligung;quelle", "14522180;beteiligt;", "14612000;beteiligt;x"]))
    assert main(["asskomm", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[:2] == [
        "Fehler: kreis.csv: 1 Fehler.",
        "Zeile 2: Spalte 'quelle' ist leer; jede Zeile braucht eine Quelle (Medieninformation, "
        "Internetseite, Zeitungsartikel)."]
    path.write_bytes(_excel_upload(["ags;beteiligung;quelle", "14612000;beteiligt;Amtsblatt"]))
    assert main(["asskomm", str(path), "--zusammenfuehren"]) == 0
    assert capsys.readouterr().out.startswith("kreis.csv: 53 Gemeinden, gültig.")


def test_rows_from_an_editable_table_skip_the_blank_row_and_count_from_one():
    rows = pd.DataFrame([
        {"ags": "14612000", "beteiligung": "beteiligt", "praeventionsrat": None, "quelle": "Amtsblatt"},
        {"ags": None, "beteiligung": None, "praeventionsrat": None, "quelle": None},
        {"ags": "14612000", "beteiligung": "beteiligt", "praeventionsrat": "ja", "quelle": "x"},
    ])
    with pytest.raises(InputFileError) as err:
        asskomm.validate_members(rows, name="Ergänzte Zeilen")
    assert str(err.value).splitlines() == ["Ergänzte Zeilen: 1 Fehler.",
                                           "Zeile 3: AGS 14612000 (Dresden) steht schon in Zeile 1."]
    added = asskomm.validate_members(rows.iloc[:2], name="Ergänzte Zeilen")
    assert added[["ags", "gemeinde", "praeventionsrat"]].values.tolist() == [["14612000", "Dresden", ""]]
