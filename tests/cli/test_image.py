"""Rendering an ImageSpec into a Dockerfile and build context (``flyweight._cli._image``) and building it
(``flyweight image build``): what goes into the image, what is refused, and what happens where no
container engine works. A real build runs only where one does."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from flyweight import ImageSpec
from flyweight._cli._image import render
from flyweight._cli._image_cli import NO_ENGINE, build_images
from flyweight._runtime._engines import find_engine
from flyweight._settings._image_spec import CopyFileDetection
from flyweight._version import __version__
from flyweight.errors import PackagingError


def lines(context: Path) -> list[str]:
    return (context / "Dockerfile").read_text().splitlines()


def test_a_full_spec_renders_every_part(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests==2.32.3\n")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.yaml").write_text("a: 1\n")
    (tmp_path / "extra.txt").write_text("x\n")
    spec = ImageSpec(
        name="app",
        registry="ghcr.io/acme",
        python_version="3.12",
        apt_packages=["git", "curl", "git"],
        packages=["numpy==2.1.0", "scipy>=1.13"],
        requirements=str(tmp_path / "requirements.txt"),
        pip_index="https://pypi.example/simple",
        pip_extra_index_url=["https://extra.example/simple"],
        pip_extra_args="--prefer-binary",
        env={"MODE": "prod", "QUOTE": 'say "hi"'},
        commands=["echo built > /built.txt"],
        copy=[str(tmp_path / "conf"), str(tmp_path / "extra.txt")],
        entrypoint=["/bin/sh", "-c"],
    )
    image = render(spec, tmp_path / "ctx")
    assert image.name == spec.image_name()
    text = lines(image.context)
    assert text[1:3] == ["FROM python:3.12-slim-bookworm", "USER root"]
    assert (
        "    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl git \\" in text
    )
    pip = next(line for line in text if line.startswith("RUN pip install"))
    assert pip.startswith(
        "RUN pip install --no-cache-dir --index-url https://pypi.example/simple --extra-index-url "
        "https://extra.example/simple --prefer-binary numpy==2.1.0 'scipy>=1.13' -r /tmp/requirements.txt "
    )
    assert (image.context / "requirements.txt").read_text() == "requests==2.32.3\n"
    assert 'ENV MODE="prod"' in text and 'ENV QUOTE="say \\"hi\\""' in text
    assert f'ENV _F_IMG_ID="{spec.id}"' in text  # how is_container() knows the image
    assert "RUN echo built > /built.txt" in text
    assert (image.context / "copy" / "conf" / "app.yaml").read_text() == "a: 1\n"
    assert (image.context / "copy" / "extra.txt").exists()
    assert "COPY --chown=flyte copy/ /root/" in text
    assert text[-2:] == ["USER flyte", 'ENTRYPOINT ["/bin/sh", "-c"]']
    assert text.index("RUN echo built > /built.txt") < text.index("USER flyte")


def test_flyweight_comes_from_this_checkout_or_from_pypi(tmp_path: Path) -> None:
    spec = ImageSpec(name="fw", registry="localhost:30000")
    checkout = render(spec, tmp_path / "a")  # the tests run from a source checkout
    assert (checkout.context / "flyweight-src" / "src" / "flyweight" / "__init__.py").exists()
    assert not list((checkout.context / "flyweight-src").rglob("__pycache__"))
    assert "COPY flyweight-src /tmp/flyweight-src" in lines(checkout.context)
    assert lines(checkout.context)[
        lines(checkout.context).index("COPY flyweight-src /tmp/flyweight-src") + 1
    ] == ("RUN pip install --no-cache-dir /tmp/flyweight-src")
    pypi = render(spec, tmp_path / "b", flyweight_source="pypi")
    assert f"RUN pip install --no-cache-dir flyweight=={__version__}" in lines(pypi.context)
    assert not (pypi.context / "flyweight-src").exists()


def test_the_source_is_copied_as_the_spec_s_copy_mode_says(tmp_path: Path) -> None:
    src = tmp_path / "proj"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "wf.py").write_text("X = 1\n")
    (src / ".dockerignore").write_text("secrets.env\n")
    (src / "secrets.env").write_text("TOKEN=1\n")
    spec = ImageSpec(
        name="src", registry="localhost:30000", source_root=str(src), source_copy_mode=CopyFileDetection.ALL
    )
    image = render(spec, tmp_path / "ctx")
    assert (image.context / "source" / "pkg" / "wf.py").read_text() == "X = 1\n"
    assert not (image.context / "source" / "secrets.env").exists()  # .dockerignore'd, as in the tag
    assert "COPY --chown=flyte source/ /root/" in lines(image.context)
    none = ImageSpec(
        name="src",
        registry="localhost:30000",
        source_root=str(src),
        source_copy_mode=CopyFileDetection.NO_COPY,
    )
    assert not (render(none, tmp_path / "ctx2").context / "source").exists()


def test_a_spec_as_base_image_and_the_same_spec_twice(tmp_path: Path) -> None:
    base = ImageSpec(name="base", registry="ghcr.io/acme", packages=["pandas"])
    child = ImageSpec(
        name="child", registry="ghcr.io/acme", base_image=base, python_exec="/opt/conda/bin/python"
    )
    text = lines(render(child, tmp_path / "c1", flyweight_source="pypi").context)
    assert text[1] == f"FROM {base.image_name()}"
    assert "RUN /opt/conda/bin/python -m venv /opt/venv" in text
    again = lines(render(child, tmp_path / "c2", flyweight_source="pypi").context)
    assert again == text  # deterministic


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("conda_packages", ["numpy"], "conda packages"),
        ("cuda", "12.1", "CUDA base image"),
        ("pip_secret_mounts", [("a", "/b")], "BuildKit secrets"),
    ],
)
def test_what_this_builder_cannot_do_is_refused_by_name(
    tmp_path: Path, field: str, value: object, says: str
) -> None:
    spec = ImageSpec(name="x", registry="localhost:30000", **{field: value})  # type: ignore[arg-type]
    with pytest.raises(PackagingError, match=rf"{field}: .*{says}"):
        render(spec, tmp_path / "ctx")
    assert not (tmp_path / "ctx").exists()


def test_bad_contexts_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "f").write_text("")
    spec = ImageSpec(name="x", registry="localhost:30000")
    with pytest.raises(PackagingError, match="is not empty"):
        render(spec, tmp_path / "busy")
    with pytest.raises(PackagingError, match="copy entry .* does not exist"):
        render(ImageSpec(name="x", registry="localhost:30000", copy=[str(tmp_path / "nope")]), tmp_path / "c")


def test_without_an_engine_the_contexts_are_written_and_the_commands_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no docker, podman or buildah
    specs = [ImageSpec(name="one", registry="localhost:30000"), ImageSpec(name="noop", builder="noop")]
    assert build_images(specs, tmp_path / "images", push=True, no_build=False, flyweight="pypi") == NO_ENGINE
    out = capsys.readouterr()
    name = specs[0].image_name()
    assert "no container engine can build here: docker: not installed" in out.err
    assert f"docker build --platform linux/amd64 -t {name} {tmp_path / 'images'}/one-" in out.out
    assert f"docker push {name}" in out.out
    assert "builder 'noop', nothing to build" in out.out
    assert len(list((tmp_path / "images").iterdir())) == 1


def test_a_real_build_where_an_engine_works(tmp_path: Path) -> None:
    engine = find_engine().engine
    if engine is None:
        pytest.skip("no container engine works here (docker needs its daemon; podman or buildah)")
    spec = ImageSpec(name="fwtest", registry="localhost:5000", packages=[], commands=["true"])
    assert build_images([spec], tmp_path, push=False, no_build=False, flyweight="checkout") == 0
    done = subprocess.run(
        [engine.path, "image", "inspect", spec.image_name()], capture_output=True, check=False
    )
    assert done.returncode == 0
    assert os.environ.get("PATH")


def test_the_command_finds_the_specs_of_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from flyweight._cli._main import main

    (tmp_path / "imgs.py").write_text(
        "from flyweight import ImageSpec, task\n"
        "base = ImageSpec(name='base', registry='localhost:30000', packages=['numpy'])\n"
        "@task(container_image=ImageSpec(name='taskimg', registry='localhost:30000'))\n"
        "def t() -> int:\n"
        "    return 1\n"
    )
    runner = CliRunner()
    args = ["image", "build", "imgs.py", "--source", str(tmp_path), "--context", str(tmp_path / "ctx")]
    monkeypatch.chdir(tmp_path)
    done = runner.invoke(main, [*args, "--no-build", "--flyweight", "pypi"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "ctx").iterdir()) == ["base", "taskimg"]
    again = runner.invoke(main, [*args, "--no-build", "--flyweight", "pypi", "--spec", "base"])
    assert again.exit_code == 0, again.output  # the same context is rendered afresh
    missing = runner.invoke(main, [*args, "--spec", "nope"])
    assert missing.exit_code == 1
    assert "no ImageSpec named nope found in imgs.py" in missing.output
    if find_engine().engine is None:
        built = runner.invoke(main, [*args, "--flyweight", "pypi"])
        assert built.exit_code == NO_ENGINE
        assert "docker build --platform linux/amd64 -t localhost:30000/base:" in built.output
