"""The settings a task is serialized with: where it registers, its images, and size limits."""

from __future__ import annotations

import dataclasses
import functools
import os
import posixpath
from dataclasses import dataclass
from typing import Any

from flyweight._settings._images import Image, ImageConfig, PlaceholderImageConfig
from flyweight.errors import TaskDefinitionError

DEFAULT_PYTHON_INTERPRETER = "/opt/venv/bin/python3"
DEFAULT_TEMPLATE_SIZE_WARN_BYTES = 256 * 1024
DEFAULT_TEMPLATE_SIZE_LIMIT_BYTES = 1024 * 1024
TEMPLATE_SIZE_WARN_ENV_VAR = "FLYWEIGHT_TEMPLATE_SIZE_WARN"
TEMPLATE_SIZE_LIMIT_ENV_VAR = "FLYWEIGHT_TEMPLATE_SIZE_LIMIT"


def _size(argument: str, given: int | None, env_var: str, default: int) -> int:
    """A byte threshold: the value given, else the environment variable's, else the default."""
    source = argument
    value: object = given
    if given is None:
        raw = os.environ.get(env_var, "").strip()
        if not raw:
            return default
        source = f"{env_var} (environment variable)"
        try:
            value = int(raw)
        except ValueError:
            raise TaskDefinitionError(
                f"{env_var}={raw!r}: expected a whole number of bytes such as {default}; fix or unset it"
            ) from None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise TaskDefinitionError(
            f"{source}={value!r}: expected a positive whole number of bytes such as {default}"
        )
    return value


@dataclasses.dataclass(frozen=True)
class FastSerializationSettings:
    """flytekit's settings for fast registration (code shipped without an image build). flyweight has no
    fast registration; the commands fill these as ``pyflyte`` does, since a dynamic task's template carries
    its registration settings (``_F_SS_C``).

    Attributes:
        enabled: whether the code is fast-registered (always False with flyweight).
        destination_dir: where the code is copied into the container (``pyflyte package``: ``/root``).
        distribution_location: the archive the code was uploaded to.
    """

    enabled: bool = False
    destination_dir: str | None = None
    distribution_location: str | None = None


@dataclass(frozen=True, init=False)
class SerializationSettings:
    """How tasks are serialized: the project, domain and version they register under, their images,
    their environment, and how large a serialized task template may grow.

    The fields up to ``source_root`` are flytekit's, in flytekit's order. flyweight adds two
    thresholds: a template larger than ``template_size_warn_bytes`` draws a warning, one larger than
    ``template_size_limit_bytes`` an error. Left out, they come from ``$FLYWEIGHT_TEMPLATE_SIZE_WARN`` and
    ``$FLYWEIGHT_TEMPLATE_SIZE_LIMIT`` (bytes) when set, else 256 KiB and 1 MiB.

    Args:
        image_config: the images tasks may use; ``None`` means :meth:`ImageConfig.auto_default_image`.
        project: the project to register under.
        domain: the domain to register under.
        version: the version to register under.
        env: environment variables set in every task's container.
        git_repo: the source repository, recorded with the entities.
        python_interpreter: the Python inside the container.
        flytekit_virtualenv_root: the virtualenv inside the container; derived from
            ``python_interpreter`` when left out (``/opt/venv/bin/python3`` gives ``/opt/venv``).
        fast_serialization_settings: settings for fast registration (code shipped without an image build).
        source_root: the root directory of the source code.
        template_size_warn_bytes: warn above this many bytes.
        template_size_limit_bytes: fail above this many bytes.

    Raises:
        TaskDefinitionError: a threshold is not a positive integer, the warning threshold is above the
            limit, or an environment variable holds something other than a whole number.

    Example:
        >>> s = SerializationSettings(project="p", domain="d", version="v1", template_size_warn_bytes=1000)
        >>> s.image_config.default_image.name, s.flytekit_virtualenv_root, s.template_size_warn_bytes
        ('default', '/opt/venv', 1000)
        >>> s.with_overrides(version="v2").version
        'v2'
    """

    image_config: ImageConfig
    project: str | None
    domain: str | None
    version: str | None
    env: dict[str, str] | None
    git_repo: str | None
    python_interpreter: str
    flytekit_virtualenv_root: str | None
    fast_serialization_settings: object | None
    source_root: str | None
    template_size_warn_bytes: int
    template_size_limit_bytes: int

    def __init__(  # noqa: PLR0917 (flytekit's positional order, kept for ported code)
        self,
        image_config: ImageConfig | None = None,
        project: str | None = None,
        domain: str | None = None,
        version: str | None = None,
        env: dict[str, str] | None = None,
        git_repo: str | None = None,
        python_interpreter: str = DEFAULT_PYTHON_INTERPRETER,
        flytekit_virtualenv_root: str | None = None,
        fast_serialization_settings: object | None = None,
        source_root: str | None = None,
        *,
        template_size_warn_bytes: int | None = None,
        template_size_limit_bytes: int | None = None,
    ) -> None:
        if image_config is None:
            image_config = ImageConfig.auto_default_image()
        elif not isinstance(image_config, ImageConfig):
            raise TaskDefinitionError(
                f"SerializationSettings image_config: expected an ImageConfig or None, got "
                f"{type(image_config).__name__}; build one with ImageConfig.from_images('repo:tag')"
            )
        if env is not None and not isinstance(env, dict):
            raise TaskDefinitionError(
                f"SerializationSettings env: expected a dict of str to str or None, got {type(env).__name__}"
            )
        if flytekit_virtualenv_root is None and python_interpreter:
            flytekit_virtualenv_root = posixpath.dirname(posixpath.dirname(python_interpreter))
        warn = _size(
            "template_size_warn_bytes",
            template_size_warn_bytes,
            TEMPLATE_SIZE_WARN_ENV_VAR,
            DEFAULT_TEMPLATE_SIZE_WARN_BYTES,
        )
        limit = _size(
            "template_size_limit_bytes",
            template_size_limit_bytes,
            TEMPLATE_SIZE_LIMIT_ENV_VAR,
            DEFAULT_TEMPLATE_SIZE_LIMIT_BYTES,
        )
        if warn > limit:
            raise TaskDefinitionError(
                f"template_size_warn_bytes={warn} is above template_size_limit_bytes={limit}; the warning "
                f"threshold must not exceed the limit (check {TEMPLATE_SIZE_WARN_ENV_VAR} and "
                f"{TEMPLATE_SIZE_LIMIT_ENV_VAR} too)"
            )
        values = {
            "image_config": image_config,
            "project": project,
            "domain": domain,
            "version": version,
            "env": env,
            "git_repo": git_repo,
            "python_interpreter": python_interpreter,
            "flytekit_virtualenv_root": flytekit_virtualenv_root,
            "fast_serialization_settings": fast_serialization_settings,
            "source_root": source_root,
            "template_size_warn_bytes": warn,
            "template_size_limit_bytes": limit,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def __hash__(self) -> int:
        env = tuple(sorted(self.env.items())) if self.env else None
        return hash((self.image_config, self.project, self.domain, self.version, env, self.source_root))

    def with_overrides(self, **changes: Any) -> SerializationSettings:
        """A copy with the given fields changed.

        Raises:
            TaskDefinitionError: a name that is not a field, or a changed value that does not validate.
        """
        names = [f.name for f in dataclasses.fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise TaskDefinitionError(
                f"SerializationSettings has no field {', '.join(map(repr, unknown))}; "
                f"the fields are: {', '.join(names)}"
            )
        return dataclasses.replace(self, **changes)


_PLACEHOLDER_PROJECT = "PLACEHOLDER_PROJECT"


@functools.lru_cache(maxsize=1)
def placeholder_settings() -> SerializationSettings:
    """The settings tasks serialize with during local runs, where nothing is registered.

    Project ``PLACEHOLDER_PROJECT``, domain ``LOCAL``, version ``PLACEHOLDER_VERSION``, and an image
    config in which every image name resolves to ``flyweight.local/<name>:placeholder``, so a task whose
    image names an unconfigured image still runs locally. One instance is built and reused; the size
    thresholds come from the environment as it was on the first call.

    Example:
        >>> from flyweight._settings import resolve_image
        >>> s = placeholder_settings()
        >>> resolve_image("{{.image.spark.fqn}}:{{.image.spark.version}}", s.image_config)
        'flyweight.local/spark:placeholder'
        >>> resolve_image(None, s.image_config)
        'flyweight.local/placeholder:image'
    """
    default = Image(name="custom_container_task", fqn="flyweight.local/placeholder", tag="image")
    return SerializationSettings(
        image_config=PlaceholderImageConfig.create_from(default),
        project=_PLACEHOLDER_PROJECT,
        domain="LOCAL",
        version="PLACEHOLDER_VERSION",
        env=None,
    )


def is_placeholder(settings: Any) -> bool:
    """Whether ``settings`` are :func:`placeholder_settings` (a local run's), told by their project.

    Serialization with them checks less: a local run never imports the task in another process, so a
    task or executor a container could not import is still accepted.

    Example:
        >>> is_placeholder(placeholder_settings())
        True
        >>> is_placeholder(SerializationSettings(project="p", domain="d", version="v"))
        False
    """
    return getattr(settings, "project", None) == _PLACEHOLDER_PROJECT
