"""Names from data never become paths: data set names, upload file names and view sequence names
such as ``../../etc/passwd`` write nothing outside their directory and overwrite nothing.

Each test lists every file under its temporary root before and after and compares the two trees.
(``--out`` of the command line is the user's own choice of path and is not tested here.)
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest

from geo.__main__ import main
from geo.filenames import MAX_BYTES, RESERVED, safe_name
from geo.store import DB_NAME, IncidentStore
from geo.view import (
    MAX_SEQUENCE_NAME,
    View,
    ViewSequence,
    add_view,
    from_url,
    import_sequence,
    list_sequences,
    save_views,
    sequence_path,
)

#: Names that are paths, devices, control characters or too long for a file system.
HOSTILE = ["../../etc/passwd", "..\\..\\windows\\x", "/abs/path", "con", "CON.txt", "nul", "com1", "lpt9",
           "a\x00b", "..", ".", "~/x", "ansichten/../../x", "\u202egpj.exe", " ", "x" * 5000,
           "𠀀" * 80, "Präventionsrat/../" * 40]
#: The same as upload file names (a browser never sends a NUL or an empty name).
HOSTILE_FILES = [n + ".csv" for n in HOSTILE if "\x00" not in n and n.strip()]


def tree(root: Path) -> dict[str, str]:
    """Every file under `root` (hidden ones too), relative path → SHA-256 of its content."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def incident_csv(n: int) -> bytes:
    """A small valid incident file around Freiberg, different for each `n` (so never a duplicate)."""
    rows = [f"{1 + (n + i) % 28:02d}.03.2023;Graffiti;50,91{i};13,34{n % 10}" for i in range(3)]
    return ("Datum;Kategorie;Breite;Länge\n" + "\n".join(rows) + "\n").encode("utf-8")


class Upload(io.BytesIO):
    """What the app's file uploader hands over: the bytes and the name the browser sent."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


@pytest.fixture
def root(tmp_path):
    """A temporary root with a file beside the data directory that nothing may touch."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text("root:x:0:0\n")
    (tmp_path / "x.csv").write_text("bleibt\n")
    return tmp_path


def test_safe_name_is_one_plain_file_name_for_every_hostile_name():
    for name in HOSTILE:
        safe = safe_name(name, default="sitzung", max_chars=MAX_SEQUENCE_NAME)
        assert safe and safe == safe.strip(), repr(name)
        assert not set(safe) & set("/\\.:\x00~\u202e"), repr(safe)
        assert len(safe) <= MAX_SEQUENCE_NAME and len(safe.encode("utf-8")) <= MAX_BYTES
        assert safe.casefold() not in RESERVED
    assert safe_name("Graffiti Innenstadt 2024", default="x") == "Graffiti Innenstadt 2024"
    assert safe_name("Vermüllung Bahnhof", default="x") == "Vermüllung Bahnhof"
    assert safe_name("", default="sitzung") == "sitzung"


def test_data_set_and_upload_file_names_stay_names_in_the_store(root):
    store = IncidentStore(root / "daten")
    before = tree(root)
    for n, name in enumerate(HOSTILE):
        report = store.import_file(Upload(incident_csv(n), "vorfaelle.csv"), name=name)
        assert report.stored and report.dataset == name  # kept as written: it is a name, not a path
    for n, file in enumerate(HOSTILE_FILES, start=len(HOSTILE)):
        report = store.import_file(Upload(incident_csv(n), file))
        assert report.stored and report.dataset.startswith(Path(Path(file).name).stem)
    after = tree(root)
    assert {k: v for k, v in after.items() if k != f"daten/{DB_NAME}"} == before
    assert set(store.datasets()["name"]) >= set(HOSTILE)


def test_a_second_import_under_a_taken_name_overwrites_nothing(root):
    store = IncidentStore(root / "daten")
    store.import_file(Upload(incident_csv(1), "a.csv"), name="../../etc/passwd")
    first = store.points(datasets=["../../etc/passwd"])
    second = store.import_file(Upload(incident_csv(2), "b.csv"), name="../../etc/passwd")
    assert second.dataset == "../../etc/passwd (2)"
    assert store.points(datasets=["../../etc/passwd"]).equals(first)
    assert (root / "etc" / "passwd").read_text() == "root:x:0:0\n"


def test_cli_import_name_is_a_data_set_name_not_a_path(root, capsys):
    source = root / "eingang" / "vorfaelle.csv"
    source.parent.mkdir()
    source.write_bytes(incident_csv(7))
    before = tree(root)
    for n, name in enumerate(["../../etc/passwd", "/abs/path", "con", "x" * 5000]):
        source.write_bytes(incident_csv(100 + n))
        assert main(["import", str(source), "--store", str(root / "daten"), "--name", name]) == 0
        assert f"Datensatz: {name} (gespeichert)" in capsys.readouterr().out
    after = tree(root)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == {f"daten/{DB_NAME}", "eingang/vorfaelle.csv"}
    assert (root / "etc" / "passwd").read_text() == "root:x:0:0\n"


def test_view_sequences_under_hostile_names_stay_in_their_folder_and_open_again(root):
    data = root / "daten"
    before = tree(root)
    for name in HOSTILE:
        add_view(data, name, View(area="14522180", title="Graffiti Innenstadt"))
        path = sequence_path(data, name)
        assert path.parent == data / "ansichten" and path.is_file(), repr(name)
        assert len(path.name.encode("utf-8")) <= 255 and path.stem.casefold() not in RESERVED
        view, problems, step = from_url({"folge": name, "nr": "1"}, data)
        assert problems == [] and view.area == "14522180" and step == (name, 1, 1)
    after = tree(root)
    assert {k for k in after if k not in before} == {f"daten/ansichten/{p.name}"
                                                      for p in (data / "ansichten").iterdir()}
    assert {k: v for k, v in after.items() if k in before} == before


def test_a_url_cannot_open_a_sequence_outside_the_folder(root):
    data = root / "daten"
    secret = ViewSequence("geheim", [View(area="14612000", title="fremd")])
    save_views(secret, root / "geheim.json")
    (data / "ansichten").mkdir(parents=True)
    for name in ("../../geheim", "../geheim", str(root / "geheim"), "..\\..\\geheim"):
        view, problems, step = from_url({"folge": name, "nr": "1"}, data)
        assert step is None and view.area is None and view.title == ""
        assert problems[0].startswith(f"Ansichtsfolge „{name}“ nicht gefunden")


def test_an_uploaded_sequence_never_overwrites_a_saved_one(root):
    data = root / "daten"
    add_view(data, "Präventionsrat", View(area="14522180"))
    add_view(data, "Präventionsrat", View(area="14612000"))
    saved = sequence_path(data, "Präventionsrat").read_bytes()
    upload = json.dumps({"name": "Präventionsrat", "ansichten": [{"ags": "14713000"}]}).encode()
    before = tree(root)
    kept = []
    for file in ("Präventionsrat.json", "../../Präventionsrat.json", "/etc/Präventionsrat.json"):
        name, problems = import_sequence(data, file, upload)
        kept.append(name)
        assert problems == [f"Eine Ansichtsfolge „Präventionsrat“ gibt es schon; die hochgeladene heißt "
                            f"„{name}“."]
    assert kept == ["Präventionsrat 2"] * 3  # the same upload again is kept once
    assert sequence_path(data, "Präventionsrat").read_bytes() == saved
    after = tree(root)
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {"daten/ansichten/Präventionsrat 2.json"}
    assert list_sequences(data) == ["Präventionsrat", "Präventionsrat 2"]
    other = json.dumps({"name": "x", "ansichten": [{"ags": "14522180"}]}).encode()
    assert import_sequence(data, "Präventionsrat.json", other)[0] == "Präventionsrat 3"


def test_uploaded_sequences_with_hostile_file_names_are_kept_inside_the_folder(root):
    data = root / "daten"
    before = tree(root)
    for n, file in enumerate(HOSTILE_FILES):
        upload = json.dumps({"name": file, "ansichten": [{"ags": "14522180", "titel": str(n)}]}).encode()
        name, _problems = import_sequence(data, file.removesuffix(".csv") + ".json", upload)
        assert sequence_path(data, name).read_bytes() == upload
    after = tree(root)
    assert {k: v for k, v in after.items() if k in before} == before
    assert all(k.startswith("daten/ansichten/") and k.count("/") == 2 for k in set(after) - set(before))
    assert len(set(after) - set(before)) == len(HOSTILE_FILES)  # none replaced another


def test_a_sequence_file_that_is_not_one_is_refused_in_german_and_nothing_is_written(root):
    data = root / "daten"
    before = tree(root)
    with pytest.raises(Exception, match=r"^\.\./\.\./x\.json: keine gespeicherte Ansichtsfolge"):
        import_sequence(data, "../../x.json", b"\x00\x01 nicht JSON")
    assert tree(root) == before
