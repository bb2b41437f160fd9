"""The shared S3 and HTTP fixtures work: a real moto server answers; the HTTP server serves files."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import boto3


def test_s3_bucket_is_fresh_and_usable(s3_bucket: str, s3_env: dict[str, str]) -> None:
    name = s3_bucket.removeprefix("s3://")
    client = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"])
    client.put_object(Bucket=name, Key="k", Body=b"v")
    assert client.get_object(Bucket=name, Key="k")["Body"].read() == b"v"
    assert [o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"]] == ["k"]


def test_http_server_serves_its_directory(http_server: tuple[str, Path]) -> None:
    url, root = http_server
    (root / "a.txt").write_bytes(b"hello")
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"{url}/a.txt", timeout=10) as r:
        assert r.read() == b"hello"
