"""The imperative ``Workflow(name)``: a workflow built call by call instead of from a function body.

flytekit's ``ImperativeWorkflow`` (exported as ``Workflow``) lets a program assemble a graph: inputs with
:meth:`Workflow.add_workflow_input`, nodes with :meth:`Workflow.add_entity` (``create_node`` under the
workflow's own compiler), outputs with :meth:`Workflow.add_workflow_output`. The graph it builds is the
same kind a ``@workflow`` body compiles into, so it serializes, runs on the local engine and nests in
other workflows exactly as those do.
"""

from __future__ import annotations

from typing import Any

from flyweight._context import compiling, current_compiler
from flyweight._interface import Interface
from flyweight._workflows._compiler import Compiler, compile_failure_node
from flyweight._workflows._create_node import CreatedNode, create_node
from flyweight._workflows._metadata import WorkflowFailurePolicy, WorkflowMetadata, WorkflowMetadataDefaults
from flyweight._workflows._node import Binding, Node, NodeOutput, start_node
from flyweight._workflows._promise import Promise
from flyweight._workflows._workflow import WorkflowBase
from flyweight.errors import WorkflowCompileError
from flyweight.types import TypeEngine

__all__ = ["ImperativeWorkflow", "Workflow"]

_FAILURE_NODE_ID = "efn"  # flytekit's DEFAULT_FAILURE_NODE_ID, which its imperative workflows use


class ImperativeWorkflow(WorkflowBase):
    """A workflow assembled by calls (flytekit's ``Workflow`` / ``ImperativeWorkflow``).

    Args:
        name: the workflow's unique name.
        failure_policy: what a failed node does to the rest (default: fail immediately).
        interruptible: whether its nodes are interruptible by default.

    Example:
        >>> from flyweight import task
        >>> @task
        ... def shout(s: str) -> str:
        ...     return s.upper()
        >>> wb = ImperativeWorkflow(name="greeting")
        >>> node = wb.add_entity(shout, s=wb.add_workflow_input("name", str))
        >>> wb.add_workflow_output("loud", node.outputs["o0"])
        >>> wb(name="ada")
        'ADA'
    """

    def __init__(
        self, name: str, failure_policy: WorkflowFailurePolicy | None = None, interruptible: bool = False
    ) -> None:
        if not isinstance(name, str) or not name:
            raise WorkflowCompileError(f"Workflow() needs a non-empty str name, got {name!r}")
        metadata = WorkflowMetadata(on_failure=failure_policy or WorkflowFailurePolicy.FAIL_IMMEDIATELY)
        super().__init__(name, metadata, WorkflowMetadataDefaults(interruptible), Interface())
        self._compiler = Compiler(name)
        self._start = start_node(name, self._compiler)
        self._inputs: dict[str, Promise] = {}
        self._unbound_inputs: set[str] = set()

    # -- what was built -------------------------------------------------------------------------------
    @property
    def inputs(self) -> dict[str, Promise]:
        """The workflow's inputs as promises, by name."""
        return dict(self._inputs)

    @property
    def compilation_state(self) -> Compiler:
        """The compiler the workflow's nodes are added with (flytekit's name)."""
        return self._compiler

    def compile(self, **kwargs: object) -> None:
        """Nothing to do: the graph is built as entities are added."""
        self._nodes = self._compiler.nodes

    def ready(self) -> bool:
        """Whether the workflow has a node and every input is used by one."""
        return bool(self._compiler.nodes) and not self._unbound_inputs

    # -- building ---------------------------------------------------------------------------------------
    def add_workflow_input(self, input_name: str, python_type: Any) -> Promise:
        """Add an input; returns its promise, to pass to :meth:`add_entity`.

        Raises:
            WorkflowCompileError: the name is taken, or the type has no Flyte literal type.
        """
        if input_name in self._inputs:
            raise WorkflowCompileError(
                f"input {input_name!r} has already been specified for workflow {self.name!r}"
            )
        self._python_interface = self._python_interface.with_inputs({input_name: python_type})
        self._interface = None
        lt = self.interface.inputs.variables[input_name].type
        promise = Promise(input_name, NodeOutput(self._start, input_name), lt)
        self._inputs[input_name] = promise
        self._unbound_inputs.add(input_name)
        return promise

    def add_entity(self, entity: Any, **kwargs: Any) -> CreatedNode:
        """Add a node calling ``entity`` (a task, workflow or launch plan) with these inputs (promises of
        the workflow's inputs or of earlier nodes, or values); returns the node.

        Raises:
            WorkflowCompileError: called while a workflow body is compiling, or the inputs do not fit.
        """
        if current_compiler() is not None:
            raise WorkflowCompileError(
                f"workflow {self.name!r}: add_entity() cannot be called while a workflow body is compiling"
            )
        with compiling(self._compiler):
            node = create_node(entity, **kwargs)
        for value in _flattened(kwargs):
            if isinstance(value, Promise) and value.ref is not None and value.ref.node is self._start:
                self._unbound_inputs.discard(value.var)
        self._nodes = self._compiler.nodes
        return node

    def add_on_failure_handler(self, entity: Any) -> Node:
        """Run ``entity`` (a task or workflow taking the workflow's inputs and, optionally,
        ``err: Optional[FlyteError]``) when the workflow fails; returns its node, which is not one of the
        workflow's nodes (its id is ``efn``, flytekit's default failure node id, where ``@workflow``'s
        handler is ``fn0``).

        Raises:
            WorkflowCompileError: ``entity`` is not a task or workflow, lacks one of the workflow's inputs,
                or has another input that is not optional.
        """
        if getattr(entity, "node_kind", None) not in ("task", "workflow"):
            raise WorkflowCompileError(
                f"workflow {self.name!r}: the failure handler must be a task or a workflow, got "
                f"{type(entity).__name__} {entity!r}"
            )
        self._on_failure = entity
        node = compile_failure_node(self, entity)
        node.set_id(_FAILURE_NODE_ID)
        self._failure_node = node
        return node

    def add_task(self, task: Any, **kwargs: Any) -> CreatedNode:
        return self.add_entity(task, **kwargs)

    def add_launch_plan(self, launch_plan: Any, **kwargs: Any) -> CreatedNode:
        return self.add_entity(launch_plan, **kwargs)

    def add_subwf(self, sub_wf: Any, **kwargs: Any) -> CreatedNode:
        return self.add_entity(sub_wf, **kwargs)

    def add_workflow_output(self, output_name: str, p: Any, python_type: Any = None) -> None:
        """Add an output bound to ``p`` (a promise, or a list or dict of them with ``python_type``).

        Raises:
            WorkflowCompileError: the name is taken; a list or dict without ``python_type``; a value that
                does not fit the type.
        """
        if output_name in self._python_interface.outputs:
            raise WorkflowCompileError(f"output {output_name!r} already exists in workflow {self.name!r}")
        if python_type is None:
            if isinstance(p, (list, dict)):
                raise WorkflowCompileError(
                    f"workflow {self.name!r}: output {output_name!r} is a {type(p).__name__} of promises; "
                    "give its python_type, starting with the container type (e.g. List[int])"
                )
            if not isinstance(p, Promise) or p.ref is None:
                raise WorkflowCompileError(
                    f"workflow {self.name!r}: output {output_name!r} must be a promise (an output of a node "
                    f"or an input), or a value with its python_type; got {type(p).__name__}"
                )
            python_type = self._type_of(p)
        lt = TypeEngine.to_literal_type(python_type)
        upstream: dict[int, Any] = {}
        value = self._compiler.binder.bind(p, lt, python_type, upstream, lambda: f"output {output_name!r}")
        self._output_bindings.append(Binding(output_name, value))
        self._python_interface = self._python_interface.with_outputs({output_name: python_type})
        self._interface = None

    def _type_of(self, p: Promise) -> Any:
        node = p.ref.node
        if node is self._start:
            return self._python_interface.inputs[p.var]
        entity = node.flyte_entity
        outputs = getattr(getattr(entity, "python_interface", None), "outputs", {})
        if p.var not in outputs or p.ref.attr_path:
            raise WorkflowCompileError(
                f"workflow {self.name!r}: cannot tell the type of {p!r}; pass python_type to "
                "add_workflow_output"
            )
        return outputs[p.var]


def _flattened(value: object) -> list[object]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _flattened(v)]
    if isinstance(value, list):
        return [x for v in value for x in _flattened(v)]
    return [value]


Workflow = ImperativeWorkflow
"""flytekit's public name for :class:`ImperativeWorkflow` (``from flytekit import Workflow``)."""
