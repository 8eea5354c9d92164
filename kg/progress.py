"""Progress bars for the long commands: on a terminal only, and only once a step takes a while.

Short runs and piped output stay as they were (no bar, nothing on stderr but the log lines);
``KG_PROGRESS_DELAY`` (seconds, default 1.5) sets how long a step runs before its bar shows.
tqdm is imported only when a bar may be drawn.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def progress(description: str, total: int | None = None, unit: str = "file"
             ) -> Iterator[Callable[[int], object]]:
    """Yield ``advance(n)``; on a terminal a bar appears once the step outlasts the delay."""
    if not sys.stderr.isatty():
        yield lambda _n=1: None
        return
    from tqdm import tqdm

    delay = float(os.environ.get("KG_PROGRESS_DELAY", "1.5"))
    with tqdm(total=total, desc=description, unit=unit, delay=delay, leave=False,
              file=sys.stderr, dynamic_ncols=True) as bar:
        yield bar.update
