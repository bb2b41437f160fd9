"""FileAccess against a real S3 server (moto, in a subprocess): files, directories, streams, failures.

The bucket is inspected with boto3, independently of the code under test.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from tests.oracle import require

from flyweight._storage import FileAccess, _remote as remote
from flyweight.errors import StorageError

MISSING_BUCKET = "s3://no-such-bucket-for-flyweight"


@pytest.fixture
def s3(s3_bucket: str, s3_env: dict[str, str]) -> Any:
    return boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"])


@pytest.fixture
def fa(s3_bucket: str) -> FileAccess:
    return FileAccess(raw_output_prefix=f"{s3_bucket}/raw")


@pytest.fixture
def private_tempdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Points ``tempfile`` at a fresh directory, to see what temporary files are left behind."""
    directory = tmp_path / "tmp"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    yield directory


def _keys(s3: Any, bucket_uri: str, prefix: str = "") -> list[str]:
    listing = s3.list_objects_v2(Bucket=bucket_uri.removeprefix("s3://"), Prefix=prefix)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def _get(s3: Any, uri: str) -> bytes:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def _make_tree(root: Path) -> dict[str, bytes]:
    files = {"a.txt": b"a", "sub/b.txt": b"b", "sub/deeper/c.bin": b"\x00c"}
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- files ----------------------------------------------------------------------------------------


def test_write_read_exists(fa: FileAccess, s3: Any, s3_bucket: str) -> None:
    uri = f"{s3_bucket}/a/b/data.pb"
    fa.write_bytes(uri, b"payload")
    assert _get(s3, uri) == b"payload"
    assert fa.read_bytes(uri) == b"payload"
    assert fa.exists(uri)
    assert fa.exists(f"{s3_bucket}/a")  # a prefix with objects under it
    assert not fa.exists(f"{s3_bucket}/a/b/other.pb")
    assert not fa.exists(f"{MISSING_BUCKET}/k")


def test_upload_and_download_a_file(fa: FileAccess, s3: Any, s3_bucket: str, tmp_path: Path) -> None:
    src = tmp_path / "report.csv"
    src.write_bytes(b"x,y\n1,2\n")
    remote_path = fa.get_random_remote_path(str(src))
    assert remote_path.startswith(f"{s3_bucket}/raw/") and remote_path.endswith("/report.csv")
    assert fa.upload(str(src), remote_path) == remote_path
    assert _get(s3, remote_path) == src.read_bytes()
    local = fa.get_random_local_path("copy.csv")
    fa.download(remote_path, local)
    assert Path(local).read_bytes() == src.read_bytes()
    assert os.listdir(Path(local).parent) == ["copy.csv"]


def test_directories_both_ways(fa: FileAccess, s3: Any, s3_bucket: str, tmp_path: Path) -> None:
    files = _make_tree(tmp_path / "src")
    folder = fa.get_random_remote_directory()
    assert fa.upload_directory(str(tmp_path / "src"), folder) == folder
    prefix = folder.removeprefix(f"{s3_bucket}/") + "/"
    assert _keys(s3, s3_bucket, prefix) == sorted(prefix + rel for rel in files)
    target = tmp_path / "back"
    target.mkdir()
    (target / "kept.txt").write_bytes(b"kept")
    fa.download_directory(folder, str(target))
    assert _tree(target) == {**files, "kept.txt": b"kept"}
    fa.get_data(folder + "/", str(tmp_path / "again"), is_multipart=True)  # a trailing slash is the same
    assert _tree(tmp_path / "again") == files
    assert sorted(os.listdir(tmp_path)) == ["again", "back", "src"]


def test_a_local_directory_goes_up_without_is_multipart(
    fa: FileAccess, s3: Any, s3_bucket: str, tmp_path: Path
) -> None:
    files = _make_tree(tmp_path / "src")
    fa.put_data(str(tmp_path / "src"), f"{s3_bucket}/dir")
    assert _keys(s3, s3_bucket, "dir/") == sorted(f"dir/{rel}" for rel in files)


def test_an_empty_directory_uploads_nothing(fa: FileAccess, s3: Any, s3_bucket: str, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    fa.upload_directory(str(tmp_path / "empty"), f"{s3_bucket}/empty")
    assert _keys(s3, s3_bucket) == []


def test_join_and_random_directories_on_s3(fa: FileAccess, s3_bucket: str) -> None:
    assert fa.join(s3_bucket, "raw/", "/x", "y.txt") == f"{s3_bucket}/raw/x/y.txt"
    a, b = fa.get_random_remote_directory(), fa.get_random_remote_directory()
    assert a != b and a.startswith(f"{s3_bucket}/raw/") and not a.endswith("/")


# --- streams --------------------------------------------------------------------------------------


def test_parquet_streams_through_open(fa: FileAccess, s3: Any, s3_bucket: str) -> None:
    pd = require("pandas")
    require("pyarrow")
    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    uri = f"{s3_bucket}/frames/df.parquet"
    with fa.open(uri, "wb") as f:
        df.to_parquet(f)
    assert _get(s3, uri)[:4] == b"PAR1"
    with fa.open(uri, "rb") as f:
        assert pd.read_parquet(f).equals(df)


def test_text_streams(fa: FileAccess, s3_bucket: str) -> None:
    uri = f"{s3_bucket}/t.txt"
    with fa.open(uri, "w") as f:
        f.write("ä\nb\n")
    with fa.open(uri, "r") as f:
        assert f.readlines() == ["ä\n", "b\n"]


def test_an_exception_while_streaming_publishes_nothing(
    fa: FileAccess, s3: Any, s3_bucket: str, private_tempdir: Path
) -> None:
    uri = f"{s3_bucket}/partial.bin"
    with pytest.raises(RuntimeError, match="half way"), fa.open(uri, "wb") as f:
        f.write(b"x" * 1000)
        raise RuntimeError("half way")
    assert _keys(s3, s3_bucket) == []
    assert os.listdir(private_tempdir) == []


def test_a_stream_into_a_missing_bucket_fails_on_close_and_cleans_up(
    fa: FileAccess, private_tempdir: Path
) -> None:
    f = fa.open(f"{MISSING_BUCKET}/x.bin", "wb")
    f.write(b"data")
    with pytest.raises(StorageError, match=rf"cannot write '{MISSING_BUCKET}/x.bin': not found"):
        f.close()
    assert f.closed
    assert os.listdir(private_tempdir) == []


# --- failures -------------------------------------------------------------------------------------


def test_reading_a_missing_key_names_it(fa: FileAccess, s3_bucket: str) -> None:
    with pytest.raises(StorageError, match=rf"cannot read '{s3_bucket}/nope.pb': not found") as info:
        fa.read_bytes(f"{s3_bucket}/nope.pb")
    assert info.value.kind == "SYSTEM" and info.value.recoverable
    with pytest.raises(StorageError, match=rf"cannot open '{s3_bucket}/nope.pb': not found"):
        fa.open(f"{s3_bucket}/nope.pb")


@pytest.mark.parametrize("action", ["read", "write", "upload", "download", "download_directory"])
def test_a_missing_bucket_is_a_storage_error_naming_it(
    fa: FileAccess, s3: Any, s3_bucket: str, tmp_path: Path, action: str
) -> None:
    src = tmp_path / "f.txt"
    src.write_bytes(b"x")
    uri = f"{MISSING_BUCKET}/k"
    calls = {
        "read": lambda: fa.read_bytes(uri),
        "write": lambda: fa.write_bytes(uri, b"x"),
        "upload": lambda: fa.put_data(str(src), uri),
        "download": lambda: fa.get_data(uri, str(tmp_path / "out.txt")),
        "download_directory": lambda: fa.download_directory(uri, str(tmp_path / "out")),
    }
    with pytest.raises(StorageError, match=rf"'{uri}'.*(bucket does not exist|not found)"):
        calls[action]()
    assert sorted(os.listdir(tmp_path)) == ["f.txt"]
    assert _keys(s3, s3_bucket) == []


def test_downloading_an_empty_prefix_as_a_directory_is_an_error(
    fa: FileAccess, s3_bucket: str, tmp_path: Path
) -> None:
    with pytest.raises(StorageError, match="found no files under"):
        fa.download_directory(f"{s3_bucket}/nothing-here", str(tmp_path / "out"))
    assert os.listdir(tmp_path) == []


def test_an_unreachable_endpoint_fails_fast_with_a_hint(
    monkeypatch: pytest.MonkeyPatch, s3_bucket: str
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", dead)
    monkeypatch.setenv("FLYTE_AWS_RETRIES", "0")
    with pytest.raises(StorageError, match=r"EndpointConnectionError.*check the network and the endpoint"):
        FileAccess().read_bytes(f"{s3_bucket}/k")


def test_a_bad_retries_setting_is_named(monkeypatch: pytest.MonkeyPatch, s3_bucket: str) -> None:
    monkeypatch.setenv("FLYTE_AWS_RETRIES", "many")
    with pytest.raises(
        StorageError, match="expected a whole number of retries in FLYTE_AWS_RETRIES, got 'many'"
    ):
        FileAccess().read_bytes(f"{s3_bucket}/k")


# --- configuration --------------------------------------------------------------------------------


@pytest.mark.parametrize("names", ["flyte", "aws"])
def test_either_flytes_or_aws_variables_configure_s3(
    monkeypatch: pytest.MonkeyPatch, s3: Any, s3_bucket: str, names: str
) -> None:
    for var in list(os.environ):
        if var.startswith("FLYTE_AWS_" if names == "aws" else "AWS_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    FileAccess().write_bytes(f"{s3_bucket}/{names}.txt", names.encode())
    assert _get(s3, f"{s3_bucket}/{names}.txt") == names.encode()


def test_filesystems_are_cached_per_configuration(monkeypatch: pytest.MonkeyPatch, s3_bucket: str) -> None:
    fa = FileAccess(raw_output_prefix=f"{s3_bucket}/raw")
    fs = fa.get_filesystem("s3")
    assert fs is fa.get_filesystem() is fa.get_filesystem_for_path(f"{s3_bucket}/x")
    assert fs is FileAccess().get_filesystem("s3")
    monkeypatch.setenv("FLYTE_AWS_ENDPOINT", "http://127.0.0.1:1")
    assert fa.get_filesystem("s3") is not fs


def test_s3_options_match_flytekits(
    monkeypatch: pytest.MonkeyPatch, s3_env: dict[str, str], flytekit: Any
) -> None:
    import importlib

    persistence = importlib.import_module("flytekit.core.data_persistence")
    configuration = importlib.import_module("flytekit.configuration")
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    theirs = persistence.s3_setup_args(configuration.S3Config.auto())
    ours = remote.s3_options(os.environ)
    assert {k: ours[k] for k in theirs} == theirs
    assert ours["config_kwargs"]["retries"] == {"total_max_attempts": 2, "mode": "standard"}
    assert persistence.s3_setup_args(configuration.S3Config.auto(), anonymous=True)["anon"] is True
    assert remote.s3_options(os.environ, anonymous=True)["anon"] is True
