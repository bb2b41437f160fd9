"""The files an :class:`~flyweight._settings._image_spec.ImageSpec` copies into its image and hashes into
its tag: flytekit's digests of ``copy`` entries and of a source root, and its ignore rules (git's ignored
files, ``.dockerignore`` with Docker's pattern syntax, the standard patterns).

Imported only when a spec's tag or files are needed, so that defining a task with an image spec, and the
container entrypoint, do not load ``hashlib``, ``subprocess`` and the rest.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import stat
import subprocess
import sys
from functools import lru_cache
from typing import Any

from flyweight.loggers import logger

__all__ = ["copy_digest", "listed_files", "source_digest"]

_STANDARD_IGNORE_PATTERNS = ("*.pyc", ".cache", ".cache/*", "__pycache__/*", "**/__pycache__/*")
_EXCLUDED_DIRS = frozenset({".git"})


def _filehash_update(path: str, hasher: Any) -> None:
    with open(path, "rb") as f:
        while block := f.read(65536):
            hasher.update(block)


def _pathhash_update(path: str, hasher: Any) -> None:
    hasher.update("".join(path.split(os.sep)).encode("utf-8"))


def copy_digest(sources: list[str]) -> str:
    """flytekit's ``compute_digest`` over the ``copy`` entries: each file's bytes and relative path."""
    hasher = hashlib.md5()

    def add_file(path: str, rel_path: str) -> None:
        if not os.path.exists(path):
            logger.info("ImageSpec copy: skipping %s, which does not exist", path)
            return
        if stat.S_ISSOCK(os.stat(path).st_mode):
            return
        _filehash_update(path, hasher)
        _pathhash_update(rel_path, hasher)

    for source in sources:
        if os.path.isdir(source):
            for root, _, files in os.walk(source, topdown=True):
                files.sort()
                for name in files:
                    path = os.path.join(root, name)
                    add_file(path, os.path.relpath(path, source))
        else:
            add_file(source, os.path.basename(source))
    return hasher.hexdigest()


def listed_files(source_root: str, *, loaded_modules: bool) -> list[str]:
    """The files copied from ``source_root``, sorted: the loaded modules under it, or all files not
    ignored."""
    files = _loaded_module_files(source_root) if loaded_modules else _all_files(source_root)
    files.sort()
    return files


def source_digest(source_root: str, *, loaded_modules: bool) -> str:
    """flytekit's ``ls_files`` digest: the bytes and relative paths of the files copied from the root."""
    files = listed_files(source_root, loaded_modules=loaded_modules)
    hasher = hashlib.md5()
    for path in files:
        _filehash_update(path, hasher)
        _pathhash_update(os.path.relpath(path, source_root), hasher)
    return hasher.hexdigest()


def _in_directory(file: str, directory: str) -> bool:
    try:
        return os.path.commonpath([file, directory]) == directory
    except ValueError:
        return False


def _loaded_module_files(source_root: str) -> list[str]:
    """The files of the imported modules under ``source_root``, leaving out installed ones (the SDK's
    own, the interpreter's prefixes, site-packages)."""
    import site

    sdk_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = [sdk_root, sys.prefix, sys.base_prefix, site.getusersitepackages(), *site.getsitepackages()]
    files: list[str] = []
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path is None:
            continue
        if any(_in_directory(path, d) for d in installed):
            continue
        if _in_directory(path, source_root):
            files.append(path)
    return files


def _all_files(source_root: str) -> list[str]:
    """Every file under ``source_root`` not ignored by git, ``.dockerignore`` or the standard patterns."""
    ignored = _IgnoreGroup(source_root)
    files: list[str] = []
    for root, dirnames, names in os.walk(source_root, topdown=True):
        dirnames[:] = [d for d in dirnames if d not in _EXCLUDED_DIRS]
        names.sort()
        for name in names:
            path = os.path.join(root, name)
            if not os.path.exists(path):
                continue
            if stat.S_ISSOCK(os.stat(path).st_mode):
                continue
            if ignored.is_ignored(path):
                continue
            files.append(path)
    return files


class _IgnoreGroup:
    """flytekit's ignore rules for copying a source root: git's ignored files, ``.dockerignore``
    (Docker's pattern semantics) and the standard patterns (``*.pyc``, ``__pycache__`` ...)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.git_files, self.git_dirs = _git_ignored(root)
        self.docker = _DockerIgnore(root)

    def is_ignored(self, path: str) -> bool:
        rel = os.path.relpath(path, self.root) if os.path.isabs(path) else path
        if self.git_files:
            posix = rel.replace(os.sep, "/")
            if posix in self.git_files:
                return True
            in_dir = os.path.isdir(os.path.join(self.root, rel))
            if in_dir and self.git_dirs and posix + "/" in self.git_dirs:
                return True
        if self.docker.matches(rel):
            return True
        return any(fnmatch.fnmatch(rel, p) for p in _STANDARD_IGNORE_PATTERNS)


def _git_ignored(root: str) -> tuple[set[str], set[str]]:
    import shutil

    git = shutil.which("git")
    if git is None:
        return set(), set()

    def ls(*extra: str) -> set[str]:
        out = subprocess.run(
            [git, "ls-files", "-io", "--exclude-standard", *extra], cwd=root, capture_output=True, check=False
        )
        if out.returncode != 0:
            return set()
        return set(out.stdout.decode("utf-8").split("\n")[:-1])

    return ls(), ls("--directory")


def _split_path(p: str) -> list[str]:
    return [part for part in p.split("/") if part and part != "."]


class _DockerPattern:
    def __init__(self, pattern: str) -> None:
        self.exclusion = pattern.startswith("!")
        if self.exclusion:
            pattern = pattern[1:]
        parts = _split_path(pattern.strip())
        i = 0
        while i < len(parts):
            if parts[i] == "..":
                del parts[i]
                if i > 0:
                    del parts[i - 1]
                    i -= 1
            else:
                i += 1
        self.dirs = parts
        self.regex = _docker_glob(("/".join(parts)).lower())

    def match(self, path: str) -> bool:
        return self.regex.match(path.lower()) is not None


@lru_cache(maxsize=256)
def _docker_glob(pattern: str) -> re.Pattern[str]:
    """Docker's ``.dockerignore`` glob as a regular expression (``**`` crosses directories)."""
    i, n, out = 0, len(pattern), "^"
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                out += ".*" if i >= n else "(.*/)?"
            else:
                out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out += "\\["
            else:
                chars = pattern[i:j].replace("\\", "\\\\")
                i = j + 1
                if chars[0] == "!":
                    chars = "^" + chars[1:]
                elif chars[0] == "^":
                    chars = "\\" + chars
                out += f"[{chars}]"
        else:
            out += re.escape(c)
    return re.compile(out + "$")


class _DockerIgnore:
    def __init__(self, root: str) -> None:
        lines: list[str] = []
        path = os.path.join(root, ".dockerignore")
        if os.path.isfile(path):
            with open(path) as f:
                lines = [line.strip() for line in f.readlines() if line and not line.startswith("#")]
        self.patterns = [p for p in (_DockerPattern(line) for line in lines) if p.dirs]
        self.patterns.append(_DockerPattern("!.dockerignore"))

    def matches(self, path: str) -> bool:
        matched = False
        parent = os.path.dirname(path)
        parent_dirs = _split_path(parent)
        for pattern in self.patterns:
            match = pattern.match(path)
            if not match and parent != "" and len(pattern.dirs) <= len(parent_dirs):
                match = pattern.match(os.path.sep.join(parent_dirs[: len(pattern.dirs)]))
            if match:
                matched = not pattern.exclusion
        return matched
