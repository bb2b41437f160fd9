"""A SQL plugin written in flytekit's style, modelled on flytekitplugins-sqlalchemy (``task.py``).

The "engine" is the standard library's ``sqlite3`` behind a small ``create_engine`` stand-in: it is
built from the template's ``custom`` (``uri``, ``connect_args``) plus the secrets named in
``secret_connect_args``, fetched with ``current_context().secrets.get`` and put into the connect
arguments exactly as the real executor does. The query runs with its inputs bound as parameters and
the result is a pandas DataFrame returned through a ``StructuredDataset`` output.

``tests/porting/test_port_plugins.py`` makes the flyweight version of this file by rewriting only
its import lines. Keep every flytekit-specific name in the imports.
"""

# flytekitplugins-sqlalchemy's own style (typing.Dict, `object` base, a plain class-level dict), kept as
# plugin authors write it; `lazy_module` on its own line: it ports to flyweight.extend, not flyweight:
# ruff: noqa: UP004, UP006, RUF012, I001

import hashlib
import re
import sqlite3
import typing
from dataclasses import dataclass

from flytekit import current_context, kwtypes, task, workflow
from flytekit import lazy_module
from flytekit.configuration import SerializationSettings
from flytekit.configuration.default_images import DefaultImages, PythonVersion
from flytekit.core.base_sql_task import SQLTask
from flytekit.core.python_customized_container_task import PythonCustomizedContainerTask
from flytekit.core.shim_task import ShimTaskExecutor
from flytekit.loggers import logger
from flytekit.models.security import Secret
from flytekit.models.task import TaskTemplate
from flytekit.types.structured import StructuredDataset

pd = lazy_module("pandas")

_PLACEHOLDER = re.compile(r"{{\s*\.inputs\.(\w+)\s*}}")


class SQLDefaultImages(DefaultImages):
    """Default images for this SQL plugin."""

    _DEFAULT_IMAGE_PREFIXES = {
        PythonVersion.PYTHON_3_10: "ghcr.io/acme/porting:py3.10-sql-",
        PythonVersion.PYTHON_3_11: "ghcr.io/acme/porting:py3.11-sql-",
        PythonVersion.PYTHON_3_12: "ghcr.io/acme/porting:py3.12-sql-",
    }


def password_digest(password: str) -> str:
    return hashlib.sha256(password.encode()).hexdigest()


def create_engine(uri: str, connect_args: typing.Dict[str, typing.Any]) -> sqlite3.Connection:
    """A stand-in for ``sqlalchemy.create_engine``: ``sqlite:///<path>`` plus connect arguments.

    ``password`` (from a secret) is checked against the database's ``_auth`` table; the other
    arguments go to ``sqlite3.connect``. The database is opened read-only and must exist.
    """
    if not uri.startswith("sqlite:///"):
        raise ValueError(f"unsupported database URI {uri!r}: expected sqlite:///<path>")
    args = dict(connect_args)
    password = args.pop("password", None)
    conn = sqlite3.connect(f"file:{uri[len('sqlite:///') :]}?mode=ro", uri=True, **args)
    row = conn.execute("select digest from _auth").fetchone()
    if password is None or row is None or row[0] != password_digest(password):
        conn.close()
        raise PermissionError(f"access denied to {uri}: wrong or missing password")
    return conn


@dataclass
class SQLConfig(object):
    """Where the database is and how to connect (sqlalchemy's ``uri`` and ``connect_args``).

    Args:
        uri: the database URI, ``sqlite:///<path>``.
        connect_args: extra arguments for the connection (``timeout`` ...).
        secret_connect_args: connection arguments read from Flyte secrets when the task runs.
    """

    uri: str
    connect_args: typing.Optional[typing.Dict[str, typing.Any]] = None
    secret_connect_args: typing.Optional[typing.Dict[str, Secret]] = None

    @staticmethod
    def _secret_to_dict(secret: Secret) -> typing.Dict[str, typing.Optional[str]]:
        return {
            "group": secret.group,
            "key": secret.key,
            "group_version": secret.group_version,
            "mount_requirement": secret.mount_requirement.value,
        }

    def secret_connect_args_to_dicts(self) -> typing.Optional[typing.Dict[str, typing.Dict[str, typing.Any]]]:
        if self.secret_connect_args is None:
            return None
        return {key: self._secret_to_dict(secret) for key, secret in self.secret_connect_args.items()}


class SQLQueryTask(PythonCustomizedContainerTask[SQLConfig], SQLTask[SQLConfig]):
    """Runs a SQL query client-side and returns its rows as a table."""

    _SQL_TASK_TYPE = "porting-sql"

    def __init__(
        self,
        name: str,
        query_template: str,
        task_config: SQLConfig,
        inputs: typing.Optional[typing.Dict[str, typing.Type]] = None,
        output_schema_type: typing.Optional[typing.Type[StructuredDataset]] = StructuredDataset,
        container_image: str = SQLDefaultImages.default_image(),
        **kwargs: typing.Any,
    ):
        outputs = kwtypes(results=output_schema_type) if output_schema_type else None
        secrets = list((task_config.secret_connect_args or {}).values()) or None
        super().__init__(
            name=name,
            task_config=task_config,
            executor_type=SQLQueryTaskExecutor,
            task_type=self._SQL_TASK_TYPE,
            query_template=query_template,
            container_image=container_image,
            inputs=inputs,
            outputs=outputs,
            secret_requests=secrets,
            **kwargs,
        )

    def get_custom(self, settings: SerializationSettings) -> typing.Dict[str, typing.Any]:
        return {
            "query_template": self.query_template,
            "uri": self.task_config.uri,
            "connect_args": self.task_config.connect_args or {},
            "secret_connect_args": self.task_config.secret_connect_args_to_dicts(),
        }

    @staticmethod
    def bind_query(query_template: str) -> str:
        """The query with every ``{{ .inputs.x }}`` turned into the named parameter ``:x``."""
        return _PLACEHOLDER.sub(lambda m: ":" + m.group(1), query_template)


class SQLQueryTaskExecutor(ShimTaskExecutor[SQLQueryTask]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: typing.Any) -> typing.Any:
        if tt.custom["secret_connect_args"] is not None:
            for key, secret_dict in tt.custom["secret_connect_args"].items():
                value = current_context().secrets.get(group=secret_dict["group"], key=secret_dict["key"])
                tt.custom["connect_args"][key] = value

        engine = create_engine(tt.custom["uri"], connect_args=tt.custom["connect_args"])
        logger.info(f"Connecting to db {tt.custom['uri']}")
        query = SQLQueryTask.bind_query(tt.custom["query_template"])
        try:
            df = None
            if tt.interface.outputs:
                df = pd.read_sql_query(query, engine, params=kwargs)
            else:
                engine.execute(query, kwargs)
        finally:
            engine.close()
        return df


orders_above = SQLQueryTask(
    "porting.sql.orders_above",
    query_template="""
        select id, item, qty, price
          from orders
         where qty >= {{ .inputs.min_qty }}
           and item != {{ .inputs.skip }}
         order by id
    """,
    task_config=SQLConfig(
        uri="sqlite:///orders.sqlite",
        connect_args={"timeout": 5},
        secret_connect_args={"password": Secret(group="sql", key="password")},
    ),
    inputs=kwtypes(min_qty=int, skip=str),
)


@task
def revenue(orders: StructuredDataset) -> float:
    df = orders.open(pd.DataFrame).all()
    return float((df["qty"] * df["price"]).sum())


@workflow
def orders_wf(min_qty: int = 2, skip: str = "") -> typing.Tuple[StructuredDataset, float]:
    orders = orders_above(min_qty=min_qty, skip=skip)
    return orders, revenue(orders=orders)
