"""The local web app and API: the saved-query catalogue as pages and an API, a read-only SPARQL
endpoint, a page per entity and the ontology, served from one graph loaded once."""
from __future__ import annotations

from .app import create_app
from .run import serve, write_ontology_docs
from .site import Site

__all__ = ["create_app", "serve", "write_ontology_docs", "Site"]
