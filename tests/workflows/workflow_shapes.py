"""Workflow shapes written once and built with either SDK (flyweight, or flytekit as the oracle).

Each ``build_*`` function takes an :class:`Sdk` and defines its tasks and workflows with it, so both SDKs
compile the same source: the workflow functions are defined in this module with the same names, and
flytekit and flyweight both name a workflow ``<module>.<function name>``. A shape returns the workflow to
serialize and the launch plans to compare (its default launch plan is always compared).

Tasks are plugin tasks (``PythonCustomizedContainerTask`` + the ``ScaleExecutor`` shim executor, which
both SDKs have); ``fn_shape_source.py`` holds a shape made of function tasks (``@task``).
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from collections.abc import Callable
from typing import Any, NamedTuple, Optional

from tests.tasks.oracle_plugins import FlyweightPluginTask, Point, ScaleExecutor, flytekit_plugin_task_class


@dataclasses.dataclass
class Sdk:
    """One SDK's authoring names, and helpers that build the same things in either."""

    name: str
    workflow: Any
    task: Any
    LaunchPlan: Any
    WorkflowFailurePolicy: Any
    TaskMetadata: Any
    Interface: Any
    plugin_class: Any
    labels: Callable[[dict[str, str]], Any]
    annotations: Callable[[dict[str, str]], Any]
    raw_output: Callable[[str], Any]
    security: Callable[[list[tuple[str, str]]], Any]

    def plugin(
        self,
        name: str,
        inputs: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Any:
        """A plugin task (``ScaleExecutor``) named ``shapes.<name>``."""
        kwargs: dict[str, Any] = {"interface": self.Interface(inputs=inputs or {}, outputs=outputs or {})}
        if metadata:
            kwargs["metadata"] = self.TaskMetadata(**metadata)
        return self.plugin_class(f"shapes.{name}", {"factor": 2}, ScaleExecutor, **kwargs)


def flyweight_sdk() -> Sdk:
    import flyweight
    from flyweight._workflows import LaunchPlan, WorkflowFailurePolicy, workflow

    def security(secrets: list[tuple[str, str]]) -> Any:
        return flyweight.SecurityContext(secrets=[flyweight.Secret(group=g, key=k) for g, k in secrets])

    return Sdk(
        name="flyweight",
        workflow=workflow,
        task=getattr(flyweight, "task", None),
        LaunchPlan=LaunchPlan,
        WorkflowFailurePolicy=WorkflowFailurePolicy,
        TaskMetadata=flyweight.TaskMetadata,
        Interface=flyweight.Interface,
        plugin_class=FlyweightPluginTask,
        labels=dict,
        annotations=dict,
        raw_output=str,
        security=security,
    )


def flytekit_sdk() -> Sdk:
    import flytekit
    from flytekit.core.interface import Interface
    from flytekit.models.common import Annotations, Labels, RawOutputDataConfig
    from flytekit.models.security import Secret, SecurityContext

    def security(secrets: list[tuple[str, str]]) -> Any:
        return SecurityContext(secrets=[Secret(group=g, key=k) for g, k in secrets])

    return Sdk(
        name="flytekit",
        workflow=flytekit.workflow,
        task=flytekit.task,
        LaunchPlan=flytekit.LaunchPlan,
        WorkflowFailurePolicy=flytekit.WorkflowFailurePolicy,
        TaskMetadata=flytekit.TaskMetadata,
        Interface=Interface,
        plugin_class=flytekit_plugin_task_class(),
        labels=Labels,
        annotations=Annotations,
        raw_output=RawOutputDataConfig,
        security=security,
    )


@dataclasses.dataclass
class Built:
    workflow: Any
    launch_plans: list[Any] = dataclasses.field(default_factory=list)


# -- shapes --------------------------------------------------------------------------------------------


def build_chain(sdk: Sdk) -> Built:
    """A linear chain; the same task three times, bound by keyword and by position."""
    inc = sdk.plugin("inc", {"n": int}, {"o": int})

    @sdk.workflow
    def chain(a: int) -> int:
        x = inc(n=a)
        y = inc(x)
        return inc(n=y)

    return Built(chain)


def build_fan_out_fan_in(sdk: Sdk) -> Built:
    """One node feeding three, whose outputs meet in a list input."""
    source = sdk.plugin("source", {"n": int}, {"o": int})
    branch = sdk.plugin("branch", {"n": int, "k": int}, {"o": int})
    total = sdk.plugin("total", {"xs": list[int]}, {"o": int})

    @sdk.workflow
    def fan(a: int) -> int:
        s = source(n=a)
        parts = [branch(n=s, k=i) for i in range(3)]
        return total(xs=parts)

    return Built(fan)


def build_defaults(sdk: Sdk) -> Built:
    """Task defaults, workflow defaults, optional inputs without a default, a named launch plan."""
    t = sdk.plugin(
        "defaults",
        {"a": int, "b": (int, 3), "c": (str, "x"), "d": Optional[int], "e": (Optional[float], None)},
        {"o": int},
    )

    @sdk.workflow
    def with_defaults(
        a: int, s: str = "hi", f: float = 1.5, m: Optional[int] = None, opt: Optional[str] = None
    ) -> int:
        return t(a=a, c=s)

    lp = sdk.LaunchPlan.get_or_create(
        with_defaults,
        "with_defaults_lp",
        default_inputs={"a": 7, "f": 2.5},
        fixed_inputs={"s": "fixed"},
        labels=sdk.labels({"team": "data"}),
        annotations=sdk.annotations({"note": "x"}),
        raw_output_data_config=sdk.raw_output("s3://bucket/prefix"),
        max_parallelism=4,
        overwrite_cache=True,
        security_context=sdk.security([("db", "password")]),
    )
    return Built(with_defaults, [lp])


class Pair(NamedTuple):
    total: int
    label: str


def build_multiple_outputs(sdk: Sdk) -> Built:
    """A task with two outputs (unpacked and taken by name), a NamedTuple workflow output."""
    split = sdk.plugin("split", {"n": int}, {"q": int, "r": str})
    inc = sdk.plugin("inc", {"n": int}, {"o": int})

    @sdk.workflow
    def outputs(a: int) -> Pair:
        q, r = split(n=a)
        both = split(n=q)
        return Pair(total=inc(n=both.q), label=r)

    return Built(outputs)


def build_collections(sdk: Sdk) -> Built:
    """Lists and dicts mixing promises and constants, nested, for list, dict and optional inputs."""
    make = sdk.plugin("make", {"n": int}, {"o": int})
    use = sdk.plugin(
        "use",
        {
            "xs": list[int],
            "m": dict[str, int],
            "nested": list[dict[str, list[int]]],
            "maybe": Optional[list[int]],
            "strs": list[str],
        },
        {"o": int},
    )

    @sdk.workflow
    def collections(a: int) -> list[int]:
        x = make(n=a)
        y = make(n=x)
        out = use(
            xs=[x, 1, y, a],
            m={"x": x, "const": 5, "input": a},
            nested=[{"first": [x, 2]}, {"second": [], "third": [y]}],
            maybe=[y, 3],
            strs=["a", "b"],
        )
        return [out, x, 4]

    return Built(collections)


def build_ordering(sdk: Sdk) -> Built:
    """``a >> b`` between tasks without outputs, between promises, and from an input-fed promise."""
    side = sdk.plugin("side", {}, {})
    inc = sdk.plugin("inc", {"n": int}, {"o": int})

    @sdk.workflow
    def ordering(a: int) -> int:
        first = side()
        x = inc(n=a)
        second = side()
        first >> x
        x >> second
        y = inc(n=a)
        second >> y
        first >> y
        return y

    return Built(ordering)


def build_sub_workflows(sdk: Sdk) -> Built:
    """Sub-workflows: one used twice, one nested in another, with their own metadata."""
    inc = sdk.plugin("inc", {"n": int}, {"o": int}, metadata={"retries": 2, "interruptible": True})

    @sdk.workflow(interruptible=True)
    def inner(n: int) -> int:
        return inc(n=n)

    @sdk.workflow(failure_policy=sdk.WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
    def middle(n: int, k: int = 2) -> int:
        return inner(n=inner(n=n))

    @sdk.workflow
    def outer(a: int) -> tuple[int, int]:
        x = middle(n=a)
        y = inner(n=x)
        return x, y

    return Built(outer)


def build_no_outputs(sdk: Sdk) -> Built:
    """A workflow without outputs, whose last call returns nothing."""
    side = sdk.plugin("side", {"n": int}, {})

    @sdk.workflow
    def no_outputs(a: int) -> None:
        side(n=a)
        side(n=a)

    return Built(no_outputs)


def build_node_metadata(sdk: Sdk) -> Built:
    """Task metadata reaching the nodes: retries, timeout, interruptible."""
    slow = sdk.plugin(
        "slow",
        {"n": int},
        {"o": int},
        metadata={"retries": 3, "timeout": datetime.timedelta(minutes=5), "interruptible": False},
    )
    fast = sdk.plugin("fast", {"n": int}, {"o": int}, metadata={"timeout": 30, "interruptible": True})

    @sdk.workflow(interruptible=True)
    def metadata(a: int) -> int:
        return fast(n=slow(n=a))

    return Built(metadata)


def build_constants(sdk: Sdk) -> Built:
    """Constants of several types, a dataclass among them, and a workflow returning a constant."""
    t = sdk.plugin(
        "consts",
        {"s": str, "f": float, "b": bool, "when": datetime.datetime, "dur": datetime.timedelta, "p": Point},
        {"o": int},
    )

    @sdk.workflow
    def constants() -> tuple[int, str]:
        out = t(
            s="text",
            f=2.5,
            b=True,
            when=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
            dur=datetime.timedelta(seconds=90),
            p=Point(x=1, y=2.0, label="q"),
        )
        return out, "done"

    return Built(constants)


def build_attribute_access(sdk: Sdk) -> Built:
    """Reaching into outputs: a dataclass field, a dict key, a list index."""
    make = sdk.plugin("make_point", {"n": int}, {"p": Point, "d": dict[str, int], "xs": list[int]})
    use = sdk.plugin("use_parts", {"x": int, "y": float, "k": int, "first": int}, {"o": int})

    @sdk.workflow
    def attributes(a: int) -> int:
        out = make(n=a)
        return use(x=out.p.x, y=out.p.y, k=out.d["k"], first=out.xs[0])

    return Built(attributes)


def build_docstrings(sdk: Sdk) -> Built:
    """Descriptions of inputs and outputs from the workflow's docstring."""
    inc = sdk.plugin("inc", {"n": int}, {"o": int})

    @sdk.workflow
    def documented(a: int, b: int = 1) -> int:
        """Add things.

        A longer text about adding things.

        :param a: the first number
        :param b: the second number
        :return: the sum
        """
        return inc(n=inc(n=a))

    return Built(documented)


def build_launch_plan_node(sdk: Sdk) -> Built:
    """A launch plan called inside another workflow (its fixed input left out of the node)."""
    inc = sdk.plugin("inc", {"n": int, "k": int}, {"o": int})

    @sdk.workflow
    def child(n: int, k: int = 1) -> int:
        return inc(n=n, k=k)

    child_lp = sdk.LaunchPlan.get_or_create(child, "child_fixed", fixed_inputs={"k": 5})

    @sdk.workflow
    def parent(a: int) -> int:
        return child_lp(n=a)

    return Built(parent, [child_lp])


def build_passthrough(sdk: Sdk) -> Built:
    """Outputs bound straight to inputs, to a dict of promises, and an optional input fed a promise."""
    inc = sdk.plugin("inc", {"n": int}, {"o": int})
    maybe = sdk.plugin("maybe", {"n": Optional[int], "u": typing.Union[int, str]}, {"o": Optional[int]})

    @sdk.workflow
    def passthrough(a: int, s: str) -> tuple[int, dict[str, int], Optional[int]]:
        x = inc(n=a)
        return a, {"x": x, "a": a}, maybe(n=x, u=s)

    return Built(passthrough)


def build_optional_none(sdk: Sdk) -> Built:
    """A workflow whose one optional output is ``return None`` (a constant none), after a call."""
    side = sdk.plugin("side", {"n": int}, {})

    @sdk.workflow
    def optional_none(a: int) -> Optional[int]:
        side(n=a)
        return None

    return Built(optional_none)


SHAPES: dict[str, Callable[[Sdk], Built]] = {
    name[len("build_") :]: fn for name, fn in globals().items() if name.startswith("build_") and callable(fn)
}
