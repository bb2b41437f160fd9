"""The HTML run report (``flyweight._runtime._report``): the page's structure, the embedded data, escaping
of untrusted strings, size with 10,000 nodes, and the atomic write. Pure Python, no browser.

``python -m tests.runtime.test_report [path]`` writes a sample report (default /tmp/report_sample.html)
to look at by eye.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from flyweight._runtime import _report_page
from flyweight._runtime._report import render_report, write_report
from flyweight.errors import StorageError

SECTIONS = ("summary", "graph", "timeline", "nodes", "node-detail")
JSON_BLOCK = re.compile(r'<script type="application/json" id="flyweight-run">(.*?)</script>', re.S)
HOSTILE = "</script><script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(2)>"
T0 = 1796335056.345


def sample_data() -> dict[str, Any]:
    """A small run: a sub-workflow with a retried task, a cache hit, a failure and a cancelled node."""
    return {
        "version": 1,
        "run": {
            "name": "r3f9c0a1b2c3d",
            "workflow": "music.report_wf",
            "status": "failed",
            "started": T0,
            "ended": T0 + 3.756,
            "error": 'WorkflowExecutionError: node n3 failed\n  File "x.py", line 3\n'
            'ValueError: <bad> & "quoted"',
            "inputs": {"x": "int 3"},
            "outputs": {},
        },
        "nodes": [
            {"id": "n0", "entity": "music.sub", "kind": "workflow", "upstream": [], "parent": None},
            {"id": "n0-n0", "entity": "music.a", "kind": "task", "upstream": [], "parent": "n0"},
            {"id": "n0-n1", "entity": "music.b", "kind": "task", "upstream": ["n0-n0"], "parent": "n0"},
            {"id": "n1", "entity": "music.map_a", "kind": "task", "upstream": ["n0"], "parent": None},
            {"id": "n2", "entity": "music.cached", "kind": "task", "upstream": ["n0"], "parent": None},
            {"id": "n3", "entity": "music.boom", "kind": "task", "upstream": ["n1", "n2"], "parent": None},
            {"id": "n4", "entity": "music.after", "kind": "task", "upstream": ["n3"], "parent": None},
        ],
        "events": [
            ["n0", "pending", T0, {"entity": "music.sub", "kind": "workflow"}],
            ["n0", "running", T0 + 0.001, {"entity": "music.sub", "kind": "workflow", "attempt": 1}],
            ["n0-n0", "pending", T0 + 0.002, {"entity": "music.a", "kind": "task"}],
            ["n0-n0", "running", T0 + 0.005, {"attempt": 1, "where": "subprocess", "worker": "w-1"}],
            [
                "n0-n0",
                "retried",
                T0 + 0.555,
                {
                    "attempt": 1,
                    "duration": 0.55,
                    "error": "ValueError: flaky",
                    "where": "subprocess",
                    "pid": 1234,
                },
            ],
            ["n0-n0", "running", T0 + 0.6, {"attempt": 2, "where": "in-process", "worker": "w-1"}],
            ["n0-n0", "succeeded", T0 + 0.9, {"attempt": 2, "duration": 0.3, "where": "in-process"}],
            ["n0-n1", "pending", T0 + 0.9, {}],
            ["n0-n1", "running", T0 + 1.0, {"attempt": 1, "where": "in-process", "worker": "w-2"}],
            ["n0-n1", "succeeded", T0 + 1.5, {"attempt": 1, "duration": 0.5}],
            ["n0", "succeeded", T0 + 1.5, {"attempt": 1, "duration": 1.499}],
            ["n1", "pending", T0 + 1.5, {}],
            ["n2", "pending", T0 + 1.5, {}],
            ["n2", "cached", T0 + 1.51, {"entity": "music.cached"}],
            ["n1", "running", T0 + 1.7, {"attempt": 1, "where": "subprocess", "worker": "w-3", "pid": 99}],
            ["n1", "succeeded", T0 + 2.9, {"attempt": 1, "duration": 1.2}],
            ["n3", "pending", T0 + 2.9, {}],
            ["n3", "running", T0 + 3.0, {"attempt": 1, "where": "subprocess", "pid": 100}],
            [
                "n3",
                "failed",
                T0 + 3.7,
                {
                    "attempt": 1,
                    "duration": 0.7,
                    "error": "Traceback:\n  line 1\nRuntimeError: boom",
                    "timed_out": 0,
                },
            ],
            ["n4", "cancelled", T0 + 3.75, {"reason": "the run failed"}],
        ],
        "io": {
            "n0-n0": {"inputs": {"x": "int 3"}, "outputs": {"o0": "int 4"}},
            "n1": {
                "inputs": {"xs": "list[int] (3 items) [5, 3, 4]"},
                "outputs": {"o0": "list[int] (3 items)"},
            },
        },
        "decks": {"n0-n0": {"1": "decks/n0-n0/1/deck.html", "2": "decks/n0-n0/2/deck.html"}},
    }


def big_data(n_nodes: int, chains: int = 100) -> dict[str, Any]:
    """``n_nodes`` tasks in ``chains`` parallel chains, three events each (pending, running, succeeded)."""
    nodes: list[dict[str, Any]] = []
    events: list[list[Any]] = []
    t = T0
    for i in range(n_nodes):
        node_id = f"n{i}"
        upstream = [f"n{i - chains}"] if i >= chains else []
        nodes.append(
            {
                "id": node_id,
                "entity": f"big.task_{i % 7}",
                "kind": "task",
                "upstream": upstream,
                "parent": None,
            }
        )
        info = {"entity": f"big.task_{i % 7}", "kind": "task"}
        events.append([node_id, "pending", t, info])
        events.append(
            [node_id, "running", t + 0.001, {**info, "attempt": 1, "where": "in-process", "worker": "w-1"}]
        )
        events.append([node_id, "succeeded", t + 0.01, {"attempt": 1, "duration": 0.009}])
        t += 0.001
    run = {
        "name": "rbig",
        "workflow": "big.wf",
        "status": "succeeded",
        "started": T0,
        "ended": t,
        "error": None,
    }
    return {"version": 1, "run": run, "nodes": nodes, "events": events, "io": {}, "decks": {}}


def embedded(page: str) -> Any:
    blocks = JSON_BLOCK.findall(page)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_page_has_every_section_and_the_basics() -> None:
    page = render_report(sample_data())
    assert page.startswith("<!DOCTYPE html>")
    for section in SECTIONS:
        assert f'id="{section}"' in page
    for section in ("summary", "graph", "timeline", "nodes"):
        assert re.search(rf'<section id="{section}"><h2>', page)
    assert '<meta charset="utf-8">' in page
    assert '<meta name="viewport"' in page
    assert "<title>flyweight run r3f9c0a1b2c3d \u2014 music.report_wf</title>" in page
    assert 'data-node-count="7"' in page
    assert "dataset.rendered" in page
    assert "<noscript>" in page and "needs JavaScript" in page


def test_embedded_json_round_trips() -> None:
    data = sample_data()
    assert embedded(render_report(data)) == data
    tricky = sample_data()
    tricky["run"]["error"] = "a\u2028b\u2029c </script> <!-- & > \\ \"q\" 'q' \u00e9\U0001f600 http://x"
    page = render_report(tricky)
    assert embedded(page) == tricky
    block = JSON_BLOCK.findall(page)[0]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block
    assert not re.search(r"(?<!\\)/", block)  # every / is escaped


def test_values_json_cannot_hold_are_made_plain() -> None:
    data = sample_data()
    data["run"]["started"] = float("nan")
    data["events"].append(("n9", "failed", float("inf"), {"error": ValueError("x"), 3: "three"}))
    got = embedded(render_report(data))
    assert got["run"]["started"] is None
    assert got["events"][-1] == ["n9", "failed", None, {"error": "x", "3": "three"}]


def test_hostile_strings_never_appear_unescaped() -> None:
    data = sample_data()
    data["run"]["name"] = HOSTILE
    data["run"]["workflow"] = HOSTILE_IMG
    data["run"]["status"] = '"><script>alert(3)</script>'
    data["run"]["error"] = HOSTILE + HOSTILE_IMG
    data["run"]["inputs"] = {HOSTILE: HOSTILE_IMG}
    data["nodes"][1]["entity"] = HOSTILE
    data["nodes"][2]["id"] = HOSTILE_IMG
    data["events"][3][3]["error"] = HOSTILE
    data["io"]["n0-n0"]["outputs"] = {"o0": HOSTILE_IMG}
    data["decks"]["n0-n0"]["1"] = "javascript:alert(4)"
    page = render_report(data)
    for needle in (HOSTILE, HOSTILE_IMG, "<script>alert", "<img"):
        assert needle not in page
    # the only script elements are the page's own two
    assert page.count("<script") == 2
    assert page.count("</script>") == 2
    assert embedded(page) == data


def test_page_text_holds_no_url() -> None:
    data = sample_data()
    data["run"]["error"] = "see https://example.com/x and http://evil.test/"
    data["run"]["workflow"] = "http://evil.test/wf"
    data["decks"]["n0-n0"]["1"] = "https://evil.test/deck.html"
    page = render_report(data)
    assert "http://" not in page and "https://" not in page
    assert "url(" not in _report_page.CSS and "@import" not in _report_page.CSS
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_static_text_can_sit_inside_its_elements() -> None:
    assert "</" not in _report_page.SCRIPT and "<!--" not in _report_page.SCRIPT
    assert "</style" not in _report_page.CSS.lower()
    assert "innerHTML" not in _report_page.SCRIPT and "eval(" not in _report_page.SCRIPT


def test_noscript_summary_is_rendered_in_python() -> None:
    data = sample_data()
    page = render_report(data)
    noscript = page[page.index("<noscript>") : page.index("</noscript>")]
    assert "music.report_wf" in noscript and "r3f9c0a1b2c3d" in noscript
    assert "failed" in noscript
    assert "succeeded: 4" in noscript and "cached: 1" in noscript and "cancelled: 1" in noscript
    assert "int 3" in noscript
    assert "ValueError: &lt;bad&gt; &amp; &quot;quoted&quot;" in noscript  # the error in full, escaped
    assert "3.76 s" in noscript


def test_a_run_without_nodes_or_events_renders() -> None:
    data = {
        "version": 1,
        "run": {
            "name": "r0",
            "workflow": "wf",
            "status": "failed",
            "started": T0,
            "ended": T0 + 0.01,
            "error": "TypeError: bad input",
            "inputs": {},
            "outputs": {},
        },
        "nodes": [],
        "events": [],
        "io": {},
        "decks": {},
    }
    page = render_report(data)
    assert embedded(page) == data
    assert 'data-node-count="0"' in page
    assert "TypeError: bad input" in page
    for section in SECTIONS:
        assert f'id="{section}"' in page


def test_missing_keys_still_render() -> None:
    page = render_report({})
    assert embedded(page) == {}
    assert 'data-node-count="0"' in page
    page = render_report({"run": None, "nodes": "nonsense", "events": [None, ["only-id"]]})
    assert "<title>flyweight run  \u2014 </title>" in page


def test_ten_thousand_nodes_render_and_size_grows_linearly() -> None:
    small, large = big_data(1000), big_data(10_000)
    assert len(large["events"]) == 30_000
    small_page, large_page = render_report(small), render_report(large)
    assert 'data-node-count="10000"' in large_page
    assert embedded(large_page) == large
    # everything but the JSON is the same constant: nothing is repeated per node
    overhead_small = len(small_page) - len(JSON_BLOCK.findall(small_page)[0])
    overhead_large = len(large_page) - len(JSON_BLOCK.findall(large_page)[0])
    assert abs(overhead_large - overhead_small) < 100
    assert len(large_page.encode()) < 200 * len(large["events"]) + overhead_large
    per_event = (len(large_page) - len(small_page)) / (len(large["events"]) - len(small["events"]))
    assert per_event < 200


def test_write_report_replaces_atomically(tmp_path: Path) -> None:
    target = tmp_path / "reports" / "deep" / "run.html"
    write_report(target, sample_data())
    first = target.read_text(encoding="utf-8")
    assert embedded(first) == sample_data()
    other = big_data(10)
    write_report(target, other)
    assert embedded(target.read_text(encoding="utf-8")) == other
    assert os.listdir(target.parent) == ["run.html"]  # no temporary file left
    assert target.stat().st_mode & 0o644 == 0o644


def test_write_report_fails_with_a_storage_error_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    target = blocker / "run.html"
    with pytest.raises(StorageError, match=re.escape(repr(str(target)))) as info:
        write_report(target, sample_data())
    assert isinstance(info.value, OSError)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions bind")
def test_write_report_into_a_read_only_directory(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    target = directory / "run.html"
    target.write_text("old")
    directory.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="run.html"):
            write_report(target, sample_data())
        assert target.read_text() == "old"
        assert os.listdir(directory) == ["run.html"]
    finally:
        directory.chmod(0o755)


def test_write_report_leaves_no_temporary_file_when_rendering_fails(tmp_path: Path) -> None:
    target = tmp_path / "run.html"
    target.write_text("old")

    class Exploding(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_report(target, Exploding())
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["run.html"]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "run.html"
    target.write_text("old")

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StorageError, match="Permission denied"):
        write_report(target, sample_data())
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["run.html"]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/report_sample.html")
    write_report(out, big_data(int(sys.argv[2])) if len(sys.argv) > 2 else sample_data())
    print(out)
