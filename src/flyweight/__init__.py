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
    from flyweight.errors import (
        FlyweightError,
        PlatformError,
        RecoverableError,
        TypeTransformerFailedError,
        UserError,
    )
    from flyweight.interface import Interface, kwtypes
    from flyweight.settings import (
        Image,
        ImageConfig,
        Resources,
        Secret,
        SecurityContext,
        SerializationSettings,
    )
    from flyweight.tasks import (
        Description,
        Documentation,
        PythonCustomizedContainerTask,
        PythonFunctionTask,
        SourceCode,
        SQLTask,
        TaskMetadata,
        task,
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
    from flyweight.workflows import LaunchPlan, WorkflowFailurePolicy, workflow

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
    "Interface": "flyweight.interface",
    "kwtypes": "flyweight.interface",
    "Image": "flyweight.settings",
    "ImageConfig": "flyweight.settings",
    "Resources": "flyweight.settings",
    "Secret": "flyweight.settings",
    "SecurityContext": "flyweight.settings",
    "SerializationSettings": "flyweight.settings",
    "TaskMetadata": "flyweight.tasks",
    "Documentation": "flyweight.tasks",
    "Description": "flyweight.tasks",
    "SourceCode": "flyweight.tasks",
    "PythonCustomizedContainerTask": "flyweight.tasks",
    "PythonFunctionTask": "flyweight.tasks",
    "SQLTask": "flyweight.tasks",
    "task": "flyweight.tasks",
    "current_context": "flyweight._context",
    "ExecutionParameters": "flyweight._context",
    "FlyteContext": "flyweight._context",
    "FlyteContextManager": "flyweight._context",
    "workflow": "flyweight.workflows",
    "LaunchPlan": "flyweight.workflows",
    "WorkflowFailurePolicy": "flyweight.workflows",
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
