"""``ImageSpec``: a container image described by what goes into it, named as flytekit names it.

flyweight builds no images: an :class:`ImageSpec` here computes the image's name (``image_name()``),
byte-for-byte the one flytekit 1.16.14 computes for the same spec, so a task that names its image by
a spec serializes to the image flytekit (``pyflyte build``, ``envd``, a CI job running flytekit's
builders) builds and pushes under that name. Serialization never builds, pushes or touches the network.

The tag is flytekit's: the MD5 of the ``str()`` of the spec's non-``None`` fields (in declaration order,
``pip_secret_mounts``, ``builder`` and ``runtime_packages`` left out, ``registry_config`` dropped), with
the content of the ``requirements`` file (SHA-1), the files under ``source_root`` that are copied and
the ``copy`` entries (MD5 over their bytes and relative paths) in place of those paths, encoded as
unpadded URL-safe base64 with ``-`` made ``_``, and finally put into ``tag_format``.

Only the standard library is imported, and nothing heavy: ``import flyweight`` does not import this
module until :class:`ImageSpec` is used.
"""

from __future__ import annotations

import copy as _copy
import dataclasses
import enum
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flyweight.errors import TaskDefinitionError

__all__ = ["CopyFileDetection", "ImageSpec", "copy_handling_for", "plugin_source_root_for", "source_files"]

DOCKER_HUB = "docker.io"
IMAGE_ID_ENV_VAR = "_F_IMG_ID"
"""Written into an image by flytekit's builders: the ``id`` of the spec it was built from."""
FORCE_PUSH_ENV_VAR = "FLYTE_FORCE_PUSH_IMAGE_SPEC"
FAST_FAIL_ENV_VAR = "FLYTE_IMG_FAST_FAIL"
RUNTIME_PACKAGES_ENV_VAR = "_F_RUNTIME_PACKAGES"
"""The container environment variable listing a spec's ``runtime_packages`` (flytekit's name)."""
EXECUTION_ID_ENV_VAR = "FLYTE_INTERNAL_EXECUTION_ID"
"""Set by Flyte in every task pod: ``is_container`` compares image ids only where it is set."""
DEFAULT_BUILDER = "default"
"""The builder flytekit picks when none is given and no builder plugin is installed."""

_LIST_OF_STR_FIELDS = (
    "packages",
    "conda_channels",
    "conda_packages",
    "apt_packages",
    "pip_extra_index_url",
    "entrypoint",
    "commands",
    "runtime_packages",
)
_OPTIONAL_STR_FIELDS = (
    "python_version",
    "builder",
    "registry",
    "cuda",
    "cudnn",
    "platform",
    "pip_index",
    "pip_extra_args",
    "registry_config",
    "tag_format",
    "python_exec",
)
_NOT_HASHED = ("pip_secret_mounts", "builder", "runtime_packages")
_REGISTRY_PATTERN = r"^(localhost:\d{1,5}|([a-z\d\._-]+)(:\d{1,5})?)(/[\w\.-]+)*$"


class CopyFileDetection(enum.Enum):
    """Which source files an image spec copies into the image: flytekit's ``CopyFileDetection`` (same
    name, members and values, so a spec's tag hashes the same).

    ``LOADED_MODULES``: the files of the modules imported so far that lie under ``source_root``;
    ``ALL``: every file under ``source_root`` not ignored by git, ``.dockerignore`` or the standard
    patterns; ``NO_COPY``: none.
    """

    LOADED_MODULES = 1
    ALL = 2
    NO_COPY = 3


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _machine() -> str:
    """``platform.machine()`` without importing ``platform``."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().machine)
    import platform  # pragma: no cover - not POSIX

    return platform.machine()


def _str2bool(value: str) -> bool:
    return value.lower() not in ("false", "0", "off", "no")


@dataclass
class ImageSpec:
    """A container image described by what goes into it: flytekit's ``ImageSpec``, without a builder.

    The fields, their order and their defaults are flytekit 1.16.14's, and :meth:`image_name` is the
    name flytekit gives the image built from the same spec. flyweight never builds or pushes the image:
    build it with flytekit's tooling (``pyflyte build``) or any builder that tags it with this name.

    Args:
        name: the image repository's name (lower-cased).
        python_version: the image's Python (``"3.11"``); None: the base image's.
        builder: the builder plugin to build with; None: flytekit's ``"default"`` builder.
        source_root: the directory source files are copied from (see ``source_copy_mode``).
        env: environment variables of the image.
        registry: where the image is pushed, e.g. ``ghcr.io/org`` or ``localhost:30000`` (lower-cased).
        packages: Python packages to install.
        conda_packages: conda packages to install.
        conda_channels: conda channels to install them from.
        requirements: a requirements file (its content goes into the tag).
        apt_packages: apt packages to install.
        cuda: the CUDA version to install.
        cudnn: the cuDNN version to install.
        base_image: the image to build on: a reference, or another :class:`ImageSpec`.
        platform: the target platform; None: ``linux/amd64`` (``linux/arm64`` for a ``localhost:``
            registry on an ARM machine).
        pip_index: a custom pip index URL.
        pip_extra_index_url: extra pip index URLs.
        pip_secret_mounts: ``(secret file, mount path)`` pairs mounted while pip installs (not hashed).
        pip_extra_args: extra ``pip install`` arguments, space separated.
        registry_config: a JSON registry config file (not hashed).
        entrypoint: the image's entrypoint; ``[]`` removes the base image's.
        commands: commands run while building.
        tag_format: the tag, with the spec's hash as ``{spec_hash}`` (e.g. ``"{spec_hash}-dev"``).
        source_copy_mode: which files under ``source_root`` are copied (:class:`CopyFileDetection`);
            ``LOADED_MODULES`` when ``source_root`` is given without it.
        copy: files and directories copied to ``/root`` (their content goes into the tag).
        python_exec: the Python executable that installs packages.
        runtime_packages: packages installed when the task starts (not hashed).
        builder_options: builder-specific options.
        builder_config: builder images configuration (e.g. the ``uv`` and ``micromamba`` images).

    Raises:
        TaskDefinitionError: (a ``ValueError``) a field of the wrong type, an invalid registry name, or a
            ``tag_format`` that does not format with ``spec_hash``.

    Example:
        >>> spec = ImageSpec(name="app", registry="ghcr.io/org", packages=["pandas"])
        >>> spec.image_name().startswith("ghcr.io/org/app:")
        True
        >>> spec.with_packages("numpy").packages
        ['pandas', 'numpy']
    """

    name: str = "flytekit"
    python_version: str | None = None
    builder: str | None = None
    source_root: str | None = None
    env: dict[str, str] | None = None
    registry: str | None = None
    packages: list[str] | None = None
    conda_packages: list[str] | None = None
    conda_channels: list[str] | None = None
    requirements: str | None = None
    apt_packages: list[str] | None = None
    cuda: str | None = None
    cudnn: str | None = None
    base_image: str | ImageSpec | None = None
    platform: str | None = None
    pip_index: str | None = None
    pip_extra_index_url: list[str] | None = None
    pip_secret_mounts: list[tuple[str, str]] | None = None
    pip_extra_args: str | None = None
    registry_config: str | None = None
    entrypoint: list[str] | None = None
    commands: list[str] | None = None
    tag_format: str | None = None
    source_copy_mode: CopyFileDetection | None = None
    copy: list[str] | None = None
    python_exec: str | None = None
    runtime_packages: list[str] | None = None
    builder_options: dict[str, Any] | None = None
    builder_config: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self._check_types()
        self.name = self.name.lower()
        self._is_force_push = _str2bool(os.environ.get(FORCE_PUSH_ENV_VAR, "FALSE"))
        self._fast_fail = _str2bool(os.environ.get(FAST_FAIL_ENV_VAR, "FALSE"))
        if self.registry:
            self.registry = self.registry.lower()
            if not re.match(_REGISTRY_PATTERN, self.registry):
                raise TaskDefinitionError(
                    f"ImageSpec {self.name!r}: invalid container registry name {self.registry!r}; expected "
                    "e.g. 'localhost:30000' (a local registry), 'ghcr.io/username' (GitHub Container "
                    "Registry) or 'docker.io/username' (Docker Hub)"
                )
        if self.platform is None:
            on_arm = _machine().lower() in ("arm64", "aarch64")
            local = bool(self.registry) and str(self.registry).startswith("localhost:")
            self.platform = "linux/arm64" if local and on_arm else "linux/amd64"
        if self.source_root is not None:
            self.source_copy_mode = self.source_copy_mode or CopyFileDetection.LOADED_MODULES
        if self.builder is None:
            self.builder = DEFAULT_BUILDER

    def _check_types(self) -> None:
        where = f"ImageSpec {self.name!r}" if isinstance(self.name, str) else "ImageSpec"
        if not isinstance(self.name, str) or not self.name:
            raise TaskDefinitionError(f"ImageSpec name: expected a non-empty str, got {_describe(self.name)}")
        for field in _OPTIONAL_STR_FIELDS:
            value = getattr(self, field)
            if value is not None and not isinstance(value, str):
                raise TaskDefinitionError(f"{where}: {field} must be a str or None, got {_describe(value)}")
        for field in _LIST_OF_STR_FIELDS:
            value = getattr(self, field)
            if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise TaskDefinitionError(
                    f"{where}: {field} must be a list of strings or None, got {_describe(value)}"
                )
        for field in ("source_root", "requirements"):
            value = getattr(self, field)
            if value is not None and not isinstance(value, (str, os.PathLike)):
                raise TaskDefinitionError(f"{where}: {field} must be a path or None, got {_describe(value)}")
        if self.copy is not None and not (
            isinstance(self.copy, list) and all(isinstance(v, (str, os.PathLike)) for v in self.copy)
        ):
            raise TaskDefinitionError(
                f"{where}: copy must be a list of paths or None, got {_describe(self.copy)}"
            )
        if self.env is not None and not (
            isinstance(self.env, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in self.env.items())
        ):
            raise TaskDefinitionError(
                f"{where}: env must be a dict of str to str or None, got {_describe(self.env)}"
            )
        if self.pip_secret_mounts is not None and not (
            isinstance(self.pip_secret_mounts, list)
            and all(
                isinstance(v, tuple) and len(v) == 2 and all(isinstance(p, str) for p in v)
                for v in self.pip_secret_mounts
            )
        ):
            raise TaskDefinitionError(
                f"{where}: pip_secret_mounts must be a list of tuples of two strings or None, "
                f"got {_describe(self.pip_secret_mounts)}"
            )
        for field in ("builder_options", "builder_config"):
            value = getattr(self, field)
            if value is not None and not isinstance(value, dict):
                raise TaskDefinitionError(
                    f"{where}: {field} must be a dictionary or None, got {_describe(value)}"
                )
        if self.base_image is not None and not isinstance(self.base_image, (str, ImageSpec)):
            raise TaskDefinitionError(
                f"{where}: base_image must be an image reference, an ImageSpec or None, "
                f"got {_describe(self.base_image)}"
            )
        if self.source_copy_mode is not None and not isinstance(self.source_copy_mode, CopyFileDetection):
            raise TaskDefinitionError(
                f"{where}: source_copy_mode must be a CopyFileDetection or None, "
                f"got {_describe(self.source_copy_mode)}"
            )
        if self.tag_format is not None:
            try:
                self.tag_format.format(spec_hash="hash")
            except (KeyError, IndexError, ValueError) as e:
                raise TaskDefinitionError(
                    f"{where}: tag_format {self.tag_format!r} does not format with the spec's hash alone "
                    f"({type(e).__name__}: {e}); use '{{spec_hash}}' for the hash, e.g. '{{spec_hash}}-dev'"
                ) from None

    @cached_property
    def id(self) -> str:
        """The spec's identity: a hash of its fields (without the content of its files).

        An :class:`ImageConfig` image named by this id stands for the spec at serialization, and
        flytekit's builders write it into the image as ``$_F_IMG_ID`` (see :meth:`is_container`).
        """

        def without_none(items: list[tuple[str, Any]]) -> dict[str, Any]:
            return {k: v for k, v in items if v is not None and k not in _NOT_HASHED}

        import base64
        import hashlib

        described = dataclasses.asdict(self, dict_factory=without_none)
        digest = hashlib.md5(str(described).encode("utf-8")).digest()
        return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")

    def __hash__(self) -> int:
        return hash(self.id)

    @cached_property
    def tag(self) -> str:
        """The image's tag: the hash of the spec with its files' contents, put into ``tag_format``.

        Raises:
            TaskDefinitionError: the ``requirements`` file cannot be read, or files are to be copied
                (``source_copy_mode``) but ``source_root`` is not set.
        """
        import hashlib

        from flyweight._settings import _source_files

        spec: ImageSpec = self
        if isinstance(spec.base_image, ImageSpec):
            spec = _rehashed(spec, base_image=spec.base_image.image_name())
        if self.source_copy_mode is not None and self.source_copy_mode != CopyFileDetection.NO_COPY:
            if not self.source_root:
                raise TaskDefinitionError(
                    f"ImageSpec {self.name!r}: source_root must be set when source files are copied "
                    f"(source_copy_mode={self.source_copy_mode.name})"
                )
            loaded = self.source_copy_mode == CopyFileDetection.LOADED_MODULES
            digest = _source_files.source_digest(os.fspath(self.source_root), loaded_modules=loaded)
            spec = _rehashed(spec, source_root=digest)
        if self.copy:
            spec = _rehashed(spec, copy=_source_files.copy_digest([os.fspath(p) for p in self.copy]))
        if spec.requirements:
            try:
                with open(spec.requirements, "rb") as f:
                    content = f.read()
            except OSError as e:
                raise TaskDefinitionError(
                    f"ImageSpec {self.name!r}: cannot read the requirements file "
                    f"{os.fspath(spec.requirements)!r} "
                    f"({e.strerror or e}); its content goes into the image's tag"
                ) from None
            spec = _rehashed(spec, requirements=hashlib.sha1(content.strip()).hexdigest())
        spec = _rehashed(spec, registry_config=None)
        tag = spec.id.replace("-", "_")
        if self.tag_format:
            return self.tag_format.format(spec_hash=tag)
        return tag

    def image_name(self) -> str:
        """The full image name: ``[registry/]name:tag``."""
        name = f"{self.name}:{self.tag}"
        return f"{self.registry}/{name}" if self.registry else name

    def is_container(self) -> bool:
        """Whether this code runs in the image built from this spec.

        True outside a Flyte task pod (no ``$FLYTE_INTERNAL_EXECUTION_ID``), so code guarded by it runs
        locally; in a pod, whether the image's ``$_F_IMG_ID`` (written by flytekit's builders) is this
        spec's :attr:`id`.
        """
        if os.environ.get(EXECUTION_ID_ENV_VAR):
            return os.environ.get(IMAGE_ID_ENV_VAR) == self.id
        return True

    def exist(self) -> bool | None:
        """Whether the image exists in its registry: always None (unknown) with flyweight.

        flytekit asks a Docker daemon or Docker Hub; flyweight answers offline and builds nothing, so it
        cannot know. A builder that needs the answer should check the registry itself.
        """
        return None

    def _update_attribute(self, attr_name: str, values: str | list[str] | Mapping[str, Any]) -> ImageSpec:
        current = _copy.deepcopy(getattr(self, attr_name))
        if current is None:
            current = {} if isinstance(values, Mapping) else []
        if isinstance(values, str):
            if not isinstance(current, list):
                raise TaskDefinitionError(f"ImageSpec {self.name!r}: cannot append a string to {attr_name}")
            current.append(values)
        elif isinstance(values, list):
            if not isinstance(current, list):
                raise TaskDefinitionError(
                    f"ImageSpec {self.name!r}: cannot extend {attr_name}, which is not a list"
                )
            current.extend(values)
        elif isinstance(values, Mapping):
            if not isinstance(current, dict):
                raise TaskDefinitionError(
                    f"ImageSpec {self.name!r}: cannot update {attr_name}, which is not a dict"
                )
            current.update(values)
        else:
            raise TaskDefinitionError(
                f"ImageSpec {self.name!r}: {attr_name} takes a str, a list or a dict, got {_describe(values)}"
            )
        return dataclasses.replace(self, **{attr_name: current})

    def with_commands(self, commands: str | list[str]) -> ImageSpec:
        """A new spec with these build commands added."""
        return self._update_attribute("commands", commands)

    def with_packages(self, packages: str | list[str]) -> ImageSpec:
        """A new spec with these Python packages added."""
        return self._update_attribute("packages", packages)

    def with_apt_packages(self, apt_packages: str | list[str]) -> ImageSpec:
        """A new spec with these apt packages added."""
        return self._update_attribute("apt_packages", apt_packages)

    def with_copy(self, src: str | list[str]) -> ImageSpec:
        """A new spec that also copies these files or directories into the image."""
        return self._update_attribute("copy", src)

    def with_runtime_packages(self, runtime_packages: list[str]) -> ImageSpec:
        """A new spec with these packages installed when the task starts."""
        return self._update_attribute("runtime_packages", runtime_packages)

    def with_builder_options(self, builder_options: dict[str, Any]) -> ImageSpec:
        """A new spec with these builder options added."""
        return self._update_attribute("builder_options", builder_options)

    def force_push(self) -> ImageSpec:
        """A copy that asks a builder to push even when the image exists (the name does not change)."""
        copied = _copy.deepcopy(self)
        copied._is_force_push = True
        return copied

    @classmethod
    def from_env(cls, *, pinned_packages: list[str] | None = None, **kwargs: Any) -> ImageSpec:
        """A spec for the running Python, with ``pinned_packages`` pinned to their installed versions.

        Raises:
            TaskDefinitionError: ``python_version`` is given (it comes from the environment), or a pinned
                package is not installed.
        """
        from importlib.metadata import PackageNotFoundError, version

        if kwargs.get("python_version") is not None:
            raise TaskDefinitionError(
                "ImageSpec.from_env: python_version can not be given, it is the running Python's"
            )
        packages = list(kwargs.pop("packages", None) or [])
        for package in pinned_packages or []:
            try:
                packages.append(f"{package}=={version(package)}")
            except PackageNotFoundError:
                raise TaskDefinitionError(
                    f"ImageSpec.from_env: cannot pin {package!r}, it is not installed in this environment"
                ) from None
        python_version = f"{sys.version_info.major}.{sys.version_info.minor}"
        return cls(packages=packages, python_version=python_version, **kwargs)


def copy_handling_for(spec: ImageSpec, *, source_root: str | None, fast_registration: bool) -> ImageSpec:
    """The spec a function task (or a ``ContainerTask``) serializes with: flytekit's
    ``update_image_spec_copy_handling`` applied to a copy (the user's spec is left as it is).

    Without fast registration the code is copied into the image: the settings' ``source_root`` fills in
    a missing one, and ``source_copy_mode`` becomes ``LOADED_MODULES`` when unset. A spec that copies
    files (``source_copy_mode`` other than ``NO_COPY``) gets the settings' source root when it has none.
    """
    root, mode = spec.source_root, spec.source_copy_mode
    if mode is not None:
        if mode != CopyFileDetection.NO_COPY and root is None and source_root is not None:
            root = source_root
    elif not fast_registration and (source_root is not None or root is not None):
        root = root if root is not None else source_root
        mode = CopyFileDetection.LOADED_MODULES
    if (root, mode) == (spec.source_root, spec.source_copy_mode):
        return spec
    return _with_fields(spec, source_root=root, source_copy_mode=mode)


def plugin_source_root_for(spec: ImageSpec, *, source_root: str | None, fast_registration: bool) -> ImageSpec:
    """The spec a plugin task (``PythonCustomizedContainerTask``) serializes with, as flytekit's: without
    fast registration, the settings' ``source_root`` replaces the spec's (``source_copy_mode`` unchanged).

    Where flytekit would then fail (the settings have no source root but the spec copies files), the
    spec keeps its own source root.
    """
    if fast_registration or spec.source_root == source_root:
        return spec
    if source_root is None and spec.source_copy_mode not in (None, CopyFileDetection.NO_COPY):
        return spec
    return _with_fields(spec, source_root=source_root)


def _with_fields(spec: ImageSpec, **changes: Any) -> ImageSpec:
    """A copy with ``changes`` set as plain attributes (``__post_init__`` does not run again), hashes
    computed afresh."""
    changed = dataclasses.replace(spec)
    changed._is_force_push = spec._is_force_push
    for name, value in changes.items():
        setattr(changed, name, value)
    return changed


def _rehashed(spec: ImageSpec, **changes: Any) -> ImageSpec:
    """A copy of ``spec`` with ``changes`` (a file's digest in place of its path), as flytekit hashes it:
    unvalidated, with ``source_copy_mode`` filled in as ``__post_init__`` does, hashes not yet computed."""
    new = object.__new__(type(spec))
    new.__dict__.update({k: v for k, v in spec.__dict__.items() if k not in ("id", "tag")})
    new.__dict__.update(changes)
    if new.source_root is not None:
        new.source_copy_mode = new.source_copy_mode or CopyFileDetection.LOADED_MODULES
    return new


def source_files(spec: ImageSpec) -> list[str]:
    """The files a spec copies from its ``source_root`` (sorted paths; those its tag hashes): none
    without a source root or with ``NO_COPY``, else by its ``source_copy_mode``."""
    mode = spec.source_copy_mode
    if not spec.source_root or mode is None or mode == CopyFileDetection.NO_COPY:
        return []
    from flyweight._settings._source_files import listed_files

    return listed_files(os.fspath(spec.source_root), loaded_modules=mode == CopyFileDetection.LOADED_MODULES)
