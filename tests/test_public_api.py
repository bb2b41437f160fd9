"""The public surface is frozen: a change to any ``__all__`` must be deliberate (update this test)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "flyweight": [
        "BatchSize",
        "Cache",
        "CachePolicy",
        "Description",
        "Deck",
        "Documentation",
        "Echo",
        "ExecutionParameters",
        "FlyteAnnotation",
        "FlyteContext",
        "FlyteContextManager",
        "FlyweightError",
        "HashMethod",
        "Image",
        "ImageConfig",
        "ImageSpec",
        "Interface",
        "PlatformError",
        "PodTemplate",
        "PythonCustomizedContainerTask",
        "PythonFunctionTask",
        "RecoverableError",
        "Resources",
        "SQLTask",
        "Secret",
        "SecurityContext",
        "SerializationSettings",
        "SourceCode",
        "TaskMetadata",
        "TypeEngine",
        "TypeTransformer",
        "TypeTransformerFailedError",
        "UserError",
        "VersionParameters",
        "__version__",
        "current_context",
        "kwtypes",
        "lazy_module",  # flytekit exports it at top level; plugins import it from there
        "task",
        "FlyteDirectory",
        "FlyteFile",
        "FlyteSchema",
        "StructuredDataset",
        "StructuredDatasetFormat",
        "StructuredDatasetTransformerEngine",
        # workflows
        "LaunchPlan",
        "ReferenceLaunchPlan",
        "ReferenceTask",
        "ReferenceWorkflow",
        "Workflow",
        "WorkflowFailurePolicy",
        "conditional",
        "create_node",
        "dynamic",
        "eager",
        "map_task",
        "reference_launch_plan",
        "reference_task",
        "reference_workflow",
        "workflow",
        # gate nodes
        "approve",
        "sleep",
        "wait_for_input",
        # launch plan schedules, notifications, concurrency and options
        "Annotations",
        "ConcurrencyLimitBehavior",
        "ConcurrencyPolicy",
        "CronSchedule",
        "Email",
        "FixedRate",
        "Labels",
        "Options",
        "PagerDuty",
        "Slack",
        "WorkflowExecutionPhase",
        # the local engine
        "run_workflow",
        # shell scripts and raw containers (flytekit.extras.tasks.shell, flytekit.ContainerTask)
        "ContainerTask",
        "OutputLocation",
        "RawShellTask",
        "ShellTask",
        "get_raw_shell_task",
    ],
    "flyweight.types": [
        "AsyncTypeTransformer",
        # files, directories and pickles (flytekit.types.file / directory / pickle)
        "CSVFile",
        "FileExt",
        "FlyteDirToMultipartBlobTransformer",
        "FlyteDirectory",
        "FlyteError",  # what a failure handler is told (flytekit.types.error)
        "FlyteFile",
        "FlyteFilePathTransformer",
        "FlytePickle",
        "FlytePickleTransformer",
        "HDF5EncodedFile",
        "HTMLPage",
        "JPEGImageFile",
        "JSONLFile",
        "JoblibSerializedFile",
        "ONNXFile",
        "PDFFile",
        "PNGImageFile",
        "PythonNotebook",
        "PythonPickledFile",
        "SVGImageFile",
        "TFRecordFile",
        "TFRecordsDirectory",
        "TensorboardLogs",
        # tables (flytekit.types.structured / schema)
        "CSV",
        "GENERIC_FORMAT",
        "PARQUET",
        "FlyteSchema",
        "FlyteSchemaTransformer",
        "SchemaFormat",
        "SchemaOpenMode",
        "StructuredDataset",
        "StructuredDatasetDecoder",
        "StructuredDatasetEncoder",
        "StructuredDatasetFormat",
        "StructuredDatasetTransformerEngine",
        # the rest
        "BatchSize",
        "FlyteAnnotation",
        "HashMethod",
        "JSON",
        "TypeEngine",
        "TypeTransformer",
        "TypeTransformerFailedError",
        "UnsupportedTypeError",
    ],
    "flyweight.accelerators": [
        "A10G",
        "A100",
        "A100_80GB",
        "BaseAccelerator",
        "GPUAccelerator",
        "H100",
        "H200",
        "K80",
        "L4",
        "L40S",
        "L4_VWS",
        "M60",
        "MultiInstanceGPUAccelerator",
        "P100",
        "P4",
        "RTX_PRO_6000",
        "T4",
        "V100",
        "V5E",
        "V5P",
    ],
    "flyweight.extend": [
        "ArrayNodeMapTask",
        "ArrowRenderer",
        "Deck",
        "MarkdownRenderer",
        "TopFrameRenderer",
        "AsyncTypeTransformer",
        "Binary",
        "Blob",
        "BlobMetadata",
        "BlobType",
        "DeckField",
        "DefaultImages",
        "DefaultTaskResolver",
        "ExecutableTemplateShimTask",
        "ExecutionParameters",
        "ExecutionState",
        "FileAccessProvider",
        "FlyteAnnotation",
        "FlyteContext",
        "FlyteContextManager",
        "FlyteRecoverableException",
        "HashMethod",
        "IgnoreOutputs",
        "Image",
        "ImageConfig",
        "Interface",
        "Literal",
        "LiteralCollection",
        "LiteralMap",
        "LiteralType",
        "MapTaskResolver",
        "Primitive",
        "Promise",
        "PythonAutoContainerTask",
        "PythonCustomizedContainerTask",
        "PythonFunctionTask",
        "PythonTask",
        "PythonVersion",
        "RecoverableError",
        "Resources",
        "SQLTask",
        "Scalar",
        "Secret",
        "SecretsManager",
        "SecurityContext",
        "SerializationSettings",
        "ShimTaskExecutor",
        "SimpleType",
        "StructuredDatasetLiteral",
        "StructuredDatasetMetadata",
        "StructuredDatasetType",
        "T",
        "Task",
        "TaskMetadata",
        "TaskResolverMixin",
        "TaskTemplate",
        "TaskTemplateResolver",
        "TypeEngine",
        "TypeTransformer",
        "TypeTransformerFailedError",
        "Void",
        "context_manager",
        "default_task_resolver",
        "default_task_template_resolver",
        "get_serializable",
        "kwtypes",
        "lazy_module",
        "map_task_resolver",
        # flyweight's own, for database plugins
        "MixedColumnError",
        "rows_to_table",
    ],
    "flyweight.errors": [
        # flytekit's names (flytekit.exceptions.*, flytekit.core.type_engine.RestrictedTypeError)
        "FlyteAssertion",
        "FlyteEntityNotExistException",
        "FlyteException",
        "FlyteNotImplementedException",
        "FlyteSystemException",
        "FlyteTimeout",
        "FlyteTypeException",
        "FlyteUserException",
        "FlyteValidationException",
        "FlyteValueException",
        "RestrictedTypeError",
        "CheckpointError",
        "FlyteRecoverableException",
        "FlyweightError",
        "IgnoreOutputs",
        "NotSupportedError",
        "PackagingError",
        "PlatformError",
        "RecoverableError",
        "SecretNotFoundError",
        "StorageError",
        "TaskDefinitionError",
        "TaskExecutionError",
        "TaskLoadError",
        "TemplateError",
        "TemplateTooLargeError",
        "TransformerRegistrationError",
        "TypeTransformerFailedError",
        "UnsupportedLocationError",
        "UnsupportedTypeError",
        "UserError",
        "WorkflowCompileError",
        "WorkflowExecutionError",
        "mark_transient",
        "mark_user_code",
        "marked_transient",
        "raised_by_user_code",
    ],
    "flyweight.loggers": ["logger"],
    "flyweight.testing": ["SecretsManager", "patch", "task_mock"],  # flytekit.testing's names
    "flyweight.image_spec": ["CopyFileDetection", "ImageSpec"],  # flytekit.image_spec's names
    "flyweight.constants": ["CopyFileDetection"],  # flytekit.constants' name
    "flyweight.deck": [  # flytekit.deck's names (and flytekit.deck.renderer's, flytekit.core.utils' timeit)
        "ArrowRenderer",
        "Deck",
        "DeckField",
        "MarkdownRenderer",
        "PythonDependencyRenderer",
        "Renderable",
        "SourceCodeRenderer",
        "TimeLineDeck",
        "TopFrameRenderer",
        "timeit",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC))
def test_all_is_frozen(module: str) -> None:
    assert sorted(importlib.import_module(module).__all__) == sorted(PUBLIC[module])


@pytest.mark.parametrize(("module", "name"), [(m, n) for m, names in PUBLIC.items() for n in names])
def test_every_public_name_resolves_and_is_documented(module: str, name: str) -> None:
    value = getattr(importlib.import_module(module), name)
    if callable(value) and name[0].isupper() and module != "flyweight.extend":
        assert value.__doc__, f"{module}.{name} has no docstring"


def test_unknown_attribute_is_an_attribute_error() -> None:
    import flyweight

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = flyweight.nope  # type: ignore[attr-defined]


def test_extend_names_the_real_flyteidl_classes() -> None:
    from flyteidl.core import literals_pb2, types_pb2

    from flyweight import extend

    assert extend.Literal is literals_pb2.Literal
    assert extend.LiteralType is types_pb2.LiteralType
    assert extend.TypeEngine is importlib.import_module("flyweight.types").TypeEngine


def test_every_facade_lists_its_names_once() -> None:
    """A façade's ``TYPE_CHECKING`` block is its one list: ``__all__`` and the lazy table come from it."""
    from pathlib import Path

    from flyweight._lazy import reexports

    for module in ("flyweight", "flyweight.extend", "flyweight.types"):
        imported = importlib.import_module(module)
        table = reexports(Path(str(imported.__file__)).read_text(encoding="utf-8"), module)
        assert sorted(table) == sorted(set(imported.__all__) - {"__version__"})


def test_only_the_public_packages_are_public() -> None:
    """Every other package and module under ``flyweight`` is private (its name starts with ``_``)."""
    import pkgutil

    import flyweight

    public = {name for name in PUBLIC if name.count(".") == 1} | {"flyweight.plugins"}
    found = {
        f"flyweight.{info.name}"
        for info in pkgutil.iter_modules(flyweight.__path__)
        if not info.name.startswith("_")
    }
    assert found == public


@pytest.mark.parametrize(
    "module",
    [
        "flyweight.tasks",
        "flyweight.serialize",
        "flyweight.settings",
        "flyweight.workflows",
        "flyweight.interface",
        "flyweight.cli",
        "flyweight.entrypoint",
        "flyweight.runtime",
    ],
)
def test_internal_packages_are_not_importable_by_their_old_names(module: str) -> None:
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(module)
