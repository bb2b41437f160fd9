"""The default task resolver: loader arguments ``task-module M task-name N``, and loading by them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from tests.tasks import function_factory, function_factory_use, function_shapes

import flyweight.extend
from flyweight import Image, ImageConfig, SerializationSettings, task
from flyweight._entrypoint._run import load_resolver
from flyweight._settings import placeholder_settings
from flyweight._tasks import DefaultTaskResolver, default_task_resolver
from flyweight.errors import TaskDefinitionError, TaskLoadError

SETTINGS = SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
)
REPO = Path(__file__).resolve().parents[2]


def test_location_is_fixed_and_public() -> None:
    assert default_task_resolver.location == "flyweight.extend.default_task_resolver"
    assert flyweight.extend.default_task_resolver is default_task_resolver
    assert isinstance(default_task_resolver, flyweight.extend.DefaultTaskResolver)
    assert default_task_resolver.name() == "DefaultTaskResolver"


@pytest.mark.parametrize(
    "path",
    ["flyweight.extend.default_task_resolver", "flytekit.core.python_auto_container.default_task_resolver"],
)
def test_the_entrypoint_maps_both_locations(path: str) -> None:
    assert load_resolver(path) is default_task_resolver


def test_loader_args_of_a_module_level_task() -> None:
    assert default_task_resolver.loader_args(SETTINGS, function_shapes.no_inputs) == [
        "task-module",
        "tests.tasks.function_shapes",
        "task-name",
        "no_inputs",
    ]


def test_load_task_returns_the_very_task() -> None:
    args = default_task_resolver.loader_args(SETTINGS, function_shapes.cached)
    assert default_task_resolver.load_task(args) is function_shapes.cached


def test_extra_loader_arguments_are_ignored() -> None:
    args = ["task-module", "tests.tasks.function_shapes", "task-name", "cached", "more"]
    assert default_task_resolver.load_task(args) is function_shapes.cached


def test_a_factory_made_task_is_found_where_it_is_bound() -> None:
    t = function_factory_use.tripled
    assert t(x=2) == 6
    assert default_task_resolver.loader_args(SETTINGS, t) == [
        "task-module",
        "tests.tasks.function_factory_use",
        "task-name",
        "tripled",
    ]


def test_a_task_bound_under_another_name_is_found_by_that_name() -> None:
    args = default_task_resolver.loader_args(SETTINGS, function_factory_use.renamed)
    assert args == ["task-module", "tests.tasks.function_factory_use", "task-name", "renamed"]
    assert default_task_resolver.load_task(args) is function_factory_use.renamed


def test_a_task_bound_nowhere_fails_at_serialization() -> None:
    hidden = function_factory.unbound()
    assert hidden(x=4) == 4  # a local call needs no import
    assert hidden.serialize_to_model(placeholder_settings()).container.args[-1] == "hidden"
    with pytest.raises(TaskDefinitionError, match="defined inside a function") as info:
        hidden.serialize_to_model(SETTINGS)
    assert "module 'tests.tasks.function_factory' has no attribute 'hidden'" in str(info.value)
    assert "module level" in str(info.value)


def test_a_task_defined_in_a_test_function_fails_at_serialization() -> None:
    @task
    def local(x: int) -> int:
        return x

    with pytest.raises(TaskDefinitionError, match="cannot be imported by a container"):
        local.serialize_to_model(SETTINGS)


def _run_python(tmp_path: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


_SCRIPT = textwrap.dedent(
    """
    from flyweight import Image, ImageConfig, SerializationSettings, task

    @task
    def shout(text: str) -> str:
        return text.upper()

    if __name__ == "__main__":
        settings = SerializationSettings(
            project="p", domain="d", version="v",
            image_config=ImageConfig(default_image=Image(name="default", fqn="i", tag="t")),
        )
        tpl = shout.serialize_to_model(settings)
        print(tpl.id.name, " ".join(tpl.container.args[-4:]), shout(text="hi"))
    """
)


def test_a_task_in_a_script_names_the_scripts_module(tmp_path: Path) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "daily.py").write_text(_SCRIPT)
    proc = _run_python(tmp_path, "jobs/daily.py")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [
        "jobs.daily.shout",
        "task-module",
        "jobs.daily",
        "task-name",
        "shout",
        "HI",
    ]


def test_a_task_typed_into_python_c_fails_at_serialization(tmp_path: Path) -> None:
    proc = _run_python(tmp_path, "-c", _SCRIPT.replace('if __name__ == "__main__":', "if True:"))
    assert proc.returncode != 0
    assert "TaskDefinitionError" in proc.stderr
    assert "interactive session or a `python -c` command" in proc.stderr


# -- loading failures --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [[], ["task-module", "m"], ["module", "m", "task-name", "n"], ["task-module", "m", "name", "n"]],
)
def test_malformed_loader_args(args: list[str]) -> None:
    with pytest.raises(TaskLoadError, match="'task-module <module> task-name <name>'"):
        default_task_resolver.load_task(args)


def test_a_missing_module_is_named() -> None:
    with pytest.raises(TaskLoadError, match="no module named 'tests.tasks.nope'"):
        default_task_resolver.load_task(["task-module", "tests.tasks.nope", "task-name", "t"])


def test_a_missing_dependency_of_the_module_is_told_apart(tmp_path: Path, monkeypatch: Any) -> None:
    (tmp_path / "needs_dependency.py").write_text("import surely_not_installed_pkg\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        TaskLoadError, match="importing module 'needs_dependency' failed: ModuleNotFoundError"
    ):
        default_task_resolver.load_task(["task-module", "needs_dependency", "task-name", "t"])


def test_a_missing_task_is_named() -> None:
    with pytest.raises(TaskLoadError, match="has no attribute 'nope'"):
        default_task_resolver.load_task(["task-module", "tests.tasks.function_shapes", "task-name", "nope"])


def test_something_that_is_not_a_task_is_refused() -> None:
    with pytest.raises(TaskLoadError, match="function_shapes.OPTIONS is a dict, not a task"):
        default_task_resolver.load_task(
            ["task-module", "tests.tasks.function_shapes", "task-name", "OPTIONS"]
        )


def test_listing_tasks_is_not_supported() -> None:
    with pytest.raises(NotImplementedError):
        DefaultTaskResolver().get_all_tasks()


def test_a_custom_resolver_goes_into_the_arguments() -> None:
    class Mine(DefaultTaskResolver):
        @property
        def location(self) -> str:
            return "my.pkg.resolver"

        def loader_args(self, settings: Any, t: Any) -> list[str]:
            return ["x", t.task_function.__name__]

    @task(task_resolver=Mine())
    def local(x: int) -> int:
        return x

    args = list(local.serialize_to_model(SETTINGS).container.args)
    assert args[-4:] == ["my.pkg.resolver", "--", "x", "local"]
