"""Source files the ``flyweight run`` tests write into their project directory."""

from __future__ import annotations

from pathlib import Path

MUSIC_DB = Path(__file__).resolve().parents[2] / "examples" / "data" / "music.db"

RUN_WF = '''
from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import NamedTuple, Optional

from flyweight import LaunchPlan, reference_task, task, workflow


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Cfg:
    k: str
    n: int = 1


class Split(NamedTuple):
    low: int
    high: int


@task(cache=True, cache_version="1")
def add(x: int, items: list[int]) -> int:
    return x + sum(items)


@task
def show(total: int, cfg: Cfg, d: dict[str, int], color: Color) -> str:
    return f"{cfg.k}:{total * cfg.n}:{sorted(d.items())}:{color.value}"


@task
def split(x: int, at: int = 10) -> Split:
    return Split(min(x, at), max(x, at))


@task
def explode(x: int) -> int:
    raise ValueError(f"no good: {x}")


@task
def when(t: datetime.datetime, span: datetime.timedelta, day: Optional[datetime.date] = None) -> str:
    return f"{(t + span).isoformat()} {day}"


@workflow
def pipeline(
    x: int,
    items: list[int],
    cfg: Cfg,
    d: dict[str, int] = {"a": 1},
    color: Color = Color.RED,
    note: Optional[str] = None,
) -> str:
    """Add and show.

    Args:
        x: the start value
    """
    return show(total=add(x=x, items=items), cfg=cfg, d=d, color=color)


@workflow
def failing(x: int) -> int:
    return explode(x=add(x=x, items=[]))


@task
def make_cfg(k: str) -> Cfg:
    return Cfg(k=k)


@workflow
def field_of(k: str) -> int:
    return add(x=make_cfg(k=k).n, items=[])


@reference_task(project="flytesnacks", domain="development", name="remote.add", version="v1")
def remote_add(x: int) -> int: ...


@workflow
def uses_remote(x: int) -> int:
    return remote_add(x=x)


ten = LaunchPlan.get_or_create(pipeline, "ten", fixed_inputs={"x": 10}, default_inputs={"items": [5]})
'''

RUN_SQL = f"""
import pandas as pd

from flyweight import kwtypes, task, workflow
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema

long_tracks = SQLite3Task(
    "run_sql.long_tracks",
    query_template="select TrackId, Name from tracks "
    "where Milliseconds > {{{{.inputs.min_ms}}}} order by TrackId",
    inputs=kwtypes(min_ms=int),
    output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
    task_config=SQLite3Config(uri={str(MUSIC_DB)!r}),
)


@task
def count(df: pd.DataFrame) -> int:
    return len(df)


@workflow
def tracks(min_ms: int = 0) -> int:
    return count(df=long_tracks(min_ms=min_ms))
"""

RUN_FILES = """
from __future__ import annotations

import os
import time
from pathlib import Path

from flyweight import task, workflow
from flyweight.types import FlyteFile


@task
def nap(pid_file: str, seconds: float) -> str:
    part = Path(pid_file + ".part")
    part.write_text(str(os.getpid()))
    part.rename(pid_file)  # whole, for the test that waits for it
    time.sleep(seconds)
    return pid_file


@task
def echo(x: str) -> str:
    return x


@workflow
def sleepy(pid_file: str, seconds: float = 600.0) -> str:
    return echo(x=nap(pid_file=pid_file, seconds=seconds))


@workflow
def quick(x: str) -> str:
    return echo(x=echo(x=x))


@task
def explode(x: str) -> str:
    raise ValueError(f"no good: {x}")


@workflow
def failing(x: str) -> str:
    return explode(x=echo(x=x))


@task
def note(text: str) -> FlyteFile:
    path = Path(f"note-{os.getpid()}.txt").resolve()
    path.write_text(text)
    return FlyteFile(str(path))


@workflow
def noted(text: str) -> FlyteFile:
    return note(text=text)
"""


def write(directory: Path, name: str, source: str) -> Path:
    path = directory / f"{name}.py"
    path.write_text(source)
    return path
