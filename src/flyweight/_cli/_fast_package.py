"""The code tarball of a fast package (``flyweight package --copy all|auto``), named and built as pyflyte's.

Which files go in, as flytekit 1.16 chooses them:

* ``all``: every file under the source root (walked top-down, ``.git`` directories skipped, broken
  symlinks and sockets left out) that no ignore rule matches: ``git ls-files -io --exclude-standard``
  (when the root is inside a git work tree), ``.dockerignore`` and ``.flyteignore`` (Docker's pattern
  syntax, ``!`` exceptions, ``**``, case-insensitive), and the standard patterns ``*.pyc``, ``.cache``,
  ``.cache/*``, ``__pycache__/*``, ``**/__pycache__/*``;
* ``auto``: the files of the modules loaded while loading the user's code that live under the source root
  and not in an installed location (flyweight itself, ``sys.prefix``, ``sys.base_prefix``, site-packages);
  ignore rules do not apply (flytekit does not apply them either: a loaded module is needed to run).

The name is ``fast<md5>.tar.gz``, the MD5 over the files in sorted path order, each file's bytes followed
by its relative path with the separators removed: the same digest, hence the same name, as pyflyte's.

The members are the files only (no directory entries), sorted by path, with flytekit's attributes: mtime
1980-01-01 (a float, so Python writes it in a PAX header as flytekit's tarball has it), uid/gid 0, empty
user and group names. flyweight also normalises the mode (0o755 when any execute bit is set, else 0o644;
symlinks 0o777) and writes the gzip header with mtime 0 and no file name, so the same source gives the
same bytes on every machine; the uncompressed tar equals pyflyte's for files of mode 0o644 / 0o755.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import io
import os
import re
import shutil
import site
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterable
from pathlib import Path
from types import ModuleType

__all__ = [
    "COPY_MODES",
    "IgnoreRules",
    "code_tarball",
    "digest",
    "list_all_files",
    "list_loaded_module_files",
]

COPY_MODES = ("all", "auto", "none")
FAST_PREFIX = "fast"
FAST_SUFFIX = ".tar.gz"
EXCLUDE_DIRS = frozenset({".git"})
STANDARD_IGNORE_PATTERNS = ("*.pyc", ".cache", ".cache/*", "__pycache__/*", "**/__pycache__/*")
# flytekit's tar_strip_file_attributes: datetime(1980, 1, 1, tzinfo=utc).timestamp(), a float.
MEMBER_MTIME = 315532800.0


# --- Docker's ignore-file patterns (docker-py's PatternMatcher semantics) ------------------------------


def _split(path: str) -> list[str]:
    return [part for part in path.split("/") if part and part != "."]


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """Docker's glob → regex: ``**`` any depth (``**/`` included), ``*`` and ``?`` never cross ``/``,
    ``[...]`` character classes (``!`` negates); matched case-insensitively against the whole path."""
    out, i, n = ["^"], 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
            else:
                out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append("\\[")
            else:
                body = pattern[i:j].replace("\\", "\\\\")
                i = j + 1
                if body[0] == "!":
                    body = "^" + body[1:]
                elif body[0] == "^":
                    body = "\\" + body
                out.append(f"[{body}]")
        else:
            out.append(re.escape(c))
    out.append("$")
    return re.compile("".join(out))


class _DockerPattern:
    def __init__(self, text: str) -> None:
        self.exclusion = text.startswith("!")
        parts = _split((text[1:] if self.exclusion else text).strip())
        i = 0
        while i < len(parts):  # '..' removes itself and the component before it (Go's filepath.Clean)
            if parts[i] == "..":
                del parts[i]
                if i > 0:
                    del parts[i - 1]
                    i -= 1
            else:
                i += 1
        self.parts = parts
        self.regex = _pattern_regex("/".join(parts).lower())

    def match(self, path: str) -> bool:
        return self.regex.match(path.lower()) is not None


class _DockerIgnore:
    def __init__(self, file: Path) -> None:
        lines: list[str] = []
        if file.is_file():
            with open(file, encoding="utf-8") as f:
                lines = [line.strip() for line in f.readlines() if line and not line.startswith("#")]
        self.patterns = [p for p in map(_DockerPattern, lines) if p.parts]
        self.patterns.append(_DockerPattern("!.dockerignore"))

    def matches(self, path: str) -> bool:
        matched = False
        parent = os.path.dirname(path)
        parent_parts = _split(parent)
        for pattern in self.patterns:
            hit = pattern.match(path)
            if not hit and parent and len(pattern.parts) <= len(parent_parts):
                hit = pattern.match("/".join(parent_parts[: len(pattern.parts)]))
            if hit:
                matched = not pattern.exclusion
        return matched


def _git_ignored(root: Path) -> frozenset[str]:
    """The untracked files git ignores under ``root`` (paths relative to it); empty without git or a repo."""
    git = shutil.which("git")
    if git is None:
        return frozenset()
    try:
        done = subprocess.run(
            [git, "ls-files", "-z", "-io", "--exclude-standard"], cwd=root, capture_output=True, check=False
        )
    except OSError:
        return frozenset()
    if done.returncode != 0:
        return frozenset()
    return frozenset(p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p)


class IgnoreRules:
    """flytekit's default ignore group for a source root: git, ``.dockerignore``, the standard patterns,
    ``.flyteignore``; a path is ignored when any of them ignores it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._git = _git_ignored(root)
        self._docker = _DockerIgnore(root / ".dockerignore")
        self._flyte = _DockerIgnore(root / ".flyteignore")

    def is_ignored(self, path: str) -> bool:
        """Whether ``path`` (absolute, or relative to the root) is ignored."""
        rel = os.path.relpath(path, self.root) if os.path.isabs(path) else path
        posix = Path(rel).as_posix()
        return (
            posix in self._git
            or self._docker.matches(rel)
            or any(fnmatch.fnmatch(rel, p) for p in STANDARD_IGNORE_PATTERNS)
            or self._flyte.matches(rel)
        )


# --- which files ---------------------------------------------------------------------------------------


def list_all_files(root: Path, ignore: IgnoreRules | None, exclude: Iterable[str] = ()) -> list[str]:
    """``--copy all``: the absolute paths of the files under ``root`` no rule ignores, sorted (``exclude``:
    absolute paths left out as well, such as the package being written inside the root)."""
    excluded = {os.path.abspath(p) for p in exclude}
    out: list[str] = []
    for top, dirs, files in os.walk(root, topdown=True):
        dirs[:] = [d for d in dirs if d not in EXCLUDE_DIRS]
        for name in sorted(files):
            path = os.path.join(top, name)
            if not os.path.exists(path) or path in excluded:  # a broken symlink
                continue
            if stat.S_ISSOCK(os.stat(path).st_mode):
                continue
            if ignore is not None and ignore.is_ignored(path):
                continue
            out.append(path)
    return sorted(out)


def _inside(path: str, directory: str) -> bool:
    try:
        return os.path.commonpath([path, directory]) == directory
    except ValueError:
        return False


def list_loaded_module_files(root: Path, modules: Iterable[ModuleType]) -> list[str]:
    """``--copy auto``: the files of ``modules`` under ``root`` that are not installed code, sorted."""
    import flyweight

    installed = [
        os.path.dirname(flyweight.__file__ or ""),
        sys.prefix,
        sys.base_prefix,
        site.getusersitepackages(),
        *site.getsitepackages(),
    ]
    source = str(root)
    out: set[str] = set()
    for module in modules:
        file = getattr(module, "__file__", None)
        if not isinstance(file, str) or not file:
            continue
        if any(_inside(file, d) for d in installed if d) or not _inside(file, source):
            continue
        out.add(file)
    return sorted(out)


# --- name and bytes ------------------------------------------------------------------------------------


def digest(root: Path, files: list[str]) -> str:
    """pyflyte's digest of ``files`` (sorted absolute paths under ``root``)."""
    hasher = hashlib.md5(usedforsecurity=False)
    for path in files:
        with open(path, "rb") as f:
            while chunk := f.read(65536):
                hasher.update(chunk)
        hasher.update("".join(os.path.relpath(path, root).split(os.sep)).encode("utf-8"))
    return hasher.hexdigest()


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
    name = f"{FAST_PREFIX}{digest(root, files)}{FAST_SUFFIX}"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            info, data = _member(root, path, deref_symlinks)
            tar.addfile(info, None if data is None else io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return name, out.getvalue()
