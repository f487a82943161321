"""Atomic file writes: a new file appears whole or not at all; the previous one stays until then."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterator

from ..errors import OutputError

_PENDING: set[Path] = set()  # temporary files being written, removed if the process is interrupted


def discard_pending() -> None:
    """Remove every half-written temporary file (the targets are untouched)."""
    for path in list(_PENDING):
        with contextlib.suppress(OSError):
            path.unlink()
        _PENDING.discard(path)


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise OutputError(f"{path}: is a directory; give a file name")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise OutputError(f"{path}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OutputError(f"{path}: folder {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"{path}: file is not writable")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path`; renamed over it only if the block finishes without error."""
    target = Path(path)
    _check_target(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    except OSError as e:
        raise OutputError(f"{path}: cannot create a file in {target.parent}: {e.strerror or e}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    _PENDING.add(tmp_path)
    try:
        yield tmp_path
        if target.exists():
            os.chmod(tmp_path, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_path, 0o666 & ~umask)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(e, OSError):
            raise OutputError(f"{path}: {e.strerror or e} (previous file left as it was)") from None
        raise
    finally:
        _PENDING.discard(tmp_path)


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write text or bytes to path atomically."""
    with atomic_path(path) as tmp:
        if isinstance(data, str):
            tmp.write_text(data, encoding="utf-8")
        else:
            tmp.write_bytes(data)
