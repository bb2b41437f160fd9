"""What plugin authors reach through ``flytekit.extend``, ``flytekit.lazy_import`` and ``flytekit.loggers``,
against flytekit 1.16.14 (the oracle): each name is provided, or fails with an ImportError saying what to
use instead (P5 to P7 in ``docs/compatibility.md``)."""

from __future__ import annotations

import importlib
import logging
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import flyweight.extend as extend
from flyweight.extend import context_manager, lazy_module

pytestmark = pytest.mark.oracle

NOT_PROVIDED = ["TaskPlugins", "DictTransformer", "ClassStorageTaskResolver", "backend"]


@pytest.fixture(scope="module")
def fk_extend(flytekit: ModuleType) -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module("flytekit.extend")


# --------------------------------------------------------------------------------------------------
# flytekit.extend


def test_every_name_of_flytekit_extend_is_provided_or_explained(fk_extend: ModuleType) -> None:
    names = {n for n in dir(fk_extend) if not n.startswith("_")} | set(NOT_PROVIDED)
    for name in sorted(names):
        if name in NOT_PROVIDED:
            with pytest.raises(
                ImportError, match=f"flyweight.extend does not provide flytekit.extend's {name}: "
            ):
                exec(f"from flyweight.extend import {name}", {})
        else:
            assert name in extend.__all__, f"flytekit.extend.{name} is missing from flyweight.extend"
            assert getattr(extend, name) is not None


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = extend.Nope  # type: ignore[attr-defined]
    assert getattr(extend, "Nope", None) is None


def test_t_is_the_type_variable_of_type_transformer() -> None:
    from flyweight.extend import T, TypeTransformer

    assert T in TypeTransformer.__parameters__


def test_python_version_and_default_images_come_from_extend() -> None:
    from flyweight.extend import DefaultImages, PythonVersion

    assert DefaultImages.find_image_for(PythonVersion.PYTHON_3_11, "1.0").endswith(":py3.11-1.0")


# --------------------------------------------------------------------------------------------------
# context_manager


def test_context_manager_has_the_classes_plugins_use(fk_extend: ModuleType) -> None:
    theirs = fk_extend.context_manager
    for name in context_manager.__all__:
        assert hasattr(theirs, name), f"flytekit's context_manager has no {name}"
    for name in [
        "FlyteContext",
        "FlyteContextManager",
        "ExecutionParameters",
        "ExecutionState",
        "SecretsManager",
    ]:
        assert getattr(context_manager, name) is getattr(extend, name)


def test_current_context_as_plugins_call_it(fk_extend: ModuleType) -> None:
    fk_ctx = fk_extend.context_manager.FlyteContextManager.current_context()
    ctx = context_manager.FlyteContextManager.current_context()
    assert isinstance(ctx, context_manager.FlyteContext)
    assert context_manager.FlyteContext.current_context() is ctx
    assert isinstance(fk_ctx.user_space_params, fk_extend.context_manager.ExecutionParameters)
    assert isinstance(ctx.user_space_params, context_manager.ExecutionParameters)
    assert ctx.file_access is not None


@pytest.mark.parametrize(
    "name", ["CompilationState", "BranchEvalMode", "FlyteEntities", "OutputMetadataTracker"]
)
def test_compiler_parts_of_context_manager_are_explained(fk_extend: ModuleType, name: str) -> None:
    assert hasattr(fk_extend.context_manager, name)
    with pytest.raises(ImportError, match=f"context_manager does not provide flytekit's {name}: "):
        getattr(context_manager, name)


def test_context_manager_unknown_name_is_an_attribute_error() -> None:
    assert getattr(context_manager, "Nope", None) is None


# --------------------------------------------------------------------------------------------------
# lazy_module


@pytest.fixture
def probe_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path whose modules ``probe_<x>`` write ``<x>.ran`` when their code runs."""
    monkeypatch.syspath_prepend(str(tmp_path))
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("probe_"):
            del sys.modules[name]


def _probe(directory: Path, name: str, body: str = "VALUE = 42\n") -> str:
    ran = directory / f"{name}.ran"
    (directory / f"probe_{name}.py").write_text(f"open({str(ran)!r}, 'w').close()\n{body}")
    importlib.invalidate_caches()
    return f"probe_{name}"


@pytest.mark.parametrize("which", ["flytekit", "flyweight"])
def test_the_module_runs_on_first_attribute_access(flytekit: ModuleType, probe_dir: Path, which: str) -> None:
    from flytekit.lazy_import.lazy_module import lazy_module as fk_lazy_module

    load = fk_lazy_module if which == "flytekit" else lazy_module
    name = _probe(probe_dir, which)
    module = load(name)
    assert not (probe_dir / f"{which}.ran").exists()
    assert sys.modules[name] is module
    assert module.VALUE == 42
    assert (probe_dir / f"{which}.ran").exists()
    assert load(name) is module


@pytest.mark.parametrize("which", ["flytekit", "flyweight"])
def test_an_imported_module_is_returned_as_it_is(flytekit: ModuleType, which: str) -> None:
    from flytekit.lazy_import.lazy_module import lazy_module as fk_lazy_module

    load = fk_lazy_module if which == "flytekit" else lazy_module
    import json

    assert load("json") is json


def test_a_missing_module_fails_on_first_use_naming_it(flytekit: ModuleType) -> None:
    from flytekit.lazy_import.lazy_module import lazy_module as fk_lazy_module

    theirs = fk_lazy_module("no_such_module_xyz")
    with pytest.raises(ImportError, match="no_such_module_xyz"):
        _ = theirs.anything
    ours = lazy_module("no_such_module_xyz")  # no error yet
    assert "no_such_module_xyz" not in sys.modules
    with pytest.raises(
        ModuleNotFoundError, match=r"module 'no_such_module_xyz' is not installed .*\.frame"
    ) as e:
        _ = ours.frame
    assert e.value.name == "no_such_module_xyz"
    assert ours.__name__ == "no_such_module_xyz"  # P5: it still looks like a module to tools
    assert "missing module 'no_such_module_xyz'" in repr(ours)
    assert getattr(ours, "__file__", None) is None


def test_a_missing_parent_package_fails_on_first_use_too(flytekit: ModuleType) -> None:
    from flytekit.lazy_import.lazy_module import lazy_module as fk_lazy_module

    with pytest.raises(ModuleNotFoundError):  # P5: flytekit fails at once
        fk_lazy_module("no_such_pkg_xyz.sub")
    ours = lazy_module("no_such_pkg_xyz.sub")
    with pytest.raises(
        ModuleNotFoundError, match=r"'no_such_pkg_xyz\.sub' is not installed.*no_such_pkg_xyz"
    ):
        _ = ours.thing


def test_a_module_that_fails_to_import_fails_on_first_use(probe_dir: Path) -> None:
    name = _probe(probe_dir, "broken", "raise RuntimeError('broken module')\n")
    module = lazy_module(name)
    with pytest.raises(RuntimeError, match="broken module"):
        _ = module.VALUE


@pytest.mark.parametrize("bad", ["", None, 3])
def test_a_bad_name_is_a_type_error(bad: Any) -> None:
    with pytest.raises(TypeError, match="lazy_module: expected a module name such as 'pandas'"):
        lazy_module(bad)


# --------------------------------------------------------------------------------------------------
# loggers


def test_the_package_logger(flytekit: ModuleType) -> None:
    from flytekit.loggers import logger as fk_logger

    from flyweight.loggers import logger

    assert isinstance(fk_logger, logging.Logger)
    assert fk_logger.name == "flytekit"
    assert isinstance(logger, logging.Logger)
    assert logger.name == "flyweight"
    assert logging.getLogger("flyweight.types").parent is logger
