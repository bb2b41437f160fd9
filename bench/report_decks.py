"""The decks section of ``RESULTS.md``: what ``enable_deck=True`` costs a task (``decks_bench.py``).

Kept apart from ``report.py`` and called by it, like ``report_control.py``. No targets: the numbers are
reported as measured. When the tasks or workflows phase ran in the same run, their decks-off figures are
shown beside this phase's for comparison.
"""

from __future__ import annotations

from typing import Any

from report import Stat, mib, micros, ratio, secs, span, table

VARIANTS = {
    "off": "`add`, decks off",
    "on": "`add_deck`, decks on (default `deck_fields`)",
    "timeline": "`add_timeline`, decks on (Timeline, Input, Output)",
}
SIDES = ("flyweight", "flytekit")


def _kb(n: float) -> str:
    return f"{n / 1000:.1f} kB"


def _per_call(s: float) -> str:
    """µs up to 10 ms, then ms or s (flytekit's default decks take over a second per call)."""
    return micros(s) if s < 0.01 else secs(s)


def _call_stats(runs: list[dict[str, Any]], name: str) -> Stat:
    return Stat.of([t for r in runs for t in r["times"][name]])


def call_lines(call: dict[str, list[dict[str, Any]]], workflows: dict[str, Any] | None) -> list[str]:
    stats = {side: {v: _call_stats(call[side], v) for v in VARIANTS} for side in SIDES}
    pages = {side: call[side][0]["warmup"] for side in SIDES}
    rows = []
    for v, label in VARIANTS.items():
        fw, fk = stats["flyweight"][v], stats["flytekit"][v]
        page = "—" if v == "off" else f"{_kb(pages['flyweight'][v]['page_bytes'])} / "
        page += "" if v == "off" else _kb(pages["flytekit"][v]["page_bytes"])
        rows.append([label, _per_call(fw.median), _per_call(fk.median), ratio(fk.median / fw.median), page])
    for v, label in (("on", "default `deck_fields`"), ("timeline", "Timeline, Input, Output")):
        fw = stats["flyweight"][v].median - stats["flyweight"]["off"].median
        fk = stats["flytekit"][v].median - stats["flytekit"]["off"].median
        rows.append(
            [f"**added by decks** ({label}): on - off", _per_call(fw), _per_call(fk), ratio(fk / fw), ""]
        )
    spans = [
        [
            side,
            *(span(stats[side][v], _per_call) for v in VARIANTS),
            f"{len(call[side])} x {stats[side]['off'].runs // len(call[side])}",
            ", ".join(f"{call[side][0]['calls'][v]:,}" for v in VARIANTS),
        ]
        for side in SIDES
    ]
    check = _call_stats(call["flyweight"], "deck_check").median
    off = stats["flyweight"]["off"].median
    loaded = {tuple(r["deck_modules_after_off"]) for r in call["flyweight"]}
    none_loaded = loaded == {()}
    lines = [
        "### Local call",
        "",
        "`add(a=1, b=2)` in a loop (`bench/workers/deck_call.py`), the three tasks in turn; with decks on,",
        "each call writes its page to a file when it ends, on both sides (flyweight into a fresh temporary",
        "directory, flytekit's `_output_deck` into a fresh directory of its local sandbox; every warm-up",
        "call was checked to write exactly one page, and decks off none). µs per call, the median over",
        "every repeat of every process; *page* is the size of one page (flyweight / flytekit).",
        "",
        *table(["task", "flyweight", "flytekit", "flytekit / flyweight", "page"], rows),
        "",
        *table(
            ["SDK", *(f"min-max, {v}" for v in VARIANTS), "processes x repeats", "calls per repeat"], spans
        ),
        "",
        "Decks off (flyweight): the check a local call makes whether its task renders decks",
        f"(`deck_fields_of`, one attribute read for a function task), timed alone on `add`: "
        f"{check * 1e9:.0f} ns per call,",
        f"{check / off:.1%} of the decks-off call. No deck module (`flyweight._deck*`,",
        f"`flyweight._tasks._decks`) loaded after the decks-off warm-up calls, in every process: "
        f"{'yes' if none_loaded else '**no**: ' + ', '.join(sorted({m for t in loaded for m in t}))}.",
    ]
    if workflows and "function_call" in workflows:
        fc = {side: _call_stats(workflows["function_call"][side], "call").median for side in SIDES}
        lines += [
            "",
            "The workflows phase of this run timed a function task with decks off too, `add_one(x=1)` (one",
            "int in, one out, vs two in here): "
            f"flyweight {micros(fc['flyweight'])}, flytekit {micros(fc['flytekit'])} per call;",
            f"here, `add(a=1, b=2)` decks off: flyweight {micros(off)}, flytekit "
            f"{micros(stats['flytekit']['off'].median)}.",
        ]
    return lines


def container_lines(box: dict[str, Any], tasks: dict[str, Any] | None) -> list[str]:
    times = {label: Stat.of(values) for label, values in box["times"].items()}
    rss = {label: Stat.of(values) for label, values in box["max_rss_kib"].items()}
    by = {(c["case"], c["side"]): c["label"] for c in box["commands"]}
    rows = []
    for c in box["commands"]:
        label = c["label"]
        pages = box["page_bytes"][label]
        rows.append(
            [
                f"`{label.split(' (')[0]}`",
                f"`{c['task']}`",
                "on" if c["deck"] else "off",
                secs(times[label].median),
                span(times[label]),
                str(times[label].runs),
                mib(rss[label].median),
                _kb(Stat.of(pages).median) if pages else "—",
            ]
        )
    diffs = []
    for side in SIDES:
        off = by[("off", side)]
        for case, what in (("on", "default `deck_fields`"), ("timeline", "Timeline, Input, Output")):
            on = by[(case, side)]
            diffs.append(
                [
                    f"{side}: decks on ({what}) - off",
                    secs(times[on].median - times[off].median),
                    mib(rss[on].median - rss[off].median),
                ]
            )
    for case in ("off", "on", "timeline"):
        fw, fk = by[(case, "flyweight")], by[(case, "flytekit")]
        diffs.append(
            [
                f"`add` decks {case}: pyflyte-execute / flyweight-execute",
                ratio(times[fk].median / times[fw].median),
                ratio(rss[fk].median / rss[fw].median),
            ]
        )
    off, on = by[("plugin off", "flyweight")], by[("plugin on", "flyweight")]
    diffs.append(
        [
            "flyweight: plugin `greet`, decks on - off",
            secs(times[on].median - times[off].median),
            mib(rss[on].median - rss[off].median),
        ]
    )
    lines = [
        "### Container process",
        "",
        "Each task serialized by its SDK and its container args run as a Flyte pod runs them, inputs",
        '`a=40, b=2` (`greet`: `x=40, s="flyte"`), as in the tasks phase: wall time spawn to exit, max RSS',
        f"the process's own peak resident set ({box['rss_source']}). Every run must write `outputs.pb`",
        "with the expected literals and, with decks on, `deck.html` beside it (none with decks off; checked",
        "run by run). `greet` is the tasks phase's plugin task; with `enable_deck=True` (`greet_deck`,",
        "flyweight only: flytekit renders no page for plugin tasks) its page shows the template, the",
        "timeline, inputs and outputs. All commands alternate run by run.",
        "",
        *table(["command", "task", "decks", "median", "min-max", "runs", "max RSS", "deck.html"], rows),
        "",
        *table(["difference / ratio (medians)", "wall time", "max RSS"], diffs),
    ]
    if tasks and "container" in tasks:
        greet = tasks["container"]["tasks"].get("greet")
        if greet:
            label = greet["labels"]["flyweight"]
            theirs = Stat.of(tasks["container"]["times"][label]).median
            their_rss = Stat.of(tasks["container"]["max_rss_kib"][label]).median
            lines += [
                "",
                "The tasks phase of this run ran the same `greet` template with `flyweight-execute` (decks",
                f"off): {secs(theirs)}, {mib(their_rss)}; here, decks off: {secs(times[off].median)}, "
                f"{mib(rss[off].median)}.",
            ]
    return lines


def decks_lines(
    decks: dict[str, Any], tasks: dict[str, Any] | None, workflows: dict[str, Any] | None
) -> list[str]:
    return [
        "## Decks: what `enable_deck=True` costs a task",
        "",
        "The same function task in both SDKs, `add(a: int, b: int) -> int`",
        "(`bench/workers/decks_<sdk>.py`), three times: decks off, `enable_deck=True` with the default",
        "`deck_fields` (Source Code, Dependencies, Timeline, Input, Output), and decks on with Timeline,",
        "Input and Output only. flytekit's Dependencies deck runs `pip list` and `pip freeze` in",
        "subprocesses; flyweight's reads the names of the installed dist-info directories.",
        "",
        *call_lines(decks["call"], workflows),
        "",
        *container_lines(decks["container"], tasks),
    ]
