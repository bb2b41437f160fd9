"""Reference tasks and launch plans, after flytesnacks ``productionizing/reference_task.py`` and
``reference_launch_plan.py``."""

# flytesnacks' own style (typing.List, mutable defaults, ...), kept as users write it:
# ruff: noqa: UP006, UP035

from typing import List

from flytekit import reference_launch_plan, reference_task, task, workflow
from flytekit.types.file import FlyteFile


@reference_task(
    project="flytesnacks",
    domain="development",
    name="data_types_and_io.file.normalize_columns",
    version="{{ registration.version }}",
)
def normalize_columns(
    csv_url: FlyteFile,
    column_names: List[str],
    columns_to_normalize: List[str],
    output_location: str,
) -> FlyteFile: ...


@reference_task(
    project="flytesnacks",
    domain="development",
    name="sql.bigquery.no_io",
    version="{{ registration.version }}",
)
def bigquery_task(): ...


@workflow
def wf() -> FlyteFile:
    bigquery_task()
    return normalize_columns(
        csv_url="https://people.sc.fsu.edu/~jburkardt/data/csv/biostats.csv",
        column_names=["Name", "Sex", "Age", "Heights (in)", "Weight (lbs)"],
        columns_to_normalize=["Age"],
        output_location="",
    )


@reference_launch_plan(
    project="flytesnacks",
    domain="development",
    name="data_types_and_io.file.normalize_csv_file",
    version="{{ registration.version }}",
)
def normalize_csv_file(
    csv_url: FlyteFile,
    column_names: List[str],
    columns_to_normalize: List[str],
    output_location: str,
) -> FlyteFile: ...


@workflow
def reference_lp_wf() -> FlyteFile:
    return normalize_csv_file(
        csv_url="https://people.sc.fsu.edu/~jburkardt/data/csv/biostats.csv",
        column_names=["Name", "Sex", "Age", "Heights (in)", "Weight (lbs)"],
        columns_to_normalize=["Age"],
        output_location="",
    )


@reference_task(project="flytesnacks", domain="development", name="ml.train", version="v3")
def train(rows: int, rate: float) -> float: ...


@task
def prepare(n: int) -> int:
    return n * 10


@workflow
def mixed_wf(n: int = 2) -> float:
    rows = prepare(n=n)
    return train(rows=rows, rate=0.5)
