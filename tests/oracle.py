"""An independent oracle of the as-of semantics (docs/data.md, "What active on a date means").

Plain Python over rdflib: no SPARQL and no code shared with the saved queries, so that a
differential test can hold the queries to the documented rules. Each public function returns
the rows the saved query of the same name should return, as plain Python values.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Iterable

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

PG = Namespace("https://w3id.org/pgraph/ontology#")
DAY, MONTH, YEAR = PG.DayPrecision, PG.MonthPrecision, PG.YearPrecision


@dataclass(frozen=True)
class When:
    """A date and how precisely it is known."""

    day: dt.date
    precision: URIRef = DAY

    def state(self, on: dt.date) -> str:
        """'before' the fact, 'uncertain' (in the month or year it is known to), or 'after' it, on a date."""
        if on < self.day:
            return "before"
        same_year = on.year == self.day.year
        if self.precision == YEAR and same_year or self.precision == MONTH and same_year and on.month == self.day.month:
            return "uncertain"
        return "after"


@dataclass
class Held:
    """One participation as the oracle sees it."""

    iri: URIRef
    who: URIRef
    instrument: URIRef
    start: When
    end: When | None
    end_reason: URIRef | None
    sources: list[str] = field(default_factory=list)


def _round3(x: Fraction) -> float:
    """Rounded to three decimals, halves up (SPARQL's ROUND), as a float."""
    return float(Fraction(math.floor(x * 1000 + Fraction(1, 2)), 1000))


def _date(value: object) -> dt.date:
    return dt.date.fromisoformat(str(value))


class Oracle:
    """The documented semantics, computed from an rdflib graph of the ontology and the data."""

    def __init__(self, files: Iterable[Path]) -> None:
        g = Graph()
        for f in files:
            g.parse(f, format="turtle")
        self.g = g
        self.kind = {c: str(k) for c, k in g.subject_objects(PG.kindId)}
        self.inst: dict[URIRef, dict] = {}
        for i, cls in g.subject_objects(RDF.type):
            if cls in self.kind and g.value(i, PG.establishedOn) is not None:
                prec = g.value(i, PG.datePrecision) or DAY
                ended = g.value(i, PG.endedOn)
                self.inst[i] = {
                    "id": str(g.value(i, DCTERMS.identifier)), "label": str(g.value(i, RDFS.label)),
                    "kind": self.kind[cls], "acronym": g.value(i, PG.acronym),
                    "established": When(_date(g.value(i, PG.establishedOn)), prec),
                    "ended": When(_date(ended), prec) if ended is not None else None}
        self.held: list[Held] = []
        for p in g.subjects(RDF.type, PG.Participation):
            end = g.value(p, PG.endDate)
            self.held.append(Held(
                p, g.value(p, PG.participant), g.value(p, PG.instrument),
                When(_date(g.value(p, PG.startDate)), g.value(p, PG.startPrecision) or DAY),
                When(_date(end), g.value(p, PG.endPrecision) or DAY) if end is not None else None,
                g.value(p, PG.endReason), sorted(str(s) for s in g.objects(p, DCTERMS.source))))
        self.changes = [(g.value(c, PG.changeOf), g.value(c, PG.changeType),
                         When(_date(g.value(c, PG.date)), g.value(c, PG.datePrecision) or DAY))
                        for c in g.subjects(RDF.type, PG.StatusChange)]
        self.accession = {g.value(a, PG.participant): _date(g.value(a, PG.date))
                          for a in g.subjects(RDF.type, PG.Accession)}
        self._ids: dict[URIRef, str] = {}
        self._states: dict[tuple[URIRef, dt.date], str] = {}

    # ---------------------------------------------------------------- the rules
    def _ident(self, x: URIRef) -> str:
        if x not in self._ids:
            self._ids[x] = str(self.g.value(x, DCTERMS.identifier))
        return self._ids[x]

    def _targets(self, h: Held) -> set[URIRef]:
        return {h.iri, h.instrument, h.who}

    def _suspended(self, targets: set[URIRef], on: dt.date) -> bool:
        """A suspension on or before the date with no resumption of the same scope on or after its day."""
        mine = [(t, when.day) for target, t, when in self.changes if target in targets and when.day <= on]
        return any(t == PG.SuspensionChange and not any(r == PG.ResumptionChange and d >= s for r, d in mine)
                   for t, s in mine)

    def state(self, h: Held, on: dt.date) -> str:
        """'out', 'uncertain', 'suspended' or 'active' for a participation on a date."""
        if (h.iri, on) not in self._states:
            self._states[h.iri, on] = self._state(h, on)
        return self._states[h.iri, on]

    def _state(self, h: Held, on: dt.date) -> str:
        inst = self.inst[h.instrument]
        starts = [h.start.state(on), inst["established"].state(on)]
        ends = [e.state(on) for e in (h.end, inst["ended"]) if e is not None]
        if h.who in self.accession:
            ends.append(When(self.accession[h.who]).state(on))
        if "before" in starts or "after" in ends:
            return "out"
        changes = [w.state(on) for target, _t, w in self.changes if target in self._targets(h)]
        if "uncertain" in starts + ends + changes:
            return "uncertain"
        return "suspended" if self._suspended(self._targets(h), on) else "active"

    def _counted(self, on: dt.date, strict: bool) -> list[Held]:
        ok = {"active"} if strict else {"active", "uncertain"}
        return [h for h in self.held if self.state(h, on) in ok]

    # ---------------------------------------------------------------- the queries
    def members(self, instrument: URIRef, asOf: dt.date, strict: bool = False) -> list[dict]:
        rank = {"active": 3, "uncertain": 2, "suspended": 1}
        best: dict[URIRef, tuple[int, dt.date]] = {}
        for h in self.held:
            s = self.state(h, asOf)
            if h.instrument != instrument or s == "out" or strict and s == "uncertain":
                continue
            r, since = best.get(h.who, (0, h.start.day))
            best[h.who] = (max(r, rank[s]), min(since, h.start.day))
        name = {v: k for k, v in rank.items()}
        return [{"country": self._ident(w), "label": str(self.g.value(w, RDFS.label)), "status": name[r],
                 "since": since.isoformat()} for w, (r, since) in best.items()]

    def memberships(self, asOf: dt.date, strict: bool = False) -> list[dict]:
        rows = []
        for i in {h.instrument for h in self.held}:
            for row in self.members(i, asOf, strict):
                who = next(h.who for h in self.held if self._ident(h.who) == row["country"])
                rows.append({"instrument": self._ident(i), "participant": row["country"], "label": row["label"],
                             "type": "country" if (who, RDF.type, PG.Country) in self.g else "organisation",
                             "role": "ally" if who in self.accession and self.accession[who] <= asOf else "partner",
                             "status": row["status"], "since": row["since"]})
        return rows

    def partners(self, asOf: dt.date, strict: bool = False) -> list[dict]:
        by: dict[URIRef, set[str]] = {}
        for h in self._counted(asOf, strict):
            if (h.who, RDF.type, PG.Country) in self.g and not (h.who in self.accession and self.accession[h.who] <= asOf):
                by.setdefault(h.who, set()).add(self._ident(h.instrument))
        return [{"country": self._ident(w), "label": str(self.g.value(w, RDFS.label)), "instruments": len(ids),
                 "instrument_ids": sorted(ids)} for w, ids in by.items()]

    def allies(self, asOf: dt.date) -> list[dict]:
        return [{"country": self._ident(c), "label": str(self.g.value(c, RDFS.label)), "accession": d.isoformat()}
                for c, d in self.accession.items() if d <= asOf]

    def instruments(self, asOf: dt.date, strict: bool = False) -> list[dict]:
        rows = []
        counted = self._counted(asOf, strict)
        for i, inst in self.inst.items():
            est, end = inst["established"], inst["ended"]
            if est.day > asOf:
                continue
            held = [h for h in self.held if h.instrument == i and self.state(h, asOf) != "out"]
            suspended = [h for h in held if self.state(h, asOf) == "suspended"]
            if end is not None and end.state(asOf) == "after":
                status = "ended"
            elif "uncertain" in [est.state(asOf), end.state(asOf) if end else None] + [
                    w.state(asOf) for target, _t, w in self.changes if target == i]:
                status = "uncertain"
            elif self._suspended({i}, asOf) or held and len(suspended) == len(held):
                status = "suspended"
            else:
                status = "active"
            rows.append({"instrument": inst["id"], "label": inst["label"], "kind": inst["kind"],
                         "established": est.day.isoformat(),
                         "ended": end.day.isoformat() if end is not None and end.day <= asOf else None,
                         "status": status, "participants": len({h.who for h in counted if h.instrument == i}),
                         "acronym": str(inst["acronym"]) if inst["acronym"] is not None else None})
        return rows

    def overlap(self, asOf: dt.date, minShared: int = 1, strict: bool = False) -> list[dict]:
        who: dict[URIRef, set[URIRef]] = {}
        for h in self._counted(asOf, strict):
            who.setdefault(h.instrument, set()).add(h.who)
        rows = []
        for a in who:
            for b in who:
                shared = who[a] & who[b]
                if str(a) >= str(b) or len(shared) < max(minShared, 1):
                    continue
                na, nb = len(who[a]), len(who[b])
                rows.append({"a": self._ident(a), "b": self._ident(b), "shared": len(shared),
                             "jaccard": _round3(Fraction(len(shared), na + nb - len(shared))),
                             "overlap_coefficient": _round3(Fraction(len(shared), min(na, nb))),
                             "shared_countries": sorted(self._ident(w) for w in shared)})
        return rows

    def partner_history(self, who: URIRef, asOf: dt.date) -> list[dict]:
        rows = []
        for h in self.held:
            if h.who != who:
                continue
            inst = self.inst[h.instrument]
            s = self.state(h, asOf)
            if s == "out":
                s = "not started" if asOf < h.start.day or asOf < inst["established"].day else "ended"
            rows.append({"instrument": inst["id"], "label": inst["label"], "start": h.start.day.isoformat(),
                         "end": h.end.day.isoformat() if h.end else None, "status": s,
                         "end_reason": str(self.g.value(h.end_reason, RDFS.label)) if h.end_reason else None,
                         "source": h.sources[0]})
        return rows

    def status_changes(self, start: dt.date, to: dt.date) -> list[dict]:
        rows = []
        for h in self.held:
            events = [(h.start.day, "joined")]
            if h.end is not None and h.end_reason is not None:
                events.append((h.end.day, "ended: " + str(self.g.value(h.end_reason, RDFS.label))))
            for target, kind, when in self.changes:
                d = when.day
                if target in self._targets(h) and h.start.day <= d and (h.end is None or h.end.day > d):
                    events.append((d, str(self.g.value(kind, RDFS.label))))
            rows += [{"date": d.isoformat(), "country": self._ident(h.who), "instrument": self._ident(h.instrument),
                      "change": c} for d, c in events if start <= d <= to]
        return rows

    def accessions(self, start: dt.date, to: dt.date) -> list[dict]:
        rows = []
        for c, d in self.accession.items():
            if not start <= d <= to:
                continue
            left = {self._ident(h.instrument) for h in self.held if h.who == c and h.start.day < d
                    and (h.end is None or h.end.day >= d)
                    and (self.inst[h.instrument]["ended"] is None or self.inst[h.instrument]["ended"].day >= d)}
            rows.append({"country": self._ident(c), "label": str(self.g.value(c, RDFS.label)),
                         "accession": d.isoformat(), "instruments_left": sorted(left)})
        return rows

    def timeline(self, start: int, to: int) -> list[dict]:
        rows = []
        for year in range(start, to + 1):
            est = [i for i in self.inst.values() if i["established"].day.year == year]
            end = [i for i in self.inst.values() if i["ended"] and i["ended"].day.year == year]
            act = [i for i in self.inst.values() if i["established"].day.year <= year
                   and not (i["ended"] and i["ended"].day.year <= year)]
            rows.append({"year": year, "established": len(est), "ended": len(end), "active": len(act)})
        return rows

