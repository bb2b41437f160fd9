"""The install section of ``RESULTS.md``: what each runtime environment holds above a bare venv."""

from __future__ import annotations

from typing import Any

from report import table, yes

# Issue 17: flyweight without the pandas extra holds at most a third of what flytekit holds.
INSTALL_FRACTION_MAX = 1 / 3


def install_lines(install: dict[str, Any], targets: list[tuple[str, str, bool]]) -> list[str]:
    envs = install["envs"]
    bare = envs["bare"]
    bare_dists = set(bare["distributions"])

    def above(name: str) -> tuple[float, list[str]]:
        env = envs[name]
        return (env["bytes"] - bare["bytes"]) / 1e6, sorted(set(env["distributions"]) - bare_dists)

    rows = []
    for name in envs:
        if name == "bare":
            continue
        mb, dists = above(name)
        rows.append([f"`{name}`", f"{mb:.1f} MB", str(len(dists))])
    fw, fk = above("flyweight")[0], above("flytekit")[0]
    share = fw / fk if fk else float("inf")
    targets.append(
        (
            "Installed size: flyweight (no pandas extra) ≤ 1/3 of flytekit above a bare venv",
            f"{fw:.1f} MB vs {fk:.1f} MB ({share:.0%})",
            share <= INSTALL_FRACTION_MAX,
        )
    )
    image = install["image"]
    if "skipped" in image:
        image_lines = [f"Runtime image sizes: not measured, {image['skipped']}."]
    else:
        image_lines = [
            f"Runtime images built here with {image['engine']}:",
            "",
            *table(["image", "size"], [[f"`{n}`", f"{b / 1e6:.1f} MB"] for n, b in image["sizes"].items()]),
        ]
    return [
        "## Install size",
        "",
        f"Fresh virtual environments made with Python {install['python']} (`bench/install_bench.py`),",
        "measured as the bytes of every file in them (byte-compiled files included) and the distributions",
        f"`pip list` shows, above a bare venv ({bare['bytes'] / 1e6:.1f} MB, "
        f"{len(bare_dists)} distributions).",
        "",
        *table(["environment", "above a bare venv", "distributions added"], rows),
        "",
        f"flyweight's runtime dependencies: {', '.join(above('flyweight')[1])}.",
        f"Met: {yes(share <= INSTALL_FRACTION_MAX)}.",
        "",
        *image_lines,
    ]
