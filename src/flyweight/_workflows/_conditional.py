"""Flyte conditionals: ``conditional(name).if_(cond).then(call).elif_(cond).then(call).else_().then(call)``.

Inside a workflow body, :func:`conditional` opens a section on the workflow's compiler. The call written in
each ``then`` becomes the branch's node, numbered inside the section (``n0``, ``n1`` … in branch order, as
flytekit numbers them) and kept out of the workflow's own nodes. ``else_().then(call)`` or
``else_().fail(message)`` closes the section: the workflow gets one branch node (id ``n<k>`` in call
order, its metadata named after the conditional) whose inputs are the promises the conditions compare,
each named ``<node id>.<output>``. It returns promises of the outputs every branch gives (a void promise
when a branch gives none), usable downstream like a call's.

A conditional can be a branch of another (nested): its branch node is then numbered among the enclosing
branch's nodes, as flytekit does. A branch is one call of a task, a sub-workflow or a launch plan;
flyweight refuses, at compile time, a branch of more than one call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

from flyweight._context import current_compiler
from flyweight._idl import Literal, NodeMetadata
from flyweight._workflows._compiler import CallOutputs, Compiler, output_tuple_class
from flyweight._workflows._expression import Comparison, Conjunction, Expression
from flyweight._workflows._node import BRANCH, START, Binding, Node, NodeOutput
from flyweight._workflows._promise import Promise, VoidPromise
from flyweight.errors import NotSupportedError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import LiteralMap, LiteralType

__all__ = ["Branch", "Case", "Condition", "ConditionalSection", "conditional"]


class Branch:
    """What a branch node runs: the conditions in order with the node of each, then the ``else`` node or
    the error message of ``else_().fail(...)``.

    Attributes:
        name: the conditional's name.
        cases: ``(condition, node)`` for the ``if_`` and each ``elif_``.
        else_node: the node of ``else_().then(...)``, or None with ``error``.
        error: the message of ``else_().fail(...)``, or None.
        output_names: the outputs the branch node gives (those every branch gives, in the first one's order).
    """

    __slots__ = ("cases", "else_node", "error", "name", "output_names")

    def __init__(
        self,
        name: str,
        cases: list[tuple[Expression, Node]],
        else_node: Node | None,
        error: str | None,
        output_names: list[str],
    ) -> None:
        self.name = name
        self.cases = cases
        self.else_node = else_node
        self.error = error
        self.output_names = output_names

    def construct_node_metadata(self) -> NodeMetadata:
        """The branch node's metadata: named after the conditional (built when first read)."""
        metadata = NodeMetadata(name=self.name)
        metadata.retries.SetInParent()  # flytekit writes an empty retry strategy
        return metadata

    def choose(self, inputs: LiteralMap) -> Node | None:
        """The node to run given the branch node's inputs (named ``<node id>.<output>``, as a branch node's
        are on Flyte): the first whose condition holds on the real values, else the ``else`` node (None
        for ``else_().fail``). A condition on values that do not compare (``None < 1``) raises."""

        def operand(p: Promise) -> Literal:
            return inputs.literals[branch_var(p)]

        return next((n for expr, n in self.cases if expr.evaluate(operand)), self.else_node)

    def run_after(self, node: Node) -> list[Node]:
        """The nodes the local engine waits for before running the branch node ``node``: those its
        conditions read and those any branch's node reads."""
        out: list[Node] = []
        branches = [n for _, n in self.cases] + ([self.else_node] if self.else_node is not None else [])
        ups = list(node.upstream_nodes)
        for b in branches:  # a nested conditional's branch node: what it waits for
            ups.extend(
                b.flyte_entity.run_after(b) if isinstance(b.flyte_entity, Branch) else b.upstream_nodes
            )
        for up in ups:
            if up.kind != START and not any(up is n for n in out):
                out.append(up)
        return out

    def __repr__(self) -> str:
        return f"Branch({self.name!r})"


_new_binding = tuple.__new__  # Binding(var, value), without the named tuple's own __new__


def branch_var(p: Promise) -> str:
    """The name a branch node gives the input a condition reads: ``<node id>.<output>`` (flytekit's)."""
    return f"{p.ref.node_id}.{p.ref.var}"


Output: TypeAlias = "Promise | VoidPromise | tuple[Promise, ...]"
"""What a branch's ``then(...)`` is given: the outputs of its call."""


class Case:
    """One branch being written: ``if_(cond)`` / ``elif_(cond)`` (``expr`` set) or ``else_()``.

    Attributes:
        expr: the condition (None for ``else_()``).
        stmt: ``"if_"``, ``"elif_"`` or ``"else_"``.
        promises: the promises the condition reads (``expr.promises()``); None when it reads only
            ``expr.lhs`` (a promise compared with a constant).
        node: the branch's node, once ``then(...)`` is given (unset before).
        out: what ``then(...)`` was given: the outputs of the branch's call (unset before).
    """

    __slots__ = ("_section", "expr", "node", "out", "promises", "stmt")

    node: Node
    out: Output

    def __init__(
        self,
        section: ConditionalSection,
        expr: Expression | None,
        stmt: str,
        promises: list[Promise] | None = None,
    ) -> None:
        self._section = section
        self.expr = expr
        self.stmt = stmt
        self.promises = promises

    def then(self, p: object) -> Condition | CallOutputs:
        """The call this branch runs (``then(t(a=x))``); after ``else_()`` the conditional's outputs."""
        section = self._section
        nodes = section.nodes
        count = len(nodes)
        if (  # the common case, checked quickly: what ConditionalSection._then does, inlined
            section._expecting is self
            and count == section._counted + 1
            and type(p) is Promise
            and p._ref is not None
            and p._ref.node is nodes[-1]
        ):
            section._counted = count
            section._expecting = None
            node = self.node = nodes[-1]
            self.out = p
            section._cases.append(self)
            if self.expr is None:
                section._else = node
                return section._close()
            return Condition(section)
        return section._then(self, p)

    def fail(self, message: str) -> CallOutputs:
        """After ``else_()``: fail the run with ``message`` when no condition holds."""
        return self._section._fail(self, message)

    def elif_(self, expr: Expression) -> Case:
        """An error: this case has no ``then(...)`` yet (raised naming the workflow and the conditional)."""
        return self._section._case(expr, "elif_")

    def else_(self) -> Case:
        """An error: this case has no ``then(...)`` yet (raised naming the workflow and the conditional)."""
        return self._section._case(None, "else_")

    def __repr__(self) -> str:
        return f"{self.stmt}({self.expr!r})"


class Condition:
    """What ``if_(…).then(…)`` returns: continue with ``elif_(cond)`` or ``else_()``."""

    __slots__ = ("_section",)

    def __init__(self, section: ConditionalSection) -> None:
        self._section = section

    def elif_(self, expr: Expression) -> Case:
        return self._section._case(expr, "elif_")

    def else_(self) -> Case:
        section = self._section
        if section._expecting is None:  # (what _case does, without its checks of a condition)
            case = section._expecting = Case(section, None, "else_")
            return case
        return section._case(None, "else_")

    def __repr__(self) -> str:
        return f"condition({self._section.name})"


class ConditionalSection:
    """A conditional being written in a workflow body (what :func:`conditional` returns)."""

    __slots__ = (
        "_cases",
        "_compiler",
        "_counted",
        "_else",
        "_error",
        "_expecting",
        "_parent",
        "name",
        "nodes",
    )

    def __init__(self, name: str, compiler: Compiler, parent: ConditionalSection | None = None) -> None:
        """``parent``: the conditional whose branch this one is (a nested conditional), if any."""
        self.name = name
        self._compiler = compiler
        self._parent = parent
        self.nodes: list[Node] = []  # the branches' nodes, numbered inside the section
        self._counted = 0  # nodes already given to a branch
        self._cases: list[Case] = []  # the cases given their then(...), in order
        self._else: Node | None = None
        self._error: str | None = None
        self._expecting: Case | None = None  # the case whose then() comes next
        compiler.section = self

    # -- the chain ---------------------------------------------------------------------------------
    def if_(self, expr: Expression) -> Case:
        if type(expr) is Comparison and self._expecting is None:  # (_case's quick check, inlined)
            lhs = expr.lhs
            if type(lhs) is Promise and type(expr.rhs) is Literal:
                ref = lhs._ref
                if ref is not None and ref.node.scope is self._compiler:
                    case = self._expecting = Case(self, expr, "if_")
                    return case
        return self._case(expr, "if_")

    def _where(self) -> str:
        return f"workflow {self._compiler.workflow_name!r}: conditional {self.name!r}"

    def _case(self, expr: Expression | None, stmt: str) -> Case:
        if type(expr) is Comparison and self._expecting is None:  # a promise and a constant: checked quickly
            lhs = expr.lhs
            if type(lhs) is Promise and type(expr.rhs) is Literal:
                ref = lhs._ref
                if ref is not None and ref.node.scope is self._compiler:
                    case = self._expecting = Case(self, expr, stmt)
                    return case
        if self._expecting is not None:
            raise WorkflowCompileError(
                f"{self._where()}: {self._expecting.stmt}(...) has no then(...) before {stmt}"
            )
        if expr is None and stmt == "else_":
            case = self._expecting = Case(self, None, stmt)
            return case
        if isinstance(expr, bool):
            raise WorkflowCompileError(
                f"{self._where()}.{stmt}: got the bool {expr}: logical (and/or/is/not) operations are "
                "not supported; use comparisons (<, <=, >, >=, ==, !=) combined with & and |"
            )
        if isinstance(expr, Promise):
            raise WorkflowCompileError(
                f"{self._where()}.{stmt}: a promise alone is not a condition; write {stmt}(p.is_true()) "
                "or compare it (p == value)"
            )
        if not isinstance(expr, (Comparison, Conjunction)):
            raise WorkflowCompileError(
                f"{self._where()}.{stmt}: expected a comparison (<, <=, >, >=, ==, !=) or a combination "
                f"of them with & and |, got {type(expr).__name__} {expr!r}"
            )
        promises = expr.promises()
        for p in promises:
            if p.ref.node.scope is not self._compiler:
                raise WorkflowCompileError(
                    f"{self._where()}.{stmt}: the condition reads {p!r}, which is not an input or a call "
                    "of this workflow outside a conditional"
                )
        case = self._expecting = Case(self, expr, stmt, promises)
        return case

    def _branch_node(self, case: Case, p: object) -> Node:
        new = self.nodes[self._counted :]
        self._counted = len(self.nodes)
        ref = None
        if isinstance(p, (Promise, VoidPromise)):
            ref = p.ref if not (isinstance(p, Promise) and p.is_ready) else None
        elif isinstance(p, tuple) and p and all(isinstance(x, Promise) for x in p):
            ref = p[0].ref
        if ref is None or len(new) != 1 or ref.node is not new[0]:
            raise NotSupportedError(
                f"{self._where()}.{case.stmt}(...).then: a branch must be exactly one call of a task (or of "
                "a sub-workflow or launch plan) written inside then(...), such as then(t(a=x)); flyweight "
                "does not support branches of other values or of several calls"
            )
        return new[0]

    def _then(self, case: Case, p: object) -> Condition | CallOutputs:
        if self._expecting is not case:
            self._check_expecting(case, "then")
        nodes = self.nodes
        count = len(nodes)
        # the common case, checked quickly: one call made for the branch, one output given (what
        # _branch_node checks)
        if (
            count == self._counted + 1
            and type(p) is Promise
            and p._ref is not None
            and p._ref.node is nodes[-1]
        ):
            node = nodes[-1]
            self._counted = count
        else:
            node = self._branch_node(case, p)
        assert isinstance(p, (Promise, VoidPromise, tuple))
        self._expecting = None
        case.node = node
        case.out = p
        self._cases.append(case)
        if case.expr is None:
            self._else = node
            return self._close()
        return Condition(self)

    def _fail(self, case: Case, message: str) -> CallOutputs:
        self._check_expecting(case, "fail")
        if case.expr is not None:
            raise NotSupportedError(
                f"{self._where()}.{case.stmt}(...).fail: only else_() can fail; give this branch a call "
                "with then(...)"
            )
        if self.nodes[self._counted :]:
            raise NotSupportedError(f"{self._where()}.else_().fail: a call was made for a branch that fails")
        self._expecting = None
        self._error = message or "Condition failed"
        return self._close()

    def _check_expecting(self, case: Case, what: str) -> None:
        if self._expecting is not case:
            raise WorkflowCompileError(f"{self._where()}: {what}(...) of {case!r} was already given")

    # -- closing: the branch node ------------------------------------------------------------------
    def _outputs(self) -> list[tuple[str, LiteralType | None]]:
        """The outputs every branch gives, in the first branch's order (none if one branch gives none)."""
        per_case: list[list[tuple[str, LiteralType | None]]] = []
        for case in self._cases:
            p = case.out
            if isinstance(p, VoidPromise):
                return []
            items = [p] if isinstance(p, Promise) else list(p)
            per_case.append([(x.var, x.literal_type) for x in items])
        common = set.intersection(*({n for n, _ in c} for c in per_case)) if per_case else set()
        out = [(n, t) for n, t in per_case[0] if n in common] if per_case else []
        for name, lt in out:
            for case_items, case in zip(per_case, self._cases, strict=True):
                other = dict(case_items)[name]
                if lt is not None and other is not None and other != lt:
                    raise WorkflowCompileError(
                        f"{self._where()}: the branches give output {name!r} different types ({case.stmt} "
                        "differs from the first branch); every branch must return the same types"
                    )
        return out

    def _close(self) -> CallOutputs:
        compiler = self._compiler
        parent = self._parent
        compiler.section = parent
        given = self._cases
        # the outputs; first the common shape, quickly: every branch one output of one name and type
        var: str | None = None
        lt: LiteralType | None = None
        first = given[0].out
        if type(first) is Promise:
            var = first._var
            lt = None if first._attr_path else first._type  # its literal_type
            for case in given:
                p = case.out
                if type(p) is not Promise or p._var != var:
                    var = None
                    break
                other = None if p._attr_path else p._type
                if other is not lt and other != lt:
                    var = None
                    break
        outputs: list[tuple[str, LiteralType | None]] | None = None
        if var is None:
            outputs = self._outputs()
            names = [n for n, _ in outputs]
        else:
            names = [var]
        # the branch node's inputs: the promises the conditions read, each once, named <node id>.<output>
        cases: list[tuple[Expression, Node]] = []
        bindings: list[Binding] = []
        upstream: list[Node] = []
        seen: set[tuple[str, str]] | None = None
        for case in given:
            expr = case.expr
            if expr is None:
                continue
            cases.append((expr, case.node))
            promises = case.promises
            read: Any  # a promise (Comparison.lhs is typed object)
            for read in (expr.lhs,) if promises is None else promises:
                ref = read._ref  # (a reference: _case checked it)
                up = ref.node
                node_id = up._id
                if bindings:  # a second promise: skip one already bound
                    if seen is None:
                        seen = {(b.value.ref.node_id, b.value.ref.var) for b in bindings}  # type: ignore[union-attr]
                    key = (node_id, ref.var)
                    if key in seen:
                        continue
                    seen.add(key)
                name = f"{node_id}.{ref.var}"  # branch_var(p)
                bindings.append(
                    _new_binding(Binding, (name, Promise(name, ref, read._type)))
                )  # read.with_var(name)
                if up.kind != START and up not in upstream:  # (a node equals only itself)
                    upstream.append(up)
        if len(bindings) > 1:
            bindings.sort(key=lambda b: b.var)
        branch = Branch(self.name, cases, self._else, self._error, names)
        # a nested conditional's branch node is a node of the enclosing conditional's branch
        if parent is None:
            target = compiler.nodes
            scope: object = compiler
        else:
            target = parent.nodes
            scope = parent
        # no metadata given: the node builds it when first read (Branch.construct_node_metadata)
        node_id = f"{compiler.prefix}n{len(target)}"
        node = Node(node_id, None, bindings, upstream, branch, BRANCH, compiler.workflow_name, scope)
        target.append(node)
        given.clear()  # what the cases were given is no longer needed: let it go now
        if var is not None:
            return Promise(var, NodeOutput(node, var), lt)
        if not outputs:
            return VoidPromise(self.name, NodeOutput(node, "placeholder"))
        if len(outputs) == 1:
            name, lt = outputs[0]
            return Promise(name, NodeOutput(node, name), lt)
        promises = [Promise(n, NodeOutput(node, n), t) for n, t in outputs]
        return output_tuple_class(names, None)(*promises)

    # -- what the compiler asks --------------------------------------------------------------------
    def refuse(self, kind: str, name: str) -> Exception:
        """The error for a branch's call (of ``kind`` ``name``) on the output of another call of the same
        branch: a branch is exactly one call."""
        return NotSupportedError(
            f"{self._where()}: the call of {kind} {name!r} uses the output of another call made in the same "
            "branch; a branch must be exactly one call of a task (or of a sub-workflow or launch plan): do "
            "both steps in one task or sub-workflow, or make the first call before the conditional"
        )

    def unfinished(self) -> WorkflowCompileError:
        """The error for a conditional left without its ``else_().then(...)`` / ``else_().fail(...)``."""
        if self._expecting is not None:
            what = f"{self._expecting.stmt}(...) has no then(...)"
        else:
            what = "it has no else_().then(...) or else_().fail(...)"
        return WorkflowCompileError(f"{self._where()} is not finished: {what}")

    def __repr__(self) -> str:
        return f"conditional({self.name!r})"


def conditional(name: str) -> ConditionalSection:
    """Start a conditional in a workflow body: ``conditional("sign").if_(x > 0).then(pos(x=x))
    .elif_(x < 0).then(neg(x=x)).else_().then(zero())``; the result is the chosen branch's outputs.

    Conditions compare promises with promises or constants (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``,
    ``p.is_true()``, ``p.is_false()``, ``p.is_none()``) and combine with ``&`` and ``|``. End with
    ``else_().then(call)`` or ``else_().fail("message")``.

    A conditional can be the branch of another: ``.then(conditional("inner").if_(...)...)``.

    Raises:
        WorkflowCompileError: outside a workflow body.
    """
    compiler: Any = current_compiler()
    if not isinstance(compiler, Compiler):
        raise WorkflowCompileError(
            f"conditional({name!r}) can only be used inside a @workflow body (branch on values inside a task)"
        )
    parent = compiler.section
    if parent is not None and not isinstance(parent, ConditionalSection):
        raise NotSupportedError(
            f"workflow {compiler.workflow_name!r}: conditional {name!r} cannot start here"
        )
    return ConditionalSection(name, compiler, parent)
