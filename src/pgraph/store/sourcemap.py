"""Where each subject is defined: an index from IRI to file and line, read from our own Turtle style.

No SHACL engine maps a finding back to a file (pySHACL#321). pgraph's Turtle starts every
subject at column 0, so one pass over the text finds each subject's first definition.
"""
from __future__ import annotations

import re
from pathlib import Path

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
_SUBJECT = re.compile(r"^(<[^>\s]+>|[A-Za-z][\w.-]*:[^\s;,]*[^\s;,.]|:[^\s;,]*[^\s;,.])")


def index(paths: tuple[Path, ...] | list[Path]) -> dict[str, tuple[str, int]]:
    """IRI -> (file, line) of the first line that starts describing it."""
    found: dict[str, tuple[str, int]] = {}
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        prefixes: dict[str, str] = {}
        for number, line in enumerate(lines, start=1):
            m = _PREFIX.match(line)
            if m:
                prefixes[m.group(1) or ""] = m.group(2)
                continue
            m = _SUBJECT.match(line)
            if not m:
                continue
            term = m.group(1)
            if term.startswith("<"):
                iri = term[1:-1]
            else:
                prefix, _, local = term.partition(":")
                if prefix not in prefixes:
                    continue
                iri = prefixes[prefix] + local.replace("\\", "")
            found.setdefault(iri, (str(path), number))
    return found
