"""resolve_image: a task's container_image to the image its container runs."""

from __future__ import annotations

import pytest

from flyweight._settings import Image, ImageConfig, resolve_image
from flyweight.errors import TaskDefinitionError

DIGEST = "sha256:" + "cd" * 32


@pytest.fixture
def cfg() -> ImageConfig:
    return ImageConfig.from_images(
        "ghcr.io/org/app:v1",
        {
            "spark": "ghcr.io/org/spark:3.5",
            "my-img_2": "localhost:5000/team/img:7",
            "pinned": f"ghcr.io/org/pinned@{DIGEST}",
            "untagged": "ghcr.io/org/untagged",
        },
    )


@pytest.mark.parametrize("image", [None, ""])
def test_no_image_means_the_default(cfg: ImageConfig, image: str | None) -> None:
    assert resolve_image(image, cfg) == "ghcr.io/org/app:v1"


@pytest.mark.parametrize("image", [None, ""])
def test_no_image_and_no_default_is_an_error(image: str | None) -> None:
    with pytest.raises(
        TaskDefinitionError, match="no container image: pass container_image= or set a default"
    ):
        resolve_image(image, ImageConfig(images=[Image("spark", "spark", "1")]))


@pytest.mark.parametrize("image", ["python:3.11", "ghcr.io/org/x:1", "localhost:5000/a/b", f"r/x@{DIGEST}"])
def test_a_plain_string_is_returned_unchanged(cfg: ImageConfig, image: str) -> None:
    assert resolve_image(image, cfg) == image
    assert resolve_image(image, ImageConfig()) == image


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("{{.image.default.fqn}}:{{.image.default.version}}", "ghcr.io/org/app:v1"),
        ("{{.image.default.fqn}}:custom", "ghcr.io/org/app:custom"),
        ("{{.image.default}}", "ghcr.io/org/app:v1"),
        ("{{.images.spark}}", "ghcr.io/org/spark:3.5"),
        ("{{ .image.spark.fqn }}:{{  .images.spark.version}}", "ghcr.io/org/spark:3.5"),
        ("{{.IMAGE.spark.FQN}}:{{.Image.spark.Version}}", "ghcr.io/org/spark:3.5"),
        ("{{.image.my-img_2.fqn}}:{{.image.my-img_2.version}}", "localhost:5000/team/img:7"),
        ("{{.image.my-img_2}}", "localhost:5000/team/img:7"),
        ("other.io/app:{{.image.default.version}}", "other.io/app:v1"),
        ("{{.image.spark.fqn}}:{{.image.default.version}}", "ghcr.io/org/spark:v1"),
        # an image without a version takes the default image's
        ("{{.image.untagged.fqn}}:{{.image.untagged.version}}", "ghcr.io/org/untagged:v1"),
        ("{{.image.untagged}}", "ghcr.io/org/untagged"),
    ],
)
def test_placeholders(cfg: ImageConfig, image: str, expected: str) -> None:
    assert resolve_image(image, cfg) == expected


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("{{.image.pinned.fqn}}:{{.image.pinned.version}}", f"ghcr.io/org/pinned@{DIGEST}"),
        ("{{.image.pinned.fqn}}:{{ .images.PINNED.version }}", None),  # names are case-sensitive
        ("{{.image.pinned}}", f"ghcr.io/org/pinned@{DIGEST}"),
        ("{{.image.pinned.fqn}}@{{.image.pinned.version}}", f"ghcr.io/org/pinned@{DIGEST}"),
        ("{{.image.spark.fqn}}:{{.image.pinned.version}}", f"ghcr.io/org/spark@{DIGEST}"),
    ],
)
def test_digests_follow_an_at_sign(cfg: ImageConfig, image: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(TaskDefinitionError, match="'PINNED'"):
            resolve_image(image, cfg)
    else:
        assert resolve_image(image, cfg) == expected


def test_a_default_image_with_a_digest() -> None:
    cfg = ImageConfig.from_images(f"ghcr.io/org/app@{DIGEST}")
    assert resolve_image("{{.image.default.fqn}}:{{.image.default.version}}", cfg) == (
        f"ghcr.io/org/app@{DIGEST}"
    )
    assert resolve_image(None, cfg) == f"ghcr.io/org/app@{DIGEST}"


def test_an_unknown_image_name_lists_the_known_ones(cfg: ImageConfig) -> None:
    with pytest.raises(TaskDefinitionError) as info:
        resolve_image("{{.image.sprak.fqn}}:{{.image.sprak.version}}", cfg)
    message = str(info.value)
    assert "'sprak'" in message
    assert "'default', 'spark', 'my-img_2', 'pinned', 'untagged'" in message


def test_an_unknown_name_in_an_empty_config() -> None:
    with pytest.raises(TaskDefinitionError, match="it has: none"):
        resolve_image("{{.image.x}}", ImageConfig())


@pytest.mark.parametrize("attr", ["tag", "digest", "full", "name"])
def test_only_fqn_and_version_are_attributes(cfg: ImageConfig, attr: str) -> None:
    with pytest.raises(TaskDefinitionError, match=f"'{attr}'; only fqn and version are supported"):
        resolve_image(f"{{{{.image.default.{attr}}}}}", cfg)


def test_a_version_nobody_has_is_an_error() -> None:
    cfg = ImageConfig.from_images("ghcr.io/org/app", {"x": "ghcr.io/org/x"})
    with pytest.raises(TaskDefinitionError, match="has no tag or digest, and neither has the default"):
        resolve_image("{{.image.x.fqn}}:{{.image.x.version}}", cfg)
    no_default = ImageConfig(images=[Image("x", "ghcr.io/org/x")])
    with pytest.raises(TaskDefinitionError, match="has no tag or digest"):
        resolve_image("{{.image.x.fqn}}:{{.image.x.version}}", no_default)


class FakeImageSpec:
    """Looks like an image spec but is not a flyweight.ImageSpec."""


@pytest.mark.parametrize("image", [FakeImageSpec(), 3, ["repo:v1"]])
def test_non_strings_are_rejected(cfg: ImageConfig, image: object) -> None:
    with pytest.raises(TaskDefinitionError, match="expected an image reference string or an ImageSpec"):
        resolve_image(image, cfg)  # type: ignore[arg-type]


def test_the_image_config_may_be_a_subclass_that_synthesizes_images() -> None:
    class Anything(ImageConfig):
        def find_image(self, name: str) -> Image:
            return Image(name=name, fqn=f"made/{name}", tag="t")

    assert resolve_image("{{.image.q.fqn}}:{{.image.q.version}}", Anything()) == "made/q:t"
