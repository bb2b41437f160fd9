"""``flyweight.testing``: flytekit.testing's ``patch`` and ``task_mock`` (and ``SecretsManager``).

The flytekit-style tests below (``FLYTEKIT_TESTS``, modelled on the user guide's "Mocking tasks" page and
flytekit's own unit tests of ``flytekit.testing``) run under flytekit 1.16.14 and, with only their import
lines changed, under flyweight; each case returns what it observed (results and mock call arguments) and
the two SDKs must agree. Then flyweight's own rules: the mock is honoured on every local path (isolated
and subprocess settings, map tasks, conditionals, sub-workflows, dynamic workflows, references), never
cached, its outputs checked; bad targets are refused.
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any, NamedTuple

import pandas as pd
import pytest

import flyweight
import flyweight.extend
import flyweight.testing
from flyweight import conditional, dynamic, map_task, reference_task, run_workflow, task, workflow
from flyweight.errors import NotSupportedError, TypeTransformerFailedError, WorkflowExecutionError
from flyweight.testing import patch, task_mock

FLYTEKIT_TESTS = """
import datetime
import typing

import pandas
from flytekit import SQLTask, TaskMetadata, kwtypes, reference_task, task, workflow
from flytekit.testing import patch, task_mock
from flytekit.types.schema import FlyteSchema

sql = SQLTask(
    "my-query",
    query_template="SELECT * FROM hive.city.fact_airport_sessions WHERE ds = '{{ .Inputs.ds }}' LIMIT 10",
    inputs=kwtypes(ds=datetime.datetime),
    outputs=kwtypes(results=FlyteSchema),
    metadata=TaskMetadata(retries=2),
)


@task
def t1() -> datetime.datetime:
    return datetime.datetime(2024, 1, 2)


@workflow
def my_wf() -> FlyteSchema:
    dt = t1()
    return sql(ds=dt)


@task
def add_one(a: int, suffix: str = "x") -> int:
    return a + 1


@task
def pair(a: int) -> typing.Tuple[int, str]:
    return a, str(a)


@task
def side(a: int):
    pass


@reference_task(project="flytesnacks", domain="development", name="recipes.remote_len", version="v1")
def remote_len(s: str) -> int:
    ...


@workflow
def numbers(a: int) -> typing.Tuple[int, int, str]:
    side(a=a)
    x = add_one(a=a)
    y, z = pair(a=x)
    return x, y, z


@workflow
def uses_reference(s: str) -> int:
    return add_one(a=remote_len(s=s))


def case_user_guide_task_mock():
    frame = pandas.DataFrame(data={"x": [1, 2], "y": ["3", "4"]})
    with task_mock(sql) as mock:
        mock.return_value = frame
        out = my_wf().open().all()
    return out.to_dict(), mock.call_args


def case_user_guide_patch():
    seen = []

    @patch(sql)
    def test_user_demo_test(mock_sql):
        mock_sql.return_value = pandas.DataFrame(data={"x": [1, 2], "y": ["3", "4"]})
        seen.append(my_wf().open().all().to_dict())
        seen.append(mock_sql.call_count)

    test_user_demo_test()
    return seen


def case_workflow_with_mocked_task():
    with task_mock(add_one) as m:
        m.return_value = 10
        result = numbers(a=3)
    return tuple(result), m.call_args, m.call_count


def case_direct_call_and_side_effect():
    with task_mock(add_one) as m:
        m.side_effect = lambda a, suffix="x": a * 100 + len(suffix)
        first = add_one(a=2)
        second = add_one(a=3, suffix="y")
    return first, second, m.call_args_list


def case_stacked_patches():
    @patch(add_one)
    @patch(pair)
    def test_both(pair_mock, add_one_mock):
        add_one_mock.return_value = 7
        pair_mock.return_value = (1, "one")
        return tuple(numbers(a=1)), add_one_mock.call_args, pair_mock.call_args

    return test_both()


def case_mock_restored():
    with task_mock(add_one) as m:
        m.return_value = 0
    return add_one(a=1), numbers(a=1)[0]


def case_reference_task_patched():
    @patch(remote_len)
    def test_remote(mock_remote):
        mock_remote.return_value = 4
        return uses_reference(s="abcd"), remote_len(s="xy"), mock_remote.call_args_list

    return test_remote()


def case_no_outputs_ignores_mock_value():
    with task_mock(side) as m:
        return side(a=1), m.call_args


def case_wrong_type():
    with task_mock(add_one) as m:
        m.return_value = "ten"
        try:
            add_one(a=1)
        except TypeError as e:
            return type(e).__name__, "ten" in str(e)
    return "no error"


def case_not_a_task():
    errors = []
    for target in (lambda: 1, 3):
        try:
            patch(target)
        except ValueError:
            errors.append("ValueError")
    return errors
"""

IMPORTS = {
    "from flytekit import ": "from flyweight import ",
    "from flytekit.testing import ": "from flyweight.testing import ",
    "from flytekit.types.schema import ": "from flyweight.types import ",
}
CASES = sorted(
    line[4 : line.index("(")] for line in FLYTEKIT_TESTS.splitlines() if line.startswith("def case_")
)


def ported(source: str) -> str:
    lines = []
    for line in source.splitlines():
        out = line
        for old, new in IMPORTS.items():
            if line.startswith(old):
                out = new + line[len(old) :]
        lines.append(out)
    return "\n".join(lines) + "\n"


def _load(tmp: Path, name: str, source: str) -> ModuleType:
    path = tmp / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class Pair(NamedTuple):
    flytekit: ModuleType
    flyweight: ModuleType


@pytest.fixture(scope="module")
def sdks(flytekit: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Pair:
    name = "mocking_tests"  # one module name: the entities' names are the same under both SDKs
    theirs = _load(tmp_path_factory.mktemp("flytekit"), name, FLYTEKIT_TESTS)
    ours = _load(tmp_path_factory.mktemp("flyweight"), name, ported(FLYTEKIT_TESTS))
    sys.modules.pop(name, None)
    return Pair(theirs, ours)


def test_only_import_lines_change() -> None:
    before, after = FLYTEKIT_TESTS.splitlines(), ported(FLYTEKIT_TESTS).splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert len(changed) == 3 and all(a.startswith("from flytekit") for a, _ in changed)


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES)
def test_flytekit_style_tests_agree(sdks: Pair, case: str) -> None:
    assert getattr(sdks.flyweight, case)() == getattr(sdks.flytekit, case)()


@pytest.mark.oracle
def test_the_module_exports_flytekits_names(flytekit: ModuleType) -> None:
    import flytekit.testing as theirs

    public = {n for n in dir(theirs) if not n.startswith("_")}
    assert public == set(flyweight.testing.__all__)
    assert flyweight.testing.SecretsManager is flyweight.extend.SecretsManager


# -- flyweight's own rules ------------------------------------------------------------------------------


@task
def double(x: int, bump: int = 0) -> int:
    return 2 * x + bump


@task
def label(x: int) -> str:
    return f"#{x}"


@workflow
def double_then_label(x: int) -> str:
    return label(x=double(x=x))


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def mapped(xs: list[int]) -> list[int]:
    return map_task(inc)(x=xs)


@workflow
def branch(x: int) -> int:
    return conditional("pick").if_(x > 0).then(double(x=x)).else_().then(double(x=x, bump=1))


@dynamic
def doubles(n: int) -> list[int]:
    return [double(x=i) for i in range(n)]


@workflow
def dynamic_wf(n: int) -> list[int]:
    return doubles(n=n)


@workflow
def outer(x: int) -> str:
    return label(x=double_then_label_inner(x=x))


@workflow
def double_then_label_inner(x: int) -> int:
    return double(x=x)


@reference_task(project="p", domain="d", name="remote.count", version="v1")
def remote_count(s: str) -> int: ...


@workflow
def counts(s: str) -> int:
    return double(x=remote_count(s=s))


def test_task_mock_in_a_workflow_and_call_args() -> None:
    with task_mock(double) as m:
        m.return_value = 21
        assert double_then_label(x=5) == "#21"
    m.assert_called_once_with(x=5)  # `bump` was left at its default: not passed (flytekit's)
    assert double_then_label(x=5) == "#10"  # restored


@pytest.mark.parametrize("options", [{"isolated": True}, {"in_process": False}, {"in_process": True}])
def test_a_mocked_node_runs_in_process_whatever_the_settings(options: dict[str, bool]) -> None:
    events: list[tuple[str, str, dict[str, Any]]] = []
    with task_mock(double) as m:
        m.return_value = 3
        out = run_workflow(double_then_label, {"x": 1}, on_event=lambda *e: events.append(e), **options)
    assert out == "#3"
    ran = [info for node, state, info in events if node == "n0" and state == "succeeded"]
    assert ran and ran[0]["where"] == "in-process"


def test_map_task_elements_run_the_mock() -> None:
    with task_mock(inc) as m:
        m.side_effect = lambda x: x + 1000
        assert mapped(xs=[1, 2, 3]) == [1001, 1002, 1003]
        assert map_task(inc)(x=[4]) == [1004]  # a direct call of the map task
    assert sorted(c.kwargs["x"] for c in m.call_args_list) == [1, 2, 3, 4]


def test_conditional_dynamic_and_sub_workflow_nodes_run_the_mock() -> None:
    with task_mock(double) as m:
        m.return_value = 9
        assert branch(x=-4) == 9
        assert dynamic_wf(n=3) == [9, 9, 9]
    with task_mock(double_then_label_inner) as m:  # a workflow mocked: its sub-workflow node
        m.return_value = 77
        assert outer(x=1) == "#77"
        assert double_then_label_inner(x=2) == 77
    m.assert_called_with(x=2)


def test_a_launch_plan_node_runs_the_mock_of_its_workflow() -> None:
    plan = flyweight.LaunchPlan.get_or_create(double_then_label_inner, "testing.inner_plan")

    @workflow
    def via_plan(x: int) -> str:
        return label(x=plan(x=x))

    assert via_plan(x=2) == "#4"
    with task_mock(double_then_label_inner) as m:
        m.return_value = 55
        assert via_plan(x=3) == "#55"
    m.assert_called_once_with(x=3)


def test_a_mocked_cached_task_neither_reads_nor_fills_the_cache(tmp_path: Path) -> None:
    from flyweight._runtime._cache import LocalCache

    @task(cache=True, cache_version="1")
    def slow(x: int) -> int:
        return x

    @workflow
    def cached(x: int) -> int:
        return slow(x=x)

    cache = LocalCache(tmp_path)
    assert run_workflow(cached, {"x": 1}, in_process=True, cache=cache) == 1
    with task_mock(slow) as m:
        m.return_value = 5
        assert run_workflow(cached, {"x": 1}, in_process=True, cache=cache) == 5  # not the cached 1
        assert run_workflow(cached, {"x": 2}, in_process=True, cache=cache) == 5
    assert run_workflow(cached, {"x": 2}, in_process=True, cache=cache) == 2  # the mock's 5 was not stored


def test_a_reference_task_in_a_local_run() -> None:
    with pytest.raises(WorkflowExecutionError, match=r"cannot run locally.*flyweight\.testing\.patch"):
        counts(s="abc")
    with pytest.raises(NotSupportedError, match="flyweight.testing.patch or flyweight.testing.task_mock"):
        remote_count(s="abc")

    @patch(remote_count)
    def test_counts(mock_count: Any) -> None:
        mock_count.return_value = 3
        assert counts(s="abc") == 6
        mock_count.assert_called_once_with(s="abc")

    test_counts()


def test_a_mock_returning_the_wrong_type_names_the_output() -> None:
    with task_mock(double) as m:
        m.return_value = "twenty"
        with pytest.raises(TypeTransformerFailedError, match=r"mocked.*str 'twenty'.*outputs\.o0"):
            double(x=1)
        with pytest.raises(WorkflowExecutionError, match=r"(?s)node n0.*mocked.*outputs\.o0") as info:
            double_then_label(x=1)
        assert isinstance(info.value.__cause__, TypeTransformerFailedError)
    # return_value never set: the mock returns a MagicMock, refused
    with task_mock(remote_count), pytest.raises(WorkflowExecutionError, match="returned MagicMock"):
        counts(s="a")


def test_a_mock_raising_fails_the_node_as_the_task() -> None:
    with task_mock(double) as m:
        m.side_effect = ValueError("no warehouse")
        with pytest.raises(ValueError, match="no warehouse"):
            double(x=1)
        with pytest.raises(WorkflowExecutionError, match="(?s)USER error.*no warehouse"):
            double_then_label(x=1)


@pytest.mark.parametrize(
    ("target", "match"),
    [
        (lambda: 1, "plain function.*@task"),
        (3, "pass the task object itself"),
        (double_then_label.__call__, "plain function"),
    ],
)
def test_only_tasks_workflows_and_references_can_be_mocked(target: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        patch(target)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=match), task_mock(target):  # type: ignore[arg-type]
        pass


def test_a_launch_plan_is_refused_with_a_hint() -> None:
    lp = flyweight.LaunchPlan.get_or_create(double_then_label, "testing_lp")
    with pytest.raises(ValueError, match=r"mock its workflow"):
        patch(lp)  # type: ignore[arg-type]


def test_patch_keeps_pytest_fixtures_and_restores_after_a_failure(tmp_path: Path) -> None:
    @patch(double)
    def test_with_fixture(mock_double: Any, tmp_path: Path) -> Path:
        mock_double.return_value = 1
        assert double(x=3) == 1
        return tmp_path

    import inspect

    assert list(inspect.signature(test_with_fixture).parameters) == ["tmp_path"]
    assert test_with_fixture(tmp_path) == tmp_path

    @patch(double)
    def test_fails(mock_double: Any) -> None:
        raise AssertionError("boom")

    with pytest.raises(AssertionError, match="boom"):
        test_fails()
    assert double(x=3) == 6  # the mock is gone


def test_nested_mocks_of_one_task() -> None:
    with task_mock(double) as outer_mock:
        outer_mock.return_value = 1
        with task_mock(double) as inner_mock:
            inner_mock.return_value = 2
            assert double(x=0) == 2
        assert double(x=0) == 1
    assert double(x=1) == 2


def test_user_guide_frame_through_a_mocked_sql_task() -> None:
    sql = flyweight.SQLTask(
        "my-query",
        query_template="SELECT * FROM t WHERE ds = '{{ .Inputs.ds }}'",
        inputs=flyweight.kwtypes(ds=str),
        outputs=flyweight.kwtypes(results=pd.DataFrame),
    )
    frame = pd.DataFrame({"x": [1, 2]})
    with task_mock(sql) as m:
        m.return_value = frame
        pd.testing.assert_frame_equal(sql(ds="2024"), frame)
    assert textwrap.dedent(str(m.call_args)) == "call(ds='2024')"
