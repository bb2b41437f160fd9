"""Which files under a source root are copied, by which ignore rules, and their digests: one
implementation for the :class:`~flyweight._settings._image_spec.ImageSpec` tag (the files it copies into
its image, as flytekit's ``image_spec`` hashes them) and for fast registration (``flyweight package --copy
all|auto``, the code tarball, as ``pyflyte package`` chooses and names it).

As flytekit 1.16 (``flytekit/tools/ignore.py``, ``flytekit/tools/script_mode.py``):

* all files: every file under the root (walked top-down, ``.git`` directories skipped, broken symlinks and
  sockets left out) that no ignore rule matches: ``git ls-files -io --exclude-standard`` (when the root is
  inside a git work tree), ``.dockerignore`` (Docker's pattern syntax: ``!`` exceptions, ``**``,
  case-insensitive), the standard patterns ``*.pyc``, ``.cache``, ``.cache/*``, ``__pycache__/*``,
  ``**/__pycache__/*``, and for fast registration ``.flyteignore`` too (image specs leave it out);
* loaded modules: the files of the imported modules under the root, leaving out installed ones (the SDK's
  own, ``sys.prefix``, ``sys.base_prefix``, site-packages); ignore rules do not apply;
* the digest: MD5 over the files in sorted path order, each file's bytes followed by its path relative to
  the root with the separators removed.

Imported only when a spec's tag or files, or a code tarball, are needed, so that defining a task with an
image spec, and the container entrypoint, do not load ``hashlib``, ``subprocess`` and the rest.
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
from typing import TYPE_CHECKING, Any

from flyweight.loggers import logger

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

__all__ = [
    "EXCLUDE_DIRS",
    "STANDARD_IGNORE_PATTERNS",
    "IgnoreRules",
    "all_files",
    "copy_digest",
    "files_digest",
    "listed_files",
    "loaded_module_files",
    "source_digest",
]

STANDARD_IGNORE_PATTERNS = ("*.pyc", ".cache", ".cache/*", "__pycache__/*", "**/__pycache__/*")
EXCLUDE_DIRS = frozenset({".git"})


# --- ImageSpec: the tag's digests and the files copied -------------------------------------------------


def _filehash_update(path: str, hasher: Any) -> None:
    with open(path, "rb") as f:
        while block := f.read(65536):
            hasher.update(block)


def _pathhash_update(path: str, hasher: Any) -> None:
    hasher.update("".join(path.split(os.sep)).encode("utf-8"))


def copy_digest(sources: list[str]) -> str:
    """flytekit's ``compute_digest`` over the ``copy`` entries: each file's bytes and relative path."""
    hasher = hashlib.md5(usedforsecurity=False)

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
    """The files an image spec copies from ``source_root``, sorted: the loaded modules under it, or all
    files not ignored by git, ``.dockerignore`` or the standard patterns."""
    if loaded_modules:
        files = loaded_module_files(source_root, list(sys.modules.values()))
    else:
        files = all_files(source_root, IgnoreRules(source_root))
    files.sort()
    return files


def source_digest(source_root: str, *, loaded_modules: bool) -> str:
    """flytekit's ``ls_files`` digest: the bytes and relative paths of the files copied from the root."""
    return files_digest(source_root, listed_files(source_root, loaded_modules=loaded_modules))


def files_digest(root: str | os.PathLike[str], files: Iterable[str]) -> str:
    """flytekit's ``ls_files`` digest of ``files`` (sorted paths under ``root``): each file's bytes, then
    its path relative to ``root`` with the separators removed."""
    hasher = hashlib.md5(usedforsecurity=False)
    for path in files:
        _filehash_update(path, hasher)
        _pathhash_update(os.path.relpath(path, root), hasher)
    return hasher.hexdigest()


# --- which files -----------------------------------------------------------------------------------------


def all_files(
    root: str | os.PathLike[str], ignore: IgnoreRules | None, exclude: Iterable[str] = ()
) -> list[str]:
    """flytekit's ``list_all_files``: the files under ``root`` no rule of ``ignore`` matches, sorted (paths
    joined onto ``root``; ``exclude``: absolute paths left out as well)."""
    excluded = {os.path.abspath(p) for p in exclude}
    out: list[str] = []
    for top, dirnames, names in os.walk(root, topdown=True):
        dirnames[:] = [d for d in dirnames if d not in EXCLUDE_DIRS]
        names.sort()
        for name in names:
            path = os.path.join(top, name)
            if not os.path.exists(path) or path in excluded:  # a broken symlink
                continue
            if stat.S_ISSOCK(os.stat(path).st_mode):
                continue
            if ignore is not None and ignore.is_ignored(path):
                continue
            out.append(path)
    out.sort()
    return out


def _in_directory(file: str, directory: str) -> bool:
    try:
        return os.path.commonpath([file, directory]) == directory
    except ValueError:
        return False


def loaded_module_files(source_root: str | os.PathLike[str], modules: Iterable[ModuleType]) -> list[str]:
    """flytekit's ``list_imported_modules_as_files``: the files of ``modules`` under ``source_root``, in
    the modules' order (a file twice when two modules have it), leaving out installed ones (the SDK's own,
    the interpreter's prefixes, site-packages)."""
    import site

    sdk_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    installed = [sdk_root, sys.prefix, sys.base_prefix, site.getusersitepackages(), *site.getsitepackages()]
    root = os.fspath(source_root)
    files: list[str] = []
    for module in modules:
        path = getattr(module, "__file__", None)
        if path is None:
            continue
        if any(_in_directory(path, d) for d in installed):
            continue
        if _in_directory(path, root):
            files.append(path)
    return files


# --- ignore rules ----------------------------------------------------------------------------------------


class IgnoreRules:
    """flytekit's ignore group for a source root: git's ignored files, ``.dockerignore`` (Docker's pattern
    semantics), the standard patterns (``*.pyc``, ``__pycache__`` ...) and, with ``flyteignore``,
    ``.flyteignore`` (fast registration's default group; an image spec's leaves it out). A path is ignored
    when any of them ignores it.

    ``verbatim``: read names and patterns as flyweight's fast packaging always has, rather than as flytekit
    does: git's ignored files from ``git ls-files -z`` (names as they are, where flytekit's default output
    quotes names with unusual or non-ASCII characters, which then match no file), a git that cannot start
    counted as no git, and the ignore files read as UTF-8 (flytekit: the locale's encoding).
    """

    def __init__(
        self, root: str | os.PathLike[str], *, flyteignore: bool = False, verbatim: bool = False
    ) -> None:
        self.root = os.fspath(root)
        self._verbatim = verbatim
        self._git_files = _git_ignored(self.root, verbatim)
        self._git_dirs: frozenset[str] | None = None  # listed when a directory is first asked about
        encoding = "utf-8" if verbatim else None
        self._docker = _DockerIgnore(os.path.join(self.root, ".dockerignore"), encoding)
        self._flyte = (
            _DockerIgnore(os.path.join(self.root, ".flyteignore"), encoding) if flyteignore else None
        )

    def is_ignored(self, path: str) -> bool:
        """Whether ``path`` (absolute, or relative to the root) is ignored."""
        rel = os.path.relpath(path, self.root) if os.path.isabs(path) else path
        if self._git_ignores(rel):
            return True
        if self._docker.matches(rel):
            return True
        if any(fnmatch.fnmatch(rel, p) for p in STANDARD_IGNORE_PATTERNS):
            return True
        return self._flyte is not None and self._flyte.matches(rel)

    def _git_ignores(self, rel: str) -> bool:
        if not self._git_files:
            return False
        posix = rel.replace(os.sep, "/")
        if posix in self._git_files:
            return True
        if not os.path.isdir(os.path.join(self.root, rel)):
            return False
        if self._git_dirs is None:
            self._git_dirs = _git_ignored(self.root, self._verbatim, "--directory")
        return posix + "/" in self._git_dirs


def _git_ignored(root: str, verbatim: bool, *extra: str) -> frozenset[str]:
    """The untracked paths git ignores under ``root`` (relative to it); empty without git or a repo."""
    import shutil

    git = shutil.which("git")
    if git is None:
        return frozenset()
    command = [git, "ls-files", *(["-z"] if verbatim else []), "-io", "--exclude-standard", *extra]
    try:
        done = subprocess.run(command, cwd=root, capture_output=True, check=False)
    except OSError:
        if not verbatim:
            raise
        return frozenset()
    if done.returncode != 0:
        return frozenset()
    if verbatim:
        return frozenset(p for p in done.stdout.decode("utf-8", "surrogateescape").split("\0") if p)
    return frozenset(done.stdout.decode("utf-8").split("\n")[:-1])


# --- Docker's ignore-file patterns (docker-py's PatternMatcher semantics) --------------------------------


def _split_path(p: str) -> list[str]:
    return [part for part in p.split("/") if part and part != "."]


class _DockerPattern:
    def __init__(self, text: str) -> None:
        self.exclusion = text.startswith("!")
        parts = _split_path((text[1:] if self.exclusion else text).strip())
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
        self.regex = _docker_glob("/".join(parts).lower())

    def match(self, path: str) -> bool:
        return self.regex.match(path.lower()) is not None


@lru_cache(maxsize=256)
def _docker_glob(pattern: str) -> re.Pattern[str]:
    """Docker's glob as a regular expression: ``**`` any depth (``**/`` included), ``*`` and ``?`` never
    cross ``/``, ``[...]`` character classes (``!`` negates); matched against the whole path."""
    i, n, out = 0, len(pattern), ["^"]
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


class _DockerIgnore:
    """The patterns of an ignore file (``.dockerignore``, ``.flyteignore``), ``!.dockerignore`` last."""

    def __init__(self, path: str, encoding: str | None = None) -> None:
        lines: list[str] = []
        if os.path.isfile(path):
            with open(path, encoding=encoding) as f:
                lines = [line.strip() for line in f.readlines() if line and not line.startswith("#")]
        self.patterns = [p for p in map(_DockerPattern, lines) if p.parts]
        self.patterns.append(_DockerPattern("!.dockerignore"))

    def matches(self, path: str) -> bool:
        matched = False
        parent = os.path.dirname(path)
        parent_parts = _split_path(parent)
        for pattern in self.patterns:
            hit = pattern.match(path)
            if not hit and parent and len(pattern.parts) <= len(parent_parts):
                hit = pattern.match(os.path.sep.join(parent_parts[: len(pattern.parts)]))
            if hit:
                matched = not pattern.exclusion
        return matched
