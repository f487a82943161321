"""Finding and reading the Turtle files that make up a graph, with errors that name file, line and column."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..paths import ontology_files

SCENARIOS = "scenarios"


@dataclass(frozen=True)
class FileSet:
    """The files one graph is loaded from: the ontology, then data files in a stable order."""

    ontology: tuple[Path, ...]
    data: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        return self.ontology + self.data


def data_files(data_dir: Path) -> list[Path]:
    """Every Turtle file under a data directory, scenarios excluded, sorted."""
    if not data_dir.exists():
        raise InputError("data directory does not exist", path=str(data_dir))
    if not data_dir.is_dir():
        raise InputError("not a directory", path=str(data_dir))
    if not os.access(data_dir, os.R_OK | os.X_OK):
        raise InputError("data directory is not readable", path=str(data_dir))
    found = sorted(p for p in data_dir.rglob("*.ttl")
                   if SCENARIOS not in p.relative_to(data_dir).parts[:-1])
    if not found:
        raise InputError("no Turtle (.ttl) files in the data directory", path=str(data_dir))
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
        if not p.exists():
            raise InputError("no such file", path=str(p))
        if p.is_dir():
            chosen.extend(data_files(p))
        else:
            chosen.append(p)
    seen: set[Path] = set()
    unique = []
    for p in chosen:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return FileSet(tuple(ontology_files()), tuple(unique))


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or an InputError saying why it cannot be read or holds nothing."""
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a directory, expected a Turtle file", path=str(path)) from None
    except PermissionError:
        raise InputError("permission denied", path=str(path)) from None
    except OSError as e:
        raise InputError(e.strerror or str(e), path=str(path)) from None
    if not data.strip():
        raise InputError("empty file: no triples", path=str(path))
    if len(data) < 65536 and not _STATEMENTS.sub(b"", data).strip():
        raise InputError("no triples: the file holds only comments and prefixes", path=str(path))
    return data


# comments and prefix/base directives: a data file holding nothing else has lost its content
_STATEMENTS = re.compile(rb"(?m)^[ \t]*(?:#.*|@prefix[^\n]*\.|@base[^\n]*\.|PREFIX[^\n]*|BASE[^\n]*)[ \t]*$", re.I)
