"""Tasks that raise one exception of a table, for the error-contract test that runs the table through
every path a task runs by (``tests/test_failure_paths.py``).

A function task and a plugin task (its executor declares one exception type transient) raise what
``KINDS`` names; the container imports this module by name.
"""

from __future__ import annotations

from typing import Any

from flyweight import task, workflow
from flyweight._interface import Interface, kwtypes
from flyweight._settings import Image, ImageConfig, SerializationSettings
from flyweight._tasks import PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.errors import IgnoreOutputs, RecoverableError, StorageError, TemplateError

SETTINGS = SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
)


class Quota(Exception):
    error_code = "USER:Quota"


class WarehouseBusy(Exception):
    """Transient only because the plugin's executor says so."""


class CustomBase(BaseException):
    pass


class BrokenStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("__str__ is broken")


KINDS: dict[str, Any] = {
    "value": lambda: ValueError("bad value"),
    "type": lambda: TypeError("a programming error"),
    "recoverable": lambda: RecoverableError("try later"),
    "connection": lambda: ConnectionRefusedError(111, "Connection refused"),
    "timeout": lambda: TimeoutError("the service did not answer"),
    "coded": lambda: Quota("over quota"),
    "declared": lambda: WarehouseBusy("the warehouse is busy"),
    "storage": lambda: StorageError("the store is down"),
    "template": lambda: TemplateError("the template is malformed"),
    "generator_exit": lambda: GeneratorExit("raised by the task"),
    "custom_base": lambda: CustomBase("raised by the task"),
    "sys_exit": lambda: SystemExit(3),
    "broken_str": BrokenStr,
    "ignore": lambda: IgnoreOutputs("not the leader"),
    "keyboard_interrupt": lambda: KeyboardInterrupt("raised by the task"),
}


@task
def raises(kind: str) -> int:
    raise KINDS[kind]()


@workflow
def raises_wf(kind: str) -> int:
    return raises(kind=kind)


class RaisingExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        raise KINDS[kwargs["kind"]]()

    def is_transient(self, error: BaseException) -> bool:
        return isinstance(error, WarehouseBusy)


class RaisingTask(PythonCustomizedContainerTask[Any]):
    def __init__(self) -> None:
        super().__init__(
            name="failure_tasks.plugin_raises",
            task_config=None,
            container_image="registry.example/raising:1",
            executor_type=RaisingExecutor,
            interface=Interface(inputs=kwtypes(kind=str), outputs=kwtypes(n=int)),
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {}


plugin_raises = RaisingTask()


@workflow
def plugin_raises_wf(kind: str) -> int:
    return plugin_raises(kind=kind)
