"""The HTML report of a local workflow run: one self-contained page per run of ``flyweight run``.

Why it exists: a local run prints its result and is gone; what ran, in which order, on which worker,
how long each attempt queued and ran, what was retried, what failed and why is in the run's event
stream only. The run's recorder collects that as plain data and this module turns it into one HTML
file a person can open later, offline, with nothing else installed. It is a pure function of the
data: it imports nothing of the engine, and the engine never waits on it.

What the page shows (each a ``<section>`` with a stable id):

- ``#summary``: workflow, run id, status, start time, duration, the count of nodes by final state,
  the run's inputs and outputs, and its error in full.
- ``#graph``: the workflow graph, nodes coloured by final state, laid out in layers (longest path
  over ``upstream`` within each parent), sub-workflow nodes drawn as boxes holding their children.
- ``#timeline``: one row per attempt (queued part, run part coloured by outcome, cache hits as a
  mark) over the time since the run started.
- ``#nodes``: a filterable, paged table of the nodes with their deck links; a row or a graph node
  opens ``#node-detail``: the node's inputs, outputs, every attempt with its timing and errors in full.

How: the data goes into the page once, as JSON in ``<script type="application/json"
id="flyweight-run">`` (``<``, ``>``, ``&``, ``/``, U+2028 and U+2029 escaped, so no string can end the
script element or form a URL), and a script (:mod:`._report_page`) builds the views from it, setting
text only through ``textContent`` or canvas drawing. The graph and the timeline are canvases the size
of the visible area, drawing only what is in view, so a run of 10,000 nodes stays responsive; the page's
size is a constant plus the JSON. A Content-Security-Policy forbids every fetch: the page loads nothing.
Without JavaScript a ``<noscript>`` block shows the summary, rendered here.

The data (a JSON-able mapping; every string untrusted, every key optional)::

    {"version": 1,
     "run": {"name", "workflow", "status", "started", "ended", "error", "inputs", "outputs"},
     "nodes": [{"id", "entity", "kind", "upstream": [id, ...], "parent": id | None}, ...],
     "events": [[node_id, state, epoch_seconds, info], ...],
     "io": {node_id: {"inputs": {name: short}, "outputs": {name: short}}},
     "decks": {node_id: {attempt: path relative to the report file}}}

States are ``pending running retried succeeded failed cached cancelled``; a node's final state is
the state of its last event (``"none"``, shown "not run", without any). ``info`` may hold ``entity``,
``kind``, ``attempt``, ``duration``, ``where``, ``worker``, ``pid``, ``error``, ``timed_out`` and
``reason``. Values that JSON cannot hold (NaN, infinities, other objects) are written as ``null`` or
their ``str``.
"""

from __future__ import annotations

import datetime
import html
import json
import math
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flyweight._runtime._report_page import BODY, CSS, SCRIPT
from flyweight.errors import StorageError

__all__ = ["render_report", "write_report"]

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
_JSON_ESCAPES = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    ord("/"): "\\/",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}
_STATE_ORDER = ("succeeded", "failed", "retried", "cached", "cancelled", "running", "pending", "none")


def render_report(data: Mapping[str, Any]) -> str:
    """The report page of one run: a complete, self-contained HTML document (see the module doc)."""
    run = _mapping(data.get("run"))
    nodes = data.get("nodes")
    node_count = len(nodes) if isinstance(nodes, list) else 0
    title = f"flyweight run {_text(run.get('name'))} \u2014 {_text(run.get('workflow'))}"
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n',
            '<meta name="generator" content="flyweight">\n<link rel="icon" href="data:,">\n',
            f"<title>{title}</title>\n<style>{CSS}</style>\n</head>\n",
            f'<body data-node-count="{node_count}" data-status="{_text(run.get("status"))}">\n',
            f'<header class="top"><h1>{title}</h1><nav><a href="#summary">Summary</a>',
            '<a href="#graph">Graph</a><a href="#timeline">Timeline</a><a href="#nodes">Nodes</a>',
            "</nav></header>\n",
            _noscript(data, run),
            BODY,
            '<script type="application/json" id="flyweight-run">',
            _script_json(data),
            "</script>\n<script>",
            SCRIPT,
            "</script>\n</body>\n</html>\n",
        ]
    )


def write_report(path: Path, data: Mapping[str, Any]) -> None:
    """Write the report of ``data`` to ``path`` atomically: the page is written to a temporary file in
    the same directory, synced, and renamed over ``path`` (whose parent is created if missing), so a
    reader sees the old file or the new one, never part of one.

    Raises:
        StorageError: the directory cannot be created or written (the message names the path).
    """
    page = render_report(data).encode("utf-8")
    path = Path(path)
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(page)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = None
        _sync_directory(path.parent)
    except OSError as e:
        raise StorageError(f"cannot write the run report {str(path)!r}: {e.strerror or e}") from e
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable where the platform allows it (best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _script_json(data: Mapping[str, Any]) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element and parses back to ``data``."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = json.dumps(_plain(data), ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.translate(_JSON_ESCAPES)


def _plain(value: Any) -> Any:
    """``value`` with whatever JSON cannot hold replaced: non-finite floats by ``None``, other objects
    by their ``str``, keys by strings."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    """``value`` as HTML text or attribute value: escaped, and with ``/`` as a reference so no string
    of the data appears as a URL in the page."""
    return html.escape("" if value is None else str(value), quote=True).replace("/", "&#47;")


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _format_time(epoch: float | None) -> str:
    if epoch is None:
        return "\u2013"
    try:
        moment = datetime.datetime.fromtimestamp(epoch).astimezone()
    except (OverflowError, OSError, ValueError):
        return "\u2013"
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def _format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "\u2013"
    seconds = max(0.0, seconds)
    if seconds < 1:
        return f"{round(seconds * 1000)} ms"
    if seconds < 60:
        return f"{seconds:.2f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)}m {int(seconds % 60):02d}s"
    return f"{int(seconds // 3600)}h {int(seconds % 3600 // 60):02d}m"


def _final_states(data: Mapping[str, Any]) -> dict[str, str]:
    """Each node's final state: the state of its last event, ``"none"`` for a node without events.
    Nodes only named by events are included."""
    states: dict[str, str] = {}
    nodes = data.get("nodes")
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, Mapping) and node.get("id") is not None:
            states.setdefault(str(node["id"]), "none")
    events = data.get("events")
    for event in events if isinstance(events, list) else []:
        if isinstance(event, (list, tuple)) and len(event) >= 2 and event[0] is not None:
            states[str(event[0])] = str(event[1])
    return states


def _noscript(data: Mapping[str, Any], run: Mapping[str, Any]) -> str:
    """The summary for a browser without JavaScript: the run's key facts, escaped."""
    counts: dict[str, int] = {}
    for state in _final_states(data).values():
        counts[state] = counts.get(state, 0) + 1
    ordered = [s for s in _STATE_ORDER if s in counts] + sorted(set(counts) - set(_STATE_ORDER))
    started, ended = _number(run.get("started")), _number(run.get("ended"))
    duration = ended - started if started is not None and ended is not None else None
    facts = [
        ("workflow", run.get("workflow")),
        ("run", run.get("name")),
        ("status", run.get("status")),
        ("started", _format_time(started)),
        ("duration", _format_duration(duration)),
        ("nodes", ", ".join(f"{'not run' if s == 'none' else s}: {counts[s]}" for s in ordered) or "none"),
    ]
    parts = [
        '<noscript><div class="noscript"><p><strong>This report needs JavaScript</strong> to draw the',
        ' graph, the timeline and the node table. The run in short:</p>\n<dl class="facts">',
    ]
    parts += [f"<dt>{name}</dt><dd>{_text(value)}</dd>" for name, value in facts]
    parts.append("</dl>\n")
    for heading, key in (("Inputs", "inputs"), ("Outputs", "outputs")):
        values = _mapping(run.get(key))
        if values:
            rows = "".join(
                f"<tr><th>{_text(k)}</th><td><pre>{_text(v)}</pre></td></tr>" for k, v in values.items()
            )
            parts.append(f'<h3>{heading}</h3><table class="kv"><tbody>{rows}</tbody></table>\n')
    if run.get("error"):
        parts.append(f'<h3>Error</h3><pre class="error">{_text(run["error"])}</pre>\n')
    parts.append("</div></noscript>\n")
    return "".join(parts)
