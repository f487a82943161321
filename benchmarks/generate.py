"""Synthetic graphs in the pgraph ontology, shaped like the real data, at a chosen number of triples.

Countries, instruments of every kind, dated participations (some ended by accession or
withdrawal, some suspended by a status change), accessions, thematic areas, assessments and
sources, all consistent with the SHACL integrity rules, written as N-Triples lines in .ttl files
(valid Turtle, fast to write and to parse).

    python benchmarks/generate.py 100000 benchmarks/graphs/100k
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

PG = "https://w3id.org/pgraph/ontology#"
ID = "https://w3id.org/pgraph/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
KINDS = ["RegionalFramework", "Initiative", "SpecialPartnershipBody", "ConsultationForum", "ThematicProgramme",
         "CooperationTool", "CooperationDocumentType", "TrustFund"]
AREAS = ["political-dialogue", "defence-reform", "interoperability", "capacity-building", "education-training",
         "science-technology", "integrity", "crisis-management", "civil-preparedness", "counter-terrorism",
         "arms-control", "cyber-defence", "women-peace-security", "defence-planning", "demilitarisation"]
TRIPLES_PER_PARTICIPATION = 7.6  # participation, its share of countries/instruments/sources/changes


def _iri(x: str) -> str:
    return f"<{x}>"


def _date(d: dt.date) -> str:
    return f'"{d.isoformat()}"^^<{XSD}date>'


def _str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


ALPHA3_CODES = 26 ** 3  # partners past this many are organisations: ISO codes have three letters


def _alpha3(i: int) -> str:
    """The distinct three-letter code of country number i (i < 17,576)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return letters[(i // 676) % 26] + letters[(i // 26) % 26] + letters[i % 26]


def _partner(i: int) -> tuple[str, str, str]:
    """Identifier, IRI and class of partner number i: a country while three-letter codes last, then an
    international organisation with a lower-case id (the integrity shapes allow nothing else)."""
    if i < ALPHA3_CODES:
        code = _alpha3(i)
        return code, f"{ID}country/{code}", "Country"
    code = f"org-{i - ALPHA3_CODES}"
    return code, f"{ID}organisation/{code}", "InternationalOrganisation"


def generate(target: int, out: Path, *, seed: int = 1) -> dict[str, int]:
    """Write about `target` triples under `out`; returns the counts of what was made."""
    rng = random.Random(seed)
    participations = max(50, int(target / TRIPLES_PER_PARTICIPATION))
    countries = max(20, participations // 6)
    instruments = max(10, countries // 8)
    sources = max(5, participations // 40)
    out.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {"countries": [], "instruments": [], "participations": [], "sources": []}

    def t(bucket: str, s: str, p: str, o: str) -> None:
        lines[bucket].append(f"{s} {p} {o} .")

    for k in range(sources):
        s = _iri(f"https://example.org/source/{k}")
        t("sources", s, _iri(RDF_TYPE), _iri(PG + "Source"))
        t("sources", s, _iri(DCT + "title"), _str(f"Synthetic source {k}"))
        t("sources", s, _iri(DCT + "publisher"), _str("Synthetic publisher"))
        t("sources", s, _iri(PG + "primary"), f'"{"true" if k % 3 else "false"}"^^<{XSD}boolean>')

    def src() -> str:
        return _iri(f"https://example.org/source/{rng.randrange(sources)}")

    inst_start: list[dt.date] = []
    inst_end: list[dt.date | None] = []
    for i in range(instruments):
        iri = _iri(f"{ID}instrument/synthetic-{i}")
        start = dt.date(1991, 1, 1) + dt.timedelta(days=rng.randrange(365 * 30))
        end = None
        if rng.random() < 0.1:
            end = start + dt.timedelta(days=rng.randrange(365, 365 * 8))
            end = min(end, dt.date(2025, 12, 31))
        inst_start.append(start)
        inst_end.append(end)
        t("instruments", iri, _iri(RDF_TYPE), _iri(PG + KINDS[i % len(KINDS)]))
        t("instruments", iri, _iri(DCT + "identifier"), _str(f"synthetic-{i}"))
        t("instruments", iri, _iri(LABEL), _str(f"Synthetic instrument {i}") + "@en")
        t("instruments", iri, _iri(PG + "establishedOn"), _date(start))
        t("instruments", iri, _iri(PG + "status"), _iri(PG + ("Ended" if end else "Active")))
        for area in rng.sample(AREAS, rng.randint(1, 3)):
            t("instruments", iri, _iri(PG + "thematicArea"), _iri(f"{ID}area/{area}"))
        t("instruments", iri, _iri(DCT + "source"), src())
        if end:
            t("instruments", iri, _iri(PG + "endedOn"), _date(end))
            t("instruments", iri, _iri(PG + "endReason"), _iri(PG + "InstrumentTerminated"))
        if rng.random() < 0.05:
            a = _iri(f"{ID}assessment/synthetic-{i}")
            t("instruments", a, _iri(RDF_TYPE), _iri(PG + "Assessment"))
            t("instruments", a, _iri(PG + "about"), iri)
            t("instruments", a, _iri(PG + "verdict"), _iri(PG + rng.choice(["GoalFulfilled", "GoalFailed"])))
            t("instruments", a, _iri(PG + "assessedBy"), _str("Synthetic assessor"))
            t("instruments", a, _iri(DCT + "source"), src())

    accession: list[dt.date | None] = []
    for c in range(countries):
        code, partner, cls = _partner(c)
        iri = _iri(partner)
        t("countries", iri, _iri(RDF_TYPE), _iri(PG + cls))
        t("countries", iri, _iri(DCT + "identifier"), _str(code))
        t("countries", iri, _iri(LABEL), _str(f"Country {code}") + "@en")
        t("countries", iri, _iri(DCT + "source"), src())
        joined = None
        if cls == "Country" and rng.random() < 0.1:
            joined = dt.date(1999, 1, 1) + dt.timedelta(days=rng.randrange(365 * 26))
            a = _iri(f"{ID}accession/{code}")
            t("countries", a, _iri(RDF_TYPE), _iri(PG + "Accession"))
            t("countries", a, _iri(PG + "participant"), iri)
            t("countries", a, _iri(PG + "date"), _date(joined))
            t("countries", a, _iri(DCT + "source"), src())
        accession.append(joined)

    made = 0
    seen: set[tuple[int, int]] = set()
    while made < participations:
        c, i = rng.randrange(countries), rng.randrange(instruments)
        if (c, i) in seen:
            continue
        start = inst_start[i] + dt.timedelta(days=rng.randrange(0, 365 * 3))
        end, reason = inst_end[i], "InstrumentTerminated" if inst_end[i] else None
        if accession[c] and accession[c] <= start:
            continue  # an Ally does not join as a partner
        if accession[c] and (end is None or accession[c] < end):
            end, reason = accession[c], "AccessionToNato"
        elif rng.random() < 0.08:
            quit_ = start + dt.timedelta(days=rng.randrange(200, 365 * 10))
            if (end is None or quit_ < end) and quit_ < dt.date(2026, 1, 1):
                end, reason = quit_, "Withdrawal"
        if end is not None and end <= start:
            continue
        seen.add((c, i))
        code, partner, _ = _partner(c)
        p = _iri(f"{ID}participation/synthetic-{i}-{code}")
        t("participations", p, _iri(RDF_TYPE), _iri(PG + "Participation"))
        t("participations", p, _iri(PG + "participant"), _iri(partner))
        t("participations", p, _iri(PG + "instrument"), _iri(f"{ID}instrument/synthetic-{i}"))
        t("participations", p, _iri(PG + "startDate"), _date(start))
        t("participations", p, _iri(DCT + "source"), src())
        suspended = end is None and rng.random() < 0.04
        status = "Ended" if end else ("Suspended" if suspended else "Active")
        t("participations", p, _iri(PG + "status"), _iri(PG + status))
        if end:
            t("participations", p, _iri(PG + "endDate"), _date(end))
            t("participations", p, _iri(PG + "endReason"), _iri(PG + reason))
        if suspended:
            ch = _iri(f"{ID}change/synthetic-{i}-{code}")
            t("participations", ch, _iri(RDF_TYPE), _iri(PG + "StatusChange"))
            t("participations", ch, _iri(PG + "changeOf"), p)
            t("participations", ch, _iri(PG + "changeType"), _iri(PG + "SuspensionChange"))
            t("participations", ch, _iri(PG + "date"), _date(start + dt.timedelta(days=rng.randrange(30, 400))))
            t("participations", ch, _iri(DCT + "source"), src())
        made += 1

    total = 0
    for name, rows in lines.items():
        (out / f"{name}.ttl").write_text("\n".join(rows) + "\n", encoding="utf-8")
        total += len(rows)
    return {"triples": total, "countries": countries, "instruments": instruments,
            "participations": participations, "sources": sources}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("triples", type=int, help="about how many triples to write")
    parser.add_argument("out", type=Path, help="output folder (a data directory for pgraph --data)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.triples, args.out, seed=args.seed))


if __name__ == "__main__":
    main()
