"""Apache Jena's SHACL validator (Debian's libapache-jena-java) finds the same results as pgraph on the fixtures.

Debian's Jena 4.5 does not start as shipped: its relocated Xerces classes look for message
bundles under xerces/ while the jar keeps them under org/apache/jena/ext/xerces/, and two SLF4J
bindings clash. The fixture below copies the bundles to where the classes look and leaves the
clashing jars off the classpath; nothing else is changed.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import rdflib

from conftest import FIXTURES, MINI
from pgraph.store.sources import collect
from pgraph.store.backends import EmbeddedStore
from pgraph.validate.run import Settings, findings_from_report, shape_files, validate

JAVA_DIR = Path("/usr/share/java")
AS_OF = Settings(as_of=dt.date(2026, 11, 28))
CLASHING = ("log4j-over-slf4j", "slf4j-log4j12", "slf4j-jdk", "slf4j-nop", "logback", "maven3-slf4j", "slf4j-jcl")


@pytest.fixture(scope="module")
def jena(tmp_path_factory):
    if not (JAVA_DIR / "jena-shacl.jar").exists() or not shutil.which("java"):
        if os.environ.get("PGRAPH_REQUIRE_JENA"):
            pytest.fail("Apache Jena (libapache-jena-java) is required here but not installed")
        pytest.skip("Debian's libapache-jena-java is not installed on this machine")
    fix = tmp_path_factory.mktemp("jena-fix")
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith("org/apache/jena/ext/xerces/") and not name.endswith("/"):
                target = fix / "xerces" / name.removeprefix("org/apache/jena/ext/xerces/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    jars = [str(p) for p in sorted(JAVA_DIR.glob("*.jar")) if not any(c in p.name for c in CLASHING)]
    return os.pathsep.join([str(fix), *jars])


def _jena_findings(classpath: str, files: list[Path], tmp: Path):
    import pyoxigraph as ox
    store = EmbeddedStore(collect(MINI, tuple(files)))
    data = tmp / "data.nt"
    data.write_bytes(store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
                     + AS_OF.ntriples().encode())
    shapes_store = ox.Store()
    for path in shape_files():
        shapes_store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    shapes = tmp / "shapes.nt"
    shapes.write_bytes(shapes_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()))
    out = subprocess.run(["java", "-cp", classpath, "shacl.shacl", "validate", "--shapes", str(shapes),
                          "--data", str(data)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    report = rdflib.Graph().parse(data=out.stdout, format="turtle")
    return findings_from_report(report, rdflib.Graph().parse(shapes, format="nt"))


@pytest.mark.parametrize("fixture", sorted(p.stem for p in (FIXTURES / "shapes").glob("*.ttl")))
def test_jena_finds_the_same_results_on_the_fixture(jena, fixture, tmp_path):
    files = [FIXTURES / "shapes" / f"{fixture}.ttl"]
    ours = {f.key() for f in validate(files, data_dir=MINI, settings=AS_OF).findings}
    theirs = {f.key() for f in _jena_findings(jena, files, tmp_path)}
    assert ours == theirs
