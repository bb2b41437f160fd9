"""Image, ImageConfig and the default image."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from flyweight._settings import DefaultImages, Image, ImageConfig, default_image
from flyweight._version import __version__
from flyweight.errors import TaskDefinitionError

DIGEST = "sha256:" + "ab" * 32


# --------------------------------------------------------------------------------------------------
# Image


def test_full_and_version_with_a_tag() -> None:
    image = Image(name="app", fqn="ghcr.io/org/app", tag="v1")
    assert image.full == "ghcr.io/org/app:v1"
    assert image.version == "v1"


def test_full_and_version_with_a_digest() -> None:
    image = Image(name="app", fqn="ghcr.io/org/app", digest=DIGEST)
    assert image.full == f"ghcr.io/org/app@{DIGEST}"
    assert image.version == DIGEST


def test_full_and_version_without_tag_or_digest() -> None:
    image = Image(name="app", fqn="ghcr.io/org/app")
    assert image.full == "ghcr.io/org/app"
    assert image.version is None


def test_image_is_frozen_and_hashable() -> None:
    image = Image(name="app", fqn="repo", tag="v1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        image.tag = "v2"  # type: ignore[misc]
    assert hash(image) == hash(Image(name="app", fqn="repo", tag="v1"))


def test_image_rejects_both_tag_and_digest() -> None:
    with pytest.raises(TaskDefinitionError, match="both tag='v1' and digest"):
        Image(name="app", fqn="repo", tag="v1", digest=DIGEST)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "a", "fqn": ""},
        {"name": "a", "fqn": None},
        {"name": None, "fqn": "repo"},
        {"name": "a", "fqn": "repo", "tag": ""},
        {"name": "a", "fqn": "repo", "digest": 5},
    ],
)
def test_image_rejects_bad_fields(kwargs: dict[str, object]) -> None:
    with pytest.raises(TaskDefinitionError):
        Image(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reference", "fqn", "tag", "digest"),
    [
        ("ghcr.io/org/app:v1", "ghcr.io/org/app", "v1", None),
        ("app:latest", "app", "latest", None),
        ("app", "app", None, None),
        ("ghcr.io/org/app", "ghcr.io/org/app", None, None),
        (f"ghcr.io/org/app@{DIGEST}", "ghcr.io/org/app", None, DIGEST),
        ("localhost:5000/repo/img:tag", "localhost:5000/repo/img", "tag", None),
        ("localhost:5000/repo/img", "localhost:5000/repo/img", None, None),
        (f"localhost:5000/img@{DIGEST}", "localhost:5000/img", None, DIGEST),
        (f"repo/app:v1@{DIGEST}", "repo/app:v1", None, DIGEST),
    ],
)
def test_look_up_image_info(reference: str, fqn: str, tag: str | None, digest: str | None) -> None:
    image = Image.look_up_image_info("x", reference)
    assert (image.name, image.fqn, image.tag, image.digest) == ("x", fqn, tag, digest)
    assert image.full == reference


@pytest.mark.parametrize("reference", ["", "repo:", ":tag", "repo@", "@sha256:ab", "repo :v1", " ", None, 3])
def test_look_up_image_info_rejects_bad_references(reference: object) -> None:
    with pytest.raises(TaskDefinitionError, match="image 'x'"):
        Image.look_up_image_info("x", reference)  # type: ignore[arg-type]


def test_look_up_image_info_can_require_a_tag() -> None:
    with pytest.raises(TaskDefinitionError, match="no tag or digest; add one"):
        Image.look_up_image_info("x", "repo/app", allow_no_tag_or_digest=False)
    assert Image.look_up_image_info("x", "repo/app:v1", allow_no_tag_or_digest=False).tag == "v1"


def test_an_empty_reference_is_a_value_error_too() -> None:
    with pytest.raises(ValueError):
        Image.look_up_image_info("x", "")


# --------------------------------------------------------------------------------------------------
# ImageConfig


def test_images_default_to_an_empty_list() -> None:
    assert ImageConfig().images == []
    assert ImageConfig(images=None).images == []
    assert ImageConfig().default_image is None


def test_the_default_image_is_findable_even_when_not_listed() -> None:
    default = Image(name="default", fqn="repo", tag="v1")
    other = Image(name="spark", fqn="spark", tag="3")
    cfg = ImageConfig(default_image=default, images=[other])
    assert cfg.find_image("default") is default
    assert cfg.find_image("spark") is other
    assert cfg.find_image("nope") is None
    assert cfg.image_names() == ["default", "spark"]


def test_image_config_is_frozen_and_comparable() -> None:
    cfg = ImageConfig.from_images("repo:v1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.default_image = None  # type: ignore[misc]
    assert cfg == ImageConfig.from_images("repo:v1")
    assert cfg != ImageConfig.from_images("repo:v2")
    assert hash(cfg) == hash(ImageConfig.from_images("repo:v1"))
    assert dataclasses.replace(cfg, images=None).images == []  # type: ignore[arg-type]


def test_create_from_lists_the_default_first() -> None:
    default = Image(name="default", fqn="repo", tag="v1")
    other = Image(name="gpu", fqn="gpu", tag="1")
    cfg = ImageConfig.create_from(default, [other])
    assert cfg.default_image is default
    assert cfg.images == [default, other]
    assert ImageConfig.create_from(None).images == []


def test_from_images_parses_every_reference() -> None:
    cfg = ImageConfig.from_images("repo/app:v1", {"spark": f"repo/spark@{DIGEST}", "plain": "repo/plain"})
    assert cfg.default_image == Image(name="default", fqn="repo/app", tag="v1")
    assert cfg.find_image("spark") == Image(name="spark", fqn="repo/spark", digest=DIGEST)
    assert cfg.find_image("plain") == Image(name="plain", fqn="repo/plain")
    assert ImageConfig.from_images("").default_image is None


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: ImageConfig(default_image="repo:v1"), "expected an Image or None, got str"),  # type: ignore[arg-type]
        (lambda: ImageConfig(images=["repo:v1"]), r"images\[0\]: expected an Image"),  # type: ignore[list-item]
        (lambda: ImageConfig.create_from("repo:v1"), "must be an Image or None"),  # type: ignore[arg-type]
        (
            lambda: ImageConfig(images=[Image("a", "r1", "1"), Image("a", "r2", "1")]),
            "two different images are named 'a'",
        ),
    ],
)
def test_image_config_rejects_bad_input(call: object, match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        call()  # type: ignore[operator]


def test_the_same_image_listed_twice_is_fine() -> None:
    image = Image("a", "repo", "1")
    assert ImageConfig(images=[image, image]).find_image("a") is image


# --------------------------------------------------------------------------------------------------
# The default image


def test_default_image_is_flyweights_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWEIGHT_DEFAULT_IMAGE", raising=False)
    major, minor = sys.version_info[:2]
    expected = f"ghcr.io/flyweight/flyweight:py{major}.{minor}-{__version__}"
    assert default_image() == expected
    assert DefaultImages.default_image() == expected


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_env_var_is_ignored(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", value)
    assert default_image().startswith("ghcr.io/flyweight/flyweight:py")


def test_the_env_var_overrides_the_default_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", "registry.local/me/app:dev")
    assert default_image() == "registry.local/me/app:dev"
    assert DefaultImages.default_image() == "registry.local/me/app:dev"


def test_flytekits_internal_image_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWEIGHT_DEFAULT_IMAGE", raising=False)
    monkeypatch.setenv("FLYTE_INTERNAL_IMAGE", "cr.flyte.org/flyteorg/flytekit:py3.11-1.16.14")
    assert "flytekit" not in default_image()


def test_auto_default_image(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", "registry.local/me/app:dev")
    cfg = ImageConfig.auto_default_image()
    assert cfg.default_image == Image(name="default", fqn="registry.local/me/app", tag="dev")
    assert cfg.find_image("default") == cfg.default_image


def test_auto_default_image_names_the_env_var_when_it_is_bad(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", "repo:")
    with pytest.raises(TaskDefinitionError, match="FLYWEIGHT_DEFAULT_IMAGE='repo:' is not usable"):
        ImageConfig.auto_default_image()
