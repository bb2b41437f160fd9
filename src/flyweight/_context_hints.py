"""Names of flytekit's context classes that flyweight's do not have, and why: the messages of the
``AttributeError`` a plugin gets for one (imported only when such a name is asked for)."""

from __future__ import annotations

__all__ = ["context_hint", "params_hint", "state_hint"]


_PARAMS_NOT_PROVIDED = {
    "stats": "flyweight emits no statsd metrics; log with current_context().logging",
}


_BRANCHES = (
    "flyweight's conditional() evaluates branches in its own compiler and engine; a plugin needs no "
    "branch state"
)
_STATE_NOT_PROVIDED = {
    "branch_eval_mode": _BRANCHES,
    "take_branch": _BRANCHES,
    "branch_complete": _BRANCHES,
}

_COMPILATION = (
    "flyweight compiles workflow bodies with its own compiler; ctx.compilation_state is the one compiling "
    "now (or None), and a plugin cannot set one"
)
_CONTEXT_NOT_PROVIDED = {
    "with_compilation_state": _COMPILATION,
    "with_new_compilation_state": _COMPILATION,
    "new_compilation_state": _COMPILATION,
    "enter_conditional_section": _COMPILATION,
    "in_a_condition": _COMPILATION,
    "output_metadata_tracker": "flyweight does not track output metadata (artifacts)",
    "with_output_metadata_tracker": "flyweight does not track output metadata (artifacts)",
    "worker_queue": "flyweight has no eager workflows (use @dynamic)",
    "with_worker_queue": "flyweight has no eager workflows (use @dynamic)",
    "flyte_client": "flyweight has no Flyte admin client (FlyteRemote)",
    "with_client": "flyweight has no Flyte admin client (FlyteRemote)",
    "origin_stackframe": "flyweight records no stack frames for contexts",
    "set_stackframe": "flyweight records no stack frames for contexts",
    "get_origin_stackframe_repr": "flyweight records no stack frames for contexts",
}


def context_hint(owner: str, name: str) -> AttributeError:
    hint = _CONTEXT_NOT_PROVIDED.get(name)
    if hint is None:
        return AttributeError(f"{owner!r} object has no attribute {name!r}")
    return AttributeError(f"flyweight's {owner} has no {name!r}: {hint}")


def params_hint(name: str) -> str | None:
    """Why ``ExecutionParameters`` has no ``name`` (None: not a flytekit name)."""
    return _PARAMS_NOT_PROVIDED.get(name)


def state_hint(name: str) -> str | None:
    """Why ``ExecutionState`` has no ``name`` (None: not a flytekit name)."""
    return _STATE_NOT_PROVIDED.get(name)
