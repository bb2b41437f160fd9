"""Task metadata (retries, timeout, cache …), deck fields and documentation, as plain data.

``TaskMetadata`` keeps flytekit's 13 fields in flytekit's order (positional construction works) and
its validation; the serializer turns it into ``flyteidl.core.TaskMetadata``.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Iterable

from flyweight.errors import TaskDefinitionError

__all__ = ["DeckField", "Description", "Documentation", "SourceCode", "TaskMetadata"]


@dataclasses.dataclass
class TaskMetadata:
    """How Flyte runs a task: caching, retries, timeout, interruptibility, deck, pod labels.

    Example:
        >>> TaskMetadata(retries=2, timeout=30).timeout
        datetime.timedelta(seconds=30)
        >>> TaskMetadata(cache=True, cache_version="1").cache_version
        '1'
    """

    cache: bool = False
    cache_serialize: bool = False
    cache_version: str = ""
    cache_ignore_input_vars: tuple[str, ...] = ()
    interruptible: bool | None = None
    deprecated: str = ""
    retries: int = 0
    timeout: datetime.timedelta | int | None = None
    pod_template_name: str | None = None
    generates_deck: bool = False
    is_eager: bool = False
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.timeout:
            if isinstance(self.timeout, int) and not isinstance(self.timeout, bool):
                self.timeout = datetime.timedelta(seconds=self.timeout)
            elif not isinstance(self.timeout, datetime.timedelta):
                raise TaskDefinitionError(
                    "timeout should be duration represented as either a datetime.timedelta or int seconds"
                )
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or self.retries < 0:
            raise TaskDefinitionError(f"retries must be a non-negative int, got {self.retries!r}")
        if not isinstance(self.cache, bool):
            raise TaskDefinitionError(
                f"TaskMetadata(cache={self.cache!r}): expected True or False (with cache_version=); a "
                "flyweight.Cache is given to @task(cache=Cache(...)), which fills these fields"
            )
        if self.cache and not self.cache_version:
            raise TaskDefinitionError("Caching is enabled ``cache=True`` but ``cache_version`` is not set.")
        if self.cache_serialize and not self.cache:
            raise TaskDefinitionError(
                "Cache serialize is enabled ``cache_serialize=True`` but ``cache`` is not enabled."
            )
        if self.cache_ignore_input_vars and not self.cache:
            raise TaskDefinitionError(
                "Cache ignore input vars are specified "
                f"``cache_ignore_input_vars={self.cache_ignore_input_vars}`` "
                "but ``cache`` is not enabled."
            )

    @property
    def retry_strategy(self) -> int:
        """The number of retries (flytekit returns a model wrapping it)."""
        return self.retries


class DeckField(str, enum.Enum):
    """The decks a task can render."""

    INPUT = "Input"
    OUTPUT = "Output"
    SOURCE_CODE = "Source Code"
    TIMELINE = "Timeline"
    DEPENDENCIES = "Dependencies"


DEFAULT_DECK_FIELDS: tuple[DeckField, ...] = (
    DeckField.SOURCE_CODE,
    DeckField.DEPENDENCIES,
    DeckField.TIMELINE,
    DeckField.INPUT,
    DeckField.OUTPUT,
)


@dataclasses.dataclass
class Description:
    """Long documentation of a task (text or a link to it).

    ``format`` is a ``flyteidl`` ``DescriptionFormat`` number: 0 unknown, 1 Markdown, 2 HTML, 3 reST
    (the default, as in flytekit).
    """

    value: str | None = None
    uri: str | None = None
    icon_link: str | None = None
    format: int = 3


@dataclasses.dataclass
class SourceCode:
    """A link to a task's source."""

    link: str | None = None


@dataclasses.dataclass
class Documentation:
    """What the registration form (``TaskSpec.description``) says about a task."""

    short_description: str | None = None
    long_description: Description | None = None
    source_code: SourceCode | None = None


def deck_settings(
    enable_deck: bool | None, disable_deck: bool | None, deck_fields: Iterable[DeckField | str] | None
) -> tuple[bool, list[DeckField]]:
    """``(decks_disabled, fields)`` from the three deck arguments, validated as flytekit does."""
    import warnings

    if disable_deck is not None and enable_deck is not None:
        raise TaskDefinitionError("only one of [disable_deck, enable_deck] can be set")
    if disable_deck is not None:
        warnings.warn(
            "disable_deck was deprecated in 1.10.0, please use enable_deck instead",
            FutureWarning,
            stacklevel=4,
        )
    if enable_deck is not None:
        disabled = not enable_deck
    elif disable_deck is not None:
        disabled = bool(disable_deck)
    else:
        disabled = True
    fields: list[DeckField] = []
    if deck_fields is not None and enable_deck:
        members = [f.value for f in DeckField]
        for f in deck_fields:
            if f not in members:
                raise TaskDefinitionError(
                    f"Element {f} from deck_fields param is not a valid deck field. "
                    f"Please use one of {list(DeckField)}"
                )
            fields.append(DeckField(f))
    return disabled, fields
