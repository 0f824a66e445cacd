"""``python -m geo massnahmen bewerten``: a stored measure or an ad-hoc place, through the real files.

The case: in Freiberg 20 graffiti in a 200 m square T in the year before 1 March 2024 and 8 after,
10 and 22 in the ring D around it, 200 and 200 far off in the rest of the Gemeinde (C) — the
incidents moved round the corner. The CLI reads them from an Ordnungsamt CSV (WGS84) or the store.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
import shapely
from pyproj import Transformer

from geo.__main__ import main
from geo.boundaries import gemeinde
from geo.crs import METRIC_CRS
from geo.measures.model import Measure
from geo.measures.register import MeasureRegister
from geo.store import IncidentStore

FREIBERG = "14522180"
CONTRACT = ["t_vorher", "t_nachher", "d_vorher", "d_nachher", "c_vorher", "c_nachher", "wdq", "wdd", "wdd_se",
            "wdd_z", "rr", "rr_unten", "rr_oben", "urteil"]
TO_WGS84 = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bewerten")
    c = gemeinde(FREIBERG).geometry.representative_point()
    place = shapely.box(c.x - 100, c.y - 100, c.x + 100, c.y + 100)
    spots = {"t": (c.x, c.y), "d": (c.x + 200, c.y), "c": (c.x + 1500, c.y + 1500)}
    lines = ["Datum;Uhrzeit;Kategorie;Breite;Länge"]
    for n, spot, first in [(20, "t", "2023-04-01"), (8, "t", "2024-04-01"), (10, "d", "2023-05-01"),
                           (22, "d", "2024-05-01"), (200, "c", "2023-03-01"), (200, "c", "2024-03-01")]:
        x, y = spots[spot]
        for i in range(n):
            lon, lat = TO_WGS84.transform(x + i % 7, y + i % 5)
            when = pd.Timestamp(first) + pd.Timedelta(hours=10 + 12 * i)
            lines.append(f"{when:%d.%m.%Y};{when:%H:%M};Graffiti;{lat:.7f};{lon:.7f}")
    incidents = folder / "ordnungsamt.csv"
    incidents.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ring = shapely.transform(place, lambda xy: list(zip(*TO_WGS84.transform(xy[:, 0], xy[:, 1]),
                                                        strict=True)))
    area = folder / "flaeche.geojson"
    area.write_text(json.dumps({"type": "Feature", "properties": {},
                                "geometry": shapely.geometry.mapping(ring)}), encoding="utf-8")
    return incidents, area, place


def _json(capsys, args):
    assert main(args) == 0
    return json.loads(capsys.readouterr().out)


def test_an_ad_hoc_evaluation_counts_by_hand_and_sees_the_displacement(case, capsys):
    incidents, area, _place = case
    out = _json(capsys, ["massnahmen", "bewerten", "--incidents", str(incidents), "--flaeche", str(area),
                         "--beginn", "2024-03-01", "--kategorie", "graffiti", "--stichtag", "2025-02-28",
                         "--json"])
    assert list(out)[:len(CONTRACT)] == CONTRACT
    assert [out[k] for k in CONTRACT[:6]] == [20, 8, 10, 22, 200, 200]
    assert out["wdq"] == pytest.approx((22 / 200 - 10 / 200) / (8 / 200 - 20 / 200))  # −1: all moved
    assert out["rr"] == pytest.approx((8 / 20) / (200 / 200))
    assert "Verdrängung in die Umgebung wahrscheinlich" in out["urteil"]
    assert out["beginn"] == "2024-03-01" and out["puffer_m"] == 250


def test_a_stored_measure_is_judged_from_the_store_the_same_way(case, capsys, tmp_path):
    incidents, area, place = case
    store = tmp_path / "speicher"
    IncidentStore(store).import_file(incidents)
    measure = MeasureRegister(IncidentStore(store)).add(
        Measure(id=None, title="Beleuchtung Unterführung", kind="beleuchtung", categories=("graffiti",),
                place=place, place_kind="zeichnung", ags=FREIBERG, start=dt.date(2024, 3, 1), end=None,
                responsible="Ordnungsamt", cost_eur=None, status="umgesetzt", decision="", notes=""),
        who="Test")
    stored = _json(capsys, ["massnahmen", "bewerten", str(measure.id), "--store", str(store), "--stichtag",
                            "2025-02-28", "--json"])
    ad_hoc = _json(capsys, ["massnahmen", "bewerten", "--incidents", str(incidents), "--flaeche", str(area),
                            "--beginn", "2024-03-01", "--kategorie", "graffiti", "--stichtag", "2025-02-28",
                            "--json"])
    assert [stored[k] for k in CONTRACT[:6]] == [20, 8, 10, 22, 200, 200]
    figures = CONTRACT[:-1]  # the store and the file give the same evaluation
    assert [stored[k] for k in figures] == pytest.approx([ad_hoc[k] for k in figures], rel=1e-9)
    assert stored["urteil"] == ad_hoc["urteil"]
    assert main(["massnahmen", "bewerten", str(measure.id), "--store", str(store), "--stichtag", "2025-02-28",
                 "--puffer", "100"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Rückgang im Zielgebiet um 60 %")
    assert "Umgebung (D, Ring von 100 m): vorher" in text


def test_mixed_or_missing_arguments_are_a_german_message_and_exit_2(case, capsys, tmp_path):
    incidents, area, _place = case
    assert main(["massnahmen", "bewerten", "1", "--store", str(tmp_path), "--flaeche", str(area)]) == 2
    assert "nicht beides" in capsys.readouterr().err
    assert main(["massnahmen", "bewerten", "--incidents", str(incidents), "--flaeche", str(area)]) == 2
    assert "--beginn" in capsys.readouterr().err
    assert main(["massnahmen", "bewerten", "99", "--store", str(tmp_path)]) == 2
