"""flyweight: a fast, wire-compatible Python SDK for Flyte tasks and their plugins.

``import flyweight`` is cheap: public names are imported on first use, so the protobuf runtime and
everything else load only when a program needs them.

Example:
    >>> import flyweight
    >>> lit = flyweight.TypeEngine.to_literal(None, 42, int, None)
    >>> lit.scalar.primitive.integer
    42
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import facade
from flyweight._version import __version__ as __version__

if TYPE_CHECKING:
    from flyweight._context import (
        ExecutionParameters as ExecutionParameters,
        FlyteContext as FlyteContext,
        FlyteContextManager as FlyteContextManager,
        current_context as current_context,
    )
    from flyweight._deck import Deck as Deck
    from flyweight._interface import (
        Interface as Interface,
        kwtypes as kwtypes,
    )
    from flyweight._lazy import lazy_module as lazy_module
    from flyweight._runtime import run_workflow as run_workflow
    from flyweight._settings import (
        Image as Image,
        ImageConfig as ImageConfig,
        Resources as Resources,
        Secret as Secret,
        SecurityContext as SecurityContext,
        SerializationSettings as SerializationSettings,
    )
    from flyweight._settings._concurrency import (
        ConcurrencyLimitBehavior as ConcurrencyLimitBehavior,
        ConcurrencyPolicy as ConcurrencyPolicy,
    )
    from flyweight._settings._image_spec import ImageSpec as ImageSpec
    from flyweight._settings._notification import (
        Email as Email,
        PagerDuty as PagerDuty,
        Slack as Slack,
        WorkflowExecutionPhase as WorkflowExecutionPhase,
    )
    from flyweight._settings._options import (
        Annotations as Annotations,
        Labels as Labels,
        Options as Options,
    )
    from flyweight._settings._pod_template import PodTemplate as PodTemplate
    from flyweight._settings._schedule import CronSchedule as CronSchedule, FixedRate as FixedRate
    from flyweight._tasks import (
        ContainerTask as ContainerTask,
        Description as Description,
        Documentation as Documentation,
        Echo as Echo,
        OutputLocation as OutputLocation,
        PythonCustomizedContainerTask as PythonCustomizedContainerTask,
        PythonFunctionTask as PythonFunctionTask,
        RawShellTask as RawShellTask,
        ShellTask as ShellTask,
        SourceCode as SourceCode,
        SQLTask as SQLTask,
        TaskMetadata as TaskMetadata,
        get_raw_shell_task as get_raw_shell_task,
        task as task,
    )
    from flyweight._tasks._cache import (
        Cache as Cache,
        CachePolicy as CachePolicy,
        VersionParameters as VersionParameters,
    )
    from flyweight._workflows import (
        LaunchPlan as LaunchPlan,
        ReferenceLaunchPlan as ReferenceLaunchPlan,
        ReferenceTask as ReferenceTask,
        ReferenceWorkflow as ReferenceWorkflow,
        Workflow as Workflow,
        WorkflowFailurePolicy as WorkflowFailurePolicy,
        approve as approve,
        conditional as conditional,
        create_node as create_node,
        dynamic as dynamic,
        eager as eager,
        map_task as map_task,
        reference_launch_plan as reference_launch_plan,
        reference_task as reference_task,
        reference_workflow as reference_workflow,
        sleep as sleep,
        wait_for_input as wait_for_input,
        workflow as workflow,
    )
    from flyweight.errors import (
        FlyweightError as FlyweightError,
        PlatformError as PlatformError,
        RecoverableError as RecoverableError,
        TypeTransformerFailedError as TypeTransformerFailedError,
        UserError as UserError,
    )
    from flyweight.types import (
        BatchSize as BatchSize,
        FlyteAnnotation as FlyteAnnotation,
        FlyteDirectory as FlyteDirectory,
        FlyteFile as FlyteFile,
        FlyteSchema as FlyteSchema,
        HashMethod as HashMethod,
        StructuredDataset as StructuredDataset,
        StructuredDatasetFormat as StructuredDatasetFormat,
        StructuredDatasetTransformerEngine as StructuredDatasetTransformerEngine,
        TypeEngine as TypeEngine,
        TypeTransformer as TypeTransformer,
    )


__getattr__, __dir__, __all__ = facade(__name__, eager=["__version__"])
