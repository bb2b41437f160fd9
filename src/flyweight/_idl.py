"""The one seam where flyweight imports the Flyte protobufs (``flyteidl``).

Everything flyweight puts on the wire is a real ``flyteidl`` message; this module names the message
classes the rest of the package uses, so a change of flyteidl layout touches one file. Importing it
costs the protobuf runtime (tens of milliseconds), which is why ``import flyweight`` does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from flyteidl.core import interface_pb2, literals_pb2, types_pb2
from google.protobuf import struct_pb2

from flyweight._lazy import facade

# What every conversion needs: literals, literal types, interfaces, structs. Imported with this module.
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
Binding = literals_pb2.Binding
BindingData = literals_pb2.BindingData
BindingDataCollection = literals_pb2.BindingDataCollection
BindingDataMap = literals_pb2.BindingDataMap
RetryStrategy = literals_pb2.RetryStrategy
KeyValuePair = literals_pb2.KeyValuePair

LiteralType = types_pb2.LiteralType
SimpleType = types_pb2.SimpleType
TypeStructure = types_pb2.TypeStructure
TypeAnnotation = types_pb2.TypeAnnotation
UnionType = types_pb2.UnionType
EnumType = types_pb2.EnumType
BlobType = types_pb2.BlobType
SchemaType = types_pb2.SchemaType
StructuredDatasetType = types_pb2.StructuredDatasetType
OutputReference = types_pb2.OutputReference
Error = types_pb2.Error
PromiseAttribute = types_pb2.PromiseAttribute

Variable = interface_pb2.Variable
VariableMap = interface_pb2.VariableMap
TypedInterface = interface_pb2.TypedInterface
Parameter = interface_pb2.Parameter
ParameterMap = interface_pb2.ParameterMap

Struct = struct_pb2.Struct
Value = struct_pb2.Value
NULL_VALUE = struct_pb2.NULL_VALUE
ListValue = struct_pb2.ListValue

# Templates, workflows, errors and registration messages: imported on first use, so a program that only
# converts values (``from flyweight.types import TypeEngine``) does not pay for them.
if TYPE_CHECKING:
    from flyteidl.admin.common_pb2 import (
        Annotations as Annotations,
        EmailNotification as EmailNotification,
        Labels as Labels,
        Notification as Notification,
        PagerDutyNotification as PagerDutyNotification,
        RawOutputDataConfig as RawOutputDataConfig,
        SlackNotification as SlackNotification,
    )
    from flyteidl.admin.description_entity_pb2 import (
        Description as Description,
        DescriptionEntity as DescriptionEntity,
        DescriptionFormat as DescriptionFormat,
        SourceCode as SourceCode,
    )
    from flyteidl.admin.launch_plan_pb2 import (
        ConcurrencyPolicy as ConcurrencyPolicy,
        LaunchPlan as LaunchPlan,
        LaunchPlanClosure as LaunchPlanClosure,
        LaunchPlanMetadata as LaunchPlanMetadata,
        LaunchPlanSpec as LaunchPlanSpec,
    )
    from flyteidl.admin.schedule_pb2 import (
        CronSchedule as CronSchedule,
        FixedRate as FixedRate,
        Schedule as Schedule,
    )
    from flyteidl.admin.task_pb2 import TaskSpec as TaskSpec
    from flyteidl.admin.workflow_pb2 import WorkflowSpec as WorkflowSpec
    from flyteidl.core.dynamic_job_pb2 import DynamicJobSpec as DynamicJobSpec
    from flyteidl.core.errors_pb2 import ContainerError as ContainerError, ErrorDocument as ErrorDocument
    from flyteidl.core.execution_pb2 import ExecutionError as ExecutionError
    from flyteidl.core.identifier_pb2 import Identifier as Identifier, ResourceType as ResourceType
    from flyteidl.core.security_pb2 import Secret as Secret, SecurityContext as SecurityContext
    from flyteidl.core.tasks_pb2 import (
        Container as Container,
        DataLoadingConfig as DataLoadingConfig,
        ExtendedResources as ExtendedResources,
        IOStrategy as IOStrategy,
        K8sObjectMetadata as K8sObjectMetadata,
        K8sPod as K8sPod,
        Resources as Resources,
        RuntimeMetadata as RuntimeMetadata,
        Sql as Sql,
        TaskMetadata as TaskMetadata,
        TaskTemplate as TaskTemplate,
    )
    from flyteidl.core.workflow_pb2 import (
        ArrayNode as ArrayNode,
        Node as Node,
        NodeMetadata as NodeMetadata,
        TaskNode as TaskNode,
        TaskNodeOverrides as TaskNodeOverrides,
        WorkflowMetadata as WorkflowMetadata,
        WorkflowMetadataDefaults as WorkflowMetadataDefaults,
        WorkflowNode as WorkflowNode,
        WorkflowTemplate as WorkflowTemplate,
    )
    from google.protobuf.duration_pb2 import Duration as Duration
    from google.protobuf.wrappers_pb2 import BoolValue as BoolValue

__getattr__, __dir__, _LAZY_NAMES = facade(__name__)


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


__all__ = [
    "Annotations",
    "ArrayNode",
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
    "DataLoadingConfig",
    "Description",
    "DescriptionEntity",
    "DescriptionFormat",
    "Duration",
    "EnumType",
    "Error",
    "ErrorDocument",
    "ExecutionError",
    "IOStrategy",
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
    "ConcurrencyPolicy",
    "CronSchedule",
    "EmailNotification",
    "FixedRate",
    "Notification",
    "PagerDutyNotification",
    "Schedule",
    "SlackNotification",
]
