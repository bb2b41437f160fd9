"""The sample database (``examples/data/music.db``) is what ``tools/make_sample_db.py`` writes: the same
rows, and the same bytes apart from the header fields that name the SQLite library that wrote it."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB
from tools import make_sample_db

# Header bytes 92..99: "version-valid-for" and the SQLITE_VERSION_NUMBER of the last writer.
VERSION_FIELDS = slice(92, 100)


def table_rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(path)) as con:
        return {
            table: con.execute(f"select * from {table} order by 1").fetchall()
            for table in make_sample_db.COLUMNS
        }


def without_version(data: bytes) -> bytes:
    return data[: VERSION_FIELDS.start] + data[VERSION_FIELDS.stop :]


def test_the_committed_file_holds_the_generated_rows() -> None:
    assert MUSIC_DB.read_bytes().startswith(b"SQLite format 3\x00")
    assert table_rows(MUSIC_DB) == make_sample_db.rows()


def test_regenerating_gives_the_same_bytes(tmp_path: Path) -> None:
    again = make_sample_db.build(tmp_path / "music.db")
    assert without_version(again.read_bytes()) == without_version(MUSIC_DB.read_bytes())


def test_generation_is_deterministic_and_seeded() -> None:
    assert make_sample_db.rows() == make_sample_db.rows()
    assert make_sample_db.rows(seed=1) != make_sample_db.rows()


def test_size_and_planted_rows() -> None:
    rows = make_sample_db.rows()
    assert {t: len(r) for t, r in rows.items()} == {"genres": 10, "artists": 24, "albums": 40, "tracks": 400}
    names = [r[1] for r in rows["tracks"]]
    assert names[: len(make_sample_db.PLANTED)] == make_sample_db.PLANTED
    assert any(r[4] is None for r in rows["tracks"])  # some tracks have no composer
    album_ids = {r[0] for r in rows["albums"]}
    assert {r[2] for r in rows["tracks"]} <= album_ids  # every track's album exists


def test_the_script_writes_a_bigger_database_on_request(tmp_path: Path) -> None:
    out = tmp_path / "big.db"
    make_sample_db.main(["--out", str(out), "--tracks", "1200"])
    assert len(table_rows(out)["tracks"]) == 1200
