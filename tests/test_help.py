"""Help: every command has a description and every option and argument has help text; the README
lists every command."""
from __future__ import annotations

import argparse

from conftest import ROOT, run_cli
from pgraph.cli import build_parser


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_has_a_description_and_every_option_help_text():
    parser = build_parser()
    missing = [f"pgraph {a.dest}" for a in parser._actions if not a.help]
    for name, command in _commands().items():
        if not command.description:
            missing.append(f"pgraph {name}: no description")
        for action in command._actions:
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"pgraph {name} {'/'.join(action.option_strings) or action.dest}")
    assert not missing, "without help text: " + ", ".join(missing)


def test_every_command_shows_its_help_with_exit_0():
    for name in _commands():
        result = run_cli(name, "--help")
        assert result.returncode == 0, (name, result.stderr)
        assert result.stdout.startswith(f"usage: pgraph {name}")


def test_the_readme_shows_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## The command", 1)[1].split("```", 2)[1]
    shown = {line.split()[1] for line in block.splitlines() if line.startswith("pgraph ")}
    assert set(_commands()) <= shown, set(_commands()) - shown
