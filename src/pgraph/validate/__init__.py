"""SHACL: the fast engine (each constraint one SPARQL query), running the shapes with the
smells' settings, and the reports' formats."""
from __future__ import annotations

from .engine import SEVERITIES, Finding, compile_shapes
from .formats import render, rules_markdown
from .run import Report, Settings, shape_files, validate, validate_store

__all__ = ["SEVERITIES", "Finding", "compile_shapes", "render", "rules_markdown", "Report", "Settings",
           "shape_files", "validate", "validate_store"]
