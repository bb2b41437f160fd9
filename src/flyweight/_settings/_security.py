"""Secrets a task needs and the security context that carries them."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flyweight.errors import TaskDefinitionError

_ENV_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_ENV_REST = _ENV_FIRST | frozenset("0123456789")


def _is_env_var_name(name: str) -> bool:
    """Whether ``name`` matches ``^[A-Z_][A-Z0-9_]*$`` (checked without compiling a regex)."""
    return bool(name) and name[0] in _ENV_FIRST and all(c in _ENV_REST for c in name)


@dataclass
class Secret:
    """A secret the platform injects into a task's container.

    Args:
        group: the secret's name in the secret store (in Kubernetes, the name of the Secret).
        key: the entry within the group.
        group_version: the version of the group, when the store keeps versions.
        mount_requirement: how to inject it: ``MountType.ANY`` (the platform decides), ``ENV_VAR`` or
            ``FILE``.
        env_var: the environment variable to set: the secret itself when mounted as ``ENV_VAR``, the path
            of its file when mounted as ``FILE``. Upper-case letters, digits and ``_``, not starting with
            a digit.

    Raises:
        TaskDefinitionError: a field of the wrong type, or an ``env_var`` that is not a valid name.

    Example:
        >>> s = Secret(group="db", key="pw", mount_requirement=Secret.MountType.ENV_VAR, env_var="DB_PW")
        >>> s.mount_requirement.value
        1
    """

    class MountType(enum.IntEnum):
        """How a secret is injected; the values are Flyte's protobuf enum numbers."""

        ANY = 0
        """Either an environment variable or a file, as the platform chooses."""
        ENV_VAR = 1
        """An environment variable."""
        FILE = 2
        """A file."""

    group: str | None = None
    key: str | None = None
    group_version: str | None = None
    mount_requirement: Secret.MountType = MountType.ANY
    env_var: str | None = None

    def __post_init__(self) -> None:
        for field in ("group", "key", "group_version", "env_var"):
            value = getattr(self, field)
            if value is not None and not isinstance(value, str):
                raise TaskDefinitionError(
                    f"Secret {field}: expected a str or None, got {type(value).__name__} {value!r}"
                )
        mount: object = self.mount_requirement
        if isinstance(mount, bool) or not isinstance(mount, int) or mount not in (0, 1, 2):
            raise TaskDefinitionError(
                f"Secret mount_requirement: expected Secret.MountType.ANY, ENV_VAR or FILE, got {mount!r}"
            )
        self.mount_requirement = Secret.MountType(mount)
        if self.env_var is not None and not _is_env_var_name(self.env_var):
            raise TaskDefinitionError(
                f"Secret env_var={self.env_var!r} is not a valid environment variable name: use upper-case "
                "letters, digits and '_', not starting with a digit (e.g. 'DB_PASSWORD')"
            )


@dataclass
class SecurityContext:
    """Who a task runs as and which secrets and tokens it gets.

    Args:
        run_as: the identity to run as (an object the serializer understands), or ``None``.
        secrets: the secrets to inject; a single :class:`Secret` is accepted and wrapped in a list.
        tokens: OAuth2 token requests (objects the serializer understands), or ``None``.

    Raises:
        TaskDefinitionError: an entry of ``secrets`` is not a :class:`Secret`.

    Example:
        >>> SecurityContext(secrets=Secret(group="db", key="pw")).secrets
        [Secret(group='db', key='pw', group_version=None, mount_requirement=<MountType.ANY: 0>, env_var=None)]
    """

    run_as: object | None = None
    secrets: list[Secret] | None = None
    tokens: list[object] | None = None

    def __post_init__(self) -> None:
        secrets: object = self.secrets
        if isinstance(secrets, Secret):
            self.secrets = [secrets]
        elif isinstance(secrets, tuple):
            self.secrets = list(secrets)
        elif secrets is not None and not isinstance(secrets, list):
            raise TaskDefinitionError(
                "SecurityContext secrets: expected a list of Secret, "
                f"got {type(secrets).__name__} {secrets!r}"
            )
        tokens: object = self.tokens
        if tokens is not None and not isinstance(tokens, list):
            self.tokens = list(tokens) if isinstance(tokens, tuple) else [tokens]
        for i, secret in enumerate(self.secrets or ()):
            if not isinstance(secret, Secret):
                raise TaskDefinitionError(
                    f"SecurityContext secrets[{i}]: expected a Secret, got {type(secret).__name__} "
                    f"{secret!r}; write Secret(group=..., key=...)"
                )
