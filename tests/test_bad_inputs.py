"""The bad-input catalogue: every bad input gives its exit code and one clear line, never a traceback."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import MINI, ROOT, assert_user_error, run_cli

BAD = ROOT / "tests" / "bad_inputs"
CATALOGUE = yaml.safe_load((BAD / "catalogue.yaml").read_text(encoding="utf-8"))


def _build(case: dict, tmp: Path) -> dict[str, str]:
    """The placeholders of a case's command: its fixture copy, a fresh folder and its data directory."""
    fixture = tmp / "fixtures" / case["fixture"] if case.get("fixture") else None
    if fixture:
        fixture.parent.mkdir()
        shutil.copy(BAD / case["fixture"], fixture)
    data = tmp / "data"
    if case["data"] == "alone":
        data.mkdir()
        shutil.copy(fixture, data / fixture.name)
    elif case["data"] == "with-real":
        shutil.copytree(ROOT / "data", data)
        shutil.copy(fixture, data / fixture.name)
    work = tmp / "work"
    work.mkdir()
    return {"fixture": str(fixture or ""), "tmp": str(work), "data": str(data)}


def _fill(arg: str, places: dict[str, str]) -> str:
    for key, value in places.items():
        arg = arg.replace("{" + key + "}", value)
    return arg


@pytest.mark.parametrize("case", CATALOGUE, ids=[c["id"] for c in CATALOGUE])
def test_bad_input_gives_its_exit_code_and_one_line_cause(case, tmp_path):
    places = _build(case, tmp_path)
    args = [_fill(a, places) for a in case["command"]]
    if case["data"] in ("alone", "with-real"):
        args = ["--data", places["data"], *args]
    result = run_cli(*args, env={"PGRAPH_CACHE": "off"})
    assert result.returncode == case["exit"], (result.returncode, result.stdout[-500:], result.stderr)
    assert "Traceback" not in result.stderr
    if case["exit"] == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("pgraph: error: "), result.stderr
        assert re.search(case["message"], lines[0]), (case["message"], lines[0])
        assert result.stdout == ""
    else:
        assert re.search(case["stdout"], result.stdout), result.stdout[-2000:]


def test_every_catalogue_case_has_an_input_and_a_fixture_that_exists():
    ids = [c["id"] for c in CATALOGUE]
    assert len(ids) == len(set(ids))
    for case in CATALOGUE:
        assert case["input"] and case["data"] in ("alone", "with-real", "none")
        if case.get("fixture"):
            assert (BAD / case["fixture"]).is_file(), case["fixture"]


def test_a_very_large_file_with_an_error_on_its_last_line_names_that_line(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    n = 400_000  # about 40 MB of Turtle
    big = data / "big.ttl"
    with big.open("w", encoding="utf-8") as out:
        out.write("@prefix ex: <https://example.org/> .\n")
        for i in range(n):
            out.write(f"ex:s{i} ex:p \"value {i}\" , ex:o{i % 97} .\n")
        out.write("ex:last ex:p .\n")
    assert big.stat().st_size > 15_000_000
    started = time.monotonic()
    result = run_cli("--data", str(data), "stats", env={"PGRAPH_CACHE": "off"})
    assert_user_error(result, f"big.ttl:{n + 2}:", "Turtle syntax error")
    assert time.monotonic() - started < 60


def _without_read_permission() -> list[str]:
    """A command prefix under which file permissions hold, even for root (CAP_DAC_* dropped)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test unreadable files as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.mark.parametrize("what", ["file", "directory"])
def test_an_unreadable_data_file_or_directory_is_named(what, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    target = sorted(data.glob("*.ttl"))[0] if what == "file" else data
    target.chmod(0)
    try:
        result = subprocess.run([*_without_read_permission(), sys.executable, "-m", "pgraph", "--data", str(data),
                                 "stats"], capture_output=True, text=True, timeout=60, cwd=ROOT,
                                env={**os.environ, "PGRAPH_CACHE": "off"})
    finally:
        target.chmod(0o755 if what == "directory" else 0o644)
    expected = "permission denied" if what == "file" else "data directory is not readable"
    assert_user_error(result, str(target), expected)


def test_a_dangling_symlink_in_the_data_directory_is_named(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "gone.ttl").symlink_to(tmp_path / "deleted.ttl")
    assert_user_error(run_cli("--data", str(data), "stats", env={"PGRAPH_CACHE": "off"}),
                      "gone.ttl", "No such file or directory")


def test_an_unwritable_output_folder_leaves_nothing_behind(tmp_path):
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = subprocess.run([*_without_read_permission(), sys.executable, "-m", "pgraph", "export", "overlap",
                                 "-o", str(out / "overlap.graphml")], capture_output=True, text=True, timeout=60,
                                cwd=ROOT)
    finally:
        out.chmod(0o755)
    assert_user_error(result, "overlap.graphml", "not writable")
    assert list(out.iterdir()) == []


def _interrupt_when(proc: subprocess.Popen, ready, limit: float = 120) -> float:
    """Send Ctrl-C (SIGINT) once ready() is true; the seconds the process then took to exit."""
    deadline = time.monotonic() + limit
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "never reached the point to interrupt"
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    proc.wait(timeout=30)
    return time.monotonic() - sent


def test_ctrl_c_during_a_long_query_exits_130_promptly_without_traceback():
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "pgraph", "sparql",
                             "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    took = _interrupt_when(proc, lambda: time.monotonic() - started > 2.5)
    _, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and err.strip() == "pgraph: interrupted"
    assert took < 2


def test_an_export_interrupted_mid_write_leaves_the_previous_file_intact(tmp_path):
    data = tmp_path / "big"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "100000", str(data)],
                   check=True, capture_output=True, timeout=300)
    target = tmp_path / "overlap.svg"
    target.write_bytes(b"<svg>the previous picture</svg>")
    proc = subprocess.Popen([sys.executable, "-m", "pgraph", "--data", str(data), "export", "overlap",
                             "-o", str(target)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    took = _interrupt_when(proc, lambda: any(tmp_path.glob(".overlap.svg.*.part")))
    _, err = proc.communicate()
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert target.read_bytes() == b"<svg>the previous picture</svg>"
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.part"))
    assert took < 5


def test_docs_reliability_md_lists_every_case_and_only_tests_that_exist():
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for case in CATALOGUE:
        assert f"[{case['id']}]`" in doc, case["id"]
    defined = set()
    for module in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", module.read_text(encoding="utf-8"), re.M))
    cited = set(re.findall(r"`(test_\w+)(?:\[[^\]]*\])?`", doc))
    assert cited and cited <= defined, cited - defined
