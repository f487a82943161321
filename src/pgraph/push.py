"""Loading the graph into a SPARQL server, replacing one named graph as a whole."""
from __future__ import annotations

import urllib.parse
import urllib.request
from typing import Any

from .errors import UsageError
from .store import EmbeddedStore, check_timeout, parse_endpoint, send
from .vocab import FACTS_GRAPH

PROTOCOLS = ("gsp", "update")
DEFAULT_GRAPH = FACTS_GRAPH


def _ntriples(store: EmbeddedStore) -> bytes:
    import pyoxigraph as ox
    return store.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


def push(store: EmbeddedStore, url: str, *, graph: str = DEFAULT_GRAPH, protocol: str = "gsp",
         timeout: float = 60.0) -> int:
    """Replace `graph` on the server with the loaded graph in one request; the number of triples sent.

    gsp: an HTTP PUT to a SPARQL 1.1 Graph Store endpoint (e.g. Oxigraph's /store).
    update: one SPARQL Update request (DROP SILENT GRAPH, then INSERT DATA) to an update endpoint.
    Either way the server applies the request as a whole or not at all, so a failed upload
    leaves its previous graph in place.
    """
    if protocol not in PROTOCOLS:
        raise UsageError(f"unknown protocol '{protocol}'; choose gsp or update")
    endpoint = parse_endpoint(url)
    timeout = check_timeout(timeout)
    url = endpoint.url
    from .catalog import Iri
    try:
        graph = Iri(graph).value
    except ValueError:
        raise UsageError(f"--graph must be an absolute IRI, got {graph!r}") from None
    body = _ntriples(store)
    if protocol == "gsp":
        sep = "&" if "?" in url else "?"
        target = f"{url}{sep}graph={urllib.parse.quote(graph, safe='')}"
        request = urllib.request.Request(target, data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
    else:
        update = (f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n".encode()
                  + body + b"}}\n")
        request = urllib.request.Request(url, data=update, method="POST",
                                         headers={"Content-Type": "application/sparql-update"})
    send(endpoint, request, timeout=timeout)
    return len(store)


def count_remote(kg: Any) -> int:
    """Triples the server holds in the connected graph (a check after a push)."""
    return int(kg.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
