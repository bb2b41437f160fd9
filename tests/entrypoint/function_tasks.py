"""Function tasks for the container-entrypoint tests: the container imports this module by name (the tests
run ``flyweight-execute`` with the repository on ``PYTHONPATH``) and takes the task by its function name."""

from __future__ import annotations

import os
from typing import NamedTuple

from flyweight import current_context, task
from flyweight._settings import Image, ImageConfig, SerializationSettings
from flyweight.errors import RecoverableError

SETTINGS = SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
)


class Parts(NamedTuple):
    total: int
    label: str


@task
def add(x: int, y: int = 10) -> int:
    return x + y


@task(retries=2)
def split(x: int, label: str) -> Parts:
    return Parts(total=x * 2, label=f"{label}:{x}")


@task
def nothing(x: int) -> None:
    assert x >= 0


@task
def fails(x: int) -> int:
    raise ValueError(f"bad x: {x}")


@task
def flaky(x: int) -> int:
    raise RecoverableError("the service is restarting")


@task
def wrong_type(x: int) -> int:
    return "not an int"  # type: ignore[return-value]


@task(secret_requests=[])
def context() -> Parts:
    params = current_context()
    workdir = params.working_directory
    with open(os.path.join(workdir, "probe.txt"), "w") as f:
        f.write("ok")
    return Parts(total=len(os.listdir(workdir)), label=f"{workdir}|{params.secrets.get('db', 'password')}")
