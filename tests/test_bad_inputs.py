"""The bad-input catalogue: every bad input gives its exit code and one clear line, never a traceback."""
from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import threading
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


def _interrupt_when(proc: subprocess.Popen, ready, limit: float = 120, sig: int = signal.SIGINT) -> float:
    """Send Ctrl-C (SIGINT, or sig) once ready() is true; the seconds the process then took to exit."""
    deadline = time.monotonic() + limit
    while not ready():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "never reached the point to interrupt"
        time.sleep(0.005)
    proc.send_signal(sig)
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


@pytest.fixture(scope="module")
def big_data(tmp_path_factory):
    """A 100,000-triple synthetic graph: big enough that an SVG export takes a while to write."""
    data = tmp_path_factory.mktemp("big") / "data"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "100000", str(data)],
                   check=True, capture_output=True, timeout=300)
    return data


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_an_export_interrupted_mid_write_leaves_the_previous_file_intact(big_data, tmp_path, sig, code):
    target = tmp_path / "overlap.svg"
    target.write_bytes(b"<svg>the previous picture</svg>")
    proc = subprocess.Popen([sys.executable, "-m", "pgraph", "--data", str(big_data), "export", "overlap",
                             "-o", str(target)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    took = _interrupt_when(proc, lambda: any(tmp_path.glob(".overlap.svg.*.part")), sig=sig)
    _, err = proc.communicate()
    assert proc.returncode == code, err
    assert "Traceback" not in err
    assert target.read_bytes() == b"<svg>the previous picture</svg>"
    assert not list(tmp_path.glob("*.part")) and not list(tmp_path.glob(".*.part"))
    assert took < 5


# --- -o on things that are not regular files (issue 17) --------------------------------------------

def test_output_to_dev_null_as_root_leaves_the_device_a_device(tmp_path):
    # A private null device (major 1, minor 3) made with mknod as root, so that a regression replaces
    # it and not the machine's /dev/null; without root, /dev/null itself cannot be replaced.
    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        null = Path("/dev/null")
    before = os.stat(null)
    result = run_cli("query", "instruments", "-f", "csv", "-o", str(null))
    assert result.returncode == 0, result.stderr
    after = os.stat(null)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


def test_output_to_a_fifo_writes_into_it_and_leaves_it_a_fifo(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault("data", fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_cli("query", "instruments", "-o", str(fifo))
    reader.join(30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got["data"].decode("utf-8").startswith("instrument,label,kind")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.csv"]


def test_output_to_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    result = run_cli("query", "instruments", "-o", str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith("instrument,label,kind")


def test_output_to_a_symlink_loop_is_refused(tmp_path):
    loop = tmp_path / "loop.csv"
    loop.symlink_to(loop)
    assert_user_error(run_cli("query", "instruments", "-o", str(loop)), "loop.csv", "symlink loop")
    assert loop.is_symlink()


@pytest.mark.parametrize("args", [["query", "instruments", "-f", "csv"], ["export", "overlap"],
                                  ["validate", "--fail-on", "violation"], ["report"]])
def test_output_dash_is_standard_output_and_no_file_named_dash(tmp_path, args):
    result = run_cli(*args, "-o", "-", cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() and not (tmp_path / "-").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["query", "instruments"], ["stats"], ["export", "overlap"],
                                  ["validate"], ["queries"]])
def test_standard_output_on_a_full_disk_is_one_line_and_exit_70(args):
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "pgraph", *args], stdout=full, stderr=subprocess.PIPE,
                                text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 70, result.stderr
    assert result.stderr.splitlines() == ["pgraph: error: cannot write to standard output: No space left on device"]


def test_an_internal_error_is_one_line_exit_70_and_its_traceback_only_with_debug(monkeypatch, capsys):
    from pgraph import cli

    def broken(args):
        raise KeyError("a bug")
    monkeypatch.setattr(cli, "cmd_stats", broken)
    assert cli.main(["stats"]) == 70
    err = capsys.readouterr().err
    assert err.splitlines() == ["pgraph: internal error: KeyError: 'a bug' (run again with --debug to see the "
                                "traceback)"]
    with pytest.raises(KeyError):
        cli.main(["--debug", "stats"])


# --- data folders holding things that are not plain RDF files (issue 17) ---------------------------

def test_a_fifo_named_ttl_in_the_data_folder_is_refused_at_once(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    os.mkfifo(data / "x.ttl")
    started = time.monotonic()
    assert_user_error(run_cli("--data", str(data), "stats", timeout=30), "x.ttl", "is a FIFO, not a regular file")
    assert time.monotonic() - started < 20


def test_symlink_loops_in_the_data_folder_are_named_or_walked_once(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "sub").mkdir()
    (data / "sub" / "up").symlink_to(data, target_is_directory=True)  # a folder loop: walked once
    assert run_cli("--data", str(data), "stats", timeout=60).returncode == 0
    (data / "loop.ttl").symlink_to(data / "loop.ttl")
    assert_user_error(run_cli("--data", str(data), "stats", timeout=60), "loop.ttl", "Too many levels of symbolic links")


def test_a_literal_over_16_mib_is_a_clear_error(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "huge.ttl").write_text('<https://example.org/a> <https://example.org/p> "' + "x" * (17 << 20) + '" .\n',
                                   encoding="utf-8")
    assert_user_error(run_cli("--data", str(data), "stats", env={"PGRAPH_CACHE": "off"}), "huge.ttl",
                      "too large for the parser")


def test_an_ill_typed_literal_is_located_where_it_is_not_in_another_files_comment(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.ttl").write_text('# once held "2024-13-40"^^xsd:date by mistake\n'
                                '<https://example.org/a> <https://example.org/p> "ok" .\n', encoding="utf-8")
    shutil.copy(BAD / "ill-typed-date.ttl", data / "b.ttl")
    assert_user_error(run_cli("--data", str(data), "stats", env={"PGRAPH_CACHE": "off"}),
                      str(data / "b.ttl") + ":5:", 'ill-typed literal "2024-13-40"')


def test_docs_reliability_md_lists_every_case_and_only_tests_that_exist():
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    for case in CATALOGUE:
        assert f"[{case['id']}]`" in doc, case["id"]
    defined = set()
    for module in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", module.read_text(encoding="utf-8"), re.M))
    cited = set(re.findall(r"`(test_\w+)(?:\[[^\]]*\])?`", doc))
    assert cited and cited <= defined, cited - defined
