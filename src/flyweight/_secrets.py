"""Secrets as running task code reads them: flytekit's ``SecretsManager`` (``current_context().secrets``).

Flyte mounts a task's secrets as environment variables or files; :class:`SecretsManager` finds them by
flytekit's names, in flytekit's order. Whether a task runs locally (which adds the unprefixed variable to
the lookup) is the context's to say: ``flyweight._context`` hands that check in with
:func:`set_local_check` when it loads, so this module imports nothing of the context.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal, overload

from flyweight.errors import SecretNotFoundError

__all__ = ["SecretGroup", "SecretsManager", "set_local_check"]


def _not_local() -> bool:
    return False


_local_now: Callable[[], bool] = _not_local


def set_local_check(check: Callable[[], bool]) -> None:
    """Use ``check`` to tell whether a task runs locally now (set by ``flyweight._context``)."""
    global _local_now
    _local_now = check


_SECRET_MODES = frozenset({"r", "rb"})


def _secret_part(name: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"secrets: {name} must be a str or None, got {type(value).__name__} {value!r}")


class SecretsManager:
    """Finds secrets as Flyte mounts them (flytekit's ``SecretsManager``, same names and order).

    1. The environment variable ``<prefix><GROUP>_<GROUP_VERSION>_<KEY>`` (the parts given, upper case,
       joined by ``_``; the prefix is ``FLYTE_SECRETS_ENV_PREFIX``, default ``_FSEC_``). While a task
       runs locally the same name without the prefix is tried too.
    2. The file ``<dir>/<group>/<group_version>/<file prefix><key>`` (the parts given, lower case; the
       directory is ``FLYTE_SECRETS_DEFAULT_DIR``, default ``/etc/secrets``, the file prefix
       ``FLYTE_SECRETS_FILE_PREFIX``, default empty).

    The variables are read when the manager is made (once per task execution). ``secrets.<group>.<key>``
    is ``get(group, key)``. Attribute names starting with ``_`` or ``get_`` are never taken for a group:
    an unknown one is an :class:`AttributeError` (a misspelt method must not read a secret group).

    Example:
        >>> import os
        >>> os.environ["_FSEC_DB_PASSWORD"] = "s3cret"
        >>> SecretsManager().get("db", "password")
        's3cret'
    """

    def __init__(self, local: bool | None = None) -> None:
        self._local = local
        # As flytekit's configuration: an empty variable counts as unset; the value is then stripped.
        env = os.environ
        self._env_prefix = (env.get("FLYTE_SECRETS_ENV_PREFIX") or "_FSEC_").strip()
        self._base_dir = (
            env.get("FLYTE_SECRETS_DEFAULT_DIR") or os.path.join(os.sep, "etc", "secrets")
        ).strip()
        self._file_prefix = (env.get("FLYTE_SECRETS_FILE_PREFIX") or "").strip()

    @staticmethod
    def _parts(group: object, key: object, group_version: object) -> list[str]:
        parts = [
            p
            for p in (
                _secret_part("group", group),
                _secret_part("group_version", group_version),
                _secret_part("key", key),
            )
            if p
        ]
        if not parts:
            raise TypeError("secrets: give a group, a key or both (get(group='db', key='password'))")
        return parts

    def get_secrets_env_var(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        """The environment variable the secret is looked for in (with the prefix)."""
        return self._env_prefix + "_".join(p.upper() for p in self._parts(group, key, group_version))

    def get_secrets_file(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        """The file the secret is looked for in, when no environment variable holds it."""
        parts = [p.lower() for p in self._parts(group, key, group_version)]
        parts[-1] = self._file_prefix + parts[-1]
        return os.path.join(self._base_dir, *parts)

    def _is_local(self) -> bool:
        """Whether a task runs locally now (as flytekit decides it: not outside every task, not in a
        container)."""
        if self._local is not None:
            return self._local
        return _local_now()

    @overload
    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: Literal["r"] = "r",
    ) -> str: ...

    @overload
    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: str = "r",
    ) -> str | bytes: ...

    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: str = "r",
    ) -> str | bytes:
        """The secret's value, stripped of surrounding whitespace.

        ``encode_mode="rb"`` reads a file secret as bytes; a secret in the environment is a str either
        way (as in flytekit).

        Raises:
            SecretNotFoundError: (a ``ValueError``) neither the variable nor the file exists, or the file
                cannot be read (not a file, no permission, not UTF-8 text in mode ``"r"``).
            TypeError: a part is not a str, or no part is given.
            ValueError: ``encode_mode`` is neither ``"r"`` nor ``"rb"``.
        """
        parts = self._parts(group, key, group_version)
        if encode_mode not in _SECRET_MODES:
            raise ValueError(
                f"secrets.get: encode_mode must be 'r' (text) or 'rb' (bytes), got {encode_mode!r}"
            )
        name = "_".join(p.upper() for p in parts)
        names = [self._env_prefix + name]
        if self._is_local():
            names.append(name)
        for var in names:
            value = os.environ.get(var)
            if value is not None:
                return value.strip()
        path = self.get_secrets_file(group, key, group_version)
        if os.path.exists(path):
            try:
                with open(path, encode_mode) as f:
                    content: str | bytes = f.read()
            except (OSError, UnicodeDecodeError) as e:
                raise SecretNotFoundError(
                    f"secret group={group!r} key={key!r}: the file {path} exists but cannot be read "
                    f"({type(e).__name__}: {e}); mount the secret as a readable file"
                    + (
                        ", or read it as bytes with encode_mode='rb'"
                        if isinstance(e, UnicodeDecodeError)
                        else ""
                    )
                ) from e
            return content.strip()
        raise SecretNotFoundError(
            f"secret group={group!r} key={key!r} not found: looked for the environment variable "
            f"{names[0]} and the file {path}; request it with secret_requests=[Secret(group=..., key=...)] "
            "in @task"
        )

    def __getattr__(self, group: str) -> SecretGroup:
        """``secrets.<group>.<key>``: the secret ``get(group, key)``."""
        if group.startswith(("_", "get_")):
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {group!r}: its methods are get, "
                "get_secrets_env_var and get_secrets_file; secrets.<group>.<key> reads a secret, and a "
                "group read that way never starts with '_' or 'get_' (use get(group, key) for one that does)"
            )
        return SecretGroup(self, group)


class SecretGroup:
    """The secrets of one group, as attributes (``secrets.db.password``)."""

    __slots__ = ("_group", "_manager")

    def __init__(self, manager: SecretsManager, group: str) -> None:
        self._manager = manager
        self._group = group

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):
            raise AttributeError(key)
        return self._manager.get(self._group, key)

    def __repr__(self) -> str:
        return f"SecretGroup({self._group!r})"
