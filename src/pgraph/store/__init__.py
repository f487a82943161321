"""Triples in and out of an engine: finding and reading data files, the embedded and remote
backends, the parsed-graph cache, RDF terms as Python values, and where a text goes wrong."""
from __future__ import annotations

from .backends import Backend, EmbeddedStore, RemoteStore, check_read_only, describe_failure, read_within
from .curation import curated_on
from .sourcemap import index
from .sources import FileSet, collect, read_bytes
from .syntax import locate

__all__ = ["Backend", "EmbeddedStore", "RemoteStore", "check_read_only", "describe_failure", "read_within",
           "curated_on", "FileSet", "collect", "read_bytes", "index", "locate"]
