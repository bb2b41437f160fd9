"""The control-flow section of ``RESULTS.md``: map tasks, dynamic fan-outs, conditionals (issue targets).

Kept apart from ``report.py`` (which renders the other phases) and called by it; it returns its lines and
appends its target checks to the list it is given.
"""

from __future__ import annotations

from typing import Any

from report import Stat, ratio, secs, table

MAP_SPEEDUP_MIN = 10.0  # a local map over 10,000 elements, flytekit / flyweight
DYNAMIC_SPEEDUP_MIN = 20.0  # a dynamic task fanning out to 1,000 tasks
CONDITIONAL_PLAIN_NODES_MAX = 2.0  # compiling a conditional, in plain nodes
PLUGIN_MAP_CORES_MIN = 1.8  # two workers on two cores
LINEAR_GROWTH_MAX = 2.0  # cost per element at the largest size over the smallest


def _median(runs: list[dict[str, Any]], n: int, step: str) -> float:
    return Stat.of([t for r in runs for t in r["times"][str(n)][step]]).median


def _sizes(runs: list[dict[str, Any]]) -> list[int]:
    return sorted(int(n) for n in runs[0]["times"])


def control_lines(control: dict[str, Any], targets: list[tuple[str, str, bool]]) -> list[str]:
    runs = control["runs"]
    lines = ["## Control flow: map tasks, dynamic workflows, conditionals", ""]
    for what, label, floor, at in (
        ("map", "map_task(inc) over N elements, local run", MAP_SPEEDUP_MIN, 10_000),
        ("dynamic", "@dynamic fanning out to N inc calls, local run", DYNAMIC_SPEEDUP_MIN, 1_000),
    ):
        fw, fk = runs[f"{what} flyweight"], runs[f"{what} flytekit"]
        fk_sizes = set(_sizes(fk))
        rows = []
        for n in _sizes(fw):
            ours = _median(fw, n, "run")
            theirs = _median(fk, n, "run") if n in fk_sizes else None
            rows.append(
                [
                    f"{n:,}",
                    secs(ours),
                    f"{ours / n * 1e6:.2f} µs",
                    secs(theirs) if theirs else "—",
                    f"{theirs / n * 1e6:.1f} µs" if theirs else "—",
                    ratio(theirs / ours) if theirs else "—",
                ]
            )
        lines += [
            f"### {label}",
            "",
            *table(["N", "flyweight", "per element", "flytekit", "per element", "ratio"], rows),
            "",
        ]
        if at in fk_sizes and at in _sizes(fw):
            r = _median(fk, at, "run") / _median(fw, at, "run")
            targets.append((f"{what} over {at:,}: flytekit / flyweight ≥ {floor:.0f}x", ratio(r), r >= floor))
        first, last = _sizes(fw)[0], _sizes(fw)[-1]
        growth = (_median(fw, last, "run") / last) / (_median(fw, first, "run") / first)
        targets.append(
            (
                f"{what}: cost per element, {last:,} vs {first:,} (linear: about 1x or less)",
                ratio(growth),
                growth <= LINEAR_GROWTH_MAX,
            )
        )
    rows = []
    for side in ("flyweight", "flytekit"):
        rs = runs[f"conditional {side}"]
        for n in _sizes(rs):
            cond, plain = _median(rs, n, "conditional") / n, _median(rs, n, "plain") / n
            own = (cond - 2 * plain) / plain
            cells = [f"{cond * 1e6:.1f} µs", f"{plain * 1e6:.2f} µs", f"{cond / plain:.1f}", f"{own:.1f}"]
            rows.append([side, f"{n:,}", *cells])
    fw = runs["conditional flyweight"]
    n = _sizes(fw)[-1]
    cond, plain = _median(fw, n, "conditional") / n, _median(fw, n, "plain") / n
    own = (cond - 2 * plain) / plain
    targets.append(
        (
            f"compiling a conditional: its own cost, beyond the two calls in its branches, ≤ "
            f"{CONDITIONAL_PLAIN_NODES_MAX:.0f} plain nodes ({n:,} of each; with the calls: "
            f"{cond / plain:.1f})",
            f"{own:.1f} plain nodes",
            own <= CONDITIONAL_PLAIN_NODES_MAX,
        )
    )
    lines += [
        "### Compiling conditionals",
        "",
        "A workflow of N conditionals (`if_(x > i).then(inc(x=x)).else_().then(dec(x=x))`, each on the",
        "last one's output; the two branch calls included) against one of N plain `inc` nodes. The last",
        "column is what a conditional adds beyond its two calls: (per conditional - 2 x per plain) / plain.",
        "",
        *table(
            ["SDK", "N", "per conditional", "per plain node", "in plain nodes", "own, in plain nodes"], rows
        ),
        "",
    ]
    plugin = runs["plugin-map flyweight"]
    elements = control["plugin_elements"]
    walls = [w for r in plugin for w in r["times"][str(elements)]["run"]]
    cpus = [c for r in plugin for c in r["cpu"][str(elements)]]
    cores = Stat.of([c / w for c, w in zip(cpus, walls, strict=True)]).median
    targets.append(
        (
            f"map over {elements} plugin elements, two workers: cores busy ≥ {PLUGIN_MAP_CORES_MIN}",
            f"{cores:.2f}",
            cores >= PLUGIN_MAP_CORES_MIN,
        )
    )
    lines += [
        "### A map over plugin tasks (flyweight only: flytekit refuses)",
        "",
        f"`map_task(add_one)` over {elements} elements of the plugin task, each run as Flyte runs an",
        "ArrayNode element (`flyweight-execute` with the whole inputs and its array index), two workers.",
        "",
        *table(
            ["wall (median)", "per element", "cores busy (CPU / wall)"],
            [[secs(Stat.of(walls).median), secs(Stat.of(walls).median / elements), f"{cores:.2f}"]],
        ),
    ]
    return lines
