"""What an analyst reads: repeated parameters refused unless declared, grammatical findings,
messages that fit the Python API, and suggestions that resemble what was typed."""
from __future__ import annotations

import re

import pytest

import pgraph
from conftest import assert_user_error, run_cli
from pgraph.validate import Settings, validate


def test_a_repeated_parameter_is_refused_naming_both_values():
    assert_user_error(run_cli("query", "members", "-p", "instrument=md", "-p", "instrument=pfp"),
                      "parameter 'instrument' takes one value, got 2", "'md'", "'pfp'")


def test_the_python_api_refuses_a_list_for_a_single_valued_parameter(real):
    with pytest.raises(pgraph.ParameterError, match="takes one value, got 2"):
        real.query("members", instrument=["md", "pfp"])


def test_a_parameter_declared_multiple_takes_every_value(tmp_path, real):
    path = tmp_path / "several.rq"
    path.write_text("#+ params:\n#+   instrument: {type: instrument, multiple: true, required: true}\n"
                    "PREFIX pg: <https://w3id.org/pgraph/ontology#>\n"
                    "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p pg:instrument ?instrument }\n", encoding="utf-8")
    both = real.query(str(path), instrument=["md", "ici"])[0]["n"]
    alone = [real.query(str(path), instrument=[i])[0]["n"] for i in ("md", "ici")]
    assert both == sum(alone) and min(alone) > 0
    cli = run_cli("query", str(path), "-p", "instrument=md", "-p", "instrument=Istanbul Cooperation Initiative",
                  "-f", "csv")
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines() == ["n", str(both)]


def test_the_missing_parameter_message_speaks_to_every_caller_alike(real):
    with pytest.raises(pgraph.ParameterError) as caught:
        real.query("members")
    message = str(caught.value)
    assert message.startswith("members: parameter 'instrument' is required: an instrument id")
    assert "--param" not in message and "-p " not in message  # no command-line syntax for a notebook
    cli = run_cli("query", "members")
    assert_user_error(cli)
    assert cli.stderr.strip() == f"pgraph: error: {message}"  # the command says the same


@pytest.mark.parametrize("typed,suggested,not_suggested", [
    ("nato", None, "tf-ana"),
    ("pffp", "pfp", None),
    ("icii", "ici", None),
    ("mediteranean dialogue", "md", None),
    ("istanbul", "ici", None),
])
def test_unknown_instruments_get_suggestions_that_resemble_what_was_typed(real, typed, suggested, not_suggested):
    with pytest.raises(pgraph.ParameterError) as caught:
        real.query("members", instrument=typed)
    message = str(caught.value)
    hint = message.partition(";")[2]
    if suggested:
        assert re.search(rf"\b{re.escape(suggested)}\b", hint), message
    if not_suggested:
        assert not_suggested not in message, message


def test_findings_use_singular_and_plural_as_counted():
    report = validate(settings=Settings())
    messages = [f.message for f in report.findings]
    assert not any("(s)" in m for m in messages), [m for m in messages if "(s)" in m]
    assert not any(re.search(r"\ball 1 active\b", m) for m in messages)
    subsumed = [m for m in messages if "also take" in m]
    assert subsumed
    for m in subsumed:
        assert (m.startswith("its only active participant also takes part")
                or re.match(r"all ([2-9]|\d\d+) active participants also take part", m)), m
