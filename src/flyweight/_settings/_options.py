"""Registration options that override a launch plan's own: flytekit's ``Options``.

Why here: plain data handed to ``get_serializable(..., options=Options(...))``; the serializer merges it
over each launch plan it writes, field by field, as flytekit does (a field that is set wins).
"""

from __future__ import annotations

from dataclasses import dataclass

from flyweight._settings._notification import Notification
from flyweight._settings._security import SecurityContext
from flyweight.errors import NotSupportedError

__all__ = ["Options"]


@dataclass
class Options:
    """Execution options for the launch plans being registered; each field set replaces the plan's.

    Args:
        labels: Kubernetes labels of executions (a dict of str).
        annotations: Kubernetes annotations of executions (a dict of str).
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

    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None
    raw_output_data_config: str | None = None
    security_context: SecurityContext | None = None
    max_parallelism: int | None = None
    notifications: list[Notification] | None = None
    disable_notifications: bool | None = None
    overwrite_cache: bool | None = None

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
