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


def test_a_carriage_return_and_a_formula_in_a_rejected_cell_stay_inside_their_row(tmp_path):
    import csv
    import io

    from geo.incidents import read_incidents

    lines = ["Datum;Delikt;Rechtswert;Hochwert"]
    # a quoted cell holding a carriage return and a formula; no coordinates: every row is rejected
    lines += [f'01.02.2024;Graffiti;"\r=1+1";{n}' for n in range(40)]
    path = tmp_path / "export.csv"
    path.write_bytes("\n".join(lines).encode("utf-8"))
    report = read_incidents(path).report
    assert report.rejected == 40
    rows = list(csv.reader(io.StringIO(report.rejected_csv().decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 41  # header and the 40 rows, not 46
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
