"""``flyweight-fast-execute``: fetch a fast-registered task's code, then run the task's command.

A template written by ``flyweight package --copy all|auto`` (or ``pyflyte package --copy …``) runs::

    flyweight-fast-execute --additional-distribution {{ .remote_package_path }} --dest-dir /root
        -- flyweight-execute --inputs … --resolver … -- …

This program downloads the code tarball (any location flyweight's storage reads: a local path,
``file://``, ``s3://``, ``http(s)://``…), unpacks it into ``--dest-dir`` (the working directory when
empty), puts that directory first on ``sys.path`` and last on ``PYTHONPATH`` (as flytekit appends it),
and runs the command. Differences from flytekit's ``pyflyte-fast-execute``:

* ``flyweight-execute`` (and ``pyflyte-execute`` / ``pyflyte-map-execute``, whose arguments it takes) runs
  in this process: nothing of the user's code was imported before the code was unpacked, so there is no
  stale bytecode to avoid, and the second interpreter start (seconds with flytekit, flytekit#3029) is
  saved. Any other command replaces this process (``exec``) with the same environment.
* the archive is checked whole before anything is written: a member with an absolute path or a ``..``
  component, a symlink pointing outside the destination (or a ``..`` after a symlink), a path through a
  symlink, a hard link to no earlier file, a device or FIFO, a truncated or corrupt gzip or tar — any of
  them rejects the archive and nothing is extracted. flytekit runs ``tar -xvf`` on it.
* when the code cannot be fetched or unpacked, ``error.pb`` (kind SYSTEM) is written under the command's
  ``--output-prefix`` and the exit status is 1; flytekit dies with a traceback and leaves nothing.

As flytekit does, ``--dynamic-addl-distro`` and ``--dynamic-dest-dir`` are added to the command before
``--resolver``, and a dynamic task's registration settings (``_F_SS_C``) name the code's location, so the
tasks it launches fetch the same code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

__all__ = ["UnsafeArchive", "main", "unpack"]

PROG = "flyweight-fast-execute"
_IN_PROCESS = frozenset({"flyweight-execute", "pyflyte-execute", "pyflyte-map-execute"})
_USAGE = (
    f"usage: {PROG} [--additional-distribution URI] [--dest-dir DIR] -- COMMAND...\n"
    "Fetch the code tarball at URI, unpack it into DIR (default: the working directory), put DIR on the "
    "Python path and run COMMAND (flyweight-execute runs in this process).\n"
)


class UnsafeArchive(Exception):
    """The code tarball is damaged or holds a member that would land outside the destination."""


class _Usage(Exception):
    pass


def _parse(argv: Sequence[str]) -> tuple[str | None, str | None, list[str]]:
    """``(additional distribution, dest dir, command)``; the command is what follows ``--`` (or the
    first argument that is not an option)."""
    values: dict[str, str | None] = {"--additional-distribution": None, "--dest-dir": None}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return values["--additional-distribution"], values["--dest-dir"], args[i + 1 :]
        if arg in ("-h", "--help"):
            raise _Usage("")
        name, eq, value = arg.partition("=")
        if name in values:
            if not eq:
                if i + 1 >= len(args):
                    raise _Usage(f"{name} needs a value")
                i += 1
                value = args[i]
            values[name] = value
            i += 1
            continue
        if arg.startswith("-"):
            raise _Usage(f"unknown option {arg!r}")
        break
    return values["--additional-distribution"], values["--dest-dir"], args[i:]


def _output_prefix(command: Sequence[str]) -> str | None:
    from flyweight._entrypoint._argv import guess_output_prefix

    return guess_output_prefix(list(command[1:]))


def _report(command: Sequence[str], message: str, recoverable: bool = False) -> None:
    """Say ``message`` on stderr and, when the command names an output prefix, in ``error.pb`` (SYSTEM)."""
    from flyweight._entrypoint._run import say, write_error
    from flyweight._failure import SYSTEM, Failure
    from flyweight._storage import FileAccess

    say(f"{PROG}: {message}")
    prefix = _output_prefix(command)
    if prefix:
        write_error(FileAccess(), prefix, message, Failure(SYSTEM, recoverable, SYSTEM), os.environ)
    else:
        say(f"{PROG}: the command names no --output-prefix, so no error.pb was written")


# --- unpacking ------------------------------------------------------------------------------------------


def _parts(name: str, what: str) -> list[str]:
    if not name or "\0" in name:
        raise UnsafeArchive(f"{what} has an empty or invalid name {name!r}")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchive(f"{what} {name!r} has an absolute path")
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchive(f"{what} {name!r} has a '..' component")
    return parts


def _check(members: list[object], tar_size: int) -> None:
    """Refuse the archive unless every member is safe to write under the destination."""
    import tarfile

    infos = [m for m in members if isinstance(m, tarfile.TarInfo)]
    links = {"/".join(_parts(m.name, "member")) for m in infos if m.issym()}
    files: set[str] = set()
    for m in infos:
        parts = _parts(m.name, "member")
        key = "/".join(parts)
        if m.offset_data + (m.size if m.isreg() else 0) > tar_size:
            raise UnsafeArchive(f"member {m.name!r} is cut short (a truncated archive)")
        for i in range(1, len(parts)):
            if "/".join(parts[:i]) in links:
                raise UnsafeArchive(f"member {m.name!r} goes through the symlink {'/'.join(parts[:i])!r}")
        if not parts:
            if m.isdir():
                continue
            raise UnsafeArchive(f"member {m.name!r} names the destination itself")
        if m.isreg():
            files.add(key)
        elif m.isdir():
            pass
        elif m.issym():
            _check_symlink(m.name, parts, m.linkname, links)
        elif m.islnk():
            target = "/".join(_parts(m.linkname, f"hard link {m.name!r} →"))
            if target not in files:
                raise UnsafeArchive(f"hard link {m.name!r} points to {m.linkname!r}, not an earlier file")
            files.add(key)
        else:
            raise UnsafeArchive(f"member {m.name!r} is not a file, directory or link (type {m.type!r})")


def _check_symlink(name: str, parts: list[str], target: str, links: set[str]) -> None:
    if not target or target.startswith(("/", "\\")) or (len(target) > 1 and target[1] == ":"):
        raise UnsafeArchive(f"symlink {name!r} points to {target!r}, outside the destination")
    stack = parts[:-1]
    for comp in target.split("/"):
        if comp in ("", "."):
            continue
        if comp == "..":
            if not stack:
                raise UnsafeArchive(f"symlink {name!r} points to {target!r}, outside the destination")
            if "/".join(stack) in links:
                raise UnsafeArchive(f"symlink {name!r} points to {target!r}, through another symlink")
            stack.pop()
        else:
            stack.append(comp)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def unpack(tar_path: str, dest: str) -> int:
    """Unpack the (uncompressed) tar at ``tar_path`` into ``dest``; returns the number of members.

    Raises:
        UnsafeArchive: the archive is damaged or a member is unsafe; nothing was written.
    """
    import shutil
    import tarfile

    os.makedirs(dest, exist_ok=True)
    root = os.path.realpath(dest)
    try:
        tar = tarfile.open(tar_path, mode="r:")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, EOFError) as e:
        raise UnsafeArchive(f"not a tar archive: {e}") from e
    with tar:
        try:
            members = tar.getmembers()
        except (tarfile.TarError, EOFError) as e:
            raise UnsafeArchive(f"the tar archive is damaged: {e}") from e
        _check(list(members), os.path.getsize(tar_path))
        targets = []
        for m in members:  # where each lands, against the files already there (symlinks in dest)
            parts = _parts(m.name, "member")
            target = os.path.join(root, *parts)
            if parts and not _inside(os.path.realpath(os.path.dirname(target)), root):
                raise UnsafeArchive(
                    f"member {m.name!r} would land outside {dest!r} (through a symlink there)"
                )
            targets.append(target)
        for m, target in zip(members, targets, strict=True):
            if m.isdir():
                if os.path.islink(target):
                    os.unlink(target)
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            if os.path.lexists(target):
                if os.path.isdir(target) and not os.path.islink(target):
                    raise UnsafeArchive(f"member {m.name!r} would replace the directory {target!r}")
                os.unlink(target)
            if m.issym():
                os.symlink(m.linkname, target)
                continue
            source = tar.extractfile(m)
            if source is None:
                raise UnsafeArchive(f"member {m.name!r} has no data")
            mode = 0o755 if m.mode & 0o111 else 0o644
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), mode)
            with source, os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out)
        return len(members)


def fetch(distribution: str, dest: str) -> int:
    """Download the code tarball at ``distribution`` and unpack it into ``dest``; the member count.

    Raises:
        StorageError: it could not be downloaded.
        UnsafeArchive: it is not a complete gzip-compressed tar, or a member is unsafe.
    """
    import gzip
    import shutil
    import tempfile
    import zlib

    from flyweight._storage import FileAccess

    with tempfile.TemporaryDirectory(prefix="flyweight-fast-") as tmp:
        archive = os.path.join(tmp, "code.tar.gz")
        FileAccess().get_data(distribution, archive)
        with open(archive, "rb") as f:
            compressed = f.read(2) == b"\x1f\x8b"
        tar_path = archive
        if compressed:
            tar_path = os.path.join(tmp, "code.tar")
            try:
                with gzip.open(archive, "rb") as src, open(tar_path, "wb") as out:
                    shutil.copyfileobj(src, out)
            except (OSError, EOFError, zlib.error) as e:
                raise UnsafeArchive(f"the gzip stream is damaged or truncated: {e}") from e
        return unpack(tar_path, dest)


def _fast_context(distribution: str, dest: str) -> None:
    """Name the code's location in a dynamic task's registration settings (``_F_SS_C``), as flytekit's
    entrypoint does with ``--dynamic-addl-distro``, so the tasks it launches fetch the same code."""
    value = os.environ.get("_F_SS_C")
    if not value:
        return
    import base64
    import gzip
    import io
    import json

    try:
        data = json.loads(gzip.decompress(base64.b64decode(value.encode("utf-8"))).decode("utf-8"))
    except (ValueError, OSError, EOFError):
        return  # left as it is: flyweight-execute reports a bad value
    if not isinstance(data, dict):
        return
    data["fast_serialization_settings"] = {
        "enabled": True,
        "destination_dir": dest,
        "distribution_location": distribution,
    }
    buf = io.BytesIO()
    with gzip.GzipFile(mode="wb", fileobj=buf, mtime=0) as f:
        f.write(json.dumps(data).encode("utf-8"))
    os.environ["_F_SS_C"] = base64.b64encode(buf.getvalue()).decode("utf-8")


def _with_dynamic_args(command: list[str], distribution: str, dest: str) -> list[str]:
    out: list[str] = []
    for arg in command:
        if arg == "--resolver":
            out += ["--dynamic-addl-distro", distribution, "--dynamic-dest-dir", dest]
        out.append(arg)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Fetch the code, then run the command (``argv``: default ``sys.argv[1:]``); the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        distribution, dest_dir, command = _parse(args)
        if not command:
            raise _Usage("no command: put the task's command after '--'")
    except _Usage as e:
        sys.stderr.write(_USAGE + (f"{PROG}: error: {e}\n" if str(e) else ""))
        return 0 if not str(e) else 2
    if distribution:
        dest = dest_dir or os.getcwd()
        try:
            count = fetch(distribution, dest)
        except UnsafeArchive as e:
            _report(command, f"the code tarball {distribution!r} cannot be unpacked into {dest!r}: {e}")
            return 1
        except Exception as e:
            from flyweight._failure import is_transient, safe_str

            message = f"could not fetch the code tarball {distribution!r} into {dest!r}: {safe_str(e)}"
            _report(command, message, recoverable=is_transient(e))
            return 1
        sys.stderr.write(f"{PROG}: unpacked {count} files of {distribution} into {dest}\n")
        dest_dir = dest
    if dest_dir:
        import importlib

        resolved = os.path.realpath(os.path.expanduser(dest_dir))
        sys.path.insert(0, resolved)
        path = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = f"{path}{os.pathsep}{resolved}" if path else resolved
        importlib.invalidate_caches()
    if distribution and dest_dir:
        _fast_context(distribution, dest_dir)
        command = _with_dynamic_args(command, distribution, dest_dir)
    if os.path.basename(command[0]) in _IN_PROCESS:
        from flyweight._entrypoint import main as execute

        return execute(command[1:])
    try:
        os.execvp(command[0], command)
    except OSError as e:
        _report(command, f"cannot run {command[0]!r}: {e.strerror or e}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
