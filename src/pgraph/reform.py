"""The tier-based reform as a what-if: tiers from editable rules, beside the article's examples and today's jungle."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import QueryError
from .paths import SCENARIOS_DIR
from .vocab import PG, sparql_prologue

SCENARIO_FILE = SCENARIOS_DIR / "tiers.ttl"
RULES_FILE = SCENARIOS_DIR / "tier-rules.rq"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
REDUNDANT_JACCARD = 0.8  # the `redundant` query's default threshold

_TIERS = sparql_prologue() + """
SELECT ?tier ?rank ?label WHERE {
  ?tier a pg:Tier ; pg:inScenario ?scenario ; pg:rank ?rank ; rdfs:label ?label .
} ORDER BY ?rank"""

_EXAMPLES = sparql_prologue() + """
SELECT ?country ?tier ?hedged WHERE {
  ?e a pg:TierAssignment ; pg:inScenario ?scenario ; pg:participant ?c ; pg:tier ?tier .
  ?c dcterms:identifier ?country .
  OPTIONAL { ?e pg:hedged ?hedged }
} ORDER BY ?country"""

_REPLACED = sparql_prologue() + """
SELECT ?id WHERE { ?scenario pg:replaces ?i . ?i dcterms:identifier ?id } ORDER BY ?id"""


@dataclass(frozen=True)
class Assignment:
    """One partner's tier under the rules (tier None: the rules could not assess it) and why.

    tier_label says what the rules found ('Tier 2: aligned, not capable'; 'not assessed: no Freedom
    House score recorded'), never only the tier's name, which the evidence could contradict;
    tier_name is the scenario's name for the tier.
    """

    country: str
    label: str
    tier: int | None
    tier_label: str
    reason: str
    tier_name: str = ""


def scenario_of(kg: Any) -> str:
    """The IRI of the one scenario loaded with the graph (the bundled one is fasola-2024-tiers)."""
    found = [r["s"] for r in kg.backend.select(sparql_prologue() + "SELECT ?s WHERE { ?s a pg:Scenario } ORDER BY ?s")]
    if not found:
        raise QueryError(f"no scenario in the graph; load {SCENARIO_FILE} (or a file of your own with --scenario)")
    if len(found) > 1:
        raise QueryError(f"{len(found)} scenarios in the graph ({', '.join(found)}); load one at a time")
    return found[0]


def _scenario_query(kg: Any, text: str) -> list[dict[str, Any]]:
    return kg.backend.select(text.replace("?scenario", f"<{scenario_of(kg)}>"))


def tiers(kg: Any) -> dict[str, tuple[int, str]]:
    """The scenario's tiers: IRI -> (rank, label)."""
    found = {r["tier"]: (int(r["rank"]), str(r["label"])) for r in _scenario_query(kg, _TIERS)}
    if not found:
        raise QueryError(f"scenario <{scenario_of(kg)}> has no tiers (pg:Tier with pg:inScenario, pg:rank, rdfs:label)")
    return found


def read_rules(path: str | Path | None = None) -> Any:
    """The rules file (a CONSTRUCT with a '#+' header, like a saved query), checked."""
    from .catalog import read_query
    rules = read_query(Path(path) if path else RULES_FILE, match_file_name=False)
    if rules.form != "CONSTRUCT":
        raise QueryError(f"{rules.path}: tier rules must be a SPARQL CONSTRUCT query, not {rules.form}")
    return rules


def assign(kg: Any, *, rules: str | Path | None = None, as_of: Any = None) -> list[Assignment]:
    """Every partner on the date with the tier the rules give it and the reason, by tier then country."""
    saved = read_rules(rules)
    known = tiers(kg)
    text = saved.bound({"asOf": as_of} if as_of is not None else {}, kg.resolve)
    by_subject: dict[str, dict[str, Any]] = {}
    for t in kg.backend.construct(text):
        subject = t.subject.value
        by_subject.setdefault(subject, {})[t.predicate.value.removeprefix(PG)] = t.object.value
    labels = {r["x"]: (str(r["id"]), str(r["label"])) for r in kg.backend.select(sparql_prologue() + """
        SELECT ?x ?id ?label WHERE { ?x a pg:Country ; dcterms:identifier ?id ; rdfs:label ?label }""")}
    out = []
    for values in by_subject.values():
        code, label = labels.get(values.get("participant", ""), (values.get("participant", "?"), "?"))
        rank, tier_name = known.get(values.get("tier", ""), (None, ""))
        basis = str(values.get(RDFS_LABEL, ""))
        out.append(Assignment(code, label, rank, _tier_label(rank, tier_name, basis), str(values.get("reason", "")),
                              tier_name))
    return sorted(out, key=lambda a: (a.tier is None, a.tier or 0, a.country))


def _tier_label(rank: int | None, name: str, basis: str) -> str:
    """What a row's tier column says: the tier and what the rules found; unassessed partners say what is missing."""
    if rank is None:
        return basis if basis.startswith("not assessed") else f"not assessed{': ' + basis if basis else ''}"
    if basis:
        return f"Tier {rank}: {basis}"
    return name or f"Tier {rank}"


def compare_with_article(kg: Any, assignments: list[Assignment]) -> list[dict[str, Any]]:
    """The article's named examples beside the rules' tiers: agree or differ, and why."""
    known = tiers(kg)
    mine = {a.country: a for a in assignments}
    rows = []
    for ex in _scenario_query(kg, _EXAMPLES):
        rank, _ = known[ex["tier"]]
        a = mine.get(str(ex["country"]))
        rules_tier = a.tier if a else None
        if a is None:
            why = "not a partner on this date"
        elif rules_tier == rank:
            why = a.reason
        else:
            why = f"rules: {a.reason}"
        rows.append({"country": str(ex["country"]), "label": a.label if a else "", "article_tier": rank,
                     "hedged": bool(ex.get("hedged")), "rules_tier": rules_tier,
                     "agreement": "agree" if rules_tier == rank else "differ", "why": why})
    return rows


def _overlap(members: dict[str, set[str]]) -> dict[str, Any]:
    """Pairs of instruments sharing partners, their mean Jaccard and the pairs at the redundant threshold.

    Counted from each partner's instruments (a partner in k instruments adds to k(k-1)/2 pairs), not by
    intersecting every pair of instruments: linear in participations, so the what-if stays fast at scale.
    """
    ids = sorted(i for i, m in members.items() if m)
    pairs = []
    for a, b, shared in _shared_counts(ids, members):
        size_a, size_b = len(members[a]), len(members[b])
        pairs.append((a, b, shared, shared / (size_a + size_b - shared), shared / min(size_a, size_b)))
    jaccards = [p[3] for p in pairs]
    return {"pairs": pairs, "overlapping_pairs": len(pairs),
            "mean_jaccard": round(statistics.fmean(jaccards), 3) if jaccards else 0.0,
            "redundant_pairs": sum(1 for j in jaccards if j >= REDUNDANT_JACCARD)}


_SPARSE_FROM = 20_000  # memberships from which counting with scipy pays for its import


def _shared_counts(ids: list[str], members: dict[str, set[str]]) -> list[tuple[str, str, int]]:
    """(a, b, partners in both) for every pair of ids (a before b in ids) sharing any, in (a, b) order:
    in Python for a small graph, else as the sparse product M·Mᵀ (a million triples: 2.7 s -> 0.5 s)."""
    if sum(len(members[i]) for i in ids) < _SPARSE_FROM:
        by_partner: dict[str, list[str]] = {}
        for i in ids:
            for partner in members[i]:
                by_partner.setdefault(partner, []).append(i)
        counts: dict[tuple[str, str], int] = {}
        for held in by_partner.values():
            for n, a in enumerate(held):
                for b in held[n + 1:]:
                    counts[(a, b)] = counts.get((a, b), 0) + 1
        return [(a, b, shared) for (a, b), shared in sorted(counts.items())]
    import numpy as np
    from scipy import sparse
    people: dict[str, int] = {}
    rows, cols = [], []
    for n, i in enumerate(ids):
        for partner in members[i]:
            rows.append(n)
            cols.append(people.setdefault(partner, len(people)))
    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=(len(ids), max(1, len(people))))
    product = sparse.triu(m @ m.T, k=1).tocoo()
    order = np.lexsort((product.col, product.row))  # by a, then b: ids are sorted, so (a, b) order
    return [(ids[i], ids[j], shared) for i, j, shared in
            zip(product.row[order].tolist(), product.col[order].tolist(), product.data[order].tolist())]


def _graph(members: dict[str, set[str]], nodes: dict[str, dict[str, Any]], pairs: list[tuple], *,
           title: str, as_of: str) -> Any:
    import networkx as nx
    from .version import __version__
    g = nx.Graph(as_of=as_of, query="overlap", metric="jaccard", min_weight=0.0, pgraph_version=__version__,
                 title=title)
    for i, m in members.items():
        if m:
            g.add_node(i, **{**nodes[i], "participants": len(m)})
    for a, b, shared, jaccard, coefficient in pairs:
        g.add_edge(a, b, shared=shared, jaccard=round(jaccard, 4), overlap_coefficient=round(coefficient, 4),
                   weight=round(jaccard, 4))
    return g


def before_after(kg: Any, assignments: list[Assignment], *, as_of: Any = None) -> dict[str, Any]:
    """Today's jungle beside the jungle under the tiers: instruments per partner, overlap, partners per tier."""
    from .graphs import date_text
    date = date_text(as_of)
    replaced = {str(r["id"]) for r in _scenario_query(kg, _REPLACED)}
    partners = {str(r["country"]): set(r["instrument_ids"]) for r in kg.query("partners", asOf=date)}
    nodes = {r["instrument"]: {"label": r["label"], "short": r.get("acronym") or r["instrument"], "kind": r["kind"],
                               "node_type": "instrument"} for r in kg.query("instruments", asOf=date)}
    tier_of = {a.country: a for a in assignments}
    after: dict[str, set[str]] = {}
    for country, ids in partners.items():
        a = tier_of.get(country)
        kept = ids - replaced
        if a is not None and a.tier is not None:
            kept = kept | {f"tier-{a.tier}"}
            nodes.setdefault(f"tier-{a.tier}", {"label": a.tier_name or f"Tier {a.tier}", "short": f"Tier {a.tier}",
                                                "kind": "framework", "node_type": "instrument"})
        after[country] = kept

    def members(by_partner: dict[str, set[str]]) -> dict[str, set[str]]:
        """Instrument -> its partners; instruments in one order from every process (a set's order
        follows the process's hash seed, and the pictures' layout follows the graph's node order)."""
        out: dict[str, set[str]] = {}
        for country, ids in by_partner.items():
            for i in sorted(ids):
                out.setdefault(i, set()).add(country)
        return out

    def side(by_partner: dict[str, set[str]], title: str) -> dict[str, Any]:
        counts = [len(ids) for ids in by_partner.values()]
        m = members(by_partner)
        overlap = _overlap(m)
        return {"partners": len(by_partner), "instruments": len(m),
                "mean_per_partner": round(statistics.fmean(counts), 2) if counts else 0.0,
                "median_per_partner": statistics.median(counts) if counts else 0,
                "max_per_partner": max(counts) if counts else 0,
                "overlapping_pairs": overlap["overlapping_pairs"], "mean_jaccard": overlap["mean_jaccard"],
                "redundant_pairs": overlap["redundant_pairs"],
                "graph": _graph(m, nodes, overlap["pairs"], title=title, as_of=date)}

    per_tier: dict[str, int] = {}
    for a in assignments:
        name = a.tier_name if a.tier is not None else "not assessed"
        per_tier[name] = per_tier.get(name, 0) + 1
    frameworks = {i: len(m) for i, m in members(partners).items() if i in replaced}
    return {"as_of": date, "replaced": sorted(replaced), "partners_per_framework": frameworks,
            "partners_per_tier": per_tier,
            "today": side(partners, f"Today's instruments sharing partners, as of {date}"),
            "tiers": side(after, f"Under the tiers (frameworks {', '.join(sorted(replaced))} replaced), as of {date}")}


MEASURES = [("partners", "partners"), ("instruments", "instruments with partners"),
            ("mean_per_partner", "instruments per partner (mean)"),
            ("median_per_partner", "instruments per partner (median)"),
            ("max_per_partner", "instruments per partner (most)"),
            ("overlapping_pairs", "pairs of instruments sharing partners"),
            ("mean_jaccard", "mean Jaccard of those pairs"),
            ("redundant_pairs", f"pairs with Jaccard >= {REDUNDANT_JACCARD}")]


def comparison_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The before/after measures as rows: measure, today, under the tiers."""
    return [{"measure": label, "today": result["today"][key], "tiers": result["tiers"][key]}
            for key, label in MEASURES]
