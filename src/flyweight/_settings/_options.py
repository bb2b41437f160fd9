"""Registration options that override a launch plan's own: flytekit's ``Options``, and the ``Labels`` and
``Annotations`` a launch plan or ``Options`` may be given (flytekit's ``flytekit.models.common`` classes).

Why here: plain data handed to ``get_serializable(..., options=Options(...))``; the serializer merges it
over each launch plan it writes, field by field, as flytekit does (a field that is set wins).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flyweight._settings._notification import Notification
from flyweight._settings._security import SecurityContext
from flyweight.errors import NotSupportedError, WorkflowCompileError

__all__ = ["Annotations", "Labels", "Options"]


class _KeyValues:
    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        kind = type(self).__name__
        if not isinstance(values, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in values.items()
        ):
            raise WorkflowCompileError(
                f"{kind} takes a dict of str to str, got {values!r}; write {kind}({{'team': 'data'}})"
            )
        self._values = dict(values)

    @property
    def values(self) -> dict[str, str]:
        """The keys and values (a copy)."""
        return dict(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _KeyValues) and type(other) is type(self) and other._values == self._values

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self._values.items()))))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._values!r})"


class Labels(_KeyValues):
    """Kubernetes labels of executions, as flytekit's ``flytekit.models.common.Labels``: give it to
    ``LaunchPlan.get_or_create(labels=...)`` or ``Options(labels=...)`` (a plain dict works too).

    Raises:
        WorkflowCompileError: ``values`` is not a dict of str to str.

    Example:
        >>> Labels({"team": "data"}).values
        {'team': 'data'}
    """

    __slots__ = ()


class Annotations(_KeyValues):
    """Kubernetes annotations of executions, as flytekit's ``flytekit.models.common.Annotations`` (a plain
    dict works too).

    Raises:
        WorkflowCompileError: ``values`` is not a dict of str to str.
    """

    __slots__ = ()


@dataclass
class Options:
    """Execution options for the launch plans being registered; each field set replaces the plan's.

    Args:
        labels: Kubernetes labels of executions (a dict of str, or ``Labels``).
        annotations: Kubernetes annotations of executions (a dict of str, or ``Annotations``).
        raw_output_data_config: where executions write offloaded data (a prefix such as ``s3://b/p``).
        security_context: the secrets executions may read.
        max_parallelism: how many nodes of an execution may run at once.
        notifications: replace the plan's notifications.
        disable_notifications: kept for flytekit's signature; registration does not use it.
        overwrite_cache: whether executions recompute cached results.

    Example:
        >>> Options(labels={"team": "data"}).labels
        {'team': 'data'}
    """

    labels: dict[str, str] | Labels | None = None
    annotations: dict[str, str] | Annotations | None = None
    raw_output_data_config: str | None = None
    security_context: SecurityContext | None = None
    max_parallelism: int | None = None
    notifications: list[Notification] | None = None
    disable_notifications: bool | None = None
    overwrite_cache: bool | None = None

    def __post_init__(self) -> None:
        for name in ("labels", "annotations"):  # flytekit's Labels / Annotations: their values
            given = getattr(self, name)
            if isinstance(given, _KeyValues):
                setattr(self, name, given.values)

    @property
    def label_values(self) -> dict[str, str] | None:
        """The labels as a dict (None: not given)."""
        return self.labels.values if isinstance(self.labels, _KeyValues) else self.labels

    @property
    def annotation_values(self) -> dict[str, str] | None:
        """The annotations as a dict (None: not given)."""
        return self.annotations.values if isinstance(self.annotations, _KeyValues) else self.annotations

    @classmethod
    def default_from(
        cls, k8s_service_account: str | None = None, raw_data_prefix: str | None = None
    ) -> Options:
        """flytekit's helper. A service account needs ``SecurityContext.run_as``, which flyweight's
        serializer does not write, so one is refused rather than dropped.

        Raises:
            NotSupportedError: ``k8s_service_account`` is given.
        """
        if k8s_service_account:
            raise NotSupportedError(
                f"Options.default_from(k8s_service_account={k8s_service_account!r}): running as a service "
                "account is not supported by flyweight yet"
            )
        return cls(raw_output_data_config=raw_data_prefix or None)
