"""Image specs (flytekit.image_spec's names): describe a task's container image by what goes into it.

``ImageSpec`` computes the image's name exactly as flytekit does; ``CopyFileDetection`` says which
source files it copies (also in ``flyweight.constants``, where flytekit keeps it). Build the image with
``flyweight image build``; try its environment with ``flyweight run --in-image``.

Example:
    >>> from flyweight.image_spec import ImageSpec
    >>> ImageSpec(name="app", registry="ghcr.io/acme").image_name().startswith("ghcr.io/acme/app:")
    True
"""

from __future__ import annotations

from flyweight._settings._image_spec import CopyFileDetection, ImageSpec

__all__ = ["CopyFileDetection", "ImageSpec"]
