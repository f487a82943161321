"""`pgraph validate` on the real data and fixtures: exit codes, formats, and the fast engine equal to pySHACL."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import rdflib

from conftest import FIXTURES, MINI, ROOT, assert_user_error, run_cli
from pgraph.validate.engine import compile_shapes
from pgraph.validate.pairs import counted_shapes
from pgraph.validate.run import Settings, shape_files, validate
from pgraph.validate.formats import rules_markdown

AS_OF = Settings(as_of=dt.date(2026, 11, 28))
PGSH = "https://w3id.org/pgraph/shapes#"


@pytest.fixture(scope="module")
def real_report():
    return validate(settings=AS_OF)


def test_the_real_data_has_no_violation(real_report):
    violations = [(f.focus, f.message) for f in real_report.findings if f.severity == "Violation"]
    assert violations == []


@pytest.mark.parametrize("shape,focus", [
    ("NeverTerminatedShape", "instrument/pfp"),   # PfP's enlargement purpose fulfilled, still in force
    ("NeverTerminatedShape", "instrument/md"),    # the MD's regional goal not met, still in force
    ("NeverTerminatedShape", "instrument/ici"),
    ("DormantParticipationShape", "participation/pfp-KGZ"),
    ("DormantParticipationShape", "participation/pfp-TJK"),
    ("ZombieShape", "instrument/nato-russia-council"),
    ("RedundantPairShape", "instrument/eapc"),
])
def test_jungle_smells_fire_where_the_article_says_they_should(real_report, shape, focus):
    assert any(f.shape == PGSH + shape and f.focus.endswith(f"/{focus}>") for f in real_report.findings)


def test_the_fast_engine_equals_pyshacl_on_the_real_data(real_report):
    reference = validate(settings=AS_OF, engine="pyshacl")
    assert {f.key() for f in real_report.findings} == {f.key() for f in reference.findings}


@pytest.mark.parametrize("fixture", sorted(p.stem for p in (FIXTURES / "shapes").glob("*.ttl")))
def test_the_fast_engine_equals_pyshacl_on_every_fixture(fixture):
    files = [FIXTURES / "shapes" / f"{fixture}.ttl"]
    fast = validate(files, data_dir=MINI, settings=AS_OF)
    reference = validate(files, data_dir=MINI, settings=AS_OF, engine="pyshacl")
    assert {f.key() for f in fast.findings} == {f.key() for f in reference.findings}
    assert fast.findings


def test_text_report_names_rule_thing_file_line_and_fix():
    result = run_cli("--data", str(MINI), "validate", str(FIXTURES / "shapes" / "participation-start-after-end.ttl"))
    assert result.returncode == 1
    assert "VIOLATIONS: errors in the data, fix them (1)" in result.stdout
    assert "participation: x  tests/fixtures/shapes/participation-start-after-end.ttl:" in result.stdout
    assert "pg:startDate: the start date is after the end date" in result.stdout
    assert "fix: Complete the participation" in result.stdout


def test_exit_code_follows_fail_on():
    assert run_cli("--data", str(MINI), "validate").returncode == 0            # warnings only
    assert run_cli("--data", str(MINI), "validate", "--fail-on", "warning").returncode == 1
    assert run_cli("--data", str(MINI), "validate", "--fail-on", "info").returncode == 1


def test_json_report_lists_results_with_locations():
    result = run_cli("--data", str(MINI), "validate", "--format", "json", "--as-of", "2026-11-28")
    doc = json.loads(result.stdout)
    assert doc["counts"] == {"violation": 0, "warning": 4, "info": 1}  # two quiet instruments (md, tf) since 2026-11
    pfp = [r for r in doc["results"] if r["focus_id"] == "pfp"][0]
    assert pfp["file"].endswith("graph.ttl") and pfp["line"] > 0 and pfp["rule"] == "never terminated"


def test_turtle_report_is_a_standard_shacl_validation_report():
    result = run_cli("--data", str(MINI), "validate", "--format", "turtle")
    g = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    report = next(g.subjects(rdflib.RDF.type, sh.ValidationReport))
    assert g.value(report, sh.conforms).toPython() is False   # warnings make sh:conforms false
    assert len(list(g.objects(report, sh.result))) == 5   # 4 warnings (2 quiet instruments) and 1 info


def test_markdown_report_is_a_table():
    result = run_cli("--data", str(MINI), "validate", "--format", "md")
    assert "| severity | rule | focus | where | message |" in result.stdout


def test_only_checks_a_file_with_the_ontology_alone(tmp_path):
    result = run_cli("validate", "--only", str(FIXTURES / "shapes" / "participation-without-source.ttl"))
    assert result.returncode == 1
    # alone, the participant and instrument are not described: more violations than with the data
    assert "described country or organisation" in result.stdout


def test_malformed_file_exits_2_with_position(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix pg: <https://w3id.org/pgraph/ontology#> .\npg:x pg:y \"unterminated .\n", encoding="utf-8")
    assert_user_error(run_cli("validate", str(bad)), f"{bad}:2:")


def test_bad_threshold_is_a_usage_error():
    assert_user_error(run_cli("validate", "--min-jaccard", "2"), "--min-jaccard must be in (0, 1]")
    assert_user_error(run_cli("validate", "--as-of", "yesterday"), "as-of")


def test_docs_validation_md_lists_every_rule():
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    table = rules_markdown(compile_shapes(shape_files()).described)
    assert doc.split("<!-- rules:begin -->\n")[1].split("<!-- rules:end -->")[0] == table


def _counted_and_sparql(files, data_dir, settings):
    """The counted smells (validate/pairs.py) and the same shapes' SPARQL, on one store."""
    import pyoxigraph as ox
    from pgraph.store import EmbeddedStore, collect
    from pgraph.validate.engine import run
    from pgraph.validate.pairs import SHAPES, pair_findings
    store = EmbeddedStore(collect(data_dir, tuple(files), only=False)).store
    for t in ox.parse(settings.ntriples().encode(), format=ox.RdfFormat.N_TRIPLES):
        store.add(ox.Quad(t.subject, t.predicate, t.object))
    compiled = compile_shapes(shape_files())
    return store, set(pair_findings(store, compiled)), {f for f in run(store, compiled) if f.shape in SHAPES}


@pytest.mark.parametrize("day,most", [("2015-01-01", 1), ("2015-01-01", 2), ("2024-06-01", 2), ("1996-01-01", 1)])
def test_many_instruments_counted_from_rows_equals_its_sparql(day, most):
    settings = Settings(as_of=dt.date.fromisoformat(day), max_instruments=most)
    _store, counted, by_sparql = _counted_and_sparql([], MINI, settings)
    assert counted == by_sparql
    assert any(f.shape == PGSH + "ManyInstrumentsShape" for f in counted)


def test_an_untyped_participation_leaves_many_instruments_to_its_sparql(tmp_path):
    """The shape counts a participation not typed pg:Participation, the rows do not: the fast engine
    must then answer with the shape's SPARQL, as pySHACL does."""
    extra = tmp_path / "untyped.ttl"
    extra.write_text("@prefix pg: <https://w3id.org/pgraph/ontology#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                     "<https://w3id.org/pgraph/id/participation/md-SWE> pg:participant <https://w3id.org/pgraph/id/country/SWE> ;\n"
                     "    pg:instrument <https://w3id.org/pgraph/id/instrument/md> ; pg:startDate \"2000-01-01\"^^xsd:date .\n")
    settings = Settings(as_of=dt.date(2024, 6, 1), max_instruments=3)
    store, counted, by_sparql = _counted_and_sparql([extra], MINI, settings)
    many = PGSH + "ManyInstrumentsShape"
    assert {f.focus for f in by_sparql if f.shape == many} == {"<https://w3id.org/pgraph/id/country/SWE>"}
    assert not any(f.shape == many for f in counted)          # counting rows alone would miss it
    assert many not in counted_shapes(store)
    fast = validate([extra], data_dir=MINI, settings=settings)
    assert {f.key() for f in fast.findings if f.shape == many} == {f.key() for f in by_sparql if f.shape == many}


@pytest.mark.parametrize("day", ["2004-06-01", "2014-06-01", "2026-11-28", "1999-06-01"])
def test_zombie_counted_from_rows_equals_its_sparql(day):
    settings = Settings(as_of=dt.date.fromisoformat(day))
    store, counted, by_sparql = _counted_and_sparql([FIXTURES / "shapes" / "smell-zombie.ttl"], MINI, settings)
    zombie = PGSH + "ZombieShape"
    assert zombie in counted_shapes(store)
    assert {f for f in counted if f.shape == zombie} == {f for f in by_sparql if f.shape == zombie}
    assert any(f.shape == zombie for f in counted) == (day >= "2005")


def _zombie_with_a_datetime_start(tmp_path: Path) -> list[Path]:
    """The zombie fixture plus Sweden's participation in it started on an xsd:dateTime, not an xsd:date."""
    extra = tmp_path / "datetime.ttl"
    extra.write_text("@prefix pg: <https://w3id.org/pgraph/ontology#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
                     "<https://w3id.org/pgraph/id/participation/z-SWE> a pg:Participation ;\n"
                     "    pg:participant <https://w3id.org/pgraph/id/country/SWE> ;\n"
                     "    pg:instrument <https://w3id.org/pgraph/id/instrument/z> ;\n"
                     "    pg:startDate \"2001-01-01T00:00:00\"^^xsd:dateTime .\n")
    return [FIXTURES / "shapes" / "smell-zombie.ttl", extra]


def test_a_date_of_another_type_leaves_the_zombie_to_its_sparql(tmp_path):
    """The rows read a start as xsd:date(...), the shape compares it as it is (a dateTime is then no
    start by the date): the fast engine must then answer with the shape's SPARQL, as pySHACL does."""
    files = _zombie_with_a_datetime_start(tmp_path)
    store, counted, by_sparql = _counted_and_sparql(files, MINI, AS_OF)
    zombie = PGSH + "ZombieShape"
    assert {f.focus for f in by_sparql if f.shape == zombie} == {"<https://w3id.org/pgraph/id/instrument/z>"}
    assert not any(f.shape == zombie for f in counted)        # the rows count the dateTime start as active
    assert not counted_shapes(store)                           # every counted smell reads dates as the rows do
    fast = validate(files, data_dir=MINI, settings=AS_OF)
    reference = validate(files, data_dir=MINI, settings=AS_OF, engine="pyshacl")
    assert {f.key() for f in fast.findings if f.shape == zombie} == {f.key() for f in by_sparql if f.shape == zombie}
    assert {f.key() for f in fast.findings} == {f.key() for f in reference.findings}


@pytest.mark.parametrize("most", [1, 2, 3])
def test_a_date_of_another_type_leaves_many_instruments_to_its_sparql(tmp_path, most):
    """A participation started on an xsd:dateTime: the shape's SPARQL does not count it as started
    by the date, the rows (xsd:date(...)) do, so counting would report one instrument more."""
    files = _zombie_with_a_datetime_start(tmp_path)
    settings = Settings(as_of=dt.date(2024, 6, 1), max_instruments=most)
    store, counted, by_sparql = _counted_and_sparql(files, MINI, settings)
    many = PGSH + "ManyInstrumentsShape"
    assert {f for f in counted if f.shape == many} != {f for f in by_sparql if f.shape == many}  # the case at stake
    assert many not in counted_shapes(store)
    fast = validate(files, data_dir=MINI, settings=settings)
    reference = validate(files, data_dir=MINI, settings=settings, engine="pyshacl")
    assert {f.key() for f in fast.findings if f.shape == many} == {f.key() for f in by_sparql if f.shape == many}
    assert {f.key() for f in fast.findings} == {f.key() for f in reference.findings}


def test_validate_reads_the_parsed_graph_cache_without_writing_its_settings_into_it(tmp_path, monkeypatch):
    import pyoxigraph as ox
    import pgraph
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    first = validate(data_dir=MINI, settings=AS_OF)
    entries = list((tmp_path / "cache").rglob("*.nq"))
    assert len(entries) == 1                                   # the first run stored the parsed graph
    before = entries[0].read_bytes()
    second = validate(data_dir=MINI, settings=Settings(as_of=dt.date(2015, 1, 1), max_instruments=2))
    assert entries[0].read_bytes() == before                   # the second run read it and left it alone
    assert PGSH.encode() + b"settings" not in before
    kg = pgraph.load(MINI, cached=True)
    assert kg.backend.cache_state == "hit"
    assert not list(kg.backend.store.quads_for_pattern(ox.NamedNode(PGSH + "settings"), None, None))
    assert {f.key() for f in first.findings} == {f.key() for f in validate(data_dir=MINI, settings=AS_OF).findings}
    assert any(f.shape == PGSH + "ManyInstrumentsShape" for f in second.findings)


def test_participations_read_by_the_caller_give_the_same_findings_and_locate_false_looks_up_no_file():
    """The report hands validation the participations it already read, and asks for no file and line:
    the same findings, labels included; a date other than the settings' is refused."""
    from pgraph.errors import InternalError
    from pgraph.graph import load
    from pgraph.graphs import Participation
    from pgraph.validate.run import validate_store
    kg = load(cached=False)
    alone = validate_store(kg.backend, settings=AS_OF)
    shared = validate_store(kg.backend, settings=AS_OF, locate=False, show_progress=False,
                            participation=Participation.fetch(kg, AS_OF.as_of.isoformat()))
    assert shared.findings == alone.findings and shared.labels == alone.labels
    assert any(f.shape == PGSH + "RedundantPairShape" for f in shared.findings)
    assert alone.locations and not shared.locations
    with pytest.raises(InternalError, match="2026-11-27"):
        validate_store(kg.backend, settings=AS_OF, participation=Participation.fetch(kg, "2026-11-27"))


def test_each_property_a_participation_misses_or_doubles_is_its_own_result():
    # the fast engine asks for a node shape's minCount 1 in one query and skips a maxCount 1 whose path no
    # subject repeats: each result must still name its own focus, path, component and message
    report = validate([FIXTURES / "shapes" / "participation-missing-two-doubling-two.ttl"], data_dir=MINI,
                      settings=AS_OF)
    pg, part = "https://w3id.org/pgraph/ontology#", "<https://w3id.org/pgraph/id/participation/"
    found = {(f.focus.removeprefix(part), f.component, f.path, f.message.split(" pg:")[0])
             for f in report.findings if f.shape == PGSH + "ParticipationShape"}
    assert found == {
        ("x>", "MinCountConstraintComponent", pg + "status", "a participation needs exactly one"),
        ("x>", "MinCountConstraintComponent", "http://purl.org/dc/terms/source",
         "every participation needs a dcterms:source"),
        ("y>", "MaxCountConstraintComponent", pg + "participant", "a participation needs exactly one"),
        ("y>", "MaxCountConstraintComponent", pg + "startDate", "a participation needs exactly one"),
    }
