"""Typed task configuration: a dataclass ``task_config`` ⇄ the template's ``custom`` Struct.

A Struct stores every number as a double, so a config read back naively has ``3.0`` where the author
wrote ``3``. :func:`config_to_custom` writes a dataclass's fields as JSON-like data and
:func:`custom_to_config` rebuilds the dataclass with each field's declared type restored.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import types
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from flyweight.errors import TaskDefinitionError, TemplateError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["config_to_custom", "custom_to_config"]

C = TypeVar("C")


def config_to_custom(config: DataclassInstance) -> dict[str, object]:
    """The JSON-like dict stored in ``custom`` for a dataclass ``config``."""
    return {
        f.name: _plain(getattr(config, f.name), f"task_config.{f.name}") for f in dataclasses.fields(config)
    }


def _plain(value: object, where: str) -> object:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return _plain(value.value, where)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name), f"{where}.{f.name}") for f in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TaskDefinitionError(
                    f"{where}: dict keys must be strings to be stored in a template, got {k!r}"
                )
            out[k] = _plain(v, f"{where}[{k!r}]")
        return out
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    raise TaskDefinitionError(
        f"{where}: a {type(value).__name__} cannot be stored in a task template; use JSON-like field types "
        "(bool, int, float, str, enums, lists, dicts, dataclasses, dates) or override get_custom"
    )


def custom_to_config(custom: Mapping[str, object], cls: type[C]) -> C:
    """Rebuild the dataclass ``cls`` from ``custom`` with field types restored (``3.0`` → ``3`` for an int).

    Raises:
        TemplateError: a field is missing or does not fit its declared type.
    """
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TaskDefinitionError(f"custom_as takes a dataclass type, got {cls!r}")
    return typing.cast(C, _typed(custom, cls, "custom"))


def _typed(value: Any, tp: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin is typing.Union or isinstance(tp, types.UnionType):
        options = typing.get_args(tp)
        if value is None and type(None) in options:
            return None
        errors = []
        for opt in options:
            if opt is type(None):
                continue
            try:
                return _typed(value, opt, where)
            except TemplateError as e:
                errors.append(str(e))
        raise TemplateError(errors[0] if errors else f"{where}: no value")
    if origin is typing.Annotated:
        return _typed(value, typing.get_args(tp)[0], where)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        if not isinstance(value, Mapping):
            raise _bad(where, tp, value)
        hints = typing.get_type_hints(tp)
        kwargs = {}
        for f in dataclasses.fields(tp):
            if not f.init:
                continue
            if f.name in value:
                kwargs[f.name] = _typed(value[f.name], hints[f.name], f"{where}.{f.name}")
            elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise TemplateError(f"{where}: field {f.name!r} of {tp.__name__} is missing")
        return tp(**kwargs)
    if origin in (list, tuple, set, frozenset) or tp in (list, tuple):
        if not isinstance(value, list | tuple):
            raise _bad(where, tp, value)
        args = typing.get_args(tp)
        item = args[0] if args else Any
        items = [_typed(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        container = origin or tp
        return items if container is list else container(items)
    if origin is dict or tp is dict:
        if not isinstance(value, Mapping):
            raise _bad(where, tp, value)
        args = typing.get_args(tp)
        val_t = args[1] if len(args) == 2 else Any
        return {k: _typed(v, val_t, f"{where}[{k!r}]") for k, v in value.items()}
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise _bad(where, tp, value)
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise _bad(where, tp, value)
    if tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        raise _bad(where, tp, value)
    if tp is str:
        if isinstance(value, str):
            return value
        raise _bad(where, tp, value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            for member in tp:
                if isinstance(value, float) and member.value == value:
                    return member
            raise _bad(where, tp, value) from None
    if tp is datetime.datetime or tp is datetime.date:
        try:
            return tp.fromisoformat(value)
        except (TypeError, ValueError):
            raise _bad(where, tp, value) from None
    if tp is datetime.timedelta:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.timedelta(seconds=value)
        raise _bad(where, tp, value)
    return value


def _bad(where: str, tp: object, value: object) -> TemplateError:
    name = getattr(tp, "__name__", None) or repr(tp)
    return TemplateError(f"{where}: expected {name}, got {type(value).__name__} {value!r}")
