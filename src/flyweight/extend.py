"""The surface for plugin authors: flytekit.extend's names, so a plugin ports by changing imports.

- Function tasks: ``PythonFunctionTask`` and its base ``PythonAutoContainerTask`` (tasks whose own code
  runs in the container), found there by ``default_task_resolver`` (``DefaultTaskResolver``), named in
  templates as ``flyweight.extend.default_task_resolver``.
- Plugin tasks: ``PythonCustomizedContainerTask`` (configured by data, run in a prebuilt image),
  ``ShimTaskExecutor`` (the logic, which sees only the template), ``ExecutableTemplateShimTask``,
  ``TaskTemplateResolver`` and ``default_task_template_resolver`` — the resolver named in every such
  template as ``flyweight.extend.default_task_template_resolver``, a location that never moves.
- The base classes ``Task``, ``PythonTask`` and ``SQLTask`` (query templates, placeholders bound as
  parameters), ``Interface``/``kwtypes``, ``TaskMetadata``, serialization settings and images
  (``DefaultImages`` for a plugin's default image), ``get_serializable`` (the registration form of
  a task, a workflow or a launch plan), ``Promise`` (what a call returns inside a workflow body).
- The run-time context: ``FlyteContextManager``, ``ExecutionParameters``, ``SecretsManager``,
  ``FileAccessProvider``; ``IgnoreOutputs`` and ``RecoverableError`` for executors.
- The type-engine contract (``TypeEngine``, ``TypeTransformer``) and the ``flyteidl`` message
  classes a transformer builds (``Literal``, ``Scalar``, ``Primitive``, ``LiteralType`` …), which
  are the real protobuf classes; for table handlers, ``StructuredDatasetType``,
  ``StructuredDatasetMetadata`` and ``StructuredDatasetLiteral`` (flyteidl's ``StructuredDataset``).

Everything is imported on first use.

Example:
    >>> from flyweight.extend import Literal, Primitive, Scalar
    >>> Literal(scalar=Scalar(primitive=Primitive(integer=1))).scalar.primitive.integer
    1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import lazy_exports

if TYPE_CHECKING:  # what type checkers see; at run time every name is imported on first use
    from flyweight._context import (
        ExecutionParameters,
        ExecutionState,
        FlyteContext,
        FlyteContextManager,
        SecretsManager,
    )
    from flyweight._idl import (
        Binary,
        Blob,
        BlobMetadata,
        BlobType,
        Literal,
        LiteralCollection,
        LiteralMap,
        LiteralType,
        Primitive,
        Scalar,
        SimpleType,
        Void,
    )
    from flyweight._interface import Interface, kwtypes
    from flyweight._serialize import get_serializable
    from flyweight._settings import (
        DefaultImages,
        Image,
        ImageConfig,
        Resources,
        Secret,
        SecurityContext,
        SerializationSettings,
    )
    from flyweight._storage import FileAccessProvider
    from flyweight._tasks import (
        DeckField,
        DefaultTaskResolver,
        ExecutableTemplateShimTask,
        PythonAutoContainerTask,
        PythonCustomizedContainerTask,
        PythonFunctionTask,
        PythonTask,
        ShimTaskExecutor,
        SQLTask,
        Task,
        TaskMetadata,
        TaskResolverMixin,
        TaskTemplate,
        TaskTemplateResolver,
        default_task_resolver,
        default_task_template_resolver,
    )
    from flyweight._workflows import Promise
    from flyweight.errors import (
        FlyteRecoverableException,
        IgnoreOutputs,
        RecoverableError,
        TypeTransformerFailedError,
    )
    from flyweight.types import AsyncTypeTransformer, FlyteAnnotation, HashMethod, TypeEngine, TypeTransformer

_LAZY = {
    "TypeEngine": "flyweight.types",
    "TypeTransformer": "flyweight.types",
    "AsyncTypeTransformer": "flyweight.types",
    "FlyteAnnotation": "flyweight.types",
    "HashMethod": "flyweight.types",
    "TypeTransformerFailedError": "flyweight.errors",
    "IgnoreOutputs": "flyweight.errors",
    "RecoverableError": "flyweight.errors",
    "FlyteRecoverableException": "flyweight.errors",
    "Interface": "flyweight._interface",
    "kwtypes": "flyweight._interface",
    "DefaultImages": "flyweight._settings",
    "Image": "flyweight._settings",
    "ImageConfig": "flyweight._settings",
    "Resources": "flyweight._settings",
    "Secret": "flyweight._settings",
    "SecurityContext": "flyweight._settings",
    "SerializationSettings": "flyweight._settings",
    "DeckField": "flyweight._tasks",
    "DefaultTaskResolver": "flyweight._tasks",
    "ExecutableTemplateShimTask": "flyweight._tasks",
    "PythonAutoContainerTask": "flyweight._tasks",
    "PythonCustomizedContainerTask": "flyweight._tasks",
    "PythonFunctionTask": "flyweight._tasks",
    "PythonTask": "flyweight._tasks",
    "Promise": "flyweight._workflows",
    "SQLTask": "flyweight._tasks",
    "ShimTaskExecutor": "flyweight._tasks",
    "Task": "flyweight._tasks",
    "TaskMetadata": "flyweight._tasks",
    "TaskResolverMixin": "flyweight._tasks",
    "TaskTemplate": "flyweight._tasks",
    "TaskTemplateResolver": "flyweight._tasks",
    "default_task_resolver": "flyweight._tasks",
    "default_task_template_resolver": "flyweight._tasks",
    "get_serializable": "flyweight._serialize",
    "ExecutionParameters": "flyweight._context",
    "ExecutionState": "flyweight._context",
    "FlyteContext": "flyweight._context",
    "FlyteContextManager": "flyweight._context",
    "SecretsManager": "flyweight._context",
    "FileAccessProvider": "flyweight._storage",
    "Binary": "flyweight._idl",
    "Blob": "flyweight._idl",
    "BlobMetadata": "flyweight._idl",
    "BlobType": "flyweight._idl",
    "Literal": "flyweight._idl",
    "LiteralCollection": "flyweight._idl",
    "LiteralMap": "flyweight._idl",
    "LiteralType": "flyweight._idl",
    "Primitive": "flyweight._idl",
    "Scalar": "flyweight._idl",
    "SimpleType": "flyweight._idl",
    "StructuredDatasetLiteral": "flyweight._idl",
    "StructuredDatasetMetadata": "flyweight._idl",
    "StructuredDatasetType": "flyweight._idl",
    "Void": "flyweight._idl",
}

__all__ = [
    "AsyncTypeTransformer",
    "Binary",
    "Blob",
    "BlobMetadata",
    "BlobType",
    "DeckField",
    "DefaultImages",
    "DefaultTaskResolver",
    "ExecutableTemplateShimTask",
    "ExecutionParameters",
    "ExecutionState",
    "FileAccessProvider",
    "FlyteAnnotation",
    "FlyteContext",
    "FlyteContextManager",
    "FlyteRecoverableException",
    "HashMethod",
    "IgnoreOutputs",
    "Image",
    "ImageConfig",
    "Interface",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "LiteralType",
    "Primitive",
    "Promise",
    "PythonAutoContainerTask",
    "PythonCustomizedContainerTask",
    "PythonFunctionTask",
    "PythonTask",
    "RecoverableError",
    "Resources",
    "SQLTask",
    "Scalar",
    "Secret",
    "SecretsManager",
    "SecurityContext",
    "SerializationSettings",
    "ShimTaskExecutor",
    "SimpleType",
    "StructuredDatasetLiteral",
    "StructuredDatasetMetadata",
    "StructuredDatasetType",
    "Task",
    "TaskMetadata",
    "TaskResolverMixin",
    "TaskTemplate",
    "TaskTemplateResolver",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "Void",
    "default_task_resolver",
    "default_task_template_resolver",
    "get_serializable",
    "kwtypes",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
