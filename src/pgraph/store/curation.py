"""When the data was last curated: derived from the data files' history, never stored by hand."""
from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Iterable


def curated_on(files: Iterable[Path]) -> str | None:
    """The date (YYYY-MM-DD) the data files were last changed: the last git commit that touched
    them when they live in a git checkout (checkouts reset file times), else the newest file time."""
    paths = [Path(p).resolve() for p in files]
    if not paths:
        return None
    folder = paths[0].parent
    try:
        done = subprocess.run(["git", "log", "-1", "--format=%cs", "--", *map(str, paths)], cwd=folder,
                              capture_output=True, text=True, timeout=10)
        text = done.stdout.strip()
        if done.returncode == 0 and text:
            return dt.date.fromisoformat(text).isoformat()
    except (OSError, ValueError, subprocess.SubprocessError):
        pass
    try:
        newest = max(p.stat().st_mtime for p in paths)
    except (OSError, ValueError):
        return None
    return dt.datetime.fromtimestamp(newest, tz=dt.timezone.utc).date().isoformat()
