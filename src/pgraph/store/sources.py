"""Finding and reading the RDF files that make up a graph, with errors that name file, line and column."""
from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..paths import ontology_files

SCENARIOS = "scenarios"
# extensions of the triple formats pyoxigraph reads (any case) -> its format name
RDF_EXTENSIONS = {".ttl": "TURTLE", ".nt": "N_TRIPLES", ".n3": "N3", ".jsonld": "JSON_LD", ".rdf": "RDF_XML",
                  ".owl": "RDF_XML"}
# dataset formats: their named graphs have no place in pgraph's model, so they are refused, not merged
DATASET_EXTENSIONS = (".nq", ".trig")


@dataclass(frozen=True)
class FileSet:
    """The files one graph is loaded from: the ontology, then data files in a stable order."""

    ontology: tuple[Path, ...]
    data: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        return self.ontology + self.data


def rdf_format(path: Path) -> str:
    """The pyoxigraph format name for a data file, from its extension (Turtle when unknown)."""
    return RDF_EXTENSIONS.get(path.suffix.lower(), "TURTLE")


def _walk(data_dir: Path) -> list[Path]:
    """Every file under a folder, following symlinked folders once (a symlink loop is not followed again)."""
    found, seen = [], set()
    for root, dirs, files in os.walk(data_dir, followlinks=True):
        try:
            st = os.stat(root)
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirs.sort()
        found += [Path(root) / f for f in files]
    return found


def check_file(path: Path) -> None:
    """Refuse, before anything opens it, a data file that is not a regular file (a FIFO would block
    forever, a device never end) or that cannot be reached (a symlink loop, a dangling link)."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise InputError(e.strerror or str(e), path=str(path)) from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError("is a directory, expected an RDF file", path=str(path))
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise InputError(f"is {kind}, not a regular file; pgraph reads only regular files", path=str(path))


def data_files(data_dir: Path) -> list[Path]:
    """Every RDF file (.ttl, .nt, .n3, .jsonld, .rdf, .owl, any case) under a data directory, scenarios
    excluded, sorted; N-Quads and TriG files are refused (their named graphs would be invisible)."""
    if not data_dir.exists():
        raise InputError("data directory does not exist", path=str(data_dir))
    if not data_dir.is_dir():
        raise InputError("not a directory", path=str(data_dir))
    if not os.access(data_dir, os.R_OK | os.X_OK):
        raise InputError("data directory is not readable", path=str(data_dir))
    found = sorted(p for p in _walk(data_dir) if SCENARIOS not in p.relative_to(data_dir).parts[:-1])
    datasets = [p for p in found if p.suffix.lower() in DATASET_EXTENSIONS]
    if datasets:
        raise InputError("a dataset file (N-Quads or TriG) holds named graphs, which pgraph's queries would "
                         "not see: convert it to Turtle or N-Triples", path=str(datasets[0]))
    found = [p for p in found if p.suffix.lower() in RDF_EXTENSIONS]
    if not found:
        raise InputError("no RDF files (.ttl, .nt, .n3, .jsonld, .rdf, .owl) in the data directory",
                         path=str(data_dir))
    for path in found:
        check_file(path)
    return found


def collect(data_dir: Path | None, extra: tuple[Path, ...] = (), *, only: bool = False) -> FileSet:
    """The ontology plus data/ (unless only) plus extra files, each file once."""
    chosen: list[Path] = []
    if not only:
        if data_dir is None:
            from ..paths import default_data_dir
            data_dir = default_data_dir()
        chosen.extend(data_files(data_dir))
    for p in extra:
        if not p.exists() and not p.is_symlink():
            raise InputError("no such file", path=str(p))
        if p.is_dir():
            chosen.extend(data_files(p))
        else:
            check_file(p)
            chosen.append(p)
    seen: set[Path] = set()
    unique = []
    for p in chosen:
        key = Path(os.path.realpath(p))
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return FileSet(tuple(ontology_files()), tuple(unique))


def read_bytes(path: Path) -> bytes:
    """A file's bytes (a UTF-8 byte order mark dropped), or an InputError saying why it cannot be read or
    holds nothing. Only regular files are opened: a FIFO or a device would block or never end."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
            check_file(path)
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, expected a Turtle file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", path=str(path)) from None
    except OSError as e:
        raise InputError(e.strerror or str(e), path=str(path)) from None
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte order mark some editors write: not content
    if not data or data.isspace():  # not strip(): that copies a 140 MB file to test it
        raise InputError("empty file: no triples", path=str(path))
    if len(data) < 65536 and rdf_format(path) == "TURTLE" and not _STATEMENTS.sub(b"", data).strip():
        raise InputError("no triples: the file holds only comments and prefixes", path=str(path))
    return data


# comments and prefix/base directives: a data file holding nothing else has lost its content
_STATEMENTS = re.compile(rb"(?m)^[ \t]*(?:#.*|@prefix[^\n]*\.|@base[^\n]*\.|PREFIX[^\n]*|BASE[^\n]*)[ \t]*$", re.I)
