"""Reference entities: a task, workflow or launch plan registered elsewhere, called by its identifier.

A workflow may call what another team (or another version of this code) registered: the call becomes a
node naming the registered entity by ``project``, ``domain``, ``name`` and ``version``, exactly as given
(the registration's own settings do not apply), and nothing is registered for the reference itself. The
interface cannot be fetched without a network call, so the user states it: from a decorated function's
signature (whose body never runs), or as ``inputs`` / ``outputs`` dicts, as flytekit 1.16.14 does.

Nothing can run a reference locally: its code is not here. A direct call, or a local run reaching its node,
raises :class:`~flyweight.errors.NotSupportedError` naming the entity and how to run the workflow without it
— in a test, by replacing the reference with a mock (``flyweight.testing.patch`` / ``task_mock``): then a
direct call and a local run's node run the mock, its outputs checked against the stated interface.

The compiler, the serializer and the local engine tell a reference apart by its class
(:class:`ReferenceEntity`, checked before the kinds it mimics); it is not a ``Task``, ``WorkflowBase`` or
``LaunchPlan``, so ``flyweight package`` finds nothing to register in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from flyweight import _idl
from flyweight._context import current_compiler
from flyweight._interface import Interface, typed_interface
from flyweight._tasks._mocked import mocked_task
from flyweight._tasks._mocks import mock_of
from flyweight._tasks._signature import check_plain_function, interface_from_function
from flyweight._workflows._node import LAUNCH_PLAN, TASK, WORKFLOW
from flyweight.errors import NotSupportedError, TaskDefinitionError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import Identifier, Node as NodeMessage, NodeMetadata, TypedInterface
    from flyweight._workflows._node import Node

__all__ = [
    "ReferenceEntity",
    "ReferenceLaunchPlan",
    "ReferenceTask",
    "ReferenceWorkflow",
    "reference_launch_plan",
    "reference_task",
    "reference_workflow",
]


class ReferenceEntity:
    """A registered entity called by its identifier (the base of the three reference classes).

    Args:
        project: the project the entity is registered in.
        domain: its domain.
        name: its registered name (``"my.module.my_task"``).
        version: its registered version.
        inputs: input name → Python type, in order (defaults are not taken: the registered entity's apply).
        outputs: output name → Python type, in order (``o0``, ``o1`` … for unnamed outputs).

    Raises:
        TaskDefinitionError: a part of the identifier is not a non-empty string, or an input or output
            name or type cannot be an interface.
    """

    _resource_type: ClassVar[_idl.ResourceType]
    _kind: ClassVar[Literal["task", "workflow", "launch plan"]]

    def __init__(  # noqa: PLR0917 - flytekit's positional order
        self,
        project: str,
        domain: str,
        name: str,
        version: str,
        inputs: Mapping[str, Any],
        outputs: Mapping[str, Any],
    ) -> None:
        kind = f"reference {self._kind}"
        for what, value in (("project", project), ("domain", domain), ("name", name), ("version", version)):
            if not isinstance(value, str) or not value:
                raise TaskDefinitionError(
                    f"{kind} {name!r}: {what} must be a non-empty string, got {value!r}; give the "
                    "project, domain, name and version the entity is registered with"
                )
        for what, mapping in (("inputs", inputs), ("outputs", outputs)):
            if not isinstance(mapping, Mapping):
                raise TaskDefinitionError(
                    f"{kind} {name!r}: {what} must be a dict of name to Python type, got "
                    f"{type(mapping).__name__} {mapping!r}"
                )
        self._id = _idl.Identifier(
            resource_type=self._resource_type, project=project, domain=domain, name=name, version=version
        )
        self._python_interface = Interface(inputs=dict(inputs), outputs=dict(outputs))
        self._interface = typed_interface(self._python_interface, owner=f"{kind} {name!r}")

    @property
    def name(self) -> str:
        """The registered name."""
        return self._id.name

    @property
    def project(self) -> str:
        return self._id.project

    @property
    def domain(self) -> str:
        return self._id.domain

    @property
    def version(self) -> str:
        return self._id.version

    @property
    def id(self) -> Identifier:
        """The identifier a node calling this reference names (a copy: change it through a new reference)."""
        out = _idl.Identifier()
        out.CopyFrom(self._id)
        return out

    reference_id = id

    @property
    def node_kind(self) -> Literal["task", "workflow", "launch plan"]:
        """What a call becomes: a task node, a workflow node or a launch plan node."""
        return self._kind

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def interface(self) -> TypedInterface:
        return self._interface

    @property
    def _interface_idl(self) -> TypedInterface:
        """The typed interface message, as the compiler reads every callee's (ADR 0022)."""
        return self.interface

    def construct_node_metadata(self) -> NodeMetadata:
        """The ``NodeMetadata`` of a node calling this reference: the last part of its name and no retries
        (flytekit's)."""
        meta = _idl.NodeMetadata(name=self.name.rsplit(".", 1)[-1])
        meta.retries.SetInParent()
        return meta

    def fill_node(self, out: NodeMessage, node: Node) -> None:
        """Make the serialized node ``out`` (id, metadata, inputs and upstream ids already written) call the
        registered entity: a task node's ``reference_id`` (without overrides, as flytekit writes it) or a
        workflow node's ``launchplan_ref``.

        Raises:
            WorkflowCompileError: for a reference workflow, which Flyte cannot run as a sub-workflow (it
                needs the sub-workflow's template in the parent's closure; flytekit refuses it too).
        """
        if self._kind == TASK:
            out.task_node.reference_id.CopyFrom(self._id)
        elif self._kind == LAUNCH_PLAN:
            out.workflow_node.launchplan_ref.CopyFrom(self._id)
        else:
            raise WorkflowCompileError(
                f"workflow {node.workflow_name!r}: node {node.id} calls {self.describe()}, and a workflow "
                "calling a reference workflow cannot be serialized (Flyte needs a sub-workflow's whole "
                "template; flytekit refuses it too): declare the launch plan of that workflow with "
                "@reference_launch_plan and call it instead"
            )

    def describe(self) -> str:
        """``reference task 'remote.t' (project p, domain d, version v1)``."""
        i = self._id
        return (
            f"reference {self._kind} {i.name!r} (project {i.project}, domain {i.domain}, version {i.version})"
        )

    def local_run_error(self) -> NotSupportedError:
        """The error of a local call or local run of this reference: what it is and what to do instead."""
        return NotSupportedError(
            f"{self.describe()} cannot run locally: only its registered version exists, on a Flyte "
            f"cluster. Run the workflow that calls it on the cluster; in a test, replace it with a mock "
            f"(flyweight.testing.patch or flyweight.testing.task_mock) and set the mock's return_value; "
            f"or call a local {self._kind} with the same inputs and outputs in its place"
        )

    def execute(self, **kwargs: Any) -> Any:
        """The mock's result when the reference is mocked (``flyweight.testing``); otherwise fails: a
        reference's code is not here (see :meth:`local_run_error`)."""
        mock = mock_of(self)
        if mock is not None:
            return mock(**kwargs)
        raise self.local_run_error()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """In a workflow body being compiled: add a node calling the registered entity, return promises of
        its outputs. Mocked (``flyweight.testing``): the mock's result, checked against the interface.
        Anywhere else: raise :class:`~flyweight.errors.NotSupportedError`."""
        compiler = current_compiler()
        if compiler is not None:
            return compiler.add_entity(self, args, kwargs)
        mocked = mocked_task(self)
        if mocked is not None:
            return mocked(*args, **kwargs)
        raise self.local_run_error()

    def __repr__(self) -> str:
        i = self._id
        return (
            f"{type(self).__name__}(project={i.project!r}, domain={i.domain!r}, name={i.name!r}, "
            f"version={i.version!r}, interface={self._python_interface!r})"
        )


class ReferenceTask(ReferenceEntity):
    """A task registered elsewhere; a call in a workflow body becomes a task node naming it."""

    _resource_type = _idl.ResourceType.TASK
    _kind = TASK


class ReferenceWorkflow(ReferenceEntity):
    """A workflow registered elsewhere. flytekit 1.16.14 cannot serialize a workflow calling one (Flyte needs
    a sub-workflow's whole template); neither can flyweight: call a :class:`ReferenceLaunchPlan` instead."""

    _resource_type = _idl.ResourceType.WORKFLOW
    _kind = WORKFLOW


class ReferenceLaunchPlan(ReferenceEntity):
    """A launch plan registered elsewhere; a call in a workflow body becomes a launch plan node naming it."""

    _resource_type = _idl.ResourceType.LAUNCH_PLAN
    _kind = LAUNCH_PLAN


def _decorator(  # noqa: PLR0917
    cls: type[ReferenceEntity], decorator: str, project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], Any]:
    def wrapper(fn: Callable[..., Any]) -> ReferenceEntity:
        check_plain_function(fn, decorator)
        try:
            iface = interface_from_function(fn)
        except TaskDefinitionError as e:
            raise TaskDefinitionError(f"@{decorator}({name!r}): {e}") from e
        return cls(project, domain, name, version, iface.inputs, iface.outputs)

    return wrapper


def reference_task(
    project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], ReferenceTask]:
    """Declare a task registered elsewhere: the decorated function's signature is its interface, its body is
    never run.

    Example:
        >>> @reference_task(project="flytesnacks", domain="development", name="recipes.join", version="abc")
        ... def join(a: list[str]) -> str: ...
        >>> join.name
        'recipes.join'
    """
    return _decorator(ReferenceTask, "reference_task", project, domain, name, version)


def reference_workflow(
    project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], ReferenceWorkflow]:
    """Declare a workflow registered elsewhere: the decorated function's signature is its interface.

    A workflow calling it cannot be serialized (as in flytekit): use :func:`reference_launch_plan`.
    """
    return _decorator(ReferenceWorkflow, "reference_workflow", project, domain, name, version)


def reference_launch_plan(
    project: str, domain: str, name: str, version: str
) -> Callable[[Callable[..., Any]], ReferenceLaunchPlan]:
    """Declare a launch plan registered elsewhere: the decorated function's signature is its interface, its
    body is never run."""
    return _decorator(ReferenceLaunchPlan, "reference_launch_plan", project, domain, name, version)
