"""A parsed-graph cache: an on-disk Oxigraph store per set of input files, keyed by their content.

Parsing a million triples of Turtle takes seconds; opening a store already built from the same
bytes takes milliseconds. The key is a hash of pgraph's version and of every input file's name
and bytes, so any change to any file (or a different file list) means a different store: a stale
cache cannot be read. Stores are built in a temporary folder and renamed into place, so a build
interrupted half-way is never used. `PGRAPH_CACHE=off` disables the cache; `PGRAPH_CACHE=DIR`
moves it (default: $XDG_CACHE_HOME/pgraph or ~/.cache/pgraph).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

KEEP = 4  # stores kept; older ones are removed


def cache_root() -> Path | None:
    """Where stores live, or None when the cache is switched off."""
    setting = os.environ.get("PGRAPH_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pgraph"


def key(paths: tuple[Path, ...]) -> str:
    """A digest of pgraph's version and every file's name and bytes, in order."""
    from ..version import __version__
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"pgraph {__version__}\n".encode())
    for path in paths:
        digest.update(str(path.resolve()).encode() + b"\0")
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(b"\0")
    return digest.hexdigest()


def open_or_build(paths: tuple[Path, ...], build: Any) -> Any | None:
    """A read-only store for these files: the cached one, or one built now by `build(store)`.

    Returns None when there is no usable cache folder (the caller then loads in memory).
    """
    import pyoxigraph as ox
    root = cache_root()
    if root is None:
        return None
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(root, os.W_OK):
        return None
    target = root / key(paths)
    if target.exists() and not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)  # left by a build that did not finish
    if not (target / ".complete").exists():
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=root))
        try:
            store = ox.Store(str(tmp / "store"))
            build(store)
            store.flush()
            del store
            (tmp / "store" / ".complete").touch()
            try:
                os.rename(tmp / "store", target)
            except OSError:  # another process finished the same build first
                pass
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        _prune(root, keep=target)
    os.utime(target)
    return ox.Store.read_only(str(target))


def _prune(root: Path, keep: Path) -> None:
    stores = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in [p for p in stores if p != keep][KEEP - 1:]:
        shutil.rmtree(old, ignore_errors=True)
