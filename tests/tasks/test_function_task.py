"""``@task`` and ``PythonFunctionTask``: definition, interface, options, and local calls."""

from __future__ import annotations

import datetime
import inspect
import os
import typing
from typing import Any, NamedTuple, Optional

import pytest
from tests.tasks import function_shapes as shapes

from flyweight import (
    Documentation,
    PythonFunctionTask,
    RecoverableError,
    Resources,
    Secret,
    TaskMetadata,
    current_context,
    task,
)
from flyweight._interface import NO_DEFAULT
from flyweight._settings import placeholder_settings
from flyweight.errors import TaskDefinitionError, TypeTransformerFailedError, raised_by_user_code
from flyweight.extend import PythonAutoContainerTask


class Pair(NamedTuple):
    first: int
    second: str


# -- the decorator -------------------------------------------------------------------------------


def test_with_and_without_parentheses() -> None:
    @task
    def a(x: int) -> int:
        return x + 1

    @task()
    def b(x: int) -> int:
        return x + 2

    assert isinstance(a, PythonFunctionTask)
    assert isinstance(b, PythonAutoContainerTask)
    assert (a(x=1), b(x=1)) == (2, 3)


def test_the_task_keeps_the_functions_name_doc_and_signature() -> None:
    def double(x: int, y: int = 2) -> int:
        """Double it."""
        return x * y

    t = task(double)
    assert t.__name__ == "double"
    assert t.__doc__ == "Double it."
    assert t.__wrapped__ is double
    assert t.task_function is double
    assert inspect.signature(t) == inspect.signature(double)
    assert list(inspect.signature(t).parameters) == ["x", "y"]


def test_name_is_module_and_function() -> None:
    assert shapes.no_inputs.name == "tests.tasks.function_shapes.no_inputs"
    assert shapes.no_inputs.task_type == "python-task"
    assert shapes.no_inputs.construct_node_metadata().name == "no_inputs"


def test_a_decorator_with_options_can_be_reused() -> None:
    retried = task(retries=2)

    def f(x: int) -> int:
        return x

    def g(x: int) -> int:
        return x

    a, b = retried(f), retried(g)
    assert a.metadata.retries == b.metadata.retries == 2
    assert a.metadata is not b.metadata


# -- the interface --------------------------------------------------------------------------------


def test_one_output_is_o0() -> None:
    assert shapes.no_inputs.python_interface.outputs == {"o0": int}
    assert shapes.no_inputs.python_interface.inputs == {}


def test_none_and_no_annotation_mean_no_outputs() -> None:
    @task
    def unannotated(x: int):  # type: ignore[no-untyped-def]
        pass

    assert shapes.returns_nothing.python_interface.outputs == {}
    assert unannotated.python_interface.outputs == {}
    assert unannotated(x=1) is None


def test_named_tuple_outputs() -> None:
    iface = shapes.named_outputs.python_interface
    assert iface.outputs == {"total": int, "label": str}
    assert iface.output_tuple_name == "Stats"


@pytest.mark.parametrize("annotation", [tuple[int, str], typing.Tuple[int, str], (int, str)])  # noqa: UP006
def test_tuple_outputs_are_numbered(annotation: Any) -> None:
    def f(x: int):  # type: ignore[no-untyped-def]
        return x, str(x)

    f.__annotations__["return"] = annotation
    t = task(f)
    assert t.python_interface.outputs == {"o0": int, "o1": str}
    assert t(x=3) == (3, "3")
    assert t(x=3).o1 == "3"


def test_defaults_and_optionals() -> None:
    iface = shapes.with_defaults.python_interface
    assert iface.inputs_with_defaults == {
        "a": (int, NO_DEFAULT),
        "b": (str, "x"),
        "c": (Optional[float], None),
        "d": (typing.Optional[list[int]], None),
        "e": (bool, False),
    }


def test_docstring_descriptions_reach_the_typed_interface() -> None:
    variables = shapes.google_doc.interface.inputs
    assert variables["a"].description == "the count\ncontinued here"
    assert variables["b"].description == "the label"
    outputs = shapes.google_doc.interface.outputs
    assert {k: v.description for k, v in outputs.items()} == {
        "total": "the stats, shared by both outputs",
        "label": "the stats, shared by both outputs",
    }
    assert shapes.no_inputs.interface.outputs["o0"].description == "o0"


def test_docs_come_from_the_docstring() -> None:
    docs = shapes.google_doc.docs
    assert docs is not None
    assert docs.short_description == "Count things."
    assert docs.long_description is not None
    assert docs.long_description.value == "A longer description\nover two lines."
    # a docstring's summary replaces the given one; its missing long text keeps the given one
    merged = shapes.docs_and_docstring.docs
    assert merged is not None
    assert merged.short_description == "Summary from the docstring."
    assert merged.long_description is not None
    assert merged.long_description.value == "long from docs"
    assert shapes.OPTIONS["docs_and_docstring"]["docs"].short_description == "from docs"  # not mutated


def test_ignore_input_vars_leaves_an_input_out() -> None:
    def f(x: int, debug: bool = False) -> int:
        return x

    t = PythonFunctionTask(None, f, ignore_input_vars=["debug"])
    assert list(t.python_interface.inputs) == ["x"]
    assert t(x=4) == 4


def test_pickle_untyped_takes_anything() -> None:
    from flyweight.types import TypeEngine
    from flyweight.types._data import _pickle

    # The warning comes once per type and process, when the writer is made: another test may have had it.
    _pickle._WARNED.clear()
    TypeEngine._NODES.clear()

    def f(x, y: int):  # type: ignore[no-untyped-def]
        return [x, y]

    t = PythonFunctionTask(None, f, pickle_untyped=True)
    assert t.python_interface.inputs == {"x": Any, "y": int}
    assert t.python_interface.outputs == {"o0": Any}
    with pytest.warns(UserWarning):
        assert t(x={1, 2}, y=3) == [{1, 2}, 3]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(x) -> int: return 1", "parameter 'x' has no type"),
        ("def f(*xs: int) -> int: return 1", r"parameter \*xs cannot be a task input"),
        ("def f(**kw: int) -> int: return 1", r"parameter \*\*kw cannot be a task input"),
        ("def f(x: int, /) -> int: return 1", r"x \(positional-only\) cannot be a task input"),
        ("def f(x: 'Nope') -> int: return 1", "annotations cannot be resolved"),
        ("def f(x: int) -> tuple[int]: return 1", "only one"),
        ("def f(x: int) -> tuple[int, ...]: return 1", "a tuple of any length"),
        ("async def f(x: int) -> int: return 1", "async function"),
        ("def f(x: int) -> int:\n    yield x", r"generator function \(it uses yield\).*return a list"),
        ("f = lambda: 1", "got a lambda; a lambda has no name of its own"),
        ("class f:\n    pass", "got the class 'f'"),
        ("def f(self, x: int) -> int: return x", "looks like a method .* define it at module level"),
    ],
)
def test_bad_signatures_are_refused_when_decorated(source: str, message: str) -> None:
    namespace: dict[str, Any] = {}
    exec(source, namespace)
    with pytest.raises(TaskDefinitionError, match=message):
        task(namespace["f"])


# -- options ----------------------------------------------------------------------------------------


def test_metadata_options() -> None:
    m = shapes.retried.metadata
    assert (m.retries, m.timeout, m.interruptible, m.deprecated) == (
        3,
        datetime.timedelta(minutes=5),
        True,
        "use retried_v2",
    )
    assert shapes.timeout_seconds.metadata.timeout == datetime.timedelta(seconds=90)
    c = shapes.cached.metadata
    assert (c.cache, c.cache_version, c.cache_serialize, c.cache_ignore_input_vars) == (
        True,
        "1.2",
        True,
        ("seed",),
    )
    d = shapes.deck_and_pod
    assert d.enable_deck
    assert (d.metadata.pod_template_name, d.metadata.labels, d.metadata.annotations) == (
        "gpu-pod",
        {"team": "data"},
        {"note": "x"},
    )


def test_cache_fields_reach_the_template() -> None:
    meta = shapes.cached.serialize_to_model(placeholder_settings()).metadata
    assert (meta.discoverable, meta.discovery_version, meta.cache_serializable) == (True, "1.2", True)
    assert list(meta.cache_ignore_input_vars) == ["seed"]


def test_resources_environment_secrets() -> None:
    assert shapes.with_resources.resources.requests == Resources(
        cpu="1", mem="1Gi", ephemeral_storage="200Mi"
    )
    pairs = shapes.with_resource_pairs.resources
    assert (pairs.requests, pairs.limits) == (Resources(cpu="1", mem="1Gi"), Resources(cpu="2"))
    assert shapes.with_environment.environment == {"TASK_ENV": "t", "SHARED": "task"}
    ctx = shapes.with_secrets.security_context
    assert ctx is not None
    assert [s.key for s in ctx.secrets] == ["password", "token"]


def test_pod_template_name_does_not_change_the_given_metadata() -> None:
    given = TaskMetadata(retries=1)

    def f(x: int) -> int:
        return x

    t = PythonFunctionTask(None, f, metadata=given, pod_template_name="p", labels={"a": "b"})
    assert (t.metadata.pod_template_name, t.metadata.labels, t.metadata.retries) == ("p", {"a": "b"}, 1)
    assert (given.pod_template_name, given.labels) == (None, None)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cache": True}, "cache_version"),
        (
            {"cache": True, "cache_version": "1", "cache_ignore_input_vars": ["y"]},
            "'y', which is not an input",
        ),
        ({"cache_ignore_input_vars": ["x"]}, "cache`` is not enabled"),
        ({"cache": object()}, "a flyweight.Cache"),
        ({"retries": -1}, "non-negative"),
        ({"timeout": "5m"}, "timeout"),
        ({"task_config": {"a": 1}}, "no task plugin handles"),
        ({"requests": Resources(cpu="1"), "resources": Resources(mem="1Gi")}, "cannot be combined"),
        ({"requests": {"cpu": "1"}}, "flyweight.Resources"),
        ({"secret_requests": ["db"]}, r"flyweight.Secret\(group=..., key=...\)"),
        ({"container_image": 3}, "image name string"),
        ({"pod_template": object()}, "pod_template must be a flyweight.PodTemplate"),
        ({"accelerator": object()}, "accelerator must be an accelerator of flyweight.accelerators"),
        ({"shared_memory": "2 GB"}, "shared_memory must be True"),
        ({"execution_mode": PythonFunctionTask.ExecutionBehavior.EAGER}, "eager tasks are not supported yet"),
        ({"node_dependency_hints": []}, "only be used on dynamic tasks"),
        ({"enable_deck": True, "disable_deck": False}, "only one of"),
        (
            {"cache": True, "cache_version": 1},
            r"cache_version=1\): expected str, got int; write cache_version='1'",
        ),
        ({"cache": True, "cache_version": "1", "cache_serialize": "yes"}, "cache_serialize='yes'.*bool"),
        ({"cache": True, "cache_version": "1", "cache_ignore_input_vars": 3}, "expected input names"),
        ({"interruptible": "yes"}, r"interruptible='yes'\): expected bool, got str"),
        ({"deprecated": True}, "deprecated=True.*expected str"),
        ({"enable_deck": "no"}, "enable_deck='no'.*expected bool"),
        ({"timeout": -5}, "timeout of -5 seconds is negative"),
        ({"timeout": datetime.timedelta(minutes=-1)}, "timeout of -60 seconds is negative"),
        ({"environment": ["A=1"]}, "environment must be a dict of str to str, got list"),
        ({"environment": {"WORKERS": 4}}, r"environment: 'WORKERS': 4 .* quote it: \{'WORKERS': '4'\}"),
        ({"labels": {"team": 1}}, "labels: 'team': 1"),
        ({"annotations": "a=b"}, "annotations must be a dict"),
        ({"pod_template_name": 3}, "pod_template_name must be the name of a PodTemplate"),
        (
            {"secret_requests": Secret(group="db", key="pw")},
            r"must be a list of flyweight.Secret, got Secret",
        ),
        ({"secret_requests": "db"}, "must be a list of flyweight.Secret, got str"),
        ({"docs": "what it does"}, "docs must be a flyweight.Documentation, got str"),
        (
            {"requests": Resources(cpu="abc")},
            r"requests=Resources\(cpu='abc'\): 'abc' is not a Kubernetes quantity",
        ),
        ({"limits": Resources(mem="1GB")}, "Kubernetes spells it '1G' \\(decimal\\) or '1Gi' \\(binary\\)"),
        ({"resources": Resources(cpu=("1", "x"))}, "'x' is not a Kubernetes quantity"),
        ({"requests": Resources(cpu=-1)}, "cannot be negative"),
    ],
)
def test_bad_options_are_refused(options: dict[str, Any], message: str) -> None:
    def f(x: int) -> int:
        return x

    with pytest.raises(TaskDefinitionError, match=message):
        task(**options)(f)


@pytest.mark.parametrize(
    "resources",
    [
        Resources(cpu="500m", mem="1.5Gi", gpu="1", ephemeral_storage="10G"),
        Resources(cpu=0.5, mem=1024, gpu=0),
        Resources(cpu="1e3", mem="129e6", ephemeral_storage=""),
        Resources(cpu=(".5", "2"), mem=("512Mi", "1Gi")),
    ],
)
def test_kubernetes_quantities_are_accepted(resources: Resources) -> None:
    def f(x: int) -> int:
        return x

    task(resources=resources)(f)


def test_a_cache_version_without_cache_warns_and_does_not_cache() -> None:
    def f(x: int) -> int:
        return x

    with pytest.warns(UserWarning, match=r"cache_version='1'\) without cache=True: the task is not cached"):
        t = task(cache_version="1")(f)
    assert not t.metadata.cache


def test_metadata_of_another_type_is_refused() -> None:
    def f(x: int) -> int:
        return x

    with pytest.raises(TaskDefinitionError, match="metadata must be a flyweight.TaskMetadata, got dict"):
        PythonFunctionTask(None, f, metadata={"retries": 2})


def test_a_task_is_not_decorated_twice() -> None:
    def f(x: int) -> int:
        return x

    with pytest.raises(TaskDefinitionError, match="already a task or workflow; decorate the function once"):
        task(task(f))  # type: ignore[arg-type]


def test_an_unknown_option_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cachee"):
        task(cachee=True)  # type: ignore[call-overload]


def test_docs_option() -> None:
    def f(x: int) -> int:
        return x

    t = task(docs=Documentation(short_description="short"))(f)
    assert t.docs is not None
    assert t.docs.short_description == "short"


def test_command_and_resolver_can_be_replaced() -> None:
    t = shapes.plain_image
    settings = placeholder_settings()
    default = t.get_command(settings)
    t.set_command_fn(lambda s: ["run", "it"])
    try:
        assert list(t.serialize_to_model(settings).container.args) == ["run", "it"]
    finally:
        t.reset_command_fn()
    assert t.get_command(settings) == default
    assert t.get_image(settings) == "ghcr.io/acme/tool:1.0"


# -- local calls ----------------------------------------------------------------------------------------


def test_positional_and_keyword_arguments_and_defaults() -> None:
    t = shapes.with_defaults
    assert t(1) == "1xNoneNoneFalse"
    assert t(1, "y", e=True) == "1yNoneNoneTrue"
    assert t(a=2, d=[1]) == "2xNone[1]False"


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((), {}, r"missing required input\(s\): a"),
        ((1, "b", 1.0, [1], True, 6), {}, "takes 5 input"),
        ((1,), {"a": 2}, "multiple values for input 'a'"),
        ((), {"a": 1, "z": 2}, "unexpected input 'z'"),
    ],
)
def test_argument_errors_name_the_task(args: tuple[Any, ...], kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TypeError, match=message) as info:
        shapes.with_defaults(*args, **kwargs)
    assert "tests.tasks.function_shapes.with_defaults" in str(info.value)


def test_a_wrong_input_type_names_the_task_and_input() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        shapes.with_defaults(a="one")
    text = str(info.value)
    assert "task 'tests.tasks.function_shapes.with_defaults'" in text
    assert "inputs.a" in text
    assert "expected int" in text


def test_a_wrong_output_type_names_the_output() -> None:
    @task
    def bad(x: int) -> int:
        return "no"  # type: ignore[return-value]

    with pytest.raises(TypeTransformerFailedError, match=r"outputs\.o0"):
        bad(x=1)


def test_a_value_from_a_task_without_outputs_is_refused() -> None:
    @task
    def chatty(x: int) -> None:
        return x  # type: ignore[return-value]

    with pytest.raises(TypeTransformerFailedError, match="declares no outputs but returned int 1"):
        chatty(x=1)


def test_exceptions_of_the_function_pass_through_marked_as_users() -> None:
    @task
    def boom(x: int) -> int:
        raise KeyError(x)

    with pytest.raises(KeyError) as info:
        boom(x=5)
    assert info.value.args == (5,)
    assert raised_by_user_code(info.value)

    @task
    def flaky(x: int) -> int:
        raise RecoverableError("later")

    with pytest.raises(RecoverableError, match="later"):
        flaky(x=1)


def test_multiple_outputs_come_back_as_the_named_tuple() -> None:
    out = shapes.named_outputs(xs=[1, 2, 3])
    assert out == (6, "n=3")
    assert type(out).__name__ == "Stats"
    assert (out.total, out.label) == (6, "n=3")


def test_dataclasses_and_datetimes_round_trip() -> None:
    when = datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)
    out = shapes.structured(shapes.Point(1, 2.5), {"a": 1, "b": 2}, when, datetime.timedelta(seconds=1))
    assert out == shapes.Point(3, 2.5)


def test_current_context_in_a_local_call(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    @task
    def look() -> str:
        params = current_context()
        seen["dir"] = params.working_directory
        seen["exists"] = os.path.isdir(params.working_directory)
        return str(params.secrets.get("db", "password"))

    monkeypatch.setenv("DB_PASSWORD", "local-secret")
    assert look() == "local-secret"
    assert seen["exists"]
    assert not os.path.exists(seen["dir"])  # removed when the call ends


def test_a_task_can_call_another_task() -> None:
    @task
    def inner(x: int) -> int:
        return x + 1

    @task
    def outer(x: int) -> int:
        return inner(x=x) * 10

    assert outer(x=1) == 20


def test_the_repr_names_the_task() -> None:
    assert "tests.tasks.function_shapes.no_inputs" in repr(shapes.no_inputs)


def test_secret_requests_need_flyweight_secrets() -> None:
    def f(x: int) -> int:
        return x

    t = task(secret_requests=[Secret(group="g", key="k")])(f)
    assert t.security_context is not None


def test_one_ignored_cache_input_may_be_a_string() -> None:
    def f(x: int, seed: int = 0) -> int:
        return x

    t = task(cache=True, cache_version="1", cache_ignore_input_vars="seed")(f)
    assert t.metadata.cache_ignore_input_vars == ("seed",)


def test_a_callable_without_a_name_is_refused() -> None:
    import functools

    def f(x: int, y: int) -> int:
        return x + y

    with pytest.raises(TaskDefinitionError, match="a function defined with def"):
        PythonFunctionTask(None, functools.partial(f, y=1))
