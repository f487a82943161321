"""The parsed-graph cache: same answers as a fresh load, never stale, never trusted blindly, safe under
concurrency and interruption, and it deletes nothing it did not create."""
from __future__ import annotations

import contextlib
import os
import re
import resource
import shutil
import stat
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pgraph
from conftest import MINI, ROOT, run_cli
from pgraph.store import backends, cache

WARNING = re.compile(r"^pgraph: warning: cache: .+$")
CACHE_FUZZ_EXAMPLES = 150  # stated in docs/reliability.md


@pytest.fixture()
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    target = tmp_path / "data"
    shutil.copytree(MINI, target)
    return target


def folder(tmp_path: Path) -> Path:
    return tmp_path / "cache" / cache.FOLDER


def entries(tmp_path: Path) -> list[Path]:
    return sorted(folder(tmp_path).glob("*.nq"))


def answers(kg: pgraph.KnowledgeGraph) -> list:
    return [kg.query("members", instrument="pfp"), kg.query("overlap"), kg.query("partners"), len(kg.backend)]


def part_answers(kg: pgraph.KnowledgeGraph) -> list:
    """The answers of `answers` that a store holding only their questions' predicates gives."""
    return answers(kg)[:3]


def their_predicates() -> frozenset[str]:
    """The predicates `answers`' questions read (and the name resolver's): what a partial load holds."""
    from pgraph.catalog import Catalog, saved_predicates
    from pgraph.graph import RESOLVER_READS
    catalog = Catalog()
    return RESOLVER_READS.union(*(saved_predicates(catalog.get(n)) for n in ("members", "overlap", "partners")))


def one_warning(err: str, *fragments: str) -> None:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and WARNING.match(lines[0]), err
    for fragment in fragments:
        assert fragment in lines[0], (fragment, err)


# --------------------------------------------------------------------------- same answers, reused, never stale

def test_cached_store_answers_like_the_in_memory_one(data):
    fresh = pgraph.load(data)
    stored = pgraph.load(data, cached=True)
    hit = pgraph.load(data, cached=True)
    assert (fresh.backend.cache_state, stored.backend.cache_state, hit.backend.cache_state) == ("off", "stored", "hit")
    assert answers(stored) == answers(fresh) == answers(hit)


def test_a_second_load_reuses_the_entry(data, tmp_path):
    pgraph.load(data, cached=True)
    stored = entries(tmp_path)
    before = stored[0].read_bytes()
    assert pgraph.load(data, cached=True).backend.cache_state == "hit"
    assert entries(tmp_path) == stored and len(stored) == 1 and stored[0].read_bytes() == before


def test_a_cached_graph_is_an_in_memory_store_that_validation_uses_directly(data):
    kg = pgraph.load(data, cached=True)
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "hit" and not kg.backend.read_only
    from pgraph.validate import validate_store
    assert validate_store(kg.backend).count("Violation") == validate_store(pgraph.load(data).backend).count("Violation")


def test_editing_a_file_invalidates_the_cache(data):
    before = pgraph.load(data, cached=True).query("members", instrument="md")
    graph = data / "graph.ttl"
    stat = graph.stat()
    text = graph.read_text(encoding="utf-8").replace('pg:instrument inst:md ;\n    pg:startDate "1995-02-01"',
                                                     'pg:instrument inst:md ;\n    pg:startDate "1996-02-01"')
    graph.write_text(text, encoding="utf-8")
    os.utime(graph, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size class, same mtime: content decides
    after = pgraph.load(data, cached=True).query("members", instrument="md")
    assert before[0]["since"] == "1995-02-01" and after[0]["since"] == "1996-02-01"


def test_adding_a_file_invalidates_the_cache(data):
    assert len(pgraph.load(data, cached=True).query("allies")) == 2
    (data / "more.ttl").write_text(
        "@prefix pg: <https://w3id.org/pgraph/ontology#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/pgraph/id/accession/SWE> a pg:Accession ;\n"
        "  pg:participant <https://w3id.org/pgraph/id/country/SWE> ; pg:date \"2024-03-07\"^^xsd:date .\n",
        encoding="utf-8")
    assert len(pgraph.load(data, cached=True).query("allies")) == 3


def test_a_file_edited_while_it_is_loaded_never_leaves_a_stale_entry(data, monkeypatch):
    """An editor saves graph.ttl between the cache's look at it and the parse: the entry is keyed
    by the bytes parsed, so the old content on disk later gets its own answers, never the new ones."""
    graph = data / "graph.ttl"
    old = graph.read_bytes()
    new = old.replace(b'pg:startDate "1995-02-01"', b'pg:startDate "1996-02-01"')
    assert new != old
    real_read = backends.read_bytes

    def save_then_read(path):
        if path == graph:
            graph.write_bytes(new)  # the save lands just before this read
        return real_read(path)

    with monkeypatch.context() as m:
        m.setattr(backends, "read_bytes", save_then_read)
        during = pgraph.load(data, cached=True).query("members", instrument="md")
    assert during[0]["since"] == "1996-02-01"
    graph.write_bytes(old)  # undo
    assert pgraph.load(data, cached=True).query("members", instrument="md")[0]["since"] == "1995-02-01"
    graph.write_bytes(new)
    assert pgraph.load(data, cached=True).query("members", instrument="md")[0]["since"] == "1996-02-01"


def test_an_interrupted_build_is_never_used_and_leaves_nothing(data, tmp_path):
    def interrupted(store, blobs):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        cache.load_or_build(sorted(data.glob("*.ttl")), Path.read_bytes, interrupted)
    assert not entries(tmp_path) and not list(folder(tmp_path).glob(".*.part"))
    assert pgraph.load(data, cached=True).query("members", instrument="md")


def test_cache_can_be_switched_off(data, tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", "off")
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "off"
    assert not (tmp_path / "cache").exists() and not (tmp_path / "state").exists()


def test_a_malformed_file_is_reported_through_the_cache_path(data, tmp_path):
    (data / "bad.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b ;; .\n", encoding="utf-8")
    result = run_cli("--data", str(data), "query", "allies",
                     env={"PGRAPH_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")})
    assert result.returncode == 2 and f"{data / 'bad.ttl'}:2:" in result.stderr
    assert not entries(tmp_path)


# --------------------------------------------------------------------------- deletes only what it created

def _tree(root: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_a_cache_pointed_at_a_checkout_deletes_nothing_there(tmp_path):
    """PGRAPH_CACHE=. in a checkout: before, pruning removed every non-dot folder (data/, docs/...)."""
    checkout = tmp_path / "checkout"
    for name in ("benchmarks", "data", "docs", "ontology", "queries", "a" * 40, "0123456789" * 4 + ".nq"):
        (checkout / name).mkdir(parents=True)
        (checkout / name / "keep.txt").write_text(name, encoding="utf-8")
    (checkout / ("f" * 40 + ".nq")).write_text("not pgraph's", encoding="utf-8")  # a file named like an entry
    (checkout / ".build-abcdefgh").mkdir()
    before = _tree(checkout)
    env = {"PGRAPH_CACHE": ".", "XDG_STATE_HOME": str(tmp_path / "state")}
    for i in range(cache.KEEP + 2):  # enough different graphs to make pruning run
        graph = tmp_path / f"g{i}"
        shutil.copytree(MINI, graph)
        (graph / "extra.ttl").write_text(f"<http://example.org/s> <http://example.org/p> {i} .\n", encoding="utf-8")
        result = run_cli("--data", str(graph), "stats", env=env, cwd=checkout)
        assert result.returncode == 0 and result.stderr == "", result.stderr
    after = _tree(checkout)
    assert {k: v for k, v in after.items() if not k.startswith(cache.FOLDER)} == before
    assert len(list((checkout / cache.FOLDER).glob("*.nq"))) == cache.KEEP


def test_a_folder_named_like_the_cache_but_not_made_by_pgraph_is_left_alone(data, tmp_path, capsys):
    theirs = folder(tmp_path)
    theirs.mkdir(parents=True, mode=0o700)
    for i in range(cache.KEEP + 3):
        (theirs / f"{i:040x}.nq").write_text("someone else's file", encoding="utf-8")
    before = _tree(theirs)
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "bypassed" and answers(kg) == answers(pgraph.load(data))
    one_warning(capsys.readouterr().err, "not pgraph's cache folder")
    assert _tree(theirs) == before


def test_pruning_keeps_the_most_recently_used_entries_and_only_pgraph_names(tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    own = cache.own_folder(tmp_path / "cache")
    names = [f"{i:040x}.nq" for i in range(cache.KEEP + 3)]
    for age, name in enumerate(names):
        (own / name).write_bytes(b"x")
        os.utime(own / name, (time.time() - 100 * age, time.time() - 100 * age))
    (own / "notes.txt").write_text("mine", encoding="utf-8")
    (own / ("b" * 40 + ".nq")).mkdir()
    cache.prune(own)
    left = sorted(p.name for p in own.iterdir())
    assert left == sorted([".lock", cache.MARKER, "notes.txt", "b" * 40 + ".nq", *names[:cache.KEEP]])


def hints(tmp_path: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="ascii") for p in folder(tmp_path).glob("*.hint")}


def test_a_warm_load_knows_its_entry_from_the_files_stat_and_still_checks_their_bytes(data, tmp_path):
    stored = pgraph.load(data, cached=True)
    entry = entries(tmp_path)[0]
    assert stored.backend.cache_state == "stored" and list(hints(tmp_path).values()) == [entry.stem + "\n"]
    hit = pgraph.load(data, cached=True)
    assert hit.backend.cache_state == "hit" and answers(hit) == answers(pgraph.load(data))
    assert len(hints(tmp_path)) == 1


def test_a_hint_naming_another_graphs_entry_never_gives_that_graphs_answers(data, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(data, other)
    graph = other / "graph.ttl"
    graph.write_bytes(graph.read_bytes().replace(b'pg:startDate "1995-02-01"', b'pg:startDate "1996-02-01"'))
    pgraph.load(data, cached=True)
    mine = set(hints(tmp_path))
    pgraph.load(other, cached=True)
    (theirs,) = set(hints(tmp_path)) - mine
    first = {p.stem for p in entries(tmp_path)} - {hints(tmp_path)[theirs].strip()}
    (folder(tmp_path) / theirs).write_text(f"{first.pop()}\n", encoding="ascii")  # now names data's entry
    kg = pgraph.load(other, cached=True)
    assert kg.backend.cache_state == "hit"
    assert kg.query("members", instrument="md")[0]["since"] == "1996-02-01"
    assert answers(kg) == answers(pgraph.load(other))
    assert hints(tmp_path)[theirs].strip() != hints(tmp_path)[next(iter(mine))].strip()  # corrected


@pytest.mark.parametrize("damage", ["junk", "symlink", "fifo", "folder"])
def test_a_damaged_hint_only_costs_the_head_start(data, tmp_path, capsys, damage):
    pgraph.load(data, cached=True)
    (name,) = hints(tmp_path)
    hint = folder(tmp_path) / name
    hint.unlink()
    if damage == "junk":
        hint.write_bytes(b"../../etc/passwd\n")
    elif damage == "symlink":
        hint.symlink_to(entries(tmp_path)[0])
    elif damage == "fifo":
        os.mkfifo(hint)
    else:
        hint.mkdir()
    capsys.readouterr()
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "hit" and answers(kg) == answers(pgraph.load(data))
    assert capsys.readouterr().err == ""
    if damage == "junk":
        assert hint.read_text(encoding="ascii") == entries(tmp_path)[0].stem + "\n"  # a regular file: rewritten
    else:
        assert hint.is_symlink() if damage == "symlink" else (stat.S_ISFIFO(hint.lstat().st_mode)
                                                               if damage == "fifo" else hint.is_dir())


def test_pruning_removes_the_hints_of_removed_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    graphs = _graphs(tmp_path, cache.KEEP + 1)
    for graph, _ in graphs:
        pgraph.load(graph, cached=True)
        time.sleep(0.01)  # distinct modification times: the first graph's entry is the oldest
    left = {p.stem for p in entries(tmp_path)}
    assert len(left) == cache.KEEP
    assert sorted(v.strip() for v in hints(tmp_path).values()) == sorted(left)


# --------------------------------------------------------------------------- never trusted blindly

def _build(data: Path) -> Path:
    pgraph.load(data, cached=True)
    found = sorted(Path(os.environ["PGRAPH_CACHE"], cache.FOLDER).glob("*.nq"))
    assert len(found) == 1
    return found[0]


def _flip(entry: Path) -> None:
    raw = bytearray(entry.read_bytes())
    for at in (len(raw) // 3, len(raw) // 2, len(raw) - 5):
        raw[at] ^= 0x20
    entry.write_bytes(bytes(raw))


def _truncate(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def _junk(entry: Path) -> None:
    entry.write_bytes(os.urandom(4096))


def _foreign_owner(entry: Path) -> None:
    os.chown(entry, 65534, 65534)


def _group_writable(entry: Path) -> None:
    entry.chmod(0o664)


def _symlink(entry: Path) -> None:
    elsewhere = entry.parent.parent / "elsewhere.nq"
    shutil.move(entry, elsewhere)
    entry.symlink_to(elsewhere)


def _fifo(entry: Path) -> None:
    entry.unlink()
    os.mkfifo(entry)


def _poisoned(entry: Path) -> None:
    """A store planted by someone who can write the cache folder: the right key, a label changed,
    and the header signed with a secret that is not this user's."""
    raw = entry.read_bytes()
    head, _, body = raw.partition(b"\n")
    body = body.replace(b'"Partnership for Peace"', b'"POISONED"')
    fields = head.split(b" ")
    fields[4] = cache._mac(b"\x00" * 32, fields[3].decode(), body).hexdigest().encode()
    entry.write_bytes(b" ".join(fields) + b"\n" + body)


DAMAGE = {
    "flipped-bytes": (_flip, "signature does not match"),
    "truncated": (_truncate, "signature does not match"),
    "random-bytes": (_junk, "no pgraph header"),
    "owned-by-another-user": (_foreign_owner, "owned by another user"),
    "group-writable": (_group_writable, "writable by group or others"),
    "symlink": (_symlink, "cannot be opened"),
    "fifo": (_fifo, "not a regular file"),
    "planted-with-poisoned-labels": (_poisoned, "signature does not match"),
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_a_damaged_or_foreign_entry_is_rebuilt_with_one_warning(data, capsys, damage):
    assert b'"Partnership for Peace"' in (data / "graph.ttl").read_bytes()
    reference = answers(pgraph.load(data))
    entry = _build(data)
    capsys.readouterr()
    hurt, message = DAMAGE[damage]
    hurt(entry)
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "stored" and answers(kg) == reference
    assert "POISONED" not in str(answers(kg))
    one_warning(capsys.readouterr().err, str(entry), message, "rebuilding it")
    healed = pgraph.load(data, cached=True)  # the entry was replaced by a good one
    assert healed.backend.cache_state == "hit" and answers(healed) == reference
    assert capsys.readouterr().err == ""


def test_a_damaged_entry_gives_a_warning_line_on_the_command_line_not_a_traceback(data, tmp_path):
    env = {"PGRAPH_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    first = run_cli("--data", str(data), "stats", env=env)
    assert first.returncode == 0 and first.stderr == ""
    entry = entries(tmp_path)[0]
    _flip(entry)
    again = run_cli("--data", str(data), "stats", env=env)
    assert again.returncode == 0 and again.stdout == first.stdout
    one_warning(again.stderr, "signature does not match")


def test_a_copied_cache_signed_by_another_users_secret_is_not_trusted(data, tmp_path, monkeypatch, capsys):
    reference = answers(pgraph.load(data))
    _build(data)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "another-state"))  # a restored cache, a new secret
    capsys.readouterr()
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "stored" and answers(kg) == reference
    one_warning(capsys.readouterr().err, "not written by this user")


def test_leftovers_of_the_old_layout_are_ignored(data, tmp_path, capsys):
    """A folder holding only `.complete` and a file named like a key, left by the on-disk-store cache."""
    blobs = [(p, p.read_bytes()) for p in pgraph.store.collect(data).all]
    digest = cache.key(blobs)
    (tmp_path / "cache" / digest).mkdir(parents=True)
    (tmp_path / "cache" / digest / ".complete").touch()
    (tmp_path / "cache" / ("c" * 40)).write_text("junk", encoding="utf-8")
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "stored" and answers(kg) == answers(pgraph.load(data))
    assert capsys.readouterr().err == ""


def test_a_folder_named_like_the_entry_is_bypassed_and_left_alone(data, tmp_path, capsys):
    entry = _build(data)
    entry.unlink()
    entry.mkdir()
    (entry / ".complete").touch()
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "bypassed" and answers(kg) == answers(pgraph.load(data))
    one_warning(capsys.readouterr().err, "a folder named like a cache entry", "loading without the cache")
    assert (entry / ".complete").exists()


@pytest.mark.parametrize("problem", ["owned-by-another-user", "group-writable", "not-a-folder"])
def test_a_cache_folder_that_is_not_safely_ours_is_bypassed(data, tmp_path, capsys, problem):
    _build(data)
    own = folder(tmp_path)
    if problem == "owned-by-another-user":
        os.chown(own, 65534, 65534)
    elif problem == "group-writable":
        own.chmod(0o770)
    else:
        shutil.rmtree(own)
        own.write_text("a file", encoding="utf-8")
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "bypassed" and answers(kg) == answers(pgraph.load(data))
    one_warning(capsys.readouterr().err, "loading without the cache")


def test_a_bad_data_file_with_an_unusable_cache_gives_only_the_input_error(data, tmp_path):
    env = {"PGRAPH_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    assert run_cli("--data", str(data), "stats", env=env).returncode == 0
    folder(tmp_path).chmod(0o777)
    (data / "bad.ttl").write_text("@prefix x: <http://x/> .\nx:a x:b ;; .\n", encoding="utf-8")
    result = run_cli("--data", str(data), "stats", env=env)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("pgraph: error: ") and "bad.ttl:2:" in result.stderr


@pytest.mark.parametrize("problem", ["readable-by-others", "a-folder", "too-short"])
def test_an_unsafe_or_damaged_signing_secret_is_refused(data, tmp_path, capsys, problem):
    _build(data)
    secret = cache.secret_path()
    if problem == "readable-by-others":
        secret.chmod(0o644)
    elif problem == "a-folder":
        secret.unlink()
        secret.mkdir()
    else:
        secret.write_bytes(b"short")
    kg = pgraph.load(data, cached=True)
    assert kg.backend.cache_state == "bypassed" and answers(kg) == answers(pgraph.load(data))
    one_warning(capsys.readouterr().err, "signing secret", str(secret))


def test_a_full_disk_while_storing_falls_back_to_memory_with_one_warning(data, tmp_path):
    """A real write failure: the process may write files of at most 64 KiB (RLIMIT_FSIZE), the entry is bigger."""
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write then fails with EFBIG, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
    env = {**os.environ, "PGRAPH_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    result = subprocess.run([sys.executable, "-m", "pgraph", "--data", str(data), "stats"], capture_output=True,
                            text=True, env=env, cwd=ROOT, preexec_fn=small_files, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == run_cli("--data", str(data), "stats", env={"PGRAPH_CACHE": "off"}).stdout
    one_warning(result.stderr, "cannot store the parsed graph", "File too large", "loaded without the cache")
    assert not entries(tmp_path) and not list(folder(tmp_path).glob(".*.part"))


# --------------------------------------------------------------------------- concurrency and interruption

def _graphs(tmp_path: Path, n: int) -> list[tuple[Path, int]]:
    out = []
    for i in range(n):
        graph = tmp_path / f"g{i}"
        shutil.copytree(MINI, graph)
        lines = "".join(f"<http://example.org/s{i}> <http://example.org/p> {k} .\n" for k in range(i + 1))
        (graph / "extra.ttl").write_text(lines, encoding="utf-8")
        out.append((graph, i + 1))
    return out


def test_eight_concurrent_runs_on_different_data_share_one_cache_safely(tmp_path):
    env = {**os.environ, "PGRAPH_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    graphs = _graphs(tmp_path, 8)
    base = int(re.search(r"triples: (\d+)", run_cli("--data", str(MINI), "stats", env={"PGRAPH_CACHE": "off"})
                         .stdout).group(1))
    for round_ in range(3):  # cold, then warm entries opened while other runs store and prune
        procs = [(subprocess.Popen([sys.executable, "-m", "pgraph", "--data", str(g), "stats"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), extra)
                 for g, extra in graphs]
        for proc, extra in procs:
            out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0 and err == "", (round_, err)
            assert f"triples: {base + extra}\n" in out, (round_, out)
    own = folder(tmp_path)
    assert len(list(own.glob("*.nq"))) == cache.KEEP and not list(own.glob(".*.part"))


def test_an_abandoned_part_file_is_pruned_but_not_one_a_live_build_holds(tmp_path, monkeypatch):
    own = cache.own_folder(tmp_path / "cache")
    abandoned = own / f".{'a' * 40}.0badc0de.part"
    live = own / f".{'b' * 40}.12345678.part"
    for part in (abandoned, live):
        part.write_bytes(b"x" * 1000)
        os.utime(part, (time.time() - 3600, time.time() - 3600))
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time\n"
                               f"fd = os.open({str(live)!r}, os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_EX)\n"
                               "print('held', flush=True); time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        cache.prune(own)
        assert not abandoned.exists() and live.exists()
    finally:
        holder.kill()
        holder.wait()
    cache.prune(own)
    assert not live.exists()


@pytest.fixture(scope="module")
def big_graph(tmp_path_factory):
    data = tmp_path_factory.mktemp("big") / "100k"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "100000", str(data)],
                   check=True, capture_output=True, timeout=300)
    return data


def test_ctrl_c_while_the_cache_entry_is_written_leaves_no_part_file(big_graph, tmp_path):
    env = {**os.environ, "PGRAPH_CACHE": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    own = folder(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "pgraph", "--data", str(big_graph), "stats"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not (own.is_dir() and any(own.glob(".*.part"))):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.002)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert not list(own.glob(".*.part"))
    for entry in own.glob("*.nq"):  # if the rename won the race, the entry is whole and verified
        assert pgraph.load(big_graph, cached=True).backend.cache_state == "hit"


def test_an_entry_whose_index_is_damaged_is_rebuilt_with_one_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PGRAPH_CACHE", str(tmp_path / "cache"))
    pgraph.load(MINI, cached=True)
    (entry,) = (tmp_path / "cache" / cache.FOLDER).glob("*.nq")
    raw = entry.read_bytes()
    entry.write_bytes(raw[:-cache.TRAILER] + b"# index-at 99999999999999999\n")
    capsys.readouterr()
    kg = pgraph.load(MINI, cached=True, predicates=frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}))
    err = capsys.readouterr().err
    assert kg.backend.cache_state == "stored" and kg.backend.predicates is None
    assert err.count("\n") == 1 and "no section index" in err and "rebuilding it" in err


# --------------------------------------------------------------------------- fuzzing: random damage

@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A built entry for the mini graph, its bytes, the reference answers and the environment it lives in."""
    base = tmp_path_factory.mktemp("fuzz")
    env = {"PGRAPH_CACHE": str(base / "cache"), "XDG_STATE_HOME": str(base / "state")}
    with environment(env):
        reference = answers(pgraph.load(MINI))
        pgraph.load(MINI, cached=True)
        (entry,) = (base / "cache" / cache.FOLDER).glob("*.nq")
    yield entry, entry.read_bytes(), reference, env


@pytest.fixture(scope="module")
def predicates() -> frozenset[str]:
    return their_predicates()


@contextlib.contextmanager
def environment(values: dict[str, str]):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


damage = st.lists(st.tuples(st.sampled_from(["flip", "set", "cut", "insert", "delete"]),
                            st.floats(0, 1, allow_nan=False), st.binary(min_size=1, max_size=8)),
                  min_size=1, max_size=4)


@settings(max_examples=CACHE_FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=damage)
def test_random_damage_to_an_entry_never_gives_a_traceback_or_a_wrong_answer(pristine, capsys, changes):
    _damaged_load(pristine, capsys, changes, None)


@settings(max_examples=CACHE_FUZZ_EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(changes=damage)
def test_random_damage_never_gives_a_wrong_answer_from_part_of_an_entry(pristine, predicates, capsys, changes):
    _damaged_load(pristine, capsys, changes, predicates)


def _damaged_load(pristine: tuple, capsys: Any, changes: list, predicates: frozenset[str] | None) -> None:
    """Load the entry with these changes made to its bytes (all of it, or only some predicates' quads)."""
    entry, original, reference, env = pristine
    raw = bytearray(original)
    for kind, where, blob in changes:
        at = min(int(where * len(raw)), max(len(raw) - 1, 0))
        if kind == "flip" and raw:
            raw[at] ^= blob[0] or 1
        elif kind == "set":
            raw[at:at + len(blob)] = blob
        elif kind == "cut":
            del raw[at:]
        elif kind == "insert":
            raw[at:at] = blob
        elif kind == "delete":
            del raw[at:at + len(blob)]
    with environment(env):
        try:
            entry.write_bytes(bytes(raw))
            entry.chmod(0o600)
            capsys.readouterr()
            kg = pgraph.load(MINI, cached=True, predicates=predicates)
            err = capsys.readouterr().err
        finally:
            entry.write_bytes(original)
    if predicates is None:
        assert answers(kg) == reference
    else:
        assert part_answers(kg) == reference[:3]
    if bytes(raw) == original:
        assert kg.backend.cache_state == "hit" and err == ""
        assert kg.backend.predicates == predicates
    else:
        assert kg.backend.cache_state == "stored"
        one_warning(err, "rebuilding it")

