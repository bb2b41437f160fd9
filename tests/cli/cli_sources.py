"""Source files for the ``flyweight package`` / ``serialize`` tests, written for either SDK.

``write_project(root, sdk)`` writes the same code with ``from flyweight import …`` or
``from flytekit import …``, so both SDKs name the same modules, tasks and workflows.
"""

from __future__ import annotations

from pathlib import Path

PIPELINE = '''\
from typing import NamedTuple

from {sdk} import LaunchPlan, task, workflow


class Stats(NamedTuple):
    total: int
    label: str


@task
def double(x: int) -> int:
    """Double a number.

    Args:
        x: the number
    """
    return 2 * x


@task(retries=2)
def summarize(xs: list[int], prefix: str = "n=") -> Stats:
    return Stats(sum(xs), f"{{prefix}}{{len(xs)}}")


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def sub(x: int) -> int:
    return double(x=x)


@workflow
def pipeline(x: int = 3) -> int:
    y = sub(x=x)
    z = add(a=y, b=double(x=x))
    s = summarize(xs=[x, y, z])
    return add(a=z, b=s.total)


pipeline_ten = LaunchPlan.get_or_create(pipeline, "pipeline_ten", default_inputs={{"x": 10}})
'''

HELPERS = """\
from {sdk} import task


@task
def shout(s: str) -> str:
    return s.upper()
"""

JOBS = """\
from {sdk} import task, workflow

from pkg.helpers import shout


@task
def greet(name: str) -> str:
    return "hello " + name


@workflow
def greeting(name: str) -> str:
    return shout(s=greet(name=name))
"""


def write_project(root: Path, sdk: str) -> Path:
    """``root/wf_pipeline.py`` and the package ``root/pkg`` (``helpers``, ``jobs``) importing ``sdk``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "wf_pipeline.py").write_text(PIPELINE.format(sdk=sdk))
    pkg = root / "pkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "helpers.py").write_text(HELPERS.format(sdk=sdk))
    (pkg / "jobs.py").write_text(JOBS.format(sdk=sdk))
    return root
