"""The one serialization path: flyweight entities → ``flyteidl`` messages.

Tasks gather their parts through their hooks (``get_container``, ``get_custom`` …) and hand them to
:func:`task_template`; registration wraps that same template with :func:`task_spec`. Workflows and
launch plans walk their graph and hand the parts to :func:`workflow_spec`, :func:`add_workflow_node`,
:func:`add_sub_workflows` and :func:`launch_plan`. This layer sits below tasks and workflows and works on
plain values and messages, so it never needs to know which kind of task or workflow it serializes
(ADRs 0004 and 0010). :func:`get_serializable` is the registration entry point for all of them.
"""

from __future__ import annotations

from flyweight._serialize._container import container, merge_env
from flyweight._serialize._metadata import MetadataSource, task_metadata
from flyweight._serialize._registration import (
    EntityMapping,
    RegistrationForm,
    RegistrationSource,
    TemplateSource,
    get_serializable,
)
from flyweight._serialize._struct import dict_to_struct, struct_to_dict, value_to_python
from flyweight._serialize._template import (
    OUTPUT_ORDER_KEY,
    Documented,
    check_size,
    description_entity,
    security_context,
    task_spec,
    task_template,
)
from flyweight._serialize._workflow import (
    add_sub_workflows,
    add_workflow_node,
    fill_node,
    identifier,
    launch_plan,
    task_node_overrides,
    workflow_spec,
)

__all__ = [
    "OUTPUT_ORDER_KEY",
    "Documented",
    "EntityMapping",
    "MetadataSource",
    "RegistrationForm",
    "RegistrationSource",
    "TemplateSource",
    "add_sub_workflows",
    "add_workflow_node",
    "check_size",
    "container",
    "description_entity",
    "dict_to_struct",
    "fill_node",
    "get_serializable",
    "identifier",
    "launch_plan",
    "merge_env",
    "security_context",
    "struct_to_dict",
    "task_metadata",
    "task_node_overrides",
    "task_spec",
    "task_template",
    "value_to_python",
    "workflow_spec",
]
