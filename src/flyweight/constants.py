"""Constants users pass to flyweight (flytekit.constants' names): ``CopyFileDetection``, which source files
an :class:`~flyweight.ImageSpec` copies into its image.

Example:
    >>> from flyweight.constants import CopyFileDetection
    >>> CopyFileDetection.LOADED_MODULES.value
    1
"""

from __future__ import annotations

from flyweight._settings._image_spec import CopyFileDetection

__all__ = ["CopyFileDetection"]
