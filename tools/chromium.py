"""Finding (and on Debian installing) the headless Chromium that browser tests open HTML reports in.

Reports are self-contained HTML files; what a person sees in them (text, colour, no script errors, no
request leaving the file) is only known by rendering them in a real browser. The tests drive that
browser through Python playwright, but never with playwright's downloaded browsers (the network may be
closed except for package registries): they use the machine's Chromium, found by :func:`find_chromium`.

Where it is looked for, in order: ``$FLYWEIGHT_CHROMIUM`` (when set, the only place looked at, so a
wrong value is reported rather than silently replaced), ``/usr/bin/chromium``, then ``chromium`` and
``chromium-browser`` on PATH.

``python tools/chromium.py ensure`` installs Debian's ``chromium`` package when none is found (as root
with apt-get; ``make test`` runs it first). Where it cannot install, it says why and exits 0: the
browser tests then skip with that reason, or fail under ``FLYWEIGHT_REQUIRE_ORACLE=1``.
``python tools/chromium.py path`` prints the browser's path, or exits 1 saying none was found.
Every subprocess is bounded by a timeout.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

ENV = "FLYWEIGHT_CHROMIUM"
CANDIDATES: tuple[str, ...] = ("/usr/bin/chromium",)
PATH_NAMES: tuple[str, ...] = ("chromium", "chromium-browser")
DEBIAN_PACKAGE = "chromium"
INSTALL_SECONDS = 900
VERSION_SECONDS = 60
# Headless, as root (no sandbox), and quiet: without the background-networking flags Chromium keeps
# trying to reach Google's services, which a closed network turns into stalls and noise.
LAUNCH_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# apt-get's words when its package lists are missing or stale, which `apt-get update` cures.
_STALE_LISTS = ("Unable to locate package", "has no installation candidate", "Failed to fetch")


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_chromium() -> str | None:
    """The path of a Chromium executable, or None (see the module docstring for where it looks)."""
    configured = os.environ.get(ENV)
    if configured:
        return configured if _executable(configured) else None
    for candidate in CANDIDATES:
        if _executable(candidate):
            return candidate
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def not_found_reason() -> str:
    """Why :func:`find_chromium` found nothing, and how to fix it (for skip and failure messages)."""
    configured = os.environ.get(ENV)
    if configured:
        return f"${ENV} is {configured!r}, which is not an executable file: fix or unset it"
    looked = ", ".join([*CANDIDATES, *(f"{name} on PATH" for name in PATH_NAMES)])
    return (
        f"no Chromium was found (looked at {looked} and ${ENV}): run `python tools/chromium.py ensure` "
        f"as root on Debian, or install Chromium and set ${ENV} to its path"
    )


def version(path: str) -> str:
    """What ``path --version`` prints (for messages), or a note saying why it printed nothing."""
    try:
        done = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=VERSION_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"version unknown: {e}"
    return done.stdout.strip() or f"version unknown: exit {done.returncode}, {done.stderr.strip()[-300:]}"


def cannot_install_reason() -> str | None:
    """Why this machine cannot install Debian's package here (not root, no apt-get), or None if it can."""
    if shutil.which("apt-get") is None:
        return f"apt-get is missing (not Debian?): install Chromium and set ${ENV} to its path"
    if os.geteuid() != 0:
        return f"not running as root: as root, run `apt-get install {DEBIAN_PACKAGE}`"
    return None


def _apt(argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=INSTALL_SECONDS, check=False)


def install() -> str:
    """Install Debian's ``chromium`` package and return the browser's path.

    ``apt-get update`` runs only when the install fails for missing or stale package lists.

    Raises:
        RuntimeError: apt-get failed, or the package installed but no browser is found; the message
            holds apt-get's own words.
        subprocess.TimeoutExpired: apt-get ran longer than ``INSTALL_SECONDS``.
    """
    install_argv = ["apt-get", "-qq", "-y", "--no-install-recommends", "install", DEBIAN_PACKAGE]
    done = _apt(install_argv)
    if done.returncode != 0 and any(words in done.stdout + done.stderr for words in _STALE_LISTS):
        print("apt-get's package lists are missing or stale: running apt-get update", flush=True)
        updated = _apt(["apt-get", "-qq", "update"])
        if updated.returncode != 0:
            raise RuntimeError(f"apt-get update failed ({updated.returncode}): {updated.stderr.strip()}")
        done = _apt(install_argv)
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(install_argv)} failed ({done.returncode}): {(done.stderr or done.stdout).strip()}"
        )
    found = find_chromium()
    if found is None:
        raise RuntimeError(f"{DEBIAN_PACKAGE} was installed but {not_found_reason()}")
    return found


def ensure() -> int:
    """The ``ensure`` subcommand: 0 when a browser is there or cannot be installed here (saying why),
    1 when an install was tried and failed."""
    found = find_chromium()
    if found is not None:
        print(f"Chromium: {found} ({version(found)})")
        return 0
    if os.environ.get(ENV):
        print(f"Chromium: not installing, {not_found_reason()}", file=sys.stderr)
        return 0
    reason = cannot_install_reason()
    if reason is not None:
        print(f"Chromium is not installed and cannot be installed here: {reason}", file=sys.stderr)
        print("(the browser tests skip, or fail under FLYWEIGHT_REQUIRE_ORACLE=1)", file=sys.stderr)
        return 0
    print(f"installing Debian's {DEBIAN_PACKAGE} package (for the browser tests of HTML reports)", flush=True)
    try:
        found = install()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
        print(f"Chromium could not be installed: {e}", file=sys.stderr)
        return 1
    print(f"Chromium: {found} ({version(found)})")
    return 0


def path() -> int:
    """The ``path`` subcommand: print the browser's path (0), or say none was found (1)."""
    found = find_chromium()
    if found is None:
        print(f"Chromium: {not_found_reason()}", file=sys.stderr)
        return 1
    print(found)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python tools/chromium.py", description=(__doc__ or "").split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("ensure", help="install Debian's chromium when no Chromium is found")
    commands.add_parser("path", help="print the Chromium path, or exit 1 when none is found")
    args = parser.parse_args(argv)
    return ensure() if args.command == "ensure" else path()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
