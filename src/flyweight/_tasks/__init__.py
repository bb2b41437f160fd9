"""Tasks: the authoring objects, the executor contract and the resolvers that load tasks in containers.

Public names are re-exported from ``flyweight`` and ``flyweight.extend``; this package's modules are
private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import lazy_exports
from flyweight._tasks._auto_container import PythonAutoContainerTask
from flyweight._tasks._customized import PythonCustomizedContainerTask, ResourceSpec
from flyweight._tasks._function import PythonFunctionTask, task
from flyweight._tasks._function_resolver import DefaultTaskResolver, default_task_resolver
from flyweight._tasks._metadata import DeckField, Description, Documentation, SourceCode, TaskMetadata
from flyweight._tasks._resolver import (
    DEFAULT_RESOLVER_LOCATION,
    TaskResolverMixin,
    TaskTemplateResolver,
    default_task_template_resolver,
    load_object_from_module,
    parse_template,
)
from flyweight._tasks._shim import ExecutableTemplateShimTask, ShimTaskExecutor
from flyweight._tasks._signature import function_module_name, interface_from_function, merge_docs
from flyweight._tasks._task import PythonTask, Task
from flyweight._tasks._template_view import TaskTemplate
from flyweight._tasks._tracker import InstanceTrackingMeta, TrackedInstance

if TYPE_CHECKING:
    from flyweight._tasks._container_task import ContainerTask
    from flyweight._tasks._echo import Echo
    from flyweight._tasks._map import ArrayNodeMapTask
    from flyweight._tasks._map_element import MapTaskResolver, map_task_resolver
    from flyweight._tasks._shell import OutputLocation, RawShellTask, ShellTask, get_raw_shell_task
    from flyweight._tasks._sql import SQLTask

# Loaded on first use: a container running a plugin task never needs the SQL parser, nor Echo (which
# Flyte never runs in a container).
_LAZY = {
    "ArrayNodeMapTask": "flyweight._tasks._map",
    "ContainerTask": "flyweight._tasks._container_task",
    "Echo": "flyweight._tasks._echo",
    "MapTaskResolver": "flyweight._tasks._map_element",
    "OutputLocation": "flyweight._tasks._shell",
    "RawShellTask": "flyweight._tasks._shell",
    "SQLTask": "flyweight._tasks._sql",
    "ShellTask": "flyweight._tasks._shell",
    "get_raw_shell_task": "flyweight._tasks._shell",
    "map_task_resolver": "flyweight._tasks._map_element",
}

__all__ = [
    "DEFAULT_RESOLVER_LOCATION",
    "ArrayNodeMapTask",
    "ContainerTask",
    "DeckField",
    "DefaultTaskResolver",
    "Description",
    "Documentation",
    "Echo",
    "ExecutableTemplateShimTask",
    "InstanceTrackingMeta",
    "MapTaskResolver",
    "OutputLocation",
    "PythonAutoContainerTask",
    "PythonCustomizedContainerTask",
    "PythonFunctionTask",
    "PythonTask",
    "RawShellTask",
    "ResourceSpec",
    "SQLTask",
    "ShellTask",
    "ShimTaskExecutor",
    "SourceCode",
    "Task",
    "TaskMetadata",
    "TaskResolverMixin",
    "TaskTemplate",
    "TaskTemplateResolver",
    "TrackedInstance",
    "default_task_resolver",
    "default_task_template_resolver",
    "function_module_name",
    "get_raw_shell_task",
    "interface_from_function",
    "load_object_from_module",
    "map_task_resolver",
    "merge_docs",
    "parse_template",
    "task",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
