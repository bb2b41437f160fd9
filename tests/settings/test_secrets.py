"""Secret and SecurityContext."""

from __future__ import annotations

import pytest

from flyweight._settings import Secret, SecurityContext
from flyweight.errors import TaskDefinitionError


def test_defaults() -> None:
    secret = Secret()
    assert (secret.group, secret.key, secret.group_version, secret.env_var) == (None, None, None, None)
    assert secret.mount_requirement is Secret.MountType.ANY


def test_mount_types_carry_the_protobuf_numbers() -> None:
    assert [(m.name, m.value) for m in Secret.MountType] == [("ANY", 0), ("ENV_VAR", 1), ("FILE", 2)]


def test_a_group_is_not_required() -> None:
    assert Secret(key="token").group is None


def test_a_full_secret() -> None:
    secret = Secret(
        group="db", key="pw", group_version="3", mount_requirement=Secret.MountType.FILE, env_var="DB_PW_FILE"
    )
    assert secret.mount_requirement.value == 2
    assert secret == Secret("db", "pw", "3", Secret.MountType.FILE, "DB_PW_FILE")


def test_an_int_mount_requirement_becomes_the_enum() -> None:
    assert Secret(mount_requirement=1).mount_requirement is Secret.MountType.ENV_VAR  # type: ignore[arg-type]


@pytest.mark.parametrize("mount", [3, -1, True, "ENV_VAR", None])
def test_a_bad_mount_requirement(mount: object) -> None:
    with pytest.raises(TaskDefinitionError, match="mount_requirement: expected Secret.MountType"):
        Secret(mount_requirement=mount)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["A", "_", "DB_PASSWORD", "_X1", "A0_9"])
def test_valid_env_var_names(name: str) -> None:
    assert Secret(env_var=name).env_var == name


@pytest.mark.parametrize("name", ["", "db_password", "1ABC", "MY-VAR", "A B", "ÄB", "ABC\n", "$X"])
def test_invalid_env_var_names(name: str) -> None:
    with pytest.raises(TaskDefinitionError, match="is not a valid environment variable name"):
        Secret(env_var=name)


@pytest.mark.parametrize("field", ["group", "key", "group_version", "env_var"])
def test_non_string_fields_are_rejected(field: str) -> None:
    with pytest.raises(TaskDefinitionError, match=f"Secret {field}: expected a str or None, got int"):
        Secret(**{field: 5})  # type: ignore[arg-type]


def test_security_context_defaults() -> None:
    ctx = SecurityContext()
    assert (ctx.run_as, ctx.secrets, ctx.tokens) == (None, None, None)


def test_security_context_wraps_a_single_secret() -> None:
    secret = Secret(group="g", key="k")
    assert SecurityContext(secrets=secret).secrets == [secret]  # type: ignore[arg-type]
    assert SecurityContext(secrets=(secret, secret)).secrets == [secret, secret]  # type: ignore[arg-type]
    assert SecurityContext(secrets=[secret]).secrets == [secret]


def test_security_context_wraps_a_single_token() -> None:
    token = object()
    assert SecurityContext(tokens=token).tokens == [token]  # type: ignore[arg-type]
    assert SecurityContext(tokens=[token]).tokens == [token]


@pytest.mark.parametrize(
    ("secrets", "match"),
    [
        (["g/k"], r"secrets\[0\]: expected a Secret, got str"),
        ([Secret(), {"group": "g"}], r"secrets\[1\]: expected a Secret, got dict"),
        ("g/k", "expected a list of Secret, got str"),
    ],
)
def test_security_context_rejects_what_is_not_a_secret(secrets: object, match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        SecurityContext(secrets=secrets)  # type: ignore[arg-type]
