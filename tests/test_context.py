"""The execution context: ``FlyteContext.current_context()`` callable on the class and on an instance (as in
flytekit); ``current_context().secrets`` (flytekit's ``SecretsManager``: names, values and errors compared
live); flytekit's local values of ``current_context()`` in and outside a task."""

from __future__ import annotations

import copy
import datetime
import functools
import inspect
import logging
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import flyweight
from flyweight._context import FlyteContext, FlyteContextManager, SecretsManager
from flyweight.errors import SecretNotFoundError, UserError


def test_current_context_is_callable_on_the_class_and_on_an_instance() -> None:
    ctx = FlyteContextManager.current_context()
    assert FlyteContext.current_context() is ctx
    assert ctx.current_context() is ctx


def test_it_follows_the_context_in_force() -> None:
    base = FlyteContextManager.current_context()
    other = FlyteContext(base.file_access, base.execution_state)
    with FlyteContextManager.with_context(other):
        assert FlyteContext.current_context() is other
    assert FlyteContext.current_context() is base


def test_it_is_a_static_method_as_in_flytekit(flytekit: ModuleType) -> None:
    ours = inspect.getattr_static(FlyteContext, "current_context")
    theirs = inspect.getattr_static(flytekit.FlyteContext, "current_context")
    assert type(ours) is type(theirs) is staticmethod


# --- secrets: flytekit's SecretsManager, compared live ------------------------------------------------

SHAPES = [
    ("db", "password", None),
    ("DB", "PassWord", None),
    ("db", "pw", "v1"),
    ("db", None, None),
    (None, "token", None),
    ("my-group", "my.key", "2"),
    ("db", "", None),
    ("", "key", ""),
]

CONFIGS: list[dict[str, str]] = [
    {},
    {"FLYTE_SECRETS_ENV_PREFIX": "MY_"},
    {"FLYTE_SECRETS_ENV_PREFIX": ""},  # empty: flytekit's configuration takes the default
    {"FLYTE_SECRETS_ENV_PREFIX": " _P_ "},
    {"FLYTE_SECRETS_FILE_PREFIX": "pre_"},
    {"FLYTE_SECRETS_DEFAULT_DIR": "{tmp}/mounted", "FLYTE_SECRETS_FILE_PREFIX": " x- "},
]


def _configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config: dict[str, str]) -> None:
    for name in ("FLYTE_SECRETS_ENV_PREFIX", "FLYTE_SECRETS_DEFAULT_DIR", "FLYTE_SECRETS_FILE_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FLYTE_SECRETS_DEFAULT_DIR", str(tmp_path / "secrets"))
    for name, value in config.items():
        monkeypatch.setenv(name, value.format(tmp=tmp_path))


def _theirs(flytekit: ModuleType) -> Any:
    from flytekit.core.context_manager import SecretsManager as TheirSecretsManager

    return TheirSecretsManager()


def _outcome(call: Callable[[], object]) -> object:
    try:
        return ("ok", call())
    except ValueError as e:  # flytekit's not-found; ours is a SecretNotFoundError, also a ValueError
        return ("ValueError", type(e).__name__ if isinstance(e, SecretNotFoundError) else "ValueError")


@pytest.mark.parametrize(
    "config", CONFIGS, ids=lambda c: ",".join(f"{k}={v!r}" for k, v in c.items()) or "default"
)
def test_names_values_and_errors_are_flytekits(
    flytekit: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, config: dict[str, str]
) -> None:
    _configure(monkeypatch, tmp_path, config)
    theirs, ours = _theirs(flytekit), SecretsManager()
    for group, key, version in SHAPES:
        args = (group, key, version)
        env_var = theirs.get_secrets_env_var(*args)
        path = theirs.get_secrets_file(*args)
        assert ours.get_secrets_env_var(*args) == env_var, args
        assert ours.get_secrets_env_var(group=group, key=key, group_version=version) == env_var
        assert ours.get_secrets_file(*args) == path, args
        # not there at all: both raise a ValueError
        assert _outcome(functools.partial(ours.get, *args)) == ("ValueError", "SecretNotFoundError")
        assert _outcome(functools.partial(theirs.get, *args)) == ("ValueError", "ValueError")
        # in a file: text stripped, or bytes stripped
        os.makedirs(os.path.dirname(path), exist_ok=True)
        Path(path).write_bytes(b"  from-file\n")
        for mode in ("r", "rb"):
            assert ours.get(*args, encode_mode=mode) == theirs.get(*args, encode_mode=mode)
        assert ours.get(*args, encode_mode="rb") == b"from-file"
        # in the environment: wins over the file, a str even for "rb"
        monkeypatch.setenv(env_var, " from-env ")
        for mode in ("r", "rb"):
            assert ours.get(*args, encode_mode=mode) == theirs.get(*args, encode_mode=mode) == "from-env"
        monkeypatch.delenv(env_var)
        shutil.rmtree(theirs._base_dir)  # the next shape's file may be this one's directory


def test_outside_a_task_the_unprefixed_variable_is_not_read_as_in_flytekit(
    flytekit: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _configure(monkeypatch, tmp_path, {})
    monkeypatch.setenv("DB_PW", "plain")
    with pytest.raises(ValueError):
        _theirs(flytekit).get("db", "pw")
    with pytest.raises(SecretNotFoundError):
        SecretsManager().get("db", "pw")


@flyweight.task
def _read_plain_secret() -> str:
    return str(flyweight.current_context().secrets.get("db", "pw"))


def test_inside_a_local_task_the_unprefixed_variable_is_read_as_in_flytekit(
    flytekit: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _configure(monkeypatch, tmp_path, {})
    monkeypatch.setenv("DB_PW", "plain")

    @flytekit.task
    def theirs() -> str:
        return str(flytekit.current_context().secrets.get("db", "pw"))

    assert _read_plain_secret() == theirs() == "plain"
    monkeypatch.setenv("_FSEC_DB_PW", "prefixed")  # the prefixed name first
    assert _read_plain_secret() == theirs() == "prefixed"


def test_attribute_access_reads_group_and_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _configure(monkeypatch, tmp_path, {})
    monkeypatch.setenv("_FSEC_DB_PASSWORD", "s3cret")
    secrets = SecretsManager()
    assert secrets.db.password == "s3cret"
    assert repr(secrets.db) == "SecretGroup('db')"
    with pytest.raises(SecretNotFoundError, match="DB_USER"):
        _ = secrets.db.user


@pytest.mark.parametrize("name", ["get_secret", "get_secrets_envvar", "_private", "__deepcopy__"])
def test_a_method_like_name_is_not_taken_for_a_group(name: str) -> None:
    with pytest.raises(AttributeError, match="get_secrets_env_var"):
        getattr(SecretsManager(), name)


def test_the_methods_are_methods() -> None:
    secrets = SecretsManager()
    assert secrets.get_secrets_env_var("db", "pw") == "_FSEC_DB_PW"
    assert callable(secrets.get) and callable(secrets.get_secrets_file)
    assert not hasattr(secrets, "get_nothing")
    copy.deepcopy(secrets)  # no group named __deepcopy__


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda s: s.get(), TypeError, "give a group, a key or both"),
        (lambda s: s.get("", None, ""), TypeError, "give a group, a key or both"),
        (lambda s: s.get(1, "pw"), TypeError, "group must be a str or None, got int"),
        (lambda s: s.get("db", b"pw"), TypeError, "key must be a str or None, got bytes"),
        (lambda s: s.get("db", "pw", 2), TypeError, "group_version must be a str or None"),
        (lambda s: s.get("db", "pw", encode_mode="w"), ValueError, "encode_mode must be 'r'"),
        (lambda s: s.get_secrets_env_var(["db"], "pw"), TypeError, "group must be a str"),
        (lambda s: s.get_secrets_file(None, None), TypeError, "give a group, a key or both"),
    ],
)
def test_bad_arguments_are_refused_clearly(
    call: Callable[[SecretsManager], object], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=re.escape(fragment)):
        call(SecretsManager())


def test_a_missing_secret_names_where_it_was_looked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _configure(monkeypatch, tmp_path, {})
    with pytest.raises(SecretNotFoundError) as info:
        SecretsManager().get("db", "pw", "v2")
    message = str(info.value)
    assert "_FSEC_DB_V2_PW" in message and str(tmp_path / "secrets" / "db" / "v2" / "pw") in message
    assert "secret_requests" in message
    assert isinstance(info.value, ValueError) and isinstance(info.value, UserError)


def test_an_unreadable_secret_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _configure(monkeypatch, tmp_path, {})
    secrets = SecretsManager()
    (tmp_path / "secrets" / "db" / "pw").mkdir(parents=True)  # a directory where the file should be
    with pytest.raises(SecretNotFoundError, match="exists but cannot be read"):
        secrets.get("db", "pw")
    (tmp_path / "secrets" / "db" / "bin").write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(SecretNotFoundError, match=r"encode_mode='rb'"):
        secrets.get("db", "bin")
    assert secrets.get("db", "bin", encode_mode="rb") == b"\xff\xfe\x00binary"


# --- execution parameters: flytekit's local values ----------------------------------------------------


def _describe(p: Any) -> dict[str, object]:
    ex, tk = p.execution_id, p.task_id
    cp = p.checkpoint
    return {
        "execution_id": (ex.project, ex.domain, ex.name),
        "task_id": (tk.project, tk.domain, tk.name, tk.version),
        "output_metadata_prefix": p.output_metadata_prefix,
        "raw_output_prefix": type(p.raw_output_prefix),
        "execution_date": p.execution_date.utcoffset(),
        "working_directory": os.path.isdir(p.working_directory),
        "logging": isinstance(p.logging, logging.Logger),
        "checkpoint": (cp.prev_exists(), cp.read(), cp.restore()),
    }


@flyweight.task
def _describe_ours() -> str:
    return repr(_describe(flyweight.current_context()))


@flyweight.workflow
def _describe_ours_wf() -> str:
    return _describe_ours()


def test_a_local_task_sees_flytekits_local_values(flytekit: ModuleType) -> None:
    @flytekit.task
    def theirs() -> str:
        return repr(_describe(flytekit.current_context()))

    @flytekit.workflow
    def theirs_wf() -> str:
        return theirs()

    expected = theirs()
    assert "('local', 'local', 'local')" in expected
    assert _describe_ours() == expected
    assert _describe_ours_wf() == theirs_wf() == expected


def test_outside_a_task_the_ids_are_local_and_there_is_no_checkpoint(flytekit: ModuleType) -> None:
    ours, theirs = flyweight.current_context(), flytekit.current_context()
    for attr in ("project", "domain", "name"):
        assert getattr(ours.execution_id, attr) == getattr(theirs.execution_id, attr) == "local"
    assert str(ours.execution_id) == "ex:local:local:local"
    assert str(ours.task_id) == str(theirs.task_id) == "TASK:local:local:local:local"
    assert ours.raw_output_prefix is not None and theirs.raw_output_prefix is not None
    with pytest.raises(NotImplementedError):
        _ = theirs.checkpoint
    with pytest.raises(NotImplementedError, match="Checkpointing is not available"):
        _ = ours.checkpoint


def test_the_execution_date_is_the_same_for_every_task_of_the_process() -> None:
    outer = flyweight.current_context().execution_date
    assert outer.tzinfo is not None

    @flyweight.task
    def date() -> datetime.datetime:
        return flyweight.current_context().execution_date

    assert date() == outer


@flyweight.task
def _checkpoint_roundtrip() -> str:
    params = flyweight.current_context()
    params.checkpoint.write(b"progress")
    written = sorted(os.listdir(os.path.join(params.working_directory, "__cp")))
    return f"{params.checkpoint.read()!r}|{written}"


def test_a_local_task_writes_its_checkpoint_in_its_working_directory_and_reads_no_previous_one() -> None:
    # as flytekit: read() sees the previous attempt's checkpoint only, never what this attempt wrote
    assert _checkpoint_roundtrip() == "None|['_dst_cp']"
