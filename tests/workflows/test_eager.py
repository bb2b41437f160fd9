"""``@eager`` is refused with a message that says why and what to use instead."""

from __future__ import annotations

import pytest

import flyweight
from flyweight import eager
from flyweight.errors import NotSupportedError, UserError


async def main(x: int) -> int:
    return x


def test_the_bare_decorator_refuses_the_function() -> None:
    with pytest.raises(NotSupportedError, match=r"@eager 'main': .*remote API.*@dynamic") as info:
        eager(main)
    assert isinstance(info.value, UserError)
    assert isinstance(info.value, NotImplementedError)


def test_the_decorator_with_options_refuses_too() -> None:
    with pytest.raises(NotSupportedError, match="@eager 'main'"):
        eager(remote=None, client_secret_group="g")(main)


def test_it_is_importable_from_flyweight_as_from_flytekit() -> None:
    assert flyweight.eager is eager
