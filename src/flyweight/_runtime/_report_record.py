"""What a run's HTML report is made from: :class:`RunReport` records a local run as it happens.

The engine hands it the graph of every workflow it runs (sub-workflows included), each event (with the
time and the thread that ran the node), each task node's inputs and outputs in short form, and where each
attempt's deck page went; when the run ends, :meth:`RunReport.write` renders the report
(:mod:`flyweight._runtime._report`) into one file, with the deck pages in ``<name>_decks/`` beside it.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyweight import _idl
from flyweight._deck import DECK_FILE_NAME, LocalDeckFile
from flyweight._runtime._options import EventHandler, EventValue
from flyweight._runtime._short import short_map

if TYPE_CHECKING:
    from flyweight._workflows import Node

__all__ = ["RunReport"]

logger = logging.getLogger("flyweight")


class RunReport:
    """The record of one run, written as ``path`` (an HTML file) when the run ends.

    Args:
        path: the report's file; deck pages go into ``<stem>_decks/`` beside it.
        workflow: the workflow's name.
        run_name: the run's id.
    """

    def __init__(self, path: Path, workflow: str, run_name: str) -> None:
        self.path = Path(path)
        self.decks_dir = self.path.with_name(f"{self.path.stem}_decks")
        self.workflow = workflow
        self.run_name = run_name
        self.started = time.time()
        self._lock = threading.Lock()
        self._nodes: list[dict[str, Any]] = []
        self._events: list[list[Any]] = []
        self._io: dict[str, dict[str, dict[str, str]]] = {}
        self._decks: dict[str, dict[str, str]] = {}

    # -- what the engine tells it ------------------------------------------------------------------
    def forwarding(self, handler: EventHandler | None) -> EventHandler:
        """An event handler recording each event, then calling ``handler`` (the caller's, if any)."""

        def on_event(node_id: str, state: str, info: Mapping[str, EventValue]) -> None:
            self.event(node_id, state, info)
            if handler is not None:
                handler(node_id, state, info)

        return on_event

    def event(self, node_id: str, state: str, info: Mapping[str, EventValue]) -> None:
        recorded: dict[str, EventValue] = dict(info)
        if state == "running":
            recorded.setdefault("worker", threading.current_thread().name)
            recorded.setdefault("pid", os.getpid())
        with self._lock:
            self._events.append([node_id, state, time.time(), recorded])

    def graph(self, prefix: str, nodes: Sequence[Node], upstream: Mapping[str, Sequence[Node]]) -> None:
        """The nodes of a workflow the run starts (its ids prefixed by ``prefix``)."""
        parent = prefix[:-1] if prefix.endswith("-") else None
        entries = [
            {
                "id": prefix + n.id,
                "entity": n.entity_name,
                "kind": n.kind,
                "upstream": [prefix + u.id for u in upstream.get(n.id, ())],
                "parent": parent,
            }
            for n in nodes
        ]
        with self._lock:
            self._nodes.extend(entries)

    def io(self, node_id: str, inputs: _idl.LiteralMap, outputs: _idl.LiteralMap | None) -> None:
        """A node's inputs and outputs (None: it has none yet), kept in short form."""
        entry = {"inputs": short_map(inputs), "outputs": short_map(outputs) if outputs is not None else {}}
        with self._lock:
            self._io[node_id] = entry

    def deck_sink(self, node_id: str, attempt: int) -> LocalDeckFile:
        """Where an in-process attempt's deck page goes: ``<decks>/<node>/<attempt>/deck.html``."""
        directory = self.decks_dir / node_id / str(attempt + 1)
        self._link(node_id, attempt, directory)
        return LocalDeckFile(directory)

    def copy_deck(self, node_id: str, attempt: int, attempt_dir: Path) -> None:
        """Keep the deck page ``flyweight-execute`` wrote in ``attempt_dir``, if it wrote one."""
        page = attempt_dir / DECK_FILE_NAME
        if not page.is_file():
            return
        directory = self.decks_dir / node_id / str(attempt + 1)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(page, directory / DECK_FILE_NAME)
        except OSError as e:
            logger.warning("the deck page of node %s could not be kept: %s", node_id, e)
            return
        self._link(node_id, attempt, directory)

    def _link(self, node_id: str, attempt: int, directory: Path) -> None:
        relative = (directory / DECK_FILE_NAME).relative_to(self.path.parent).as_posix()
        with self._lock:
            self._decks.setdefault(node_id, {})[str(attempt + 1)] = relative

    # -- the report --------------------------------------------------------------------------------
    def data(
        self,
        status: str,
        error: str | None,
        inputs: _idl.LiteralMap | None,
        outputs: _idl.LiteralMap | None,
    ) -> dict[str, Any]:
        """What the report shows (the data :func:`flyweight._runtime._report.render_report` takes)."""
        with self._lock:
            decks = {
                node: {a: p for a, p in attempts.items() if (self.path.parent / p).is_file()}
                for node, attempts in self._decks.items()
            }
            return {
                "version": 1,
                "run": {
                    "name": self.run_name,
                    "workflow": self.workflow,
                    "status": status,
                    "started": self.started,
                    "ended": time.time(),
                    "error": error,
                    "inputs": short_map(inputs) if inputs is not None else {},
                    "outputs": short_map(outputs) if outputs is not None else {},
                },
                "nodes": list(self._nodes),
                "events": list(self._events),
                "io": dict(self._io),
                "decks": {node: attempts for node, attempts in decks.items() if attempts},
            }

    def write(
        self,
        status: str,
        error: str | None = None,
        inputs: _idl.LiteralMap | None = None,
        outputs: _idl.LiteralMap | None = None,
    ) -> Path:
        """Render and write the report; returns its path.

        Raises:
            StorageError: the file cannot be written (the message names it).
        """
        from flyweight._runtime._report import write_report

        write_report(self.path, self.data(status, error, inputs, outputs))
        return self.path
