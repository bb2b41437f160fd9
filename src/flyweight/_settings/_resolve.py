"""Turning a task's ``container_image`` into the image string written into its container."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from flyweight._settings._images import ImageConfig
from flyweight.errors import TaskDefinitionError

if TYPE_CHECKING:
    import re

    from flyweight._settings._image_spec import ImageSpec

# {{.image.<name>.<attr>}}, {{ .images.<name> }}: an optional ':' in front (for digests), a name that
# may hold '-' and '_', and an optional attribute.
_PLACEHOLDER = (
    r"(?P<colon>:?)\{\{\s*\.images?\.(?P<name>[A-Za-z0-9_-]+)(?:\.(?P<attr>[A-Za-z0-9_-]+))?\s*\}\}"
)


@functools.lru_cache(maxsize=1)
def _placeholder_pattern() -> re.Pattern[str]:
    import re

    return re.compile(_PLACEHOLDER, re.IGNORECASE)


def resolve_image(image: str | ImageSpec | None, image_config: ImageConfig) -> str:
    """The image string a container runs, from a task's ``container_image`` and an image config.

    * ``None`` or ``""``: the config's default image.
    * An :class:`~flyweight._settings._image_spec.ImageSpec`: the config's image named by the spec's
      ``id`` when it has one (as flytekit), else the spec's ``image_name()``. Nothing is built or pushed.
    * A string with placeholders ``{{.image.<name>.fqn}}``, ``{{.image.<name>.version}}`` or
      ``{{.image.<name>}}`` (``.images`` works too; case and spaces inside the braces do not matter):
      each is replaced by that image's repository, version (tag or digest; the default image's when
      the named image has none) or full reference. When a version is a digest, a ``:`` right before
      its placeholder becomes ``@``, so ``{{.image.x.fqn}}:{{.image.x.version}}`` gives ``repo@sha256:...``.
    * Any other string: unchanged.

    Args:
        image: the task's ``container_image`` (a reference string or an image spec).
        image_config: the images the placeholders may name.

    Raises:
        TaskDefinitionError: no image and no default image; an unknown image name; an attribute other
            than ``fqn`` or ``version``; no version to fill in; ``image`` is neither a string nor an image
            spec; an image spec's files cannot be read.

    Example:
        >>> cfg = ImageConfig.from_images("ghcr.io/org/app:v1", {"gpu": "ghcr.io/org/gpu@sha256:ab12"})
        >>> resolve_image(None, cfg)
        'ghcr.io/org/app:v1'
        >>> resolve_image("{{.image.default.fqn}}:{{.image.default.version}}", cfg)
        'ghcr.io/org/app:v1'
        >>> resolve_image("{{.image.gpu.fqn}}:{{.image.gpu.version}}", cfg)
        'ghcr.io/org/gpu@sha256:ab12'
    """
    if image is None or (isinstance(image, str) and not image):
        default = image_config.default_image
        if default is None:
            raise TaskDefinitionError(
                "the task has no container image: pass container_image= or set a default image in "
                "ImageConfig (e.g. ImageConfig.from_images('ghcr.io/org/app:v1'))"
            )
        return default.full
    if not isinstance(image, str):
        from flyweight._settings._image_spec import ImageSpec

        if isinstance(image, ImageSpec):
            # the configured images only: a placeholder config would make one up for any name
            found = ImageConfig.find_image(image_config, image.id)
            return found.full if found is not None and found.full else image.image_name()
        raise TaskDefinitionError(
            f"container_image: expected an image reference string or an ImageSpec, got {type(image).__name__}"
        )
    if "{{" not in image:
        return image

    def substitute(match: re.Match[str]) -> str:
        colon, name, attr = match.group("colon"), match.group("name"), match.group("attr")
        found = image_config.find_image(name)
        if found is None:
            known = ", ".join(repr(n) for n in image_config.image_names()) or "none"
            raise TaskDefinitionError(
                f"container_image {image!r} refers to image {name!r}, which the image config does not "
                f"have (it has: {known}); add it to ImageConfig or fix the name"
            )
        if attr is None:
            return colon + found.full
        attr = attr.lower()
        if attr == "fqn":
            return colon + found.fqn
        if attr != "version":
            raise TaskDefinitionError(
                f"container_image {image!r}: a placeholder asks for image attribute {attr!r}; only fqn and "
                f"version are supported, e.g. {{{{.image.{name}.fqn}}}}:{{{{.image.{name}.version}}}}"
            )
        version = found.version
        if version is None and image_config.default_image is not None:
            version = image_config.default_image.version
        if version is None:
            raise TaskDefinitionError(
                f"container_image {image!r}: image {name!r} ({found.fqn}) has no tag or digest, and "
                "neither has the default image; give the image a tag"
            )
        if colon and ":" in version:  # a digest such as sha256:... follows '@', not ':'
            return "@" + version
        return colon + version

    return _placeholder_pattern().sub(substitute, image)
