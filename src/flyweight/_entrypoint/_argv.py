"""The command line of ``flyweight-execute``: pyflyte-execute's options, parsed with argparse.

argparse is part of the standard library and cheap to import, which matters for a program that
starts once per task attempt. Parsing never exits the process: mistakes raise :class:`UsageError`
and ``--help`` raises :class:`HelpRequested`, so :func:`flyweight._entrypoint.main` decides what is
written and which exit code is returned.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from collections.abc import Sequence
from typing import NoReturn

__all__ = ["Arguments", "HelpRequested", "UsageError", "guess_output_prefix", "parse_args", "usage"]

PROG = "flyweight-execute"


def _placeholder(name: str) -> re.Pattern[str]:
    # Flyte's renderer accepts spaces, either '.' or '$' and any case; a value it left alone is unset.
    return re.compile(r"\{\{\s*[.$]" + name + r"\s*\}\}", re.IGNORECASE)


_RAW_OUTPUT_UNSET = _placeholder("rawOutputDataPrefix")
_CHECKPOINT_UNSET = _placeholder("checkpointOutputPrefix")
_PREV_CHECKPOINT_UNSET = _placeholder("prevCheckpointPrefix")
# Any placeholder left in a value that must be filled (inputs, output prefix, template path…).
_ANY_PLACEHOLDER = re.compile(r"\{\{\s*[.$][\w.]+\s*\}\}")
# On a first attempt Flyte fills the previous checkpoint with two double quotes.
_EMPTY = frozenset({"", '""'})

_DESCRIPTION = (
    "Run one task attempt inside a Flyte container: load the task named by the resolver and the "
    "loader arguments (everything after '--'), read its inputs, and write outputs.pb or error.pb under "
    "the output prefix. The arguments are those of flytekit's pyflyte-execute."
)
_EPILOG = (
    "--checkpoint-path and --prev-checkpoint give current_context().checkpoint its locations (unreplaced "
    "placeholders mean no checkpoint); --dynamic-addl-distro, --dynamic-dest-dir and --max-concurrency are "
    "accepted so that existing templates run unchanged, and are otherwise ignored. Exit status: 0 when "
    "outputs.pb or error.pb was written (1 for an error when FLYTE_FAIL_ON_ERROR is true), 1 when not "
    "even error.pb could be written, 2 for invalid arguments."
)


class UsageError(Exception):
    """The command line is not one flyweight-execute understands; the message says why."""


class HelpRequested(Exception):
    """``--help`` was given; the help text has been printed."""


@dataclasses.dataclass(frozen=True)
class Arguments:
    """The normalised command line: unreplaced placeholders and empty values are None."""

    inputs: str
    output_prefix: str
    resolver: str
    loader_args: tuple[str, ...]
    raw_output_data_prefix: str | None = None
    checkpoint_path: str | None = None
    prev_checkpoint: str | None = None
    dynamic_addl_distro: str | None = None
    dynamic_dest_dir: str | None = None
    test: bool = False


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if status == 0:
            raise HelpRequested()
        raise UsageError(message or f"exit status {status}")


def _parser() -> _Parser:
    p = _Parser(prog=PROG, description=_DESCRIPTION, epilog=_EPILOG, allow_abbrev=False)
    p.add_argument("--inputs", required=True, metavar="URI", help="the inputs.pb file ({{.input}})")
    p.add_argument(
        "--output-prefix",
        required=True,
        metavar="URI",
        help="where outputs.pb or error.pb is written ({{.outputPrefix}})",
    )
    p.add_argument(
        "--raw-output-data-prefix",
        metavar="URI",
        help="where offloaded output data goes ({{.rawOutputDataPrefix}}); "
        "missing or unreplaced means a fresh local directory",
    )
    p.add_argument(
        "--checkpoint-path",
        metavar="URI",
        help="where the task's checkpoint is written ({{.checkpointOutputPrefix}}); missing or unreplaced "
        "means no checkpoint",
    )
    p.add_argument(
        "--prev-checkpoint",
        metavar="URI",
        help="the previous attempt's checkpoint ({{.prevCheckpointPrefix}}); empty, '\"\"' or unreplaced "
        "means none",
    )
    p.add_argument("--dynamic-addl-distro", metavar="URI", help="accepted and ignored")
    p.add_argument("--dynamic-dest-dir", metavar="DIR", help="accepted and ignored")
    p.add_argument("--max-concurrency", metavar="N", help="accepted and ignored (pyflyte-map-execute's)")
    p.add_argument(
        "--test", action="store_true", help="check the command line only: load nothing, write nothing"
    )
    p.add_argument(
        "--resolver",
        required=True,
        metavar="PATH",
        help="dotted path of the task resolver object, e.g. flyweight.extend.default_task_template_resolver",
    )
    p.add_argument(
        "loader_args",
        nargs="*",
        metavar="-- LOADER_ARG",
        help="arguments handed to the resolver's load_task (for the template resolver: the template "
        "path and the executor class path)",
    )
    return p


def _optional(
    value: str | None, unset: re.Pattern[str], empty: frozenset[str] = frozenset({""})
) -> str | None:
    """``value``, or None when it is missing, empty or the unreplaced placeholder."""
    if value is None or value in empty or unset.fullmatch(value.strip()):
        return None
    return value


def parse_args(argv: Sequence[str]) -> Arguments:
    """Parse and normalise ``argv`` (without the program name).

    Everything after the first ``--`` is passed to the resolver untouched, even if it looks like an
    option.

    Raises:
        UsageError: a required option is missing, an option is unknown, no loader arguments came, or
            a value that must be filled in still holds a Flyte placeholder (``{{.outputPrefix}}``…).
        HelpRequested: ``--help`` was given (the help has been printed to stdout).
    """
    argv = list(argv)
    if "--" in argv:
        cut = argv.index("--")
        head, tail = argv[:cut], argv[cut + 1 :]
    else:
        head, tail = argv, []
    ns = _parser().parse_args(head)
    loader_args = (*ns.loader_args, *tail)
    if not loader_args:
        raise UsageError("no loader arguments: put the resolver's arguments after '--'")
    for option, value in (
        ("--inputs", ns.inputs),
        ("--output-prefix", ns.output_prefix),
        ("--resolver", ns.resolver),
    ):
        if not value.strip():
            raise UsageError(f"{option} is empty; it must name a location (Flyte fills it in)")
    _refuse_placeholders(
        [("--inputs", ns.inputs), ("--output-prefix", ns.output_prefix), ("--resolver", ns.resolver)]
        + [(f"loader argument {i + 1}", a) for i, a in enumerate(loader_args)]
    )
    return Arguments(
        inputs=ns.inputs,
        output_prefix=ns.output_prefix,
        resolver=ns.resolver,
        loader_args=loader_args,
        raw_output_data_prefix=_optional(ns.raw_output_data_prefix, _RAW_OUTPUT_UNSET),
        checkpoint_path=_optional(ns.checkpoint_path, _CHECKPOINT_UNSET),
        prev_checkpoint=_optional(ns.prev_checkpoint, _PREV_CHECKPOINT_UNSET, _EMPTY),
        dynamic_addl_distro=ns.dynamic_addl_distro,
        dynamic_dest_dir=ns.dynamic_dest_dir,
        test=ns.test,
    )


def _refuse_placeholders(values: Sequence[tuple[str, str]]) -> None:
    """A value still holding a Flyte placeholder was never filled in by Flyte: using it as a path would
    write results where nobody looks, so it is refused."""
    for what, value in values:
        m = _ANY_PLACEHOLDER.search(value)
        if m:
            raise UsageError(
                f"{what} is {value!r}, which still holds the Flyte placeholder {m.group(0)}: Flyte fills "
                "these in before the container starts. Run the template through Flyte (or `flyweight "
                "run`), or put the real value in its place"
            )


def usage() -> str:
    return _parser().format_usage()


def guess_output_prefix(argv: Sequence[str]) -> str | None:
    """The ``--output-prefix`` value of a command line that did not parse, if one can be found."""
    args = list(argv)
    if "--" in args:
        args = args[: args.index("--")]
    for i, arg in enumerate(args):
        value: str | None = None
        if arg == "--output-prefix" and i + 1 < len(args) and not args[i + 1].startswith("--"):
            value = args[i + 1]
        elif arg.startswith("--output-prefix="):
            value = arg.split("=", 1)[1]
        if value is not None:
            return None if not value or _ANY_PLACEHOLDER.search(value) else value
    return None
