"""Triples in and out of an engine: finding and reading data files, the embedded and remote
backends, the parsed-graph cache, RDF terms as Python values, and where a text goes wrong."""
from __future__ import annotations

from .backends import AUTO, Backend, EmbeddedStore, RemoteStore, check_read_only
from .cache import discard_partial
from .curation import curated_on
from .endpoint import MAX_BYTES, Endpoint, check_timeout, describe_failure, parse_endpoint, read_within, send
from .results import tsv_columns, tsv_value
from .lexer import Token, keywords, tokens, unescape, variables
from .sourcemap import index
from .sources import FileSet, collect, read_bytes
from .syntax import locate, parse_form, uses_service
from .terms import from_oxigraph

__all__ = ["AUTO", "Backend", "EmbeddedStore", "RemoteStore", "check_read_only", "describe_failure", "read_within",
           "MAX_BYTES", "Endpoint", "check_timeout", "parse_endpoint", "send", "curated_on", "discard_partial",
           "FileSet", "collect", "read_bytes", "index", "locate", "parse_form", "uses_service",
           "tsv_columns", "tsv_value", "Token", "keywords", "tokens", "unescape", "variables", "from_oxigraph"]
