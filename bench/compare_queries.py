"""Two texts of one query, side by side on a built store: same answer? how long each?

Both run once to warm the store's caches, then in turns (A, B, A, B, ...) in this process,
materialising every row; prints the medians, the rows and whether the answers are equal,
with the load average. For rewrites of catalog queries (the first text kept, the new one in
queries/). Blank nodes are compared without their labels, as the golden answers of
tests/queries/ are (labels differ between texts and builds; everything else must not).

Usage: python bench/compare_queries.py STORE_DIR OLD.rq NEW.rq [RUNS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox


def main() -> None:
    store_dir, old, new = (Path(a) for a in sys.argv[1:4])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    current = (store_dir / "CURRENT").read_text().strip()
    store = ox.Store.read_only(str(store_dir / "builds" / current / "oxigraph"))

    def run(path: Path) -> tuple[float, list[tuple[str, ...]]]:
        started = time.perf_counter()
        rows = [tuple("_:b" if isinstance(term, ox.BlankNode) else str(term) for term in row)
                for row in store.query(path.read_text())]
        return time.perf_counter() - started, rows

    load = os.getloadavg()[0]
    _, old_rows = run(old)
    _, new_rows = run(new)
    old_s, new_s = [], []
    for _ in range(runs):
        old_s.append(run(old)[0])
        new_s.append(run(new)[0])
    print(f"{len(store):,} triples, load {load:.1f} -> {os.getloadavg()[0]:.1f}: "
          f"{old.name} {statistics.median(old_s) * 1000:.0f} ms ({len(old_rows)} rows), "
          f"{new.name} {statistics.median(new_s) * 1000:.0f} ms ({len(new_rows)} rows), "
          f"same answer: {old_rows == new_rows}")


if __name__ == "__main__":
    main()
