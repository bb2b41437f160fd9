"""The one seam where flyweight imports the Flyte protobufs (``flyteidl``).

Everything flyweight puts on the wire is a real ``flyteidl`` message; this module names the message
classes the rest of the package uses, so a change of flyteidl layout touches one file. Importing it
costs the protobuf runtime (tens of milliseconds), which is why ``import flyweight`` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from flyteidl.admin import description_entity_pb2, task_pb2
from flyteidl.core import (
    errors_pb2,
    execution_pb2,
    identifier_pb2,
    interface_pb2,
    literals_pb2,
    security_pb2,
    tasks_pb2,
    types_pb2,
    workflow_pb2,
)
from google.protobuf import duration_pb2, struct_pb2, wrappers_pb2

Literal = literals_pb2.Literal
Scalar = literals_pb2.Scalar
Primitive = literals_pb2.Primitive
Binary = literals_pb2.Binary
Void = literals_pb2.Void
LiteralCollection = literals_pb2.LiteralCollection
LiteralMap = literals_pb2.LiteralMap
LiteralUnion = literals_pb2.Union
Blob = literals_pb2.Blob
BlobMetadata = literals_pb2.BlobMetadata
Schema = literals_pb2.Schema
StructuredDatasetLiteral = literals_pb2.StructuredDataset
StructuredDatasetMetadata = literals_pb2.StructuredDatasetMetadata

LiteralType = types_pb2.LiteralType
SimpleType = types_pb2.SimpleType
TypeStructure = types_pb2.TypeStructure
TypeAnnotation = types_pb2.TypeAnnotation
UnionType = types_pb2.UnionType
EnumType = types_pb2.EnumType
BlobType = types_pb2.BlobType
SchemaType = types_pb2.SchemaType
StructuredDatasetType = types_pb2.StructuredDatasetType

Struct = struct_pb2.Struct

Variable = interface_pb2.Variable
VariableMap = interface_pb2.VariableMap
TypedInterface = interface_pb2.TypedInterface

Identifier = identifier_pb2.Identifier
ResourceType = identifier_pb2.ResourceType
TaskTemplate = tasks_pb2.TaskTemplate
TaskMetadata = tasks_pb2.TaskMetadata
RuntimeMetadata = tasks_pb2.RuntimeMetadata
Container = tasks_pb2.Container
NodeMetadata = workflow_pb2.NodeMetadata
WorkflowTemplate = workflow_pb2.WorkflowTemplate
WorkflowMetadata = workflow_pb2.WorkflowMetadata
WorkflowMetadataDefaults = workflow_pb2.WorkflowMetadataDefaults
Node = workflow_pb2.Node
TaskNode = workflow_pb2.TaskNode
TaskNodeOverrides = workflow_pb2.TaskNodeOverrides
WorkflowNode = workflow_pb2.WorkflowNode
Binding = literals_pb2.Binding
BindingData = literals_pb2.BindingData
BindingDataCollection = literals_pb2.BindingDataCollection
BindingDataMap = literals_pb2.BindingDataMap
OutputReference = types_pb2.OutputReference
PromiseAttribute = types_pb2.PromiseAttribute
Parameter = interface_pb2.Parameter
ParameterMap = interface_pb2.ParameterMap
K8sPod = tasks_pb2.K8sPod
Sql = tasks_pb2.Sql
ExtendedResources = tasks_pb2.ExtendedResources
Resources = tasks_pb2.Resources
K8sObjectMetadata = tasks_pb2.K8sObjectMetadata
RetryStrategy = literals_pb2.RetryStrategy
KeyValuePair = literals_pb2.KeyValuePair
SecurityContext = security_pb2.SecurityContext
Secret = security_pb2.Secret
ErrorDocument = errors_pb2.ErrorDocument
ContainerError = errors_pb2.ContainerError
ExecutionError = execution_pb2.ExecutionError
Duration = duration_pb2.Duration
BoolValue = wrappers_pb2.BoolValue
Value = struct_pb2.Value
NULL_VALUE = struct_pb2.NULL_VALUE
ListValue = struct_pb2.ListValue
TaskSpec = task_pb2.TaskSpec
DescriptionEntity = description_entity_pb2.DescriptionEntity
Description = description_entity_pb2.Description
SourceCode = description_entity_pb2.SourceCode

# Registration messages of workflows and launch plans (flyteidl.admin): imported on first use, so a
# container running a task does not pay for them.
if TYPE_CHECKING:
    from flyteidl.admin.common_pb2 import Annotations, Labels, RawOutputDataConfig
    from flyteidl.admin.launch_plan_pb2 import (
        LaunchPlan,
        LaunchPlanClosure,
        LaunchPlanMetadata,
        LaunchPlanSpec,
    )
    from flyteidl.admin.workflow_pb2 import WorkflowSpec

_ADMIN = {
    "WorkflowSpec": "flyteidl.admin.workflow_pb2",
    "LaunchPlan": "flyteidl.admin.launch_plan_pb2",
    "LaunchPlanSpec": "flyteidl.admin.launch_plan_pb2",
    "LaunchPlanMetadata": "flyteidl.admin.launch_plan_pb2",
    "LaunchPlanClosure": "flyteidl.admin.launch_plan_pb2",
    "Labels": "flyteidl.admin.common_pb2",
    "Annotations": "flyteidl.admin.common_pb2",
    "RawOutputDataConfig": "flyteidl.admin.common_pb2",
}


_M = TypeVar("_M")


def as_message(value: object, expected: type[_M]) -> _M | None:
    """``value`` as an ``expected`` message: itself if it is one, else what its ``to_flyte_idl()`` gives
    (flytekit's models and flyweight's views have that method) if that is one; None otherwise.

    Callers raise their own error for None, naming what they expected and where.

    Example:
        >>> as_message(Literal(), Literal) == Literal()
        True
        >>> as_message(3, Literal) is None
        True
    """
    if isinstance(value, expected):
        return value
    to_idl = getattr(value, "to_flyte_idl", None)
    if callable(to_idl):
        converted = to_idl()
        if isinstance(converted, expected):
            return converted
    return None


def __getattr__(name: str) -> Any:
    module = _ADMIN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "Annotations",
    "Binding",
    "BindingData",
    "BindingDataCollection",
    "BindingDataMap",
    "Labels",
    "LaunchPlan",
    "LaunchPlanClosure",
    "LaunchPlanMetadata",
    "LaunchPlanSpec",
    "Node",
    "OutputReference",
    "Parameter",
    "ParameterMap",
    "PromiseAttribute",
    "RawOutputDataConfig",
    "TaskNode",
    "TaskNodeOverrides",
    "WorkflowMetadata",
    "WorkflowMetadataDefaults",
    "WorkflowNode",
    "WorkflowSpec",
    "WorkflowTemplate",
    "NodeMetadata",
    "NULL_VALUE",
    "Sql",
    "K8sPod",
    "ExtendedResources",
    "Binary",
    "Blob",
    "BlobMetadata",
    "BlobType",
    "BoolValue",
    "Container",
    "ContainerError",
    "Description",
    "DescriptionEntity",
    "Duration",
    "EnumType",
    "ErrorDocument",
    "ExecutionError",
    "Identifier",
    "K8sObjectMetadata",
    "KeyValuePair",
    "ListValue",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "LiteralType",
    "LiteralUnion",
    "Primitive",
    "ResourceType",
    "Resources",
    "RetryStrategy",
    "RuntimeMetadata",
    "Scalar",
    "Secret",
    "Schema",
    "SchemaType",
    "SecurityContext",
    "SimpleType",
    "SourceCode",
    "Struct",
    "StructuredDatasetLiteral",
    "StructuredDatasetMetadata",
    "StructuredDatasetType",
    "TaskMetadata",
    "TaskSpec",
    "TaskTemplate",
    "TypeAnnotation",
    "TypeStructure",
    "TypedInterface",
    "UnionType",
    "Value",
    "Variable",
    "VariableMap",
    "Void",
    "as_message",
    "description_entity_pb2",
    "errors_pb2",
    "execution_pb2",
    "identifier_pb2",
    "interface_pb2",
    "literals_pb2",
    "security_pb2",
    "task_pb2",
    "tasks_pb2",
    "types_pb2",
    "workflow_pb2",
]
