"""flyweight: a fast, wire-compatible Python SDK for Flyte tasks and their plugins.

``import flyweight`` is cheap: public names are imported on first use, so the protobuf runtime and
everything else load only when a program needs them.

Example:
    >>> import flyweight
    >>> lit = flyweight.TypeEngine.to_literal(None, 42, int, None)
    >>> lit.scalar.primitive.integer
    42
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import lazy_exports
from flyweight._version import __version__

if TYPE_CHECKING:
    from flyweight._context import ExecutionParameters, FlyteContext, FlyteContextManager, current_context
    from flyweight._interface import Interface, kwtypes
    from flyweight._settings import (
        Image,
        ImageConfig,
        Resources,
        Secret,
        SecurityContext,
        SerializationSettings,
    )
    from flyweight._tasks import (
        Description,
        Documentation,
        PythonCustomizedContainerTask,
        PythonFunctionTask,
        SourceCode,
        SQLTask,
        TaskMetadata,
        task,
    )
    from flyweight._workflows import LaunchPlan, WorkflowFailurePolicy, workflow
    from flyweight.errors import (
        FlyweightError,
        PlatformError,
        RecoverableError,
        TypeTransformerFailedError,
        UserError,
    )
    from flyweight.types import (
        FlyteAnnotation,
        FlyteDirectory,
        FlyteFile,
        FlyteSchema,
        HashMethod,
        StructuredDataset,
        StructuredDatasetFormat,
        StructuredDatasetTransformerEngine,
        TypeEngine,
        TypeTransformer,
    )

# public name -> module that defines it
_LAZY = {
    "FlyweightError": "flyweight.errors",
    "UserError": "flyweight.errors",
    "PlatformError": "flyweight.errors",
    "TypeTransformerFailedError": "flyweight.errors",
    "RecoverableError": "flyweight.errors",
    "TypeEngine": "flyweight.types",
    "TypeTransformer": "flyweight.types",
    "FlyteAnnotation": "flyweight.types",
    "HashMethod": "flyweight.types",
    "FlyteFile": "flyweight.types",
    "FlyteDirectory": "flyweight.types",
    "FlyteSchema": "flyweight.types",
    "StructuredDataset": "flyweight.types",
    "StructuredDatasetFormat": "flyweight.types",
    "StructuredDatasetTransformerEngine": "flyweight.types",
    "Interface": "flyweight._interface",
    "kwtypes": "flyweight._interface",
    "Image": "flyweight._settings",
    "ImageConfig": "flyweight._settings",
    "Resources": "flyweight._settings",
    "Secret": "flyweight._settings",
    "SecurityContext": "flyweight._settings",
    "SerializationSettings": "flyweight._settings",
    "TaskMetadata": "flyweight._tasks",
    "Documentation": "flyweight._tasks",
    "Description": "flyweight._tasks",
    "SourceCode": "flyweight._tasks",
    "PythonCustomizedContainerTask": "flyweight._tasks",
    "PythonFunctionTask": "flyweight._tasks",
    "SQLTask": "flyweight._tasks",
    "task": "flyweight._tasks",
    "current_context": "flyweight._context",
    "ExecutionParameters": "flyweight._context",
    "FlyteContext": "flyweight._context",
    "FlyteContextManager": "flyweight._context",
    "workflow": "flyweight._workflows",
    "LaunchPlan": "flyweight._workflows",
    "WorkflowFailurePolicy": "flyweight._workflows",
}

__all__ = [
    "Description",
    "Documentation",
    "ExecutionParameters",
    "FlyteAnnotation",
    "FlyteContext",
    "FlyteContextManager",
    "FlyteDirectory",
    "FlyteFile",
    "FlyteSchema",
    "FlyweightError",
    "HashMethod",
    "Image",
    "ImageConfig",
    "Interface",
    "LaunchPlan",
    "PlatformError",
    "PythonCustomizedContainerTask",
    "PythonFunctionTask",
    "RecoverableError",
    "Resources",
    "SQLTask",
    "Secret",
    "SecurityContext",
    "SerializationSettings",
    "SourceCode",
    "StructuredDataset",
    "StructuredDatasetFormat",
    "StructuredDatasetTransformerEngine",
    "TaskMetadata",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "UserError",
    "WorkflowFailurePolicy",
    "__version__",
    "current_context",
    "kwtypes",
    "workflow",
    "task",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
