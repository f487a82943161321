"""On a terminal: tables wrap to its width and never cut a cell; pipes and --wide get one line per row."""
from __future__ import annotations

import fcntl
import re
import os
import pty
import struct
import sys
import termios

from conftest import ROOT
from pgraph.output import table


def run_on_terminal(*args: str, columns: int = 80, timeout: float = 120) -> str:
    """Run `python -m pgraph ARGS` with stdout and stderr on a real pseudo-terminal of the given width."""
    import select
    import subprocess
    import time
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    proc = subprocess.Popen([sys.executable, "-m", "pgraph", *args], stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=slave, cwd=ROOT, env=env)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=10)
    os.close(master)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_a_table_wraps_long_cells_to_the_width_and_keeps_every_character():
    url = "https://www.nato.int/cps/en/natohq/topics_82584.htm?selectedLocale=en"
    reason = "rules tested: freedom score at or above eighty and military spending above two per cent"
    text = table([{"country": "JPN", "reason": reason, "source": url}], width=60)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 60
    assert "…" not in text
    body = lines[2:-1]
    source_start = lines[0].index("source")
    assert "".join(line[source_start:].strip() for line in body) == url
    reason_start = lines[0].index("reason")
    assert " ".join(line[reason_start:source_start].strip() for line in body).split() == reason.split()


def test_a_table_neutralises_terminal_escapes_in_the_data():
    text = table([{"label": "Evil\x1b]8;;http://x\x07 \x1b[2J"}])
    assert "\x1b" not in text and "\x07" not in text and "\\x1b" in text


def test_the_rules_table_wraps_to_the_terminal_width_and_cuts_nothing():
    narrow = run_on_terminal("rules", columns=70)
    lines = [line for line in narrow.splitlines() if line]
    assert lines[0].startswith("severity") and max(len(line) for line in lines) <= 70, narrow
    assert "…" not in narrow
    wide = run_on_terminal("rules", "--wide", columns=70)
    assert max(len(line) for line in wide.splitlines()) > 70  # --wide: one line per rule
    # the same text, only wrapped (a token longer than its column, such as an IRI, is broken across lines)
    chars = lambda text: sorted("".join("".join(line.split()) for line in text.splitlines()[2:]))  # noqa: E731
    assert chars(narrow) == chars(wide)


def test_a_pipe_gets_one_line_per_row_never_cut():
    import subprocess
    piped = subprocess.run([sys.executable, "-m", "pgraph", "queries"], capture_output=True, text=True, cwd=ROOT,
                           timeout=120, env={**os.environ, "COLUMNS": "40"})
    assert piped.returncode == 0 and "…" not in piped.stdout
    names = [line.split()[0] for line in piped.stdout.splitlines()[2:-1]]
    assert len(names) == len(set(names)) and "never-terminated" in names  # one row, one line


def test_long_validation_shows_progress_on_a_terminal_but_never_in_a_pipe_or_json():
    import subprocess
    command = ("validate", "--engine", "pyshacl")  # ~10 s or more on the real data
    on_terminal = run_on_terminal(*command)
    ticks = [int(m) * 60 + int(s) for m, s in re.findall(r"validating with pySHACL: (\d\d):(\d\d)", on_terminal)]
    assert ticks and min(ticks) >= 2, on_terminal[:300]  # the bar, only after 2 s, with the time taken so far
    assert "conforms" in on_terminal or "violation" in on_terminal.lower()  # and then the report
    piped = subprocess.run([sys.executable, "-m", "pgraph", *command], capture_output=True, text=True, cwd=ROOT,
                           timeout=300)
    assert piped.returncode in (0, 1), piped.stderr
    assert "validating" not in piped.stderr and "\r" not in piped.stderr
    as_json = run_on_terminal(*command, "--format", "json")
    assert "validating with pySHACL" not in as_json
    import json
    json.loads(as_json)  # nothing but the JSON document on the terminal


def test_xml_text_keeps_every_character_xml_allows_and_shows_the_rest():
    """for_xml shows exactly what XML 1.0's Char production leaves out (C0 controls but tab, newline and
    carriage return; lone surrogates; U+FFFE, U+FFFF), at the edges of every range, and keeps the rest."""
    from pgraph.output import for_xml
    kept = "\t\n\r \ud7ff\ue000\ufffd\U00010000\U0010ffff\x7f\x85"
    assert for_xml(kept) == kept
    assert for_xml("a\x00\x08\x0b\x0c\x0e\x1f\ud800\udfff\ufffe\uffffz") == \
        "a\\x00\\x08\\x0b\\x0c\\x0e\\x1f\\ud800\\udfff\\ufffe\\uffffz"
