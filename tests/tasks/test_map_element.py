"""The container side of a map task (``flyweight._tasks._map_element``): the array index, the element's
inputs, the mapped size, and the map resolver's loader arguments. ADR 0018.

These are unit tests in this process; ``tests/entrypoint/test_execute_map.py`` runs the same code through
the real ``flyweight-execute``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from tests.entrypoint import map_tasks, sample_plugin as plugin

from flyweight import _idl, map_task
from flyweight._tasks._map_element import (
    INDEX_OFFSET,
    INDEX_VAR_NAME,
    MAP_RESOLVER_ALIASES,
    MAP_RESOLVER_LOCATION,
    PROPELLER_INDEX_VAR,
    MappedElement,
    MapTaskResolver,
    array_index,
    element_inputs,
    map_task_resolver,
    mapped_size,
)
from flyweight.errors import TaskLoadError, TemplateError, TypeTransformerFailedError
from flyweight.extend import ExecutableTemplateShimTask
from flyweight.types import TypeEngine

FLYWEIGHT_FUNCTION_RESOLVER = "flyweight.extend.default_task_resolver"
FLYTEKIT_FUNCTION_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"
FLYWEIGHT_TEMPLATE_RESOLVER = "flyweight.extend.default_task_template_resolver"
FLYTEKIT_TEMPLATE_RESOLVER = "flytekit.core.python_customized_container_task.default_task_template_resolver"
FLYTEKIT_MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
LEGACY_MAP_RESOLVER = "flytekit.core.legacy_map_task.MapTaskResolver"
SQUARE_ARGS = ["task-module", "tests.entrypoint.map_tasks", "task-name", "square"]
SCALE_EXECUTOR = "tests.entrypoint.map_tasks.ScaleExecutor"


def propeller(index: object, **more: str) -> dict[str, str]:
    """The environment propeller gives an ArrayNode element (plus ``more``)."""
    return {INDEX_VAR_NAME: PROPELLER_INDEX_VAR, PROPELLER_INDEX_VAR: str(index), **more}


def literals(values: Mapping[str, Any], types: Mapping[str, Any]) -> _idl.LiteralMap:
    return TypeEngine.dict_to_literal_map(None, dict(values), dict(types))


def python(lm: _idl.LiteralMap, types: Mapping[str, Any]) -> dict[str, Any]:
    return {k: TypeEngine.to_python_value(None, lm.literals[k], t) for k, t in types.items()}


# --- array_index ----------------------------------------------------------------------------------


def test_the_constants_are_propellers_names() -> None:
    assert (INDEX_VAR_NAME, INDEX_OFFSET, PROPELLER_INDEX_VAR) == (
        "BATCH_JOB_ARRAY_INDEX_VAR_NAME",
        "BATCH_JOB_ARRAY_INDEX_OFFSET",
        "FLYTE_K8S_ARRAY_INDEX",
    )


@pytest.mark.parametrize("index", [0, 1, 7, 12345])
def test_the_index_is_the_variable_propeller_names(index: int) -> None:
    assert array_index(propeller(index)) == index


def test_the_named_variable_is_read_not_a_fixed_one() -> None:
    env = {
        INDEX_VAR_NAME: "AWS_BATCH_JOB_ARRAY_INDEX",
        "AWS_BATCH_JOB_ARRAY_INDEX": "4",
        PROPELLER_INDEX_VAR: "9",
    }
    assert array_index(env) == 4


def test_surrounding_whitespace_is_ignored() -> None:
    env = {INDEX_VAR_NAME: f" {PROPELLER_INDEX_VAR}\n", PROPELLER_INDEX_VAR: " 3 ", INDEX_OFFSET: " 2 "}
    assert array_index(env) == 5


@pytest.mark.parametrize(
    ("index", "offset", "expected"), [(0, "3", 3), (2, "10", 12), (5, "-5", 0), (4, "", 4)]
)
def test_the_offset_is_added(index: int, offset: str, expected: int) -> None:
    assert array_index(propeller(index, **{INDEX_OFFSET: offset})) == expected


@pytest.mark.parametrize("name", [None, "", "   "], ids=["unset", "empty", "blank"])
def test_no_variable_name_is_an_error_naming_it(name: str | None) -> None:
    env = {PROPELLER_INDEX_VAR: "3"}  # the value alone is not enough: nothing says where to look
    if name is not None:
        env[INDEX_VAR_NAME] = name
    with pytest.raises(TemplateError) as info:
        array_index(env)
    message = str(info.value)
    assert f"{INDEX_VAR_NAME} is not set" in message
    assert PROPELLER_INDEX_VAR in message  # says how to run an element by hand


@pytest.mark.parametrize("value", [None, "", "  "], ids=["unset", "empty", "blank"])
def test_the_named_variable_missing_is_an_error_naming_it(value: str | None) -> None:
    env = {INDEX_VAR_NAME: "MY_INDEX"}
    if value is not None:
        env["MY_INDEX"] = value
    with pytest.raises(TemplateError) as info:
        array_index(env)
    assert str(info.value) == f"{INDEX_VAR_NAME} names MY_INDEX, which is not set: the array index is unknown"


@pytest.mark.parametrize("value", ["abc", "1.5", "0x2", "1e3", "3 4"])
def test_a_non_integer_index_is_an_error_naming_the_variable_and_value(value: str) -> None:
    with pytest.raises(TemplateError) as info:
        array_index(propeller(value))
    assert str(info.value) == f"{PROPELLER_INDEX_VAR} must be an integer (an array index), got {value!r}"


def test_a_non_integer_offset_is_an_error_naming_the_offset() -> None:
    with pytest.raises(TemplateError) as info:
        array_index(propeller(1, **{INDEX_OFFSET: "two"}))
    assert str(info.value) == f"{INDEX_OFFSET} must be an integer (an array index), got 'two'"


@pytest.mark.parametrize(("index", "offset"), [("-1", None), ("1", "-2"), ("-3", "2")])
def test_a_negative_index_is_an_error(index: str, offset: str | None) -> None:
    env = propeller(index)
    if offset is not None:
        env[INDEX_OFFSET] = offset
    with pytest.raises(TemplateError) as info:
        array_index(env)
    message = str(info.value)
    assert "the array index is negative" in message
    assert f"{PROPELLER_INDEX_VAR}={int(index)}" in message
    assert f"{INDEX_OFFSET}={int(offset or 0)}" in message


# --- element_inputs -------------------------------------------------------------------------------

TYPES: dict[str, Any] = {"x": list[int], "word": list[str], "factor": int, "offsets": list[int]}
INPUTS: dict[str, Any] = {"x": [10, 20, 30], "word": ["a", "b", "c"], "factor": 7, "offsets": [1, 2]}


@pytest.mark.parametrize("index", [0, 1, 2])
def test_element_inputs_take_each_mapped_item_and_bound_inputs_whole(index: int) -> None:
    lm = literals(INPUTS, TYPES)
    out = element_inputs(lm, ["x", "word"], index)
    assert python(out, {"x": int, "word": str, "factor": int, "offsets": list[int]}) == {
        "x": INPUTS["x"][index],
        "word": INPUTS["word"][index],
        "factor": 7,
        "offsets": [1, 2],  # a bound list is passed whole, though it is shorter than the mapped ones
    }
    assert out.literals["x"] == lm.literals["x"].collection.literals[index]  # the literal itself, copied
    assert out.literals["offsets"] == lm.literals["offsets"]
    assert python(lm, TYPES) == INPUTS  # the inputs are left alone


def test_element_inputs_accept_any_container_of_names() -> None:
    lm = literals(INPUTS, TYPES)
    expected = element_inputs(lm, ["x", "word"], 2)
    assert element_inputs(lm, frozenset({"x", "word"}), 2) == expected
    assert element_inputs(lm, ("word", "x"), 2) == expected


def test_element_inputs_of_nothing_mapped_is_the_inputs() -> None:
    lm = literals({"factor": 3, "offsets": [4]}, {"factor": int, "offsets": list[int]})
    assert element_inputs(lm, [], 99) == lm


@pytest.mark.parametrize("index", [3, 4, 1000])
def test_an_index_past_the_end_is_an_error_naming_the_input_and_its_length(index: int) -> None:
    lm = literals(INPUTS, TYPES)
    with pytest.raises(TemplateError) as info:
        element_inputs(lm, ["x"], index)
    assert str(info.value) == f"the array index {index} is out of range for inputs.x, which has 3 elements"


def test_an_index_past_the_end_of_an_empty_list_is_an_error() -> None:
    lm = literals({"x": []}, {"x": list[int]})
    with pytest.raises(
        TemplateError, match=r"array index 0 is out of range for inputs\.x, which has 0 elements"
    ):
        element_inputs(lm, ["x"], 0)


def test_a_negative_index_is_refused_not_taken_from_the_end() -> None:
    lm = literals(INPUTS, TYPES)
    with pytest.raises(TemplateError, match=r"array index -1 is out of range for inputs\.x"):
        element_inputs(lm, ["x"], -1)


# --- mapped_size ----------------------------------------------------------------------------------


def test_mapped_size_is_the_common_length() -> None:
    lm = literals(INPUTS, TYPES)
    assert mapped_size("m", lm, ["x", "word"]) == 3
    assert mapped_size("m", lm, ["offsets"]) == 2


def test_mapped_size_of_nothing_or_empty_lists_is_zero() -> None:
    assert mapped_size("m", literals(INPUTS, TYPES), []) == 0
    assert mapped_size("m", literals({"x": [], "y": []}, {"x": list[int], "y": list[str]}), ["x", "y"]) == 0


def test_a_missing_mapped_input_is_an_error_naming_it() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        mapped_size("my.map", literals(INPUTS, TYPES), ["x", "absent"])
    assert str(info.value) == "map task 'my.map': the mapped input 'absent' is missing"


def test_a_mapped_input_that_is_not_a_list_is_an_error_naming_it() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        mapped_size("my.map", literals(INPUTS, TYPES), ["x", "factor"])
    assert (
        str(info.value) == "map task 'my.map': expected a list at inputs.factor, got a literal holding scalar"
    )


def test_a_mapped_map_literal_is_not_a_list() -> None:
    lm = literals({"d": {"a": 1}}, {"d": dict[str, int]})
    with pytest.raises(
        TypeTransformerFailedError, match=r"expected a list at inputs\.d, got a literal holding map"
    ):
        mapped_size("m", lm, ["d"])


@pytest.mark.parametrize("order", [["x", "offsets"], ["offsets", "x"]])
def test_different_lengths_are_an_error_naming_both_inputs(order: list[str]) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        mapped_size("my.map", literals(INPUTS, TYPES), order)
    first, second = order
    sizes = {"x": 3, "offsets": 2}
    assert str(info.value) == (
        f"map task 'my.map': the mapped inputs have different lengths: {first} has {sizes[first]} "
        f"elements, {second} has {sizes[second]}"
    )


# --- MappedElement --------------------------------------------------------------------------------


class Recorder:
    """A task that records the inputs it gets and returns them."""

    name = "recorder"

    def __init__(self) -> None:
        self.seen: list[_idl.LiteralMap] = []

    def dispatch_execute(self, ctx: Any, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        self.seen.append(inputs)
        return inputs


def set_env(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> None:
    for name in (INDEX_VAR_NAME, INDEX_OFFSET, PROPELLER_INDEX_VAR):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_a_mapped_element_runs_the_task_on_its_item(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, propeller(1))
    task = Recorder()
    element = MappedElement(task, frozenset({"factor", "offsets"}))
    assert element.name == "recorder"
    out = element.dispatch_execute(None, literals(INPUTS, TYPES))
    assert python(out, {"x": int, "word": str, "factor": int, "offsets": list[int]}) == {
        "x": 20,
        "word": "b",
        "factor": 7,
        "offsets": [1, 2],
    }


def test_a_mapped_element_honours_the_offset(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, propeller(0, **{INDEX_OFFSET: "2"}))
    out = MappedElement(Recorder(), frozenset({"factor", "offsets"})).dispatch_execute(
        None, literals(INPUTS, TYPES)
    )
    assert python(out, {"x": int})["x"] == 30


def test_a_mapped_element_without_an_index_does_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, {})
    task = Recorder()
    with pytest.raises(TemplateError, match=INDEX_VAR_NAME):
        MappedElement(task, frozenset({"factor", "offsets"})).dispatch_execute(None, literals(INPUTS, TYPES))
    assert task.seen == []


def test_a_mapped_element_checks_the_lengths_before_running(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, propeller(0))
    task = Recorder()
    with pytest.raises(TypeTransformerFailedError, match="different lengths"):
        # offsets is not bound here, so it is mapped, and its length differs from x's
        MappedElement(task, frozenset({"factor"})).dispatch_execute(None, literals(INPUTS, TYPES))
    assert task.seen == []


def test_a_mapped_element_fetches_offloaded_inputs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    set_env(monkeypatch, propeller(2))
    lm = literals(INPUTS, TYPES)
    stored = tmp_path / "x.pb"
    stored.write_bytes(lm.literals["x"].SerializeToString())
    lm.literals["x"].Clear()
    lm.literals["x"].offloaded_metadata.uri = str(stored)
    out = MappedElement(Recorder(), frozenset({"factor", "offsets"})).dispatch_execute(None, lm)
    assert python(out, {"x": int, "word": str})["x"] == 30


def test_an_offloaded_input_that_is_no_literal_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    set_env(monkeypatch, propeller(0))
    lm = literals(INPUTS, TYPES)
    stored = tmp_path / "x.pb"
    stored.write_bytes(b"\xff\xff\xff not a literal")
    lm.literals["x"].Clear()
    lm.literals["x"].offloaded_metadata.uri = str(stored)
    with pytest.raises(TemplateError, match=r"inputs\.x was offloaded to .*x\.pb.*which holds no Literal"):
        MappedElement(Recorder(), frozenset({"factor", "offsets"})).dispatch_execute(None, lm)


# --- MapTaskResolver.load_task --------------------------------------------------------------------


def test_the_resolver_instance_is_at_its_public_location() -> None:
    import flyweight.extend

    assert flyweight.extend.map_task_resolver is map_task_resolver
    assert map_task_resolver.location == MAP_RESOLVER_LOCATION == "flyweight.extend.map_task_resolver"
    assert {MAP_RESOLVER_LOCATION, FLYTEKIT_MAP_RESOLVER} == MAP_RESOLVER_ALIASES
    assert map_task_resolver.get_all_tasks() == []


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["vars"],
        ["vars", ""],
        ["vars", "", "resolver"],
        ["var", "", "resolver", FLYWEIGHT_FUNCTION_RESOLVER, *SQUARE_ARGS],
        ["vars", "", "resolvers", FLYWEIGHT_FUNCTION_RESOLVER, *SQUARE_ARGS],
        ["resolver", FLYWEIGHT_FUNCTION_RESOLVER, *SQUARE_ARGS],
        SQUARE_ARGS,
    ],
    ids=[
        "empty",
        "vars-only",
        "no-resolver",
        "no-resolver-path",
        "var",
        "resolvers",
        "no-vars",
        "function-args",
    ],
)
def test_loader_args_of_another_shape_are_refused(args: list[str]) -> None:
    with pytest.raises(TaskLoadError) as info:
        MapTaskResolver().load_task(args)
    message = str(info.value)
    assert "['vars', <bound inputs>, 'resolver', <resolver>, <args>…]" in message
    assert repr(list(args)) in message


@pytest.mark.parametrize(
    ("text", "bound"),
    [("", set()), ("x", {"x"}), ("offsets,prefix", {"offsets", "prefix"}), (",x,,y,", {"x", "y"})],
    ids=["empty", "one", "two", "stray-commas"],
)
def test_vars_are_the_bound_inputs(text: str, bound: set[str]) -> None:
    element = map_task_resolver.load_task(
        ["vars", text, "resolver", FLYWEIGHT_FUNCTION_RESOLVER, *SQUARE_ARGS]
    )
    assert isinstance(element, MappedElement)
    assert element.bound == frozenset(bound)


@pytest.mark.parametrize("path", [FLYWEIGHT_FUNCTION_RESOLVER, FLYTEKIT_FUNCTION_RESOLVER])
def test_function_resolvers_of_both_sdks_load_the_task(path: str) -> None:
    element = map_task_resolver.load_task(["vars", "", "resolver", path, *SQUARE_ARGS])
    assert isinstance(element, MappedElement)
    assert element.task is map_tasks.square
    assert element.name == map_tasks.square.name


def test_the_inner_resolvers_errors_come_through() -> None:
    args = ["vars", "", "resolver", FLYWEIGHT_FUNCTION_RESOLVER, "task-module", "tests.entrypoint.map_tasks"]
    with pytest.raises(TaskLoadError, match="'task-module <module> task-name <name>'"):
        map_task_resolver.load_task(args)
    with pytest.raises(TaskLoadError, match="no attribute 'cube'"):
        map_task_resolver.load_task([*args, "task-name", "cube"])


@pytest.mark.parametrize("path", [MAP_RESOLVER_LOCATION, FLYTEKIT_MAP_RESOLVER, LEGACY_MAP_RESOLVER])
def test_an_inner_map_resolver_is_refused(path: str) -> None:
    with pytest.raises(TaskLoadError) as info:
        map_task_resolver.load_task(
            ["vars", "", "resolver", path, "vars", "", "resolver", FLYWEIGHT_FUNCTION_RESOLVER]
        )
    assert str(info.value) == f"a map task cannot map another map task (inner resolver {path!r})"


def test_a_resolver_of_the_users_own_is_imported() -> None:
    element = map_task_resolver.load_task(
        ["vars", "", "resolver", "tests.entrypoint.sample_plugin.odd_resolver"]
    )
    assert isinstance(element, MappedElement)
    assert isinstance(element.task, plugin.OddTask)


def test_an_inner_resolver_without_load_task_is_refused() -> None:
    path = "tests.entrypoint.sample_plugin.not_a_resolver"
    with pytest.raises(
        TaskLoadError,
        match=r"inner resolver 'tests\.entrypoint\.sample_plugin\.not_a_resolver' has no load_task",
    ):
        map_task_resolver.load_task(["vars", "", "resolver", path])


def test_an_unimportable_inner_resolver_is_a_task_load_error() -> None:
    with pytest.raises(TaskLoadError):
        map_task_resolver.load_task(["vars", "", "resolver", "tests.entrypoint.no_such_module.resolver"])


def write_template(tmp_path: Path, task: Any, unwrap_outputs: bool = True) -> Path:
    """The map template as propeller gives it to an element (outputs unwrapped one level)."""
    from flyweight._runtime._attempt import _element_outputs

    pb = task.serialize_to_model(map_tasks.SETTINGS)
    if unwrap_outputs:
        pb = _element_outputs(pb)
    path = tmp_path / "task_template.pb"
    path.write_bytes(pb.SerializeToString())
    return path


def simple(var: Any) -> str:
    """The name of the simple type of a variable (``INTEGER``…); fails when it is not a simple type."""
    return type_name(var.type)


def type_name(lt: Any) -> str:
    kind = lt.WhichOneof("type")
    if kind == "collection_type":
        return f"List[{type_name(lt.collection_type)}]"
    assert kind == "simple", lt
    return str(
        _idl.LiteralType.DESCRIPTOR.fields_by_name["simple"].enum_type.values_by_number[lt.simple].name
    )


@pytest.mark.parametrize("path", [FLYWEIGHT_TEMPLATE_RESOLVER, FLYTEKIT_TEMPLATE_RESOLVER])
def test_a_template_tasks_mapped_inputs_are_retyped_to_elements(tmp_path: Path, path: str) -> None:
    template = write_template(tmp_path, map_task(map_tasks.scale))
    element = map_task_resolver.load_task(["vars", "", "resolver", path, str(template), SCALE_EXECUTOR])
    assert isinstance(element, MappedElement)
    task = element.task
    assert isinstance(task, ExecutableTemplateShimTask)
    assert task.executor_type is map_tasks.ScaleExecutor
    pb = task.task_template.to_flyte_idl()
    inputs = pb.interface.inputs.variables
    assert {k: simple(v) for k, v in inputs.items()} == {"x": "INTEGER", "offsets": "List[INTEGER]"}
    assert simple(pb.interface.outputs.variables["y"]) == "INTEGER"  # as propeller gave it
    assert pb.custom == map_task(map_tasks.scale).serialize_to_model(map_tasks.SETTINGS).custom


def test_a_template_tasks_bound_inputs_keep_their_type(tmp_path: Path) -> None:
    template = write_template(tmp_path, map_task(functools.partial(map_tasks.scale, offsets=[1, 2])))
    element = map_task_resolver.load_task(
        ["vars", "offsets", "resolver", FLYWEIGHT_TEMPLATE_RESOLVER, str(template), SCALE_EXECUTOR]
    )
    inputs = element.task.task_template.to_flyte_idl().interface.inputs.variables
    assert (simple(inputs["x"]), simple(inputs["offsets"])) == ("INTEGER", "List[INTEGER]")
    assert element.bound == frozenset({"offsets"})


def test_the_template_file_is_not_changed(tmp_path: Path) -> None:
    template = write_template(tmp_path, map_task(map_tasks.scale))
    before = template.read_bytes()
    map_task_resolver.load_task(
        ["vars", "", "resolver", FLYWEIGHT_TEMPLATE_RESOLVER, str(template), SCALE_EXECUTOR]
    )
    assert template.read_bytes() == before


def test_a_custom_resolvers_own_shim_task_keeps_its_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = write_template(tmp_path, map_task(map_tasks.scale))
    resolver = "tests.entrypoint.map_tasks.tagging_resolver"
    element = map_task_resolver.load_task(["vars", "", "resolver", resolver, str(template), SCALE_EXECUTOR])
    set_env(monkeypatch, propeller(1))
    inputs = literals({"x": [1, 2], "offsets": [[], [5]]}, {"x": list[int], "offsets": list[list[int]]})
    out = element.dispatch_execute(None, inputs)
    assert python(out, {"y": int}) == {"y": 3 * (2 + 1000) + 5}
    assert isinstance(element.task, map_tasks.TaggingShimTask)


def test_a_template_element_runs_the_executor_on_its_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = write_template(tmp_path, map_task(map_tasks.scale))
    element = map_task_resolver.load_task(
        ["vars", "", "resolver", FLYWEIGHT_TEMPLATE_RESOLVER, str(template), SCALE_EXECUTOR]
    )
    set_env(monkeypatch, propeller(1))
    inputs = literals({"x": [1, 2], "offsets": [[], [5]]}, {"x": list[int], "offsets": list[list[int]]})
    assert python(element.dispatch_execute(None, inputs), {"y": int}) == {"y": 3 * 2 + 5}


def test_a_non_list_unbound_input_in_the_template_is_an_error(tmp_path: Path) -> None:
    # the plain (unmapped) template: x is an int, which a map cannot slice
    template = tmp_path / "task_template.pb"
    template.write_bytes(map_tasks.scale.serialize_to_model(map_tasks.SETTINGS).SerializeToString())
    with pytest.raises(TemplateError) as info:
        map_task_resolver.load_task(
            ["vars", "offsets", "resolver", FLYWEIGHT_TEMPLATE_RESOLVER, str(template), SCALE_EXECUTOR]
        )
    name = map_tasks.scale.name
    expected = f"the map task {name!r} maps input 'x', which its template types as simple, not a list"
    assert str(info.value) == expected


# --- MapTaskResolver.loader_args ------------------------------------------------------------------


def container_tail(task: Any) -> list[str]:
    args = list(task.serialize_to_model(map_tasks.SETTINGS).container.args)
    return args[args.index("--") + 1 :]


def test_loader_args_of_a_map_over_a_function_task() -> None:
    m = map_task(map_tasks.square)
    assert map_task_resolver.loader_args(map_tasks.SETTINGS, m) == [
        "vars",
        "",
        "resolver",
        FLYWEIGHT_FUNCTION_RESOLVER,
        *SQUARE_ARGS,
    ]
    assert container_tail(m) == map_task_resolver.loader_args(map_tasks.SETTINGS, m)


def test_loader_args_of_a_map_over_a_partial_name_the_bound_inputs_sorted() -> None:
    m = map_task(functools.partial(map_tasks.label, prefix="p", offsets=[1]))
    expected = ["vars", "offsets,prefix", "resolver", FLYWEIGHT_FUNCTION_RESOLVER]
    expected += ["task-module", "tests.entrypoint.map_tasks", "task-name", "label"]
    assert map_task_resolver.loader_args(map_tasks.SETTINGS, m) == expected
    assert container_tail(m) == expected


def test_loader_args_of_a_map_over_a_plugin_task() -> None:
    m = map_task(functools.partial(map_tasks.scale, offsets=[1]))
    expected = [
        "vars",
        "offsets",
        "resolver",
        FLYWEIGHT_TEMPLATE_RESOLVER,
        "{{.taskTemplatePath}}",
        SCALE_EXECUTOR,
    ]
    assert map_task_resolver.loader_args(map_tasks.SETTINGS, m) == expected
    assert container_tail(m) == expected


def test_loader_args_load_back_the_task() -> None:
    m = map_task(functools.partial(map_tasks.label, prefix="p"))
    element = map_task_resolver.load_task(map_task_resolver.loader_args(map_tasks.SETTINGS, m))
    assert element.task is map_tasks.label
    assert element.bound == frozenset({"prefix"})
