"""A small Flyte workflow over the sample music database: SQL → pandas → a text report.

    flyweight run examples/music_report.py music_report --min-ms 200000

1. ``long_tracks`` (an ``SQLite3Task``, a plugin task) selects the tracks longer than ``min_ms`` with
   their genre. Locally it runs through the real container entrypoint, ``flyweight-execute``, as Flyte
   would run it; ``{{.inputs.min_ms}}`` is bound as an SQL parameter, never pasted into the query.
2. ``per_genre`` (a Python ``@task``) counts the tracks and adds up their minutes per genre.
3. ``report`` (a Python ``@task``) formats the table as text.

The first two write deck pages (``enable_deck=True``); ``flyweight run`` links them from the run's HTML
report, whose path it prints.

Needs pandas and pyarrow (``pip install 'flyweight[pandas]'``). On a Flyte cluster the database must be
reachable from the task's pod: set ``MUSIC_DB_URI`` to an http(s) or s3 URL when packaging.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from flyweight import kwtypes, task, workflow
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema

DB = os.environ.get("MUSIC_DB_URI", str(Path(__file__).resolve().parent / "data" / "music.db"))

# The SQL step: its query, typed inputs and output columns are all in the task's template.
long_tracks = SQLite3Task(
    "music_report.long_tracks",
    query_template="""
        select genres.Name as Genre, tracks.Milliseconds as Milliseconds
        from tracks join genres on tracks.GenreId = genres.GenreId
        where tracks.Milliseconds >= {{.inputs.min_ms}}
    """,
    inputs=kwtypes(min_ms=int),
    output_schema_type=FlyteSchema[kwtypes(Genre=str, Milliseconds=int)],
    task_config=SQLite3Config(uri=DB),
    enable_deck=True,  # a Query deck: the query, its parameter, the rows it found
)


@task(enable_deck=True, deck_fields=("Timeline", "Input", "Output"))
def per_genre(tracks: pd.DataFrame) -> pd.DataFrame:
    """Tracks and total minutes per genre, the longest listening first."""
    grouped = tracks.groupby("Genre")["Milliseconds"].agg(["count", "sum"]).reset_index()
    grouped.columns = ["genre", "tracks", "minutes"]
    grouped["minutes"] = (grouped["minutes"] / 60_000).round(1)
    return grouped.sort_values(["minutes", "genre"], ascending=[False, True]).reset_index(drop=True)


@task
def report(stats: pd.DataFrame, min_ms: int) -> str:
    """A plain-text report of the per-genre table."""
    lines = [f"Tracks of at least {min_ms / 1000:g} s, by genre:"]
    for row in stats.itertuples(index=False):
        lines.append(f"  {row.genre:<12} {row.tracks:>4} tracks {row.minutes:>8.1f} min")
    lines.append(f"  {'total':<12} {int(stats['tracks'].sum()):>4} tracks {stats['minutes'].sum():>8.1f} min")
    return "\n".join(lines)


@workflow
def music_report(min_ms: int = 200_000) -> str:
    """Long tracks per genre, as a text report.

    Args:
        min_ms: the shortest track to count, in milliseconds
    """
    return report(stats=per_genre(tracks=long_tracks(min_ms=min_ms)), min_ms=min_ms)


if __name__ == "__main__":
    print(music_report(min_ms=200_000))
