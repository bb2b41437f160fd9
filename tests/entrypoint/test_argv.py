"""The command line of ``flyweight-execute``: pyflyte-execute's options, normalised."""

from __future__ import annotations

import pytest

from flyweight._entrypoint import main
from flyweight._entrypoint._argv import (
    Arguments,
    HelpRequested,
    UsageError,
    guess_output_prefix,
    parse_args,
)

RESOLVER = "flyweight.extend.default_task_template_resolver"
BASE = ["--inputs", "in.pb", "--output-prefix", "out", "--resolver", RESOLVER]
LOADER = ["--", "tt.pb", "pkg.mod.Executor"]


def parse(*extra: str) -> Arguments:
    return parse_args([*BASE, *extra, *LOADER])


def test_the_required_options_and_loader_args() -> None:
    args = parse()
    assert args == Arguments(
        inputs="in.pb", output_prefix="out", resolver=RESOLVER, loader_args=("tt.pb", "pkg.mod.Executor")
    )
    assert args.raw_output_data_prefix is None
    assert args.test is False


def test_every_option_pyflyte_execute_takes() -> None:
    args = parse(
        "--raw-output-data-prefix",
        "s3://b/raw",
        "--checkpoint-path",
        "s3://b/ckpt",
        "--prev-checkpoint",
        "s3://b/prev",
        "--dynamic-addl-distro",
        "s3://b/code.tar.gz",
        "--dynamic-dest-dir",
        "/root",
        "--test",
    )
    assert args.raw_output_data_prefix == "s3://b/raw"
    assert args.checkpoint_path == "s3://b/ckpt"
    assert args.prev_checkpoint == "s3://b/prev"
    assert args.dynamic_addl_distro == "s3://b/code.tar.gz"
    assert args.dynamic_dest_dir == "/root"
    assert args.test is True


@pytest.mark.parametrize(
    "value", ["{{.rawOutputDataPrefix}}", "{{ .rawOutputDataPrefix }}", "{{$RawOutputDataPrefix}}", ""]
)
def test_unreplaced_raw_output_prefix_is_none(value: str) -> None:
    assert parse("--raw-output-data-prefix", value).raw_output_data_prefix is None


@pytest.mark.parametrize("value", ["{{.checkpointOutputPrefix}}", ""])
def test_unreplaced_checkpoint_is_none(value: str) -> None:
    assert parse("--checkpoint-path", value).checkpoint_path is None


@pytest.mark.parametrize("value", ["{{.prevCheckpointPrefix}}", "", '""'])
def test_no_previous_checkpoint_is_none(value: str) -> None:
    assert parse("--prev-checkpoint", value).prev_checkpoint is None


def test_equals_form() -> None:
    args = parse_args(["--inputs=a", "--output-prefix=b", f"--resolver={RESOLVER}", *LOADER])
    assert (args.inputs, args.output_prefix) == ("a", "b")


def test_everything_after_the_double_dash_is_passed_untouched() -> None:
    args = parse_args([*BASE, "--", "tt.pb", "--inputs", "--", "x"])
    assert args.loader_args == ("tt.pb", "--inputs", "--", "x")
    assert args.inputs == "in.pb"


def test_options_may_follow_positional_loader_args() -> None:
    args = parse_args(["tt.pb", *BASE, "--", "pkg.mod.Executor"])
    assert args.loader_args == ("tt.pb", "pkg.mod.Executor")


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--output-prefix", "o", "--resolver", RESOLVER, *LOADER], "--inputs"),
        (["--inputs", "i", "--resolver", RESOLVER, *LOADER], "--output-prefix"),
        (["--inputs", "i", "--output-prefix", "o", *LOADER], "--resolver"),
        ([*BASE], "loader arguments"),
        ([*BASE, "--"], "loader arguments"),
        ([*BASE, "--bogus", *LOADER], "--bogus"),
        (["--inp", "i", "--output-prefix", "o", "--resolver", RESOLVER, *LOADER], "--inp"),
    ],
    ids=[
        "no-inputs",
        "no-output-prefix",
        "no-resolver",
        "no-loader-args",
        "empty-loader-args",
        "unknown",
        "abbrev",
    ],
)
def test_usage_errors(argv: list[str], fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        parse_args(argv)


def test_help_is_not_an_exit(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(HelpRequested):
        parse_args(["--help"])
    assert "--output-prefix" in capsys.readouterr().out


def test_main_returns_exit_statuses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "accepted and ignored" in capsys.readouterr().out
    assert main([*BASE, "--test", *LOADER]) == 0
    assert main(["--inputs", "x"]) == 2
    assert "usage: flyweight-execute" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "prefix"),
    [
        (["--inputs", "i", "--output-prefix", "s3://b/o"], "s3://b/o"),
        (["--output-prefix=/o", "--bogus"], "/o"),
        (["--inputs", "i", "--output-prefix"], None),
        (["--output-prefix", "--inputs"], None),
        (["--inputs", "i", "--", "--output-prefix", "x"], None),
        ([], None),
    ],
)
def test_guess_output_prefix(argv: list[str], prefix: str | None) -> None:
    assert guess_output_prefix(argv) == prefix
