"""``ImageSpec``: image names byte-equal to flytekit 1.16.14's, and tasks naming their image by a spec.

The spec tables are built in both SDKs (flytekit's from the ``flytekit`` fixture: skipped without it,
failing under ``FLYWEIGHT_REQUIRE_ORACLE=1``) and their ``id``, ``tag`` and ``image_name()`` compared.
flytekit tries to build an image spec while it serializes a task (``ImageBuildEngine.build``, which asks
Docker or Docker Hub whether the image exists); the oracle tests replace that method with a recorder,
so nothing is built and the network is never touched. flyweight never builds.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
import sys
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.tasks.test_function_task_oracle import identity_map, settings_pair, text_diff

import flyweight
from flyweight import ImageSpec
from flyweight._settings import ImageConfig, resolve_image
from flyweight._settings._image_spec import (
    IMAGE_ID_ENV_VAR,
    RUNTIME_PACKAGES_ENV_VAR,
    CopyFileDetection,
    copy_handling_for,
    source_files,
)
from flyweight.errors import TaskDefinitionError
from flyweight.extend import get_serializable

# -- the oracle -----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _flytekit_forgets_these_tasks() -> Iterator[None]:
    """flytekit keeps every task a process creates (``FlyteEntities.entities``) and writes the images of
    the ones with an ImageSpec into every dynamic task it serializes later (``_F_SS_C``): the oracle tasks
    made here must not reach other tests' dynamic-task comparisons (compatibility F24)."""
    before = _flytekit_entities()
    count = len(before) if before is not None else 0
    yield
    after = _flytekit_entities()
    if after is not None:
        del after[count:]


def _flytekit_entities() -> list[Any] | None:
    module = sys.modules.get("flytekit.core.context_manager")
    return None if module is None else module.FlyteEntities.entities  # type: ignore[no-any-return]


@pytest.fixture
def fk_spec_module(flytekit: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """flytekit's image_spec module, its ``ImageBuildEngine.build`` replaced by a recorder (no build,
    no network); ``built`` on the module lists the specs flytekit tried to build."""
    module = importlib.import_module("flytekit.image_spec.image_spec")
    built: list[Any] = []
    monkeypatch.setattr(module.ImageBuildEngine, "build", classmethod(lambda cls, spec: built.append(spec)))
    monkeypatch.setattr(module, "built", built, raising=False)
    monkeypatch.setattr(module.ImageBuildEngine, "_IMAGE_NAME_TO_REAL_NAME", {})
    yield module


def _fk_kwargs(fk_spec_module: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Our spec's arguments as flytekit takes them (its own ``CopyFileDetection``, nested specs)."""
    from flytekit.constants import CopyFileDetection as FkCopy

    out = dict(kwargs)
    if isinstance(out.get("source_copy_mode"), CopyFileDetection):
        out["source_copy_mode"] = FkCopy[out["source_copy_mode"].name]
    if isinstance(out.get("base_image"), dict):
        out["base_image"] = fk_spec_module.ImageSpec(**_fk_kwargs(fk_spec_module, out["base_image"]))
    return out


def _ours_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    out = dict(kwargs)
    if isinstance(out.get("base_image"), dict):
        out["base_image"] = ImageSpec(**_ours_kwargs(out["base_image"]))
    return out


def _pair(fk_spec_module: Any, kwargs: dict[str, Any]) -> tuple[Any, ImageSpec]:
    return fk_spec_module.ImageSpec(**_fk_kwargs(fk_spec_module, kwargs)), ImageSpec(**_ours_kwargs(kwargs))


def _assert_same(theirs: Any, ours: ImageSpec) -> None:
    assert ours.id == theirs.id
    assert ours.tag == theirs.tag
    assert ours.image_name() == theirs.image_name()
    assert (ours.name, ours.registry, ours.platform, ours.builder) == (
        theirs.name,
        theirs.registry,
        theirs.platform,
        theirs.builder,
    )


SPECS: list[dict[str, Any]] = [
    {},
    {"name": "my-app"},
    {"name": "MixedCase"},
    {"name": "app", "registry": "ghcr.io/org"},
    {"name": "app", "registry": "GHCR.IO/Org"},
    {"name": "app", "registry": "localhost:30000"},
    {"name": "app", "registry": "docker.io/user"},
    {"name": "app", "registry": "registry.example.com:5000/team/sub"},
    {"python_version": "3.11"},
    {"python_version": "3.12", "packages": ["pandas==2.2", "numpy"]},
    {"packages": []},
    {"packages": ["b", "a"]},
    {"conda_packages": ["pytorch"], "conda_channels": ["conda-forge"]},
    {"apt_packages": ["git", "curl"]},
    {"env": {"A": "1", "B": "two"}},
    {"env": {}},
    {"cuda": "12.1", "cudnn": "8"},
    {"base_image": "python:3.11-slim"},
    {"base_image": "ghcr.io/org/base@sha256:" + "ab" * 32},
    {"base_image": {"name": "base", "packages": ["torch"], "registry": "ghcr.io/org"}},
    {"platform": "linux/arm64"},
    {"platform": "linux/amd64,linux/arm64"},
    {"pip_index": "https://pypi.example/simple"},
    {"pip_extra_index_url": ["https://a", "https://b"]},
    {"pip_secret_mounts": [(".gitconfig", "/etc/gitconfig")]},
    {"pip_extra_args": "--pre --no-cache-dir"},
    {"registry_config": "/home/me/.docker/config.json"},
    {"entrypoint": []},
    {"entrypoint": ["/bin/sh", "-c"]},
    {"commands": ["echo hi", "pip list"]},
    {"tag_format": "{spec_hash}-dev"},
    {"tag_format": "v1-{spec_hash}", "registry": "ghcr.io/org", "name": "tagged"},
    {"tag_format": "fixed"},
    {"python_exec": "/usr/local/bin/python3"},
    {"runtime_packages": ["rich"]},
    {"builder": "envd"},
    {"builder": "noop", "base_image": "ghcr.io/org/img:1"},
    {"builder_options": {"cache": True, "nested": {"k": [1, 2]}}},
    {"builder_config": {"uv_image": "ghcr.io/astral-sh/uv:0.5"}},
    {"source_copy_mode": CopyFileDetection.NO_COPY},
    {
        "name": "everything",
        "registry": "ghcr.io/acme",
        "python_version": "3.10",
        "packages": ["x"],
        "apt_packages": ["y"],
        "env": {"K": "V"},
        "commands": ["true"],
        "pip_index": "https://i",
        "tag_format": "{spec_hash}-x",
        "platform": "linux/arm64",
    },
]


@pytest.mark.oracle
@pytest.mark.parametrize("kwargs", SPECS, ids=[str(i) for i in range(len(SPECS))])
def test_image_name_equals_flytekits(fk_spec_module: Any, kwargs: dict[str, Any]) -> None:
    _assert_same(*_pair(fk_spec_module, kwargs))


_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_.=<>!/ ", max_size=12)
_names = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
_lists = st.one_of(st.none(), st.lists(_text, max_size=4))
_optional_text = st.one_of(st.none(), _text)


@pytest.mark.oracle
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=_names,
    registry=st.one_of(st.none(), st.sampled_from(["ghcr.io/org", "localhost:5000", "quay.io/a/b"])),
    python_version=st.one_of(st.none(), st.sampled_from(["3.10", "3.11", "3.12"])),
    packages=_lists,
    apt_packages=_lists,
    commands=_lists,
    env=st.one_of(st.none(), st.dictionaries(_names, _text, max_size=3)),
    base_image=_optional_text,
    pip_index=_optional_text,
    tag_format=st.one_of(st.none(), st.sampled_from(["{spec_hash}", "{spec_hash}-dev", "x{spec_hash}y"])),
    platform=st.one_of(st.none(), st.sampled_from(["linux/amd64", "linux/arm64"])),
)
def test_generated_specs_name_images_as_flytekit(fk_spec_module: Any, **kwargs: Any) -> None:
    _assert_same(*_pair(fk_spec_module, kwargs))


# -- files that go into the tag -------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "requirements.txt").write_text("pandas==2.2\nnumpy\n\n")
    src = tmp_path / "src"
    (src / "pkg" / "sub").mkdir(parents=True)
    (src / "pkg" / "__init__.py").write_text("")
    (src / "pkg" / "a.py").write_text("A = 1\n")
    (src / "pkg" / "sub" / "b.txt").write_text("b")
    (src / "pkg" / "c.pyc").write_bytes(b"\x00")
    (src / "notes.md").write_text("notes")
    (src / "data").mkdir()
    (src / "data" / "big.bin").write_bytes(b"\x01" * 1000)
    (src / ".dockerignore").write_text("# comment\ndata\n!data/keep.bin\n*.md\n")
    (src / "data" / "keep.bin").write_bytes(b"keep")
    return tmp_path


@pytest.mark.oracle
def test_requirements_content_goes_into_the_tag(fk_spec_module: Any, tree: Path) -> None:
    req = str(tree / "requirements.txt")
    theirs, ours = _pair(fk_spec_module, {"requirements": req, "packages": ["x"]})
    _assert_same(theirs, ours)
    before = ours.tag
    (tree / "requirements.txt").write_text("pandas==2.3\n")
    theirs, ours = _pair(fk_spec_module, {"requirements": req, "packages": ["x"]})
    _assert_same(theirs, ours)
    assert ours.tag != before
    (tree / "requirements.txt").write_text("pandas==2.3\n\n\n")  # stripped before hashing
    assert ImageSpec(requirements=req, packages=["x"]).tag == ours.tag


@pytest.mark.oracle
def test_copy_entries_go_into_the_tag(
    fk_spec_module: Any, tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree)
    for copy in (
        ["src"],
        ["requirements.txt"],
        ["src/pkg", "requirements.txt"],
        ["missing.txt", "src/notes.md"],
    ):
        _assert_same(*_pair(fk_spec_module, {"copy": copy}))
    before = ImageSpec(copy=["src"]).tag
    (tree / "src" / "pkg" / "a.py").write_text("A = 2\n")
    after = ImageSpec(copy=["src"]).tag
    assert after != before
    _assert_same(*_pair(fk_spec_module, {"copy": ["src"]}))
    theirs = fk_spec_module.ImageSpec(name="w").with_copy(["src", "requirements.txt"])
    _assert_same(theirs, ImageSpec(name="w").with_copy(["src", "requirements.txt"]))


@pytest.mark.oracle
@pytest.mark.parametrize("mode", [CopyFileDetection.ALL, CopyFileDetection.NO_COPY])
def test_source_root_files_go_into_the_tag(fk_spec_module: Any, tree: Path, mode: CopyFileDetection) -> None:
    root = str(tree / "src")
    theirs, ours = _pair(fk_spec_module, {"source_root": root, "source_copy_mode": mode})
    _assert_same(theirs, ours)
    before = ours.tag
    (tree / "src" / "pkg" / "new.py").write_text("x = 1\n")
    changed = ImageSpec(source_root=root, source_copy_mode=mode)
    _assert_same(
        fk_spec_module.ImageSpec(
            **_fk_kwargs(fk_spec_module, {"source_root": root, "source_copy_mode": mode})
        ),
        changed,
    )
    assert (changed.tag != before) == (mode == CopyFileDetection.ALL)
    listed = {os.path.relpath(f, root) for f in source_files(changed)}
    if mode == CopyFileDetection.ALL:
        assert {"pkg/a.py", "pkg/new.py", "pkg/sub/b.txt", "data/keep.bin"} <= listed
        assert not listed & {"notes.md", "data/big.bin", "pkg/c.pyc"}  # .dockerignore itself is kept
    else:
        assert listed == set()
    (tree / "src" / "data" / "ignored.bin").write_text("ignored by .dockerignore")
    (tree / "src" / "pkg" / "d.pyc").write_bytes(b"\x02")
    assert ImageSpec(source_root=root, source_copy_mode=mode).tag == changed.tag


@pytest.mark.oracle
def test_source_root_in_a_git_repository_leaves_out_gitignored_files(fk_spec_module: Any, tree: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tree / "src"
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("*.txt\n")
    args = {"source_root": str(root), "source_copy_mode": CopyFileDetection.ALL}
    _assert_same(*_pair(fk_spec_module, args))
    before = ImageSpec(**args).tag
    (root / "pkg" / "more.txt").write_text("git-ignored")
    assert ImageSpec(**args).tag == before


def _import_from(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def loaded_module(tree: Path) -> Iterator[Path]:
    """A module under ``tree/src`` in ``sys.modules``, for the LOADED_MODULES copy mode."""
    name = "image_spec_loaded_module_under_test"
    _import_from(tree / "src" / "pkg" / "a.py", name)
    yield tree / "src"
    sys.modules.pop(name, None)


@pytest.mark.oracle
def test_loaded_modules_under_the_source_root_go_into_the_tag(
    fk_spec_module: Any, loaded_module: Path
) -> None:
    theirs, ours = _pair(fk_spec_module, {"source_root": str(loaded_module)})
    assert ours.source_copy_mode is CopyFileDetection.LOADED_MODULES
    _assert_same(theirs, ours)
    before = ours.tag
    (loaded_module / "pkg" / "a.py").write_text("A = 3\n")
    _assert_same(*_pair(fk_spec_module, {"source_root": str(loaded_module)}))
    assert ImageSpec(source_root=str(loaded_module)).tag != before
    assert source_files(ImageSpec(source_root=str(loaded_module))) == [str(loaded_module / "pkg" / "a.py")]
    (loaded_module / "pkg" / "unloaded.py").write_text("not imported")
    assert ImageSpec(source_root=str(loaded_module)).tag == ImageSpec(source_root=str(loaded_module)).tag


# -- the builder methods, from_env ---------------------------------------------------------------------


@pytest.mark.oracle
def test_with_methods_match_flytekit(fk_spec_module: Any) -> None:
    theirs = fk_spec_module.ImageSpec(name="w", registry="ghcr.io/o", packages=["a"])
    ours = ImageSpec(name="w", registry="ghcr.io/o", packages=["a"])
    steps: list[tuple[str, Any]] = [
        ("with_packages", "b"),
        ("with_packages", ["c", "d"]),
        ("with_apt_packages", "git"),
        ("with_apt_packages", ["curl"]),
        ("with_commands", "echo 1"),
        ("with_commands", ["echo 2"]),
        ("with_runtime_packages", ["rich"]),
        ("with_builder_options", {"x": 1}),
        ("with_builder_options", {"y": [2]}),
    ]
    for method, value in steps:
        theirs, ours = getattr(theirs, method)(value), getattr(ours, method)(value)
        _assert_same(theirs, ours)
    assert ours.packages == ["a", "b", "c", "d"]
    assert ours.builder_options == {"x": 1, "y": [2]}
    pushed = ours.force_push()
    assert pushed._is_force_push and not ours._is_force_push
    assert pushed.image_name() == theirs.force_push().image_name() == ours.image_name()


def test_with_methods_leave_the_spec_unchanged() -> None:
    spec = ImageSpec(packages=["a"])
    more = spec.with_packages(["b"])
    assert spec.packages == ["a"] and more.packages == ["a", "b"]
    assert more.tag != spec.tag


@pytest.mark.oracle
def test_from_env_matches_flytekit(fk_spec_module: Any) -> None:
    theirs = fk_spec_module.ImageSpec.from_env(pinned_packages=["pytest"], name="env", packages=["x"])
    ours = ImageSpec.from_env(pinned_packages=["pytest"], name="env", packages=["x"])
    _assert_same(theirs, ours)
    assert ours.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert ours.packages is not None and ours.packages[0] == "x" and ours.packages[1].startswith("pytest==")
    _assert_same(fk_spec_module.ImageSpec.from_env(), ImageSpec.from_env())


def test_from_env_refuses_a_python_version_and_unknown_packages() -> None:
    with pytest.raises(TaskDefinitionError, match="python_version"):
        ImageSpec.from_env(python_version="3.9")
    with pytest.raises(TaskDefinitionError, match="not installed"):
        ImageSpec.from_env(pinned_packages=["surely-not-an-installed-package-xyz"])


def test_from_env_does_not_change_the_callers_list() -> None:
    packages = ["x"]
    ImageSpec.from_env(pinned_packages=["pytest"], packages=packages)
    assert packages == ["x"]


# -- is_container, exist, hashing ------------------------------------------------------------------------


def test_is_container_compares_image_ids_only_in_a_task_pod(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = ImageSpec(name="app", packages=["x"])
    monkeypatch.delenv("FLYTE_INTERNAL_EXECUTION_ID", raising=False)
    monkeypatch.delenv(IMAGE_ID_ENV_VAR, raising=False)
    assert spec.is_container()
    monkeypatch.setenv("FLYTE_INTERNAL_EXECUTION_ID", "exec-1")
    assert not spec.is_container()
    monkeypatch.setenv(IMAGE_ID_ENV_VAR, spec.id)
    assert spec.is_container()
    assert not ImageSpec(name="other").is_container()


def test_exist_answers_unknown_offline() -> None:
    assert ImageSpec(name="app", registry="ghcr.io/org").exist() is None


def test_specs_hash_and_compare_by_value() -> None:
    a, b = ImageSpec(name="App", packages=["x"]), ImageSpec(name="app", packages=["x"])
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a.name == "app"


def test_platform_defaults_like_flytekit(monkeypatch: pytest.MonkeyPatch) -> None:
    from flyweight._settings import _image_spec

    monkeypatch.setattr(_image_spec, "_machine", lambda: "arm64")
    assert ImageSpec(registry="localhost:30000").platform == "linux/arm64"
    assert ImageSpec(registry="ghcr.io/org").platform == "linux/amd64"
    assert ImageSpec(registry="localhost:30000", platform="linux/amd64").platform == "linux/amd64"


def test_force_push_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYTE_FORCE_PUSH_IMAGE_SPEC", "true")
    assert ImageSpec()._is_force_push
    monkeypatch.setenv("FLYTE_FORCE_PUSH_IMAGE_SPEC", "off")
    assert not ImageSpec()._is_force_push


def test_flyweight_import_does_not_load_the_module() -> None:
    import subprocess

    code = "import sys, flyweight; print('flyweight._settings._image_spec' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


# -- bad input -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": 3}, "name: expected a non-empty str"),
        ({"name": ""}, "name: expected a non-empty str"),
        ({"python_version": 3.11}, "python_version must be a str"),
        ({"registry": ["ghcr.io"]}, "registry must be a str"),
        ({"registry": "Not A Registry!"}, "invalid container registry name"),
        ({"packages": "pandas"}, "packages must be a list of strings"),
        ({"packages": ["a", 1]}, "packages must be a list of strings"),
        ({"apt_packages": ("git",)}, "apt_packages must be a list of strings"),
        ({"commands": "echo"}, "commands must be a list of strings"),
        ({"env": {"A": 1}}, "env must be a dict of str to str"),
        ({"env": ["A=1"]}, "env must be a dict of str to str"),
        ({"pip_secret_mounts": [("a",)]}, "pip_secret_mounts must be a list of tuples"),
        ({"builder_options": ["x"]}, "builder_options must be a dictionary"),
        ({"base_image": 3}, "base_image must be an image reference"),
        ({"source_copy_mode": "all"}, "source_copy_mode must be a CopyFileDetection"),
        ({"requirements": 5}, "requirements must be a path"),
        ({"copy": "file.txt"}, "copy must be a list of paths"),
        ({"tag_format": "{hash}"}, "tag_format '{hash}' does not format"),
        ({"tag_format": "{0}"}, "does not format"),
    ],
)
def test_bad_fields_are_refused_clearly(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match) as info:
        ImageSpec(**kwargs)
    assert isinstance(info.value, ValueError)  # as flytekit's ValueError


def test_a_missing_requirements_file_fails_when_the_tag_is_needed(tmp_path: Path) -> None:
    spec = ImageSpec(requirements=str(tmp_path / "nope.txt"))  # defining it is fine (e.g. in a container)
    with pytest.raises(TaskDefinitionError, match=r"cannot read the requirements file .*nope\.txt"):
        spec.image_name()


def test_copying_files_without_a_source_root_fails_clearly() -> None:
    spec = ImageSpec(source_copy_mode=CopyFileDetection.ALL)
    with pytest.raises(TaskDefinitionError, match="source_root must be set"):
        spec.image_name()


def test_with_methods_refuse_the_wrong_kind_of_value() -> None:
    with pytest.raises(TaskDefinitionError, match="cannot update packages"):
        ImageSpec(packages=["a"]).with_builder_options({"x": 1}).with_packages({"b": 1})  # type: ignore[arg-type]
    with pytest.raises(TaskDefinitionError, match="takes a str, a list or a dict"):
        ImageSpec().with_packages(3)  # type: ignore[arg-type]
    with pytest.raises(TaskDefinitionError, match="packages must be a list of strings"):
        ImageSpec().with_packages([1])  # type: ignore[list-item]


def test_tasks_refuse_other_image_objects() -> None:
    with pytest.raises(TaskDefinitionError, match="or a flyweight.ImageSpec"):

        @flyweight.task(container_image=3)  # type: ignore[call-overload]
        def bad() -> None: ...

    with pytest.raises(TaskDefinitionError, match="or a flyweight.ImageSpec"):
        flyweight.ContainerTask(name="c.bad", image=3, command=["x"])  # type: ignore[arg-type]
    with pytest.raises(TaskDefinitionError, match="an image reference string or an ImageSpec"):
        resolve_image(3, ImageConfig.from_images("a:1"))  # type: ignore[arg-type]


# -- resolution and the copy handling --------------------------------------------------------------------


def test_resolve_image_prefers_a_configured_image_named_by_the_spec_id() -> None:
    spec = ImageSpec(name="app", registry="ghcr.io/org", packages=["x"])
    assert resolve_image(spec, ImageConfig.from_images("a:1")) == spec.image_name()
    cfg = ImageConfig.from_images("a:1", {spec.id: "ghcr.io/org/prebuilt:7"})
    assert resolve_image(spec, cfg) == "ghcr.io/org/prebuilt:7"


def test_copy_handling_works_on_a_copy(tmp_path: Path) -> None:
    spec = ImageSpec(name="app")
    handled = copy_handling_for(spec, source_root=str(tmp_path), fast_registration=False)
    assert spec.source_root is None and spec.source_copy_mode is None
    assert handled.source_root == str(tmp_path)
    assert handled.source_copy_mode is CopyFileDetection.LOADED_MODULES
    assert copy_handling_for(spec, source_root=str(tmp_path), fast_registration=True) is spec


# -- tasks naming their image by a spec, against flytekit's templates ------------------------------------


def make_spec(**kwargs: Any) -> dict[str, Any]:
    return {"name": "task-img", "registry": "ghcr.io/acme", "packages": ["pandas"], **kwargs}


def double(x: int) -> int:
    return x * 2


def _function_pair(
    fk_spec_module: Any, monkeypatch: pytest.MonkeyPatch, spec_kwargs: dict[str, Any], **options: Any
) -> tuple[Any, Any]:
    fk = importlib.import_module("flytekit")
    theirs_spec, ours_spec = _pair(fk_spec_module, spec_kwargs)
    namespace = {"__name__": __name__, "fk": fk, "spec": theirs_spec, "options": options, "fn": double}
    exec(compile("made = fk.task(container_image=spec, **options)(fn)", "<oracle>", "exec"), namespace)
    ours = flyweight.task(container_image=ours_spec, **options)(double)
    monkeypatch.setattr(sys.modules[double.__module__], "double", ours)  # a container finds it there
    return namespace["made"], ours


def _fk_settings_with(fk_settings: Any, **changes: Any) -> Any:
    return dataclasses.replace(fk_settings, **changes)


def _compare_function_templates(theirs: Any, ours: Any, fk_settings: Any, settings: Any) -> Any:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_spec = fk_get_serializable(OrderedDict(), fk_settings, theirs).to_flyte_idl()
    if fk_spec.template.container.args[0] == "pyflyte-fast-execute":  # fast registration: the image only
        got = get_serializable(OrderedDict(), settings, ours).template
        assert got.container.image == fk_spec.template.container.image
        return got
    expected = identity_map(fk_spec.template, list(ours.python_interface.outputs))
    got = get_serializable(OrderedDict(), settings, ours).template
    assert got.container.image == expected.container.image
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )
    return got


@pytest.mark.oracle
@pytest.mark.parametrize(
    "spec_kwargs",
    [
        make_spec(),
        make_spec(tag_format="{spec_hash}-x", apt_packages=["git"]),
        make_spec(runtime_packages=["rich", "tqdm"]),
    ],
    ids=["plain", "tag-format", "runtime-packages"],
)
def test_function_task_template_names_flytekits_image(
    fk_spec_module: Any, monkeypatch: pytest.MonkeyPatch, spec_kwargs: dict[str, Any]
) -> None:
    fk_settings, settings = settings_pair({"SETTINGS_ENV": "s"})
    theirs, ours = _function_pair(fk_spec_module, monkeypatch, spec_kwargs, environment={"TASK_ENV": "t"})
    got = _compare_function_templates(theirs, ours, fk_settings, settings)
    assert got.container.image == ImageSpec(**spec_kwargs).image_name()
    assert fk_spec_module.built, "flytekit would have built the image: the recorder must have stopped it"
    if spec_kwargs.get("runtime_packages"):
        env = {kv.key: kv.value for kv in got.container.env}
        assert env[RUNTIME_PACKAGES_ENV_VAR] == "rich tqdm"


@pytest.mark.oracle
def test_a_configured_image_named_by_the_spec_id_wins_as_in_flytekit(
    fk_spec_module: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flytekit.configuration import Image as FkImage

    fk_settings, settings = settings_pair()
    spec_id = ImageSpec(**make_spec()).id
    fk_settings.image_config.images.append(FkImage(name=spec_id, fqn="ghcr.io/acme/prebuilt", tag="9"))
    ours_cfg = settings.image_config
    settings = settings.with_overrides(
        image_config=flyweight.ImageConfig(
            default_image=ours_cfg.default_image,
            images=[*ours_cfg.images, flyweight.Image(name=spec_id, fqn="ghcr.io/acme/prebuilt", tag="9")],
        )
    )
    theirs, ours = _function_pair(fk_spec_module, monkeypatch, make_spec())
    got = _compare_function_templates(theirs, ours, fk_settings, settings)
    assert got.container.image == "ghcr.io/acme/prebuilt:9"


@pytest.mark.oracle
@pytest.mark.parametrize("fast", [False, True])
def test_function_task_copies_the_loaded_modules_without_fast_registration(
    fk_spec_module: Any, monkeypatch: pytest.MonkeyPatch, loaded_module: Path, fast: bool
) -> None:
    from flytekit.configuration import FastSerializationSettings as FkFast

    fk_settings, settings = settings_pair()
    root = str(loaded_module)
    fk_settings = _fk_settings_with(
        fk_settings, source_root=root, fast_serialization_settings=FkFast(enabled=fast)
    )
    settings = settings.with_overrides(source_root=root, fast_serialization_settings=_our_fast(fast))
    theirs, ours = _function_pair(fk_spec_module, monkeypatch, make_spec())
    got = _compare_function_templates(theirs, ours, fk_settings, settings)
    plain = ImageSpec(**make_spec())
    assert (got.container.image == plain.image_name()) == fast
    assert ours.container_image.source_root is None  # the task's spec is not changed


def _our_fast(enabled: bool) -> Any:
    from flyweight._settings import FastSerializationSettings

    return FastSerializationSettings(enabled=enabled)


def _plugin_pair(fk_spec_module: Any, spec_kwargs: dict[str, Any]) -> tuple[Any, Any]:
    from flytekit.core.python_customized_container_task import PythonCustomizedContainerTask as FkBase
    from tests.tasks.oracle_plugins import NoopExecutor

    theirs_spec, ours_spec = _pair(fk_spec_module, spec_kwargs)

    class FkPlugin(FkBase):  # type: ignore[misc]
        def get_custom(self, settings: Any) -> dict[str, Any]:
            return {}

    from flytekit.core.interface import Interface as FkInterface

    theirs = FkPlugin(
        "plugin.img", None, theirs_spec, NoopExecutor, environment={"E": "1"}, interface=FkInterface()
    )
    ours = flyweight.PythonCustomizedContainerTask(
        "plugin.img", None, ours_spec, NoopExecutor, environment={"E": "1"}, interface=flyweight.Interface()
    )
    return theirs, ours


@pytest.mark.oracle
@pytest.mark.parametrize("source_root", [False, True])
@pytest.mark.parametrize(
    "spec_kwargs", [make_spec(), make_spec(runtime_packages=["rich"])], ids=["plain", "runtime-packages"]
)
def test_plugin_task_container_names_flytekits_image(
    fk_spec_module: Any, tmp_path: Path, source_root: bool, spec_kwargs: dict[str, Any]
) -> None:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_settings, settings = settings_pair({"SETTINGS_ENV": "s"})
    if source_root:
        fk_settings = _fk_settings_with(fk_settings, source_root=str(tmp_path))
        settings = settings.with_overrides(source_root=str(tmp_path))
    theirs, ours = _plugin_pair(fk_spec_module, spec_kwargs)
    expected = fk_get_serializable(OrderedDict(), fk_settings, theirs).to_flyte_idl().template.container
    got = get_serializable(OrderedDict(), settings, ours).template.container
    assert got.image == expected.image
    assert list(got.env) == list(expected.env)  # no runtime packages entry, as flytekit's plugin tasks


@pytest.mark.oracle
@pytest.mark.parametrize("source_root", [False, True])
def test_container_task_names_flytekits_image(
    fk_spec_module: Any, loaded_module: Path, source_root: bool
) -> None:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk = importlib.import_module("flytekit")
    fk_settings, settings = settings_pair({"SETTINGS_ENV": "s"})
    if source_root:
        fk_settings = _fk_settings_with(fk_settings, source_root=str(loaded_module))
        settings = settings.with_overrides(source_root=str(loaded_module))
    theirs_spec, ours_spec = _pair(fk_spec_module, make_spec(apt_packages=["jq"]))
    theirs = fk.ContainerTask(name="c.spec", image=theirs_spec, command=["echo", "hi"])
    ours = flyweight.ContainerTask(name="c.spec", image=ours_spec, command=["echo", "hi"])
    expected = fk_get_serializable(OrderedDict(), fk_settings, theirs).to_flyte_idl().template
    expected.metadata.runtime.version = flyweight.__version__
    got = get_serializable(OrderedDict(), settings, ours).template
    assert got.container.image == expected.container.image
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )
    assert ours._local_image == ours_spec.image_name()


def test_serialization_builds_nothing_and_uses_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket
    import subprocess

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("serialization must not start a process or open a socket")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(subprocess, "run", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    spec = ImageSpec(name="offline", registry="ghcr.io/org", packages=["x"])

    offline = flyweight.task(container_image=spec)(double)
    monkeypatch.setattr(sys.modules[double.__module__], "double", offline)

    _, settings = _settings_only()
    image = offline.serialize_to_model(settings).container.image
    assert image == spec.image_name()


def _settings_only() -> tuple[None, flyweight.SerializationSettings]:
    image = flyweight.Image(name="default", fqn="test", tag="tag")
    return None, flyweight.SerializationSettings(
        project="p",
        domain="d",
        version="v",
        image_config=flyweight.ImageConfig(default_image=image, images=[image]),
    )


# -- an ImageSpec file as --image (pyflyte's Image.look_up_image_info) -----------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_a_spec_file_names_the_image_flytekit_names(fk_spec_module: Any, tmp_path: Path, suffix: str) -> None:
    import json

    from flytekit.configuration import Image as FkImage

    from flyweight import Image

    fields = {"name": "fromfile", "registry": "ghcr.io/acme", "packages": ["numpy"], "python_version": "3.11"}
    path = tmp_path / f"spec{suffix}"
    path.write_text(json.dumps(fields))  # JSON is YAML too
    ours = Image.look_up_image_info("default", str(path))
    if suffix == ".yaml":  # flytekit reads YAML files only
        theirs = FkImage.look_up_image_info("default", str(path))
        assert (ours.fqn, ours.tag) == (theirs.fqn, theirs.tag)
        assert fk_spec_module.built  # flytekit would build it; flyweight only names it
    assert ours.full == ImageSpec(**fields).image_name()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("- a\n- b\n", "must hold a mapping"),
        ("name: x\nflavour: y\n", "is not an ImageSpec"),
        ("{", "not valid"),
    ],
)
def test_a_bad_spec_file_is_a_clear_error(tmp_path: Path, content: str, says: str) -> None:
    from flyweight import Image

    path = tmp_path / "spec.yaml"
    path.write_text(content)
    with pytest.raises(TaskDefinitionError, match=says):
        Image.look_up_image_info("default", str(path))
