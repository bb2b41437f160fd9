"""Workflow metadata as plain data: the failure policy, the interruptible default, and documentation.

They become ``WorkflowTemplate.metadata`` and ``metadata_defaults`` and the registration form's
description when the workflow is serialized.
"""

from __future__ import annotations

import dataclasses
import enum

from flyweight.errors import TaskDefinitionError

__all__ = ["WorkflowFailurePolicy", "WorkflowMetadata", "WorkflowMetadataDefaults"]


class WorkflowFailurePolicy(enum.Enum):
    """What a workflow execution does when one of its nodes fails."""

    FAIL_IMMEDIATELY = 0
    """Fail the workflow at once (the default)."""
    FAIL_AFTER_EXECUTABLE_NODES_COMPLETE = 1
    """Let the nodes that can still run finish, then fail."""


@dataclasses.dataclass
class WorkflowMetadata:
    """Metadata of the workflow itself (``WorkflowTemplate.metadata``)."""

    on_failure: WorkflowFailurePolicy

    def __post_init__(self) -> None:
        if not isinstance(self.on_failure, WorkflowFailurePolicy):
            raise TaskDefinitionError(
                f"failure policy {self.on_failure!r} is not a WorkflowFailurePolicy; use "
                "WorkflowFailurePolicy.FAIL_IMMEDIATELY or FAIL_AFTER_EXECUTABLE_NODES_COMPLETE"
            )


@dataclasses.dataclass
class WorkflowMetadataDefaults:
    """Defaults the workflow hands down to its nodes (``WorkflowTemplate.metadata_defaults``)."""

    interruptible: bool

    def __post_init__(self) -> None:
        if self.interruptible is not True and self.interruptible is not False:
            raise TaskDefinitionError(f"interruptible must be True or False, got {self.interruptible!r}")
