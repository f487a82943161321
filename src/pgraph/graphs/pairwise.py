"""The pairwise questions (overlap, redundant, subsumed, thematic-overlap, overlap-graph) counted in
Python from two saved queries' rows, instead of one SPARQL self-join per question.

Which participation is active on a date, and which instrument is in force, stays in SPARQL: the
rows come from queries/active-participations.rq and queries/instrument-areas.rq. This module
adds only the counting, written to give the same rows as the portable .rq files (same joins,
same rounding, same filters); tests/test_pairwise.py proves it on every fixture, the real data
and synthetic graphs at several dates, embedded and on a server.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, combinations
from operator import itemgetter
from typing import Any, Callable, Iterable, Iterator

from ..vocab import PG, XSD

_OVERLAP_IRI = "https://w3id.org/pgraph/id/overlap/"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SPARSE_FROM = 20_000  # active participations from which counting with scipy pays for its import
_SCALE = 10 ** 18  # Oxigraph's xsd:decimal keeps 18 fractional digits, truncating a division


def decimal_ratio(num: int, den: int) -> Decimal:
    """num / den as the engine's xsd:decimal division gives it: 18 fractional digits, truncated."""
    return Decimal(num * _SCALE // den) / _SCALE


def round3(num: int, den: int) -> int:
    """ROUND(1000 * num / den) in SPARQL (halves round up), as an integer count of thousandths."""
    return (2000 * num + den) // (2 * den)


def _decimal_lexical(thousandths: int) -> str:
    """The lexical form Oxigraph writes for thousandths/1000 as an xsd:decimal ('1', '0.5', '0.063')."""
    return format((Decimal(thousandths) / 1000).normalize(), "f")


def _text(term: Any) -> str:
    """STR() of an instrument or participant, whichever engine the rows came from."""
    return term if isinstance(term, str) else term.value


def thing_text(term: Any) -> Any:
    """An instrument, participant or area as plain text ('_:' before a blank node's id), as the
    backends give it: Python hashes a str once, a pyoxigraph term on every set or dict lookup."""
    if term is None or isinstance(term, str):
        return term
    text = term.value
    return text if type(term).__name__ == "NamedNode" else "_:" + text


class _Store:
    """A bare pyoxigraph store seen as a graph: the building blocks come from pgraph's catalogue."""

    def __init__(self, store: Any) -> None:
        from ..catalog import Catalog
        self.backend, self.catalog = self, Catalog()
        self.store = store


def _rows(kg: Any, name: str, as_of: str, columns: tuple[str, ...], **more: str) -> Iterator[tuple[Any, ...]]:
    """A building-block query's rows as tuples: on the embedded store the engine's own terms
    (things stay terms, no conversion of 100k rows), elsewhere the backend's Python values."""
    store = getattr(kg.backend, "store", None)
    if store is None or not hasattr(store, "query"):
        for row in kg.query(name, asOf=as_of, **more):
            yield tuple(row[c] for c in columns)
        return
    text = kg.catalog.get(name).bound({"asOf": as_of, **more})
    result = store.query(text)
    if [v.value for v in result.variables] == list(columns):
        yield from map(tuple, result)  # a solution iterates its values in the SELECT's order
        return
    for solution in result:
        yield tuple(solution[c] for c in columns)


_ACTIVE = ("instrument", "participant", "instrument_id", "participant_id")
_WAIT = 0.1  # seconds the engine may take before a question counts as large (numpy loaded meanwhile)


def _engine_cells(kg: Any, name: str, as_of: str, columns: tuple[str, ...], more: dict[str, str],
                  meanwhile: Callable[[], Any], *, sparse: bool = False) -> list[list[str]] | None:
    """A building-block query's answer from the embedded engine as raw SPARQL TSV cells, column by
    column (store.tsv_columns), or None elsewhere (or for an answer TSV does not carry plainly).

    The engine evaluates in a thread of its own (pyoxigraph releases the GIL while it serialises), so
    this thread does `meanwhile` (the areas' SELECT, on the other core) and, when the answer takes
    long (a large graph), imports numpy for the counting (and scipy.sparse if `sparse`: 0.1 s),
    instead of waiting idle."""
    import threading
    store = getattr(kg.backend, "store", None)
    if store is None or not hasattr(store, "query"):
        return None
    import pyoxigraph as ox
    from ..store import tsv_columns
    text = kg.catalog.get(name).bound({"asOf": as_of, **more})
    out: dict[str, Any] = {}

    def evaluate() -> None:
        try:
            result = store.query(text)
            # solutions kept by a wrapper (the report's) have no TSV: their terms are read instead
            out["body"] = result.serialize(format=ox.QueryResultsFormat.TSV) if hasattr(result, "serialize") else None
        except BaseException as e:  # raised again in the caller's thread
            out["error"] = e
    engine = threading.Thread(target=evaluate, name="pgraph-engine", daemon=True)
    engine.start()
    try:
        meanwhile()
    finally:
        engine.join(_WAIT)
        if engine.is_alive():
            import numpy  # noqa: F401  (counting a large answer needs it; loaded on this core meanwhile)
            if sparse:
                import scipy.sparse  # noqa: F401  (shared_counts' M·Mᵀ)
        engine.join()
    if "error" in out:
        raise out["error"]
    if out["body"] is None:
        return None
    try:
        return tsv_columns(out["body"].decode("utf-8"), columns)
    except ValueError:
        return None


def _from_cells(p: "Participation", inst: list[str], who: list[str], inst_id: list[str], who_id: list[str]) -> bool:
    """Fill p's members and ids from active-participations' TSV cells as fetch() fills them from terms
    (same keys and values, in the same order); False, leaving p empty, when a thing is neither an IRI
    nor a blank node or an id a quoted triple (the terms' way then)."""
    from ..store import tsv_value
    things: dict[str, str] = {}
    for cell in set(inst).union(who):
        if cell.startswith("<<") or not cell.startswith(("<", "_:")):
            return False
        things[cell] = cell[1:-1] if cell[0] == "<" else cell  # STR() of an IRI; '_:' and a blank node's id
    inst, who = list(map(things.__getitem__, inst)), list(map(things.__getitem__, who))
    members: dict[str, set[str]] = defaultdict(set)
    for i, w in zip(inst, who):
        members[i].add(w)
    values: dict[str, Any] = {"": None}
    ids: dict[Any, list[Any]] = {}
    # (thing, id) as the rows give them, instrument before participant: each first one in row order
    for thing, cell in dict.fromkeys(chain.from_iterable(zip(zip(inst, inst_id), zip(who, who_id)))):
        known = ids.setdefault(thing, [])
        if cell not in values:
            try:
                values[cell] = tsv_value(cell)
            except ValueError:
                return False
        ident = values[cell]
        if ident is not None and ident not in known:
            known.append(ident)
    p.members, p.ids = dict(members), ids
    return True


@dataclass
class Participation:
    """Who takes part actively in which instrument on a date and the ids of both (from
    active-participations.rq); the areas (from instrument-areas.rq) read when first needed."""

    as_of: str
    members: dict[Any, set[Any]]
    ids: dict[Any, list[Any]]
    _areas_loader: Callable[[], Iterable[tuple[Any, ...]]] | None = field(default=None, repr=False)
    _areas: dict[Any, set[Any]] | None = field(default=None, repr=False)
    _keys: dict[Any, Any] = field(default_factory=dict, repr=False)
    _in_force_by_id: dict[Any, set[Any]] | None = field(default=None, repr=False)
    _counts: tuple[list[Any], list[tuple[int, int, int]]] | None = field(default=None, repr=False)

    @classmethod
    def fetch(cls, kg: Any, as_of: str, *, strict: bool = False, areas: bool = False,
              sparse: bool = False) -> "Participation":
        """The first SELECT now, the second when an area is first asked for (or now, while the engine
        answers the first, if `areas`), on the graph's backend; strict counts only participations
        certain on the date (docs/data.md); `sparse` loads scipy.sparse while a large answer is
        evaluated, for the counts redundant and subsumed ask. A backend that keeps what is built from
        its answers (the report's, asking each text once) gives one object for the date to every
        asker, built once."""
        keep = getattr(kg.backend, "kept", None)
        if keep is not None:
            return keep(("participation", as_of, strict), lambda: cls._fetched(kg, as_of, strict, areas, sparse))
        return cls._fetched(kg, as_of, strict, areas, sparse)

    @classmethod
    def _fetched(cls, kg: Any, as_of: str, strict: bool, areas: bool, sparse: bool) -> "Participation":
        from ..store import from_oxigraph
        columns = ("instrument", "instrument_id", "area", "area_key", "in_force")
        more = {"strict": "true" if strict else "false"}
        early: list[list[tuple[Any, ...]]] = []  # the areas' rows, read while the engine works (not yet applied)

        def area_rows() -> Iterable[tuple[Any, ...]]:
            return early[0] if early else _rows(kg, "instrument-areas", as_of, columns)
        found = cls(as_of, {}, {}, area_rows)
        cells = _engine_cells(kg, "active-participations", as_of, _ACTIVE, more,
                              meanwhile=lambda: early.append(list(area_rows())) if areas else None, sparse=sparse)
        if cells is not None and _from_cells(found, *cells):
            return found
        members: dict[Any, set[Any]] = defaultdict(set)
        ids: dict[Any, list[Any]] = {}
        value: dict[Any, Any] = {}
        seen: set[tuple[Any, Any]] = set()  # (thing, id) pairs already recorded
        for inst, who, inst_id, who_id in _rows(kg, "active-participations", as_of, _ACTIVE, **more):
            inst, who = thing_text(inst), thing_text(who)
            members[inst].add(who)
            for thing, ident in ((inst, inst_id), (who, who_id)):
                if (thing, ident) in seen:
                    continue
                seen.add((thing, ident))
                known = ids.setdefault(thing, [])
                if ident is not None:
                    ident = value[ident] if ident in value else value.setdefault(ident, from_oxigraph(ident))
                    if ident not in known:
                        known.append(ident)
        found.members, found.ids = dict(members), ids
        return found

    @classmethod
    def areas_only(cls, kg: Any, as_of: str) -> "Participation":
        """No participation rows, only the areas' SELECT when first asked (thematic-overlap needs no more)."""
        columns = ("instrument", "instrument_id", "area", "area_key", "in_force")
        return cls(as_of, {}, {}, lambda: _rows(kg, "instrument-areas", as_of, columns))

    @classmethod
    def from_store(cls, store: Any, as_of: str) -> "Participation":
        """The same rows read from a bare pyoxigraph store (the validator's)."""
        return cls.fetch(_Store(store), as_of)

    def _load_areas(self) -> None:
        from ..store import from_oxigraph
        areas: dict[Any, set[Any]] = defaultdict(set)
        by_id: dict[Any, set[Any]] = defaultdict(set)
        assert self._areas_loader is not None
        for inst, inst_id, area, key, in_force in self._areas_loader():
            inst, area = thing_text(inst), thing_text(area)
            inst_id, key, in_force = (from_oxigraph(x) if not isinstance(x, (str, bool, int, float)) else x
                                      for x in (inst_id, key, in_force))
            areas[inst].add(area)
            self._keys[area] = key
            if inst_id is not None:
                if in_force:
                    by_id[inst_id].add(area)
                found = self.ids.setdefault(inst, [])
                if inst_id not in found:
                    found.append(inst_id)
        self._areas, self._in_force_by_id = dict(areas), dict(by_id)

    @property
    def areas(self) -> dict[Any, set[Any]]:
        """Instrument -> every area it covers, whatever the date (as redundant and subsumed join them)."""
        if self._areas is None:
            self._load_areas()
        assert self._areas is not None
        return self._areas

    @property
    def in_force_areas(self) -> dict[Any, set[Any]]:
        """Instrument id -> the areas of the instruments in force carrying that id (thematic-overlap)."""
        if self._in_force_by_id is None:
            self._load_areas()
        assert self._in_force_by_id is not None
        return self._in_force_by_id

    def min_key(self, areas: Iterable[Any]) -> str | None:
        """MIN(?areaKey) over the areas, as the smells' messages name one (unbound keys left out)."""
        if self._areas is None:
            self._load_areas()
        keys = [k for a in areas if (k := self._keys.get(a)) is not None]
        return min(keys) if keys else None

    def keys_of(self, areas: Iterable[Any]) -> list[str]:
        """The areas' short keys, sorted, as a list column gives GROUP_CONCAT(DISTINCT ...) (unbound keys left out)."""
        return sorted({k for a in areas if (k := self._keys.get(a)) is not None})

    # -- counting ---------------------------------------------------------------------------
    def order(self) -> list[Any]:
        """Instruments with active participants, in STR() order (the .rq files' FILTER(STR(?ia) < STR(?ib)))."""
        return sorted(self.members, key=_text)

    def shared_sets(self, *, with_ids_only: bool, rank: dict[Any, int] | None = None,
                    shown: dict[Any, Any] | None = None) -> dict[tuple[int, int], list[Any]]:
        """(i, j) positions in order() with i < j -> participants active in both (only those with an id
        if asked), each list in `rank` order when a rank is given, each participant as shown[w] when
        given (one lookup per participant instead of one per pair it is in)."""
        position = {inst: n for n, inst in enumerate(self.order())}
        by_who: dict[Any, list[int]] = defaultdict(list)
        for inst, who in self.members.items():
            n = position[inst]
            for w in who:
                by_who[w].append(n)
        people = by_who.items() if rank is None else sorted(
            ((w, insts) for w, insts in by_who.items() if w in rank), key=lambda item: rank[item[0]])
        pairs: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for w, insts in people:
            if len(insts) < 2 or (with_ids_only and not self.ids.get(w)):
                continue
            insts.sort()
            item = w if shown is None else shown[w]
            for pair in combinations(insts, 2):
                pairs[pair].append(item)
        return pairs

    def shared_counts(self) -> tuple[list[Any], list[tuple[int, int, int]]]:
        """Instruments in order() and (i, j, shared participants) for every pair i < j sharing any.

        Large graphs count with scipy's sparse M·Mᵀ (0.2 s at a million triples against 2 s of
        Python loops); small ones in Python, where importing scipy would cost more than counting.
        Counted once per object (the redundant and subsumed tables and two smells ask for them)."""
        if self._counts is None:
            self._counts = self._shared_counts()
        return self._counts

    def _shared_counts(self) -> tuple[list[Any], list[tuple[int, int, int]]]:
        order = self.order()
        if sum(len(who) for who in self.members.values()) < _SPARSE_FROM:
            return order, [(i, j, len(who)) for (i, j), who in self.shared_sets(with_ids_only=False).items()]
        import numpy as np
        from scipy import sparse
        position = {inst: n for n, inst in enumerate(order)}
        people: dict[Any, int] = {}
        rows, cols = [], []
        for inst, who in self.members.items():
            n = position[inst]
            for w in who:
                rows.append(n)
                cols.append(people.setdefault(w, len(people)))
        m = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)),
                              shape=(len(order), max(1, len(people))))
        product = sparse.triu(m @ m.T, k=1).tocoo()
        return order, list(zip(product.row.tolist(), product.col.tolist(), product.data.tolist()))


def overlap(p: Participation, *, min_shared: int = 1) -> list[dict[str, Any]]:
    """Rows of overlap.rq: pairs sharing active participants that have an id, as the query orders them."""
    columns = overlap_columns(p, min_shared=min_shared)
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


def overlap_pairs(p: Participation, *, min_shared: int = 1) -> list[tuple[Any, Any, int, float, float, list[Any]]]:
    """overlap()'s rows as (a, b, shared, jaccard, overlap_coefficient, shared_countries) tuples: the
    overlap graph takes them as they are (a dict per row cost 0.4 s at a million triples)."""
    return list(zip(*overlap_columns(p, min_shared=min_shared).values()))


def overlap_columns(p: Participation, *, min_shared: int = 1, joined: bool = False) -> dict[str, list[Any]]:
    """overlap.rq's answer column by column (a, b, shared, jaccard, overlap_coefficient, shared_countries),
    rows in the query's order: a writer of CSV needs no dict per row (243k pairs at a million triples).
    Each row's shared codes are a sorted list, or with `joined` that list ';'-joined, as CSV writes it."""
    order = p.order()
    size = [len(p.members[inst]) for inst in order]
    ids = [p.ids.get(inst, []) for inst in order]
    codes_of = {w: [str(c) for c in p.ids[w]] for w in {w for who in p.members.values() for w in who} if p.ids.get(w)}
    # one code each, all different (the usual case): a pair's participants listed in code order give
    # its codes already sorted and distinct, so no set or sort per pair
    single = all(len(c) == 1 for c in codes_of.values()) and \
        len({c[0] for c in codes_of.values()}) == len(codes_of)
    rank = {w: n for n, w in enumerate(sorted(codes_of, key=lambda w: codes_of[w]))} if single else None
    if rank is not None and _vector_pairs(p) and _one_text_id_each(ids):
        return _overlap_vector(p, order, size, ids, rank, [codes_of[w][0] for w in sorted(rank, key=rank.get)],
                               min_shared, joined)
    measures: dict[tuple[int, int], float] = {}

    def measure(num: int, den: int) -> float:
        key = (num, den)
        if key not in measures:
            measures[key] = round3(num, den) / 1000
        return measures[key]

    found = []
    shown = {w: c[0] for w, c in codes_of.items()} if single else None  # a pair's codes, listed as counted
    for (i, j), who in p.shared_sets(with_ids_only=True, rank=rank, shown=shown).items():
        shared = len(who)
        if shared < min_shared or not ids[i] or not ids[j]:
            continue
        na, nb = size[i], size[j]
        jaccard, coefficient = measure(shared, na + nb - shared), measure(shared, min(na, nb))
        codes = who if single else sorted({c for w in who for c in codes_of[w]})
        for a in ids[i]:
            for b in ids[j]:
                found.append((-shared, a, b, jaccard, coefficient, codes))
    found.sort(key=itemgetter(0, 1, 2))  # most shared first, then by ids; ties keep the counting order
    if joined:
        found = [(*row[:5], ";".join(row[5])) for row in found]
    rows = list(zip(*found)) or [()] * 6
    return {"a": list(rows[1]), "b": list(rows[2]), "shared": [-s for s in rows[0]], "jaccard": list(rows[3]),
            "overlap_coefficient": list(rows[4]), "shared_countries": list(rows[5])}


_VECTOR_PAIRS_FROM = 20_000  # active participations from which pairing with numpy pays for its import


def _vector_pairs(p: Participation) -> bool:
    """Whether to pair participants with numpy (large graphs) rather than in Python."""
    return sum(len(who) for who in p.members.values()) >= _VECTOR_PAIRS_FROM


def _one_text_id_each(ids: list[list[Any]]) -> bool:
    """At most one id per instrument, each a text no other instrument carries: a pair of ids then is
    one instrument pair, and rows sorted by id never tie (the per-pair path keeps its own ties)."""
    given = [found[0] for found in ids if found]
    return all(len(found) <= 1 for found in ids) and all(type(x) is str for x in given) and \
        len(set(given)) == len(given)


def _pairs_of(p: Participation, order: list[Any], rank: dict[Any, int]) -> tuple[Any, Any, Any, Any, Any]:
    """Every instrument pair (i < j in order()) sharing a ranked participant, with numpy: the pairs'
    i and j, where each pair's participants start in `shared` and how many, and `shared` itself (the
    participants' ranks, each pair's in rank order); what shared_sets gives, as arrays."""
    import numpy as np
    position = {inst: n for n, inst in enumerate(order)}
    inst, who = [], []
    for thing, members in p.members.items():
        ranks = [rank[w] for w in members if w in rank]
        inst += [position[thing]] * len(ranks)
        who += ranks
    inst_a, who_a = np.array(inst, dtype=np.int64), np.array(who, dtype=np.int64)
    by = np.lexsort((inst_a, who_a))  # participant by participant, each one's instruments in order
    inst_a, who_a = inst_a[by], who_a[by]
    starts = np.flatnonzero(np.r_[True, who_a[1:] != who_a[:-1]]) if len(who_a) else np.zeros(0, np.int64)
    sizes = np.diff(np.r_[starts, len(who_a)])
    firsts, seconds, people = [], [], []
    for k in np.unique(sizes[sizes >= 2]).tolist():  # the participants in k instruments: their k(k-1)/2 pairs
        at = starts[sizes == k][:, None]
        x, y = np.triu_indices(k, 1)
        firsts.append(inst_a[at + x].ravel())
        seconds.append(inst_a[at + y].ravel())
        people.append(who_a[at + x].ravel())
    if not firsts:
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, empty, empty
    key = np.concatenate(firsts) * len(order) + np.concatenate(seconds)
    shared = np.concatenate(people)
    by = np.lexsort((shared, key))
    key, shared = key[by], shared[by]
    begin = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    count = np.diff(np.r_[begin, len(key)])
    return key[begin] // len(order), key[begin] % len(order), begin, count, shared


def _overlap_vector(p: Participation, order: list[Any], size: list[int], ids: list[list[Any]],
                    rank: dict[Any, int], codes: list[str], min_shared: int, joined: bool) -> dict[str, list[Any]]:
    """overlap_columns with numpy, when every participant has one code of its own and every instrument
    at most one id of its own (the rows then are the per-pair path's, ties impossible)."""
    import numpy as np
    first, second, begin, count, shared = _pairs_of(p, order, rank)
    has_id = np.array([bool(found) for found in ids] or [False])
    keep = (count >= min_shared) & has_id[first] & has_id[second]
    first, second, begin, count = first[keep], second[keep], begin[keep], count[keep]
    text_ids = sorted(found[0] for found in ids if found)
    id_rank = {ident: n for n, ident in enumerate(text_ids)}
    rank_of = np.array([id_rank[found[0]] if found else -1 for found in ids] or [0])
    by = np.lexsort((rank_of[second], rank_of[first], -count))
    first, second, begin, count = first[by], second[by], begin[by], count[by]
    sizes = np.array(size or [0], dtype=np.int64)
    na, nb = sizes[first], sizes[second]
    union, smaller = na + nb - count, np.minimum(na, nb)
    jaccard = (2000 * count + union) // (2 * union) / 1000  # round3 / 1000, each value exactly as in Python
    coefficient = (2000 * count + smaller) // (2 * smaller) / 1000
    code_of = np.array(codes + [""], dtype=object)
    listed = code_of[shared[begin]].tolist() if len(begin) else []  # one code: the text itself
    for n in np.flatnonzero(count > 1).tolist():
        start = int(begin[n])
        listed[n] = code_of[shared[start:start + int(count[n])]].tolist()
    if joined:
        listed = [c if type(c) is str else ";".join(c) for c in listed]
    else:
        listed = [[c] if type(c) is str else c for c in listed]
    text_of = np.array(text_ids + [""], dtype=object)
    return {"a": text_of[rank_of[first]].tolist(), "b": text_of[rank_of[second]].tolist(),
            "shared": count.tolist(), "jaccard": jaccard.tolist(), "overlap_coefficient": coefficient.tolist(),
            "shared_countries": listed}


def redundant(p: Participation, *, min_jaccard: Decimal = Decimal("0.8")) -> list[dict[str, Any]]:
    """Rows of redundant.rq: pairs whose Jaccard reaches the threshold and that cover a common area."""
    order, counts = p.shared_counts()
    threshold = Decimal(min_jaccard)
    groups: dict[tuple[Any, Any, int, float], set[Any]] = {}
    for i, j, shared in counts:
        ia, ib = order[i], order[j]
        den = len(p.members[ia]) + len(p.members[ib]) - shared
        ratio = decimal_ratio(shared, den)
        if ratio < threshold:
            continue
        common = p.areas.get(ia, set()) & p.areas.get(ib, set())
        if not common:
            continue
        jaccard = round3(shared, den) / 1000
        for a in p.ids.get(ia, ()):
            for b in p.ids.get(ib, ()):
                groups.setdefault((a, b, shared, jaccard), set()).update(common)
    rows = [{"a": a, "b": b, "shared": s, "jaccard": j, "shared_areas": p.keys_of(areas)}
            for (a, b, s, j), areas in groups.items()]
    rows.sort(key=lambda r: (-r["jaccard"], r["a"], r["b"]))
    return rows


def subsumed(p: Participation) -> list[dict[str, Any]]:
    """Rows of subsumed.rq: instruments whose active participants all take part in another
    instrument that shares an area with them."""
    order, counts = p.shared_counts()
    found: set[tuple[Any, Any, int]] = set()
    for x, y, shared in counts:
        for i, j in ((x, y), (y, x)):  # either instrument may lie within the other
            ia, ib = order[i], order[j]
            if shared != len(p.members[ia]) or not p.areas.get(ia, set()) & p.areas.get(ib, set()):
                continue
            for a in p.ids.get(ia, ()):
                for b in p.ids.get(ib, ()):
                    found.add((a, b, shared))
    return [{"instrument": a, "within": b, "shared": s} for a, b, s in sorted(found)]


def thematic_overlap(p: Participation, *, pairs: Iterable[tuple[Any, Any]] | None = None) -> list[dict[str, Any]]:
    """Rows of thematic-overlap.rq: ids of instruments in force covering a common area; only the
    given (a, b) pairs when asked (either order), so a caller never builds every pair."""
    by_id = p.in_force_areas
    found: dict[tuple[Any, Any], set[Any]] = {}
    if pairs is not None:
        for x, y in pairs:
            a, b = (x, y) if x < y else (y, x)
            common = by_id.get(a, set()) & by_id.get(b, set())
            if a != b and common:
                found[(a, b)] = common
    else:
        return _every_thematic_pair(p, by_id)
    keys: dict[frozenset[Any], list[str]] = {}
    rows = []
    for (a, b), areas in sorted(found.items()):
        frozen = frozenset(areas)
        if frozen not in keys:
            keys[frozen] = p.keys_of(frozen)
        rows.append({"a": a, "b": b, "shared_areas": list(keys[frozen])})
    return rows


_VECTOR_FROM = 200  # ids from which comparing area masks with numpy pays for its import


def _every_thematic_pair(p: Participation, by_id: dict[Any, set[Any]]) -> list[dict[str, Any]]:
    """Every (a, b) of ids with a < b covering a common area, in (a, b) order: each id's areas as a
    bit mask, a pair's common areas the AND of two masks (776k pairs at a million triples: 0.2 s
    with numpy against 3 s enumerating each area's pairs); each distinct mask's keys listed once."""
    idents = sorted(by_id)
    mask_of, areas_of = area_masks(by_id)
    masks = [mask_of[ident] for ident in idents]
    found: list[tuple[int, int, int]] = []  # (i, j, common mask) in (i, j) order
    if len(idents) >= _VECTOR_FROM and len(areas_of) < 63:
        import numpy as np
        vector = np.array(masks, dtype=np.int64)
        for i in range(len(idents) - 1):
            common = vector[i + 1:] & masks[i]
            js = np.flatnonzero(common)
            found += zip([i] * len(js), (js + i + 1).tolist(), common[js].tolist())
    else:
        for i, mi in enumerate(masks):
            found += ((i, j, mi & mj) for j, mj in enumerate(masks[i + 1:], i + 1) if mi & mj)
    keys: dict[int, list[str]] = {}
    rows = []
    for i, j, mask in found:
        listed = keys.get(mask)
        if listed is None:
            listed = keys[mask] = mask_keys(p, areas_of, mask)
        rows.append({"a": idents[i], "b": idents[j], "shared_areas": list(listed)})
    return rows


def area_masks(by_id: dict[Any, set[Any]]) -> tuple[dict[Any, int], list[Any]]:
    """Each id's areas as a bit mask (bit n for the n-th area of the list also returned)."""
    areas = list({a for found in by_id.values() for a in found})
    bit = {area: 1 << n for n, area in enumerate(areas)}
    return {ident: sum(bit[a] for a in found) for ident, found in by_id.items()}, areas


def mask_keys(p: Participation, areas: list[Any], mask: int) -> list[str]:
    """The sorted keys of the areas in a mask, as thematic-overlap lists them."""
    return p.keys_of(areas[n] for n in range(mask.bit_length()) if mask >> n & 1)


def _overlap_nodes(p: Participation) -> tuple[list[Any], list[tuple[Any, list[tuple[int, int, list[Any]]]]]]:
    """Instruments in order() and the pg:Overlap nodes of overlap-graph.rq in IRI order, each with the
    instrument pairs (i, j, shared participants) giving it, in (i, j) order (two pairs give one node
    when an id is shared: counted in set order, they came in an order that followed the process's
    hash seed); a text that is no IRI makes no node."""
    import pyoxigraph as ox
    order = p.order()
    nodes: dict[str, list[tuple[int, int, list[Any]]]] = {}  # node IRI -> the instrument pairs giving it
    for (i, j), who in p.shared_sets(with_ids_only=False).items():
        ia, ib = order[i], order[j]
        if not p.ids.get(ia) or not p.ids.get(ib):
            continue
        for a in p.ids[ia]:
            for b in p.ids[ib]:
                nodes.setdefault(f"{_OVERLAP_IRI}{a}--{b}/{p.as_of}", []).append((i, j, who))
    found = []
    for iri, pairs in sorted(nodes.items()):
        try:
            o = ox.NamedNode(iri)
        except ValueError:
            continue  # IRI() of a text that is no IRI is unbound: the pair makes no node
        found.append((o, pairs if len(pairs) == 1 else sorted(pairs, key=lambda pair: pair[:2])))
    return order, found


def _node_statements(p: Participation, order: list[Any], pairs: list[tuple[int, int, list[Any]]],
                     term: Callable[[Any], Any], number: Callable[[str, int], Any],
                     pred: dict[str, Any], as_of: Any) -> list[tuple[Any, Any]]:
    """One node's (predicate, object) statements after its rdf:type, pair by pair, participants and
    areas sorted (the same order in every process whatever the hash seed)."""
    out: list[tuple[Any, Any]] = []
    for i, j, who in pairs:
        ia, ib = order[i], order[j]
        shared = len(who)
        na, nb = len(p.members[ia]), len(p.members[ib])
        out += [(pred["overlapOf"], term(ia)), (pred["overlapOf"], term(ib)), (pred["asOf"], as_of),
                (pred["sharedCount"], number("integer", shared)),
                (pred["jaccard"], number("decimal", round3(shared, na + nb - shared))),
                (pred["overlapCoefficient"], number("decimal", round3(shared, min(na, nb))))]
        out += [(pred["sharedParticipant"], term(w)) for w in sorted(who)]
        out += [(pred["sharedArea"], term(area)) for area in sorted(p.areas.get(ia, set()) & p.areas.get(ib, set()))]
    return out


def _overlap_terms(ox: Any, as_of_text: str) -> tuple[Callable[[Any], Any], Callable[[str, int], Any],
                                                      dict[str, Any], Any]:
    """overlap-graph's terms as pyoxigraph terms, each made once per distinct value: things, numbers,
    predicates and the date."""
    made: dict[Any, Any] = {}

    def term(value: Any) -> Any:
        found = made.get(value)
        if found is None:
            found = made[value] = ox.BlankNode(value[2:]) if value.startswith("_:") else ox.NamedNode(value)
        return found

    decimal, integer = ox.NamedNode(XSD + "decimal"), ox.NamedNode(XSD + "integer")
    numbers: dict[tuple[str, int], Any] = {}

    def number(kind: str, value: int) -> Any:
        found = numbers.get((kind, value))
        if found is None:
            found = numbers[(kind, value)] = (ox.Literal(str(value), datatype=integer) if kind == "integer" else
                                              ox.Literal(_decimal_lexical(value), datatype=decimal))
        return found

    pred = {k: ox.NamedNode(PG + k) for k in ("overlapOf", "asOf", "sharedCount", "jaccard", "overlapCoefficient",
                                             "sharedParticipant", "sharedArea")}
    return term, number, pred, ox.Literal(as_of_text, datatype=ox.NamedNode(XSD + "date"))


def overlap_graph(p: Participation) -> list[Any]:
    """Triples of overlap-graph.rq: one pg:Overlap node per pair sharing active participants.

    Terms are made once per distinct value, and a node's triples are checked for repeats only when
    two instrument pairs give the same node (an id shared by two instruments): hashing two million
    pyoxigraph triples to find none twice took a third of the time."""
    import pyoxigraph as ox
    term, number, pred, as_of = _overlap_terms(ox, p.as_of)
    rdf_type, overlap_class = ox.NamedNode(_RDF_TYPE), ox.NamedNode(PG + "Overlap")
    order, nodes = _overlap_nodes(p)
    out: list[Any] = []  # in IRI order, participants and areas sorted: the same text from every process
    for o, pairs in nodes:
        triples = [ox.Triple(o, rdf_type, overlap_class)]
        triples += [ox.Triple(o, pr, obj) for pr, obj in _node_statements(p, order, pairs, term, number, pred, as_of)]
        out += triples if len(pairs) == 1 else dict.fromkeys(triples)  # repeats only across pairs
    return out


class _Statements(dict):  # type: ignore[type-arg]
    """value -> the N-Triples text "predicate object" for it, written by pyoxigraph on first use."""

    def __init__(self, word: str, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.word, self.make = word, make

    def __missing__(self, key: Any) -> str:
        found = self[key] = f"{self.word} {self.make(key)}"
        return found


def overlap_graph_ntriples(p: Participation) -> str:
    """overlap_graph(p) as one N-Triples text (overlap_graph_lines joined)."""
    return "".join(overlap_graph_lines(p))


def overlap_graph_lines(p: Participation, *, batch: int = 2000) -> Iterator[str]:
    """overlap_graph(p) as N-Triples text in pieces of `batch` nodes (written as they come, a
    million-triple answer never is one 360 MB string), the same text pyoxigraph's serializer writes for those
    triples (each term written by pyoxigraph itself, once per distinct term), without making two
    million triple objects; a node's statements are its subject and then one cached
    "predicate object" text per statement, in overlap_graph's order."""
    import pyoxigraph as ox
    term, number, pred, as_of = _overlap_terms(ox, p.as_of)
    words = {k: str(v) for k, v in pred.items()}

    overlap_of = _Statements(words["overlapOf"], term)
    participant, area = _Statements(words["sharedParticipant"], term), _Statements(words["sharedArea"], term)
    count = _Statements(words["sharedCount"], lambda v: number("integer", v))
    jaccard = _Statements(words["jaccard"], lambda v: number("decimal", v))
    coefficient = _Statements(words["overlapCoefficient"], lambda v: number("decimal", v))
    first, date = f"{ox.NamedNode(_RDF_TYPE)} {ox.NamedNode(PG + 'Overlap')}", f"{words['asOf']} {as_of}"
    members, areas = p.members, p.areas
    if _vector_pairs(p):
        said_by = {"first": first, "date": date, "overlapOf": overlap_of, "sharedParticipant": participant,
                   "sharedArea": area, "sharedCount": count, "jaccard": jaccard, "overlapCoefficient": coefficient}
        pieces = _overlap_graph_vector(p, said_by, batch * 8)
        if pieces is not None:
            yield from pieces
            return
    order, nodes = _overlap_nodes(p)
    chunks: list[str] = []
    for o, pairs in nodes:
        if len(chunks) == batch:
            yield "".join(chunks)
            chunks = []
        said = [first]
        for i, j, who in pairs:
            ia, ib = order[i], order[j]
            shared = len(who)
            na, nb = len(members[ia]), len(members[ib])
            said += [overlap_of[ia], overlap_of[ib], date, count[shared],
                     jaccard[round3(shared, na + nb - shared)], coefficient[round3(shared, min(na, nb))]]
            said += map(participant.__getitem__, sorted(who))
            said += map(area.__getitem__, sorted(areas.get(ia, set()) & areas.get(ib, set())))
        if len(pairs) > 1:
            said = list(dict.fromkeys(said))  # repeats only across pairs
        subject = f"{o} "
        chunks.append(subject + (" .\n" + subject).join(said) + " .\n")
    yield "".join(chunks)


_SAFE_ID = re.compile(r"[A-Za-z0-9._~-]+")  # an id whose node IRI is valid whenever a plain one's is


def _overlap_graph_vector(p: Participation, said_by: dict[str, Any], lines: int) -> Iterator[str] | None:
    """overlap_graph_lines' text with numpy, in pieces of about `lines` triples, when every node comes
    from one instrument pair (at most one id per instrument, each its own, no two nodes with one IRI):
    each line's subject and "predicate object ." placed by array index, the text joined once per piece
    (a Python list and join per node took 1.5 s for 243k nodes). None when a node has two pairs."""
    import numpy as np
    import pyoxigraph as ox
    order = p.order()
    ids = [p.ids.get(inst, []) for inst in order]
    if not _one_text_id_each(ids):
        return None
    people = sorted({w for who in p.members.values() for w in who})
    first, second, begin, count, shared = _pairs_of(p, order, {w: n for n, w in enumerate(people)})
    has_id = np.array([bool(found) for found in ids] or [False])
    keep = np.flatnonzero(has_id[first] & has_id[second]) if len(first) else np.zeros(0, np.int64)
    first, second, begin, count = first[keep], second[keep], begin[keep], count[keep]
    idents = [found[0] if found else "" for found in ids]
    tail = f"/{p.as_of}"
    iris = [f"{_OVERLAP_IRI}{idents[i]}--{idents[j]}{tail}" for i, j in zip(first.tolist(), second.tolist())]
    if len(set(iris)) != len(iris):
        return None  # two pairs give one node: the per-node way merges their statements
    plain = f"{_OVERLAP_IRI}x--x{tail}"
    try:
        template = str(ox.NamedNode(plain)) == f"<{plain}>"
    except ValueError:
        template = False
    safe = [template and _SAFE_ID.fullmatch(ident) is not None for ident in idents]
    subjects: list[Any] = []
    for iri, i, j in zip(iris, first.tolist(), second.tolist()):
        if safe[i] and safe[j]:
            subjects.append(f"<{iri}> ")
            continue
        try:
            subjects.append(f"{ox.NamedNode(iri)} ")
        except ValueError:
            subjects.append(None)  # IRI() of a text that is no IRI is unbound: the pair makes no node
    by_iri = sorted((n for n, subject in enumerate(subjects) if subject is not None), key=iris.__getitem__)
    by = np.array(by_iri, dtype=np.int64)
    first, second, begin, count = first[by], second[by], begin[by], count[by]
    end = " .\n"
    sizes = np.array([len(p.members[inst]) for inst in order] or [0], dtype=np.int64)
    na, nb = sizes[first], sizes[second]
    union, smaller = na + nb - count, np.minimum(na, nb)

    def said(kind: str, values: Any) -> Any:
        """The "predicate object ." texts of a statement for each number (made once per distinct number)."""
        cache, distinct = said_by[kind], np.unique(values)
        return np.array([cache[v] + end for v in distinct.tolist()], dtype=object)[np.searchsorted(distinct, values)]
    instruments = np.array([said_by["overlapOf"][inst] + end for inst in order] + [""], dtype=object)
    fixed = [said_by["first"] + end, instruments[first], instruments[second],
             said_by["date"] + end, said("sharedCount", count), said("jaccard", (2000 * count + union) // (2 * union)),
             said("overlapCoefficient", (2000 * count + smaller) // (2 * smaller))]
    # the participants of each node, in text order (their ranks), one after another
    offsets = np.cumsum(count) - count
    within = np.arange(int(count.sum())) - np.repeat(offsets, count)
    person = np.array([said_by["sharedParticipant"][w] + end for w in people] + [""], dtype=object)
    participants = person[shared[within + np.repeat(begin, count)]]
    # the areas both instruments cover, in text order: bit n of an instrument's mask for the n-th area
    # in that order, each distinct common mask's statements listed once
    areas = sorted(set().union(*p.areas.values()))
    bit = {area: 1 << n for n, area in enumerate(areas)}
    masks = [sum(bit[a] for a in p.areas.get(inst, ())) for inst in order]
    if len(areas) < 63:
        vector = np.array(masks or [0], dtype=np.int64)
        common = (vector[first] & vector[second]).tolist()
    else:
        common = [masks[i] & masks[j] for i, j in zip(first.tolist(), second.tolist())]
    lists = {mask: [said_by["sharedArea"][areas[n]] + end for n in range(mask.bit_length()) if mask >> n & 1]
             for mask in set(common)}
    areas_n = np.array([len(lists[mask]) for mask in common] + [0], dtype=np.int64)[:len(common)]
    flat = list(chain.from_iterable(map(lists.__getitem__, common)))
    # every line's place: a node's seven statements, then its participants, then its areas
    length = 7 + count + areas_n
    start = np.cumsum(length) - length
    total = int(length.sum())
    text = np.empty(total, dtype=object)
    for k, column in enumerate(fixed):
        text[start + k] = column
    text[np.repeat(start + 7, count) + within] = participants
    if flat:
        area_offsets = np.cumsum(areas_n) - areas_n
        text[np.repeat(start + 7 + count, areas_n) + np.arange(len(flat)) - np.repeat(area_offsets, areas_n)] = \
            np.array(flat, dtype=object)
    subject = np.array([subjects[n] for n in by_iri] + [""], dtype=object)[:-1]
    both = np.empty(2 * total, dtype=object)
    both[0::2] = np.repeat(subject, length)
    both[1::2] = text

    def pieces() -> Iterator[str]:
        for at in range(0, 2 * total, 2 * lines):
            yield "".join(both[at:at + 2 * lines].tolist())
    return pieces()


ANSWERS: dict[str, Callable[[Participation, dict[str, Any]], list[Any]]] = {
    "overlap": lambda p, t: overlap(p, min_shared=int(t["minShared"].lexical)),
    "redundant": lambda p, t: redundant(p, min_jaccard=Decimal(t["minJaccard"].lexical)),
    "subsumed": lambda p, t: subsumed(p),
    "thematic-overlap": lambda p, t: thematic_overlap(p),
    "overlap-graph": lambda p, t: overlap_graph(p),
}


def answer(kg: Any, name: str, terms: dict[str, Any]) -> list[Any]:
    """A pairwise saved query answered by counting: its final rows (columns in order, list columns
    as sorted lists), or its triples."""
    strict = "strict" in terms and terms["strict"].lexical in ("true", "1")
    as_of = terms["asOf"].lexical
    p = Participation.areas_only(kg, as_of) if name == "thematic-overlap" else \
        Participation.fetch(kg, as_of, strict=strict, areas=name != "overlap", sparse=name in ("redundant", "subsumed"))
    return ANSWERS[name](p, terms)


def ntriples(kg: Any, terms: dict[str, Any]) -> Iterator[str]:
    """overlap-graph's answer counted and written as N-Triples, in pieces (overlap_graph_lines)."""
    strict = "strict" in terms and terms["strict"].lexical in ("true", "1")
    return overlap_graph_lines(Participation.fetch(kg, terms["asOf"].lexical, strict=strict, areas=True))


_COLUMNS: dict[str, Callable[[Participation, dict[str, Any]], dict[str, list[Any]]]] = {
    "overlap": lambda p, t: overlap_columns(p, min_shared=int(t["minShared"].lexical), joined=True),
}
_DELIMITERS = {"csv": ",", "tsv": "\t"}


def writes(name: str, fmt: str) -> bool:
    """Whether the counting path writes this question's answer in this format itself (text() below)."""
    return (name, fmt) == ("overlap-graph", "ntriples") or (name in _COLUMNS and fmt in _DELIMITERS)


def text(kg: Any, name: str, fmt: str, terms: dict[str, Any]) -> Iterator[str]:
    """A pairwise answer counted and written in a format writes() accepts, in pieces: N-Triples as
    overlap_graph_lines writes them, CSV/TSV from the answer's columns (no dict per row), each the
    text the general writers give for the same answer."""
    from ..output import delimited_columns, escape_c1
    if fmt == "ntriples":
        return map(escape_c1, ntriples(kg, terms))
    strict = "strict" in terms and terms["strict"].lexical in ("true", "1")
    p = Participation.fetch(kg, terms["asOf"].lexical, strict=strict)
    return iter([delimited_columns(_COLUMNS[name](p, terms), _DELIMITERS[fmt])])
