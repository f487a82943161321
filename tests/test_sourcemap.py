"""Where a finding's subject is defined: file and line, as an editor counts them."""
from __future__ import annotations

from pathlib import Path

from pgraph.store import index


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_each_subject_is_found_at_the_line_that_first_describes_it(tmp_path):
    turtle = _write(tmp_path, "a.ttl", "  @prefix ex: <http://e/> .\r\n# ex:c is only mentioned\r\n\r\n"
                                       "ex:a a ex:B ;\r\n  ex:p ex:c .\r\nex:d\\-e ex:p 1 .\r\nex:a ex:p 2 .\r\n")
    triples = _write(tmp_path, "b.nt", "<http://e/x> <http://e/p> \"one\nline\" .\n<http://e/x> <http://e/p> 2 .\n"
                                       "<http://e/y> <http://e/p> \"\u00e9\u2028\" .\n<http://e/a> <http://e/p> 3 .\n")
    found = index([turtle, triples])
    assert found == {"http://e/a": (str(turtle), 4), "http://e/d-e": (str(turtle), 6),
                     "http://e/x": (str(triples), 1), "http://e/y": (str(triples), 4)}


def test_a_prefixed_subject_needs_its_prefix_declared_before_it(tmp_path):
    path = _write(tmp_path, "c.ttl", "ex:a a ex:B .\n@prefix ex: <http://e/> .\nex:b a ex:B .\n:c a ex:B .\n")
    assert index([path]) == {"http://e/b": (str(path), 3)}


def test_an_unreadable_or_undecodable_file_is_skipped(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_bytes(b"<http://e/\xff> a <http://e/B> .\n")
    good = _write(tmp_path, "good.ttl", "<http://e/g> a <http://e/B> .\n")
    assert index([tmp_path / "missing.ttl", bad, good]) == {"http://e/g": (str(good), 1)}
