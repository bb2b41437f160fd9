"""flytekit's exception names in ``flyweight.errors``, against flytekit 1.16.14 (the oracle).

Each name flyweight provides keeps flytekit's relations (to the other names and to the builtins), and
what flyweight raises in a situation is caught by the ``except`` flytekit's exception of that situation
needs. Every other exception class of ``flytekit.exceptions`` fails to import with a hint.
"""

from __future__ import annotations

import importlib
import warnings
from types import ModuleType
from typing import Any

import pytest

from flyweight import errors
from flyweight._failure import Failure, classify

pytestmark = pytest.mark.oracle

PROVIDED = {
    # name: flytekit module it comes from
    "FlyteException": "flytekit.exceptions.base",
    "FlyteUserException": "flytekit.exceptions.user",
    "FlyteAssertion": "flytekit.exceptions.user",
    "FlyteValidationException": "flytekit.exceptions.user",
    "FlyteEntityNotExistException": "flytekit.exceptions.user",
    "FlyteTimeout": "flytekit.exceptions.user",
    "FlyteTypeException": "flytekit.exceptions.user",
    "FlyteValueException": "flytekit.exceptions.user",
    "FlyteRecoverableException": "flytekit.exceptions.user",
    "FlyteSystemException": "flytekit.exceptions.system",
    "FlyteNotImplementedException": "flytekit.exceptions.system",
    "RestrictedTypeError": "flytekit.core.type_engine",
}
BUILTINS = [TypeError, ValueError, AssertionError, NotImplementedError, RuntimeError, OSError, ImportError]


def _fk(name: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return getattr(importlib.import_module(PROVIDED[name]), name)


@pytest.fixture(scope="module")
def fk(flytekit: ModuleType) -> ModuleType:
    return flytekit


@pytest.mark.parametrize("name", sorted(PROVIDED))
def test_builtin_bases_are_flytekits(fk: ModuleType, name: str) -> None:
    ours, theirs = getattr(errors, name), _fk(name)
    for builtin in BUILTINS:
        if issubclass(theirs, builtin):
            assert issubclass(ours, builtin), f"{name} must be a {builtin.__name__}, as in flytekit"


@pytest.mark.parametrize("sub", sorted(PROVIDED))
@pytest.mark.parametrize("base", sorted(PROVIDED))
def test_relations_between_the_names_are_flytekits(fk: ModuleType, sub: str, base: str) -> None:
    if issubclass(_fk(sub), _fk(base)):
        assert issubclass(getattr(errors, sub), getattr(errors, base))


def test_every_flytekit_exception_is_provided_or_explained(fk: ModuleType) -> None:
    names = set()
    for module in ("base", "user", "system", "scopes"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mod = importlib.import_module(f"flytekit.exceptions.{module}")
        names |= {
            n
            for n, v in vars(mod).items()
            if isinstance(v, type) and issubclass(v, BaseException) and v.__module__ == mod.__name__
        }
    for name in sorted(names):
        if name in PROVIDED:
            assert name in errors.__all__
            continue
        with pytest.raises(ImportError, match=f"flyweight.errors does not provide flytekit's {name}: "):
            exec(f"from flyweight.errors import {name}", {})


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'FlyteNoSuchThing'"):
        _ = errors.FlyteNoSuchThing  # type: ignore[attr-defined]
    assert getattr(errors, "FlyteNoSuchThing", None) is None


# --------------------------------------------------------------------------------------------------
# flyweight's errors where flytekit raises its own


def _raised(f: Any) -> BaseException:
    try:
        f()
    except BaseException as e:
        return e
    raise AssertionError("nothing was raised")


def test_a_wrong_value_in_dict_to_literal_map_is_a_flyte_type_exception(fk: ModuleType) -> None:
    from flytekit.core.context_manager import FlyteContextManager as FkContext
    from flytekit.core.type_engine import TypeEngine as FkEngine

    from flyweight.types import TypeEngine

    theirs = _raised(
        lambda: FkEngine.dict_to_literal_map(FkContext.current_context(), {"a": "x"}, {"a": int})
    )
    ours = _raised(lambda: TypeEngine.dict_to_literal_map(None, {"a": "x"}, {"a": int}))
    assert isinstance(theirs, _fk("FlyteTypeException"))
    assert isinstance(ours, errors.FlyteTypeException)
    assert isinstance(ours, errors.TypeTransformerFailedError)


@pytest.mark.parametrize("annotation", ["tuple", "typing.Tuple", "tuple[int, str]", "typing.Tuple[int, str]"])
def test_a_tuple_type_is_a_restricted_type_error(fk: ModuleType, annotation: str) -> None:
    import typing

    from flytekit.core.type_engine import TypeEngine as FkEngine

    from flyweight.types import TypeEngine

    t = eval(annotation, {"typing": typing})
    assert isinstance(_raised(lambda: FkEngine.to_literal_type(t)), _fk("RestrictedTypeError"))
    ours = _raised(lambda: TypeEngine.to_literal_type(t))
    assert isinstance(ours, errors.RestrictedTypeError)
    assert "tuples are not supported" in str(ours)


def test_a_tuple_value_is_an_assertion_error_in_both(fk: ModuleType) -> None:
    from flytekit.core.context_manager import FlyteContextManager as FkContext
    from flytekit.core.type_engine import TypeEngine as FkEngine

    from flyweight.types import TypeEngine

    theirs = _raised(lambda: FkEngine.to_literal(FkContext.current_context(), (1, 2), tuple, None))
    ours = _raised(lambda: TypeEngine.to_literal(None, (1, 2), tuple, None))
    assert isinstance(theirs, AssertionError)
    assert isinstance(ours, AssertionError)
    assert isinstance(ours, errors.RestrictedTypeError)


def test_a_restricted_transformer_raises_restricted_type_error() -> None:
    from flyweight.types._registry._transformer import RestrictedTypeTransformer

    restricted = RestrictedTypeTransformer("non typed tuple", tuple)
    with pytest.raises(errors.RestrictedTypeError, match="tuple is not a Flyte type"):
        restricted.get_literal_type()


def test_an_input_without_annotation_is_a_flyte_user_and_validation_error(fk: ModuleType) -> None:
    import flytekit

    import flyweight

    def f(x):  # type: ignore[no-untyped-def]
        return 1

    theirs = _raised(lambda: flytekit.task(f))
    ours = _raised(lambda: flyweight.task(f))
    assert isinstance(theirs, _fk("FlyteUserException"))
    assert isinstance(ours, errors.FlyteUserException)
    assert isinstance(ours, errors.FlyteValidationException)


def test_an_unknown_workflow_input_is_a_flyte_assertion(fk: ModuleType) -> None:
    import flytekit

    import flyweight

    def build(task_decorator: Any, workflow_decorator: Any) -> None:
        @task_decorator
        def t(x: int) -> int:
            return x

        def w(x: int) -> int:
            return t(y=x)  # type: ignore[call-arg, no-any-return]

        wf = workflow_decorator(w)  # flyweight compiles here
        wf.compile()  # flytekit compiles here

    theirs = _raised(lambda: build(flytekit.task, flytekit.workflow))
    ours = _raised(lambda: build(flyweight.task, flyweight.workflow))
    assert isinstance(theirs, AssertionError)
    assert isinstance(ours, errors.FlyteAssertion)
    assert isinstance(ours, errors.WorkflowCompileError)


def test_a_failed_upload_is_a_flyte_system_exception(fk: ModuleType, tmp_path: Any) -> None:
    from flytekit.core.context_manager import FlyteContextManager as FkContext

    from flyweight.extend import FlyteContextManager

    missing, target = str(tmp_path / "missing"), str(tmp_path / "out" / "x")
    theirs = _raised(lambda: FkContext.current_context().file_access.put_data(missing, target))
    ours = _raised(lambda: FlyteContextManager.current_context().file_access.put_data(missing, target))
    assert isinstance(theirs, _fk("FlyteSystemException"))
    assert isinstance(ours, errors.FlyteSystemException)
    assert isinstance(ours, errors.StorageError)


# --------------------------------------------------------------------------------------------------
# Raised by ported code


def test_flyte_type_and_value_exceptions_have_flytekits_messages(fk: ModuleType) -> None:
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("FlyteTypeException", (str, int), {}),
        ("FlyteTypeException", (str, int), {"received_value": "x", "additional_msg": "more"}),
        ("FlyteTypeException", (str, [int, float]), {}),
        ("FlyteValueException", (3, "expected an even number"), {}),
    ]
    for name, args, kwargs in cases:
        theirs = _fk(name)(*args, **kwargs)
        ours = getattr(errors, name)(*args, **kwargs)
        assert str(ours) == theirs.args[0]  # flytekit's str() adds "USER:TypeError: error=" (P8)


@pytest.mark.parametrize(
    ("exc", "failure"),
    [
        (errors.FlyteAssertion("x"), Failure("USER", False, "USER:RuntimeError")),
        (errors.FlyteValidationException("x"), Failure("USER", False, "USER:RuntimeError")),
        (errors.FlyteUserException("x"), Failure("USER", False, "USER:RuntimeError")),
        (errors.FlyteRecoverableException("x"), Failure("USER", True, "USER:Recoverable")),
        (errors.FlyteSystemException("x"), Failure("SYSTEM", True, "SYSTEM")),
        (errors.FlyteNotImplementedException("x"), Failure("SYSTEM", True, "SYSTEM")),
    ],
)
def test_raised_from_task_code_they_are_reported_as_in_flytekit(exc: BaseException, failure: Failure) -> None:
    """The kind (USER / SYSTEM) and recoverability are flytekit's; the code is flyweight's (P8)."""
    assert classify(errors.mark_user_code(exc)) == failure


def test_the_aliases_are_flyweights_classes() -> None:
    assert errors.FlyteException is errors.FlyweightError
    assert errors.FlyteUserException is errors.UserError
    assert errors.FlyteRecoverableException is errors.RecoverableError
    assert issubclass(errors.TaskDefinitionError, errors.FlyteValidationException)
    assert issubclass(errors.WorkflowCompileError, errors.FlyteValidationException)
    assert issubclass(errors.StorageError, errors.FlyteSystemException)
    assert not issubclass(errors.UnsupportedLocationError("x").__class__, errors.FlyteRecoverableException)
    assert errors.UnsupportedLocationError.recoverable is False
