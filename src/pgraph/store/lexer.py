"""A SPARQL 1.1 tokenizer: the words, variables, IRIs, strings and punctuation of a query text.

The binder needs every variable of every WHERE group and the safety checks need every keyword;
a regular expression over the text gets both wrong (`FILTER(?i<?n&&?i>0)` reads `<?n&&?i>` as
an IRI). SPARQL's one ambiguity is `<`: after an operand inside an expression it is the
less-than operator, elsewhere it opens an IRI; the tokenizer tracks which parentheses hold
expressions, as the grammar does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

_STRING = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'", re.S)
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
# every character from U+00C0 to U+EFFFF, written as the complement of what lies outside: the same set,
# but a class spanning that range (directly or beside \w) takes Python 10-13 ms each to compile, at every start
_HIGH = r"[^\x00-\u00bf\U000f0000-\U0010ffff]"
_VAR = re.compile(rf"[?$](?:[A-Za-z0-9_\u00b7]|{_HIGH})+")
_NUMBER = re.compile(r"[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?")
# a prefixed name (prefix:local, either part may be empty) or a bare word (keyword, function, 'a')
_NAME = re.compile(rf"(?:(?:[A-Za-z_]|{_HIGH})(?:[\w\-.\u00b7]|{_HIGH})*)?:"
                   rf"(?:[\w\-:\u00b7]|{_HIGH}|%[0-9A-Fa-f]{{2}}|\\.|\.(?=[\w\-:%\\]))*"
                   r"|[A-Za-z_][A-Za-z0-9_]*")
_BLANK = re.compile(rf"_:(?:[\w\-.\u00b7]|{_HIGH})*")
_LANG = re.compile(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_PUNCT = re.compile(r"\^\^|&&|\|\||<=|>=|!=|[{}()\[\];,.=<>!+\-*/|^]")
_SPACE = re.compile(r"\s+|#[^\n\r]*")
_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

# bare words that are terms, not functions, when followed by '('
_TERM_WORDS = {"A", "TRUE", "FALSE", "UNDEF", "VALUES"}
# words after which '(' opens an expression
_EXPRESSION_OPENERS = {"FILTER", "BIND", "HAVING", "BY", "ASC", "DESC"}


@dataclass(frozen=True)
class Token:
    """One token: its kind (iri, pname, var, string, number, blank, lang, word, punct), text and offset."""

    kind: str
    text: str
    start: int

    @property
    def word(self) -> str:
        """The upper-cased text of a bare word ('' for other kinds): keywords are case-insensitive."""
        return self.text.upper() if self.kind == "word" else ""


def unescape(text: str) -> str:
    """The text with SPARQL's \\u and \\U escapes expanded, as engines may do before parsing."""
    def expand(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group(0)
    return _UNICODE_ESCAPE.sub(expand, text)


def _is_operand(token: Token | None) -> bool:
    if token is None:
        return False
    if token.kind in ("var", "string", "number", "iri", "pname", "blank", "lang"):
        return True
    return token.text in (")", "]") or token.word in ("TRUE", "FALSE")


def tokens(text: str) -> Iterator[Token]:
    """Every token of a SPARQL text, comments and spaces left out; an unknown character is one 'punct'."""
    i, n = 0, len(text)
    parens: list[bool] = []  # for each open '(' or '{': does it hold an expression?
    prev: Token | None = None
    before: Token | None = None
    select_clause = False
    while i < n:
        m = _SPACE.match(text, i)
        if m:
            i = m.end()
            continue
        ch = text[i]
        in_expression = bool(parens) and parens[-1]
        token = None
        if ch in "\"'":
            m = _STRING.match(text, i)
            token = Token("string", m.group(0), i) if m else Token("punct", ch, i)
        elif ch == "<" and in_expression and _is_operand(prev):
            m = _PUNCT.match(text, i)
            token = Token("punct", m.group(0), i)
        elif ch == "<" and (m := _IRI.match(text, i)):
            token = Token("iri", m.group(0), i)
        elif ch in "?$" and (m := _VAR.match(text, i)):
            token = Token("var", m.group(0), i)
        elif ch == "_" and text.startswith("_:", i) and (m := _BLANK.match(text, i)):
            token = Token("blank", m.group(0), i)
        elif ch == "@" and (m := _LANG.match(text, i)):
            token = Token("lang", m.group(0), i)
        elif (ch.isdigit() or ch == ".") and (m := _NUMBER.match(text, i)):
            token = Token("number", m.group(0), i)
        elif (m := _NAME.match(text, i)) and m.end() > i:
            token = Token("pname" if ":" in m.group(0) else "word", m.group(0), i)
        else:
            m = _PUNCT.match(text, i)
            token = Token("punct", m.group(0) if m else ch, i)
        if token.text == "(":
            parens.append(in_expression or select_clause
                          or (prev is not None and (prev.word in _EXPRESSION_OPENERS
                                                    or (prev.kind == "word" and prev.word not in _TERM_WORDS)
                                                    or (prev.kind in ("iri", "pname") and before is not None
                                                        and before.word in _EXPRESSION_OPENERS))))
        elif token.text == "{":
            parens.append(False)  # a group inside an expression (EXISTS { ... }) holds triples again
        elif token.text in ")}" and parens:
            parens.pop()
        if token.word == "SELECT":
            select_clause = True
        elif token.text == "{" or token.word in ("WHERE", "FROM"):
            select_clause = False
        yield token
        before, prev = prev, token
        i += len(token.text)


def variables(text: str) -> set[str]:
    """The names (without ? or $) of every variable in a SPARQL text."""
    return {t.text[1:] for t in tokens(text) if t.kind == "var"}


def keywords(text: str) -> set[str]:
    """Every bare word of a SPARQL text, upper-cased, after expanding \\u escapes."""
    return {t.word for t in tokens(unescape(text)) if t.kind == "word"}
