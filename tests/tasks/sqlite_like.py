"""A test plugin shaped like flytekit's SQLite3Task (same constructor, template and custom fields).

It exists to compare templates byte for byte with flytekit's goldens before the real SQLite3 plugin
arrives; its executor only echoes the interpolated query.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor
from flyweight.interface import Interface
from flyweight.settings import default_image


@dataclasses.dataclass
class SQLite3Config:
    uri: str
    compressed: bool = False


class SQLite3TaskExecutor(ShimTaskExecutor["SQLite3Task"]):
    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        query = tt.custom["query_template"]
        for name, value in kwargs.items():
            query = re.sub(r"{{\s*\.inputs\." + name + r"\s*}}", str(value), query)
        return query


class SQLite3Task(PythonCustomizedContainerTask[SQLite3Config]):
    def __init__(
        self,
        name: str,
        query_template: str,
        inputs: dict[str, Any] | None = None,
        task_config: SQLite3Config | None = None,
        output_schema_type: Any = None,
        container_image: str | None = None,
        **kwargs: Any,
    ) -> None:
        if task_config is None or task_config.uri is None:
            raise ValueError("SQLite DB uri is required.")
        super().__init__(
            name=name,
            task_config=task_config,
            container_image=container_image or default_image(),
            executor_type=SQLite3TaskExecutor,
            task_type="sqlite",
            interface=Interface(inputs=inputs or {}, outputs={"results": output_schema_type or str}),
            **kwargs,
        )
        self._query_template = re.sub(
            r"\s+", " ", query_template.replace("\n", " ").replace("\t", " ")
        ).strip()

    @property
    def query_template(self) -> str:
        return self._query_template

    def get_custom(self, settings: Any) -> dict[str, Any]:
        cfg = self.task_config
        assert cfg is not None
        return {"query_template": self.query_template, "uri": cfg.uri, "compressed": cfg.compressed}
