"""Command-line options for the inputs of a task, workflow or launch plan, typed from its Python interface.

Each input ``x_y`` becomes ``--x-y`` (``--x_y`` is accepted too). Its text is parsed by the input's type:
``int``/``float``/``str``/``bool``; ISO ``datetime``/``date``; a ``timedelta`` as seconds or ``1h30m``;
an enum by value (``--help`` lists the choices); ``list``/``dict``/dataclasses from JSON, whose shape must fit
the type (no ``"1"`` for an int, no unknown dataclass fields: nothing is converted silently); ``FlyteFile`` /
``FlyteDirectory`` from a path or URI; ``Optional[T]`` also takes ``none``. The parsed value is checked
by the type engine, so a value the run would refuse is a usage error naming the input and its type
(exit status 2), before anything runs. Defaults are the interface's (a launch plan's saved inputs win),
shown in ``--help`` and applied by the engine, not by click.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
import re
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from flyweight._cli._shapes import admits_none, conform, is_union, optional_of, strip_annotated, type_name
from flyweight._interface import NO_DEFAULT
from flyweight.errors import TypeTransformerFailedError
from flyweight.types import TypeEngine

__all__ = ["InputType", "input_options", "option_name", "type_name"]

_NONE_WORDS = ("none", "null")
_TRUE = ("true", "t", "yes", "y", "1", "on")
_FALSE = ("false", "f", "no", "n", "0", "off")
_DURATION = re.compile(
    r"^(?:(?P<d>\d+(?:\.\d*)?)d)?(?:(?P<h>\d+(?:\.\d*)?)h)?(?:(?P<m>\d+(?:\.\d*)?)m)?"
    r"(?:(?P<s>\d+(?:\.\d*)?)s)?$"
)


def option_name(name: str) -> str:
    """``min_ms`` → ``--min-ms``."""
    return "--" + name.replace("_", "-")


def _blob_kind(py_type: Any) -> str | None:
    """``"file"`` / ``"directory"`` for FlyteFile / FlyteDirectory (or ``os.PathLike``), else None."""
    from flyweight.types import FlyteDirectory, FlyteFile

    cls = typing.get_origin(py_type) or py_type
    if not isinstance(cls, type):
        return None
    if issubclass(cls, FlyteDirectory):
        return "directory"
    if issubclass(cls, FlyteFile) or cls is os.PathLike:
        return "file"
    return None


def _bool(text: str) -> bool:
    low = text.strip().lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    raise ValueError("expected true or false")


def _timedelta(text: str) -> datetime.timedelta:
    try:
        return _duration(text.strip())
    except OverflowError:
        raise ValueError(f"longer than the longest duration ({datetime.timedelta.max.days} days)") from None


def _duration(text: str) -> datetime.timedelta:
    try:
        return datetime.timedelta(seconds=float(text))
    except ValueError:
        pass
    match = _DURATION.match(text)
    if text and match is not None:
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        return datetime.timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )
    if text.count(":") == 2 and re.fullmatch(r"\d+:\d+:\d+(?:\.\d*)?", text):
        h, m, s = text.split(":")
        return datetime.timedelta(hours=int(h), minutes=int(m), seconds=float(s))
    raise ValueError("expected seconds, HH:MM:SS or a duration like 1h30m")


def _datetime(text: str) -> datetime.datetime:
    value = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=datetime.timezone.utc)


def _blob(text: str, py_type: Any, kind: str) -> Any:
    from flyweight.types import FlyteDirectory, FlyteFile

    is_uri = "://" in text
    if not is_uri:
        path = Path(text).expanduser()
        if kind == "file" and not path.is_file():
            raise ValueError(f"no such file: {text!r}")
        if kind == "directory" and not path.is_dir():
            raise ValueError(f"no such directory: {text!r}")
        text = str(path.resolve())
    cls = typing.get_origin(py_type) or py_type
    if cls is os.PathLike:
        cls = FlyteFile
    if kind == "directory" and not issubclass(cls, FlyteDirectory):
        cls = FlyteDirectory
    return cls(text)


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON ({e.msg} at character {e.pos})") from None


def _from_json(text: str, py_type: Any) -> Any:
    raw = _json(text)
    conform(raw, py_type, "$")
    from mashumaro.codecs.basic import BasicDecoder

    try:
        return BasicDecoder(py_type).decode(raw)
    except Exception as e:  # mashumaro's errors name the field; keep its words
        raise ValueError(str(e) or type(e).__name__) from None


_SCALARS: dict[type, Callable[[str], object]] = {
    int: int,
    float: float,
    str: str,
    bool: _bool,
    datetime.datetime: _datetime,
    datetime.date: lambda t: datetime.date.fromisoformat(t.strip()),
    datetime.timedelta: _timedelta,
}


def parse_value(text: str, py_type: Any) -> Any:
    """The Python value of ``text`` for an input of type ``py_type``.

    Raises:
        ValueError: the text does not parse as that type (the message says why).
    """
    py_type = strip_annotated(py_type)
    if admits_none(py_type) and text.strip().lower() in _NONE_WORDS:
        return None
    inner = optional_of(py_type)
    if inner is not None:
        return parse_value(text, inner)
    if is_union(py_type):
        reasons = []
        for member in typing.get_args(py_type):
            if member is type(None):
                continue
            try:
                return parse_value(text, member)
            except ValueError as e:
                reasons.append(f"{type_name(member)}: {e}")
        raise ValueError("; ".join(reasons))
    if py_type in _SCALARS:
        return _SCALARS[py_type](text)
    if isinstance(py_type, type) and issubclass(py_type, enum.Enum):
        for member in py_type:
            if text in (str(member.value), member.name):
                return member
        raise ValueError(f"expected one of {', '.join(str(m.value) for m in py_type)}")
    kind = _blob_kind(py_type)
    if kind is not None:
        return _blob(text, py_type, kind)
    origin = typing.get_origin(py_type)
    if py_type in (list, dict) or origin in (list, dict) or dataclasses.is_dataclass(py_type):
        return _from_json(text, py_type)
    raise ValueError(f"inputs of type {type_name(py_type)} cannot be given on the command line yet")


def _check(value: object, py_type: Any) -> None:
    """Convert ``value`` with the type engine, as the run will (files and directories are not uploaded)."""
    if value is None or _blob_kind(optional_of(strip_annotated(py_type)) or py_type) is not None:
        return
    lt = TypeEngine.to_literal_type(py_type)
    TypeEngine.to_literal(None, value, py_type, lt)


class InputType(click.ParamType):  # type: ignore[type-arg,unused-ignore]
    """The click type of one input: parses the text and checks it as the run will."""

    def __init__(self, py_type: Any) -> None:
        self.py_type = py_type
        self.name = type_name(py_type)

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return self.name

    def get_missing_message(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return f"Expected a value of type {self.name}."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            parsed = parse_value(value, self.py_type)
            _check(parsed, self.py_type)
        except (ValueError, OverflowError, TypeTransformerFailedError) as e:
            self.fail(f"{value!r} is not a valid {self.name}: {e}", param, ctx)
        return parsed


def _display(value: object) -> str:
    if isinstance(value, enum.Enum):
        return str(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        try:
            return json.dumps(dataclasses.asdict(value))
        except TypeError:
            return repr(value)
    if isinstance(value, (list, dict)):
        try:
            return json.dumps(value)
        except TypeError:
            return repr(value)
    if isinstance(value, os.PathLike):
        return str(os.fspath(value))
    return str(value)


def _help(py_type: Any, description: str | None) -> str:
    bare = strip_annotated(py_type)
    inner = optional_of(bare) or bare
    how = ""
    if isinstance(inner, type) and issubclass(inner, enum.Enum):
        how = f"One of: {', '.join(str(m.value) for m in inner)}"
    elif typing.get_origin(inner) in (list, dict) or inner in (list, dict) or dataclasses.is_dataclass(inner):
        how = "As JSON."
    elif _blob_kind(inner) is not None:
        how = "A path or URI."
    elif inner in (datetime.datetime, datetime.date):
        how = "ISO 8601."
    elif inner is datetime.timedelta:
        how = "Seconds, HH:MM:SS or 1h30m."
    return " ".join(part for part in (how, description) if part)


def input_options(
    inputs: dict[str, tuple[Any, Any]],
    descriptions: dict[str, str] | None = None,
    reserved: frozenset[str] | set[str] = frozenset(),
) -> list[click.Option]:
    """One option per input (name → ``(type, default)``): required when there is no default and the
    type does not admit None.

    Raises:
        click.ClickException: an input's option clashes with one of ``reserved`` (the command's own).
    """
    options = []
    for name, (py_type, default) in inputs.items():
        flag = option_name(name)
        if flag in reserved or f"--{name}" in reserved:
            raise click.ClickException(
                f"input {name!r} has the name of an option of `flyweight run` ({flag}); rename the input"
            )
        names = [flag] if flag == f"--{name}" else [flag, f"--{name}"]
        # ``(T, None)`` is "no default" unless T admits None (then the default is None), as in Interface
        no_default = default is NO_DEFAULT or default is None
        required = no_default and not admits_none(py_type)
        text = _help(py_type, (descriptions or {}).get(name))
        if not required:
            text += f"  [default: {'none' if no_default else _display(default)}]"
        options.append(
            click.Option(
                [*names, name],
                type=InputType(py_type),
                required=required,
                help=text,
            )
        )
    return options
