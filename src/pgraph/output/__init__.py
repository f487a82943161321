"""Turning rows and triples into bytes, safely: tables and serialisations, atomic writes that
leave a file whole or untouched, and progress bars on a terminal."""
from __future__ import annotations

from .atomic import atomic_path, discard_pending, write_atomic
from .neutral import escape_c1, for_spreadsheet, for_terminal, for_xml, visible_controls
from .progress import enable as enable_progress, steps as progress_steps, working as progress_while
from .spreadsheet import xlsx
from .tables import GRAPH_FORMATS, delimited_columns, render_rows, render_triples, table

__all__ = ["enable_progress", "progress_steps", "progress_while", "atomic_path", "discard_pending", "write_atomic",
           "GRAPH_FORMATS", "delimited_columns", "render_rows", "render_triples", "table", "xlsx",
           "escape_c1", "for_spreadsheet", "for_terminal", "for_xml", "visible_controls"]
