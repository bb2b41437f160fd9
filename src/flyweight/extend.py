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
  ``FileAccessProvider``, and flytekit's ``context_manager`` module holding them
  (``context_manager.FlyteContextManager.current_context()``); ``IgnoreOutputs`` and
  ``RecoverableError`` for executors.
- Images: ``DefaultImages`` (subclass it and set ``_DEFAULT_IMAGE_PREFIXES`` to give a plugin's tasks
  its own default image) and ``PythonVersion``; ``lazy_module`` for optional dependencies (imported on
  first use); ``T``, the type variable of ``TypeTransformer[T]``.
- The type-engine contract (``TypeEngine``, ``TypeTransformer``) and the ``flyteidl`` message
  classes a transformer builds (``Literal``, ``Scalar``, ``Primitive``, ``LiteralType`` …), which
  are the real protobuf classes; for table handlers, ``StructuredDatasetType``,
  ``StructuredDatasetMetadata`` and ``StructuredDatasetLiteral`` (flyteidl's ``StructuredDataset``).
- Decks, for executors that show what they did: ``Deck`` (and ``current_context().enable_deck`` to
  render only when the task writes a page), ``ArrowRenderer``, ``TopFrameRenderer``,
  ``MarkdownRenderer``.
- For database plugins: ``rows_to_table`` (DB-API rows → a pyarrow ``Table`` with the column types
  ``pandas.read_sql_query`` gives, without importing pandas) and its ``MixedColumnError``.

Everything is imported on first use. The names of ``flytekit.extend`` that flyweight does not provide
(``TaskPlugins``, ``DictTransformer``, ``ClassStorageTaskResolver``, ``backend``) raise an
``ImportError`` that says what to use instead.

Example:
    >>> from flyweight.extend import Literal, Primitive, Scalar
    >>> Literal(scalar=Scalar(primitive=Primitive(integer=1))).scalar.primitive.integer
    1
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flyweight._lazy import facade

if TYPE_CHECKING:
    from flyweight._compat import (
        context_manager as context_manager,
    )
    from flyweight._context import (
        ExecutionParameters as ExecutionParameters,
        ExecutionState as ExecutionState,
        FlyteContext as FlyteContext,
        FlyteContextManager as FlyteContextManager,
        SecretsManager as SecretsManager,
    )
    from flyweight._deck import Deck as Deck
    from flyweight._deck._renderers import (
        ArrowRenderer as ArrowRenderer,
        MarkdownRenderer as MarkdownRenderer,
        TopFrameRenderer as TopFrameRenderer,
    )
    from flyweight._idl import (
        Binary as Binary,
        Blob as Blob,
        BlobMetadata as BlobMetadata,
        BlobType as BlobType,
        Literal as Literal,
        LiteralCollection as LiteralCollection,
        LiteralMap as LiteralMap,
        LiteralType as LiteralType,
        Primitive as Primitive,
        Scalar as Scalar,
        SimpleType as SimpleType,
        StructuredDatasetLiteral as StructuredDatasetLiteral,
        StructuredDatasetMetadata as StructuredDatasetMetadata,
        StructuredDatasetType as StructuredDatasetType,
        Void as Void,
    )
    from flyweight._interface import (
        Interface as Interface,
        kwtypes as kwtypes,
    )
    from flyweight._lazy import (
        lazy_module as lazy_module,
    )
    from flyweight._serialize import (
        get_serializable as get_serializable,
    )
    from flyweight._settings import (
        DefaultImages as DefaultImages,
        Image as Image,
        ImageConfig as ImageConfig,
        PythonVersion as PythonVersion,
        Resources as Resources,
        Secret as Secret,
        SecurityContext as SecurityContext,
        SerializationSettings as SerializationSettings,
    )
    from flyweight._storage import (
        FileAccessProvider as FileAccessProvider,
    )
    from flyweight._tasks import (
        ArrayNodeMapTask as ArrayNodeMapTask,
        DeckField as DeckField,
        DefaultTaskResolver as DefaultTaskResolver,
        ExecutableTemplateShimTask as ExecutableTemplateShimTask,
        MapTaskResolver as MapTaskResolver,
        PythonAutoContainerTask as PythonAutoContainerTask,
        PythonCustomizedContainerTask as PythonCustomizedContainerTask,
        PythonFunctionTask as PythonFunctionTask,
        PythonTask as PythonTask,
        ShimTaskExecutor as ShimTaskExecutor,
        SQLTask as SQLTask,
        Task as Task,
        TaskMetadata as TaskMetadata,
        TaskResolverMixin as TaskResolverMixin,
        TaskTemplate as TaskTemplate,
        TaskTemplateResolver as TaskTemplateResolver,
        default_task_resolver as default_task_resolver,
        default_task_template_resolver as default_task_template_resolver,
        map_task_resolver as map_task_resolver,
    )
    from flyweight._workflows import (
        Promise as Promise,
    )
    from flyweight.errors import (
        FlyteRecoverableException as FlyteRecoverableException,
        IgnoreOutputs as IgnoreOutputs,
        RecoverableError as RecoverableError,
        TypeTransformerFailedError as TypeTransformerFailedError,
    )
    from flyweight.types import (
        AsyncTypeTransformer as AsyncTypeTransformer,
        FlyteAnnotation as FlyteAnnotation,
        HashMethod as HashMethod,
        TypeEngine as TypeEngine,
        TypeTransformer as TypeTransformer,
    )
    from flyweight.types._data._rows import (
        MixedColumnError as MixedColumnError,
        rows_to_table as rows_to_table,
    )
    from flyweight.types._registry._transformer import (
        T as T,
    )


_lazy_getattr, __dir__, __all__ = facade(__name__)

_NOT_PROVIDED = {
    "TaskPlugins": (
        "flyweight's @task does not dispatch on task_config to plugin task classes; write the plugin as a "
        "PythonCustomizedContainerTask (or a PythonFunctionTask subclass) and instantiate it directly"
    ),
    "DictTransformer": (
        "dicts are built into flyweight's type engine; convert them with TypeEngine.to_literal / "
        "TypeEngine.to_python_value and a dict[...] annotation"
    ),
    "ClassStorageTaskResolver": "use default_task_resolver, or a TaskResolverMixin of your own",
    "backend": "flytekit's connectors and agents (flytekit.extend.backend) have no flyweight counterpart",
}


def __getattr__(name: str) -> Any:
    """A public name, imported on first use; a name of ``flytekit.extend`` that flyweight does not provide
    raises an ImportError saying what to use instead (an ImportError, so ``from flyweight.extend import X``
    shows the message)."""
    hint = _NOT_PROVIDED.get(name)
    if hint is not None:
        raise ImportError(
            f"flyweight.extend does not provide flytekit.extend's {name}: {hint}", name=__name__
        )
    return _lazy_getattr(name)
