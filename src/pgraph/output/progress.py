"""Progress on a terminal for work that takes long: nothing for the first 2 s, then a bar (tqdm) on
stderr. Off unless the command turns it on, so pipes, files, --format json and the Python API
never see one."""
from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

DELAY = 2.0      # seconds of silence before a bar appears
_on = False


def enable(on: bool) -> None:
    """Show bars from now on (the command does this when stderr and its output are terminals)."""
    global _on
    _on = on


def enabled() -> bool:
    return _on


def steps(items: Iterable[Any], *, what: str, sizes: Iterable[float] | None = None, unit: str = "it") -> Iterator[Any]:
    """Yield items; past DELAY seconds, a bar counts them (or their sizes, e.g. bytes) on stderr."""
    if not _on:
        yield from items
        return
    from tqdm import tqdm
    items = list(items)
    weights = list(sizes) if sizes is not None else [1.0] * len(items)
    with tqdm(total=sum(weights), desc=what, unit=unit, unit_scale=unit == "B", delay=DELAY, leave=False,
              file=sys.stderr, dynamic_ncols=True) as bar:
        for item, weight in zip(items, weights):
            yield item
            bar.update(weight)


@contextmanager
def working(what: str) -> Iterator[None]:
    """For one long call that reports no steps: past DELAY seconds, the time it has taken so far."""
    if not _on:
        yield
        return
    import time
    done = threading.Event()
    started = time.time()

    def tick() -> None:
        if done.wait(DELAY):
            return
        from tqdm import tqdm
        with tqdm(total=None, desc=what, bar_format="{desc}: {elapsed}", leave=False, file=sys.stderr,
                  delay=float("inf")) as bar:  # drawn by refresh() below, once its clock is set
            bar.start_t = started  # the time taken since the work began, not since the bar appeared
            bar.refresh()
            while not done.wait(0.2):
                bar.refresh()

    ticker = threading.Thread(target=tick, name="pgraph-progress", daemon=True)
    ticker.start()
    try:
        yield
    finally:
        done.set()
        ticker.join(timeout=1.0)
