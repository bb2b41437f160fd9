"""Tasks taking and returning dataclasses that hold files and directories, for the local and container
tests of ``test_execute_dataclass_files.py`` (the container imports this module by name)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from mashumaro.mixins.json import DataClassJSONMixin

from flyweight import current_context, task
from flyweight._interface import Interface, kwtypes
from flyweight._tasks import PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.types import FlyteDirectory, FlyteFile, JSONLFile


@dataclass
class Bundle(DataClassJSONMixin):
    name: str
    report: FlyteFile
    extra: Optional[FlyteFile] = None
    parts: list[JSONLFile] = field(default_factory=list)
    folders: dict[str, FlyteDirectory] = field(default_factory=dict)


def _summary(cfg: Any) -> str:
    """What both tasks write: the report upper-cased, the parts' lines and the folders' file names."""
    text = Path(cfg.report).read_text().upper()
    lines = [text, *(Path(p).read_text().strip() for p in cfg.parts)]
    for key, folder in sorted(cfg.folders.items()):
        lines.append(f"{key}:{','.join(sorted(os.listdir(folder)))}")
    lines.append(f"extra:{'none' if cfg.extra is None else Path(cfg.extra).read_text()}")
    return "\n".join(lines)


def _write(name: str, text: str) -> str:
    path = os.path.join(current_context().working_directory, name)
    with open(path, "w") as f:
        f.write(text)
    return path


@task
def summarize(cfg: Bundle) -> Bundle:
    out = _write("summary.txt", _summary(cfg))
    return Bundle(name=cfg.name + "!", report=FlyteFile(out), parts=cfg.parts, extra=None)


class SummarizeExecutor(ShimTaskExecutor[Any]):
    """The plugin's side: sees only the template, so ``cfg`` is a dataclass rebuilt from the literal type."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        cfg = kwargs["cfg"]
        out = _write("plugin-summary.txt", _summary(cfg))
        return Bundle(name=cfg.name + "?", report=FlyteFile(out), extra=cfg.report)


class SummarizePluginTask(PythonCustomizedContainerTask[Any]):
    def __init__(self) -> None:
        super().__init__(
            name="dataclass_files.summarize",
            task_config=None,
            container_image="registry.example/summarize:1",
            executor_type=SummarizeExecutor,
            interface=Interface(inputs=kwtypes(cfg=Bundle), outputs=kwtypes(out=Bundle)),
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {}


summarize_plugin = SummarizePluginTask()
