"""flytekit's context API as plugins and plugin tests use it: modes, the context stack, builders.

The snippets are in ``tests/context_builder_source.py``, written once and loaded with each SDK's names
(``load_source``, as swapping a ported test's import lines does); each test compares flyweight's answer
with flytekit's, live. Where flyweight answers differently on purpose (a clearer error), the test says so.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight._context import ContextStackError, ExecutionParameters, MissingParameterError
from flyweight.extend import ExecutionState, FlyteContext, FlyteContextManager, context_manager

SOURCE = Path(__file__).with_name("context_builder_source.py")
MODULE = "tests.context_builder_source"


@pytest.fixture(scope="module")
def ours() -> ModuleType:
    names = {
        "task": flyweight.task,
        "workflow": flyweight.workflow,
        "dynamic": flyweight.dynamic,
        "current_context": flyweight.current_context,
        "FlyteContextManager": context_manager.FlyteContextManager,
        "ExecutionState": context_manager.ExecutionState,
    }
    return load_source(SOURCE, MODULE, names)


@pytest.fixture(scope="module")
def theirs(flytekit: ModuleType) -> ModuleType:
    from flytekit.core import context_manager as fk

    names = {
        "task": flytekit.task,
        "workflow": flytekit.workflow,
        "dynamic": flytekit.dynamic,
        "current_context": flytekit.current_context,
        "FlyteContextManager": fk.FlyteContextManager,
        "ExecutionState": fk.ExecutionState,
    }
    return load_source(SOURCE, MODULE, names)


pytestmark = pytest.mark.oracle


# --- modes -------------------------------------------------------------------------------------------


def test_the_modes_are_flytekits(ours: ModuleType, theirs: ModuleType) -> None:
    assert ours.modes() == theirs.modes()
    assert ExecutionState.LOCAL is ExecutionState.Mode.LOCAL_TASK_EXECUTION
    assert ExecutionState.CONTAINER is ExecutionState.Mode.TASK_EXECUTION


def test_outside_any_execution_there_is_no_mode(ours: ModuleType, theirs: ModuleType) -> None:
    assert ours.outside() == theirs.outside() == "None|local=False"


def test_a_task_called_locally_runs_in_local_task_execution(ours: ModuleType, theirs: ModuleType) -> None:
    assert ours.mode_in_task() == theirs.mode_in_task() == "LOCAL_TASK_EXECUTION|local=True"


def test_a_task_of_a_workflow_run_locally_sees_local_workflow_execution(
    ours: ModuleType, theirs: ModuleType
) -> None:
    # flytekit runs the task on the workflow's context: the task's own local mode is not set
    expected = "LOCAL_WORKFLOW_EXECUTION|local=True"
    assert ours.mode_in_workflow() == theirs.mode_in_workflow() == expected


def test_a_dynamic_body_run_locally_runs_in_local_dynamic_task_execution(
    ours: ModuleType, theirs: ModuleType
) -> None:
    expected = "LOCAL_DYNAMIC_TASK_EXECUTION|local=True"
    assert ours.mode_in_dynamic() == theirs.mode_in_dynamic() == expected


def test_the_tasks_of_a_dynamic_graph_called_locally_see_local_dynamic_task_execution(
    ours: ModuleType, theirs: ModuleType
) -> None:
    expected = "LOCAL_DYNAMIC_TASK_EXECUTION|local=True"
    assert ours.mode_in_dynamic_graph() == theirs.mode_in_dynamic_graph() == expected


def test_a_task_called_in_a_task_sees_local_task_execution(ours: ModuleType, theirs: ModuleType) -> None:
    expected = "LOCAL_TASK_EXECUTION|local=True"
    assert ours.mode_in_task_in_task() == theirs.mode_in_task_in_task() == expected


def test_the_local_engine_runs_a_workflow_in_local_workflow_execution() -> None:
    from flyweight._runtime._run import LocalRun

    @flyweight.task
    def one() -> int:
        return 1

    @flyweight.workflow
    def wf() -> int:
        return one()

    run = LocalRun(wf, {})
    assert run._ctx.execution_state.mode is ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION
    assert run._ctx.execution_state.is_local_execution()


# --- the stack ---------------------------------------------------------------------------------------


def test_with_context_under_task_execution_and_back(ours: ModuleType, theirs: ModuleType) -> None:
    expected = [
        "None|local=False",
        "TASK_EXECUTION|local=False",
        True,
        True,
        True,
        1,
        "None|local=False",
        True,
    ]
    assert ours.under_task_execution() == theirs.under_task_execution() == expected


def test_nested_with_context_restores_even_on_exceptions(ours: ModuleType, theirs: ModuleType) -> None:
    expected = [
        "LOCAL_WORKFLOW_EXECUTION",
        "TASK_EXECUTION",
        "raised",
        "LOCAL_WORKFLOW_EXECUTION",
        True,
        "DYNAMIC_TASK_EXECUTION",
        None,
        True,
    ]
    assert ours.nested_restore() == theirs.nested_restore() == expected


def test_push_and_pop(ours: ModuleType, theirs: ModuleType) -> None:
    expected = [True, True, "LOCAL_TASK_EXECUTION", True, True, None]
    assert ours.push_pop() == theirs.push_pop() == expected


def test_each_thread_has_its_own_stack(ours: ModuleType, theirs: ModuleType) -> None:
    assert ours.another_thread_sees_its_own_stack() == theirs.another_thread_sees_its_own_stack()
    assert ours.another_thread_sees_its_own_stack() == [None, "TASK_EXECUTION"]


def test_pop_with_nothing_pushed_is_an_assertion_error(ours: ModuleType, theirs: ModuleType) -> None:
    assert ours.pop_with_nothing_pushed() == theirs.pop_with_nothing_pushed() == ["AssertionError", None]
    with pytest.raises(ContextStackError, match="no context was pushed.*with_context"):
        FlyteContextManager.pop_context()
    assert FlyteContextManager.current_context().execution_state.mode is None  # the default one stays


def test_with_context_of_a_non_context_says_what_it_takes(flytekit: ModuleType) -> None:
    from flytekit.core.context_manager import FlyteContextManager as TheirManager

    with pytest.raises(AttributeError), TheirManager.with_context("ctx"):  # type: ignore[arg-type]
        pass
    before = FlyteContextManager.current_context()
    with (
        pytest.raises(TypeError, match="takes a FlyteContext or a FlyteContext.Builder.*got str"),
        FlyteContextManager.with_context("ctx"),  # type: ignore[arg-type]
    ):
        pass
    with pytest.raises(TypeError, match="push_context takes a FlyteContext"):
        FlyteContextManager.push_context(None)  # type: ignore[arg-type]
    assert FlyteContextManager.current_context() is before


def test_with_context_takes_a_context_too() -> None:
    ctx = FlyteContextManager.current_context()
    built = ctx.with_execution_state(ctx.execution_state.with_params(mode=ExecutionState.LOCAL)).build()
    with FlyteContextManager.with_context(built) as inner:
        assert inner is built is FlyteContextManager.current_context()
    assert FlyteContextManager.current_context() is ctx


def test_size_counts_the_default_context(flytekit: ModuleType) -> None:
    from flytekit.core.context_manager import FlyteContextManager as TheirManager

    def sizes(manager: Any) -> list[int]:
        first = manager.size()
        ctx = manager.current_context()
        with manager.with_context(ctx.new_builder()):
            inside = manager.size()
        return [inside - first, manager.size() - first]

    assert sizes(FlyteContextManager) == sizes(TheirManager) == [1, 0]
    assert FlyteContextManager.size() >= 1


# --- builders ----------------------------------------------------------------------------------------


def test_builder_round_trips(ours: ModuleType, theirs: ModuleType, flytekit: ModuleType) -> None:
    from flytekit.configuration import SerializationSettings as TheirSettings
    from flytekit.core.data_persistence import FileAccessProvider as TheirFiles

    from flyweight._settings import SerializationSettings
    from flyweight._storage import FileAccessProvider

    sandbox = tempfile.mkdtemp()
    mine = ours.builder_round_trip(FileAccessProvider(sandbox, sandbox), SerializationSettings())
    expected = theirs.builder_round_trip(TheirFiles(sandbox, sandbox), TheirSettings(image_config=None))
    assert mine == expected == [True] * 9


def test_with_params_keeps_what_is_not_given(ours: ModuleType, theirs: ModuleType) -> None:
    expected = [None, True, "LOCAL_TASK_EXECUTION", True, True, "LOCAL_TASK_EXECUTION", True, True, False]
    assert (
        ours.with_params_keeps_what_is_not_given() == theirs.with_params_keeps_what_is_not_given() == expected
    )


def test_a_task_types_extra_parameters(ours: ModuleType, theirs: ModuleType) -> None:
    # as flytekit's, the builder shares the extra parameters of the parameters it starts from (index 5)
    expected = ["session", "session", "session", True, False, True, True, "AssertionError"]
    assert ours.extra_parameters() == theirs.extra_parameters() == expected
    params = flyweight.current_context()
    with pytest.raises(MissingParameterError, match="OTHER not available.*add_attr"):
        _ = params.other
    assert getattr(params, "other", "default") == "default"  # an AttributeError too, unlike flytekit's


def test_execution_parameters_builders() -> None:
    params = flyweight.current_context()
    sandboxed = params.with_task_sandbox().build()
    assert sandboxed.working_directory != params.working_directory
    assert Path(sandboxed.working_directory).is_dir()
    assert sandboxed.execution_id == params.execution_id
    fresh = ExecutionParameters.new_builder().build()
    assert fresh.execution_id.name == "local"
    b = ExecutionParameters.new_builder(params)
    target = Path(tempfile.mkdtemp()) / "given"
    b.working_dir = str(target)
    built = b.build()
    assert target.is_dir() and built.working_directory == str(target)


def test_execution_state_the_flytekit_way_and_the_older_flyweight_way() -> None:
    params = flyweight.current_context()
    by_name = ExecutionState(
        working_dir="/tmp", mode=ExecutionState.Mode.TASK_EXECUTION, user_space_params=params
    )
    assert (by_name.working_dir, by_name.mode, by_name.user_space_params) == (
        "/tmp",
        ExecutionState.CONTAINER,
        params,
    )
    older = ExecutionState(ExecutionState.LOCAL, params)
    assert (older.mode, older.user_space_params) == (ExecutionState.LOCAL, params)
    assert ExecutionState().user_space_params is FlyteContextManager.current_context().user_space_params
    with pytest.raises(TypeError, match=r"pass it by name: ExecutionState\(mode="):
        ExecutionState(ExecutionState.LOCAL)
    with pytest.raises(TypeError, match="mode must be an ExecutionState.Mode"):
        ExecutionState(mode="local")  # type: ignore[arg-type]


def test_flyte_context_the_flytekit_way() -> None:
    ctx = FlyteContextManager.current_context()
    made = FlyteContext(file_access=ctx.file_access)
    assert made.execution_state.mode is None and made.level == 0 and made.serialization_settings is None
    assert made.user_space_params is ctx.user_space_params
    with pytest.raises(TypeError, match="pass the other fields by name"):
        FlyteContext(ctx.file_access, 1)  # type: ignore[arg-type]
    assert ctx.file_access.get_random_local_path().startswith(ctx.file_access.local_sandbox_dir)


@pytest.mark.parametrize(
    ("owner", "name", "hint"),
    [
        ("context", "with_compilation_state", "own compiler"),
        ("context", "new_compilation_state", "own compiler"),
        ("context", "enter_conditional_section", "own compiler"),
        ("context", "with_output_metadata_tracker", "output metadata"),
        ("context", "with_client", "admin client"),
        ("builder", "with_compilation_state", "own compiler"),
        ("state", "take_branch", "conditional"),
        ("params", "stats", "statsd"),
    ],
)
def test_what_flyweight_does_not_provide_says_what_to_use(owner: str, name: str, hint: str) -> None:
    ctx = FlyteContextManager.current_context()
    objects = {
        "context": ctx,
        "builder": ctx.new_builder(),
        "state": ctx.execution_state,
        "params": ctx.user_space_params,
    }
    with pytest.raises(AttributeError, match=hint):
        getattr(objects[owner], name)


def test_the_compat_module_is_the_same_classes() -> None:
    assert context_manager.ExecutionState is ExecutionState
    assert context_manager.FlyteContextManager is FlyteContextManager
    assert context_manager.ExecutionState.Mode.TASK_EXECUTION.value == 1
