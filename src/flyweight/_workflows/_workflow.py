"""``@workflow``: a typed Python function whose body, run once with promises, becomes a graph of nodes.

The function's signature is the workflow's interface (as for ``@task``: parameters in, ``o0``, ``o1`` …
or a NamedTuple's fields out). The body runs the first time the graph is needed — serialization, a call
from another workflow body, or :meth:`WorkflowBase.compile` — under a compiler that turns every call
into a node. Calling a workflow outside a body runs it on this machine with the local engine
(``flyweight._runtime``, reached through ``flyweight._context.workflow_runner``; ADR 0012).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, Literal, ParamSpec, TypeVar, overload

from flyweight._context import current_compiler, workflow_runner
from flyweight._idl import NodeMetadata, TypedInterface
from flyweight._interface import Interface, typed_interface
from flyweight._settings._options import Options
from flyweight._tasks import Documentation, function_module_name, interface_from_function, merge_docs
from flyweight._tasks._mocked import mocked_task
from flyweight._tasks._signature import check_plain_function
from flyweight._workflows._compiler import compile_body, compile_failure_node
from flyweight._workflows._metadata import (
    WorkflowFailurePolicy,
    WorkflowMetadata,
    WorkflowMetadataDefaults,
)
from flyweight._workflows._node import WORKFLOW, Binding, Node
from flyweight.errors import NotSupportedError, TaskDefinitionError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import WorkflowSpec
    from flyweight._serialize import EntityMapping
    from flyweight._settings import SerializationSettings

__all__ = ["PythonFunctionWorkflow", "WorkflowBase", "workflow"]

P = ParamSpec("P")
R = TypeVar("R")


class WorkflowBase:
    """What every workflow has: a name, an interface, metadata, and (once compiled) nodes and output
    bindings.

    Args:
        name: the workflow's unique name (``module.function`` for ``@workflow``).
        workflow_metadata: the failure policy.
        workflow_metadata_defaults: whether its nodes are interruptible by default.
        python_interface: inputs (with defaults) and outputs.
        on_failure: a task or workflow run when the workflow fails (its failure node, ``fn0``).
        docs: documentation for the registration form.
        default_options: a ``flyweight.Options``; its labels and annotations go to the default launch
            plan (as in flytekit, the other options do not).
    """

    def __init__(  # noqa: PLR0917 - flytekit's positional order
        self,
        name: str,
        workflow_metadata: WorkflowMetadata,
        workflow_metadata_defaults: WorkflowMetadataDefaults,
        python_interface: Interface,
        on_failure: object = None,
        docs: Documentation | None = None,
        default_options: object = None,
        **kwargs: object,
    ) -> None:
        if kwargs:
            raise TypeError(
                f"{type(self).__name__}() got unexpected keyword argument(s): {', '.join(kwargs)}"
            )
        if default_options is not None and not isinstance(default_options, Options):
            raise WorkflowCompileError(
                f"workflow {name!r}: default_options must be a flyweight.Options (its labels and annotations "
                f"go to the default launch plan), got {type(default_options).__name__} {default_options!r}"
            )
        self._default_options = default_options
        if on_failure is not None and getattr(on_failure, "node_kind", None) not in ("task", "workflow"):
            raise WorkflowCompileError(
                f"workflow {name!r}: on_failure must be a task or a workflow (it runs when the workflow "
                f"fails), got {type(on_failure).__name__} {on_failure!r}"
            )
        self._on_failure = on_failure
        self._failure_node: Node | None = None
        self._name = name
        self._workflow_metadata = workflow_metadata
        self._workflow_metadata_defaults = workflow_metadata_defaults
        self._python_interface = python_interface
        self._interface: TypedInterface | None = None
        self._nodes: list[Node] = []
        self._output_bindings: list[Binding] = []
        self._docs = docs
        if python_interface.docstring is not None:
            self._docs = merge_docs(docs, python_interface.docstring)

    @property
    def name(self) -> str:
        return self._name

    @property
    def node_kind(self) -> Literal["workflow"]:
        """What a call of it in another workflow's body becomes: a sub-workflow node."""
        return WORKFLOW

    @property
    def short_name(self) -> str:
        """The part of the name after the last ``.``."""
        return self._name.rsplit(".", 1)[-1]

    @property
    def docs(self) -> Documentation | None:
        return self._docs

    @property
    def workflow_metadata(self) -> WorkflowMetadata:
        return self._workflow_metadata

    @property
    def workflow_metadata_defaults(self) -> WorkflowMetadataDefaults:
        return self._workflow_metadata_defaults

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def interface(self) -> TypedInterface:
        """Flyte's ``TypedInterface`` of the workflow (computed once)."""
        if self._interface is None:
            try:
                self._interface = typed_interface(self._python_interface, owner=f"workflow {self._name!r}")
            except TaskDefinitionError as e:
                raise WorkflowCompileError(str(e)) from e
        return self._interface

    @property
    def _interface_idl(self) -> TypedInterface:
        """The typed interface message, as the compiler reads every callee's (ADR 0022)."""
        return self.interface

    @property
    def nodes(self) -> list[Node]:
        """The nodes of the graph, in call order (compiles the workflow first)."""
        self.compile()
        return self._nodes

    @property
    def output_bindings(self) -> list[Binding]:
        """What the workflow's outputs are bound to (compiles the workflow first)."""
        self.compile()
        return self._output_bindings

    @property
    def on_failure(self) -> Any:
        """The task or workflow that runs when this workflow fails (``on_failure=``), or None."""
        return self._on_failure

    @property
    def failure_node(self) -> Node | None:
        """The node running :attr:`on_failure` (id ``fn0``) once compiled, or None."""
        self.compile()
        return self._failure_node

    @property
    def default_options(self) -> Options | None:
        """The options whose labels and annotations the default launch plan takes (flytekit's rule)."""
        return self._default_options

    def compile(self, **kwargs: object) -> None:
        """Build the graph (subclasses run their body here)."""

    def construct_node_metadata(self) -> NodeMetadata:
        """The ``NodeMetadata`` of a node running this workflow as a sub-workflow."""
        meta = NodeMetadata(
            name=self.short_name, interruptible=self._workflow_metadata_defaults.interruptible
        )
        meta.retries.SetInParent()
        return meta

    def registration_spec(
        self, entity_mapping: EntityMapping, settings: SerializationSettings, options: object = None
    ) -> WorkflowSpec:
        """The ``flyteidl.admin.WorkflowSpec`` of this workflow, with its sub-workflows; the tasks,
        sub-workflows and launch plans it uses are added to ``entity_mapping`` first. Called by
        ``flyweight._serialize.get_serializable``."""
        from flyweight._workflows._to_idl import workflow_spec

        return workflow_spec(self, settings, entity_mapping)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Inside a workflow body being compiled: add this workflow as a sub-workflow node. Outside one:
        run it on this machine with the local engine (in-process by default, see
        ``flyweight._runtime.run_workflow``) and return its outputs as Python values.

        Raises:
            WorkflowExecutionError: a node failed; the message names the node, its task and the error.
        """
        compiler = current_compiler()
        if compiler is not None:
            return compiler.add_entity(self, args, kwargs)
        mocked = mocked_task(self)
        if mocked is not None:  # flyweight.testing: the mock's result, checked against the interface
            return mocked(*args, **kwargs)
        return workflow_runner()(self, args, kwargs)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self._name!r}, interface={self._python_interface!r})"


class PythonFunctionWorkflow(WorkflowBase):
    """A workflow defined by a Python function; usually made with :func:`workflow`.

    Args:
        workflow_function: the function; every parameter must be annotated.
        metadata: the failure policy.
        default_metadata: whether nodes are interruptible by default.
        docstring: not used (the function's docstring is read); kept for flytekit's signature.
        on_failure: a task or workflow run when the workflow fails: it takes the workflow's inputs and,
            optionally, ``err: Optional[FlyteError]`` (what failed); the run still fails.
        docs: documentation; the docstring's summary and long text fill it in.
        pickle_untyped: take unannotated parameters and return as ``typing.Any`` (pickled).
        default_options: a ``flyweight.Options``: its labels and annotations go to the default launch plan.
    """

    def __init__(  # noqa: PLR0917 - flytekit's positional order
        self,
        workflow_function: Callable[..., object],
        metadata: WorkflowMetadata,
        default_metadata: WorkflowMetadataDefaults,
        docstring: object = None,
        on_failure: object = None,
        docs: Documentation | None = None,
        pickle_untyped: bool = False,
        default_options: object = None,
    ) -> None:
        try:
            check_plain_function(workflow_function, "workflow")
        except TaskDefinitionError as e:
            raise WorkflowCompileError(str(e)) from e
        name = f"{function_module_name(workflow_function)}.{workflow_function.__name__}"
        try:
            native = interface_from_function(workflow_function, pickle_untyped=pickle_untyped)
            merge_docs(docs, None)  # refuses docs that are not Documentation
        except TaskDefinitionError as e:
            raise WorkflowCompileError(f"workflow {name!r}: {e}") from e
        self._workflow_function = workflow_function
        self._compiled = False
        self._compiling = False
        super().__init__(
            name,
            metadata,
            default_metadata,
            native,
            on_failure=on_failure,
            docs=docs,
            default_options=default_options,
        )

    @property
    def function(self) -> Callable[..., Any]:
        """The decorated function."""
        return self._workflow_function

    @property
    def compiled(self) -> bool:
        return self._compiled

    def compile(self, **kwargs: object) -> None:
        """Run the body once with promises and keep the nodes and output bindings it makes.

        Compiling again does nothing; a failed compilation leaves the workflow uncompiled, so the error
        comes back on the next use.

        Raises:
            WorkflowCompileError: the body calls something with wrong inputs, uses a promise as a value, or
                returns values that do not match the declared outputs.
        """
        if self._compiled:
            return
        if kwargs:
            raise NotSupportedError(f"workflow {self._name!r}: compile() takes no arguments in flyweight")
        if self._compiling:
            raise WorkflowCompileError(
                f"workflow {self._name!r} calls itself; a workflow cannot contain itself as a sub-workflow"
            )
        self._compiling = True
        try:
            self._nodes, self._output_bindings = compile_body(self, self._workflow_function)
            if self._on_failure is not None:
                self._failure_node = compile_failure_node(self, self._on_failure)
        finally:
            self._compiling = False
        self._compiled = True

    def execute(self, **kwargs: Any) -> Any:
        """Run the body with these arguments (as flytekit's local execution does)."""
        return self._workflow_function(**kwargs)


if TYPE_CHECKING:

    class FunctionWorkflow(PythonFunctionWorkflow, Generic[P, R]):
        """What ``@workflow`` gives type checkers: a workflow called with the function's signature."""

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


@overload
def workflow(
    _workflow_function: Callable[P, R],
    failure_policy: WorkflowFailurePolicy | None = ...,
    interruptible: bool = ...,
    on_failure: object = ...,
    docs: Documentation | None = ...,
    pickle_untyped: bool = ...,
    default_options: object = ...,
) -> FunctionWorkflow[P, R]: ...


@overload
def workflow(
    _workflow_function: None = ...,
    failure_policy: WorkflowFailurePolicy | None = ...,
    interruptible: bool = ...,
    on_failure: object = ...,
    docs: Documentation | None = ...,
    pickle_untyped: bool = ...,
    default_options: object = ...,
) -> Callable[[Callable[P, R]], FunctionWorkflow[P, R]]: ...


def workflow(  # noqa: PLR0917 - flytekit's positional order
    _workflow_function: Callable[..., object] | None = None,
    failure_policy: WorkflowFailurePolicy | None = None,
    interruptible: bool = False,
    on_failure: object = None,
    docs: Documentation | None = None,
    pickle_untyped: bool = False,
    default_options: object = None,
) -> PythonFunctionWorkflow | Callable[[Callable[..., object]], PythonFunctionWorkflow]:
    """Make a Flyte workflow of a typed Python function; use it as ``@workflow`` or ``@workflow(...)``.

    The body is not run when decorated: it runs once, with promises, when the graph is first needed
    (serialization, a call from another workflow, ``wf.compile()``). In the body, calling a task, a
    workflow or a launch plan adds a node and returns promises of its outputs; pass them to later calls,
    in lists and dicts too, order calls with ``a >> b``, and return the workflow's outputs.

    Args:
        failure_policy: what an execution does when a node fails (default: fail immediately).
        interruptible: whether the workflow's nodes are interruptible by default.
        on_failure: a task or workflow run when the workflow fails: it takes the workflow's inputs and,
            optionally, ``err: Optional[FlyteError]``; the run still fails.
        docs: documentation; the docstring's summary and long text fill it in.
        pickle_untyped: take unannotated parameters and return as ``typing.Any`` (pickled).
        default_options: a ``flyweight.Options``: its labels and annotations go to the default launch plan.

    Returns:
        The workflow (with the function's name, docstring and signature), or a decorator making one.

    Raises:
        WorkflowCompileError: the function's signature cannot be an interface (found when decorated).

    Example:
        >>> from flyweight import task, workflow
        >>> @task
        ... def double(x: int) -> int:
        ...     return 2 * x
        >>> @workflow
        ... def quadruple(x: int) -> int:
        ...     return double(x=double(x=x))
        >>> [n.id for n in quadruple.nodes]
        ['n0', 'n1']
    """

    def wrapper(fn: Callable[..., object]) -> PythonFunctionWorkflow:
        made = PythonFunctionWorkflow(
            fn,
            metadata=WorkflowMetadata(on_failure=failure_policy or WorkflowFailurePolicy.FAIL_IMMEDIATELY),
            default_metadata=WorkflowMetadataDefaults(interruptible),
            on_failure=on_failure,
            docs=docs,
            pickle_untyped=pickle_untyped,
            default_options=default_options,
        )
        functools.update_wrapper(made, fn)
        return made

    if _workflow_function is not None:
        return wrapper(_workflow_function)
    return wrapper
