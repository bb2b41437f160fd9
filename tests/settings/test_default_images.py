"""``DefaultImages`` as plugins subclass it, against flytekit 1.16.14 (the oracle).

flyweight's own images differ on purpose (C14 in ``docs/compatibility.md``: the image must contain
flyweight's runtime); a plugin's subclass with its own ``_DEFAULT_IMAGE_PREFIXES`` gets flytekit's
image names, except that the version suffix is flyweight's (P1 to P4).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any, ClassVar

import pytest

from flyweight._settings import _images
from flyweight._version import __version__
from flyweight.errors import TaskDefinitionError
from flyweight.extend import DefaultImages, PythonVersion

FLYTEKIT_VERSION = "1.16.14"
PREFIXES = {
    (3, 10): "ghcr.io/acme/plugin:py3.10-",
    (3, 11): "ghcr.io/acme/plugin:py3.11-",
    (3, 12): "ghcr.io/acme/plugin:py3.12-",
}
RUNNING = sys.version_info[:2]


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWEIGHT_DEFAULT_IMAGE", raising=False)
    monkeypatch.delenv("FLYTE_INTERNAL_IMAGE", raising=False)


@pytest.fixture(scope="module")
def fk_images(flytekit: ModuleType) -> Any:
    return importlib.import_module("flytekit.configuration.default_images")


class AcmeImages(DefaultImages):
    _DEFAULT_IMAGE_PREFIXES: ClassVar[dict[PythonVersion, str]] = {
        PythonVersion(v): p for v, p in PREFIXES.items()
    }


def _fk_subclass(fk_images: Any) -> Any:
    prefixes = {fk_images.PythonVersion(v): p for v, p in PREFIXES.items()}
    return type("AcmeImages", (fk_images.DefaultImages,), {"_DEFAULT_IMAGE_PREFIXES": prefixes})


# --------------------------------------------------------------------------------------------------
# The enum


def test_python_version_has_flytekits_members_and_values(fk_images: Any) -> None:
    for member in fk_images.PythonVersion:
        assert PythonVersion[member.name].value == member.value
    assert PythonVersion((3, 13)) is PythonVersion.PYTHON_3_13  # P3: flytekit 1.16.14 stops at 3.12


def test_an_unknown_python_version_is_a_value_error_as_in_flytekit(fk_images: Any) -> None:
    with pytest.raises(ValueError, match=r"\(3, 7\)"):
        fk_images.PythonVersion((3, 7))
    with pytest.raises(ValueError, match=r"\(3, 7\)"):
        PythonVersion((3, 7))


# --------------------------------------------------------------------------------------------------
# A plugin's subclass: flytekit's names


@pytest.mark.parametrize("version", sorted(PREFIXES))
@pytest.mark.parametrize("tag", ["1.2.3", "v1.2.3", "0.9.0b1", "2.0"])
def test_subclass_with_an_explicit_version_is_flytekits(fk_images: Any, version: Any, tag: str) -> None:
    fk = _fk_subclass(fk_images).find_image_for(fk_images.PythonVersion(version), tag)
    assert AcmeImages.find_image_for(PythonVersion(version), tag) == fk


@pytest.mark.parametrize("version", sorted(PREFIXES))
def test_subclass_without_a_version_takes_flyweights_suffix(fk_images: Any, version: Any) -> None:
    """P1: the suffix is flyweight's version where flytekit's is flytekit's."""
    fk = _fk_subclass(fk_images).find_image_for(fk_images.PythonVersion(version))
    assert fk.endswith(FLYTEKIT_VERSION)
    ours = AcmeImages.find_image_for(PythonVersion(version))
    assert ours == fk.removesuffix(FLYTEKIT_VERSION) + __version__
    assert ours == PREFIXES[version] + __version__


@pytest.mark.skipif(RUNNING not in PREFIXES, reason="the test subclass has no image for this Python")
def test_subclass_default_image_is_its_own_for_the_running_python(fk_images: Any) -> None:
    fk = _fk_subclass(fk_images).default_image()
    assert AcmeImages.default_image() == fk.removesuffix(FLYTEKIT_VERSION) + __version__
    assert AcmeImages.default_image().startswith("ghcr.io/acme/plugin:")


@pytest.mark.parametrize(
    ("version", "suffix"),
    [("1.2.3", "1.2.3"), ("", "latest"), ("0.2.0.dev3", "latest"), ("1.0.0rc1", "1.0.0rc1")],
)
def test_version_suffix_rule_is_flytekits(
    fk_images: Any, flytekit: ModuleType, monkeypatch: pytest.MonkeyPatch, version: str, suffix: str
) -> None:
    monkeypatch.setattr(flytekit, "__version__", version)
    monkeypatch.setattr(_images, "__version__", version)
    assert fk_images.DefaultImages.get_version_suffix() == suffix
    assert DefaultImages.get_version_suffix() == suffix
    assert AcmeImages.find_image_for(PythonVersion.PYTHON_3_11) == PREFIXES[(3, 11)] + suffix


def test_subclass_can_override_the_suffix() -> None:
    class Pinned(AcmeImages):
        @classmethod
        def get_version_suffix(cls) -> str:
            return "2024.1"

    assert Pinned.find_image_for(PythonVersion.PYTHON_3_10) == "ghcr.io/acme/plugin:py3.10-2024.1"
    assert Pinned.find_image_for(PythonVersion.PYTHON_3_10, "3") == "ghcr.io/acme/plugin:py3.10-3"


def test_only_a_leading_v_is_dropped(fk_images: Any) -> None:
    """P2: flytekit removes every ``v`` of the version (``1.0.dev1`` becomes ``1.0.de1``)."""
    fk = _fk_subclass(fk_images).find_image_for(fk_images.PythonVersion.PYTHON_3_11, "v1.0.dev1")
    assert fk == "ghcr.io/acme/plugin:py3.11-1.0.de1"
    assert (
        AcmeImages.find_image_for(PythonVersion.PYTHON_3_11, "v1.0.dev1")
        == "ghcr.io/acme/plugin:py3.11-1.0.dev1"
    )


def test_the_env_var_replaces_every_lookup_as_flytes_internal_image_does(
    fk_images: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLYTE_INTERNAL_IMAGE", "registry.local/me/app:dev")
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", "registry.local/me/app:dev")
    fk_sub = _fk_subclass(fk_images)
    for fk, ours in [(fk_sub, AcmeImages), (fk_images.DefaultImages, DefaultImages)]:
        assert ours.find_image_for(PythonVersion.PYTHON_3_12, "1.0") == fk.find_image_for(
            fk_images.PythonVersion.PYTHON_3_12, "1.0"
        )
        assert ours.default_image() == fk.default_image() == "registry.local/me/app:dev"


def test_flytekits_env_var_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_INTERNAL_IMAGE", "cr.flyte.org/flyteorg/flytekit:py3.11-1.16.14")
    assert AcmeImages.find_image_for(PythonVersion.PYTHON_3_11) == PREFIXES[(3, 11)] + __version__


# --------------------------------------------------------------------------------------------------
# flyweight's own images


@pytest.mark.parametrize("version", [(3, 10), (3, 11), (3, 12), (3, 13), (3, 14)])
def test_flyweights_own_image_for_each_python(fk_images: Any, version: Any) -> None:
    ours = DefaultImages.find_image_for(PythonVersion(version), "v1.2.3")
    assert ours == f"ghcr.io/flyweight/flyweight:py{version[0]}.{version[1]}-1.2.3"
    if version <= (3, 12):  # C14: flytekit's image for the same arguments, another repository
        fk = fk_images.DefaultImages.find_image_for(fk_images.PythonVersion(version), "v1.2.3")
        assert fk == f"cr.flyte.org/flyteorg/flytekit:py{version[0]}.{version[1]}-1.2.3"


def test_default_image_is_the_base_class_lookup() -> None:
    running = f"py{RUNNING[0]}.{RUNNING[1]}"
    assert _images.default_image() == DefaultImages.default_image() == DefaultImages.find_image_for()
    assert DefaultImages.default_image() == f"ghcr.io/flyweight/flyweight:{running}-{__version__}"


# --------------------------------------------------------------------------------------------------
# Mistakes


@pytest.mark.parametrize("version", [PythonVersion.PYTHON_3_8, PythonVersion.PYTHON_3_9])
def test_no_flyweight_image_before_python_3_10(version: PythonVersion) -> None:
    with pytest.raises(TaskDefinitionError, match=r"DefaultImages has no image for Python 3\.\d .*3\.10"):
        DefaultImages.find_image_for(version)


def test_a_subclass_without_the_version_names_what_it_has(fk_images: Any) -> None:
    with pytest.raises(KeyError):  # flytekit: a bare KeyError
        _fk_subclass(fk_images).find_image_for(fk_images.PythonVersion.PYTHON_3_9)
    with pytest.raises(
        TaskDefinitionError, match=r"AcmeImages has no image for Python 3\.9 .*3\.10, 3\.11, 3\.12"
    ):
        AcmeImages.find_image_for(PythonVersion.PYTHON_3_9)


def test_an_unknown_running_python_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_images.sys, "version_info", (3, 99, 0, "final", 0))
    with pytest.raises(TaskDefinitionError, match=r"running Python 3\.99; set FLYWEIGHT_DEFAULT_IMAGE"):
        DefaultImages.default_image()
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", "registry.local/me/app:dev")
    assert DefaultImages.default_image() == "registry.local/me/app:dev"


@pytest.mark.parametrize("bad", [(3, 11), "3.11", 3.11])
def test_python_version_must_be_the_enum(bad: Any) -> None:
    with pytest.raises(
        TaskDefinitionError, match="expected a PythonVersion such as PythonVersion.PYTHON_3_11"
    ):
        DefaultImages.find_image_for(bad)


def test_flytekit_version_must_be_text() -> None:
    with pytest.raises(TaskDefinitionError, match="flytekit_version must be a str"):
        DefaultImages.find_image_for(PythonVersion.PYTHON_3_11, 1.2)  # type: ignore[arg-type]
