"""SerializationSettings and the placeholder settings of local runs."""

from __future__ import annotations

import dataclasses

import pytest

from flyweight._settings import (
    Image,
    ImageConfig,
    SerializationSettings,
    placeholder_settings,
    resolve_image,
)
from flyweight._settings._serialization import is_placeholder
from flyweight.errors import TaskDefinitionError

ENV_VARS = ("FLYWEIGHT_TEMPLATE_SIZE_WARN", "FLYWEIGHT_TEMPLATE_SIZE_LIMIT", "FLYWEIGHT_DEFAULT_IMAGE")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def test_flytekits_fields_in_flytekits_order_then_flyweights() -> None:
    assert [f.name for f in dataclasses.fields(SerializationSettings)] == [
        "image_config",
        "project",
        "domain",
        "version",
        "env",
        "git_repo",
        "python_interpreter",
        "flytekit_virtualenv_root",
        "fast_serialization_settings",
        "source_root",
        "template_size_warn_bytes",
        "template_size_limit_bytes",
    ]


def test_defaults() -> None:
    s = SerializationSettings()
    assert s.image_config == ImageConfig.auto_default_image()
    assert (s.project, s.domain, s.version, s.env, s.git_repo) == (None, None, None, None, None)
    assert s.python_interpreter == "/opt/venv/bin/python3"
    assert s.flytekit_virtualenv_root == "/opt/venv"
    assert (s.fast_serialization_settings, s.source_root) == (None, None)
    assert (s.template_size_warn_bytes, s.template_size_limit_bytes) == (256 * 1024, 1024 * 1024)


def test_positional_arguments_follow_flytekit() -> None:
    cfg = ImageConfig.from_images("repo:v1")
    s = SerializationSettings(cfg, "proj", "dev", "v1", {"A": "1"}, "git@x", "/usr/bin/python3")
    assert (s.image_config, s.project, s.domain, s.version, s.env) == (cfg, "proj", "dev", "v1", {"A": "1"})
    assert (s.git_repo, s.python_interpreter, s.flytekit_virtualenv_root) == (
        "git@x",
        "/usr/bin/python3",
        "/usr",
    )


def test_an_explicit_virtualenv_root_is_kept() -> None:
    assert SerializationSettings(flytekit_virtualenv_root="/venv").flytekit_virtualenv_root == "/venv"


def test_the_default_image_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_DEFAULT_IMAGE", "me/app:dev")
    assert SerializationSettings().image_config.default_image == Image("default", "me/app", "dev")


def test_settings_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        SerializationSettings().project = "p"  # type: ignore[misc]


def test_equal_settings_hash_alike() -> None:
    a = SerializationSettings(project="p", env={"A": "1"})
    b = SerializationSettings(project="p", env={"A": "1"})
    assert a == b
    assert hash(a) == hash(b)
    assert a != SerializationSettings(project="q")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"image_config": "repo:v1"}, "image_config: expected an ImageConfig or None, got str"),
        ({"env": ["A=1"]}, "env: expected a dict"),
        ({"template_size_warn_bytes": 0}, "template_size_warn_bytes=0: expected a positive whole number"),
        ({"template_size_warn_bytes": -1}, "template_size_warn_bytes=-1"),
        ({"template_size_limit_bytes": 0}, "template_size_limit_bytes=0"),
        ({"template_size_limit_bytes": -5}, "template_size_limit_bytes=-5"),
        ({"template_size_limit_bytes": 1.5}, "template_size_limit_bytes=1.5"),
        ({"template_size_warn_bytes": True}, "template_size_warn_bytes=True"),
        ({"template_size_warn_bytes": "1000"}, "template_size_warn_bytes='1000'"),
        (
            {"template_size_warn_bytes": 2000, "template_size_limit_bytes": 1000},
            "template_size_warn_bytes=2000 is above template_size_limit_bytes=1000",
        ),
        ({"template_size_warn_bytes": 2 * 1024 * 1024}, "is above template_size_limit_bytes=1048576"),
    ],
)
def test_bad_settings(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        SerializationSettings(**kwargs)  # type: ignore[arg-type]


def test_equal_thresholds_are_fine() -> None:
    s = SerializationSettings(template_size_warn_bytes=10, template_size_limit_bytes=10)
    assert (s.template_size_warn_bytes, s.template_size_limit_bytes) == (10, 10)


def test_the_environment_sets_the_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_WARN", "1000")
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_LIMIT", " 5000 ")
    s = SerializationSettings()
    assert (s.template_size_warn_bytes, s.template_size_limit_bytes) == (1000, 5000)


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_WARN", "1000")
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_LIMIT", "not a number")
    s = SerializationSettings(template_size_warn_bytes=7, template_size_limit_bytes=9)
    assert (s.template_size_warn_bytes, s.template_size_limit_bytes) == (7, 9)


def test_an_empty_env_var_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_WARN", "")
    assert SerializationSettings().template_size_warn_bytes == 256 * 1024


@pytest.mark.parametrize("value", ["256k", "1.5", "abc", "0x10"])
def test_a_bad_env_var_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_WARN", value)
    with pytest.raises(
        TaskDefinitionError, match=f"FLYWEIGHT_TEMPLATE_SIZE_WARN='{value}': expected a whole"
    ):
        SerializationSettings()


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_non_positive_env_var_is_named(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_LIMIT", value)
    with pytest.raises(
        TaskDefinitionError, match="FLYWEIGHT_TEMPLATE_SIZE_LIMIT \\(environment variable\\)="
    ):
        SerializationSettings()


def test_env_vars_that_disagree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_WARN", "5000")
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_LIMIT", "1000")
    with pytest.raises(TaskDefinitionError, match="check FLYWEIGHT_TEMPLATE_SIZE_WARN"):
        SerializationSettings()


def test_with_overrides_returns_a_changed_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    s = SerializationSettings(project="p", version="v1", template_size_warn_bytes=100)
    t = s.with_overrides(version="v2", env={"A": "1"})
    assert (t.project, t.version, t.env, t.template_size_warn_bytes) == ("p", "v2", {"A": "1"}, 100)
    assert s.version == "v1"
    # the thresholds are carried over, not read again from the environment
    monkeypatch.setenv("FLYWEIGHT_TEMPLATE_SIZE_WARN", "bad")
    assert s.with_overrides(domain="d").template_size_warn_bytes == 100


def test_with_overrides_validates() -> None:
    s = SerializationSettings()
    with pytest.raises(TaskDefinitionError, match="template_size_limit_bytes=0"):
        s.with_overrides(template_size_limit_bytes=0)
    with pytest.raises(
        TaskDefinitionError, match="has no field 'projcet'; the fields are: image_config, project"
    ):
        s.with_overrides(projcet="p")


def test_placeholder_settings() -> None:
    s = placeholder_settings()
    assert (s.project, s.domain, s.version, s.env) == (
        "PLACEHOLDER_PROJECT",
        "LOCAL",
        "PLACEHOLDER_VERSION",
        None,
    )
    assert s.image_config.default_image == Image(
        name="custom_container_task", fqn="flyweight.local/placeholder", tag="image"
    )
    assert placeholder_settings() is s


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (None, "flyweight.local/placeholder:image"),
        ("{{.image.anything.fqn}}:{{.image.anything.version}}", "flyweight.local/anything:placeholder"),
        ("{{.image.default.fqn}}:{{.image.default.version}}", "flyweight.local/default:placeholder"),
        ("{{.images.my-spark}}", "flyweight.local/my-spark:placeholder"),
        ("{{.image.custom_container_task}}", "flyweight.local/placeholder:image"),
        ("python:3.11", "python:3.11"),
    ],
)
def test_placeholder_settings_resolve_any_image_name(image: str | None, expected: str) -> None:
    assert resolve_image(image, placeholder_settings().image_config) == expected


def test_the_placeholder_config_synthesizes_images() -> None:
    cfg = placeholder_settings().image_config
    assert cfg.find_image("x") == Image(name="x", fqn="flyweight.local/x", tag="placeholder")
    assert cfg.find_image("custom_container_task") is cfg.default_image


def test_placeholder_settings_are_told_apart_by_one_function() -> None:
    assert is_placeholder(placeholder_settings())
    assert not is_placeholder(SerializationSettings(project="p", domain="d", version="v"))
    assert not is_placeholder(None)
