"""Executors that move data through the running task's file access, for the S3 entrypoint tests.

They live at module level because the container imports them by the path written in the template.
"""

from __future__ import annotations

import os
from typing import Any

from flyweight._interface import kwtypes
from flyweight._tasks import ShimTaskExecutor, TaskTemplate
from flyweight.extend import FlyteContextManager

OFFLOAD_OUTPUTS = kwtypes(y=int, report=str, folder=str)


class OffloadExecutor(ShimTaskExecutor[Any]):
    """Writes a report file and a directory of parts under the raw output prefix; returns their URIs."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        fa = FlyteContextManager.current_context().file_access
        local = fa.get_random_local_directory()
        report = os.path.join(local, "report.txt")
        with open(report, "w") as f:
            f.write(f"{kwargs['label']}={kwargs['x']}")
        parts = os.path.join(local, "parts")
        os.makedirs(os.path.join(parts, "nested"))
        for name, text in (("a.csv", "1,2\n"), (os.path.join("nested", "b.csv"), "3,4\n")):
            with open(os.path.join(parts, name), "w") as f:
                f.write(text)
        report_uri = fa.put_data(report, fa.get_random_remote_path(report))
        folder_uri = fa.put_data(parts, fa.get_random_remote_directory(), is_multipart=True)
        return kwargs["x"] * 2, report_uri, folder_uri


class ReadBackExecutor(ShimTaskExecutor[Any]):
    """Reads the object named by the ``label`` input (a URI) and returns its text as ``report``."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        fa = FlyteContextManager.current_context().file_access
        local = fa.get_random_local_path("in.txt")
        fa.get_data(kwargs["label"], local)
        with open(local) as f:
            return kwargs["x"], f.read(), ""
