"""``SQLTask``: flytekit's base class of SQL tasks, with a query template as its core.

SQL plugins (SQLite3 here; Athena, BigQuery, Snowflake … elsewhere) subclass it: it stores the query
template with its whitespace normalised (outside string literals and quoted names) and keeps
flytekit's ``interpolate_query`` for callers that need the text with values filled in. Plugins that
run the query themselves should bind values instead of splicing them:
:meth:`SQLTask.parameterize_query` turns the template into SQL with ``?`` parameters and checks every
placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from flyweight._interface import Interface
from flyweight._tasks._metadata import TaskMetadata
from flyweight._tasks._sql_query import ParameterizedQuery, parameterize
from flyweight._tasks._sql_tokens import PLACEHOLDER, sanitize_query
from flyweight._tasks._task import PythonTask
from flyweight.errors import TaskDefinitionError

__all__ = ["SQLTask"]

T = TypeVar("T")


class SQLTask(PythonTask[T]):
    """Base class of tasks that run a SQL query template; see ``flyweight.plugins.sqlite3.SQLite3Task``.

    The template names inputs as ``{{.inputs.name}}``. It is stored with runs of whitespace turned
    into single spaces and the ends stripped, as flytekit does, except that string literals and
    quoted names keep their whitespace (``'a  b'`` stays ``'a  b'``).

    Args:
        name: unique task name.
        query_template: the SQL, with ``{{.inputs.name}}`` placeholders.
        task_config: plugin configuration.
        task_type: Flyte task type string.
        inputs: name → type, or name → ``(type, default)``.
        metadata: task metadata.
        outputs: name → type.
        **kwargs: passed on to :class:`PythonTask`.

    Example:
        >>> from flyweight import kwtypes
        >>> query = "select *\\n  from t\\n where name = '{{.inputs.name}}'"
        >>> t = SQLTask("q", query, inputs=kwtypes(name=str))
        >>> t.query_template
        "select * from t where name = '{{.inputs.name}}'"
        >>> SQLTask.parameterize_query(t.query_template, t.python_interface.inputs).sql
        'select * from t where name = ?'
    """

    _INPUT_REGEX: ClassVar[re.Pattern[str]] = PLACEHOLDER

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        query_template: str,
        task_config: T | None = None,
        task_type: str = "sql_task",
        inputs: Mapping[str, Any] | None = None,
        metadata: TaskMetadata | None = None,
        outputs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(query_template, str):
            raise TaskDefinitionError(
                f"task {name!r}: query_template must be a str, got {type(query_template).__name__}"
            )
        super().__init__(
            task_type=task_type,
            name=name,
            interface=Interface(inputs=dict(inputs or {}), outputs=dict(outputs or {})),
            metadata=metadata,
            task_config=task_config,
            **kwargs,
        )
        self._query_template = sanitize_query(query_template)

    @property
    def query_template(self) -> str:
        """The query template, whitespace normalised outside string literals and quoted names."""
        return self._query_template

    def execute(self, **kwargs: Any) -> Any:
        raise NotImplementedError(
            f"task {self.name!r}: a SQLTask cannot run here; a plugin subclass (or a mock) runs the query"
        )

    def get_query(self, **kwargs: Any) -> str:
        """This task's query with the values spliced in (see :meth:`interpolate_query`: not for untrusted
        values)."""
        return self.interpolate_query(self.query_template, **kwargs)

    @classmethod
    def interpolate_query(cls, query_template: str, **kwargs: Any) -> str:
        """The template with every ``{{.inputs.name}}`` replaced by ``str(value)``, as flytekit does.

        This is text substitution: nothing is quoted or escaped, so a value can change the meaning of
        the SQL (``1; DROP TABLE t``). Use it to show a query, or for engines that template queries
        themselves; to run a query with values, bind them (:meth:`parameterize_query`).

        Raises:
            TaskDefinitionError: a placeholder names no given value, or a value is not used (both
                also ``ValueError``, as in flytekit).

        Example:
            >>> SQLTask.interpolate_query("select * from t limit {{ .inputs.n }}", n=5)
            'select * from t limit 5'
        """
        out = query_template
        matched: set[str] = set()
        for m in PLACEHOLDER.finditer(query_template):
            expr, var = m.group(0), m.group(1)
            if var not in kwargs:
                raise TaskDefinitionError(
                    f"the query uses {expr} but no value was given for {var!r} "
                    f"(values were given for: {', '.join(kwargs) or 'nothing'})"
                )
            matched.add(var)
            out = out.replace(expr, str(kwargs[var]))
        extra = [k for k in kwargs if k not in matched]
        if extra:
            raise TaskDefinitionError(
                f"values were given for {', '.join(extra)}, which the query template never uses; "
                "refer to each as {{.inputs.<name>}} or do not pass it"
            )
        return out

    @classmethod
    def parameterize_query(
        cls, query_template: str, inputs: Mapping[str, Any] | Iterable[str], owner: str = "query"
    ) -> ParameterizedQuery:
        """The template as SQL with ``?`` parameters, every placeholder checked (SQLite's rules).

        Its ``sql`` goes to the database and ``parameters(values)`` gives the values to bind, so an
        input is always data, never SQL. A quoted placeholder (``'{{.inputs.name}}'``) binds the text
        flytekit would have spliced, so templates written for flytekit keep their results.

        Args:
            query_template: the template (as stored: :attr:`query_template`).
            inputs: the input names, or name → Python type (types enable one more check: a ``str``
                input as a whole select-list item is refused).
            owner: who the query belongs to, for messages.

        Raises:
            TaskDefinitionError: a placeholder names no input, stands where SQL needs a name
                (a table, a column, an alias, a whole ``ORDER BY`` term), is inside a quoted name or
                is malformed; an input is never used; the text has its own ``?``/``:name``
                parameters or more than one statement.

        Example:
            >>> pq = SQLTask.parameterize_query("select * from t where name like '%{{.inputs.q}}%'", ["q"])
            >>> pq.sql, pq.parameters({"q": "x' OR '1'='1"})
            ("select * from t where name like ('%' || ? || '%')", ["x' OR '1'='1"])
        """
        return parameterize(query_template, inputs, owner)
