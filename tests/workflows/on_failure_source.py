"""Workflows with failure handlers (``on_failure=``), loaded once with flytekit's names and once with
flyweight's (see ``test_on_failure.py``): ``task``, ``workflow``, ``FlyteError`` and
``WorkflowFailurePolicy`` are injected."""

# ruff: noqa: F821  (the SDK's names are injected by the loader)
from __future__ import annotations

import typing

SEEN: list[tuple[str, str, str]] = []
"""What the handlers were given: (handler, input, the error's message or 'none')."""


@task
def clean_up(name: str, err: typing.Optional[FlyteError] = None) -> None:
    SEEN.append(("clean_up", name, "none" if err is None else err.message))


@task
def quiet_clean_up(name: str) -> None:
    SEEN.append(("quiet_clean_up", name, "none"))


@task
def only_err(err: typing.Optional[FlyteError] = None) -> None:
    SEEN.append(("only_err", "", "none" if err is None else err.message))


@task
def create(name: str) -> str:
    return name


@task
def boom(name: str) -> None:
    raise ValueError(f"cannot use {name}")


@workflow
def handler_wf(name: str, err: typing.Optional[FlyteError] = None) -> None:
    clean_up(name=name, err=err)


@workflow(on_failure=clean_up)
def with_err(name: str = "my_cluster") -> None:
    c = create(name=name)
    boom(name=c)


@workflow(on_failure=quiet_clean_up)
def without_err(name: str) -> None:
    boom(name=create(name=name))


@workflow(on_failure=only_err)
def no_inputs() -> None:
    boom(name="x")


@workflow(on_failure=handler_wf)
def workflow_handler(name: str) -> None:
    boom(name=name)


@workflow(on_failure=clean_up, failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def finish_first(name: str) -> str:
    boom(name=name)
    return create(name=name)


@workflow(on_failure=clean_up)
def succeeds(name: str) -> str:
    return create(name=name)
