"""``Cache`` objects and cache policies, as flytekit 1.16.14's ``flytekit.core.cache``.

``@task(cache=Cache(...))`` turns a :class:`Cache` into the task's metadata: ``cache=True``, the
version, ``cache_serialize`` and ``cache_ignore_input_vars``. Without a ``version``, the version is
computed from the policies: each policy's ``get_version(salt, params)`` in order, concatenated, and the
SHA-256 hex digest of that text (flytekit's recipe, so the same policies give the same version). flytekit
has no default policy (its default plugin gives none), so a ``Cache`` needs a version or a policy.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from flyweight.errors import TaskDefinitionError

__all__ = ["Cache", "CachePolicy", "VersionParameters"]


@dataclasses.dataclass
class VersionParameters:
    """What a cache policy may compute a version from (flytekit's ``VersionParameters``).

    Attributes:
        func: the task's function.
        container_image: the ``container_image`` given to ``@task`` (or ``None``).
        pod_template: the ``pod_template`` given to ``@task`` (or ``None``).
        pod_template_name: the ``pod_template_name`` given to ``@task`` (or ``None``).
    """

    func: Callable[..., Any]
    container_image: object = None
    pod_template: object = None
    pod_template_name: str | None = None


@runtime_checkable
class CachePolicy(Protocol):
    """An object that computes a cache version: anything with ``get_version(salt, params) -> str``.

    Example:
        >>> class Fixed:
        ...     def get_version(self, salt: str, params: VersionParameters) -> str:
        ...         return "v1" + salt
        >>> isinstance(Fixed(), CachePolicy)
        True
    """

    def get_version(self, salt: str, params: VersionParameters) -> str:
        """The version this policy gives for ``params``, mixed with ``salt``."""
        ...


@dataclasses.dataclass
class Cache:
    """How a task is cached: ``@task(cache=Cache(version="1", serialize=True))``.

    Attributes:
        version: the cache version; without it, the version is computed from ``policies``.
        serialize: run identical (same inputs) instances one at a time, the others reusing the result.
        ignored_inputs: names of inputs left out of the cache key (one name may be given as a str).
        salt: text each policy mixes into the version it computes.
        policies: a policy or a list of policies computing the version when ``version`` is not given.

    Example:
        >>> Cache(version="1", ignored_inputs="seed").get_ignored_inputs()
        ('seed',)
        >>> class Fixed:
        ...     def get_version(self, salt: str, params: VersionParameters) -> str:
        ...         return "v1"
        >>> len(Cache(policies=Fixed()).get_version(VersionParameters(func=print)))
        64
    """

    version: str | None = None
    serialize: bool = False
    ignored_inputs: tuple[str, ...] | str = ()
    salt: str = ""
    policies: list[CachePolicy] | CachePolicy | None = None

    def __post_init__(self) -> None:
        if self.version is not None and not isinstance(self.version, str):
            raise TaskDefinitionError(
                f"Cache(version={self.version!r}): expected a str, got {type(self.version).__name__}; "
                "write Cache(version='1')"
            )
        if not isinstance(self.serialize, bool):
            raise TaskDefinitionError(
                f"Cache(serialize={self.serialize!r}): expected True or False, got "
                f"{type(self.serialize).__name__}"
            )
        if not isinstance(self.salt, str):
            raise TaskDefinitionError(
                f"Cache(salt={self.salt!r}): expected a str, got {type(self.salt).__name__}"
            )
        self._ignored_inputs = _ignored(self.ignored_inputs)
        self._policies = _policies(self.policies)
        if self.version is None and not self._policies:
            raise TaskDefinitionError(
                "If version is not defined then at least one cache policy needs to be set: write "
                "Cache(version='1') or Cache(policies=[...]) (like flytekit, flyweight has no default "
                "policy)"
            )

    def get_ignored_inputs(self) -> tuple[str, ...]:
        """The names of the inputs left out of the cache key."""
        return self._ignored_inputs

    def get_version(self, params: VersionParameters) -> str:
        """The cache version: ``version`` if given, else the SHA-256 hex digest of the policies' versions
        concatenated in order.

        Raises:
            TaskDefinitionError: a policy failed or did not return a str.
        """
        if self.version is not None:
            return self.version
        text = ""
        for policy in self._policies:
            try:
                part = policy.get_version(self.salt, params)
                if not isinstance(part, str):
                    raise TypeError(f"get_version returned {type(part).__name__}, not str")
            except Exception as e:
                raise TaskDefinitionError(
                    f"Failed to generate version for cache policy {policy}. Please consider setting the "
                    f"version in the Cache definition, e.g. Cache(version='v1.2.3'): {e}"
                ) from e
            text += part
        return hashlib.sha256(text.encode()).hexdigest()


def _ignored(names: object) -> tuple[str, ...]:
    if isinstance(names, str):
        return (names,)
    if isinstance(names, (tuple, list)) and all(isinstance(n, str) for n in names):
        return tuple(names)
    raise TaskDefinitionError(
        f"Cache(ignored_inputs={names!r}): expected input names (a tuple of str, or one str); write "
        "Cache(version='1', ignored_inputs=('seed',))"
    )


def _policies(policies: object) -> list[CachePolicy]:
    if policies is None:
        return []  # flytekit's default plugin has no default cache policy
    if isinstance(policies, CachePolicy):
        return [policies]
    if isinstance(policies, list) and all(isinstance(p, CachePolicy) for p in policies):
        return list(policies)
    raise TaskDefinitionError(
        f"Cache(policies={policies!r}): expected a cache policy (an object with "
        "get_version(salt, params) -> str) or a list of them"
    )
