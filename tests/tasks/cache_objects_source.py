"""``Cache`` objects and cache policies written once, loaded with flyweight or with flytekit
(``test_cache_objects.py``).

``task``, ``workflow`` and ``Cache`` are not imported here: the loader puts the chosen SDK's into the
module before running it, so both SDKs compile the same source under the same module name. The policies
are plain classes (a ``CachePolicy`` is any object with ``get_version(salt, params) -> str``), so both
SDKs call the very same code.
"""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
Cache: Any = globals()["Cache"]


class NamePolicy:
    """The function's name and the salt."""

    def get_version(self, salt: str, params: Any) -> str:
        return f"{params.func.__name__}:{salt}"


class SourcePolicy:
    """A hash of the function's source, salted (what a source-code policy computes)."""

    def get_version(self, salt: str, params: Any) -> str:
        return hashlib.sha256((salt + inspect.getsource(params.func)).encode()).hexdigest()


class ImagePolicy:
    """The image and pod template name given to ``@task``."""

    def get_version(self, salt: str, params: Any) -> str:
        return f"{params.container_image}|{params.pod_template_name}|{params.pod_template}"


@task(cache=Cache(version="1"))
def versioned(a: int) -> int:
    return a + 1


@task(cache=Cache(version="2", serialize=True))
def serialized(a: int) -> int:
    return a + 2


@task(cache=Cache(version="3", ignored_inputs=("seed", "note")))
def ignoring(a: int, seed: int, note: str) -> int:
    return a + seed


@task(cache=Cache(version="3", ignored_inputs="seed"))
def ignoring_one(a: int, seed: int) -> int:
    return a + seed


@task(cache=Cache(salt="pepper", policies=NamePolicy()))
def salted(a: int) -> int:
    return a * 2


@task(cache=Cache(salt="s", serialize=True, policies=[NamePolicy(), SourcePolicy()]))
def several(a: int) -> int:
    return a * 3


@task(container_image="repo/img:1", pod_template_name="pt", cache=Cache(policies=[ImagePolicy()]))
def imaged(a: int) -> int:
    return a


@task(cache=Cache(version="given", salt="x", policies=[NamePolicy()]))
def version_wins(a: int) -> int:
    return a


@task(cache=False)
def uncached(a: int) -> int:
    return a


@workflow
def overridden(a: int) -> int:
    b = uncached(a=a).with_overrides(cache=Cache(version="9", serialize=True))
    c = versioned(a=b).with_overrides(cache=Cache(version="4", ignored_inputs=("a",)))
    d = serialized(a=c).with_overrides(cache=False)
    return versioned(a=d).with_overrides(cache=Cache(version="5"), retries=2)
