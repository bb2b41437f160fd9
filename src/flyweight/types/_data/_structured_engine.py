"""The structured-dataset transformer: dataframes and ``StructuredDataset`` ⇄ structured-dataset literals.

One transformer serves every table type (``StructuredDataset``, ``pandas.DataFrame``,
``pyarrow.Table`` and whatever a plugin adds), as in Flyte's Python SDK: the type engine hands it the
value, and it picks an *encoder* (or *decoder*) by dataframe type, storage protocol and format from
its registry. Handlers for pandas and pyarrow (``_structured_handlers``) are registered the first
time one of those types is used, so neither library is imported before a program uses it.

Literals are byte-identical to the ones Flyte's Python SDK writes: the literal carries the URI, the
format the handler wrote, and the columns the task declared.
"""

from __future__ import annotations

import threading
import types
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from flyweight._idl import (
    Literal,
    LiteralType,
    Scalar,
    StructuredDatasetLiteral,
    StructuredDatasetMetadata,
    StructuredDatasetType,
    as_message,
)
from flyweight._storage import FileAccess, protocol_of
from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError
from flyweight.types._data._stand_ins import dataset_stand_in, reference
from flyweight.types._data._structured import (
    GENERIC_FORMAT,
    H,
    Handler,
    Renderable,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    Table as _Table,
    add_handler,
    handlers_for,
    is_dataset_class,
)
from flyweight.types._data._structured_columns import (
    SCHEMA_TO_SIMPLE,
    add_dataset_columns,
    dataset_spec,
    dataset_type,
)
from flyweight.types._data._structured_handlers import register_builtin_handlers
from flyweight.types._data._structured_io import (
    copy_to_raw_output,
    current_file_access,
    literal_from_reference,
)
from flyweight.types._ir._describe import describe_literal, describe_value, type_name
from flyweight.types._registry._engine import TypeEngine
from flyweight.types._registry._transformer import TypeTransformer

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["DuplicateHandlerError", "StructuredDatasetTransformerEngine", "dataset_engine"]

DuplicateHandlerError = TransformerRegistrationError
"""Raised when a handler is registered twice for the same type, protocol and format."""

ANY_PROTOCOL = "fsspec"  # the registry key of handlers that work with every protocol (Flyte's name)


class StructuredDatasetTransformerEngine(TypeTransformer[StructuredDataset]):
    """Converts every table type to and from structured-dataset literals, through registered handlers.

    Plugin authors add a dataframe library by registering an encoder and a decoder:
    ``StructuredDatasetTransformerEngine.register(MyEncoder())``.
    """

    ENCODERS: ClassVar[_Table[StructuredDatasetEncoder[Any]]] = {}
    DECODERS: ClassVar[_Table[StructuredDatasetDecoder[Any]]] = {}
    DEFAULT_PROTOCOLS: ClassVar[dict[type, str]] = {}
    DEFAULT_FORMATS: ClassVar[dict[type, str]] = {}
    Renderers: ClassVar[dict[type, Renderable]] = {}

    def __init__(self) -> None:
        super().__init__("StructuredDataset Transformer", StructuredDataset, enable_type_assertions=False)

    # -- registry ---------------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        h: Handler,
        default_for_type: bool = False,
        override: bool = False,
        default_format_for_type: bool = False,
        default_storage_for_type: bool = False,
    ) -> None:
        """Register an encoder or decoder, and make the type engine send its dataframe type here.

        Args:
            h: a :class:`StructuredDatasetEncoder` or :class:`StructuredDatasetDecoder`.
            default_for_type: use its protocol and format for plain dataframes of its type.
            override: replace a handler registered for the same type, protocol and format.
            default_format_for_type: use its format for plain dataframes of its type.
            default_storage_for_type: use its protocol for plain dataframes of its type.

        Raises:
            DuplicateHandlerError: a handler is registered for that type, protocol and format already.
        """
        if not isinstance(h, (StructuredDatasetEncoder, StructuredDatasetDecoder)):
            raise TransformerRegistrationError(
                f"expected a StructuredDatasetEncoder or StructuredDatasetDecoder, got {describe_value(h)}"
            )
        if h.protocol is None:
            if default_for_type:
                raise TransformerRegistrationError(
                    f"{type(h).__name__} works with every protocol, so it cannot be the default for "
                    f"{type_name(h.python_type)}; pass default_format_for_type=True instead"
                )
            protocol = ANY_PROTOCOL
        elif h.protocol == "":
            raise TransformerRegistrationError(f"{type(h).__name__}: use protocol=None, not ''")
        else:
            protocol = "file" if h.protocol == "/" else h.protocol
        with _LOCK:
            if isinstance(h, StructuredDatasetEncoder):
                add_handler(cls.ENCODERS, h, protocol, override)
            else:
                add_handler(cls.DECODERS, h, protocol, override)
            if (
                (default_format_for_type or default_for_type)
                and h.supported_format != GENERIC_FORMAT
                and (override or h.python_type not in cls.DEFAULT_FORMATS)
            ):
                cls.DEFAULT_FORMATS[h.python_type] = h.supported_format
            if (default_storage_for_type or default_for_type) and (
                override or h.python_type not in cls.DEFAULT_PROTOCOLS
            ):
                cls.DEFAULT_PROTOCOLS[h.python_type] = protocol
        TypeEngine.register_additional_type(dataset_engine(), h.python_type)

    @classmethod
    def register_renderer(cls, python_type: type, renderer: Renderable) -> None:
        """Use ``renderer.to_html(df)`` to show dataframes of ``python_type`` in decks."""
        cls.Renderers[python_type] = renderer

    @classmethod
    def get_encoder(cls, df_type: type, protocol: str, format: str) -> StructuredDatasetEncoder[Any]:
        """The encoder for ``df_type`` writing ``format`` to ``protocol``."""
        return cls._finder(cls.ENCODERS, "encoder", df_type, protocol, format)

    @classmethod
    def get_decoder(cls, df_type: type, protocol: str, format: str) -> StructuredDatasetDecoder[Any]:
        """The decoder reading ``format`` from ``protocol`` as ``df_type``."""
        return cls._finder(cls.DECODERS, "decoder", df_type, protocol, format)

    @classmethod
    def _finder(cls, table: _Table[H], what: str, df_type: type, protocol: str, fmt: str) -> H:
        by_protocol = handlers_for(table, df_type)
        if by_protocol is None and load_builtin_handlers(df_type):
            by_protocol = handlers_for(table, df_type)
        if by_protocol is None:
            known = sorted(type_name(t) for t in table)
            raise TypeTransformerFailedError(
                f"no structured-dataset {what} for {type_name(df_type)}; the table types with one are "
                f"{', '.join(known) or 'none'} (install 'flyweight[pandas]' for pandas and pyarrow, "
                "or register a handler with StructuredDatasetTransformerEngine.register)"
            )
        default = cls.DEFAULT_FORMATS.get(df_type)
        for proto in (protocol, ANY_PROTOCOL):
            handlers = by_protocol.get(proto)
            if not handlers:
                continue
            if fmt in handlers:
                return handlers[fmt]
            if GENERIC_FORMAT in handlers:
                return handlers[GENERIC_FORMAT]
            if fmt == GENERIC_FORMAT:
                if default in handlers:
                    return handlers[default]
                if len(handlers) == 1:
                    return next(iter(handlers.values()))
        formats = sorted({f or "(any)" for p in (protocol, ANY_PROTOCOL) for f in by_protocol.get(p, {})})
        raise TypeTransformerFailedError(
            f"no structured-dataset {what} for {type_name(df_type)} in format {fmt!r} over {protocol}://; "
            f"the supported formats are {formats}"
        )

    # -- TypeTransformer --------------------------------------------------------------------------

    def assert_type(self, t: Any, v: Any) -> None:
        return

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(structured_dataset_type=dataset_type(t))

    def guess_python_type(self, literal_type: LiteralType) -> type[StructuredDataset]:
        if literal_type.HasField("structured_dataset_type"):
            return StructuredDataset
        raise ValueError(f"{self.name} cannot turn {literal_type} into a Python type")

    # -- as a dataclass field (see flyweight.types._ir._nodes.Custom) ------------------------------

    def _to_plain(self, ctx: Any, python_val: Any, python_type: Any) -> Any:
        """``{"uri": ..., "file_format": ...}``, after writing the dataframe, as Flyte's Python SDK
        stores a ``StructuredDataset`` field."""
        if not isinstance(python_val, StructuredDataset) and not has_encoder(type(python_val)):
            raise TypeTransformerFailedError(
                f"expected {type_name(python_type)}, got {describe_value(python_val)}"
            )
        sd = self.to_literal(ctx, python_val, python_type, None).scalar.structured_dataset
        return {"uri": sd.uri, "file_format": sd.metadata.structured_dataset_type.format}

    def _from_plain(self, ctx: Any, plain: Any, python_type: Any) -> Any:
        uri = reference(plain, "uri", type_name(python_type))
        fmt = plain.get("file_format") or GENERIC_FORMAT
        metadata = StructuredDatasetMetadata(structured_dataset_type=StructuredDatasetType(format=fmt))
        lit = Literal(scalar=Scalar(structured_dataset=StructuredDatasetLiteral(uri=uri, metadata=metadata)))
        return self.to_python_value(ctx, lit, python_type)

    def _schema_stand_in(self, python_type: Any) -> Any:
        """Only ``StructuredDataset`` (any columns) is a dataclass field; a bare dataframe is not."""
        return dataset_stand_in() if is_dataset_class(dataset_spec(python_type).base) else None

    def to_literal(
        self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        fa = current_file_access(ctx)
        base = dataset_spec(python_type).base
        if is_dataset_class(base) and not isinstance(python_val, StructuredDataset):
            # A bare dataframe where a StructuredDataset is declared: what a plugin executor returns
            # for a template's structured-dataset output. Store it as its own type would be.
            if not has_encoder(type(python_val)):
                raise TypeTransformerFailedError(
                    f"expected a StructuredDataset or a dataframe, got {describe_value(python_val)}; "
                    "return StructuredDataset(dataframe=df) or StructuredDataset(uri=...)"
                )
            base = type(python_val)
        if isinstance(base, type) and not is_dataset_class(base):
            has_encoder(base)  # loads pandas' / pyarrow's handlers, which set their default format
        sdt = StructuredDatasetType(format=self.DEFAULT_FORMATS.get(base, GENERIC_FORMAT))
        if expected is not None and expected.HasField("structured_dataset_type"):
            sdt.CopyFrom(expected.structured_dataset_type)
        if isinstance(python_val, StructuredDataset):
            return self._dataset_to_literal(ctx, fa, python_val, sdt)
        if isinstance(base, type) and not isinstance(python_val, base):
            raise TypeTransformerFailedError(f"expected {type_name(base)}, got {describe_value(python_val)}")
        sd = StructuredDataset(dataframe=python_val)
        fmt = self.DEFAULT_FORMATS.get(base, GENERIC_FORMAT)
        protocol = self.DEFAULT_PROTOCOLS.get(base) or protocol_of(fa.raw_output_prefix)
        return self.encode(ctx, sd, base, protocol, fmt, sdt)

    def _dataset_to_literal(
        self, ctx: FlyteContext | None, fa: FileAccess, sd: StructuredDataset, sdt: StructuredDatasetType
    ) -> Literal:
        if sd._literal_sd is not None:  # read from an input, or written already: pass it on as it is
            if not sd._already_uploaded and sd.dataframe is not None:
                raise TypeTransformerFailedError(
                    "this StructuredDataset has both a literal (it was read from an input) and a "
                    "dataframe; return a new StructuredDataset(dataframe=...) instead"
                )
            return Literal(scalar=Scalar(structured_dataset=sd._literal_sd))
        if sd.dataframe is None:
            if not sd.uri:
                raise TypeTransformerFailedError(
                    "a StructuredDataset needs a dataframe or a uri; got neither. Make it with "
                    "StructuredDataset(dataframe=df) or StructuredDataset(uri=..., file_format=...)"
                )
            uri = copy_to_raw_output(fa, sd.uri)
            if sdt.format == GENERIC_FORMAT and sd.file_format != GENERIC_FORMAT:
                sdt.format = sd.file_format
            metadata = StructuredDatasetMetadata(structured_dataset_type=sdt)
            return Literal(
                scalar=Scalar(structured_dataset=StructuredDatasetLiteral(uri=uri, metadata=metadata))
            )
        df_type = type(sd.dataframe)
        protocol = self.DEFAULT_PROTOCOLS.get(df_type) or protocol_of(sd.uri or fa.raw_output_prefix)
        return self.encode(ctx, sd, df_type, protocol, sdt.format, sdt)

    def encode(  # noqa: PLR0917 - Flyte's Python SDK's signature, which plugins call
        self,
        ctx: Any,
        sd: StructuredDataset,
        df_type: type,
        protocol: str,
        format: str,
        structured_literal_type: StructuredDatasetType,
    ) -> Literal:
        """Write ``sd.dataframe`` with the matching encoder; the literal's format is the encoder's."""
        handler = self.get_encoder(df_type, protocol, format)
        got = as_message(handler.encode(ctx, sd, structured_literal_type), StructuredDatasetLiteral)
        if got is None:
            raise TypeTransformerFailedError(
                f"{type(handler).__name__}.encode must return a flyteidl StructuredDataset literal"
            )
        if not got.metadata.HasField("structured_dataset_type"):
            got.metadata.structured_dataset_type.CopyFrom(structured_literal_type)
        got.metadata.structured_dataset_type.format = handler.supported_format
        sd._literal_sd = got
        sd._already_uploaded = True
        return Literal(scalar=Scalar(structured_dataset=got))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
        spec = dataset_spec(expected_python_type)
        scalar = lv.scalar
        which = scalar.WhichOneof("value") if lv.WhichOneof("value") == "scalar" else None
        if which in ("binary", "generic"):
            lv = literal_from_reference(lv, "uri", "file_format")
            scalar = lv.scalar
            which = "structured_dataset"
        if which == "schema":  # the legacy FlyteSchema literal: always parquet
            sdt = StructuredDatasetType(format="parquet")
            if spec.columns:
                add_dataset_columns(sdt, spec.columns)
            else:
                for c in scalar.schema.type.columns:
                    sdt.columns.add(name=c.name).literal_type.simple = SCHEMA_TO_SIMPLE[c.type]
            metadata = StructuredDatasetMetadata(structured_dataset_type=sdt)
            literal = StructuredDatasetLiteral(uri=scalar.schema.uri, metadata=metadata)
            if is_dataset_class(spec.base):
                sd = spec.base(dataframe=None, uri=literal.uri, metadata=metadata)
                sd._literal_sd = literal
                return sd
            return self.open_as(ctx, literal, spec.base, metadata)
        if which != "structured_dataset":
            raise TypeTransformerFailedError(f"expected a structured dataset, got {describe_literal(lv)}")
        literal = scalar.structured_dataset
        incoming = literal.metadata.structured_dataset_type
        sdt = StructuredDatasetType(
            format=incoming.format,
            external_schema_type=incoming.external_schema_type,
            external_schema_bytes=incoming.external_schema_bytes,
        )
        if spec.columns:
            add_dataset_columns(sdt, spec.columns)
        else:
            sdt.columns.extend(incoming.columns)
        metadata = StructuredDatasetMetadata(structured_dataset_type=sdt)
        if is_dataset_class(spec.base):
            sd = spec.base(dataframe=None, uri=literal.uri, metadata=metadata, file_format=sdt.format)
            sd._literal_sd = literal
            return sd
        return self.open_as(ctx, literal, spec.base, metadata)

    def open_as(
        self,
        ctx: Any,
        sd: StructuredDatasetLiteral,
        df_type: type,
        updated_metadata: StructuredDatasetMetadata,
    ) -> Any:
        """Read the literal ``sd`` as a whole ``df_type``, with the columns of ``updated_metadata``."""
        decoder = self.get_decoder(df_type, protocol_of(sd.uri), sd.metadata.structured_dataset_type.format)
        result = decoder.decode(ctx, sd, updated_metadata)
        if isinstance(result, types.GeneratorType):
            raise TypeTransformerFailedError(
                f"{type(decoder).__name__} reads {sd.uri} in parts; use .iter() instead of .all()"
            )
        return result

    def iter_as(
        self,
        ctx: Any,
        sd: StructuredDatasetLiteral,
        df_type: type,
        updated_metadata: StructuredDatasetMetadata,
    ) -> Iterator[Any]:
        """Read the literal ``sd`` as ``df_type`` parts (one part if the decoder reads it whole)."""
        decoder = self.get_decoder(df_type, protocol_of(sd.uri), sd.metadata.structured_dataset_type.format)
        result = decoder.decode(ctx, sd, updated_metadata)
        if isinstance(result, (types.GeneratorType, Iterator)):
            return result
        return iter((result,))

    def to_html(self, ctx: Any, python_val: Any, expected_python_type: Any) -> str:
        df = python_val.dataframe if isinstance(python_val, StructuredDataset) else python_val
        renderer = self.Renderers.get(type(df)) or _default_renderer(df)
        if renderer is not None:
            return str(renderer.to_html(df))
        return super().to_html(ctx, python_val, expected_python_type)


def _default_renderer(df: object) -> Renderable | None:
    """flytekit's renderers for its own dataframe types: the first rows of a pandas DataFrame or a pyarrow
    Table (never the whole of it)."""
    kind = type(df)
    if kind.__name__ == "DataFrame" and kind.__module__.startswith("pandas"):
        from flyweight._deck._renderers import TopFrameRenderer

        return TopFrameRenderer()
    if kind.__name__ == "Table" and kind.__module__.startswith("pyarrow"):
        from flyweight._deck._renderers import ArrowRenderer

        return ArrowRenderer()
    return None


_LOCK = threading.RLock()
_ENGINE: list[StructuredDatasetTransformerEngine] = []


def dataset_engine() -> StructuredDatasetTransformerEngine:
    """The one structured-dataset transformer (registered for every table type)."""
    if not _ENGINE:
        with _LOCK:
            if not _ENGINE:
                _ENGINE.append(StructuredDatasetTransformerEngine())
    return _ENGINE[0]


def has_encoder(df_type: type) -> bool:
    """Whether a dataframe type has an encoder (flyweight's own are registered on this first ask)."""
    table = StructuredDatasetTransformerEngine.ENCODERS
    if handlers_for(table, df_type) is None:
        load_builtin_handlers(df_type)
    return handlers_for(table, df_type) is not None


def load_builtin_handlers(df_type: type) -> bool:
    """Register flyweight's own handlers for ``df_type`` (pandas, pyarrow) if it has some; whether it does."""
    return register_builtin_handlers(df_type, _register_builtin)


def _register_builtin(handler: Handler) -> None:
    StructuredDatasetTransformerEngine.register(handler, default_format_for_type=True)


def pandas_transformer() -> StructuredDatasetTransformerEngine:
    """The transformer of ``pandas.DataFrame``, with the pandas handlers registered (the type engine
    loads it the first time a DataFrame is converted)."""
    register_builtin_handlers("pandas.core.frame.DataFrame", _register_builtin)
    return dataset_engine()


def arrow_transformer() -> StructuredDatasetTransformerEngine:
    """The transformer of ``pyarrow.Table``, with the pyarrow handlers registered."""
    register_builtin_handlers("pyarrow.lib.Table", _register_builtin)
    return dataset_engine()
