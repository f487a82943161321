"""The parsed-graph cache: input bytes parsed and checked once, kept as signed N-Quads loaded into memory.

Parsing and checking a million triples of Turtle takes seconds; loading N-Quads that pgraph itself
wrote after those checks takes two thirds of that (3.3 s against 5.0 s CPU at 1M triples), and the
result is the same in-memory store a fresh load gives, so no query is slower than without the
cache (an on-disk Oxigraph store was up to 4x slower on heavy joins). The key is a hash of the very bytes that are parsed, so a stale entry cannot
be read. What is read back is never trusted blindly: an entry must be a regular file owned by the
user, not writable by others, and carry a keyed digest (HMAC-SHA-256 with a per-user secret kept
outside the cache folder) over its key and content; anything else is rebuilt or bypassed with one warning
line. pgraph works only inside its own subfolder (marked by a CACHEDIR.TAG it wrote) and deletes
only files there whose names it gives. `PGRAPH_CACHE=off` disables the cache; `PGRAPH_CACHE=DIR`
moves it (default: $XDG_CACHE_HOME/pgraph or ~/.cache/pgraph).

An entry holds its quads in one section per predicate (quads with a blank node in a section of their
own), indexed by a comment line at its end, so a question that reads only some predicates loads only
their sections (`predicates=`): 1.3 s instead of 1.9 s for memberships' at a million triples. The
signature still covers the whole entry and is checked before the store is used.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import itertools
import os
import re
import secrets
import stat
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

KEEP = 4                                # entries kept; the least recently used beyond that are removed
FOLDER = "parsed-graphs"                # pgraph's own subfolder of the cache root
MARKER = "CACHEDIR.TAG"                 # https://bford.info/cachedir/, with a pgraph line
MARKER_TEXT = ("Signature: 8a477f597d28d172789f06886806bc55\n"
               "# pgraph parsed-graph cache: pgraph removes only files it named here.\n")
FORMAT = b"pgraph-cache 3"              # first line of an entry: '# pgraph-cache 3 KEY MAC'
INDEX = b"# sections"                   # the index line: ' START END PREDICATE' per section ('_': blank nodes)
TRAILER = 29                            # the last line: '# index-at ' + 17 digits + newline
MAX_INDEX = 1 << 24                     # bytes of index read from an entry at most
ABANDONED_AFTER = 10.0                  # seconds before an unlocked .part file counts as abandoned
_ENTRY = re.compile(r"[0-9a-f]{40}\.nq")
_HINT = re.compile(r"[0-9a-f]{40}\.hint")
_HINT_TEXT = re.compile(rb"[0-9a-f]{40}\n")
_PART = re.compile(r"\.[0-9a-f]{40}\.[0-9a-f]{8}\.part")
_PARTIAL: set[Path] = set()             # .part files this process is writing

Blobs = Sequence[tuple[Path, bytes]]


class Unusable(Exception):
    """The cache folder or secret cannot be used safely; the graph is loaded without the cache."""


def cache_root() -> Path | None:
    """Where the cache lives, or None when the cache is switched off."""
    setting = os.environ.get("PGRAPH_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    try:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    except RuntimeError:  # no home folder to put it in: no cache
        return None
    return Path(base) / "pgraph"


def secret_path() -> Path:
    """The per-user secret that signs entries: outside the cache, so a planted cache folder cannot forge it."""
    try:
        base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    except RuntimeError:
        raise Unusable("no home folder for the signing secret (set XDG_STATE_HOME)") from None
    return Path(base) / "pgraph" / "cache-secret"


def key(blobs: Blobs) -> str:
    """A digest of pgraph's version and every file's resolved path and bytes (the bytes that are parsed).

    SHA-256 (cut to 160 bits for the entry's name): with the CPU's SHA instructions it hashes twice as
    fast as BLAKE2b here (0.08 s against 0.16 s CPU for the 143 MB of a million triples)."""
    from ..version import __version__
    digest = _Truncated(hashlib.sha256())
    digest.update(f"pgraph {__version__}\n".encode() + FORMAT + b"\n")
    for path, data in blobs:
        digest.update(str(path.resolve()).encode() + b"\0" + str(len(data)).encode() + b"\0")
        digest.update(data)
    return digest.hexdigest()


def warn(message: str) -> None:
    """One warning line on standard error: the cache was bypassed or rebuilt, the answer is unaffected."""
    print(f"pgraph: warning: cache: {message}", file=sys.stderr)


def load_or_build(paths: Sequence[Path], read: Callable[[Path], bytes], fill: Callable[[Any, Blobs], None],
                  predicates: frozenset[str] | None = None) -> tuple[Any, str, frozenset[str] | None]:
    """An in-memory store of these files, how it was obtained ('hit', 'stored', 'bypassed' or 'off')
    and the predicates it holds the quads of (None: all of them).

    `read(path)` gives a file's bytes (its errors propagate); `fill(store, blobs)` parses and checks
    those bytes into an empty store; its errors propagate and nothing is stored. With `predicates`,
    a hit loads only the quads of those predicates (and every quad with a blank node); a miss gives
    the whole graph. Any problem with the cache itself only costs time and one warning line.
    """
    root = cache_root()
    if root is None or not hasattr(os, "O_NOFOLLOW"):  # off, or a system without POSIX file safety
        return _filled(fill, _read_all(paths, read)), "off", None
    try:
        folder = own_folder(root)
        secret = _secret()
    except Unusable as e:
        store = _filled(fill, _read_all(paths, read))  # a bad input file is the one error shown
        warn(f"{e}; loading without the cache")
        return store, "bypassed", None
    seen = _stat_key(paths)
    hinted = _hint(folder, seen)
    try:
        if hinted:  # the entry these files had last time: loaded while their bytes are read and hashed
            blobs, digest, store, complaint = _speculate(folder, hinted, secret, paths, read, predicates)
        else:
            blobs = _read_all(paths, read)
            digest = key(blobs)
            store, complaint = _open(folder, folder / f"{digest}.nq", digest, secret, predicates)
    except Unusable as e:
        store = _filled(fill, _read_all(paths, read))
        warn(f"{e}; loading without the cache")
        return store, "bypassed", None
    entry = folder / f"{digest}.nq"
    if store is not None:
        if hinted != digest:
            _write_hint(folder, seen, digest)
        return store, "hit", predicates
    store = _filled(fill, blobs)
    if complaint:
        warn(f"{entry}: {complaint}; rebuilding it")
    state = _publish(folder, entry, digest, secret, store)
    if state == "stored":
        _write_hint(folder, seen, digest)
    return store, state, None


def _filled(fill: Callable[[Any, Blobs], None], blobs: Blobs) -> Any:
    import pyoxigraph as ox
    store = ox.Store()
    fill(store, blobs)
    return store


def _read_all(paths: Sequence[Path], read: Callable[[Path], bytes]) -> list[tuple[Path, bytes]]:
    return [(path, read(path)) for path in paths]


def _speculate(folder: Path, hinted: str, secret: bytes, paths: Sequence[Path], read: Callable[[Path], bytes],
               predicates: frozenset[str] | None) -> tuple[Blobs, str, Any, str]:
    """The files' bytes and key, read and hashed on one core while the hinted entry loads on the other.

    The hint only chooses what to load early: the entry counts as a hit only if the key of the bytes
    actually read is the entry's own, otherwise the early store is dropped and the true key's entry opened."""
    import threading
    got: dict[str, Any] = {}

    def read_and_hash() -> None:
        try:
            got["blobs"] = _read_all(paths, read)
            got["digest"] = key(got["blobs"])
        except BaseException as e:  # an unreadable input file: raised in the caller's thread
            got["error"] = e
    reader = threading.Thread(target=read_and_hash, name="pgraph-cache-key")
    reader.start()
    try:
        store, complaint = _open(folder, folder / f"{hinted}.nq", hinted, secret, predicates)
    finally:
        reader.join()
    if "error" in got:
        raise got["error"]
    blobs, digest = got["blobs"], got["digest"]
    if digest != hinted:
        store, complaint = _open(folder, folder / f"{digest}.nq", digest, secret, predicates)
    return blobs, digest, store, complaint


def _stat_key(paths: Sequence[Path]) -> str:
    """A digest of what the file system says about the files (not their bytes): names the hint file."""
    from ..version import __version__
    digest = _Truncated(hashlib.sha256())
    digest.update(f"pgraph {__version__}\n".encode() + FORMAT + b"\n")
    try:
        for path in paths:
            st = os.stat(path)
            digest.update(f"{path.resolve()}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0"
                          f"{st.st_ctime_ns}\n".encode())
    except (OSError, RuntimeError):
        return ""
    return digest.hexdigest()


def _hint(folder: Path, seen: str) -> str:
    """The key whose entry the same files (as the file system describes them) had last time, or ''."""
    if not seen:
        return ""
    try:
        fd = os.open(folder / f"{seen}.hint", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o022:
            return ""
        text = os.read(fd, 64)
    except OSError:
        return ""
    finally:
        os.close(fd)
    return text[:40].decode() if _HINT_TEXT.fullmatch(text) else ""


def _write_hint(folder: Path, seen: str, digest: str) -> None:
    """Remember which entry these files had (written aside, renamed into place; only over a regular file)."""
    if not seen:
        return
    hint = folder / f"{seen}.hint"
    part = folder / f".{seen}.{secrets.token_hex(4)}.part"
    try:
        with contextlib.suppress(FileNotFoundError):
            if not stat.S_ISREG(os.lstat(hint).st_mode):  # a folder, symlink or FIFO is left as it is
                return
        _write_new(part, f"{digest}\n".encode(), 0o600)
        with _lock(folder, exclusive=False):
            os.replace(part, hint)
    except (OSError, Unusable):
        pass  # only a lost head start next time
    finally:
        with contextlib.suppress(OSError):
            part.unlink()


def own_folder(root: Path) -> Path:
    """pgraph's subfolder of the cache root, created with its marker, or Unusable if it is not safely ours."""
    folder = root / FOLDER
    try:
        root.mkdir(parents=True, exist_ok=True)
        if not os.path.lexists(folder):
            _create_folder(folder)
        info = os.lstat(folder)
    except OSError as e:
        raise Unusable(f"{folder}: {e.strerror or e}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise Unusable(f"{folder}: not a folder")
    _check_owner(folder, info, "folder")
    try:
        fd = os.open(folder / MARKER, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            ours = os.read(fd, len(MARKER_TEXT) + 1) == MARKER_TEXT.encode()
        finally:
            os.close(fd)
    except OSError:
        ours = False
    if not ours:
        raise Unusable(f"{folder}: not pgraph's cache folder (no {MARKER} written by pgraph), left as it is")
    return folder


def _create_folder(folder: Path) -> None:
    """Create the folder with its marker already inside (built aside, renamed into place)."""
    aside = folder.with_name(f".{folder.name}.{secrets.token_hex(4)}")
    os.mkdir(aside, 0o700)
    try:
        _write_new(aside / MARKER, MARKER_TEXT.encode(), 0o600)
        os.rename(aside, folder)
    except OSError:
        if not os.path.lexists(folder):  # not a concurrent creation that won the race
            raise
    finally:
        with contextlib.suppress(OSError):
            os.unlink(aside / MARKER)
        with contextlib.suppress(OSError):
            os.rmdir(aside)


def _check_owner(path: Path, info: os.stat_result, what: str) -> None:
    if info.st_uid != os.geteuid():
        raise Unusable(f"{path}: {what} owned by another user (uid {info.st_uid})")
    if info.st_mode & 0o022:
        raise Unusable(f"{path}: {what} writable by group or others")


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Create path holding data, failing if anything (a file, a symlink) already has that name."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def _secret() -> bytes:
    """The per-user signing secret: 32 random bytes, created once (atomically) with mode 0600."""
    path = secret_path()
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            _create_secret(path)
            continue
        except OSError as e:
            raise Unusable(f"signing secret {path}: {e.strerror or e}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid() or info.st_mode & 0o077:
                raise Unusable(f"signing secret {path}: must be a file of this user's with mode 0600")
            value = os.read(fd, 33)
        except OSError as e:
            raise Unusable(f"signing secret {path}: {e.strerror or e}") from None
        finally:
            os.close(fd)
        if len(value) != 32:
            raise Unusable(f"signing secret {path}: damaged (expected 32 bytes)")
        return value
    raise Unusable(f"signing secret {path}: could not be created")


def _create_secret(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        _write_new(tmp, secrets.token_bytes(32), 0o600)
        try:
            os.link(tmp, path)  # appears whole; if another process won the race, its secret is used
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    except OSError as e:
        raise Unusable(f"signing secret {path}: {e.strerror or e}") from None


class _Truncated:
    """A hash whose hex digest is cut to 40 digits (the length of an entry's name)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def update(self, data: bytes | memoryview) -> None:
        self.inner.update(data)

    def hexdigest(self) -> str:
        return self.inner.hexdigest()[:40]


def _mac(secret: bytes, digest: str, body: memoryview | bytes = b"") -> Any:
    """The HMAC-SHA-256 of an entry's key and body (more body can be added with update)."""
    mac = hmac.new(secret, b"pgraph-cache\n", hashlib.sha256)
    mac.update(digest.encode() + b"\n")
    mac.update(body)
    return mac


def _header(digest: str, signature: str) -> bytes:
    return b"# " + FORMAT + b" " + digest.encode() + b" " + signature.encode() + b"\n"


class _Signing:
    """A binary writer that also feeds what it writes to a running signature."""

    def __init__(self, out: Any, mac: Any, written: int = 0) -> None:
        self.out, self.mac, self.written = out, mac, written

    def write(self, chunk: bytes) -> int:
        self.mac.update(chunk)
        self.written += len(chunk)
        return self.out.write(chunk)

    def flush(self) -> None:
        self.out.flush()


@contextlib.contextmanager
def _lock(folder: Path, *, exclusive: bool) -> Iterator[None]:
    """The folder's lock: shared while an entry is opened or published, exclusive while pruning."""
    import fcntl
    try:
        fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        raise Unusable(f"{folder / '.lock'}: {e.strerror or e}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


def _open(folder: Path, entry: Path, digest: str, secret: bytes,
          predicates: frozenset[str] | None = None) -> tuple[Any, str]:
    """The entry's graph loaded into memory, or (None, why it cannot be used; '' if there is none)."""
    with _lock(folder, exclusive=False):
        try:
            fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return None, ""
        except OSError as e:  # a symlink named like an entry, a folder without read permission...
            return None, f"cannot be opened ({e.strerror or e})"
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):  # not something pgraph writes: never replaced or removed
            raise Unusable(f"{entry}: a folder named like a cache entry, left as it is")
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file"
        if info.st_uid != os.geteuid():
            return None, f"owned by another user (uid {info.st_uid}), not trusted"
        if info.st_mode & 0o022:
            return None, "writable by group or others, not trusted"
        with os.fdopen(os.dup(fd), "rb") as fh:
            return _verified_load(fh, digest, secret, predicates)
    except OSError as e:
        return None, f"cannot be read ({e.strerror or e})"
    finally:
        os.close(fd)


def _verified_load(fh: Any, digest: str, secret: bytes,
                   predicates: frozenset[str] | None = None) -> tuple[Any, str]:
    """Check the open entry's header and signature and load it (or the sections of `predicates`)
    into memory, side by side.

    The engine parses without holding Python's lock, so the signature of the whole entry is computed
    on the other core meanwhile (0.1 s less at a million triples); the store is dropped unless the
    signature matches, so nothing unverified ever answers a query (an index that lies only chooses
    which bytes are parsed before that)."""
    import threading

    import pyoxigraph as ox
    fields = fh.readline(256).rstrip(b"\n").split(b" ")
    if len(fields) != 5 or fields[0] != b"#" or b" ".join(fields[1:3]) != FORMAT:
        return None, "damaged (no pgraph header)"
    if fields[3] != digest.encode():
        return None, "damaged (holds another key)"
    start = fh.tell()  # the same open file: the folder is the user's alone and pgraph never rewrites an entry
    source = fh
    if predicates is not None:
        ranges = _sections(fh.fileno(), start, predicates)
        if ranges is None:
            return None, "damaged (no section index)"
        source = io.BufferedReader(_Ranges(fh.fileno(), ranges), 1 << 20)
    signed: list[bool] = []

    def check() -> None:  # reads at its own offsets (pread), so the parser's reading is not disturbed
        mac = _mac(secret, digest)
        try:
            for offset in itertools.count(start, 1 << 20):
                chunk = os.pread(fh.fileno(), 1 << 20, offset)
                if not chunk:
                    break
                mac.update(chunk)
        except OSError:
            return  # unread, so unsigned: the entry is not used
        signed.append(hmac.compare_digest(fields[4], mac.hexdigest().encode()))
    checker = threading.Thread(target=check, name="pgraph-cache-signature")
    checker.start()
    store = ox.Store()
    try:
        store.load(source, format=ox.RdfFormat.N_QUADS, lenient=True)  # streamed: no copy of the file in memory
        unreadable = ""
    except (SyntaxError, ValueError) as e:  # a forged entry, or (if signed) pgraph itself wrote a bad one
        unreadable = f"unreadable ({str(e).splitlines()[0][:120]})"
    finally:
        checker.join()
    if not signed or not signed[0]:
        return None, "damaged or not written by this user (signature does not match)"
    if unreadable:
        return None, unreadable
    with contextlib.suppress(OSError):
        os.utime(fh.fileno())  # marks the entry as recently used
    return store, ""


def _sections(fd: int, start: int, predicates: frozenset[str]) -> list[tuple[int, int]] | None:
    """The byte ranges of the sections holding these predicates' quads and the blank nodes', read from
    the entry's index; None when the index is missing or not well formed."""
    size = os.fstat(fd).st_size
    if size - start < TRAILER:
        return None
    trailer = re.fullmatch(rb"# index-at (\d{17})\n", os.pread(fd, TRAILER, size - TRAILER))
    at = int(trailer.group(1)) if trailer else -1
    if not start <= at <= size - TRAILER or size - TRAILER - at > MAX_INDEX:
        return None
    line = os.pread(fd, size - TRAILER - at, at)
    if not line.startswith(INDEX + b" ") or not line.endswith(b"\n"):
        return None
    fields = line[len(INDEX) + 1:-1].split(b" ")
    if len(fields) % 3:
        return None
    ranges: list[tuple[int, int]] = []
    last = start
    for first, end, predicate in zip(fields[::3], fields[1::3], fields[2::3]):
        if not (first.isdigit() and end.isdigit()) or not last <= int(first) <= int(end) <= at:
            return None
        last = int(end)
        name = predicate.decode("utf-8", "replace")
        if name == "_" or name in predicates:
            if ranges and ranges[-1][1] == int(first):  # neighbours read as one range
                ranges[-1] = (ranges[-1][0], int(end))
            else:
                ranges.append((int(first), int(end)))
    return ranges


class _Ranges(io.RawIOBase):
    """Some byte ranges of an open file read as one stream (at their own offsets, so the signature
    check reading the same file is not disturbed)."""

    def __init__(self, fd: int, ranges: list[tuple[int, int]]) -> None:
        super().__init__()
        self.fd, self.ranges = fd, list(reversed(ranges))

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.ranges:
            first, end = self.ranges[-1]
            if first >= end:
                self.ranges.pop()
                continue
            view = memoryview(buffer).cast("B")[:end - first]
            if hasattr(os, "preadv"):  # straight into the reader's buffer
                got = os.preadv(self.fd, [view], first)
            else:
                chunk = os.pread(self.fd, len(view), first)
                got = len(chunk)
                view[:got] = chunk
            if got <= 0:  # the file is shorter than its index says: what was read fails the signature
                self.ranges.clear()
                return 0
            self.ranges[-1] = (first + got, end)
            return got
        return 0


def _dump_sections(store: Any, out: _Signing, start: int) -> None:
    """Write the store's quads one section per predicate, blank-node quads last, then the index and
    its trailer (offsets count from the file's start, `start` being where the body begins)."""
    import pyoxigraph as ox
    predicates = sorted({row[0].value for row in store.query(
        "SELECT DISTINCT ?p WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")})
    blank, sections = [], []
    at = start

    def plain(quads: Any) -> Iterator[Any]:
        for quad in quads:
            if type(quad.subject) is ox.BlankNode or type(quad.object) is ox.BlankNode \
                    or type(quad.graph_name) is ox.BlankNode:
                blank.append(quad)
            else:
                yield quad
    for predicate in predicates:
        ox.serialize(plain(store.quads_for_pattern(None, ox.NamedNode(predicate), None, None)), out,
                     format=ox.RdfFormat.N_QUADS)
        if out.written > at:
            sections.append(b"%d %d %s" % (at, out.written, predicate.encode()))
            at = out.written
    ox.serialize(blank, out, format=ox.RdfFormat.N_QUADS)
    if out.written > at:
        sections.append(b"%d %d _" % (at, out.written))
    index_at = out.written
    out.write(INDEX + b"".join(b" " + s for s in sections) + b"\n")
    out.write(b"# index-at %017d\n" % index_at)


def _publish(folder: Path, entry: Path, digest: str, secret: bytes, store: Any) -> str:
    """Write the checked graph as a signed entry, renamed into place whole; 'stored' or 'bypassed'."""
    import fcntl
    part = folder / f".{digest}.{secrets.token_hex(4)}.part"
    try:
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except OSError as e:
        warn(f"cannot store the parsed graph in {folder}: {e.strerror or e}; loaded without the cache")
        return "bypassed"
    _PARTIAL.add(part)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # held while writing: a pruner sees the build is alive
        with os.fdopen(fd, "wb", closefd=False) as fh:
            fh.write(_header(digest, "0" * 64))  # a placeholder of the same length
            signing = _Signing(fh, _mac(secret, digest), len(_header(digest, "0" * 64)))
            _dump_sections(store, signing, signing.written)  # streamed: no second copy in memory
        if os.pwrite(fd, _header(digest, signing.mac.hexdigest()), 0) != len(_header(digest, "0" * 64)):
            raise OSError(f"short write of the header of {part}")
        with _lock(folder, exclusive=False):
            os.replace(part, entry)
    except (OSError, Unusable) as e:  # a full disk, a file-size limit, a folder named like the entry
        warn(f"cannot store the parsed graph in {folder}: {getattr(e, 'strerror', None) or e}; "
             "loaded without the cache")
        return "bypassed"
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            part.unlink()
        _PARTIAL.discard(part)
    with contextlib.suppress(OSError, Unusable):
        prune(folder, keep=entry)
    return "stored"


def discard_partial() -> None:
    """Remove the .part files this process is writing (called when the command is interrupted)."""
    for part in list(_PARTIAL):
        with contextlib.suppress(OSError):
            part.unlink()
        _PARTIAL.discard(part)


def prune(folder: Path, *, keep: Path | None = None) -> None:
    """Remove all but the KEEP most recently used entries, and .part files no live build holds.

    Hints whose entry is gone go too. Only names pgraph gives are considered (40 hex digits plus .nq or
    .hint, or its .part pattern), only
    regular files owned by the user, and only inside the folder holding pgraph's marker.
    """
    import fcntl
    with _lock(folder, exclusive=True):
        entries, hints = [], []
        for name in os.listdir(folder):
            path = folder / name
            try:
                info = os.lstat(path)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                continue
            if _ENTRY.fullmatch(name):
                entries.append((info.st_mtime, name))
            elif _HINT.fullmatch(name):
                hints.append(name)
            elif _PART.fullmatch(name) and time.time() - info.st_mtime > ABANDONED_AFTER:
                try:
                    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                except OSError:
                    continue
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while its builder lives
                    path.unlink()
                except OSError:
                    pass
                finally:
                    os.close(fd)
        entries.sort(reverse=True)
        others = [name for _, name in entries if keep is None or name != keep.name]
        old = others[KEEP - (keep is not None):]
        for name in old:
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        kept = {name[:40] for _, name in entries if name not in old}
        for name in hints:  # a hint whose entry is gone (or that is not a hint at all) only misleads
            if _hint(folder, name[:40]) not in kept:
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
