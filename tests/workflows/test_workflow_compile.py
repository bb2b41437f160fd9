"""Compiling a workflow body: nodes, ids, bindings, defaults, outputs, ordering, sub-workflows."""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

import pytest
from tests.tasks.oracle_plugins import FlyweightPluginTask, ScaleExecutor

import flyweight
from flyweight import Interface, TaskMetadata
from flyweight._context import current_compiler
from flyweight._idl import Literal
from flyweight._workflows import (
    Node,
    Promise,
    PythonFunctionWorkflow,
    VoidPromise,
    WorkflowFailurePolicy,
    workflow,
)
from flyweight.errors import WorkflowCompileError


def plugin(
    name: str, inputs: dict[str, Any] | None = None, outputs: dict[str, Any] | None = None, **kw: Any
) -> Any:
    return FlyweightPluginTask(
        f"mod.{name}",
        {"factor": 2},
        ScaleExecutor,
        interface=Interface(inputs=inputs or {}, outputs=outputs or {}),
        **kw,
    )


inc = plugin("inc", {"n": int}, {"o": int})
pair = plugin("pair", {"a": int, "b": (int, 3)}, {"x": int, "y": str})
side = plugin("side", {}, {})


def promise_of(b: Any) -> Promise:
    assert isinstance(b, Promise)
    return b


def test_the_body_runs_once_and_nodes_are_numbered_in_call_order() -> None:
    calls = []

    @workflow
    def wf(a: int) -> int:
        calls.append(1)
        return inc(n=inc(n=inc(n=a)))

    assert calls == []  # decorating does not run the body
    assert [n.id for n in wf.nodes] == ["n0", "n1", "n2"]
    wf.compile()
    assert [n.id for n in wf.nodes] == ["n0", "n1", "n2"]
    assert calls == [1]
    assert isinstance(wf, PythonFunctionWorkflow)
    assert wf.name == f"{__name__}.wf"
    assert all(n.flyte_entity is inc for n in wf.nodes)


def test_inputs_bind_to_the_start_node_and_outputs_to_the_producing_node() -> None:
    @workflow
    def wf(a: int) -> int:
        return inc(n=inc(n=a))

    n0, n1 = wf.nodes
    first = promise_of(n0.bindings[0].value)
    assert (n0.bindings[0].var, first.ref.node_id, first.var) == ("n", "", "a")
    second = promise_of(n1.bindings[0].value)
    assert (second.ref.node is n0, second.var) == (True, "o")
    assert n0.upstream_nodes == [] and n1.upstream_nodes == [n0]
    (out,) = wf.output_bindings
    assert out.var == "o0" and promise_of(out.value).ref.node is n1


def test_positional_and_keyword_arguments_bind_alike() -> None:
    @workflow
    def by_position(a: int) -> int:
        x, _ = pair(a, 4)
        return x

    @workflow
    def by_name(a: int) -> int:
        x, _ = pair(b=4, a=a)
        return x

    for wf in (by_position, by_name):
        (node,) = wf.nodes
        assert [b.var for b in node.bindings] == ["a", "b"]
        assert node.bindings[1].value.scalar.primitive.integer == 4


def test_bindings_are_sorted_by_input_name() -> None:
    t = plugin("zyx", {"z": int, "y": int, "x": int}, {})

    @workflow
    def wf(a: int) -> None:
        t(z=a, y=a, x=a)

    assert [b.var for b in wf.nodes[0].bindings] == ["x", "y", "z"]


def test_defaults_fill_missing_inputs_and_optionals_default_to_none() -> None:
    t = plugin("opt", {"a": int, "b": (int, 3), "c": Optional[int]}, {})

    @workflow
    def wf(a: int) -> None:
        t(a=a)

    bindings = {b.var: b.value for b in wf.nodes[0].bindings}
    assert isinstance(bindings["b"], Literal) and bindings["b"].scalar.primitive.integer == 3
    assert bindings["c"].scalar.union.value.scalar.HasField("none_type")


def test_several_outputs_come_back_as_a_named_tuple_of_promises() -> None:
    seen: dict[str, Any] = {}

    @workflow
    def wf(a: int) -> str:
        out = pair(a=a)
        seen["out"] = out
        x, y = out
        assert out.x is x and out[1] is y
        return y

    wf.compile()
    out = seen["out"]
    assert type(out).__name__ == "DefaultNamedTupleOutput"
    assert out._fields == ("x", "y")
    assert [p.var for p in out] == ["x", "y"]


class One(NamedTuple):
    only: int


def test_a_named_tuple_output_keeps_its_name_even_with_one_field() -> None:
    t = FlyweightPluginTask(
        "mod.one",
        {},
        ScaleExecutor,
        interface=Interface(inputs={}, outputs={"only": int}, output_tuple_name="One"),
    )

    @workflow
    def wf() -> One:
        out = t()
        assert type(out).__name__ == "One"
        return out

    assert wf.output_bindings[0].var == "only"


def test_a_task_without_outputs_gives_a_void_promise() -> None:
    got: list[Any] = []

    @workflow
    def wf() -> None:
        got.append(side())

    wf.compile()
    assert isinstance(got[0], VoidPromise)
    assert got[0].ref is not None and got[0].ref.node is wf.nodes[0]
    assert wf.output_bindings == []


def test_lists_and_dicts_of_promises_bind_element_by_element() -> None:
    t = plugin("coll", {"xs": list[int], "m": dict[str, list[int]]}, {})

    @workflow
    def wf(a: int) -> None:
        x = inc(n=a)
        y = inc(n=x)
        t(xs=[x, 1, y, x], m={"k": [y, 2], "e": []})

    node = wf.nodes[2]
    m, xs = (b.value for b in node.bindings)
    assert [type(v).__name__ for v in xs] == ["Promise", "Literal", "Promise", "Promise"]
    assert set(m) == {"k", "e"} and m["e"] == [] and isinstance(m["k"][0], Promise)
    # each once, in order of use: the bindings in name order (m, then xs), their elements in order
    assert node.upstream_nodes == [wf.nodes[1], wf.nodes[0]]


def test_rshift_orders_calls_without_data_between_them() -> None:
    @workflow
    def wf(a: int) -> int:
        first = side()
        x = inc(n=a)
        first >> x
        second = side()
        x >> second
        first >> second
        return x

    n0, n1, n2 = wf.nodes
    assert n1.upstream_nodes == [n0]
    assert n2.upstream_nodes == [n1, n0]


def test_rshift_on_several_outputs_orders_the_whole_call() -> None:
    """flytekit ignores ``>>`` on a call with several outputs; flyweight orders the call's node."""

    @workflow
    def wf(a: int) -> None:
        out = pair(a=a)
        done = side()
        out >> done
        side() >> out

    n0, n1, n2 = wf.nodes
    assert n1.upstream_nodes == [n0]
    assert n0.upstream_nodes == [n2]


def test_rshift_from_a_workflow_input_adds_nothing() -> None:
    @workflow
    def wf(a: int) -> int:
        x = inc(n=a)
        a >> x
        return x

    assert wf.nodes[0].upstream_nodes == []


def test_sub_workflows_become_workflow_nodes_with_their_metadata() -> None:
    @workflow(interruptible=True)
    def sub(n: int) -> int:
        return inc(n=n)

    @workflow
    def parent(a: int) -> int:
        return sub(n=sub(n=a))

    n0, n1 = parent.nodes
    assert n0.kind == n1.kind == "workflow" and n0.flyte_entity is sub
    assert n0.metadata.name == "sub" and n0.metadata.interruptible is True
    assert n0.metadata.HasField("retries")
    assert [n.id for n in sub.nodes] == ["n0"]  # compiled on first use


def test_a_workflow_without_outputs_may_return_a_void_promise() -> None:
    @workflow
    def wf(a: int) -> None:
        inc(n=a)
        return side()  # type: ignore[func-returns-value]

    assert wf.output_bindings == []


def test_workflow_outputs_may_be_constants_and_lists_of_promises() -> None:
    @workflow
    def wf(a: int) -> tuple[list[int], str]:
        return [inc(n=a), 5], "text"

    xs, label = wf.output_bindings
    assert isinstance(xs.value[0], Promise) and xs.value[1].scalar.primitive.integer == 5
    assert label.value.scalar.primitive.string_value == "text"


def test_metadata_and_failure_policy() -> None:
    slow = plugin(
        "slow", {"n": int}, {"o": int}, metadata=TaskMetadata(retries=2, timeout=30, interruptible=False)
    )

    @workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
    def wf(a: int) -> int:
        return slow(n=a)

    meta = wf.nodes[0].metadata
    assert (meta.name, meta.retries.retries, meta.timeout.seconds, meta.interruptible) == (
        "slow",
        2,
        30,
        False,
    )
    assert wf.workflow_metadata.on_failure is WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
    assert wf.workflow_metadata_defaults.interruptible is False


def test_each_task_is_asked_once_for_its_node_metadata() -> None:
    class Counting(FlyweightPluginTask):
        calls = 0

        def construct_node_metadata(self) -> Any:
            Counting.calls += 1
            return super().construct_node_metadata()

    t = Counting(
        "mod.counting", {}, ScaleExecutor, interface=Interface(inputs={"n": int}, outputs={"o": int})
    )

    @workflow
    def wf(a: int) -> int:
        x = a
        for _ in range(50):
            x = t(n=x)
        return x

    assert len(wf.nodes) == 50
    assert Counting.calls == 1


def test_calls_go_through_the_tasks_compile_method() -> None:
    seen = []

    class Spy(FlyweightPluginTask):
        def compile(self, ctx: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append((args, kwargs))
            return super().compile(ctx, *args, **kwargs)

    t = Spy("mod.spy", {}, ScaleExecutor, interface=Interface(inputs={"n": int}, outputs={"o": int}))

    @workflow
    def wf(a: int) -> int:
        return t(5)

    wf.compile()
    assert seen == [((5,), {})]


def test_the_compiler_is_only_active_inside_the_body() -> None:
    active = []

    @workflow
    def wf() -> None:
        active.append(current_compiler() is not None)

    assert current_compiler() is None
    wf.compile()
    assert active == [True]
    assert current_compiler() is None


def test_a_failed_compilation_leaves_the_workflow_uncompiled() -> None:
    attempts = []

    @workflow
    def wf(a: int) -> int:
        attempts.append(1)
        return inc(m=a)  # type: ignore[call-arg]

    for _ in range(2):
        with pytest.raises(WorkflowCompileError):
            wf.compile()
    assert attempts == [1, 1]


def test_calling_a_workflow_outside_a_body_runs_it_locally() -> None:
    @workflow
    def wf(a: int) -> int:
        return inc(n=a)

    assert wf(a=1) == 2  # the local engine (tests/runtime/test_engine*.py)


def test_task_compile_outside_a_workflow_body_is_an_error() -> None:
    with pytest.raises(WorkflowCompileError, match="no workflow body is being compiled"):
        inc.compile(None, n=1)


def test_local_task_calls_still_run_outside_workflows() -> None:
    assert inc(n=4) == 8


def test_the_decorator_keeps_the_functions_identity() -> None:
    def documented(a: int) -> int:
        """Says what it does."""
        return inc(n=a)

    wf = workflow(documented)
    assert wf.__name__ == "documented" and wf.__doc__ == "Says what it does."
    assert wf.__wrapped__ is documented  # type: ignore[attr-defined]
    assert wf.function is documented
    assert wf.docs is not None and wf.docs.short_description == "Says what it does."


def test_typed_interface_of_a_workflow() -> None:
    @workflow
    def wf(a: int, s: str = "x") -> tuple[int, str]:
        return inc(n=a), s

    assert set(wf.interface.inputs.variables) == {"a", "s"}
    assert set(wf.interface.outputs.variables) == {"o0", "o1"}
    assert wf.python_interface.default_inputs_as_kwargs == {"s": "x"}


def test_node_ordering_helpers() -> None:
    @workflow
    def wf(a: int) -> None:
        inc(n=a)
        inc(n=a)

    n0, n1 = wf.nodes
    assert isinstance(n0, Node)
    assert (n0 >> n1) is n1
    assert n1.upstream_nodes == [n0]
    n0.runs_before(n1)
    assert n1.upstream_nodes == [n0]
    with pytest.raises(WorkflowCompileError, match="cannot run before itself"):
        n0.runs_before(n0)


@pytest.mark.skipif(not hasattr(flyweight, "task"), reason="flyweight.task is not available yet")
def test_function_tasks_compile_into_nodes() -> None:
    from tests.workflows.sdk_switch import load_with

    module = load_with(flyweight.task, flyweight.workflow)
    nodes = module.pipeline.nodes
    assert [n.metadata.name for n in nodes] == ["scale", "add", "sub", "describe", "announce"]
    assert nodes[0].metadata.retries.retries == 2


def test_a_list_default_of_a_task_input_is_bound_as_a_constant() -> None:
    t = plugin("listdefault", {"xs": (list[int], [1, 2])}, {})

    @workflow
    def wf() -> None:
        t()

    (binding,) = wf.nodes[0].bindings
    assert [v.scalar.primitive.integer for v in binding.value] == [1, 2]


def test_a_docstrings_long_description_replaces_the_one_in_docs() -> None:
    from flyweight import Description, Documentation

    def described(a: int) -> int:
        """Short.

        The long text.
        """
        return inc(n=a)

    docs = Documentation(short_description="given", long_description=Description(value="old", icon_link="i"))
    wf = workflow(described, docs=docs)
    assert wf.docs is not None
    assert wf.docs.short_description == "Short."
    assert wf.docs.long_description == Description(value="The long text.")
    assert docs.short_description == "given"  # the caller's object is not changed


def test_registration_puts_nodes_ordered_by_rshift_first_and_keeps_call_order_in_the_template() -> None:
    from collections import OrderedDict

    from flyweight._serialize import get_serializable
    from flyweight._settings._serialization import placeholder_settings  # tasks made in a test body

    @flyweight.task
    def late() -> None: ...

    @flyweight.task
    def early() -> None: ...

    @flyweight.workflow
    def wf() -> None:
        a = late()
        b = early()
        b >> a

    mapping: OrderedDict[Any, Any] = OrderedDict()
    spec = get_serializable(mapping, placeholder_settings(), wf)
    assert [k.name.rsplit(".", 1)[-1] for k in mapping] == ["early", "late", "wf"]
    assert [n.task_node.reference_id.name.rsplit(".", 1)[-1] for n in spec.template.nodes] == [
        "late",
        "early",
    ]


def test_a_long_chain_serializes() -> None:
    from collections import OrderedDict

    from flyweight._serialize import get_serializable
    from flyweight._settings._serialization import placeholder_settings  # tasks made in a test body

    @flyweight.task
    def step(x: int) -> int:
        return x + 1

    @flyweight.workflow
    def chain(x: int) -> int:
        for _ in range(3000):  # deeper than Python's recursion limit
            x = step(x=x)
        return x

    spec = get_serializable(OrderedDict(), placeholder_settings(), chain)
    assert len(spec.template.nodes) == 3000
