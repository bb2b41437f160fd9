"""Write the sample SQLite database used by the SQLite3 plugin's tests and demo (``examples/data/music.db``).

A small music catalogue shaped like the well-known "chinook" sample (``genres``, ``artists``,
``albums``, ``tracks``), generated from a seeded random sequence, so nothing is downloaded and the
same rows come out every time. A few rows are planted for tests: names with an apostrophe, a percent
sign, two spaces in a row, non-ASCII letters, and a track with no composer.

The file is written in one transaction and vacuumed, so regenerating it with the same SQLite library
gives the same bytes (the file header records the SQLite version that wrote it, so another library
version may differ in those bytes while holding the same rows).

Usage::

    python tools/make_sample_db.py                       # examples/data/music.db, 400 tracks
    python tools/make_sample_db.py --out big.db --tracks 10000
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "examples" / "data" / "music.db"
DEFAULT_TRACKS = 400
SEED = 20240611

GENRES = ["Rock", "Jazz", "Blues", "Classical", "Electronic", "Folk", "Hip Hop", "Latin", "Metal", "Pop"]
FIRST = ["Ada", "Björn", "Chloé", "Dmitri", "Esme", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Luca"]
LAST = ["Okafor", "Lindqvist", "Moreau", "Petrov", "Quinn", "Haddad", "Hopper", "Tanaka", "Duarte", "Berg"]
BANDS = ["The", "Electric", "Midnight", "Velvet", "Iron", "Silver", "Crimson", "Quiet", "Neon", "Lost"]
NOUNS = ["Owls", "Rivers", "Engines", "Tides", "Lanterns", "Machines", "Foxes", "Harbours", "Signals"]
WORDS = [
    "Love", "Night", "Road", "Fire", "Rain", "Heart", "City", "Dream", "Light", "Shadow", "River",
    "Morning", "Storm", "Gold", "Blue", "Home", "Wild", "Echo", "Stone", "Summer", "Winter", "Ghost",
]  # fmt: skip
COLUMNS = {
    "genres": ("GenreId", "Name"),
    "artists": ("ArtistId", "Name"),
    "albums": ("AlbumId", "Title", "ArtistId"),
    "tracks": ("TrackId", "Name", "AlbumId", "GenreId", "Composer", "Milliseconds", "Bytes", "UnitPrice"),
}
SCHEMA = """
CREATE TABLE genres (GenreId INTEGER PRIMARY KEY, Name TEXT NOT NULL);
CREATE TABLE artists (ArtistId INTEGER PRIMARY KEY, Name TEXT NOT NULL);
CREATE TABLE albums (
    AlbumId INTEGER PRIMARY KEY,
    Title TEXT NOT NULL,
    ArtistId INTEGER NOT NULL REFERENCES artists (ArtistId)
);
CREATE TABLE tracks (
    TrackId INTEGER PRIMARY KEY,
    Name TEXT NOT NULL,
    AlbumId INTEGER NOT NULL REFERENCES albums (AlbumId),
    GenreId INTEGER NOT NULL REFERENCES genres (GenreId),
    Composer TEXT,
    Milliseconds INTEGER NOT NULL,
    Bytes INTEGER NOT NULL,
    UnitPrice REAL NOT NULL
);
CREATE INDEX tracks_album ON tracks (AlbumId);
"""
# Planted track names (the first tracks), for tests of quoting and whitespace.
PLANTED = ["Don't Stop", "100% Pure", "Two  Spaces", "Café del Mar", "Ghost"]


class _Draw:
    """Choices derived only from ``random.random()``, whose sequence Python keeps stable across
    versions for a given seed (the other helpers of ``random`` may change)."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def below(self, n: int) -> int:
        return int(self._rng.random() * n)

    def pick(self, seq: list[str]) -> str:
        return seq[self.below(len(seq))]

    def between(self, low: int, high: int) -> int:
        return low + self.below(high - low + 1)


def rows(tracks: int = DEFAULT_TRACKS, seed: int = SEED) -> dict[str, list[tuple[object, ...]]]:
    """The rows of every table, in insertion order (the same for the same arguments)."""
    draw = _Draw(seed)
    genres = [(i + 1, name) for i, name in enumerate(GENRES)]
    artists: list[tuple[object, ...]] = []
    for i in range(24):
        name = f"{draw.pick(FIRST)} {draw.pick(LAST)}" if i % 2 else f"{draw.pick(BANDS)} {draw.pick(NOUNS)}"
        artists.append((i + 1, name))
    albums = [
        (i + 1, f"{draw.pick(WORDS)} {draw.pick(NOUNS)}", draw.between(1, len(artists))) for i in range(40)
    ]
    track_rows: list[tuple[object, ...]] = []
    for i in range(tracks):
        name = PLANTED[i] if i < len(PLANTED) else f"{draw.pick(WORDS)} {draw.pick(WORDS)}"
        composer = None if i == 4 or draw.below(7) == 0 else f"{draw.pick(FIRST)} {draw.pick(LAST)}"
        ms = draw.between(90_000, 420_000)
        track_rows.append(
            (
                i + 1,
                name,
                draw.between(1, len(albums)),
                draw.between(1, len(genres)),
                composer,
                ms,
                ms * 32 + draw.below(4096),
                0.99 if draw.below(5) else 1.29,
            )
        )
    return {"genres": list(genres), "artists": artists, "albums": list(albums), "tracks": track_rows}


def build(out: Path | str = DEFAULT_OUT, tracks: int = DEFAULT_TRACKS, seed: int = SEED) -> Path:
    """Write the database to ``out`` (replacing it atomically) and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".music-", suffix=".db", dir=out.parent)
    os.close(fd)
    os.unlink(tmp)  # SQLite creates it
    try:
        con = sqlite3.connect(tmp, isolation_level=None)
        try:
            con.execute("PRAGMA page_size = 4096")
            con.execute("PRAGMA journal_mode = DELETE")
            con.execute("BEGIN")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    con.execute(statement)
            for table, table_rows in rows(tracks, seed).items():
                marks = ", ".join("?" * len(COLUMNS[table]))
                con.executemany(f"INSERT INTO {table} VALUES ({marks})", table_rows)
            con.execute("COMMIT")
            con.execute("VACUUM")
        finally:
            con.close()
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the database")
    parser.add_argument("--tracks", type=int, default=DEFAULT_TRACKS, help="number of tracks")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the generator")
    args = parser.parse_args(argv)
    path = build(args.out, args.tracks, args.seed)
    print(f"wrote {path} ({path.stat().st_size} bytes, {args.tracks} tracks)")


if __name__ == "__main__":
    main()
