"""Tasks that use ``current_context().checkpoint`` and the execution ids; the container imports this module
by name. ``use_checkpoint`` is Flyte's documented intratask-checkpoint example (flytesnacks
``examples/advanced_composition/advanced_composition/checkpoint.py``), with flyweight's imports."""

from __future__ import annotations

from flyweight import current_context, task, workflow
from flyweight.errors import FlyteRecoverableException

RETRIES = 3


@task(retries=RETRIES)
def use_checkpoint(n_iterations: int) -> int:
    cp = current_context().checkpoint
    prev = cp.read()
    start = 0
    if prev:
        start = int(prev.decode())

    # create a failure interval so we can create failures for across 'n' iterations and then succeed after
    # configured retries
    failure_interval = n_iterations // RETRIES
    index = 0
    for index in range(start, n_iterations):
        # simulate a deterministic failure, for demonstration. We want to show how it eventually completes
        # within the given retries
        if index > start and index % failure_interval == 0:
            raise FlyteRecoverableException(
                f"Failed at iteration {index}, failure_interval {failure_interval}"
            )
        # save progress state. It is also entirely possible save state every few intervals.
        cp.write(f"{index + 1}".encode())
    return index


@workflow
def checkpointing_example(n_iterations: int) -> int:
    return use_checkpoint(n_iterations=n_iterations)


@task
def ids() -> str:
    """What the task sees of its execution, one field a line."""
    p = current_context()
    ex, tk = p.execution_id, p.task_id
    return "\n".join(
        [
            f"{ex.project}|{ex.domain}|{ex.name}",
            f"{tk.project}|{tk.domain}|{tk.name}|{tk.version}",
            str(p.raw_output_prefix),
            str(p.output_metadata_prefix),
            str(p.execution_date.tzinfo is not None),
            p.logging.name,
        ]
    )


@task
def prev_exists() -> bool:
    return current_context().checkpoint.prev_exists()


@task
def read_checkpoint() -> str:
    data = current_context().checkpoint.read()
    return "<none>" if data is None else data.decode()


@task
def write_checkpoint(text: str) -> str:
    current_context().checkpoint.write(text.encode())
    return text
