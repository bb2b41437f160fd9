"""Container images: one image reference, a named set of them, and the default image."""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import ClassVar

from flyweight._version import __version__
from flyweight.errors import TaskDefinitionError

DEFAULT_IMAGE_ENV_VAR = "FLYWEIGHT_DEFAULT_IMAGE"
DEFAULT_IMAGE_NAME = "default"


def _describe(value: object) -> str:
    return f"{type(value).__name__} {value!r}"


def _check_optional_text(field: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value:
        raise TaskDefinitionError(f"Image {field}: expected a non-empty str or None, got {_describe(value)}")


@dataclass(frozen=True)
class Image:
    """One container image, split into its repository (``fqn``) and its tag or digest.

    Args:
        name: the name tasks use to refer to this image, as in ``{{.image.<name>.fqn}}``.
        fqn: the fully qualified repository, e.g. ``ghcr.io/org/app``.
        tag: the tag (``v1``); give a tag or a digest, not both.
        digest: the content digest (``sha256:...``).

    Example:
        >>> Image(name="app", fqn="ghcr.io/org/app", tag="v1").full
        'ghcr.io/org/app:v1'
        >>> Image(name="app", fqn="ghcr.io/org/app", digest="sha256:ab12").full
        'ghcr.io/org/app@sha256:ab12'
    """

    name: str
    fqn: str
    tag: str | None = None
    digest: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise TaskDefinitionError(f"Image name: expected a str, got {_describe(self.name)}")
        if not isinstance(self.fqn, str) or not self.fqn:
            raise TaskDefinitionError(
                "Image fqn: expected a non-empty repository such as 'ghcr.io/org/app', "
                f"got {_describe(self.fqn)}"
            )
        _check_optional_text("tag", self.tag)
        _check_optional_text("digest", self.digest)
        if self.tag is not None and self.digest is not None:
            raise TaskDefinitionError(
                f"Image {self.name!r}: got both tag={self.tag!r} and digest={self.digest!r}; "
                "pass one of them (a digest alone pins the image exactly)"
            )

    @property
    def full(self) -> str:
        """The complete reference: ``fqn:tag``, ``fqn@digest``, or ``fqn`` when neither is set."""
        if self.tag is not None:
            return f"{self.fqn}:{self.tag}"
        if self.digest is not None:
            return f"{self.fqn}@{self.digest}"
        return self.fqn

    @property
    def version(self) -> str | None:
        """The tag, else the digest, else ``None``."""
        return self.tag if self.tag is not None else self.digest

    @classmethod
    def look_up_image_info(
        cls, name: str, image_identifier: str, allow_no_tag_or_digest: bool = True
    ) -> Image:
        """Parse an image reference such as ``repo:tag`` or ``repo@sha256:...`` into an :class:`Image`.

        A colon followed by a path (``localhost:5000/app``) is a registry port, not a tag.

        Args:
            name: the name to give the image.
            image_identifier: the reference to parse.
            allow_no_tag_or_digest: when false, a reference without a tag or digest is an error.

        A path to an existing file is read as an ``ImageSpec`` (its fields as a YAML or JSON mapping, as
        ``pyflyte --image spec.yaml`` reads it) and stands for the spec's ``image_name()``; nothing is
        built.

        Raises:
            TaskDefinitionError: the reference is empty, contains whitespace, or has an empty part; a spec
                file that cannot be read or does not describe an ImageSpec.

        Example:
            >>> Image.look_up_image_info("default", "localhost:5000/team/app:v2")
            Image(name='default', fqn='localhost:5000/team/app', tag='v2', digest=None)
            >>> Image.look_up_image_info("x", "ghcr.io/org/app@sha256:ab12").digest
            'sha256:ab12'
        """
        if not isinstance(image_identifier, str) or not image_identifier:
            raise TaskDefinitionError(
                f"image {name!r}: expected an image reference such as 'ghcr.io/org/app:v1', "
                f"got {_describe(image_identifier)}"
            )
        if os.path.isfile(image_identifier):  # an ImageSpec file (YAML or JSON), as pyflyte's --image takes
            image_identifier = _spec_file_image(name, image_identifier)
        if any(c.isspace() for c in image_identifier):
            raise TaskDefinitionError(
                f"image {name!r}: the reference {image_identifier!r} contains whitespace; remove it"
            )
        fqn, at, digest = image_identifier.rpartition("@")
        if at:
            if not fqn or not digest:
                raise TaskDefinitionError(
                    f"image {name!r}: {image_identifier!r} has an empty repository or digest around '@'; "
                    "expected 'repo@sha256:<hex>'"
                )
            return cls(name=name, fqn=fqn, digest=digest)
        head, colon, tail = image_identifier.rpartition(":")
        if colon and "/" not in tail:
            if not head or not tail:
                raise TaskDefinitionError(
                    f"image {name!r}: {image_identifier!r} has an empty repository or tag around ':'; "
                    "expected 'repo:tag'"
                )
            return cls(name=name, fqn=head, tag=tail)
        if not allow_no_tag_or_digest:
            raise TaskDefinitionError(
                f"image {name!r}: {image_identifier!r} has no tag or digest; add one, "
                f"e.g. '{image_identifier}:v1'"
            )
        return cls(name=name, fqn=image_identifier)


def _spec_file_image(name: str, path: str) -> str:
    """The image name of the ImageSpec described by the YAML or JSON file at ``path``."""
    from flyweight._settings._image_spec import ImageSpec

    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise TaskDefinitionError(f"image {name!r}: cannot read the ImageSpec file {path!r}: {e}") from None
    fields: object
    if path.endswith(".json"):
        import json

        try:
            fields = json.loads(text)
        except ValueError as e:
            raise TaskDefinitionError(f"image {name!r}: {path!r} is not valid JSON: {e}") from None
    else:
        try:
            import yaml  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            raise TaskDefinitionError(
                f"image {name!r}: reading the ImageSpec file {path!r} needs PyYAML (pip install pyyaml); "
                "or write the spec as a .json file"
            ) from None
        try:
            fields = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise TaskDefinitionError(f"image {name!r}: {path!r} is not valid YAML: {e}") from None
    if not isinstance(fields, dict):
        raise TaskDefinitionError(
            f"image {name!r}: the ImageSpec file {path!r} must hold a mapping of ImageSpec fields, "
            f"got {type(fields).__name__}"
        )
    try:
        return ImageSpec(**fields).image_name()
    except TypeError as e:  # an unknown field
        raise TaskDefinitionError(f"image {name!r}: {path!r} is not an ImageSpec: {e}") from None


@dataclass(frozen=True, init=False)
class ImageConfig:
    """The images a task may name: a default image and any others.

    Frozen: build a new one instead of changing it. The default image can be found by its name
    even when it is not listed in ``images``.

    Args:
        default_image: the image of tasks that do not name one.
        images: further images, each with a unique name (``None`` means none).

    Example:
        >>> cfg = ImageConfig.from_images("ghcr.io/org/app:v1", {"spark": "ghcr.io/org/spark:3.5"})
        >>> cfg.find_image("spark").full
        'ghcr.io/org/spark:3.5'
        >>> cfg.default_image.name
        'default'
    """

    default_image: Image | None
    images: list[Image]

    def __init__(self, default_image: Image | None = None, images: Iterable[Image] | None = None) -> None:
        if default_image is not None and not isinstance(default_image, Image):
            raise TaskDefinitionError(
                f"ImageConfig default_image: expected an Image or None, got {_describe(default_image)}; "
                "use Image.look_up_image_info(name, 'repo:tag') to build one from a string"
            )
        collected = list(images or ())
        by_name: dict[str, Image] = {}
        for i, image in enumerate(collected):
            if not isinstance(image, Image):
                raise TaskDefinitionError(
                    f"ImageConfig images[{i}]: expected an Image, got {_describe(image)}"
                )
            seen = by_name.setdefault(image.name, image)
            if seen != image:
                raise TaskDefinitionError(
                    f"ImageConfig: two different images are named {image.name!r} ({seen.full} and "
                    f"{image.full}); give each image a unique name"
                )
        object.__setattr__(self, "default_image", default_image)
        object.__setattr__(self, "images", collected)

    def __hash__(self) -> int:
        return hash((self.default_image, tuple(self.images)))

    def image_names(self) -> list[str]:
        """The names this config knows, the default image's first, without repeats."""
        names = [self.default_image.name] if self.default_image is not None else []
        names.extend(i.name for i in self.images if i.name not in names)
        return names

    def find_image(self, name: str) -> Image | None:
        """The image called ``name`` (the default image is checked first), or ``None``."""
        if self.default_image is not None and self.default_image.name == name:
            return self.default_image
        for image in self.images:
            if image.name == name:
                return image
        return None

    @classmethod
    def create_from(cls, default_image: Image | None, other_images: list[Image] | None = None) -> ImageConfig:
        """A config whose ``images`` list holds the default image followed by ``other_images``."""
        if default_image is not None and not isinstance(default_image, Image):
            raise TaskDefinitionError(
                "ImageConfig.create_from: default_image must be an Image or None, "
                f"got {_describe(default_image)}"
            )
        all_images = [default_image] if default_image is not None else []
        all_images.extend(other_images or ())
        return cls(default_image=default_image, images=all_images)

    @classmethod
    def from_images(cls, default_image: str, m: dict[str, str] | None = None) -> ImageConfig:
        """A config from reference strings: ``default_image`` (named ``"default"``; may be empty for
        none) and ``m``, a mapping of image name to reference."""
        default = Image.look_up_image_info(DEFAULT_IMAGE_NAME, default_image) if default_image else None
        others = [Image.look_up_image_info(name, ref) for name, ref in (m or {}).items()]
        return cls.create_from(default, others)

    @classmethod
    def auto_default_image(cls) -> ImageConfig:
        """A config whose only image is :func:`default_image`, named ``"default"``."""
        reference = default_image()
        try:
            image = Image.look_up_image_info(DEFAULT_IMAGE_NAME, reference)
        except TaskDefinitionError as e:
            raise TaskDefinitionError(f"{DEFAULT_IMAGE_ENV_VAR}={reference!r} is not usable: {e}") from None
        return cls.create_from(image)


def default_image() -> str:
    """The image of tasks that name none: ``$FLYWEIGHT_DEFAULT_IMAGE`` when set, else flyweight's own
    image for the running Python (:meth:`DefaultImages.find_image_for`).

    flytekit's ``FLYTE_INTERNAL_IMAGE`` is deliberately ignored: it names a flytekit image, which has
    no flyweight runtime to run the task with.

    Example:
        >>> import os
        >>> os.environ.pop("FLYWEIGHT_DEFAULT_IMAGE", None) and None
        >>> default_image().startswith("ghcr.io/flyweight/flyweight:py3.")
        True
    """
    return DefaultImages.find_image_for()


class PythonVersion(enum.Enum):
    """A Python version an image is built for, as flytekit's ``PythonVersion`` (the same members, whose
    values are ``(major, minor)``), with the versions flytekit 1.16.14 does not know yet.

    Example:
        >>> PythonVersion((3, 11)) is PythonVersion.PYTHON_3_11
        True
    """

    PYTHON_3_8 = (3, 8)
    PYTHON_3_9 = (3, 9)
    PYTHON_3_10 = (3, 10)
    PYTHON_3_11 = (3, 11)
    PYTHON_3_12 = (3, 12)
    PYTHON_3_13 = (3, 13)
    PYTHON_3_14 = (3, 14)


_FLYWEIGHT_IMAGE = "ghcr.io/flyweight/flyweight"


class DefaultImages:
    """The default image of a task that names none, per Python version: flytekit's ``DefaultImages``,
    which a plugin subclasses to give its tasks its own image.

    ``_DEFAULT_IMAGE_PREFIXES`` maps a :class:`PythonVersion` to an image reference without its version
    suffix; :meth:`find_image_for` appends the suffix (:meth:`get_version_suffix`, or the version given).
    flyweight's own images are ``ghcr.io/flyweight/flyweight:py3.X-<flyweight version>`` (flyweight needs
    Python 3.10 or later, so there are none for 3.8 and 3.9); ``$FLYWEIGHT_DEFAULT_IMAGE``, when set,
    replaces every lookup, as flytekit's ``FLYTE_INTERNAL_IMAGE`` does.

    Example:
        >>> class AcmeImages(DefaultImages):
        ...     _DEFAULT_IMAGE_PREFIXES = {PythonVersion.PYTHON_3_11: "ghcr.io/acme/plugin:py3.11-"}
        >>> import os
        >>> os.environ.pop("FLYWEIGHT_DEFAULT_IMAGE", None) and None
        >>> AcmeImages.find_image_for(PythonVersion.PYTHON_3_11, "v1.2.0")
        'ghcr.io/acme/plugin:py3.11-1.2.0'
    """

    _DEFAULT_IMAGE_PREFIXES: ClassVar[Mapping[PythonVersion, str]] = {
        version: f"{_FLYWEIGHT_IMAGE}:py{version.value[0]}.{version.value[1]}-"
        for version in PythonVersion
        if version.value >= (3, 10)
    }

    @classmethod
    def default_image(cls) -> str:
        """This class's image for the running Python (:meth:`find_image_for` with no arguments)."""
        return cls.find_image_for()

    @classmethod
    def find_image_for(
        cls, python_version: PythonVersion | None = None, flytekit_version: str | None = None
    ) -> str:
        """The image for ``python_version`` (default: the running Python), tagged with
        ``flytekit_version`` (a leading ``v`` dropped) or else :meth:`get_version_suffix`.

        ``$FLYWEIGHT_DEFAULT_IMAGE``, when set, is returned instead, whatever the arguments.

        Raises:
            TaskDefinitionError: ``python_version`` is not a :class:`PythonVersion`, or the class has no
                image for it (the message lists the versions it has).
        """
        configured = os.environ.get(DEFAULT_IMAGE_ENV_VAR, "").strip()
        if configured:
            return configured
        if python_version is None:
            running = sys.version_info[:2]
            try:
                python_version = PythonVersion(running)
            except ValueError:
                raise TaskDefinitionError(
                    f"{cls.__name__} has no image for the running Python {running[0]}.{running[1]}; set "
                    f"{DEFAULT_IMAGE_ENV_VAR} to an image with flyweight installed"
                ) from None
        elif not isinstance(python_version, PythonVersion):
            raise TaskDefinitionError(
                f"{cls.__name__}.find_image_for: expected a PythonVersion such as "
                f"PythonVersion.PYTHON_3_11 or None, got {_describe(python_version)}"
            )
        prefix = cls._DEFAULT_IMAGE_PREFIXES.get(python_version)
        if prefix is None:
            known = ", ".join(f"{v.value[0]}.{v.value[1]}" for v in cls._DEFAULT_IMAGE_PREFIXES) or "none"
            major, minor = python_version.value
            raise TaskDefinitionError(
                f"{cls.__name__} has no image for Python {major}.{minor} (it has images for: {known}); "
                f"pass another python_version, or set {DEFAULT_IMAGE_ENV_VAR}"
            )
        if flytekit_version is not None and not isinstance(flytekit_version, str):
            raise TaskDefinitionError(
                f"{cls.__name__}.find_image_for: flytekit_version must be a str such as '1.2.0' or None, "
                f"got {_describe(flytekit_version)}"
            )
        suffix = flytekit_version.removeprefix("v") if flytekit_version else cls.get_version_suffix()
        return prefix + suffix

    @classmethod
    def get_version_suffix(cls) -> str:
        """The tag suffix of the default images: flyweight's version, or ``latest`` for a development
        version (one whose number contains ``dev``), as flytekit does with its own version."""
        if not __version__ or "dev" in __version__:
            return "latest"
        return __version__


class PlaceholderImageConfig(ImageConfig):
    """An image config in which every name resolves, for serializing tasks during local runs.

    A name the config does not hold becomes ``flyweight.local/<name>:placeholder``.
    """

    def find_image(self, name: str) -> Image:
        """The configured image called ``name``, else a made-up placeholder image of that name."""
        found = super().find_image(name)
        if found is not None:
            return found
        return Image(name=name, fqn=f"flyweight.local/{name}", tag="placeholder")
