"""``flyweight-execute`` running map-task elements: the real console script, as a Flyte pod runs an
``ArrayNode`` element (ADR 0018).

Propeller gives every element the map task's template, the *whole* ``inputs.pb`` (each mapped input a
list), an output prefix of its own (``<node>/<index>/<attempt>``) and the index in the environment:
``BATCH_JOB_ARRAY_INDEX_VAR_NAME=FLYTE_K8S_ARRAY_INDEX`` and ``FLYTE_K8S_ARRAY_INDEX=<index>``. A
template-driven (plugin) task reads ``{{.taskTemplatePath}}``, which propeller renders with each list
output unwrapped to its element type. Each test here serializes a map task, writes those files, fills
the container arguments and runs them element by element in a subprocess.

Tasks live in ``tests.entrypoint.map_tasks`` (flyweight) and ``tests.entrypoint.map_tasks_flytekit``
(one source for both SDKs, for flytekit's templates and its ``pyflyte-map-execute``).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

import pytest
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2
from tests.entrypoint import map_tasks as tasks, map_tasks_flytekit as both

from flyweight import map_task
from flyweight._runtime._attempt import _element_outputs
from flyweight._serialize import struct_to_dict
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MAP_RESOLVER = "flyweight.extend.map_task_resolver"
FLYTEKIT_MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
LEGACY_MAP_RESOLVER = "flytekit.core.legacy_map_task.MapTaskResolver"
INDEX_VAR_NAME = "BATCH_JOB_ARRAY_INDEX_VAR_NAME"
INDEX_OFFSET = "BATCH_JOB_ARRAY_INDEX_OFFSET"
PROPELLER_INDEX_VAR = "FLYTE_K8S_ARRAY_INDEX"

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE


def index_env(index: int | str) -> dict[str, str]:
    """What propeller's ArrayNode sets for element ``index``."""
    return {INDEX_VAR_NAME: PROPELLER_INDEX_VAR, PROPELLER_INDEX_VAR: str(index)}


@dataclasses.dataclass
class Result:
    returncode: int
    stderr: str
    out: Path

    def files(self) -> list[str]:
        return sorted(os.listdir(self.out)) if self.out.exists() else []

    def raw_outputs(self) -> bytes:
        assert self.returncode == 0, self.stderr
        assert self.files() == ["outputs.pb"], (self.files(), self.stderr)
        return (self.out / "outputs.pb").read_bytes()

    def outputs(self) -> literals_pb2.LiteralMap:
        return literals_pb2.LiteralMap.FromString(self.raw_outputs())

    def error(self) -> errors_pb2.ContainerError:
        assert self.returncode == 0, self.stderr
        assert self.files() == ["error.pb"], (self.files(), self.stderr)
        return errors_pb2.ErrorDocument.FromString((self.out / "error.pb").read_bytes()).error


@dataclasses.dataclass
class MapNode:
    """One map task's ArrayNode as propeller lays it out: the inputs and template, shared by every element,
    and a directory per element."""

    root: Path
    args: list[str]  # the template's container args, placeholders not filled
    inputs: Path
    template: Path

    def run(
        self,
        index: int | None,
        env: Mapping[str, str] | None = None,
        sdk: str | None = None,
        attempt: int = 0,
    ) -> Result:
        """Run element ``index`` (its index variables set, unless None) under ``<root>/<index>/<attempt>``."""
        where = self.root / ("none" if index is None else str(index)) / str(attempt)
        out = where / "out"
        fills = {
            "{{.input}}": str(self.inputs),
            "{{.outputPrefix}}": str(out),
            "{{.rawOutputDataPrefix}}": str(where / "raw"),
            "{{.checkpointOutputPrefix}}": str(where / "checkpoint"),
            "{{.prevCheckpointPrefix}}": '""',
            "{{.taskTemplatePath}}": str(self.template),
        }
        args = [fills.get(a, a) for a in self.args]
        full_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("FLYTE_", "_F_", "_FSEC_", "BATCH_JOB_")) and k != both.SDK_ENV
        }
        full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
        full_env["PYTHONPATH"] = str(REPO)
        if sdk is not None:
            full_env[both.SDK_ENV] = sdk
        if index is not None:
            full_env.update(index_env(index))
        full_env.update(env or {})
        where.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(args, cwd=where, env=full_env, capture_output=True, text=True, check=False)
        return Result(proc.returncode, proc.stderr, out)

    def replace(self, old: str, new: str) -> None:
        assert old in self.args, (old, self.args)
        self.args[self.args.index(old)] = new

    def insert_before(self, option: str, *new: str) -> None:
        at = self.args.index(option)
        self.args[at:at] = list(new)


def write_inputs(path: Path, values: Mapping[str, Any], types: Mapping[str, Any]) -> None:
    lm = TypeEngine.dict_to_literal_map(None, dict(values), {k: types[k] for k in values})
    path.write_bytes(lm.SerializeToString(deterministic=True))


def prepare(
    root: Path, task: ArrayNodeMapTask, inputs: Mapping[str, Any], args: list[str] | None = None
) -> MapNode:
    """Write the whole ``inputs.pb`` (typed by the map's interface: lists, bound inputs whole) and the
    template as propeller gives it to an element (outputs unwrapped one level)."""
    pb = task.serialize_to_model(tasks.SETTINGS)
    root.mkdir(parents=True, exist_ok=True)
    node = MapNode(
        root,
        list(pb.container.args) if args is None else list(args),
        root / "inputs.pb",
        root / "task_template.pb",
    )
    write_inputs(node.inputs, inputs, task.python_interface.inputs)
    node.template.write_bytes(_element_outputs(pb).SerializeToString())
    return node


def expected(values: Mapping[str, Any], types: Mapping[str, Any]) -> literals_pb2.LiteralMap:
    """The outputs an element must write: ``values`` typed as the inner task's (element) outputs."""
    return TypeEngine.dict_to_literal_map(None, dict(values), dict(types))


# --- a map over a function task -------------------------------------------------------------------


def test_the_template_runs_flyweight_execute_with_the_map_resolver() -> None:
    args = list(map_task(tasks.square).serialize_to_model(tasks.SETTINGS).container.args)
    assert args[0] == "flyweight-execute"
    assert args[args.index("--resolver") + 1] == MAP_RESOLVER
    assert args[args.index("--") :] == [
        "--",
        "vars",
        "",
        "resolver",
        "flyweight.extend.default_task_resolver",
        "task-module",
        "tests.entrypoint.map_tasks",
        "task-name",
        "square",
    ]


def test_each_element_writes_its_own_output_with_the_element_type(tmp_path: Path) -> None:
    xs = [3, -4, 5, 0]
    node = prepare(tmp_path, map_task(tasks.square), {"x": xs})
    for i, x in enumerate(xs):
        out = node.run(i).outputs()
        assert out == expected({"o0": x * x}, {"o0": int}), (i, out)
        assert out.literals["o0"].WhichOneof("value") == "scalar"  # an int, not a list of them


def test_an_element_leaves_the_shared_files_alone(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [1, 2]})
    before = (node.inputs.read_bytes(), node.template.read_bytes())
    node.run(1).outputs()
    assert (node.inputs.read_bytes(), node.template.read_bytes()) == before
    assert not (tmp_path / "0").exists()  # only element 1's prefix was written


def test_inputs_bound_by_a_partial_are_passed_whole(tmp_path: Path) -> None:
    m = map_task(functools.partial(tasks.label, prefix="p-", offsets=[1, 2, 3, 4]))
    assert m.bound_inputs == {"prefix", "offsets"}
    xs = [7, 8]  # fewer elements than the bound list holds: it is neither sliced nor compared
    node = prepare(tmp_path, m, {"x": xs, "prefix": "p-", "offsets": [1, 2, 3, 4]})
    for i, x in enumerate(xs):
        assert node.run(i).outputs() == expected({"o0": f"p-{x}:10:4"}, {"o0": str})


def test_inputs_bound_by_values_are_passed_whole(tmp_path: Path) -> None:
    m = ArrayNodeMapTask(tasks.label, bound_inputs_values={"prefix": "q", "offsets": [5, 6]})
    node = prepare(tmp_path, m, {"x": [1, 2, 3], "prefix": "q", "offsets": [5, 6]})
    assert node.args[node.args.index("vars") + 1] == "offsets,prefix"
    assert node.run(2).outputs() == expected({"o0": "q3:11:2"}, {"o0": str})


def test_a_failing_element_writes_a_user_error_and_the_others_succeed(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.fails_on_two), {"x": [1, 2, 3]})
    assert node.run(0).outputs() == expected({"o0": 101}, {"o0": int})
    err = node.run(1).error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "ValueError: element refuses x=2" in err.message
    assert node.run(2).outputs() == expected({"o0": 103}, {"o0": int})


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({PROPELLER_INDEX_VAR: "1"}, [INDEX_VAR_NAME]),
        ({INDEX_VAR_NAME: PROPELLER_INDEX_VAR}, [INDEX_VAR_NAME, PROPELLER_INDEX_VAR]),
        ({INDEX_VAR_NAME: PROPELLER_INDEX_VAR, PROPELLER_INDEX_VAR: ""}, [PROPELLER_INDEX_VAR]),
        ({INDEX_VAR_NAME: PROPELLER_INDEX_VAR, PROPELLER_INDEX_VAR: "one"}, [PROPELLER_INDEX_VAR, "'one'"]),
    ],
    ids=["no-name", "named-variable-unset", "named-variable-empty", "not-an-integer"],
)
def test_without_a_usable_index_the_element_writes_a_system_error(
    tmp_path: Path, env: dict[str, str], names: list[str]
) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [1, 2, 3]})
    result = node.run(None, env)
    err = result.error()  # error.pb and nothing else: no element 0 computed in its place
    assert (err.origin, err.kind) == (SYSTEM, NON_RECOVERABLE)
    for name in names:
        assert name in err.message, err.message


def test_an_index_past_the_end_writes_an_error_naming_the_input_and_its_length(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [1, 2, 3]})
    err = node.run(3).error()
    assert (err.origin, err.kind) == (SYSTEM, NON_RECOVERABLE)
    assert "the array index 3 is out of range for inputs.x, which has 3 elements" in err.message


def test_a_negative_index_writes_an_error(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [1, 2, 3]})
    err = node.run(1, {INDEX_OFFSET: "-2"}).error()
    assert (err.origin, err.kind) == (SYSTEM, NON_RECOVERABLE)
    assert "the array index is negative" in err.message


def test_the_offset_is_added_to_the_index(tmp_path: Path) -> None:
    xs = [1, 2, 3, 4, 5]
    node = prepare(tmp_path, map_task(tasks.square), {"x": xs})
    assert node.run(1, {INDEX_OFFSET: "3"}).outputs() == expected({"o0": 25}, {"o0": int})
    assert node.run(0, {INDEX_OFFSET: "2"}).outputs() == expected({"o0": 9}, {"o0": int})


def test_the_variable_named_is_read(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [1, 2, 3]})
    env = {INDEX_VAR_NAME: "AWS_BATCH_JOB_ARRAY_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX": "2"}
    assert node.run(0, env).outputs() == expected({"o0": 9}, {"o0": int})  # FLYTE_K8S_ARRAY_INDEX=0 unread


def test_mapped_lists_of_different_lengths_write_an_error_naming_both(tmp_path: Path) -> None:
    m = map_task(functools.partial(tasks.label, offsets=[1]))
    node = prepare(tmp_path, m, {"x": [1, 2, 3], "prefix": ["a", "b"], "offsets": [1]})
    err = node.run(0).error()
    assert err.kind == NON_RECOVERABLE
    assert "different lengths" in err.message
    assert "prefix has 2 elements, x has 3" in err.message


def test_max_concurrency_is_accepted(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [4, 6]})
    node.insert_before("--resolver", "--max-concurrency", "3")
    assert node.run(1).outputs() == expected({"o0": 36}, {"o0": int})


def test_flytekits_map_resolver_name_is_an_alias(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [4, 6]})
    node.replace(MAP_RESOLVER, FLYTEKIT_MAP_RESOLVER)
    assert node.run(0).outputs() == expected({"o0": 16}, {"o0": int})


def test_the_legacy_map_resolver_is_refused_naming_container_array(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.square), {"x": [4, 6]})
    node.replace(MAP_RESOLVER, LEGACY_MAP_RESOLVER)
    err = node.run(0).error()
    assert err.kind == NON_RECOVERABLE
    assert LEGACY_MAP_RESOLVER in err.message
    assert "container_array" in err.message


# --- a map over a task with a pod template (the arguments are the pod's primary container's) ----------


def test_a_pod_template_element_runs_the_primary_containers_arguments(tmp_path: Path) -> None:
    """The map template has ``k8s_pod`` and no ``container`` (as flytekit writes it): propeller starts the pod
    with its primary container's arguments and environment, which run the element."""
    m = map_task(tasks.pod_offset)
    pb = m.serialize_to_model(tasks.SETTINGS)
    assert not pb.HasField("container")
    assert pb.metadata.pod_template_name == "base-template"
    spec = struct_to_dict(pb.k8s_pod.pod_spec)
    (primary,) = [c for c in spec["containers"] if c["name"] == pb.config["primary_container_name"]]
    assert primary["args"][primary["args"].index("--resolver") + 1] == MAP_RESOLVER
    env = {e["name"]: e["value"] for e in primary["env"]}
    assert env == {"POD_OFFSET": "100"}
    xs = [1, 5, -7]
    node = prepare(tmp_path, m, {"x": xs}, args=primary["args"])
    for i, x in enumerate(xs):
        out = node.run(i, env).outputs()
        assert out == expected({"o0": x + 100}, {"o0": int}), (i, out)
    assert node.run(3, env).error().kind == NON_RECOVERABLE  # past the end, as for any map


# --- a map over a plugin task (run from the template propeller renders) -----------------------------


def test_the_plugin_template_is_read_from_the_template_path() -> None:
    args = list(map_task(tasks.scale).serialize_to_model(tasks.SETTINGS).container.args)
    assert args[args.index("--") :] == [
        "--",
        "vars",
        "",
        "resolver",
        "flyweight.extend.default_task_template_resolver",
        "{{.taskTemplatePath}}",
        "tests.entrypoint.map_tasks.ScaleExecutor",
    ]


def test_each_plugin_element_writes_its_output(tmp_path: Path) -> None:
    xs, offsets = [1, 2, 3], [[1], [2, 2], []]  # offsets is mapped too: each element gets one list
    node = prepare(tmp_path, map_task(tasks.scale), {"x": xs, "offsets": offsets})
    for i in range(3):
        out = node.run(i).outputs()
        assert out == expected({"y": 3 * xs[i] + sum(offsets[i])}, {"y": int}), (i, out)


@pytest.mark.parametrize("how", ["partial", "values"])
def test_a_bound_input_of_a_plugin_map_stays_whole(tmp_path: Path, how: str) -> None:
    if how == "partial":
        m = map_task(functools.partial(tasks.scale, offsets=[10, 20, 30, 40]))
    else:
        m = ArrayNodeMapTask(tasks.scale, bound_inputs_values={"offsets": [10, 20, 30, 40]})
    assert m.bound_inputs == {"offsets"}
    node = prepare(tmp_path, m, {"x": [1, 2], "offsets": [10, 20, 30, 40]})
    assert node.args[node.args.index("vars") + 1] == "offsets"
    for i, x in enumerate([1, 2]):
        assert node.run(i).outputs() == expected({"y": 3 * x + 100}, {"y": int})


def test_a_failing_plugin_element_writes_a_user_error(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.failing_scale), {"x": [5, -1], "offsets": [[], []]})
    assert node.run(0).outputs() == expected({"y": 5}, {"y": int})
    err = node.run(1).error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "the warehouse rejected x=-1" in err.message


def test_a_plugin_element_without_an_index_writes_a_system_error(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.scale), {"x": [1], "offsets": [[]]})
    err = node.run(None).error()
    assert (err.origin, err.kind) == (SYSTEM, NON_RECOVERABLE)
    assert INDEX_VAR_NAME in err.message


def test_a_plugin_element_past_the_end_writes_an_error(tmp_path: Path) -> None:
    node = prepare(tmp_path, map_task(tasks.scale), {"x": [1, 2], "offsets": [[], []]})
    err = node.run(2, {INDEX_OFFSET: "0"}).error()
    assert "out of range" in err.message
    assert "which has 2 elements" in err.message


# --- flytekit's own map templates ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    """A map over a task of ``map_tasks_flytekit``: its inputs (whole lists), bound values, expectations."""

    name: str
    bound: Mapping[str, Any]
    inputs: Mapping[str, Any]
    outputs: list[Any]  # element i's o0
    output_type: Any

    def flyweight_map(self) -> ArrayNodeMapTask:
        fn = getattr(both, self.name)
        return map_task(functools.partial(fn, **self.bound) if self.bound else fn)

    def flytekit_map(self, flytekit: Any) -> Any:
        made = flytekit.task(getattr(both, self.name).task_function)
        return flytekit.map_task(functools.partial(made, **self.bound) if self.bound else made)


CASES = [
    Case("square", {}, {"x": [2, -3, 11]}, [4, 9, 121], int),
    Case("shout", {"suffix": "!"}, {"word": ["a", "héllo", ""], "suffix": "!"}, ["A!", "HÉLLO!", "!"], str),
    Case("half", {}, {"x": [1.0, -3.5, 0.25]}, [0.5, -1.75, 0.125], float),
    Case("maybe_next", {}, {"x": [1, None, 41]}, [2, None, 42], Optional[int]),
]


def flytekit_settings(flytekit: Any) -> Any:
    from flytekit.configuration import Image, ImageConfig, SerializationSettings

    image = Image(name="default", fqn="test", tag="tag")
    return SerializationSettings(
        project="proj", domain="dev", version="v1", image_config=ImageConfig(default_image=image)
    )


def flytekit_args(flytekit: Any, case: Case) -> list[str]:
    from flytekit.tools.translator import get_serializable

    spec = get_serializable({}, flytekit_settings(flytekit), case.flytekit_map(flytekit))
    return list(spec.template.container.args)


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_our_container_args_are_flytekits_but_program_and_resolver(flytekit: Any, case: Case) -> None:
    fk_args = flytekit_args(flytekit, case)
    assert fk_args[0] == "pyflyte-map-execute"
    assert fk_args[fk_args.index("--resolver") + 1] == FLYTEKIT_MAP_RESOLVER
    ours = list(case.flyweight_map().serialize_to_model(tasks.SETTINGS).container.args)
    renamed = {
        "pyflyte-map-execute": "flyweight-execute",
        FLYTEKIT_MAP_RESOLVER: MAP_RESOLVER,
        "flytekit.core.python_auto_container.default_task_resolver": "flyweight.extend.default_task_resolver",
    }
    assert [renamed.get(a, a) for a in fk_args] == ours
    assert case.flytekit_map(flytekit).name == case.flyweight_map().name


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_flytekits_template_runs_under_flyweight_execute(tmp_path: Path, flytekit: Any, case: Case) -> None:
    fk_args = flytekit_args(flytekit, case)
    assert f"tests.entrypoint.map_tasks_flytekit task-name {case.name}" in " ".join(fk_args)
    assert ("vars", ",".join(sorted(case.bound))) == tuple(
        fk_args[fk_args.index("vars") : fk_args.index("vars") + 2]
    )
    node = prepare(tmp_path, case.flyweight_map(), case.inputs, args=["flyweight-execute", *fk_args[1:]])
    for i, value in enumerate(case.outputs):
        assert node.run(i).outputs() == expected({"o0": value}, {"o0": case.output_type}), i


@pytest.mark.oracle
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_outputs_are_the_bytes_pyflyte_map_execute_writes(tmp_path: Path, flytekit: Any, case: Case) -> None:
    fk_args = flytekit_args(flytekit, case)
    theirs = prepare(tmp_path / "flytekit", case.flyweight_map(), case.inputs, args=fk_args)
    ours = prepare(
        tmp_path / "flyweight", case.flyweight_map(), case.inputs, args=["flyweight-execute", *fk_args[1:]]
    )
    assert theirs.inputs.read_bytes() == ours.inputs.read_bytes()
    for i in (0, 1, 2):
        want = theirs.run(i, sdk="flytekit").raw_outputs()
        assert ours.run(i).raw_outputs() == want, i
