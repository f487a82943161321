"""Atomic file writes: a new file appears whole or not at all; the previous one stays until then.

Only regular files are replaced. `-` means standard output; a character device (/dev/null, a
terminal) or a FIFO is written into in place, once the output is complete; a symlink is followed
and its target replaced atomically; a block device or a socket is refused. Nothing that is not a
regular file is ever turned into one.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import InternalError, OutputError

STDOUT = "-"
_PENDING: set[Path] = set()  # temporary files being written, removed if the process is interrupted


def discard_pending() -> None:
    """Remove every half-written temporary file (the targets are untouched)."""
    for path in list(_PENDING):
        with contextlib.suppress(OSError):
            path.unlink()
        _PENDING.discard(path)


def _resolve(path: Path) -> tuple[Path, os.stat_result | None]:
    """The path with symlinks followed, and its status (None if nothing is there yet)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise OutputError(f"{path}: symlink loop; give another file name") from None
        raise OutputError(f"{path}: {e.strerror or e}") from None
    return (Path(os.path.realpath(path)) if path.is_symlink() else path), st


def _check_target(path: Path, st: os.stat_result | None) -> None:
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a directory; give a file name")
    if st is not None and (stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode)):
        raise OutputError(f"{path}: is a {'block device' if stat.S_ISBLK(st.st_mode) else 'socket'}; "
                          "pgraph writes regular files, character devices, FIFOs and - (standard output)")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"{path}: folder {parent} does not exist")
    if st is None or stat.S_ISREG(st.st_mode):
        if not os.access(parent, os.W_OK):
            raise OutputError(f"{path}: folder {parent} is not writable")
    if st is not None and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: file is not writable")


@contextlib.contextmanager
def _pending(fd: int, tmp: str) -> Iterator[Path]:
    os.close(fd)
    tmp_path = Path(tmp)
    _PENDING.add(tmp_path)
    try:
        yield tmp_path
    finally:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        _PENDING.discard(tmp_path)


@contextlib.contextmanager
def _streamed(name: str, into: Path | None) -> Iterator[Path]:
    """A temporary file copied, once complete, into a stream: standard output (None) or a device/FIFO."""
    with _pending(*tempfile.mkstemp(prefix="pgraph-", suffix=".part")) as tmp:
        yield tmp
        try:
            if into is None:
                sys.stdout.flush()
                with open(tmp, "rb") as fh:
                    shutil.copyfileobj(fh, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            else:
                with open(tmp, "rb") as fh, open(into, "ab") as out:  # append: never truncates, never replaces
                    shutil.copyfileobj(fh, out)
        except BrokenPipeError:
            raise
        except OSError as e:
            if into is None:
                raise InternalError(f"cannot write to standard output: {e.strerror or e}") from None
            raise OutputError(f"{name}: {e.strerror or e}") from None


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path to write; when the block finishes without error it replaces `path` (a regular
    file, or a symlink's target) in one rename, or is copied into `path` (-, a device or a FIFO)."""
    if str(path) == STDOUT:
        with _streamed("standard output", None) as tmp:
            yield tmp
        return
    target, st = _resolve(Path(path))
    _check_target(target, st)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _streamed(str(path), target) as tmp:
            yield tmp
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    except OSError as e:
        raise OutputError(f"{path}: cannot create a file in {target.parent}: {e.strerror or e}") from None
    with _pending(fd, tmp) as tmp_path:
        try:
            yield tmp_path
            if st is not None:
                os.chmod(tmp_path, st.st_mode & 0o777)
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(tmp_path, 0o666 & ~umask)
            with open(tmp_path, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp_path, target)
        except OSError as e:
            raise OutputError(f"{path}: {e.strerror or e} (previous file left as it was)") from None


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write text or bytes to path atomically (or into standard output, a device or a FIFO)."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
