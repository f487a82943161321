"""The HTML jungle report: one self-contained page built from saved queries."""
from .builder import Progress, build_report, collect, render

__all__ = ["Progress", "build_report", "collect", "render"]
