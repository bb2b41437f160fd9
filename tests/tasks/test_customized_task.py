"""Local execution of customized container tasks: a call runs the executor on the serialized template.

These tests pin what a plugin author and a task caller see: argument binding, input and output
checks, the template the executor receives, typed configuration, isolation between calls, the
working directory, the hooks, and the surface flytekit documents for ``PythonCustomizedContainerTask``.
"""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import json
import os
import tempfile
import typing
from collections.abc import Iterator, Mapping
from typing import Any, Optional

import pytest
from google.protobuf import json_format, struct_pb2
from tests.tasks import sample_tasks
from tests.tasks.sample_tasks import (
    CallbackExecutor,
    Config,
    ConfigTask,
    DoubleExecutor,
    Inner,
    Mode,
    Pair,
    SampleTask,
    WorkdirExecutor,
)

from flyweight import (
    Interface,
    Resources,
    Secret,
    SerializationSettings,
    TaskMetadata,
    TypeTransformerFailedError,
    _context as context_module,
    kwtypes,
)
from flyweight._context import ExecutionState, FlyteContextManager
from flyweight._settings import placeholder_settings
from flyweight._tasks import ResourceSpec
from flyweight.errors import IgnoreOutputs, TaskDefinitionError, TaskExecutionError
from flyweight.extend import (
    ExecutableTemplateShimTask,
    LiteralMap,
    PythonCustomizedContainerTask,
    TaskTemplate,
    TypeEngine,
    default_task_template_resolver,
)

REAL = SerializationSettings(project="proj", domain="dev", version="v1")


@pytest.fixture
def run() -> Iterator[Any]:
    """Install the executor callback for a test; cleared afterwards."""
    yield sample_tasks.install
    sample_tasks.clear()


def adder(**kwargs: Any) -> SampleTask:
    return SampleTask("sample.add", inputs=kwtypes(a=int, b=int), outputs=kwtypes(total=int), **kwargs)


def pair_task() -> SampleTask:
    return SampleTask("sample.pair", inputs=kwtypes(a=int), outputs=kwtypes(total=int, label=str))


# -- calling ------------------------------------------------------------------------------------------


def test_positional_and_keyword_arguments(run: Any) -> None:
    run(lambda tt, a, b: a * 10 + b)
    t = adder()
    assert t(1, 2) == 12
    assert t(1, b=2) == 12
    assert t(b=2, a=1) == 12


def test_defaults_are_applied(run: Any) -> None:
    seen: list[dict[str, Any]] = []

    def record(tt: Any, **kwargs: Any) -> None:
        seen.append(kwargs)

    run(record)
    t = SampleTask("sample.defaults", inputs={"a": (int, 5), "b": (Optional[str], None), "c": float})
    assert t(c=1.5) is None
    assert seen == [{"a": 5, "b": None, "c": 1.5}]
    t(7, "x", 2.0)
    assert seen[-1] == {"a": 7, "b": "x", "c": 2.0}


def test_bad_input_value_names_task_input_expected_and_received(run: Any) -> None:
    called: list[bool] = []
    run(lambda tt, **kw: called.append(True))
    with pytest.raises(TypeTransformerFailedError) as e:
        adder()(a="x", b=1)
    msg = str(e.value)
    assert "task 'sample.add'" in msg
    assert "inputs.a" in msg
    assert "expected int" in msg
    assert "got str 'x'" in msg
    assert called == []


def test_missing_and_unknown_arguments_name_the_task(run: Any) -> None:
    run(lambda tt, **kw: 0)
    t = adder()
    with pytest.raises(TypeError, match=r"sample\.add\(\) is missing required input\(s\): b"):
        t(1)
    with pytest.raises(TypeError, match=r"sample\.add\(\) got an unexpected input 'c'"):
        t(1, 2, c=3)


# -- outputs ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("returned", "fragments"),
    [
        ((1,), ["returned 1 value(s) but declares 2 outputs (total, label)"]),
        ((1, "a", 2), ["returned 3 value(s) but declares 2 outputs"]),
        (7, ["declares 2 outputs (total, label) but returned one int 7"]),
        ({"total": 1}, ["missing 'label'"]),
        ({"total": 1, "label": "a", "extra": 0}, ["unexpected 'extra'"]),
    ],
)
def test_multi_output_count_mismatch_is_refused(run: Any, returned: Any, fragments: list[str]) -> None:
    run(lambda tt, a: returned)
    with pytest.raises(TypeTransformerFailedError) as e:
        pair_task()(a=1)
    assert "task 'sample.pair'" in str(e.value)
    for fragment in fragments:
        assert fragment in str(e.value)


def test_tuple_for_single_output_is_refused(run: Any) -> None:
    run(lambda tt, a, b: (a, b))
    with pytest.raises(TypeTransformerFailedError, match=r"output 'total' received a tuple of 2 value\(s\)"):
        adder()(1, 2)


def test_wrong_output_type_names_task_output_expected_and_received(run: Any) -> None:
    run(lambda tt, a, b: "three")
    with pytest.raises(TypeTransformerFailedError) as e:
        adder()(1, 2)
    msg = str(e.value)
    assert "task 'sample.add'" in msg
    assert "outputs.total" in msg
    assert "expected int" in msg
    assert "got str 'three'" in msg


def test_none_for_an_int_output_is_refused(run: Any) -> None:
    run(lambda tt, a, b: None)
    with pytest.raises(TypeTransformerFailedError, match=r"outputs\.total"):
        adder()(1, 2)


def test_a_value_for_a_task_without_outputs_is_refused(run: Any) -> None:
    run(lambda tt: 42)
    t = SampleTask("sample.void")
    with pytest.raises(TypeTransformerFailedError, match="declares no outputs but returned int 42"):
        t()
    run(lambda tt: None)
    assert t() is None


@pytest.mark.parametrize(
    "returned",
    [
        (3, "x"),
        [3, "x"],
        {"label": "x", "total": 3},
        Pair(total=3, label="x"),
        typing.NamedTuple("Other", [("label", str), ("total", int)])(label="x", total=3),
    ],
    ids=["tuple", "list", "dict", "namedtuple", "namedtuple-other-order"],
)
def test_multi_output_shapes_all_give_a_named_tuple(run: Any, returned: Any) -> None:
    run(lambda tt, a: returned)
    out = pair_task()(a=1)
    assert type(out)._fields == ("total", "label")
    assert out.total == 3
    assert out.label == "x"
    assert tuple(out) == (3, "x")


def test_named_tuple_name_comes_from_the_interface(run: Any) -> None:
    run(lambda tt: (1, 2))
    iface = Interface(outputs=kwtypes(a=int, b=int), output_tuple_name="Result")
    t = PythonCustomizedContainerTask("sample.named", None, "img:1", CallbackExecutor, interface=iface)
    out = t()
    assert type(out).__name__ == "Result"
    assert out == (1, 2)


# -- what the executor sees ---------------------------------------------------------------------------


def test_executor_sees_custom_decoded_exactly_as_a_container_would(run: Any) -> None:
    seen: list[dict[str, Any]] = []

    def record(tt: TaskTemplate) -> None:
        seen.append(tt.custom)

    run(record)
    custom = {"n": 3, "ratio": 0.5, "flag": True, "name": "x", "nested": {"k": [1, 2]}, "none": None}
    t = SampleTask("sample.custom", custom=custom)
    t()
    container_view = TaskTemplate.from_bytes(t.serialize_to_model(REAL).SerializeToString()).custom
    assert seen == [container_view]
    got = seen[0]
    assert got == {
        "n": 3.0,
        "ratio": 0.5,
        "flag": True,
        "name": "x",
        "nested": {"k": [1.0, 2.0]},
        "none": None,
    }
    assert type(got["n"]) is float
    assert type(got["nested"]["k"][0]) is float
    assert type(got["flag"]) is bool


def test_executor_sees_id_interface_container_and_metadata(run: Any) -> None:
    seen: dict[str, Any] = {}

    def record(tt: TaskTemplate, **kwargs: Any) -> int:
        seen.update(
            name=tt.id.name,
            project=tt.id.project,
            inputs=tt.interface.inputs,
            outputs=tt.interface.outputs,
            args=tt.container.args,
            env=tt.container.env,
            timeout=tt.metadata.timeout,
            retries=tt.metadata.retries.retries,
            interruptible=tt.metadata.interruptible,
            type=tt.type,
        )
        return 0

    run(record)
    t = adder(
        environment={"MODE": "test"},
        metadata=TaskMetadata(retries=3, timeout=datetime.timedelta(minutes=5), interruptible=True),
    )
    t(1, 2)
    assert seen["name"] == "sample.add"
    assert seen["project"] == "PLACEHOLDER_PROJECT"
    assert seen["type"] == "python-task"
    assert isinstance(seen["inputs"], Mapping)  # a read-only view (ADR 0022)
    assert sorted(seen["inputs"]) == ["a", "b"]
    assert seen["inputs"]["a"].description == "a"
    assert seen["inputs"]["a"].type == TypeEngine.to_literal_type(int)
    assert list(seen["outputs"]) == ["total"]
    assert seen["args"] == t.get_command(placeholder_settings())
    assert seen["args"][-2:] == ["{{.taskTemplatePath}}", "tests.tasks.sample_tasks.CallbackExecutor"]
    assert seen["env"] == {"MODE": "test"}
    assert seen["timeout"] == datetime.timedelta(minutes=5)
    assert seen["retries"] == 3
    assert seen["interruptible"] is True


def test_executor_sees_unset_metadata_as_flytekit_models_report_it(run: Any) -> None:
    seen: dict[str, Any] = {}

    def record(tt: TaskTemplate) -> None:
        seen.update(
            timeout=tt.metadata.timeout, interruptible=tt.metadata.interruptible, env=tt.container.env
        )

    run(record)
    SampleTask("sample.plain")()
    assert seen == {"timeout": datetime.timedelta(0), "interruptible": None, "env": {}}


def test_custom_as_restores_field_types(run: Any) -> None:
    cfg = Config(n=3, inner=Inner(label="in", weight=2.0, count=4), maybe=7, items=[1, 2], mode=Mode.SLOW)
    seen: list[Config] = []
    run(lambda tt: seen.append(tt.custom_as(Config)))
    ConfigTask("sample.config", cfg, "img:1", CallbackExecutor)()
    got = seen[0]
    assert got == cfg
    assert type(got.n) is int
    assert type(got.inner) is Inner
    assert type(got.inner.count) is int
    assert type(got.inner.weight) is float
    assert type(got.maybe) is int
    assert [type(i) for i in got.items] == [int, int]
    assert got.mode is Mode.SLOW


def test_custom_as_keeps_none_for_optional(run: Any) -> None:
    seen: list[Config] = []
    run(lambda tt: seen.append(tt.custom_as(Config)))
    ConfigTask("sample.config_none", Config(n=1), "img:1", CallbackExecutor)()
    assert seen[0].maybe is None
    assert seen[0] == Config(n=1)


def test_mutating_custom_in_one_call_does_not_leak_into_the_next(run: Any) -> None:
    seen: list[Any] = []

    def mutate(tt: TaskTemplate) -> None:
        seen.append(json.loads(json.dumps(tt.custom)))
        tt.custom["items"].append(99)
        tt.custom["nested"]["k"] = "changed"
        tt.custom["added"] = True

    run(mutate)
    t = SampleTask("sample.mutate", custom={"items": [1], "nested": {"k": "v"}})
    t()
    t()
    assert seen[0] == seen[1] == {"items": [1.0], "nested": {"k": "v"}}


def test_templated_image_runs_locally(run: Any) -> None:
    """flytekit fails here (reference §16.20): its placeholder image config has no image named default."""
    images: list[str] = []
    run(lambda tt: images.append(tt.container.image))
    SampleTask("sample.templated", container_image="{{.image.default.fqn}}:{{.image.default.version}}")()
    assert len(images) == 1
    assert "{{" not in images[0]
    assert images[0]


def test_environment_runs_locally(run: Any) -> None:
    """flytekit fails here (reference §16.1): it merges into settings.env, which is None locally."""
    envs: list[dict[str, str]] = []
    run(lambda tt: envs.append(tt.container.env))
    SampleTask("sample.env", environment={"A": "1", "B": "2"})()
    assert envs == [{"A": "1", "B": "2"}]


# -- task_config and get_custom -----------------------------------------------------------------------


def test_dataclass_task_config_is_stored_field_by_field() -> None:
    cfg = Config(n=3, inner=Inner(label="in", weight=2.5, count=4), maybe=None, items=[1, 2], mode=Mode.SLOW)
    pb = ConfigTask("sample.config_ser", cfg, "img:1", CallbackExecutor).serialize_to_model(REAL)
    expected = {
        "n": 3,
        "inner": {"label": "in", "weight": 2.5, "count": 4},
        "maybe": None,
        "items": [1, 2],
        "mode": "slow",
    }
    flytekit_way = json_format.Parse(json.dumps(expected), struct_pb2.Struct())
    assert pb.custom == flytekit_way
    assert pb.custom.SerializeToString(deterministic=True) == flytekit_way.SerializeToString(
        deterministic=True
    )


def test_dataclass_task_config_with_a_non_json_field_names_the_field() -> None:
    @dataclasses.dataclass
    class Bad:
        tags: set[str]

    t = PythonCustomizedContainerTask("sample.bad_cfg", Bad(tags={"a"}), "img:1", CallbackExecutor)
    with pytest.raises(TaskDefinitionError, match=r"task_config\.tags: a set cannot be stored"):
        t.serialize_to_model(REAL)


def test_non_dataclass_config_without_get_custom_is_refused(run: Any) -> None:
    run(lambda tt: None)
    t = PythonCustomizedContainerTask("sample.dict_cfg", {"a": 1}, "img:1", CallbackExecutor)
    with pytest.raises(TaskDefinitionError, match=r"must override get_custom\(settings\).*dict task_config"):
        t.serialize_to_model(REAL)
    with pytest.raises(TaskDefinitionError):
        t()


def test_none_config_without_get_custom_has_no_custom() -> None:
    pb = PythonCustomizedContainerTask("sample.no_cfg", None, "img:1", CallbackExecutor).serialize_to_model(
        REAL
    )
    assert not pb.HasField("custom")


def test_overriding_get_custom_still_works() -> None:
    t = SampleTask(
        "sample.double", inputs=kwtypes(x=int), outputs=kwtypes(y=int), executor_type=DoubleExecutor
    )
    t.custom = {"factor": 3}
    assert t(x=7) == 21
    assert t.serialize_to_model(REAL).custom == json_format.Parse('{"factor": 3}', struct_pb2.Struct())


# -- constructor checks -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"retries": 3}, "retries"),
        ({"cache": True}, "cache"),
        ({"enviroment": {"A": "1"}}, "enviroment"),
        ({"retries": 1, "timeout": 5}, "retries, timeout"),
    ],
)
def test_unknown_constructor_kwargs_are_refused_by_name(kwargs: dict[str, Any], names: str) -> None:
    with pytest.raises(TypeError, match=rf"unexpected keyword argument\(s\): {names}"):
        PythonCustomizedContainerTask("sample.kw", None, "img:1", CallbackExecutor, **kwargs)


def test_moved_kwargs_point_to_task_metadata() -> None:
    with pytest.raises(TypeError, match=r"metadata=TaskMetadata"):
        PythonCustomizedContainerTask("sample.kw", None, "img:1", CallbackExecutor, retries=3)


def test_secret_requests_must_be_secrets() -> None:
    with pytest.raises(TaskDefinitionError, match="should be of type flyweight.Secret"):
        PythonCustomizedContainerTask(
            "sample.sec",
            None,
            "img:1",
            CallbackExecutor,
            secret_requests=["db/password"],  # type: ignore[list-item]
        )
    t = PythonCustomizedContainerTask(
        "sample.sec", None, "img:1", CallbackExecutor, secret_requests=[Secret(group="db", key="pw")]
    )
    assert t.security_context is not None
    assert t.security_context.secrets == [Secret(group="db", key="pw")]


# -- errors from executors ----------------------------------------------------------------------------


class PluginFailure(Exception):
    pass


@pytest.mark.parametrize("exc", [ValueError("boom"), PluginFailure("plugin says no"), KeyError("k")])
def test_executor_exceptions_propagate_unchanged(run: Any, exc: Exception) -> None:
    def fail(tt: Any, **kwargs: Any) -> None:
        raise exc

    run(fail)
    with pytest.raises(type(exc)) as e:
        adder()(1, 2)
    assert e.value is exc
    assert type(e.value) is type(exc)
    assert e.value.args == exc.args


def test_ignore_outputs_from_an_executor_is_honoured_as_in_a_container(run: Any) -> None:
    def ignore(tt: Any, **kwargs: Any) -> None:
        raise IgnoreOutputs("not the leader")

    run(ignore)
    # No outputs declared: the attempt simply has none, as flyweight-execute writes nothing.
    assert SampleTask("sample.ignore")() is None
    # Outputs declared: nobody can read them, so the call fails, naming them.
    with pytest.raises(TaskExecutionError, match="IgnoreOutputs.*declares total") as e:
        adder()(1, 2)
    assert isinstance(e.value.__cause__, IgnoreOutputs)


# -- working directory --------------------------------------------------------------------------------


def test_a_local_call_leaves_nothing_in_the_temp_directory(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = tmp_path / "tmp"
    fresh.mkdir()
    monkeypatch.setenv("TMPDIR", str(fresh))
    monkeypatch.setattr(tempfile, "tempdir", str(fresh))
    # a fresh process-wide default context, as in a new process
    monkeypatch.setattr(context_module, "_DEFAULT", [])
    t = SampleTask("sample.workdir", outputs=kwtypes(existed=bool), executor_type=WorkdirExecutor)
    assert t() is True
    assert t() is True
    assert list(fresh.iterdir()) == []


def test_the_working_directory_exists_during_the_call_and_is_removed_after(run: Any) -> None:
    paths: list[str] = []

    def use_workdir(tt: Any) -> None:
        from flyweight import current_context

        wd = current_context().working_directory
        assert os.path.isdir(wd)
        paths.append(wd)

    run(use_workdir)
    t = SampleTask("sample.workdir2")
    t()
    t()
    assert len(paths) == 2
    assert paths[0] != paths[1]
    assert not any(os.path.exists(p) for p in paths)


def test_raw_output_prefix_is_available_to_the_executor(run: Any) -> None:
    from flyweight import current_context

    prefixes: list[Any] = []
    run(lambda tt: prefixes.append(current_context().raw_output_prefix))
    SampleTask("sample.raw")()
    assert isinstance(prefixes[0], str)
    assert prefixes[0] == FlyteContextManager.current_context().file_access.raw_output_prefix


def test_the_executor_runs_in_local_mode(run: Any) -> None:
    modes: list[Any] = []
    run(lambda tt: modes.append(FlyteContextManager.current_context().execution_state.mode))
    t = SampleTask("sample.mode")
    t()
    assert modes == [ExecutionState.LOCAL]
    assert t.local_execution_mode() == ExecutionState.LOCAL
    assert FlyteContextManager.current_context().execution_state.mode != ExecutionState.LOCAL


# -- the template follows the task --------------------------------------------------------------------


def test_task_template_reflects_changes_made_after_the_first_call(run: Any) -> None:
    """flytekit caches the first template (reference §16.16)."""
    run(lambda tt: tt.custom["q"])
    t = SampleTask("sample.stale", outputs=kwtypes(q=str), custom={"q": "first"})
    assert t() == "first"
    t.custom = {"q": "reassigned"}
    assert t() == "reassigned"
    assert t.task_template.custom == {"q": "reassigned"}
    t.custom = {"q": "again"}
    assert t.task_template.custom == {"q": "again"}
    assert t() == "again"


def test_task_template_reflects_changes_inside_held_objects(run: Any) -> None:
    run(lambda tt: (tt.metadata.retries.retries, tt.container.env.get("K", ""), tt.custom["q"]))
    t = SampleTask("sample.stale2", outputs=kwtypes(retries=int, env=str, q=str), custom={"q": "a"})
    assert tuple(t()) == (0, "", "a")
    t.metadata.retries = 4
    t.environment["K"] = "v"
    t.custom["q"] = "b"
    assert tuple(t()) == (4, "v", "b")


def test_task_template_is_the_placeholder_serialization() -> None:
    t = adder()
    tt = t.task_template
    assert isinstance(tt, TaskTemplate)
    expected = t.serialize_to_model(placeholder_settings()).SerializeToString(deterministic=True)
    assert tt.to_flyte_idl().SerializeToString(deterministic=True) == expected
    assert tt.id.project == "PLACEHOLDER_PROJECT"
    assert tt.id.domain == "LOCAL"
    assert tt.id.version == "PLACEHOLDER_VERSION"


def test_serializing_with_real_settings_does_not_change_what_a_local_call_runs(run: Any) -> None:
    """flytekit's ``serialize_to_model`` replaces the cached template with the last one it made."""
    projects: list[str] = []
    run(lambda tt: projects.append(tt.id.project))
    t = SampleTask("sample.which")
    t.serialize_to_model(REAL)
    t()
    assert projects == ["PLACEHOLDER_PROJECT"]


# -- hooks ----------------------------------------------------------------------------------------------


def test_pre_and_post_execute_overrides_are_honoured(run: Any) -> None:
    calls: list[str] = []

    class Hooked(SampleTask):
        def pre_execute(self, user_params: Any) -> Any:
            calls.append("pre")
            assert user_params is FlyteContextManager.current_context().user_space_params
            return user_params

        def post_execute(self, _: Any, rval: Any) -> Any:
            calls.append("post")
            return rval + 100

    def body(tt: Any, a: int, b: int) -> int:
        calls.append("execute")
        return a + b

    run(body)
    t = Hooked("sample.hooked", inputs=kwtypes(a=int, b=int), outputs=kwtypes(total=int))
    assert t(1, 2) == 103
    assert calls == ["pre", "execute", "post"]


def test_dispatch_execute_override_is_used_by_a_local_call(run: Any) -> None:
    seen: list[LiteralMap] = []

    class Dispatching(SampleTask):
        def dispatch_execute(self, ctx: Any, input_literal_map: LiteralMap) -> LiteralMap:
            seen.append(input_literal_map)
            return super().dispatch_execute(ctx, input_literal_map)

    run(lambda tt, a, b: a + b)
    t = Dispatching("sample.dispatch", inputs=kwtypes(a=int, b=int), outputs=kwtypes(total=int))
    assert t(2, 3) == 5
    assert len(seen) == 1
    assert seen[0].literals["a"].scalar.primitive.integer == 2


def test_a_literal_map_result_is_passed_through(run: Any) -> None:
    ready = TypeEngine.dict_to_literal_map(None, {"total": 41}, {"total": int})
    run(lambda tt, a, b: ready)
    assert adder()(1, 2) == 41


def inputs_map(**values: int) -> LiteralMap:
    return TypeEngine.dict_to_literal_map(None, values, dict.fromkeys(values, int))


def test_local_execute_sandbox_execute_and_dispatch_execute_are_usable_directly(run: Any) -> None:
    run(lambda tt, a, b: a * b)
    t = adder()
    for out in (
        t.local_execute(None, a=6, b=7),
        t.local_execute(FlyteContextManager.current_context(), a=6, b=7),
        t.sandbox_execute(None, inputs_map(a=6, b=7)),
        t.dispatch_execute(None, inputs_map(a=6, b=7)),
    ):
        assert isinstance(out, LiteralMap)
        assert list(out.literals) == ["total"]
        assert out.literals["total"].scalar.primitive.integer == 42


def test_execute_hands_inputs_to_the_executor_with_the_template(run: Any) -> None:
    got: list[Any] = []
    run(lambda tt, **kw: got.append((tt.id.name, kw)))
    t = adder()
    t.execute(a=1, b=2)
    assert got == [("sample.add", {"a": 1, "b": 2})]


def test_construct_node_metadata() -> None:
    t = SampleTask(
        "workflows.sub.node_name",
        metadata=TaskMetadata(retries=2, timeout=90, interruptible=False),
    )
    meta = t.construct_node_metadata()
    assert meta.name == "node_name"
    assert meta.retries.retries == 2
    assert meta.timeout.ToTimedelta() == datetime.timedelta(seconds=90)
    assert meta.HasField("interruptible")
    assert meta.interruptible is False
    plain = SampleTask("flat").construct_node_metadata()
    assert plain.name == "flat"
    assert not plain.HasField("interruptible")
    assert not plain.HasField("timeout")
    assert plain.retries.retries == 0


def test_compile_needs_a_workflow_body() -> None:
    from flyweight.errors import WorkflowCompileError

    with pytest.raises(WorkflowCompileError, match=r"task 'sample\.add'.*no workflow body is being compiled"):
        adder().compile(None, 1, b=2)


# -- documented surface -------------------------------------------------------------------------------

PROPERTIES = [
    "container_image",
    "deck_fields",
    "disable_deck",
    "docs",
    "enable_deck",
    "environment",
    "executor",
    "executor_type",
    "instantiated_in",
    "interface",
    "lhs",
    "location",
    "metadata",
    "name",
    "python_interface",
    "resources",
    "security_context",
    "task_config",
    "task_resolver",
    "task_template",
    "task_type",
    "task_type_version",
]


@pytest.mark.parametrize("name", PROPERTIES)
def test_documented_properties_exist(name: str) -> None:
    assert isinstance(inspect.getattr_static(PythonCustomizedContainerTask, name), property)


def test_documented_property_values() -> None:
    cfg = Config(n=1)
    t = ConfigTask(
        "sample.props",
        cfg,
        "img:2",
        CallbackExecutor,
        requests=Resources(cpu="1"),
        environment={"E": "1"},
        interface=Interface(kwtypes(a=int), kwtypes(b=int)),
    )
    assert t.container_image == "img:2"
    assert t.deck_fields == []
    assert t.enable_deck is False
    with pytest.warns(DeprecationWarning, match="disable_deck"):
        assert t.disable_deck is True
    assert t.docs is None
    assert t.environment == {"E": "1"}
    assert isinstance(t.executor, CallbackExecutor)
    assert t.executor_type is CallbackExecutor
    assert list(t.interface.inputs) == ["a"]
    assert t.metadata == TaskMetadata()
    assert t.name == "sample.props"
    assert t.python_interface.inputs == {"a": int}
    assert t.resources == ResourceSpec(requests=Resources(cpu="1"), limits=Resources())
    assert t.security_context is None
    assert t.task_config is cfg
    assert t.task_resolver is default_task_template_resolver
    assert isinstance(t.task_template, TaskTemplate)
    assert t.task_type == "python-task"
    assert t.task_type_version == 0


SIGNATURES = {
    "compile": ["ctx", "*args", "**kwargs"],
    "construct_node_metadata": [],
    "dispatch_execute": ["ctx", "input_literal_map"],
    "execute": ["**kwargs"],
    "find_lhs": [],
    "get_command": ["settings"],
    "get_config": ["settings"],
    "get_container": ["settings"],
    "get_custom": ["settings"],
    "get_extended_resources": ["settings"],
    "get_image": ["settings"],
    "get_input_types": [],
    "get_k8s_pod": ["settings"],
    "get_sql": ["settings"],
    "get_type_for_input_var": ["k", "v"],
    "get_type_for_output_var": ["k", "v"],
    "local_execute": ["ctx", "**kwargs"],
    "local_execution_mode": [],
    "post_execute": ["_", "rval"],
    "pre_execute": ["user_params"],
    "sandbox_execute": ["ctx", "input_literal_map"],
    "serialize_to_model": ["settings"],
}


def _shape(fn: Any) -> list[str]:
    out = []
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        prefix = {inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.VAR_KEYWORD: "**"}.get(p.kind, "")
        out.append(prefix + p.name)
    return out


def test_twenty_two_documented_methods() -> None:
    assert len(SIGNATURES) == 22


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_documented_methods_have_flytekits_parameter_names(name: str) -> None:
    assert _shape(getattr(PythonCustomizedContainerTask, name)) == SIGNATURES[name]


def test_documented_constructor_parameter_order() -> None:
    assert _shape(PythonCustomizedContainerTask.__init__) == [
        "name",
        "task_config",
        "container_image",
        "executor_type",
        "task_resolver",
        "task_type",
        "requests",
        "limits",
        "environment",
        "secret_requests",
        "**kwargs",
    ]


def test_positional_construction_in_flytekits_order(run: Any) -> None:
    run(lambda tt: tt.type)
    t = PythonCustomizedContainerTask(
        "sample.positional",
        None,
        "img:3",
        CallbackExecutor,
        None,
        "my-type",
        Resources(cpu="1"),
        Resources(cpu="2"),
        {"E": "1"},
        None,
        interface=Interface(outputs=kwtypes(t=str)),
    )
    assert t.task_type == "my-type"
    assert t.resources.requests.cpu == "1"
    assert t.resources.limits.cpu == "2"
    assert t.environment == {"E": "1"}
    assert t() == "my-type"


def test_shim_task_built_from_a_template_runs_the_same_executor(run: Any) -> None:
    run(lambda tt, a, b: a - b)
    pb = adder().serialize_to_model(REAL)
    shim = ExecutableTemplateShimTask(pb, CallbackExecutor)
    assert shim.name == "sample.add"
    assert isinstance(shim.executor, CallbackExecutor)
    out = shim.dispatch_execute(None, inputs_map(a=5, b=3))
    assert out.literals["total"].scalar.primitive.integer == 2
