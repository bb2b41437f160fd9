"""Image parsing and image resolution against flytekit 1.16.14 (the oracle), where flytekit is right.

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail. Digests are left out of the
resolution table: flytekit writes ``repo:sha256:...`` for them, which flyweight fixes to
``repo@sha256:...``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest

from flyweight._settings import Image, ImageConfig, resolve_image

pytestmark = pytest.mark.oracle

DIGEST = "sha256:" + "ef" * 32


@pytest.fixture(scope="module")
def fk_config(flytekit: ModuleType) -> Any:
    return importlib.import_module("flytekit.configuration")


@pytest.fixture(scope="module")
def fk_container(flytekit: ModuleType) -> Any:
    return importlib.import_module("flytekit.core.python_auto_container")


REFERENCES = [
    "ghcr.io/org/app:v1",
    "app:latest",
    "localhost:5000/repo/img:tag",
    "localhost:5000/repo/img",
    "registry.example.com:443/a/b/c:1.2.3-rc1",
    "ghcr.io/org/app",
    f"ghcr.io/org/app@{DIGEST}",
    f"localhost:5000/img@{DIGEST}",
    f"repo/app:v1@{DIGEST}",
]


@pytest.mark.parametrize("reference", REFERENCES)
def test_look_up_image_info_parses_like_flytekit(fk_config: Any, reference: str) -> None:
    theirs = fk_config.Image.look_up_image_info("x", reference, allow_no_tag_or_digest=True)
    ours = Image.look_up_image_info("x", reference)
    assert (ours.name, ours.fqn, ours.tag, ours.digest) == (
        theirs.name,
        theirs.fqn,
        theirs.tag,
        theirs.digest,
    )
    assert ours.version == theirs.version
    if theirs.tag or theirs.digest:
        assert ours.full == theirs.full


IMAGES = {
    "spark": "ghcr.io/org/spark:3.5",
    "gpu": "localhost:5000/team/gpu:cuda12",
    "bare": "ghcr.io/org/bare",
}

CASES = [
    None,
    "",
    "python:3.11",
    "ghcr.io/org/plain:1",
    "{{.image.default.fqn}}:{{.image.default.version}}",
    "{{.image.default}}",
    "{{.images.default}}",
    "{{ .image.spark.fqn }}:{{ .image.spark.version }}",
    "{{.IMAGE.spark.fqn}}:{{.Images.spark.version}}",
    "{{.image.spark}}",
    "{{.image.gpu.fqn}}:{{.image.gpu.version}}",
    "{{.image.gpu.fqn}}:{{.image.default.version}}",
    "other.io/x:{{.image.default.version}}",
    "{{.image.default.fqn}}:custom-tag",
    "{{.image.bare.fqn}}:{{.image.bare.version}}",
    "{{.image.spark.fqn}}-extra:{{.image.spark.version}}",
]


@pytest.mark.parametrize("image", CASES)
def test_resolve_image_agrees_with_flytekit(fk_config: Any, fk_container: Any, image: str | None) -> None:
    default = "ghcr.io/org/app:v1"
    theirs_cfg = fk_config.ImageConfig.from_images(default, IMAGES)
    expected = fk_container.get_registerable_container_image(image, theirs_cfg)
    assert resolve_image(image, ImageConfig.from_images(default, IMAGES)) == expected


@pytest.mark.parametrize("image", [None, "{{.image.default.fqn}}:{{.image.default.version}}"])
def test_flytekit_writes_a_digest_after_a_colon_and_flyweight_does_not(
    fk_config: Any, fk_container: Any, image: str | None
) -> None:
    default = f"ghcr.io/org/app@{DIGEST}"
    theirs = fk_container.get_registerable_container_image(image, fk_config.ImageConfig.from_images(default))
    ours = resolve_image(image, ImageConfig.from_images(default))
    assert ours == f"ghcr.io/org/app@{DIGEST}"
    if image is None:
        assert theirs == ours
    else:
        assert theirs == f"ghcr.io/org/app:{DIGEST}"  # flytekit's bug: not a valid reference
