"""An executor for the storage-timeout entrypoint tests: it reads from storage, lets the test stop the
server, then reads again.

It lives at module level because the container imports it by the path written in the template.
The test and the task meet through two files in ``$STALL_DIR``: the executor writes ``ready`` after
its first read, the test writes ``go`` once the server is frozen.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from flyweight._interface import kwtypes
from flyweight._tasks import ShimTaskExecutor, TaskTemplate
from flyweight.extend import FlyteContextManager

READ_OUTPUTS = kwtypes(y=int, report=str)
WAIT = 60.0  # how long the executor waits for the test's go-ahead before reading anyway


class ReadTwiceExecutor(ShimTaskExecutor[Any]):
    """Reads the object named by the ``label`` input, waits for ``go``, reads it again."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        fa = FlyteContextManager.current_context().file_access
        first = fa.read_bytes(kwargs["label"])
        directory = Path(os.environ["STALL_DIR"])
        (directory / "ready").write_bytes(first)
        deadline = time.monotonic() + WAIT
        while not (directory / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        second = fa.read_bytes(kwargs["label"])
        return kwargs["x"], second.decode()
