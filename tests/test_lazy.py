"""The façades' one list of public names: ``flyweight._lazy.reexports`` reads it, and refuses other shapes."""

from __future__ import annotations

import pytest

from flyweight._lazy import reexports


def test_single_and_parenthesised_imports_with_renames() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from a.b import x as x  # a comment\n"
        "    from c import (\n"
        "        y as y,\n"
        "        z_impl as z,\n"
        "    )\n"
        "\n"
        "__getattr__ = None\n"
    )
    assert reexports(source) == {"x": ("a.b", "x"), "y": ("c", "y"), "z": ("c", "z_impl")}


def test_a_name_without_as_is_refused_with_the_fix() -> None:
    with pytest.raises(ImportError, match="from m import x as x"):
        reexports("if TYPE_CHECKING:\n    from m import x\n", "pkg")


def test_anything_else_in_the_block_is_refused() -> None:
    with pytest.raises(ImportError, match="only `from M import X as X`.*'import os'"):
        reexports("if TYPE_CHECKING:\n    from m import x as x\n    import os\n", "pkg")


def test_a_facade_without_the_block_is_refused() -> None:
    with pytest.raises(ImportError, match="TYPE_CHECKING"):
        reexports("x = 1\n", "pkg")
