"""Workflows: ``@workflow``, promises, nodes, launch plans, and how a body compiles into a graph.

Public names are re-exported from ``flyweight`` (``workflow``, ``LaunchPlan``, ``WorkflowFailurePolicy``)
and ``flyweight.extend`` (``Promise``); this package's modules are private.
"""

from __future__ import annotations

from flyweight._workflows._compiler import Compiler
from flyweight._workflows._launch_plan import LaunchPlan
from flyweight._workflows._metadata import WorkflowFailurePolicy, WorkflowMetadata, WorkflowMetadataDefaults
from flyweight._workflows._node import GLOBAL_INPUT_NODE_ID, Binding, Node, NodeOutput
from flyweight._workflows._promise import Promise, VoidPromise
from flyweight._workflows._workflow import PythonFunctionWorkflow, WorkflowBase, workflow

__all__ = [
    "GLOBAL_INPUT_NODE_ID",
    "Binding",
    "Compiler",
    "LaunchPlan",
    "Node",
    "NodeOutput",
    "Promise",
    "PythonFunctionWorkflow",
    "VoidPromise",
    "WorkflowBase",
    "WorkflowFailurePolicy",
    "WorkflowMetadata",
    "WorkflowMetadataDefaults",
    "workflow",
]
