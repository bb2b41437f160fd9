"""The public surface is frozen: a change to any ``__all__`` must be deliberate (update this test)."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "flyweight": [
        "Description",
        "Documentation",
        "ExecutionParameters",
        "FlyteAnnotation",
        "FlyteContext",
        "FlyteContextManager",
        "FlyweightError",
        "HashMethod",
        "Image",
        "ImageConfig",
        "Interface",
        "PlatformError",
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
        "__version__",
        "current_context",
        "kwtypes",
        "task",
        "FlyteDirectory",
        "FlyteFile",
        "FlyteSchema",
        "StructuredDataset",
        "StructuredDatasetFormat",
        "StructuredDatasetTransformerEngine",
        # workflows
        "LaunchPlan",
        "WorkflowFailurePolicy",
        "workflow",
    ],
    "flyweight.types": [
        "AsyncTypeTransformer",
        # files, directories and pickles (flytekit.types.file / directory / pickle)
        "CSVFile",
        "FileExt",
        "FlyteDirToMultipartBlobTransformer",
        "FlyteDirectory",
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
        "FlyteAnnotation",
        "HashMethod",
        "TypeEngine",
        "TypeTransformer",
        "TypeTransformerFailedError",
        "UnsupportedTypeError",
    ],
    "flyweight.extend": [
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
        "Primitive",
        "Promise",
        "PythonAutoContainerTask",
        "PythonCustomizedContainerTask",
        "PythonFunctionTask",
        "PythonTask",
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
        "Task",
        "TaskMetadata",
        "TaskResolverMixin",
        "TaskTemplate",
        "TaskTemplateResolver",
        "TypeEngine",
        "TypeTransformer",
        "TypeTransformerFailedError",
        "Void",
        "default_task_resolver",
        "default_task_template_resolver",
        "get_serializable",
        "kwtypes",
    ],
    "flyweight.errors": [
        "FlyteRecoverableException",
        "FlyweightError",
        "IgnoreOutputs",
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
        "UnsupportedTypeError",
        "UserError",
        "WorkflowCompileError",
        "WorkflowExecutionError",
        "mark_user_code",
        "raised_by_user_code",
    ],
    "flyweight.settings": [
        "DefaultImages",
        "Image",
        "ImageConfig",
        "Resources",
        "Secret",
        "SecurityContext",
        "SerializationSettings",
        "default_image",
        "placeholder_settings",
        "resolve_image",
    ],
    "flyweight.serialize": [
        "MetadataSource",
        "OUTPUT_ORDER_KEY",
        "RegistrationSource",
        "add_sub_workflows",
        "add_workflow_node",
        "check_size",
        "container",
        "description_entity",
        "dict_to_struct",
        "get_serializable",
        "identifier",
        "launch_plan",
        "merge_env",
        "security_context",
        "struct_to_dict",
        "task_metadata",
        "task_spec",
        "task_template",
        "value_to_python",
        "workflow_spec",
    ],
    "flyweight.tasks": [
        "DEFAULT_RESOLVER_LOCATION",
        "DeckField",
        "DefaultTaskResolver",
        "Description",
        "Documentation",
        "ExecutableTemplateShimTask",
        "InstanceTrackingMeta",
        "PythonAutoContainerTask",
        "PythonCustomizedContainerTask",
        "PythonFunctionTask",
        "PythonTask",
        "ResourceSpec",
        "SQLTask",
        "ShimTaskExecutor",
        "SourceCode",
        "Task",
        "TaskMetadata",
        "TaskResolverMixin",
        "TaskTemplate",
        "TaskTemplateResolver",
        "TrackedInstance",
        "default_task_resolver",
        "default_task_template_resolver",
        "function_module_name",
        "interface_from_function",
        "load_object_from_module",
        "merge_docs",
        "parse_template",
        "task",
    ],
    "flyweight.workflows": [
        "Binding",
        "Compiler",
        "GLOBAL_INPUT_NODE_ID",
        "LaunchPlan",
        "Node",
        "NodeOutput",
        "Promise",
        "PythonFunctionWorkflow",
        "VoidPromise",
        "WorkflowBase",
        "WorkflowFailurePolicy",
        "WorkflowMetadata",
        "WorkflowMetadataDefaults",
        "workflow",
    ],
    "flyweight.interface": [
        "Interface",
        "NO_DEFAULT",
        "kwtypes",
        "typed_interface",
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


def test_lazy_tables_match_all() -> None:
    import flyweight
    from flyweight import extend

    assert sorted(extend._LAZY) == sorted(extend.__all__)
    assert sorted([*flyweight._LAZY, "__version__"]) == sorted(flyweight.__all__)
