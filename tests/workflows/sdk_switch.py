"""The SDK a shared source file is loaded with: set ``task`` and ``workflow`` here, then load the file.

``fn_shape_source.py`` starts with ``from tests.workflows.sdk_switch import task, workflow``, so the same
source defines its function tasks and workflows with flyweight or with flytekit (see
:func:`load_with`). Both loads use the same module name, so both SDKs give the entities the same names.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

task: Any = None
workflow: Any = None

SOURCE = Path(__file__).with_name("fn_shape_source.py")
MODULE = "tests.workflows.fn_shape_source"


def load_with(task_decorator: Any, workflow_decorator: Any) -> ModuleType:
    """Load ``fn_shape_source.py`` afresh as ``tests.workflows.fn_shape_source`` with these decorators."""
    global task, workflow
    task, workflow = task_decorator, workflow_decorator
    return load_source(SOURCE, MODULE)


def load_source(path: Path, module: str, *names: Mapping[str, Any], **more: Any) -> ModuleType:
    """Load ``path`` afresh as ``module`` with ``names`` (an SDK's ``task``, ``workflow``…) put into its
    namespace first: how the oracle tests load one source file with each SDK under the same name."""
    spec = importlib.util.spec_from_file_location(module, path)
    assert spec is not None and spec.loader is not None
    loaded = importlib.util.module_from_spec(spec)
    for given in names:
        loaded.__dict__.update(given)
    loaded.__dict__.update(more)
    sys.modules[module] = loaded
    spec.loader.exec_module(loaded)
    return loaded
