"""``python -m geo befragung``: class counts with the caveat, CSV table for Excel."""

from pathlib import Path

import pandas as pd

from geo.__main__ import main
from geo.incidents.demo import demo_points
from geo.survey import coincide
from geo.survey.shares import load_shares

SURVEY = Path(__file__).resolve().parents[2] / "data" / "survey"


def test_shares_file_against_demo_incidents(tmp_path, capsys):
    out = tmp_path / "abgleich.csv"
    assert main(["befragung", "--anteile", str(SURVEY / "anteile_unsicher.csv"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    expected = coincide.coincidence_by_gemeinde(demo_points(), load_shares(SURVEY / "anteile_unsicher.csv"))
    for klasse, count in expected.counts().items():
        assert f"  {klasse:55} {count:>6}" in text
    assert expected.hinweis in text
    table = pd.read_csv(out, sep=";", decimal=",", encoding="utf-8-sig", dtype={"ags": str})
    assert list(table["ags"]) == ["14511000", "14521170", "14522150", "14522180"]
    assert table.set_index("ags").loc["14521170", "klasse"] == coincide.TOO_SMALL
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


def test_without_survey_input_the_command_says_what_is_missing(capsys):
    assert main(["befragung"]) == 2
    assert "Bitte --anteile, --angstraeume oder --demo angeben." in capsys.readouterr().err
