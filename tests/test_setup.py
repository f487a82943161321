"""Set-up: the README's two commands do everything a fresh Debian machine needs, and the cache is documented."""
from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "install-system-packages.sh"


def _script_packages() -> list[str]:
    text = SCRIPT.read_text(encoding="utf-8")
    block = re.search(r"^PACKAGES=\((.*?)^\)", text, re.S | re.M).group(1)
    return re.findall(r'^\s*"([a-z0-9.+-]+):', block, re.M)


def test_make_test_installs_the_system_packages_before_running_pytest():
    plan = subprocess.run(["make", "-n", "test"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert plan.returncode == 0, plan.stderr
    lines = [line.strip() for line in plan.stdout.splitlines()]
    install = next(i for i, line in enumerate(lines) if "scripts/install-system-packages.sh" in line)
    pytest_line = next(i for i, line in enumerate(lines) if "-m pytest" in line)
    assert install < pytest_line


def test_ci_runs_exactly_the_readmes_test_command_and_installs_nothing_itself():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(.*?)```", readme, re.S).group(1)
    readme_test = next(line.split("#")[0].strip() for line in block.splitlines() if line.startswith("make test"))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == readme_test == "make test"
    assert "apt-get" not in ci  # the package list lives only in the shared script


def test_the_package_list_lives_in_one_array_of_the_shared_script():
    packages = _script_packages()
    assert {"graphviz", "chromium", "default-jre-headless", "libapache-jena-java"} <= set(packages)
    for other in (ROOT / "Makefile", ROOT / ".ci" / "run"):
        text = other.read_text(encoding="utf-8")
        assert not any(re.search(rf"\b{re.escape(p)}\b", text) for p in packages), other


def test_install_script_is_a_no_op_when_every_package_is_present(tmp_path):
    # apt-get and sudo that record any call: on this machine nothing is missing, so neither may run
    marker = tmp_path / "called"
    for tool in ("apt-get", "sudo"):
        fake = tmp_path / tool
        fake.write_text(f"#!/bin/sh\necho {tool} \"$@\" >> {shlex.quote(str(marker))}\nexit 1\n")
        fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    check = subprocess.run([str(SCRIPT), "--check"], capture_output=True, text=True, env=env, timeout=60)
    assert check.returncode == 0, check.stdout  # Graphviz, Chromium, Java and Jena are installed here
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert not marker.exists(), marker.read_text()
    assert result.stdout == "" and result.stderr == ""


def test_install_script_names_every_missing_package(tmp_path):
    # a PATH without dot, chromium and java: the three packages are reported missing
    result = subprocess.run(["/bin/bash", str(SCRIPT), "--check"], capture_output=True, text=True,
                            env={"PATH": str(tmp_path)}, timeout=60)
    assert result.returncode == 1
    assert result.stdout.startswith("missing system packages:")
    for package in ("graphviz", "chromium", "default-jre-headless"):
        assert package in result.stdout


def test_readme_documents_the_cache_where_it_is_what_it_holds_and_how_to_clear_it(tmp_path):
    from pgraph.store.cache import cache_root
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The cache", 1)[1].split("\n## ", 1)[0]
    old = {k: os.environ.get(k) for k in ("HOME", "XDG_CACHE_HOME", "PGRAPH_CACHE")}
    try:
        os.environ["HOME"] = str(tmp_path)
        os.environ.pop("XDG_CACHE_HOME", None)
        os.environ.pop("PGRAPH_CACHE", None)
        documented = re.search(r"`(~/[^`]+)`", section).group(1)  # the first home path the section names
        assert Path(documented.replace("~", str(tmp_path))) == cache_root()
        os.environ["PGRAPH_CACHE"] = "off"
        assert cache_root() is None and "PGRAPH_CACHE=off" in section
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    assert "PGRAPH_CACHE=DIR" in section and "rm -rf ~/.cache/pgraph" in section
    assert "hash" in section and "version" in section  # what the key is made of


def test_docs_pictures_are_made_by_make_docs_with_the_current_version():
    from PIL import Image
    import pgraph
    plan = subprocess.run(["make", "-n", "docs"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert plan.returncode == 0, plan.stderr
    assert "report_screenshot.py" in plan.stdout and "export overlap -o docs/overlap.png" in plan.stdout
    assert "stamp_version.py docs/overlap.png" in plan.stdout
    for name in ("report-top.png", "overlap.png"):
        with Image.open(ROOT / "docs" / name) as picture:
            assert picture.text.get("Software") == f"pgraph {pgraph.__version__}", (name, picture.text)
