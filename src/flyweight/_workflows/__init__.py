"""Workflows: ``@workflow``, promises, nodes, launch plans, and how a body compiles into a graph.

Public names are re-exported from ``flyweight`` (``workflow``, ``LaunchPlan``, ``WorkflowFailurePolicy``)
and ``flyweight.extend`` (``Promise``); this package's modules are private.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._workflows._array_node import ArrayNode
from flyweight._workflows._compiler import Compiler
from flyweight._workflows._conditional import Branch, ConditionalSection, conditional
from flyweight._workflows._create_node import CreatedNode, create_node
from flyweight._workflows._dynamic import DynamicTask, GeneratedWorkflow, dynamic, generated_outputs
from flyweight._workflows._eager import eager
from flyweight._workflows._entities import CalledLaunchPlan, Callee, NodeEntity, SubWorkflow, node_kind
from flyweight._workflows._gate import Gate, approve, sleep, wait_for_input
from flyweight._workflows._imperative import ImperativeWorkflow, Workflow
from flyweight._workflows._launch_plan import LaunchPlan
from flyweight._workflows._map import map_task
from flyweight._workflows._metadata import WorkflowFailurePolicy, WorkflowMetadata, WorkflowMetadataDefaults
from flyweight._workflows._node import (
    ARRAY,
    BRANCH,
    GATE,
    GLOBAL_INPUT_NODE_ID,
    LAUNCH_PLAN,
    TASK,
    WORKFLOW,
    Binding,
    BindingValue,
    Node,
    NodeKind,
    NodeOutput,
)
from flyweight._workflows._promise import Promise, VoidPromise
from flyweight._workflows._reference import (
    ReferenceEntity,
    ReferenceLaunchPlan,
    ReferenceTask,
    ReferenceWorkflow,
    reference_launch_plan,
    reference_task,
    reference_workflow,
)
from flyweight._workflows._workflow import PythonFunctionWorkflow, WorkflowBase, workflow

__all__ = [
    "ARRAY",
    "BRANCH",
    "GATE",
    "GLOBAL_INPUT_NODE_ID",
    "LAUNCH_PLAN",
    "TASK",
    "WORKFLOW",
    "ArrayNode",
    "Binding",
    "BindingValue",
    "Branch",
    "CalledLaunchPlan",
    "Callee",
    "Compiler",
    "CreatedNode",
    "ConditionalSection",
    "DynamicTask",
    "Gate",
    "GeneratedWorkflow",
    "ImperativeWorkflow",
    "LaunchPlan",
    "Node",
    "NodeEntity",
    "NodeKind",
    "NodeOutput",
    "Promise",
    "PythonFunctionWorkflow",
    "ReferenceEntity",
    "ReferenceLaunchPlan",
    "ReferenceTask",
    "ReferenceWorkflow",
    "SubWorkflow",
    "VoidPromise",
    "Workflow",
    "WorkflowBase",
    "WorkflowFailurePolicy",
    "WorkflowMetadata",
    "WorkflowMetadataDefaults",
    "approve",
    "conditional",
    "create_node",
    "eager",
    "dynamic",
    "generated_outputs",
    "map_task",
    "node_kind",
    "reference_launch_plan",
    "reference_task",
    "reference_workflow",
    "sleep",
    "wait_for_input",
    "workflow",
]


if TYPE_CHECKING:  # the graph holds them by these protocols: mypy checks that the classes fit them
    from flyweight._tasks import Task

    def _fits(task: Task, wf: WorkflowBase, lp: LaunchPlan) -> tuple[Callee, SubWorkflow, CalledLaunchPlan]:
        return task, wf, lp
