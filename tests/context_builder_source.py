"""flytekit-style context code, written once and loaded with each SDK by ``tests/test_context_builder.py``.

``load_source`` puts one SDK's names (``task``, ``workflow``, ``dynamic``, ``current_context``,
``FlyteContextManager``, ``ExecutionState``) into the module before it runs, as swapping the import
lines of a ported plugin test would. Every function returns plain data, so the two SDKs' answers compare
with ``==``.
"""

from __future__ import annotations

import threading
from typing import Any

# One SDK's names, put into the namespace by load_source before the module runs.
task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
dynamic: Any = globals()["dynamic"]
current_context: Any = globals()["current_context"]
FlyteContextManager: Any = globals()["FlyteContextManager"]
ExecutionState: Any = globals()["ExecutionState"]


def _mode() -> str | None:
    mode = FlyteContextManager.current_context().execution_state.mode
    return None if mode is None else mode.name


def _seen() -> str:
    state = FlyteContextManager.current_context().execution_state
    return f"{None if state.mode is None else state.mode.name}|local={state.is_local_execution()}"


@task
def mode_in_task() -> str:
    return _seen()


@workflow
def mode_in_workflow() -> str:
    return mode_in_task()


@dynamic
def mode_in_dynamic() -> str:
    return _seen()


@dynamic
def mode_in_dynamic_graph() -> str:
    return mode_in_task()


@task
def mode_in_task_in_task() -> str:
    return mode_in_task()


def modes() -> list[tuple[str, int]]:
    return [(m.name, m.value) for m in ExecutionState.Mode]


def outside() -> str:
    return _seen()


def under_task_execution() -> list[Any]:
    """The plugin-test idiom: make the context a container's, look, leave."""
    ctx = FlyteContextManager.current_context()
    seen: list[Any] = [_seen()]
    with FlyteContextManager.with_context(
        ctx.with_execution_state(
            ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
        )
    ) as inner:
        seen.append(_seen())
        seen.append(FlyteContextManager.current_context() is inner)
        seen.append(inner.user_space_params is ctx.user_space_params)
        seen.append(inner.file_access is ctx.file_access)
        seen.append(inner.level - ctx.level)
    seen.append(_seen())
    seen.append(FlyteContextManager.current_context() is ctx)
    return seen


def nested_restore() -> list[Any]:
    """Nested ``with_context`` blocks, the inner one left by an exception."""
    ctx = FlyteContextManager.current_context()
    es = ctx.new_execution_state()
    seen: list[Any] = []
    with FlyteContextManager.with_context(
        ctx.with_execution_state(es.with_params(mode=ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION))
    ) as outer:
        seen.append(_mode())
        try:
            with FlyteContextManager.with_context(
                outer.with_execution_state(es.with_params(mode=ExecutionState.Mode.TASK_EXECUTION))
            ):
                seen.append(_mode())
                raise KeyError("inside")
        except KeyError:
            seen.append("raised")
        seen.append(_mode())
        seen.append(FlyteContextManager.current_context() is outer)
        # a context pushed inside a block and never popped is dropped when the block ends
        FlyteContextManager.push_context(
            outer.with_execution_state(
                es.with_params(mode=ExecutionState.Mode.DYNAMIC_TASK_EXECUTION)
            ).build()
        )
        seen.append(_mode())
    seen.append(_mode())
    seen.append(FlyteContextManager.current_context() is ctx)
    return seen


def push_pop() -> list[Any]:
    ctx = FlyteContextManager.current_context()
    built = ctx.with_execution_state(
        ctx.new_execution_state().with_params(mode=ExecutionState.Mode.LOCAL_TASK_EXECUTION)
    ).build()
    pushed = FlyteContextManager.push_context(built)
    seen: list[Any] = [pushed is built, FlyteContextManager.current_context() is built, _mode()]
    popped = FlyteContextManager.pop_context()
    seen += [popped is built, FlyteContextManager.current_context() is ctx, _mode()]
    return seen


def builder_round_trip(other_file_access: Any, settings: Any) -> list[Any]:
    ctx = FlyteContextManager.current_context()
    es = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
    b = ctx.new_builder()
    same = b.with_execution_state(es) is b
    built = b.build()
    seen: list[Any] = [
        same,
        built.execution_state is es,
        built.file_access is ctx.file_access,
        built.level == ctx.level + 1,
        built.serialization_settings is ctx.serialization_settings,
    ]
    moved = built.with_file_access(other_file_access).with_serialization_settings(settings).build()
    seen += [
        moved.file_access is other_file_access,
        moved.serialization_settings is settings,
        moved.execution_state is es,
        moved.level == built.level + 1,
    ]
    return seen


def with_params_keeps_what_is_not_given() -> list[Any]:
    ctx = FlyteContextManager.current_context()
    es = ctx.new_execution_state()
    local = es.with_params(mode=ExecutionState.Mode.LOCAL_TASK_EXECUTION)
    again = local.with_params()
    return [
        es.mode,
        es.user_space_params is ctx.user_space_params,
        local.mode.name,
        local.user_space_params is es.user_space_params,
        local.working_dir == es.working_dir,
        again.mode.name,
        local is not es,
        local.is_local_execution(),
        es.is_local_execution(),
    ]


def extra_parameters() -> list[Any]:
    """What a task type's pre_execute hands its task (Spark's SPARK_SESSION idiom)."""
    params = current_context().builder().build()  # a copy: the builder below writes into its attrs
    added = params.builder().add_attr("SPARK_SESSION", "session").build()
    seen: list[Any] = [
        added.spark_session,
        added.SPARK_SESSION,
        added.get("spark_session"),
        added.has_attr("Spark_Session"),
        added.has_attr("other"),
        params.has_attr("spark_session"),
        added.execution_id.name == params.execution_id.name,
    ]
    try:
        _ = added.other
    except AssertionError:
        seen.append("AssertionError")
    return seen


def pop_with_nothing_pushed() -> list[Any]:
    """``pop_context`` in a fresh thread, where only the default context is there."""
    seen: list[Any] = []

    def run() -> None:
        FlyteContextManager.current_context()
        try:
            FlyteContextManager.pop_context()
        except AssertionError:
            seen.append("AssertionError")
        seen.append(_mode())

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return seen


def another_thread_sees_its_own_stack() -> list[Any]:
    ctx = FlyteContextManager.current_context()
    seen: list[Any] = []
    with FlyteContextManager.with_context(
        ctx.with_execution_state(
            ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
        )
    ):
        thread = threading.Thread(target=lambda: seen.append(_mode()))
        thread.start()
        thread.join()
        seen.append(_mode())
    return seen
