"""Build the data benchmark's SQLite database: a ``tracks`` table of N deterministic rows.

Standard library only: the driver runs it once per benchmark run and both SDKs query the same file.
The columns follow the public "chinook" sample's ``tracks`` table, so the query and the DataFrame
look like the ones users run through ``SQLite3Task``.

Usage: ``python tracks_db.py PATH ROWS``
"""

from __future__ import annotations

import os
import sqlite3
import sys

GENRES = ("Rock", "Jazz", "Metal", "Blues", "Latin", "Classical", "Pop", "Soundtrack")
WORDS = ("night", "river", "stone", "light", "blue", "city", "heart", "road", "fire", "dream", "rain", "gold")


def rows(n: int) -> list[tuple[object, ...]]:
    """``n`` rows made from the row number alone, so every run builds the same bytes of data."""
    out = []
    for i in range(1, n + 1):
        name = " ".join(WORDS[(i * k) % len(WORDS)] for k in (1, 3, 7)[: 1 + i % 3]).title()
        composer = None if i % 5 == 0 else f"Composer {i % 97}"
        out.append(
            (
                i,
                f"{name} {i}",
                1 + i % 347,
                1 + i % 5,
                1 + i % len(GENRES),
                composer,
                120_000 + (i * 7919) % 300_000,
                2_000_000 + (i * 104_729) % 9_000_000,
                0.99 + (i % 2),
            )
        )
    return out


def build(path: str, n: int) -> None:
    if os.path.exists(path):
        os.unlink(path)
    con = sqlite3.connect(path)
    try:
        con.execute(
            "create table tracks (TrackId integer primary key, Name text not null, AlbumId integer,"
            " MediaTypeId integer, GenreId integer, Composer text, Milliseconds integer,"
            " Bytes integer, UnitPrice real)"
        )
        con.executemany("insert into tracks values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows(n))
        con.commit()
    finally:
        con.close()


if __name__ == "__main__":
    build(sys.argv[1], int(sys.argv[2]))
