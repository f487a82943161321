"""The pages' Jinja2 environment: autoescape on for every template, links only to http(s) or the site."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..version import __version__


def safe_href(url: Any) -> str | None:
    """A link target that cannot run code: an http(s) URL or a path on this site, else None."""
    text = str(url or "")
    if text.startswith(("https://", "http://")) or (text.startswith("/") and not text.startswith("//")):
        if not any(ord(c) < 0x21 for c in text):
            return text
    return None


def cell_text(value: Any) -> str:
    """A cell as text: lists joined, floats kept short, booleans in lower case."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


@lru_cache(maxsize=1)
def environment() -> Any:
    import jinja2
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["href"] = safe_href
    env.filters["cell"] = cell_text
    env.globals["version"] = __version__
    return env


def render(name: str, context: dict[str, Any]) -> str:
    """A page from its template, every value from the data escaped."""
    base = {"static": False, "css": "/static/style.css", "title": "pgraph"}
    return environment().get_template(name).render({**base, **context})
