"""Tasks that report the execution state they run in, for ``test_execute_context.py``, written once for
both SDKs.

The module builds its tasks with flyweight, or with flytekit when ``CONTEXT_TASKS_SDK=flytekit`` is set
(``pyflyte-execute`` imports it that way), so both containers load the same tasks under the same module
name and their ``outputs.pb`` can be compared.
"""

from __future__ import annotations

import os

if os.environ.get("CONTEXT_TASKS_SDK") == "flytekit":
    from flytekit import dynamic, task
    from flytekit.core.context_manager import FlyteContextManager
else:
    from flyweight import dynamic, task
    from flyweight.extend import FlyteContextManager


def _seen() -> str:
    state = FlyteContextManager.current_context().execution_state
    mode = None if state.mode is None else state.mode.name
    return f"{mode}|local={state.is_local_execution()}"


@task
def mode_seen(n: int) -> str:
    return f"{_seen()}|n={n}"


@dynamic
def dynamic_mode_seen(n: int) -> str:
    return f"{_seen()}|n={n}"
