"""A task's deck page: which decks a task gets, and the page made when it ends (:func:`run_with_decks`).

A function task's decks are its ``deck_fields`` (source code, dependencies, timeline, inputs, outputs), as in
flytekit. A task run from its template alone (a plugin task, locally or in a container) knows only the
template's ``generates_deck``; with it, the page shows the template (``custom`` with secret-looking values
hidden, the secrets' names only), the inputs and outputs and the timeline, plus every deck the executor
made. flytekit renders no deck for these tasks.

Decks never decide a task's outcome: a renderer that fails shows its error in its deck and is logged, and
a page that cannot be written is logged.
"""

from __future__ import annotations

import html
import inspect
import json
import logging
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from flyweight import _idl
from flyweight._context import FlyteContext, FlyteContextManager
from flyweight._deck import Deck, sink_for_task
from flyweight._deck._model import quiet_timeit
from flyweight._tasks._metadata import DeckField
from flyweight.types import TypeEngine

if TYPE_CHECKING:
    from flyweight._tasks._plan import PlannedTask, TaskPlan

__all__ = ["redact", "run_with_decks", "template_html"]

logger = logging.getLogger("flyweight")

_SECRET_KEY = re.compile(r"pass(word|wd)?|secret|token|credential|api[_-]?key|private[_-]?key|auth", re.I)
_HIDDEN = "••••••"
_URL_PASSWORD = re.compile(r"(\b[a-zA-Z][\w+.-]*://[^:/@\s]*:)[^@\s]*@")  # scheme://user:PASSWORD@
_REFERENCE_KEYS = frozenset({"group", "key", "group_version", "mount_requirement", "env_var"})


def run_with_decks(  # noqa: PLR0917 - run_plan's arguments, and how to run the hooks
    task: PlannedTask,
    ctx: FlyteContext,
    input_literal_map: _idl.LiteralMap,
    plan: TaskPlan[object],
    fields: tuple[DeckField, ...],
    run: Callable[[FlyteContext, dict[str, Any]], Any],
) -> _idl.LiteralMap:
    """Run the task as ``run_plan`` does (``run(ctx, kwargs)`` calls its hooks), in a context whose
    parameters hold a fresh deck page, timing each part; then render the page and send it to the task's
    sink, whether the task succeeded or failed."""
    name = plan.name.rsplit(".", 1)[-1]
    sink = ctx.user_space_params.deck_sink or sink_for_task()
    params = ctx.user_space_params.with_decks(name, sink, DeckField.TIMELINE in fields)
    state = ctx.execution_state.with_params(user_space_params=params)
    inner = FlyteContext(
        ctx.file_access, state, level=ctx.level + 1, serialization_settings=ctx.serialization_settings
    )
    kwargs: dict[str, Any] | None = None
    outputs: Mapping[str, Any] | None = None
    failure: BaseException | None = None
    token = FlyteContextManager.push(inner)
    try:
        with quiet_timeit("Translate inputs to Python values"):
            kwargs = plan.read_inputs(inner, input_literal_map)
        with quiet_timeit("Execute user level code"):
            rval = run(inner, kwargs)
        if isinstance(rval, _idl.LiteralMap):
            return rval
        with quiet_timeit("Translate Python values to outputs"):
            out = plan.write_outputs(inner, rval)
        outputs = plan.map_outputs(rval)
        return out
    except BaseException as e:
        failure = e
        raise
    finally:
        try:
            _finish(task, inner, plan, fields, kwargs, outputs, failure)
            from flyweight._deck._page import render_page

            sink(name, render_page(params.decks, plan.name), True)
        except Exception as e:  # the page is a view of the task: it never decides the outcome
            logger.warning(
                "task %r: its deck page could not be written: %s: %s", plan.name, type(e).__name__, e
            )
        finally:
            FlyteContextManager.pop(token)


def _finish(  # noqa: PLR0917
    task: object,
    ctx: FlyteContext,
    plan: TaskPlan[object],
    fields: tuple[DeckField, ...],
    kwargs: Mapping[str, Any] | None,
    outputs: Mapping[str, Any] | None,
    failure: BaseException | None,
) -> None:
    """Add the decks the task's fields ask for, in flytekit's order (source, dependencies, inputs,
    outputs), after the timeline and the task's own decks."""
    function = getattr(task, "task_function", None)
    if DeckField.SOURCE_CODE in fields and callable(function):
        _deck(DeckField.SOURCE_CODE.value, lambda: _source(function))
    if DeckField.DEPENDENCIES in fields and callable(function):
        from flyweight._deck._renderers import PythonDependencyRenderer

        _deck(DeckField.DEPENDENCIES.value, PythonDependencyRenderer().to_html)
    if plan.template is not None:
        template = plan.template
        _deck("Task", lambda: template_html(template))
    if DeckField.INPUT in fields and kwargs is not None:
        _deck(DeckField.INPUT.value, lambda: _values_html(ctx, kwargs, plan.input_types))
    if DeckField.OUTPUT in fields and outputs is not None:
        _deck(DeckField.OUTPUT.value, lambda: _values_html(ctx, outputs, plan.output_types))
    if failure is not None:
        _deck("Error", lambda: _error_html(failure))


def _deck(name: str, render: Callable[[], str]) -> None:
    """A deck of what ``render`` gives; if it fails, the deck says so (and the log)."""
    try:
        body = render()
    except Exception as e:
        logger.warning("deck %r could not be rendered: %s: %s", name, type(e).__name__, e)
        why = html.escape(f"{type(e).__name__}: {e}")
        body = f'<div class="fw-error">This deck could not be rendered: {why}</div>'
    Deck(name, body)


def _source(function: Callable[..., Any]) -> str:
    from flyweight._deck._renderers import SourceCodeRenderer

    return SourceCodeRenderer().to_html(inspect.getsource(function))


def _type_text(t: Any) -> str:
    return t.__name__ if isinstance(t, type) else str(t).replace("typing.", "")


def _values_html(ctx: FlyteContext, values: Mapping[str, Any], types: Mapping[str, Any]) -> str:
    """A table of ``values``: name, declared type, the value as its renderer shows it."""
    if not values:
        return '<p class="fw-empty">(none)</p>'
    rows = []
    for name, value in values.items():
        t = types.get(name, type(value))
        try:
            shown = TypeEngine.to_html(ctx, value, t)
        except Exception as e:
            shown = f'<div class="fw-error">{html.escape(f"cannot render: {type(e).__name__}: {e}")}</div>'
        rows.append(
            f"<tr><td><code>{html.escape(name)}</code></td><td><code>{html.escape(_type_text(t))}</code></td>"
            f"<td>{shown}</td></tr>"
        )
    return (
        '<table class="fw-values"><thead><tr><th>Name</th><th>Type</th><th>Value</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _error_html(failure: BaseException) -> str:
    return f"<h3>{html.escape(type(failure).__name__)}</h3><pre>{html.escape(str(failure))}</pre>"


def redact(value: Any, hide: bool = False) -> Any:
    """``value`` (a template's ``custom``, decoded) as a deck shows it: values under secret-looking keys
    hidden (secret references, ``{"group": …, "key": …}``, stay: they are names), passwords in URLs
    hidden, whole numbers shown as integers."""
    if isinstance(value, Mapping):
        if _is_reference(value):
            return dict(value)
        return {k: redact(v, hide or bool(_SECRET_KEY.search(str(k)))) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, hide) for v in value]
    if hide and value is not None:
        return _HIDDEN
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<1>{_HIDDEN}@", value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_reference(value: Mapping[Any, Any]) -> bool:
    """A secret's name (``{"group": …, "key": …}``) rather than its value."""
    return "group" in value and set(value) <= _REFERENCE_KEYS


def template_html(template: _idl.TaskTemplate) -> str:
    """What the template says of the task: its id, type, image, ``custom`` (secret-looking values hidden)
    and its secrets by name. Environment variables are never shown."""
    from google.protobuf.json_format import MessageToDict

    facts = [
        ("Task", template.id.name or "(unnamed)"),
        ("Type", f"{template.type} (version {template.task_type_version})"),
    ]
    if template.HasField("container"):
        facts.append(("Image", template.container.image))
    secrets = [f"{s.group}/{s.key}" if s.key else s.group for s in template.security_context.secrets]
    if secrets:
        facts.append(("Secrets (names only)", ", ".join(secrets)))
    rows = "".join(
        f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>" for k, v in facts
    )
    custom = redact(MessageToDict(template.custom)) if template.HasField("custom") else {}
    shown = json.dumps(custom, indent=2, sort_keys=True, ensure_ascii=False)
    return (
        f'<table class="fw-task">{rows}</table><h3>custom</h3>'
        f"<pre>{html.escape(shown)}</pre>"
        '<p class="fw-note">Values under keys that look secret are hidden; '
        "environment variables are not shown.</p>"
    )
