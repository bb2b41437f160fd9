"""Rebuild the golden protobufs under ``tests/golden/`` with flytekit 1.16.14 as the oracle.

The conformance tests compare flyweight's bytes with these files; this script is the only way they are
made, so anyone can check that the committed bytes are what flytekit produces. Every file is a
protobuf message serialized with ``SerializeToString(deterministic=True)`` (map keys sorted):

* ``literals/<id>.type.pb`` and ``literals/<id>.literal.pb``: the ``flyteidl.core.LiteralType`` and
  ``flyteidl.core.Literal`` flytekit makes for each (id, Python type, value) in
  ``tests/golden/literals/cases.py`` (the one input of this script, read from the repository);
* ``templates/<stem>.pb``: the ``flyteidl.core.TaskTemplate`` (or ``flyteidl.admin.TaskSpec``)
  flytekit makes for three ``SQLite3Task`` definitions through its two serialization paths.

The output does not depend on the machine: flytekit's default image, which otherwise follows the
Python version running this script and ``FLYTE_INTERNAL_IMAGE``, is pinned to the one flytekit
1.16.14 picks on CPython 3.11, and the database URI is a fixed public URL that is never fetched.
The script refuses any other flytekit version, since the version is written into every template.

Usage (with the Python of the development virtual environment, which has the oracle)::

    python tools/goldens.py                # rewrite tests/golden/ (``make goldens``)
    python tools/goldens.py --check        # regenerate into a temporary directory and compare
    python tools/goldens.py --dir OTHER    # write (or, with --check, compare against) OTHER instead

``--check`` exits with status 1 and lists every file that changed, is missing, or is no longer made.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import logging
import os
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "golden"
CASES_FILE = GOLDEN_DIR / "literals" / "cases.py"
# The sub-folders this script owns: every ``*.pb`` in them is made here, and nothing else is.
OUTPUT_DIRS = ("literals", "templates")

FLYTEKIT_VERSION = "1.16.14"
# What ``flytekit.configuration.DefaultImages.default_image()`` returns for flytekit 1.16.14 on CPython 3.11.
FLYTEKIT_DEFAULT_IMAGE = "cr.flyte.org/flyteorg/flytekit:py3.11-1.16.14"
# The URI of the flytesnacks SQLite3 example; only written into the templates, never downloaded.
CHINOOK = "https://www.sqlitetutorial.net/wp-content/uploads/2018/03/chinook.zip"


def _require_flytekit() -> None:
    try:
        import flytekit  # noqa: TID251 - the oracle, this script's whole point
        from flytekit.loggers import logger  # noqa: TID251
    except ImportError as e:
        raise SystemExit(f"flytekit=={FLYTEKIT_VERSION} is needed to make the goldens: {e}") from e
    if flytekit.__version__ != FLYTEKIT_VERSION:
        raise SystemExit(
            f"expected flytekit {FLYTEKIT_VERSION}, got {flytekit.__version__}: "
            "the goldens record the oracle's version; install flytekit=={FLYTEKIT_VERSION}"
        )
    logger.setLevel(logging.ERROR)  # quiet its deprecation warnings for FlyteSchema, which the goldens use


def _load_cases() -> ModuleType:
    name = "flyweight_golden_literal_cases"
    spec = importlib.util.spec_from_file_location(name, CASES_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs, so its dataclasses can resolve their own module.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def literal_goldens() -> dict[str, bytes]:
    """``literals/<id>.type.pb`` and ``literals/<id>.literal.pb`` for every case in ``cases.py``."""
    from flytekit import FlyteContextManager  # noqa: TID251
    from flytekit.core.type_engine import TypeEngine  # noqa: TID251

    ctx = FlyteContextManager.current_context()
    files: dict[str, bytes] = {}
    for cid, py_type, value in _load_cases().cases():
        lt = TypeEngine.to_literal_type(py_type)
        lit = TypeEngine.to_literal(ctx, value, py_type, lt)
        files[f"literals/{cid}.type.pb"] = lt.to_flyte_idl().SerializeToString(deterministic=True)
        files[f"literals/{cid}.literal.pb"] = lit.to_flyte_idl().SerializeToString(deterministic=True)
    return files


def template_goldens() -> dict[str, bytes]:
    """``templates/<stem>.pb`` for the three ``SQLite3Task`` definitions.

    Each golden is made from a fresh task: flytekit's registration path (``get_serializable``) sets
    ``generates_deck`` on the task it serializes, which would leak into a later ``serialize_to_model``.
    """
    from flytekit import Resources, Secret, kwtypes  # noqa: TID251
    from flytekit.configuration import Image, ImageConfig, SerializationSettings  # noqa: TID251
    from flytekit.core.base_task import TaskMetadata  # noqa: TID251
    from flytekit.core.python_customized_container_task import (  # noqa: TID251
        PythonCustomizedContainerTask,
    )
    from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task  # noqa: TID251
    from flytekit.tools.translator import get_serializable  # noqa: TID251
    from flytekit.types.schema import FlyteSchema  # noqa: TID251

    image = Image(name="default", fqn="test", tag="tag")
    # flytekit's own unit tests use these settings; the second adds an environment that overlaps the task's.
    test_settings = SerializationSettings(
        project="project",
        domain="domain",
        version="version",
        env=None,
        image_config=ImageConfig(default_image=image, images=[image]),
    )
    test_settings_with_env = SerializationSettings(
        project="project",
        domain="domain",
        version="version",
        env={"SETTINGS_ENV": "from-settings", "SHARED": "settings-value"},
        image_config=ImageConfig(default_image=image, images=[image]),
    )
    # What flytekit's local execution serializes with.
    placeholder_settings = PythonCustomizedContainerTask.SERIALIZE_SETTINGS

    def doc() -> Any:
        """flytekit's documented example: typed input, a columned schema output, a compressed database."""
        return SQLite3Task(
            "test",
            query_template="select TrackId, Name from tracks limit {{.inputs.limit}}",
            inputs=kwtypes(limit=int),
            output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
            task_config=SQLite3Config(uri=CHINOOK, compressed=True),
        )

    def bare() -> Any:
        """No inputs, no declared output schema, a multi-line query (whitespace is sanitized)."""
        return SQLite3Task(
            "sqlite.bare",
            query_template="""
        select *
        from tracks
    """,
            task_config=SQLite3Config(uri=CHINOOK),
        )

    def rich() -> Any:
        """Every knob turned on, to show where each lands in the template."""
        return SQLite3Task(
            "sqlite.rich",
            query_template="select * from tracks where AlbumId = {{ .inputs.album }} limit {{.inputs.limit}}",
            inputs=kwtypes(album=int, limit=int),
            task_config=SQLite3Config(uri=CHINOOK, compressed=True),
            container_image="{{.image.default.fqn}}:{{.image.default.version}}",
            requests=Resources(cpu="1", mem="1Gi", ephemeral_storage="200Mi"),
            limits=Resources(cpu="2", mem="2Gi", gpu="1"),
            environment={"USER_ENV": "from-task", "SHARED": "task-value"},
            secret_requests=[Secret(group="db-group", key="db-key")],
            metadata=TaskMetadata(
                retries=3,
                timeout=datetime.timedelta(minutes=5),
                cache=True,
                cache_version="1.0",
                cache_serialize=True,
                interruptible=True,
                deprecated="use something else",
                labels={"team": "data"},
                annotations={"note": "x"},
            ),
            enable_deck=True,
        )

    def model(make: Callable[[], Any], settings: Any) -> Any:
        """flytekit's second path: ``serialize_to_model`` (no ``security_context``, deck not reported)."""
        return make().serialize_to_model(settings).to_flyte_idl()

    def registration(make: Callable[[], Any], settings: Any) -> Any:
        """flytekit's registration path: the ``TaskSpec`` that ``pyflyte register`` sends."""
        return get_serializable(OrderedDict(), settings, make()).to_flyte_idl()

    protos = {
        "sqlite3_doc_get_serializable_template": registration(doc, test_settings).template,
        "sqlite3_doc_get_serializable_taskspec": registration(doc, test_settings),
        "sqlite3_doc_serialize_to_model_test_settings": model(doc, test_settings),
        "sqlite3_doc_serialize_to_model_placeholder_settings": model(doc, placeholder_settings),
        "sqlite3_bare_get_serializable_template": registration(bare, test_settings).template,
        "sqlite3_bare_serialize_to_model_test_settings": model(bare, test_settings),
        "sqlite3_rich_get_serializable_template": registration(rich, test_settings_with_env).template,
        "sqlite3_rich_serialize_to_model_test_settings_env": model(rich, test_settings_with_env),
    }
    return {f"templates/{stem}.pb": p.SerializeToString(deterministic=True) for stem, p in protos.items()}


def build() -> dict[str, bytes]:
    """Every golden, as ``{path relative to the golden tree: bytes}``."""
    _require_flytekit()
    os.environ["FLYTE_INTERNAL_IMAGE"] = FLYTEKIT_DEFAULT_IMAGE
    return {**literal_goldens(), **template_goldens()}


def read_tree(root: Path) -> dict[str, bytes]:
    """The ``*.pb`` files this script owns under ``root``, as ``{relative path: bytes}``."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for sub in OUTPUT_DIRS
        for path in sorted((root / sub).glob("*.pb"))
    }


def write_tree(files: dict[str, bytes], root: Path) -> list[str]:
    """Write ``files`` under ``root`` and delete the owned ``*.pb`` files no longer made; returns those."""
    stale = sorted(set(read_tree(root)) - set(files))
    for name in stale:
        (root / name).unlink()
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            path.write_bytes(data)
    return stale


def compare(generated: dict[str, bytes], committed: dict[str, bytes]) -> list[str]:
    """One line per difference between two trees; empty when they are byte-identical."""
    lines = [f"changed: {n}" for n in sorted(set(generated) & set(committed)) if generated[n] != committed[n]]
    lines += [f"missing (made but not in the tree): {n}" for n in sorted(set(generated) - set(committed))]
    lines += [f"stale (in the tree but no longer made): {n}" for n in sorted(set(committed) - set(generated))]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dir",
        type=Path,
        default=GOLDEN_DIR,
        help="the golden tree to write, or with --check to compare against (default: tests/golden)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary directory and compare with the tree; exit 1 on any difference",
    )
    args = parser.parse_args(argv)
    files = build()
    if not args.check:
        stale = write_tree(files, args.dir)
        for name in stale:
            print(f"removed {name}")
        print(f"wrote {len(files)} goldens under {args.dir}")
        return 0
    with tempfile.TemporaryDirectory(prefix="goldens-") as tmp:
        write_tree(files, Path(tmp))
        differences = compare(read_tree(Path(tmp)), read_tree(args.dir))
    if differences:
        print(f"{len(differences)} golden(s) differ from {args.dir}:")
        for line in differences:
            print(f"  {line}")
        print("rebuild them with `make goldens` if the change is intended")
        return 1
    print(f"{len(files)} goldens under {args.dir} are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
