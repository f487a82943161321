"""The command's foundation: version, stats, the global data option, and clear input errors."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pgraph
from conftest import MINI, assert_user_error, run_cli


def test_version_prints_the_package_version():
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"pgraph {pgraph.__version__}"


def test_stats_counts_instances_and_participations_by_status():
    result = run_cli("--data", str(MINI), "stats", "--format", "json")
    assert result.returncode == 0, result.stderr
    stats = json.loads(result.stdout)
    assert stats["classes"]["Participation"] == 8
    assert stats["classes"]["Country"] == 6
    assert stats["participations_by_status"] == {"active": 4, "ended": 3, "suspended": 1}
    assert stats["triples"] > 700  # ontology + fixture


def test_pgraph_data_environment_variable_points_at_another_directory():
    result = run_cli("stats", "--format", "json", env={"PGRAPH_DATA": str(MINI)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["classes"]["Participation"] == 8


def test_data_option_wins_over_the_environment(tmp_path):
    result = run_cli("--data", str(MINI), "stats", env={"PGRAPH_DATA": str(tmp_path / "nowhere")})
    assert result.returncode == 0, result.stderr


def test_stats_on_a_missing_data_directory_exits_2_naming_it(tmp_path):
    missing = tmp_path / "no-such-dir"
    assert_user_error(run_cli("--data", str(missing), "stats"), str(missing), "does not exist")


def test_stats_on_malformed_turtle_names_file_line_and_column(tmp_path):
    shutil.copy(MINI / "graph.ttl", tmp_path / "good.ttl")
    bad = tmp_path / "zz-bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c .\nex:d ex:e ;; .\n", encoding="utf-8")
    result = run_cli("--data", str(tmp_path), "stats")
    assert_user_error(result, f"{bad}:4:", "Turtle syntax error")


def test_stats_on_an_ill_typed_date_names_where_it_is(tmp_path):
    bad = tmp_path / "dates.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
                   'ex:a ex:when "2024-13-40"^^xsd:date .\n', encoding="utf-8")
    result = run_cli("--data", str(tmp_path), "stats")
    assert_user_error(result, f"{bad}:3:14", "ill-typed literal", "2024-13-40")


def test_python_load_reports_syntax_errors_as_input_error(tmp_path):
    (tmp_path / "x.ttl").write_text("<http://a> <http://b> .\n", encoding="utf-8")
    try:
        pgraph.load(tmp_path)
    except pgraph.InputError as e:
        assert e.path == str(tmp_path / "x.ttl") and e.line == 1
    else:
        raise AssertionError("a malformed file loaded without error")


def test_summary_prints_the_jungle_in_numbers():
    result = run_cli("--data", str(MINI), "summary", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"instruments": 5, "never_terminated": 4, "partners_ever": 5,
                                         "participations": 8, "sources": 1}


_LOADED = ("import sys\n"
           "from pgraph.cli import main\n"
           "code = main(sys.argv[1:])\n"
           "wanted = ('urllib.request', 'http.client', 'pgraph.graphs.pairwise', 'pgraph.graphs.export', 'networkx')\n"
           "print('loaded:', *[m for m in wanted if m in sys.modules], file=sys.stderr)\n"
           "sys.exit(code)\n")


def _modules_loaded_by(*args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", _LOADED, *args], capture_output=True, text=True,
                            env={**os.environ, "PGRAPH_CACHE": "off"})
    assert result.returncode == 0 and result.stdout, result.stderr
    return result.stderr.strip().splitlines()[-1].split()[1:]


def test_a_local_query_loads_neither_network_code_nor_the_counting_path():
    """`pgraph query` on files imports only what it uses: no HTTP client (it talks to no server unless
    given one), and no counting or graph code for a question that is not pairwise."""
    assert _modules_loaded_by("--data", str(MINI), "query", "allies", "--format", "csv") == []
    assert _modules_loaded_by("--data", str(MINI), "query", "overlap", "--format", "csv") == ["pgraph.graphs.pairwise"]
