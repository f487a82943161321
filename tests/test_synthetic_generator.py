"""The synthetic graphs of `make bench` obey the integrity rules at every size: identifiers stay
distinct and well-formed past the 17,576 three-letter codes (a 1M-triple graph has ~22k partners)."""
from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from generate import ALPHA3_CODES, _partner  # noqa: E402

COUNTRY_ID = re.compile(r"^[A-Z]{3}$")        # pgsh:CountryShape
ORGANISATION_ID = re.compile(r"^[a-z][a-z0-9-]*$")  # pgsh:OrganisationShape


def test_partner_ids_are_distinct_and_match_their_class_rule_past_the_three_letter_codes():
    seen = set()
    for i in range(ALPHA3_CODES + 5000):
        code, iri, cls = _partner(i)
        assert code not in seen and iri not in seen
        seen.update((code, iri))
        rule = COUNTRY_ID if cls == "Country" else ORGANISATION_ID
        assert rule.match(code), (i, code, cls)
    assert _partner(ALPHA3_CODES - 1)[2] == "Country"
    assert _partner(ALPHA3_CODES)[2] == "InternationalOrganisation"
