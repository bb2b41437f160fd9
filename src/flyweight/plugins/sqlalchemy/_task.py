"""``SQLAlchemyTask``: one SQL statement against a database named by a SQLAlchemy URL, in a prebuilt image.

The task is configuration only: its template carries the query template, the ``uri``, the
``connect_args`` and the *references* of ``secret_connect_args`` (group and key, never a value), in
flytekit's ``custom`` layout. Every placeholder is checked when the task is defined, with the SQLite3
plugin's rules (``SQLTask.parameterize_query``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from flyweight.errors import TaskDefinitionError
from flyweight.extend import (
    DefaultImages,
    PythonCustomizedContainerTask,
    Secret,
    SerializationSettings,
    SQLTask,
    kwtypes,
)
from flyweight.plugins.sqlalchemy._executor import SQLAlchemyTaskExecutor

__all__ = ["SQLAlchemyConfig", "SQLAlchemyDefaultImages", "SQLAlchemyTask"]


class SQLAlchemyDefaultImages(DefaultImages):
    """flyweight's images with SQLAlchemy installed: ``<flyweight image>:py3.X-sqlalchemy-<version>``
    (flytekit's plugin names its images ``flytekit:py3.X-sqlalchemy-<version>`` the same way)."""

    _DEFAULT_IMAGE_PREFIXES: ClassVar[Mapping[Any, str]] = {
        version: f"{prefix}sqlalchemy-" for version, prefix in DefaultImages._DEFAULT_IMAGE_PREFIXES.items()
    }


@dataclasses.dataclass
class SQLAlchemyConfig:
    """Where the database of a :class:`SQLAlchemyTask` is and how to connect to it.

    Args:
        uri: a SQLAlchemy database URL (``sqlite:///path.db``, ``postgresql://user@host/db`` …). It is
            written into the template: put passwords in ``secret_connect_args``, not here.
        connect_args: keyword arguments for the driver's ``connect()`` (``{"timeout": 5}``).
        secret_connect_args: connect argument name → :class:`~flyweight.extend.Secret`; each is read
            with ``current_context().secrets.get(group, key)`` when the task runs and passed as that
            argument. The task requests these secrets (they join its ``secret_requests``).

    Example:
        >>> from flyweight.extend import Secret
        >>> pw = {"password": Secret("db", "pw")}
        >>> cfg = SQLAlchemyConfig("postgresql://app@db/prod", secret_connect_args=pw)
        >>> cfg.secret_connect_args_to_dicts()
        {'password': {'group': 'db', 'key': 'pw', 'group_version': None, 'mount_requirement': 0}}
    """

    uri: str
    connect_args: dict[str, Any] | None = None
    secret_connect_args: dict[str, Secret] | None = None

    @staticmethod
    def _secret_to_dict(secret: Secret) -> dict[str, Any]:
        return {
            "group": secret.group,
            "key": secret.key,
            "group_version": secret.group_version,
            "mount_requirement": int(secret.mount_requirement.value),
        }

    def secret_connect_args_to_dicts(self) -> dict[str, dict[str, Any]] | None:
        """The secrets' references as flytekit writes them into ``custom`` (None when there are none)."""
        if self.secret_connect_args is None:
            return None
        return {name: self._secret_to_dict(s) for name, s in self.secret_connect_args.items()}


def _check_config(name: str, cfg: Any) -> SQLAlchemyConfig:
    uri = getattr(cfg, "uri", None)
    if not isinstance(cfg, SQLAlchemyConfig) or not isinstance(uri, str) or not uri:
        raise TaskDefinitionError(
            f"SQLAlchemyTask {name!r}: the database is required: pass "
            f"task_config=SQLAlchemyConfig(uri=...), got task_config={type(cfg).__name__}"
        )
    if cfg.connect_args is not None and not isinstance(cfg.connect_args, Mapping):
        raise TaskDefinitionError(
            f"SQLAlchemyTask {name!r}: connect_args must be a dict of driver arguments, "
            f"got {type(cfg.connect_args).__name__}"
        )
    if cfg.secret_connect_args is not None:
        if not isinstance(cfg.secret_connect_args, Mapping):
            raise TaskDefinitionError(
                f"SQLAlchemyTask {name!r}: secret_connect_args must map argument names to Secret, "
                f"got {type(cfg.secret_connect_args).__name__}"
            )
        for arg, secret in cfg.secret_connect_args.items():
            if not isinstance(secret, Secret) or not secret.key:
                raise TaskDefinitionError(
                    f"SQLAlchemyTask {name!r}: secret_connect_args[{arg!r}] must be a "
                    f"Secret(group=..., key=...), got {type(secret).__name__}"
                )
            if arg in (cfg.connect_args or {}):
                raise TaskDefinitionError(
                    f"SQLAlchemyTask {name!r}: the connect argument {arg!r} is in both connect_args and "
                    "secret_connect_args; give it in one of them"
                )
    return cfg


class SQLAlchemyTask(PythonCustomizedContainerTask[SQLAlchemyConfig], SQLTask[SQLAlchemyConfig]):
    """Run one SQL statement through SQLAlchemy; with an output, its rows are a table (a DataFrame locally).

    Placeholders ``{{.inputs.name}}`` are bound as parameters, never spliced into the text, with the
    SQLite3 plugin's rules: quoted (``'{{.inputs.name}}'``, as flytekit needs) or bare, both bind the
    value; a placeholder where SQL needs a name is refused when the task is defined.

    Args:
        name: unique task name.
        query_template: one SQL statement, with ``{{.inputs.name}}`` placeholders.
        task_config: the database (:class:`SQLAlchemyConfig`); required.
        inputs: name → type (``kwtypes(limit=int)``); every input must appear in the query.
        output_schema_type: the type of the ``results`` output (default ``FlyteSchema``: any columns).
            ``None``: the statement returns nothing (an ``INSERT``, an ``UPDATE`` …); it runs in a
            transaction that is committed when it succeeds and rolled back when it fails.
        container_image: the image to run in (default: :class:`SQLAlchemyDefaultImages`).
        **kwargs: as for :class:`~flyweight.extend.PythonCustomizedContainerTask`.
    """

    _SQLALCHEMY_TASK_TYPE: ClassVar[str] = "sqlalchemy"
    _NO_OUTPUT: ClassVar[object] = object()

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        query_template: str,
        task_config: SQLAlchemyConfig | None = None,
        inputs: Mapping[str, Any] | None = None,
        output_schema_type: Any = _NO_OUTPUT,
        container_image: str | None = None,
        **kwargs: Any,
    ) -> None:
        cfg = _check_config(name, task_config)
        from flyweight.types import FlyteSchema

        if output_schema_type is SQLAlchemyTask._NO_OUTPUT:
            output_schema_type = FlyteSchema  # flytekit's default
        outputs = kwtypes(results=output_schema_type) if output_schema_type else None
        secrets = list(kwargs.pop("secret_requests", None) or [])
        for secret in (cfg.secret_connect_args or {}).values():
            if secret not in secrets:
                secrets.append(secret)
        if secrets:
            kwargs["secret_requests"] = secrets
        super().__init__(
            name=name,
            task_config=cfg,
            container_image=container_image or SQLAlchemyDefaultImages.default_image(),
            executor_type=SQLAlchemyTaskExecutor,
            task_type=self._SQLALCHEMY_TASK_TYPE,
            query_template=query_template,
            inputs=inputs,
            outputs=outputs,
            **kwargs,
        )
        self.parameterize_query(self.query_template, self.python_interface.inputs, f"task {name!r}")

    @property
    def output_columns(self) -> list[str] | None:
        """The column names of ``output_schema_type``, or None when it names none (or there is no output)."""
        results = self.python_interface.outputs.get("results")
        columns = getattr(results, "column_names", None)
        names = list(columns()) if callable(columns) else []
        return names or None

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        """``query_template``, ``uri``, ``connect_args`` and ``secret_connect_args`` (flytekit's layout)."""
        cfg = self.task_config
        assert cfg is not None
        return {
            "query_template": self.query_template,
            "uri": cfg.uri,
            "connect_args": dict(cfg.connect_args or {}),
            "secret_connect_args": cfg.secret_connect_args_to_dicts(),
        }
