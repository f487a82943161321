"""Saved queries and their typed parameters: the catalogue of `.rq` files with YAML headers,
strict parameter types, and binding values as typed RDF terms (never as query text)."""
from __future__ import annotations

from .binding import Iri, Term, escape_string
from .columns import column_order, in_query_order
from .params import ParamSpec, coerce
from .reads import saved_predicates
from .saved import Catalog, as_list, markdown, postprocess, read_query

__all__ = ["Catalog", "as_list", "column_order", "in_query_order", "markdown", "postprocess", "read_query", "saved_predicates", "ParamSpec",
           "coerce", "Iri", "Term", "escape_string"]
