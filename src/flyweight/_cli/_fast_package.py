"""The code tarball of a fast package (``flyweight package --copy all|auto``), named and built as pyflyte's.

Which files go in is chosen as flytekit 1.16 chooses them (:mod:`flyweight._settings._source_files`, shared
with the ImageSpec tag):

* ``all``: every file under the source root (walked top-down, ``.git`` directories skipped, broken
  symlinks and sockets left out) that no ignore rule matches: ``git ls-files -io --exclude-standard``
  (when the root is inside a git work tree), ``.dockerignore`` and ``.flyteignore`` (Docker's pattern
  syntax, ``!`` exceptions, ``**``, case-insensitive), and the standard patterns ``*.pyc``, ``.cache``,
  ``.cache/*``, ``__pycache__/*``, ``**/__pycache__/*``;
* ``auto``: the files of the modules loaded while loading the user's code that live under the source root
  and not in an installed location (flyweight itself, ``sys.prefix``, ``sys.base_prefix``, site-packages);
  ignore rules do not apply (flytekit does not apply them either: a loaded module is needed to run); each
  file once.

The name is ``fast<md5>.tar.gz``, the MD5 over the files in sorted path order, each file's bytes followed
by its relative path with the separators removed: the same digest, hence the same name, as pyflyte's.

The members are the files only (no directory entries), sorted by path, with flytekit's attributes: mtime
1980-01-01 (a float, so Python writes it in a PAX header as flytekit's tarball has it), uid/gid 0, empty
user and group names. flyweight also normalises the mode (0o755 when any execute bit is set, else 0o644;
symlinks 0o777) and writes the gzip header with mtime 0 and no file name, so the same source gives the
same bytes on every machine; the uncompressed tar equals pyflyte's for files of mode 0o644 / 0o755.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

from flyweight._settings._source_files import IgnoreRules, all_files, files_digest, loaded_module_files

__all__ = [
    "COPY_MODES",
    "code_tarball",
    "list_all_files",
    "list_loaded_module_files",
]

COPY_MODES = ("all", "auto", "none")
FAST_PREFIX = "fast"
FAST_SUFFIX = ".tar.gz"
# flytekit's tar_strip_file_attributes: datetime(1980, 1, 1, tzinfo=utc).timestamp(), a float.
MEMBER_MTIME = 315532800.0


# --- which files ---------------------------------------------------------------------------------------


def list_all_files(root: Path, exclude: Iterable[str] = ()) -> list[str]:
    """``--copy all``: the absolute paths of the files under ``root`` that fast registration's ignore rules
    (``.flyteignore`` included) leave in, sorted (``exclude``: absolute paths left out as well, such as the
    package being written inside the root)."""
    return all_files(root, IgnoreRules(root, flyteignore=True, verbatim=True), exclude)


def list_loaded_module_files(root: Path, modules: Iterable[ModuleType]) -> list[str]:
    """``--copy auto``: the files of ``modules`` under ``root`` that are not installed code, sorted, each
    once (a tarball member once; modules whose ``__file__`` is not a path string are left out)."""
    named = [m for m in modules if isinstance(getattr(m, "__file__", None), str) and m.__file__]
    return sorted(set(loaded_module_files(root, named)))


# --- name and bytes ------------------------------------------------------------------------------------


def _member(root: Path, path: str, deref_symlinks: bool) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(Path(os.path.relpath(path, root)).as_posix())
    info.mtime = MEMBER_MTIME
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.pax_headers = {}
    if os.path.islink(path) and not deref_symlinks:
        info.type = tarfile.SYMTYPE
        info.linkname = os.readlink(path)
        info.mode = 0o777
        return info, None
    with open(path, "rb") as f:
        data = f.read()
    info.size = len(data)
    info.mode = 0o755 if os.stat(path).st_mode & 0o111 else 0o644
    return info, data


def code_tarball(root: Path, files: list[str], deref_symlinks: bool = False) -> tuple[str, bytes]:
    """``(fast<digest>.tar.gz, bytes)`` of ``files`` (sorted absolute paths under ``root``)."""
    name = f"{FAST_PREFIX}{files_digest(root, files)}{FAST_SUFFIX}"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            info, data = _member(root, path, deref_symlinks)
            tar.addfile(info, None if data is None else io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return name, out.getvalue()
