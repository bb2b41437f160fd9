"""Bounded time against storage: an endpoint that accepts connections and never answers ends every
``FileAccess`` operation with a recoverable ``StorageError`` that says it timed out, and how to raise
the bound.

The servers are real: a moto S3 server of this module's own, frozen with SIGSTOP (the kernel still
completes connections, nothing answers), and loopback sockets that never reply. The bound is set
short (``FLYWEIGHT_STORAGE_TIMEOUT``); each call runs in a thread whose only limit is a generous hang
detector, so nothing here asserts how fast a failure comes, only that it comes and what it says.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.storage import stalled

from flyweight._storage import FileAccess, _deadline as deadline, _remote as remote
from flyweight.errors import StorageError

BOUND = 2.0  # FLYWEIGHT_STORAGE_TIMEOUT in these tests, seconds
BUCKET = "timeouts"


def _timed_out(error: BaseException | None, uri: str) -> StorageError:
    """``error`` is a recoverable StorageError on ``uri`` saying it timed out and what raises the bound."""
    assert isinstance(error, StorageError), repr(error)
    message = str(error)
    assert repr(uri) in message, message
    assert "timed out after " in message and " s without an answer from storage" in message, message
    assert "FLYWEIGHT_STORAGE_TIMEOUT (seconds, now 2;" in message, message
    assert error.kind == "SYSTEM" and error.recoverable
    return error


# --- the settings --------------------------------------------------------------------------------


@pytest.mark.parametrize("total", [0.5, 2.0, 30.0, 120.0, 600.0])
@pytest.mark.parametrize("retries", [0, 1, 3, 10])
def test_s3_attempts_and_their_back_off_fit_in_the_bound(total: float, retries: int) -> None:
    env = {"FLYTE_AWS_RETRIES": str(retries), "FLYWEIGHT_STORAGE_TIMEOUT": str(total)}
    config = remote.s3_options(env)["config_kwargs"]
    attempts = retries + 1
    assert config["retries"] == {"total_max_attempts": attempts, "mode": "standard"}
    connect, read = config["connect_timeout"], config["read_timeout"]
    assert 0 < connect <= 10
    assert read > 0
    backoff = deadline.botocore_backoff(attempts)
    if backoff <= total / 2:  # else the back-off alone is most of the bound, and the watchdog keeps it
        assert attempts * (connect + read) + backoff <= total + 1e-9


def test_the_defaults_are_two_minutes_with_three_retries() -> None:
    config = remote.s3_options({})["config_kwargs"]
    assert config["retries"]["total_max_attempts"] == 4
    assert (config["connect_timeout"], config["read_timeout"]) == (7.0625, 21.1875)
    timeout = remote.http_options({})["client_kwargs"]["timeout"]
    assert (timeout.total, timeout.sock_connect, timeout.sock_read) == (None, 10.0, 50.0)


@pytest.mark.parametrize("raw", ["soon", "0", "-5", "inf", "nan"])
def test_a_bad_timeout_setting_is_named(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("FLYWEIGHT_STORAGE_TIMEOUT", raw)
    expected = rf"expected a number of seconds above 0 in FLYWEIGHT_STORAGE_TIMEOUT, got '{raw}'"
    with pytest.raises(StorageError, match=expected):
        FileAccess().read_bytes(f"s3://{BUCKET}/k")
    with pytest.raises(StorageError, match=expected):
        FileAccess().exists("http://127.0.0.1:1/k")


def test_a_timeout_found_under_another_error_is_reported_as_one() -> None:
    def wrapped() -> None:
        try:
            raise TimeoutError("no data")
        except TimeoutError as e:
            raise FileNotFoundError("http://h/x") from e  # what fsspec's http info() does

    expected = r"cannot open 'http://h/x': timed out after .*\(TimeoutError: no data\)"
    with pytest.raises(StorageError, match=expected), remote.storage_errors("open", "http://h/x"):
        wrapped()


# --- a frozen S3 server ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto() -> Iterator[stalled.MotoServer]:
    with stalled.moto_server() as server:
        s3 = server.client()
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="data/a.txt", Body=b"a")
        s3.put_object(Bucket=BUCKET, Key="data/sub/b.txt", Body=b"b")
        yield server


@pytest.fixture
def on_moto(moto: stalled.MotoServer, monkeypatch: pytest.MonkeyPatch) -> stalled.MotoServer:
    """This process configured for the module's server, with the short bound."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "FLYTE_AWS_")):
            monkeypatch.delenv(name)
    for name, value in moto.env(BOUND).items():
        monkeypatch.setenv(name, value)
    return moto


def _local_tree(root: Path) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"a")
    (root / "sub" / "b.txt").write_bytes(b"b")
    return root


def _streamed_write(fa: FileAccess, uri: str) -> None:
    with fa.open(uri, "wb") as f:
        f.write(b"streamed")


def _streamed_read(fa: FileAccess, uri: str) -> None:
    with fa.open(uri, "rb") as f:
        f.read()


S3_CALLS: dict[str, tuple[str, Callable[[FileAccess, Path], object]]] = {
    "read_bytes": ("data/a.txt", lambda fa, tmp: fa.read_bytes(f"s3://{BUCKET}/data/a.txt")),
    "write_bytes": ("new/w.txt", lambda fa, tmp: fa.write_bytes(f"s3://{BUCKET}/new/w.txt", b"w")),
    "exists": ("data/a.txt", lambda fa, tmp: fa.exists(f"s3://{BUCKET}/data/a.txt")),
    "open_read": ("data/a.txt", lambda fa, tmp: _streamed_read(fa, f"s3://{BUCKET}/data/a.txt")),
    "open_write": ("new/s.txt", lambda fa, tmp: _streamed_write(fa, f"s3://{BUCKET}/new/s.txt")),
    "get_data": ("data/a.txt", lambda fa, tmp: fa.get_data(f"s3://{BUCKET}/data/a.txt", str(tmp / "a"))),
    "download_directory": (
        "data",
        lambda fa, tmp: fa.download_directory(f"s3://{BUCKET}/data", str(tmp / "d")),
    ),
    "put_data": (
        "new/p.txt",
        lambda fa, tmp: fa.put_data(str(_local_tree(tmp / "t") / "a.txt"), f"s3://{BUCKET}/new/p.txt"),
    ),
    "upload_directory": (
        "new/dir",
        lambda fa, tmp: fa.upload_directory(str(_local_tree(tmp / "t")), f"s3://{BUCKET}/new/dir"),
    ),
}


@pytest.mark.parametrize("call", sorted(S3_CALLS))
def test_every_operation_on_a_frozen_s3_server_times_out(
    on_moto: stalled.MotoServer, tmp_path: Path, call: str
) -> None:
    key, run = S3_CALLS[call]
    fa = FileAccess(raw_output_prefix=f"s3://{BUCKET}/raw")
    with on_moto.frozen():
        error = stalled.outcome(lambda: run(fa, tmp_path))
    _timed_out(error, f"s3://{BUCKET}/{key}")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "t"]
    assert leftovers == [], leftovers  # nothing half-downloaded


def test_a_server_that_freezes_between_two_reads_times_out_on_the_second(
    on_moto: stalled.MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLYWEIGHT_STORAGE_TIMEOUT", "5")  # room for the first read on a busy machine
    fa = FileAccess()
    uri = f"s3://{BUCKET}/data/a.txt"
    assert fa.read_bytes(uri) == b"a"  # the connection is open and pooled when the server stops
    with on_moto.frozen():
        error = stalled.outcome(lambda: fa.read_bytes(uri))
    assert isinstance(error, StorageError) and "timed out after" in str(error), repr(error)
    assert fa.read_bytes(uri) == b"a"  # and the same file access works again once it answers


# --- http(s): a listener that never answers -------------------------------------------------------


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("FLYWEIGHT_STORAGE_TIMEOUT", f"{BOUND:g}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    with stalled.silent_listener() as url:
        yield url


@pytest.mark.parametrize("call", ["read_bytes", "exists", "open", "get_data"])
def test_an_http_server_that_never_answers_times_out(silent: str, tmp_path: Path, call: str) -> None:
    uri = f"{silent}/data/a.csv"
    fa = FileAccess()
    calls: dict[str, Callable[[], object]] = {
        "read_bytes": lambda: fa.read_bytes(uri),
        "exists": lambda: fa.exists(uri),
        "open": lambda: _streamed_read(fa, uri),
        "get_data": lambda: fa.get_data(uri, str(tmp_path / "a.csv")),
    }
    _timed_out(stalled.outcome(calls[call]), uri)
    assert list(tmp_path.iterdir()) == []


def test_a_slow_download_that_keeps_moving_is_not_cut_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # With a 3 s bound (each wait for data up to 1.1 s), the whole body takes longer than the bound to
    # arrive (12 pieces, 0.3 s apart), but no single wait is long: the download must not be cut off.
    monkeypatch.setenv("FLYWEIGHT_STORAGE_TIMEOUT", "3")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    body = bytes(range(256)) * 64
    with stalled.dripping_server(body, pieces=12, pause=0.3) as url:
        fa = FileAccess()
        assert stalled.outcome(lambda: fa.get_data(f"{url}/slow.bin", str(tmp_path / "slow.bin"))) is None
        assert (tmp_path / "slow.bin").read_bytes() == body
