"""Turning rows and triples into bytes, safely: tables and serialisations, and atomic writes
that leave a file whole or untouched."""
from __future__ import annotations

from .atomic import atomic_path, discard_pending, write_atomic
from .neutral import escape_c1, for_spreadsheet, for_terminal, for_xml, visible_controls
from .spreadsheet import xlsx
from .tables import GRAPH_FORMATS, render_rows, render_triples, table

__all__ = ["atomic_path", "discard_pending", "write_atomic", "GRAPH_FORMATS", "render_rows",
           "render_triples", "table", "xlsx",
           "escape_c1", "for_spreadsheet", "for_terminal", "for_xml", "visible_controls"]
