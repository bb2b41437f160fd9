"""Function task templates against flytekit 1.16.14 (the oracle), byte for byte.

Every function in ``tests.tasks.function_shapes`` is a flyweight task; the test decorates the very same
function with flytekit's ``@task`` and the same options, so both name the same module and function in
their container arguments. Both are serialized with equivalent settings (flytekit through its
registration path, ``get_serializable``). After the identity map — the launcher, the resolver path, the
runtime version, and the output-order ``config`` entry a multi-output flyweight task adds (ADR 0005) —
the deterministic bytes must be equal: interface (docstring descriptions included), metadata, image,
resources, environment, secrets; and the registration form's description.

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import OrderedDict
from typing import Any

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import tasks_pb2
from tests.oracle import load_flytekit
from tests.tasks import function_shapes as shapes

import flyweight
from flyweight._interface import NO_DEFAULT
from flyweight._serialize import OUTPUT_ORDER_KEY
from flyweight._version import __version__
from flyweight.extend import PythonFunctionTask, get_serializable

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("flytekit")]

FLYTEKIT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"
RESOLVER_AT = 12  # index of the resolver path in the container arguments


def _fk_value(fk: Any, value: Any) -> Any:
    """An option value as flytekit spells it."""
    from flytekit.models.documentation import Description, Documentation

    if isinstance(value, flyweight.Resources):
        return fk.Resources(**{k: v for k, v in dataclasses.asdict(value).items() if v is not None})
    if isinstance(value, list) and value and isinstance(value[0], flyweight.Secret):
        return [fk.Secret(group=s.group, key=s.key, group_version=s.group_version) for s in value]
    if isinstance(value, flyweight.Documentation):
        long = value.long_description
        return Documentation(
            short_description=value.short_description,
            long_description=None if long is None else Description(value=long.value),
        )
    return value


def flytekit_task(name: str) -> Any:
    fk = load_flytekit()
    ours: PythonFunctionTask[Any] = getattr(shapes, name)
    options = {k: _fk_value(fk, v) for k, v in shapes.OPTIONS[name].items()}
    # flytekit names a task after the module it is made in when that is not the function's (here: the
    # test run's __main__); made in code that runs as the shapes module, its name is the function's.
    namespace = {"__name__": shapes.__name__, "fk": fk, "options": options, "fn": ours.task_function}
    exec(compile("made = fk.task(**options)(fn)", "<oracle>", "exec"), namespace)
    return namespace["made"]


def settings_pair(env: dict[str, str] | None = None) -> tuple[Any, flyweight.SerializationSettings]:
    from flytekit.configuration import Image, ImageConfig, SerializationSettings

    images = [("default", "test", "tag"), ("trainer", "ghcr.io/acme/trainer", "t1")]
    fk_images = [Image(name=n, fqn=f, tag=t) for n, f, t in images]
    ours = [flyweight.Image(name=n, fqn=f, tag=t) for n, f, t in images]
    fk = SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        env=env,
        image_config=ImageConfig(default_image=fk_images[0], images=fk_images),
    )
    fw = flyweight.SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        env=env,
        image_config=flyweight.ImageConfig(default_image=ours[0], images=ours),
    )
    return fk, fw


def identity_map(tpl: tasks_pb2.TaskTemplate, outputs: list[str]) -> tasks_pb2.TaskTemplate:
    """flytekit's template → what flyweight must produce for the same function."""
    import flytekit

    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    args = out.container.args
    assert args[0] == "pyflyte-execute"
    args[0] = "flyweight-execute"
    assert args[RESOLVER_AT] == FLYTEKIT_RESOLVER
    args[RESOLVER_AT] = "flyweight.extend.default_task_resolver"
    assert out.metadata.runtime.version == flytekit.__version__
    out.metadata.runtime.version = __version__
    if len(outputs) >= 2:
        out.config[OUTPUT_ORDER_KEY] = ",".join(outputs)
    return out


def text_diff(a: Any, b: Any) -> str:
    import difflib

    return "\n".join(
        difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), "flytekit", "flyweight", lineterm="")
    )


def spec_pair(name: str, env: dict[str, str] | None = None) -> tuple[admin_task_pb2.TaskSpec, Any]:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_settings, settings = settings_pair(env)
    fk_spec = fk_get_serializable(OrderedDict(), fk_settings, flytekit_task(name)).to_flyte_idl()
    ours: PythonFunctionTask[Any] = getattr(shapes, name)
    expected = admin_task_pb2.TaskSpec()
    expected.CopyFrom(fk_spec)
    expected.template.CopyFrom(identity_map(fk_spec.template, list(ours.python_interface.outputs)))
    return expected, get_serializable(OrderedDict(), settings, ours)


NAMES = list(shapes.OPTIONS)


@pytest.mark.parametrize("name", NAMES)
def test_template_bytes_equal_flytekits(name: str) -> None:
    expected, got = spec_pair(name)
    assert got.template.interface == expected.template.interface, text_diff(
        expected.template.interface, got.template.interface
    )
    ours = getattr(shapes, name).serialize_to_model(settings_pair()[1])
    assert ours.SerializeToString(deterministic=True) == expected.template.SerializeToString(
        deterministic=True
    ), text_diff(expected.template, ours)


@pytest.mark.parametrize("name", NAMES)
def test_registration_spec_bytes_equal_flytekits(name: str) -> None:
    expected, got = spec_pair(name)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


def test_settings_environment_merges_as_flytekits() -> None:
    env = {"SETTINGS_ENV": "s", "SHARED": "settings"}
    expected, got = spec_pair("with_environment", env)
    assert [(e.key, e.value) for e in got.template.container.env] == [
        ("SETTINGS_ENV", "s"),
        ("SHARED", "task"),
        ("TASK_ENV", "t"),
    ]
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)


def test_the_container_arguments_name_module_and_function() -> None:
    expected, got = spec_pair("no_inputs")
    args = list(got.template.container.args)
    assert args[-5:] == ["--", "task-module", "tests.tasks.function_shapes", "task-name", "no_inputs"]
    assert args[7:11] == [
        "--checkpoint-path",
        "{{.checkpointOutputPrefix}}",
        "--prev-checkpoint",
        "{{.prevCheckpointPrefix}}",
    ]
    assert list(expected.template.container.args)[-5:] == args[-5:]


def test_interfaces_match_flytekits_python_interface() -> None:
    """Names, order and default values of inputs; names and order of outputs."""
    for name in NAMES:
        fk_task = flytekit_task(name)
        ours = getattr(shapes, name).python_interface
        fk = fk_task.python_interface
        assert list(ours.inputs) == list(fk.inputs), name
        # flytekit writes "no default" as None; flyweight keeps NO_DEFAULT apart from a default of None
        ours_defaults = {
            k: (t, None if d is NO_DEFAULT else d) for k, (t, d) in ours.inputs_with_defaults.items()
        }
        assert ours_defaults == fk.inputs_with_defaults, name
        assert list(ours.outputs) == list(fk.outputs), name
        assert ours.output_tuple_name == fk.output_tuple_name, name
        assert getattr(shapes, name).name == fk_task.name, name


# -- local calls: same function, same answers -------------------------------------------------------

CALLS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("no_inputs", (), {}),
    ("returns_nothing", (1,), {}),
    ("with_defaults", (1,), {}),
    ("with_defaults", (), {"a": 2, "c": 1.5, "d": [1, 2]}),
    ("with_defaults", (3, "y"), {"e": True}),
    ("named_outputs", ([1, 2, 3],), {}),
    ("tuple_outputs", (), {"n": 4}),
    ("cached", (), {"n": 1}),
    (
        "structured",
        (shapes.Point(1, 2.5), {"a": 1}, datetime.datetime(2024, 1, 2, tzinfo=datetime.timezone.utc)),
        {"span": datetime.timedelta(seconds=3)},
    ),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), CALLS, ids=[f"{c[0]}-{i}" for i, c in enumerate(CALLS)])
def test_local_calls_give_flytekits_results(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    expected = flytekit_task(name)(*args, **kwargs)
    got = getattr(shapes, name)(*args, **kwargs)
    assert got == expected
    if isinstance(expected, tuple):
        assert type(got).__name__ == type(expected).__name__
        assert got._fields == expected._fields  # type: ignore[attr-defined]
    else:
        assert type(got) is type(expected)
