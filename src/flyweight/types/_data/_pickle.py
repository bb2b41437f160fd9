"""The pickle fallback: values of types no transformer handles travel as pickled blobs.

Flyte's Python SDK stores a value whose type it does not know (and ``typing.Any``) by pickling it
into a file under the raw output prefix and passing a single-part blob literal in the
``PythonPickle`` format; the literal type records ``str(type)`` as ``python_class_name``. flyweight
writes the same literals, so values cross between the two SDKs.

It pickles with the standard library at the highest protocol, which is what cloudpickle writes for
anything importable, so flytekit reads these files. The reverse has one limit: flytekit pickles
lambdas, closures and classes defined in ``__main__`` or inside functions *by value* with
cloudpickle, and those files load only where cloudpickle is installed (``pip install cloudpickle``).

Pickles only work between identical Python and library versions, so the fallback warns once per type.
Types that Flyte's Python SDK stores with a real transformer flyweight lacks (pydantic models,
numpy arrays, ``typing.Literal``...) are refused instead of pickled, since a pickle would change their
literal type.
"""

from __future__ import annotations

import collections.abc
import typing
import warnings
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from flyweight._idl import Literal, LiteralType
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._data._blob import PICKLE_FORMAT, SINGLE, blob_literal, blob_of, file_access
from flyweight.types._ir._describe import type_name
from flyweight.types._registry._transformer import TypeTransformer

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["FlytePickle", "FlytePickleTransformer"]

T = TypeVar("T")


class FlytePickle(Generic[T]):
    """The type of a value stored as a pickle: what ``guess_python_type`` gives for a
    ``PythonPickle`` blob. Reading a literal as ``FlytePickle`` returns the unpickled object.

    Example:
        >>> from flyweight.types import FlytePickle, TypeEngine
        >>> lit = TypeEngine.to_literal(None, {1, 2}, FlytePickle, None)
        >>> lit.scalar.blob.metadata.type.format
        'PythonPickle'
        >>> TypeEngine.to_python_value(None, lit, FlytePickle)
        {1, 2}
    """

    @classmethod
    def to_pickle(cls, ctx: FlyteContext | None, python_val: Any) -> str:
        """Pickle ``python_val`` to a new file under the raw output prefix; returns its URI."""
        import hashlib
        import pickle

        data = pickle.dumps(python_val, protocol=pickle.HIGHEST_PROTOCOL)
        fa = file_access(ctx)
        uri = fa.get_random_remote_path(hashlib.md5(data).hexdigest())
        fa.write_bytes(uri, data)
        return uri

    @classmethod
    def from_pickle(cls, uri: str, ctx: FlyteContext | None = None) -> Any:
        """The object pickled at ``uri``."""
        import pickle

        data = file_access(ctx).read_bytes(uri)
        try:
            return pickle.loads(data)
        except ModuleNotFoundError as e:
            if e.name == "cloudpickle":
                raise TypeTransformerFailedError(
                    f"the pickle at {uri!r} was written by cloudpickle (a lambda, closure or class "
                    "defined in a script); install cloudpickle to read it"
                ) from e
            raise TypeTransformerFailedError(f"cannot unpickle {uri!r}: {e}") from e
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
            raise TypeTransformerFailedError(f"cannot unpickle {uri!r}: {e}") from e


class FlytePickleTransformer(TypeTransformer[FlytePickle[Any]]):
    """Stores any value as a ``PythonPickle`` blob; the fallback for types with no transformer."""

    PYTHON_PICKLE_FORMAT = PICKLE_FORMAT

    def __init__(self) -> None:
        super().__init__("FlytePickle", FlytePickle)

    def assert_type(self, t: Any, v: Any) -> None:
        """Every value pickles (or fails to, in ``to_literal``)."""

    def get_literal_type(self, t: Any) -> LiteralType:
        return pickle_literal_type(t)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        return write_pickle(ctx, python_val, python_type)

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
        return read_pickle(ctx, lv, expected_python_type)

    def guess_python_type(self, literal_type: LiteralType) -> type[FlytePickle[Any]]:
        if (
            literal_type.WhichOneof("type") == "blob"
            and literal_type.blob.dimensionality == SINGLE
            and literal_type.blob.format == PICKLE_FORMAT
        ):
            return FlytePickle
        raise ValueError(f"transformer {self.name!r} cannot turn {literal_type} into a Python type")


def pickle_literal_type(t: Any) -> LiteralType:
    lt = LiteralType()
    lt.blob.format = PICKLE_FORMAT
    lt.blob.dimensionality = SINGLE
    lt.metadata.update({"python_class_name": str(t)})
    return lt


def write_pickle(ctx: FlyteContext | None, value: Any, python_type: Any) -> Literal:
    if value is None:
        raise TypeTransformerFailedError(
            f"expected {type_name(python_type)}, got None; a pickled value cannot be None "
            f"(annotate Optional[{type_name(python_type)}] to allow it)"
        )
    import pickle

    try:
        uri = FlytePickle.to_pickle(ctx, value)
    except (pickle.PicklingError, TypeError, AttributeError) as e:
        raise TypeTransformerFailedError(
            f"cannot pickle {type(value).__qualname__} (stored as a pickle because {type_name(python_type)} "
            f"has no type transformer): {e}"
        ) from e
    return blob_literal(uri, PICKLE_FORMAT, multipart=False)


def read_pickle(ctx: FlyteContext | None, lit: Literal, python_type: Any) -> Any:
    blob = blob_of(lit, f"{type_name(python_type)} (a pickle)", multipart=False)
    return FlytePickle.from_pickle(blob.uri, ctx)


_TRANSFORMER: list[FlytePickleTransformer] = []
_WARNED: set[str] = set()

# Types that Flyte's Python SDK converts with a transformer of its own (module.QualName of the type or
# of a base class). Pickling them would write a different literal type, so they are refused.
_NOT_PICKLED = {
    "typing.TextIO": "TextIO",
    "typing.BinaryIO": "BinaryIO",
    "collections.abc.Iterator": "iterators",
    "google.protobuf.message.Message": "protobuf messages",
    "pydantic.main.BaseModel": "pydantic models",
    "numpy.ndarray": "numpy arrays",
    "pandas.core.frame.DataFrame": "pandas DataFrames (as a StructuredDataset)",
    "pyarrow.lib.Table": "pyarrow Tables (as a StructuredDataset)",
    "torch.Tensor": "torch tensors",
    "torch.nn.modules.module.Module": "torch modules",
    "sklearn.base.BaseEstimator": "scikit-learn estimators",
    "PIL.Image.Image": "PIL images",
}


def transformer() -> FlytePickleTransformer:
    """The one pickle transformer (for the ``FlytePickle`` class and every fallback)."""
    if not _TRANSFORMER:
        _TRANSFORMER.append(FlytePickleTransformer())
    return _TRANSFORMER[0]


def fallback(annotation: Any, warn: bool = True) -> FlytePickleTransformer:
    """The transformer for ``annotation``, which has none of its own: the pickle transformer, after a
    warning (once per type) when ``warn``. Raises ``UnsupportedTypeError`` for types that must not be
    pickled. The type engine calls it (``TypeEngine.register_fallback``) for every such type, and for
    ``typing.Any`` outside a dataclass or dict."""
    refusal = _refusal(annotation)
    if refusal is not None:
        raise UnsupportedTypeError(refusal)
    if warn:
        warn_once(annotation)
    return transformer()


def warn_once(annotation: Any) -> None:
    key = str(annotation)
    if key in _WARNED:
        return
    _WARNED.add(key)
    name = (
        f"{annotation.__module__}.{annotation.__qualname__}"
        if isinstance(annotation, type) and annotation.__module__ != "builtins"
        else type_name(annotation)
    )
    why = (
        "typing.Any values are"
        if annotation is typing.Any
        else f"{name} has no type transformer, so its values are"
    )
    warnings.warn(
        f"{why} stored as pickles; a pickle "
        "can only be read by the same Python and library versions. Use a type Flyte supports or register "
        "a TypeTransformer for it.",
        UserWarning,
        stacklevel=3,
    )


def _refusal(annotation: Any) -> str | None:
    name = type_name(annotation)
    if isinstance(annotation, (str, typing.ForwardRef)):
        return (
            f"{name} is an unresolved forward reference; define the type before the task (or import it) "
            "so the annotation resolves"
        )
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return f"{name}: typing.Literal is not supported yet; annotate str (or an Enum) instead"
    if origin is collections.abc.Generator or annotation is collections.abc.Generator:
        # flytekit 1.16 reads collections.abc.Generator[T, ...] as Iterator[T] and pickles typing.Generator
        # (which fails for every generator value); flyweight takes neither (docs/compatibility.md T22a).
        return (
            f"{name} is not supported: annotate Iterator[T] instead (a generator function may be a task "
            "whose return is annotated Iterator[T]; its output is the collection of what it yields)"
        )
    target = origin if origin is not None else annotation
    mro = getattr(target, "__mro__", None)
    candidates = list(mro) if isinstance(target, type) and mro else [target]
    for cls in candidates:
        qualified = f"{getattr(cls, '__module__', '')}.{getattr(cls, '__qualname__', '')}"
        what = _NOT_PICKLED.get(qualified)
        if what is None and qualified.startswith("flytekit."):
            what = "flytekit's own types"
        if what is not None:
            return (
                f"no type transformer for {name}: Flyte's Python SDK stores {what} with a transformer of its "
                "own, which flyweight does not have; register a TypeTransformer for it with "
                "flyweight.extend.TypeEngine.register"
            )
    return None
