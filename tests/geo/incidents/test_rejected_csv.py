"""Rejected rows go back to the user as CSV: never as a spreadsheet formula."""

from geo.incidents import read_incidents


def test_rejected_rows_with_formula_text_are_neutralised(tmp_path):
    path = tmp_path / "ordnungsamt.csv"
    path.write_text(
        "Datum;Kategorie;Rechtswert;Hochwert\n"
        "03.05.2024;Graffiti;383503;5642181\n"
        "04.05.2024;=HYPERLINK(\"http://x\");383600;5642200\n",
        encoding="utf-8",
    )
    report = read_incidents(path).report
    assert report.accepted == 1 and report.rejected == 1
    text = report.rejected_csv().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n=" not in text and ";=" not in text
