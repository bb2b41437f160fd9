"""A plugin written in flytekit's style (modelled on flytekit's SQLAlchemy and OpenAI batch plugins).

``tests/porting/test_port.py`` makes the flyweight version of this file by rewriting its import lines
and nothing else, then checks both behave the same. Keep every flytekit-specific name in the imports.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from flytekit import Resources, Secret, current_context, kwtypes
from flytekit.core.interface import Interface
from flytekit.extend import PythonCustomizedContainerTask, ShimTaskExecutor
from flytekit.models.task import TaskTemplate


@dataclass
class LookupConfig:
    table: dict[str, int]
    scale: int = 1
    secret: typing.Optional[Secret] = None


class LookupExecutor(ShimTaskExecutor["LookupTask"]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: typing.Any) -> typing.Any:
        custom = tt.custom
        scale = int(custom["scale"])
        table = {k: int(v) for k, v in custom["table"].items()}
        token = ""
        if custom.get("secret") is not None:
            s = custom["secret"]
            token = current_context().secrets.get(s["group"], s["key"])
        key = kwargs["key"]
        found = key in table
        value = table.get(key, kwargs["fallback"]) * scale
        names = list(tt.interface.outputs.keys())
        return value, found, f"{tt.id.name}:{key}:{token}:{len(names)}"


class LookupTask(PythonCustomizedContainerTask[LookupConfig]):
    def __init__(self, name: str, task_config: LookupConfig, **kwargs: typing.Any) -> None:
        secrets = [task_config.secret] if task_config.secret else None
        super().__init__(
            name=name,
            task_config=task_config,
            container_image="ghcr.io/acme/lookup:1",
            executor_type=LookupExecutor,
            task_type="kv-lookup",
            requests=Resources(mem="200Mi"),
            secret_requests=secrets,
            interface=Interface(
                inputs={"key": str, "fallback": (int, 0)},
                outputs=kwtypes(value=int, found=bool, note=str),
            ),
            **kwargs,
        )

    def get_custom(self, settings: typing.Any) -> dict[str, typing.Any]:
        cfg = self.task_config
        secret = None
        if cfg.secret is not None:
            secret = {"group": cfg.secret.group, "key": cfg.secret.key}
        return {"table": dict(cfg.table), "scale": cfg.scale, "secret": secret}


lookup = LookupTask(
    "porting.lookup",
    LookupConfig(table={"a": 1, "b": 20}, scale=3, secret=Secret(group="kv", key="token")),
)
