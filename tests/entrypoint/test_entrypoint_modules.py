"""What the container loads for a scalar task: a count of modules, not a time, so it cannot flake.

``flyweight-execute`` starts once per task attempt, so every module it imports is paid by every pod.
For a task whose inputs and outputs are plain scalars it must load none of the optional heavy libraries,
and the number of modules it loads may not grow unnoticed: raising a budget here is a decision to make
in review, with the benchmark's container figures beside it.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.entrypoint import function_tasks
from tests.entrypoint.flyte_args import fill
from tests.entrypoint.sample_plugin import SETTINGS, ScaleExecutor

from flyweight import map_task
from flyweight._interface import Interface, kwtypes
from flyweight._runtime._attempt import _element_outputs
from flyweight._tasks import PythonCustomizedContainerTask
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("pandas", "pyarrow", "numpy", "fsspec", "s3fs", "aiohttp", "asyncio", "rich", "click", "mashumaro")
# Modules loaded by the whole attempt, interpreter start-up included, counted without ``site`` (``-S``,
# so another package's ``.pth`` start-up hook cannot change the count): 253 (function) and 254 (plugin)
# when counted so; a map task's element loads one module more (the map resolver). Two are left for
# the interpreter's own start-up to vary.
BUDGET = {"function": 255, "plugin": 256, "function map element": 256, "plugin map element": 257}


class ScaleTask(PythonCustomizedContainerTask[Any]):
    def __init__(self) -> None:
        super().__init__(
            name="modules.scale",
            task_config=None,
            container_image="registry.example/scale:1",
            executor_type=ScaleExecutor,
            interface=Interface(inputs=kwtypes(x=int, label=str), outputs=kwtypes(y=int)),
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {"factor": 3}


TASKS: dict[str, tuple[Any, dict[str, Any]]] = {
    "function": (function_tasks.add, {"x": 1, "y": 2}),
    "plugin": (ScaleTask(), {"x": 2, "label": "a"}),
    # an element of a map task, run as Flyte's ArrayNode runs it: whole lists in, the index in the env
    "function map element": (map_task(function_tasks.add), {"x": [1, 2], "y": [3, 4]}),
    "plugin map element": (map_task(ScaleTask()), {"x": [2, 5], "label": ["a", "b"]}),
}
ARRAY_INDEX = {"BATCH_JOB_ARRAY_INDEX_VAR_NAME": "FLYTE_K8S_ARRAY_INDEX", "FLYTE_K8S_ARRAY_INDEX": "1"}


def _loaded(tmp_path: Path, which: str) -> list[str]:
    task, inputs = TASKS[which]
    pb = task.serialize_to_model(SETTINGS)
    mapped = isinstance(task, ArrayNodeMapTask)
    (tmp_path / "task.pb").write_bytes((_element_outputs(pb) if mapped else pb).SerializeToString())
    types = {k: task.python_interface.inputs[k] for k in inputs}
    (tmp_path / "inputs.pb").write_bytes(
        TypeEngine.dict_to_literal_map(None, inputs, types).SerializeToString()
    )
    argv = fill(pb.container.args, tmp_path)[1:]
    report = tmp_path / "modules.json"
    code = (
        f"import json, sys\nfrom flyweight._entrypoint import main\nstatus = main({argv!r})\n"
        f"open({str(report)!r}, 'w').write(json.dumps([status, sorted(sys.modules)]))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "FLYWEIGHT_"))}
    # ``-S``: no ``site``, so no ``.pth`` start-up hook of another installed package (a namespace
    # package's imports itself at start-up) is counted; the paths ``site`` would add are given instead.
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), str(REPO / "src"), *site.getsitepackages()])
    if mapped:
        env.update(ARRAY_INDEX)
    subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, check=True, timeout=120)
    status, modules = json.loads(report.read_text())
    assert status == 0
    assert os.listdir(tmp_path / "out") == ["outputs.pb"]
    return list(modules)


@pytest.mark.parametrize("which", list(TASKS))
def test_a_scalar_task_loads_no_heavy_library_and_stays_within_its_module_budget(
    tmp_path: Path, which: str
) -> None:
    modules = _loaded(tmp_path, which)
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert not heavy, f"the {which} task's attempt imported {heavy}"
    assert len(modules) <= BUDGET[which], (
        f"the {which} task's attempt loads {len(modules)} modules, over its budget of {BUDGET[which]}; "
        f"the flyweight ones: {[m for m in modules if m.startswith('flyweight')]}"
    )
