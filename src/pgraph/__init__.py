"""pgraph: a knowledge graph of NATO's partnership instruments, and the toolkit around it."""
from __future__ import annotations

from .errors import (EndpointError, InputError, InternalError, OutputError, ParameterError, PgraphError,
                     QueryError, UsageError)
from .graph import KnowledgeGraph, connect, load
from .version import __version__

__all__ = [
    "KnowledgeGraph", "load", "connect",
    "PgraphError", "UsageError", "InputError", "QueryError", "ParameterError", "EndpointError",
    "OutputError", "InternalError", "__version__",
]
