"""geo.files.write_atomic: readers and concurrent writers never meet a half-written file."""

import multiprocessing
from pathlib import Path

import pytest

from geo.files import write_atomic

SIZE = 4_000_000


def _writer(path: str, byte: int, times: int) -> None:
    for _ in range(times):
        write_atomic(Path(path), bytes([byte]) * SIZE)


def test_concurrent_writers_and_a_reader_see_only_whole_files(tmp_path):
    # Two app processes starting at once both publish the same static files.
    target = tmp_path / "gemeinden.geojson"
    write_atomic(target, b"a" * SIZE)
    ctx = multiprocessing.get_context("spawn")
    writers = [ctx.Process(target=_writer, args=(str(target), ord(c), 15)) for c in "bcd"]
    for w in writers:
        w.start()
    seen = set()
    while any(w.is_alive() for w in writers):
        data = target.read_bytes()
        assert len(data) == SIZE and data.count(data[:1]) == SIZE, "a half-written or mixed file"
        seen.add(data[:1])
    for w in writers:
        w.join()
        assert w.exitcode == 0
    final = target.read_bytes()
    assert len(final) == SIZE and final.count(final[:1]) == SIZE
    assert len(seen | {final[:1]}) >= 2  # the reader really ran while files were replaced
    assert [p.name for p in tmp_path.iterdir()] == ["gemeinden.geojson"]  # no temporary file left


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "ansichten.json"
    write_atomic(target, b'{"alt": 1}')
    with pytest.raises(TypeError):
        write_atomic(target, "kein bytes-Objekt")  # type: ignore[arg-type]
    assert target.read_bytes() == b'{"alt": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["ansichten.json"]
    assert target.stat().st_mode & 0o777 == 0o644
