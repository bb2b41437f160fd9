"""Compile-time errors: each names the workflow, the node and the input, and says how to fix it."""

from __future__ import annotations

import sys
from typing import Any, Optional

import pytest
from tests.tasks.oracle_plugins import FlyweightPluginTask, Point, ScaleExecutor

from flyweight import Interface
from flyweight._workflows import workflow
from flyweight.errors import UserError, WorkflowCompileError


def plugin(name: str, inputs: dict[str, Any] | None = None, outputs: dict[str, Any] | None = None) -> Any:
    return FlyweightPluginTask(
        f"mod.{name}", {}, ScaleExecutor, interface=Interface(inputs=inputs or {}, outputs=outputs or {})
    )


inc = plugin("inc", {"n": int}, {"o": int})
two = plugin("two", {"a": int, "b": int}, {"x": int, "y": str})
text = plugin("text", {"s": str}, {"o": str})
listed = plugin("listed", {"xs": list[int]}, {})
side = plugin("side", {}, {})


def compile_error(body: Any) -> str:
    wf = workflow(body)
    with pytest.raises(WorkflowCompileError) as info:
        wf.compile()
    return str(info.value)


def test_the_error_is_a_user_error_and_the_builtins_flytekit_raised() -> None:
    assert issubclass(WorkflowCompileError, UserError)
    for builtin in (TypeError, ValueError, AssertionError):
        assert issubclass(WorkflowCompileError, builtin)


def test_a_constant_of_the_wrong_type_names_workflow_node_and_input() -> None:
    def wrong_constant(a: int) -> int:
        inc(n=a)
        return inc(n="five")

    msg = compile_error(wrong_constant)
    assert "workflow 'test_workflow_errors.wrong_constant'" in msg
    assert "node n1 (task 'mod.inc'), input 'n'" in msg
    assert "expected int" in msg and "'five'" in msg
    assert "pass a value of type int" in msg


def test_a_wrong_element_in_a_list_names_its_position() -> None:
    def wrong_element(a: int) -> None:
        listed(xs=[1, inc(n=a), "x"])

    msg = compile_error(wrong_element)
    assert "node n1 (task 'mod.listed'), input 'xs'[2]" in msg
    assert "list" not in msg.split(":")[-1] or "expected int" in msg


def test_a_promise_of_the_wrong_type_is_refused_at_compile_time() -> None:
    def wrong_promise(a: int) -> int:
        s = text(s="x")
        return inc(n=s)

    msg = compile_error(wrong_promise)
    assert "node n1 (task 'mod.inc'), input 'n': expected int" in msg
    assert "output 'o' of node n0 (task 'mod.text'), a str" in msg


def test_a_workflow_input_of_the_wrong_type_is_refused() -> None:
    def wrong_input(s: str) -> int:
        return inc(n=s)

    msg = compile_error(wrong_input)
    assert "input 's' of the workflow, a str" in msg


def test_types_it_cannot_judge_are_left_to_flyte() -> None:
    maybe = plugin("maybe", {"n": Optional[int]}, {})
    anything = plugin("anything", {"v": Any}, {})

    @workflow
    def lenient(a: int) -> None:
        maybe(n=inc(n=a))
        anything(v=inc(n=a))

    assert len(lenient.nodes) == 4


def test_a_missing_input_lists_it_with_its_type_and_the_call_to_write() -> None:
    def missing(a: int) -> int:
        x, _ = two(a=a)
        return x

    msg = compile_error(missing)
    assert "node n0 (task 'mod.two') is missing input(s) b (int)" in msg
    assert "pass them: two(b=...)" in msg


def test_an_unknown_keyword_lists_the_inputs() -> None:
    def unknown(a: int) -> int:
        return inc(n=a, m=a)

    msg = compile_error(unknown)
    assert "node n0 (task 'mod.inc') got an unexpected input 'm'; its inputs are: n" in msg


def test_too_many_positional_arguments() -> None:
    def too_many(a: int) -> int:
        return inc(a, a)

    assert "takes 1 input(s) (n) but got 2 positional argument(s)" in compile_error(too_many)


def test_an_input_given_twice() -> None:
    def twice(a: int) -> Any:
        return two(a, a=a)

    assert "got two values for input 'a'" in compile_error(twice)


@pytest.mark.parametrize(
    ("use", "action", "fix"),
    [
        (bool, "a truth test", "branch inside a task"),
        (lambda p: p + 1, "'promise + ...'", "do the computation in a task"),
        (lambda p: 1 + p, "'int + promise'", "do the computation in a task"),
        (lambda p: -p, "'-promise'", "do the computation in a task"),
        (int, "int()", "convert it inside a task"),
        (float, "float()", "convert it inside a task"),
        (lambda p: [1, 2][p], "using it as an index", "convert it inside a task"),
        (lambda p: f"{p}", "formatting", "convert it inside a task"),
        (list, "iterating", "unpack that"),
        (len, "len()", "convert it inside a task"),
        (lambda p: 3 in p, "'in'", "compare inside a task"),
        (str, "str() (or print", "print repr(p)"),
        (lambda p: p.bit_length(), "'.bit_length'", "use .bit_length inside a task"),
    ],
    ids=[
        "if",
        "add",
        "radd",
        "neg",
        "int",
        "float",
        "index",
        "format",
        "iter",
        "len",
        "in",
        "str",
        "method",
    ],
)
def test_using_a_promise_as_a_python_value(use: Any, action: str, fix: str) -> None:
    def misuse(a: int) -> int:
        x = inc(n=a)
        use(x)
        return x

    msg = compile_error(misuse)
    assert msg.startswith("workflow 'test_workflow_errors.misuse': ")
    assert action in msg
    assert "output 'o' of node n0 (task 'mod.inc')" in msg
    assert "as a Python value" in msg and fix in msg


def test_if_on_a_workflow_input() -> None:
    def branch(a: int) -> int:
        if a:
            return inc(n=a)
        return inc(n=0)

    msg = compile_error(branch)
    assert "input 'a' of the workflow" in msg and "truth test" in msg


def test_unpacking_one_output_into_two() -> None:
    def unpack(a: int) -> int:
        x, _y = inc(n=a)
        return x

    assert "unpack that" in compile_error(unpack)


def test_passing_the_result_of_a_task_without_outputs() -> None:
    def void(a: int) -> int:
        return inc(n=side())

    msg = compile_error(void)
    assert "node n1 (task 'mod.inc'), input 'n'" in msg
    assert "the result of 'mod.side' (node n0 (task 'mod.side')), which has no outputs" in msg
    assert "a >> b" in msg


def test_an_ordering_that_closes_a_cycle() -> None:
    def looped(a: int) -> None:
        first = inc(n=a)
        p, q = inc(n=first), inc(n=first)
        p >> q
        q >> p

    msg = compile_error(looped)
    assert "node n2 (task 'mod.inc') cannot run before node n1 (task 'mod.inc')" in msg
    assert "which it already waits for (a cycle)" in msg


def test_an_ordering_against_a_data_dependency_closes_a_cycle() -> None:
    def backwards(a: int) -> None:
        first = inc(n=a)
        inc(n=first) >> first

    assert "node n1 (task 'mod.inc') cannot run before node n0" in compile_error(backwards)


def test_passing_all_outputs_of_a_multi_output_call() -> None:
    def whole(a: int) -> int:
        return inc(n=two(a=a, b=a))

    msg = compile_error(whole)
    assert "input 'n' got a tuple" in msg and "pass one of them" in msg


def test_a_promise_inside_a_value_that_is_not_a_list_or_dict() -> None:
    takes_point = plugin("takes_point", {"p": Point}, {})

    def nested(a: int) -> None:
        takes_point(p=Point(x=inc(n=a), y=1.0))

    msg = compile_error(nested)
    assert "node n1 (task 'mod.takes_point'), input 'p': a promise inside a Point cannot be bound" in msg
    assert "build the value in a task instead" in msg


def test_a_promise_from_another_workflow() -> None:
    leaked: list[Any] = []

    @workflow
    def first(a: int) -> int:
        x = inc(n=a)
        leaked.append(x)
        return x

    first.compile()

    def second(a: int) -> int:
        return inc(n=leaked[0])

    msg = compile_error(second)
    assert "belongs to workflow 'test_workflow_errors.first'" in msg


def test_an_outer_input_used_inside_a_nested_workflow() -> None:
    def outer(a: int) -> int:
        @workflow
        def inner() -> int:
            return inc(n=a)

        return inner()

    msg = compile_error(outer)
    assert "workflow 'test_workflow_errors.inner'" in msg
    assert "input 'a' of the workflow" in msg and "give this workflow an input" in msg


def test_returning_none_from_a_workflow_with_outputs() -> None:
    def forgot(a: int) -> int:
        inc(n=a)
        return None  # type: ignore[return-value]

    msg = compile_error(forgot)
    assert "declares output(s) (o0: int) but its body returned None" in msg


def test_returning_none_for_one_optional_output_binds_a_none() -> None:
    def nothing_yet(a: int) -> Optional[int]:
        inc(n=a)
        return None

    wf = workflow(nothing_yet)
    [binding] = wf.output_bindings
    assert binding.var == "o0" and "none_type" in str(binding.value)


def test_returning_a_value_from_a_workflow_without_outputs() -> None:
    def extra(a: int) -> None:
        return inc(n=a)  # type: ignore[no-any-return]

    assert "declares no outputs" in compile_error(extra)


def test_returning_the_wrong_number_of_values() -> None:
    def short(a: int) -> tuple[int, int, int]:
        return inc(n=a), inc(n=a)  # type: ignore[return-value]

    assert "declares 3 outputs" in compile_error(short) and "returned 2 values" in compile_error(short)


def test_returning_one_value_for_several_outputs() -> None:
    def single(a: int) -> tuple[int, int]:
        return inc(n=a)  # type: ignore[no-any-return]

    assert "returned one value; return a tuple" in compile_error(single)


def test_returning_a_tuple_for_one_output() -> None:
    def tupled(a: int) -> int:
        return inc(n=a), inc(n=a)  # type: ignore[return-value]

    assert "declares one output (o0: int) but returned a tuple of 2" in compile_error(tupled)


def test_an_output_of_the_wrong_type() -> None:
    def wrong_out(a: int) -> str:
        return inc(n=a)  # type: ignore[no-any-return]

    assert "output 'o0': expected str" in compile_error(wrong_out)


def test_a_workflow_calling_itself() -> None:
    def again(a: int) -> int:
        return again_wf(a=a)

    again_wf = workflow(again)
    with pytest.raises(WorkflowCompileError, match="calls itself"):
        again_wf.compile()


def test_an_unannotated_input_is_refused_when_decorated() -> None:
    def untyped(a) -> int:  # type: ignore[no-untyped-def]
        return inc(n=a)

    with pytest.raises(WorkflowCompileError, match=r"workflow '.*untyped'.*parameter 'a' has no type"):
        workflow(untyped)


def test_reaching_into_a_plain_value() -> None:
    def field(a: int) -> int:
        return inc(n=inc(n=a).value)

    assert "is a plain value (int) and has no field or item 'value'" in compile_error(field)


def test_indexing_with_something_else_than_a_key_or_index() -> None:
    getter = plugin("getter", {}, {"xs": list[int]})

    def bad_index(a: int) -> int:
        return inc(n=getter()[1.5])

    assert "can be indexed with a str key or an int index, not float" in compile_error(bad_index)


def test_with_overrides_of_a_conditionals_node_is_refused() -> None:
    from flyweight import conditional

    def overrides(a: int) -> int:
        result = conditional("c").if_(a > 0).then(inc(n=a)).else_().then(inc(n=1))
        return result.with_overrides(retries=2)  # type: ignore[no-any-return]

    wf = workflow(overrides)
    with pytest.raises(
        NotImplementedError, match=r"with_overrides\(\) on .*conditional's node are not supported"
    ):
        wf.compile()


def test_str_of_a_promise_is_not_bound_as_text() -> None:
    def as_text(a: int) -> str:
        return text(s=str(a))

    msg = compile_error(as_text)
    assert "str() (or print, or '%s' formatting) uses input 'a' of the workflow as a Python value" in msg


def test_str_of_the_result_of_a_task_without_outputs() -> None:
    def as_text(a: int) -> str:
        return text(s=str(side()))

    assert "uses the result of 'mod.side'" in compile_error(as_text)


def test_a_method_of_a_plain_value() -> None:
    def upper(a: str) -> str:
        return text(s=text(s=a).upper())

    msg = compile_error(upper)
    assert "'.upper' uses output 'o' of node n0 (task 'mod.text') as a Python value" in msg
    assert "use .upper inside a task that takes it as an input" in msg


async def _async_body(a: int) -> int:
    return a


def _generator_body(a: int) -> int:  # type: ignore[misc]
    yield inc(n=a)


class _Body:
    def __init__(self, a: int) -> None:
        self.a = a


@pytest.mark.parametrize(
    ("function", "message"),
    [
        (_async_body, r"function '_async_body' is an async function; a workflow body runs once"),
        (_generator_body, r"is a generator function \(it uses yield\).*return the promises"),
        (lambda a: a, "got a lambda"),
        (_Body, "got the class '_Body'"),
        (inc, "got FlyweightPluginTask 'mod.inc', which is already a task or workflow"),
        (__import__("functools").partial(_async_body, a=1), "needs a function defined with def, got partial"),
    ],
    ids=["async", "generator", "lambda", "class", "task", "partial"],
)
def test_what_is_not_a_plain_function_is_refused_when_decorated(function: Any, message: str) -> None:
    with pytest.raises(WorkflowCompileError, match=message):
        workflow(function)


def test_docs_of_another_type_are_refused_when_decorated() -> None:
    def documented(a: int) -> int:
        return inc(n=a)

    with pytest.raises(
        WorkflowCompileError, match="workflow '.*documented': docs must be a flyweight.Documentation"
    ):
        workflow(documented, docs="adds one")  # type: ignore[call-overload]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are new in Python 3.11")
def test_an_error_of_the_body_itself_says_which_workflow_was_compiling() -> None:
    def broken(a: int) -> int:
        raise KeyError("settings")

    wf = workflow(broken)
    with pytest.raises(KeyError) as info:
        wf.compile()
    assert info.value.__notes__ == [
        "(raised while compiling the body of workflow 'test_workflow_errors.broken')"
    ]


def test_a_promise_as_a_dict_key() -> None:
    counts = plugin("counts", {"d": dict[str, int]}, {})

    def keyed(a: str) -> None:
        counts(d={text(s=a): 1})

    msg = compile_error(keyed)
    assert "node n1 (task 'mod.counts'), input 'd': a dict key is Promise(output 'o' of node n0" in msg
    assert "build a dict with computed keys inside a task" in msg
