"""The template resolver: container arguments → a runnable task, and the default resolver's location."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import tasks_pb2
from tests.tasks import tracked_objects
from tests.tasks.sample_tasks import DoubleExecutor, SampleTask

from flyweight import SerializationSettings, kwtypes
from flyweight._settings import placeholder_settings
from flyweight._tasks import load_object_from_module, parse_template
from flyweight.errors import StorageError, TaskDefinitionError, TaskLoadError, TemplateError
from flyweight.extend import (
    ExecutableTemplateShimTask,
    PythonCustomizedContainerTask,
    ShimTaskExecutor,
    TaskTemplateResolver,
    TypeEngine,
    default_task_template_resolver,
)

REAL = SerializationSettings(project="proj", domain="dev", version="v1")
EXECUTOR = "tests.tasks.sample_tasks.DoubleExecutor"


def double_task(**kwargs: Any) -> SampleTask:
    return SampleTask(
        "resolver.double",
        inputs=kwtypes(x=int),
        outputs=kwtypes(y=int),
        custom={"factor": 3},
        executor_type=DoubleExecutor,
        **kwargs,
    )


@pytest.fixture
def template_file(tmp_path: Path) -> Path:
    path = tmp_path / "task_template.pb"
    path.write_bytes(double_task().serialize_to_model(REAL).SerializeToString())
    return path


def run(task: Any, x: int) -> int:
    out = task.dispatch_execute(None, TypeEngine.dict_to_literal_map(None, {"x": x}, {"x": int}))
    return int(out.literals["y"].scalar.primitive.integer)


@pytest.mark.parametrize("as_uri", [False, True], ids=["path", "file-uri"])
def test_load_task_from_a_written_template(template_file: Path, as_uri: bool) -> None:
    where = f"file://{template_file}" if as_uri else str(template_file)
    task = TaskTemplateResolver().load_task([where, EXECUTOR])
    assert isinstance(task, ExecutableTemplateShimTask)
    assert task.executor_type is DoubleExecutor
    assert isinstance(task.executor, DoubleExecutor)
    assert task.name == "resolver.double"
    assert task.task_template is not None
    assert task.task_template.id.project == "proj"
    assert run(task, 5) == 15


def test_the_written_args_load_back_to_the_same_executor() -> None:
    args = double_task().get_command(REAL)
    assert args[8] == default_task_template_resolver.location
    assert args[9] == "--"
    assert args[10:] == ["{{.taskTemplatePath}}", EXECUTOR]
    assert load_object_from_module(args[11]) is DoubleExecutor


def test_default_resolver_location_imports_back_to_itself() -> None:
    location = default_task_template_resolver.location
    assert location == "flyweight.extend.default_task_template_resolver"
    assert load_object_from_module(location) is default_task_template_resolver
    assert default_task_template_resolver.name() == "task template resolver"
    assert default_task_template_resolver.get_all_tasks() == []
    assert default_task_template_resolver.task_name(double_task()) is None


def test_a_custom_resolver_is_named_by_its_module_and_variable() -> None:
    t = double_task(task_resolver=tracked_objects.custom_resolver)
    args = t.get_command(REAL)
    assert args[8] == "tests.tasks.tracked_objects.custom_resolver"
    assert load_object_from_module(args[8]) is tracked_objects.custom_resolver


def test_an_executor_defined_in_a_function_is_refused_for_real_settings_only() -> None:
    class LocalExecutor(ShimTaskExecutor[Any]):
        def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
            return kwargs["x"] + 1

    t = SampleTask(
        "resolver.local", inputs=kwtypes(x=int), outputs=kwtypes(y=int), executor_type=LocalExecutor
    )
    with pytest.raises(TaskDefinitionError, match="defined inside a function") as e:
        default_task_template_resolver.loader_args(REAL, t)
    assert "LocalExecutor" in str(e.value)
    with pytest.raises(TaskDefinitionError, match="define the executor class at module level"):
        t.serialize_to_model(REAL)
    args = default_task_template_resolver.loader_args(placeholder_settings(), t)
    assert args[0] == "{{.taskTemplatePath}}"
    assert args[1].endswith("LocalExecutor")
    assert t(x=1) == 2


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("NoDots", "is not a dotted path"),
        ("tests.tasks.sample_tasks.NoSuchExecutor", "has no 'NoSuchExecutor'"),
        ("tests.tasks.no_such_module.Executor", "no_such_module"),
        ("no_such_package_xyz.Executor", "no_such_package_xyz"),
    ],
)
def test_bad_executor_paths_are_task_load_errors(template_file: Path, path: str, fragment: str) -> None:
    with pytest.raises(TaskLoadError, match=fragment):
        TaskTemplateResolver().load_task([str(template_file), path])


def test_an_executor_path_that_is_not_a_class_is_refused(template_file: Path) -> None:
    with pytest.raises(TaskLoadError, match="not an executor class"):
        TaskTemplateResolver().load_task([str(template_file), "tests.tasks.sample_tasks.install"])


def test_an_executor_that_cannot_be_constructed_is_a_task_load_error(template_file: Path) -> None:
    with pytest.raises(TaskLoadError, match=r"cannot create the executor"):
        TaskTemplateResolver().load_task([str(template_file), "tests.tasks.sample_tasks.Config"])


def test_too_few_loader_args_is_a_task_load_error() -> None:
    with pytest.raises(TaskLoadError, match=r"\[template path, executor path\]"):
        TaskTemplateResolver().load_task(["only-one"])


def test_a_missing_template_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot read"):
        TaskTemplateResolver().load_task([str(tmp_path / "absent.pb"), EXECUTOR])


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xff\xff\xff garbage", tasks_pb2.TaskTemplate(type="no-id").SerializeToString()],
    ids=["empty", "malformed", "no-name"],
)
def test_malformed_or_empty_template_bytes_are_template_errors(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(TemplateError, match="bad.pb"):
        parse_template(data, "bad.pb")
    path = tmp_path / "bad.pb"
    path.write_bytes(data)
    with pytest.raises(TemplateError):
        TaskTemplateResolver().load_task([str(path), EXECUTOR])


def test_a_template_without_an_interface_is_refused() -> None:
    pb = double_task().serialize_to_model(REAL)
    pb.ClearField("interface")
    with pytest.raises(TemplateError, match="no interface"):
        parse_template(pb.SerializeToString(), "t.pb")


def test_customized_tasks_use_the_default_resolver() -> None:
    t = PythonCustomizedContainerTask("resolver.default", None, "img:1", DoubleExecutor)
    assert t.task_resolver is default_task_template_resolver
