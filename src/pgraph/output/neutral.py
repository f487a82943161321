"""Neutralising data text that could act as code where it lands: terminal escapes in text output,
formulas in spreadsheets (CWE-1236), characters XML 1.0 cannot hold. JSON and RDF outputs keep
the original text; these functions are for the outputs a person's tools interpret."""
from __future__ import annotations

import re

# C0 controls but tab, newline and carriage return; DEL; C1 controls (ESC, CSI, OSC ... start escapes)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")
# what XML 1.0 cannot hold at all, even escaped: the complement of its Char production, listed (a negated
# class spanning the planes takes Python about 10 ms to compile, at every start)
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _shown(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group(0)):02x}" if ord(match.group(0)) < 0x100 else f"\\u{ord(match.group(0)):04x}"


def visible_controls(text: str) -> str:
    """Control characters (ESC, BEL, NUL, C1 ...) written as visible \\xNN; tab and line breaks kept."""
    return _CONTROL.sub(_shown, text)


def for_terminal(text: str) -> str:
    """One line of text safe to print: no control character acts, line breaks and tabs become spaces."""
    return _LINE_BREAKS.sub(" ", visible_controls(text))


def for_spreadsheet(text: str) -> str:
    """A cell a spreadsheet shows as text: controls made visible, and a leading =, +, -, @, tab or
    line break (or their full-width forms) guarded by a ' as OWASP recommends against formula injection."""
    text = visible_controls(text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_C1 = re.compile(r"[\x80-\x9f]")


def escape_c1(serialised: str) -> str:
    """JSON, Turtle or N-Triples text with C1 controls (U+0080-U+009F, such as CSI) written as \\u00XX
    escapes: the same data for any reader, but nothing a terminal acts on. (The serialisers escape
    C0 controls themselves; C1 controls can only occur inside strings in these formats.)"""
    if serialised.isascii():  # no C1 control possible: a scan at memory speed instead of a regex pass
        return serialised
    return _C1.sub(lambda m: f"\\u{ord(m.group(0)):04x}", serialised)


def for_xml(text: str) -> str:
    """Text XML 1.0 can hold: characters it forbids (most C0 controls, lone surrogates) made visible."""
    return _NOT_XML.sub(_shown, text)
