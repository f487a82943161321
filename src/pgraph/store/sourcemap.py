"""Where each subject is defined: an index from IRI to file and line, read from our own Turtle style.

No SHACL engine maps a finding back to a file (pySHACL#321). pgraph's Turtle starts every
subject at column 0, so one pass over the text finds each subject's first definition.
"""
from __future__ import annotations

import itertools
import re
from pathlib import Path


# One pass of the regex engine over a file's bytes finds the only lines that can matter: a prefix
# declaration (its name and IRI), or a subject term at column 0; indented property lines are never seen
# by Python, and only the terms found are decoded. Turtle's white space is ASCII, as bytes regexes see it.
_TERMS = (rb"(?:[ \t]*(?:@prefix|PREFIX)[ \t]+([A-Za-z][\w.\x80-\xff-]*)?:[ \t]*<([^>\n]*)>"
          rb"|(<[^>\s]+>|[A-Za-z][\w.\x80-\xff-]*:[^\s;,]*[^\s;,.]|:[^\s;,]*[^\s;,.]))")
_FIRST_LINE = re.compile(_TERMS, re.I)
_LINE = re.compile(rb"\n" + _TERMS, re.I)  # a literal start: the engine skips from line feed to line feed


def index(paths: tuple[Path, ...] | list[Path]) -> dict[str, tuple[str, int]]:
    """IRI -> (file, line) of the first line that starts describing it (lines counted at line feeds)."""
    found: dict[str, tuple[str, int]] = {}
    for path in paths:
        try:
            found.update((iri, where) for iri, where in _subjects(path).items() if iri not in found)
        except (OSError, UnicodeDecodeError):
            continue
    return found


def _subjects(path: Path) -> dict[str, tuple[str, int]]:
    data = path.read_bytes()
    prefixes: dict[bytes, str] = {}
    found: dict[str, tuple[str, int]] = {}
    number, counted, last = 1, 0, None
    first = _FIRST_LINE.match(data)
    for m in itertools.chain([first] if first else [], _LINE.finditer(data)):
        term = m.group(3)
        if term is None:
            prefixes[m.group(1) or b""] = m.group(2).decode("utf-8")
            last = None
            continue
        if term == last:  # the same subject as the line before (N-Triples style)
            continue
        last = term
        if term.startswith(b"<"):
            iri = term[1:-1].decode("utf-8")
        else:
            prefix, _, local = term.partition(b":")
            if prefix not in prefixes:
                continue
            iri = prefixes[prefix] + local.replace(b"\\", b"").decode("utf-8")
        if iri not in found:
            line_start = m.start() + (m is not first)  # a match after the first starts with its line feed
            number += data.count(b"\n", counted, line_start)
            counted = line_start
            found[iri] = (str(path), number)
    return found
