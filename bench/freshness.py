"""The freshness check of a cold `kg query`, before and after the stat index, side by side.

Before (kg until issue 20): read the whole manifest (every file's hash) and walk the source
folders with os.scandir, comparing each file's size and mtime with the manifest's. After:
read head.json and the build's stat index (kg.store.freshness.unchanged). Both run in turns
in this process on a fresh store; prints the medians with the load average.

Usage: python bench/freshness.py PROJECT_DIR STORE_DIR [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.sources.project import SOURCE_PARTS, find_project
from kg.store.builds import StoreDir
from kg.store.freshness import STAT_INDEX, unchanged


def main() -> None:
    project = find_project(sys.argv[1])
    build = StoreDir(Path(sys.argv[2])).current()
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7

    def before() -> bool:
        manifest = json.loads((build.path / "manifest.json").read_text(encoding="utf-8"))
        known = {f["path"]: (f["size"], f["mtime_ns"]) for f in manifest.get("files", [])}
        seen = 0
        for part in SOURCE_PARTS:
            for relpath, entry in project.walk(part):
                stat = entry.stat()
                if known.get(relpath) != (stat.st_size, stat.st_mtime_ns):
                    return False
                seen += 1
        return seen == len(known)

    def after() -> bool:
        json.loads((build.path / "head.json").read_text(encoding="utf-8"))
        return unchanged(project, build.path / STAT_INDEX)

    if not (before() and after()):
        raise SystemExit("the store is not fresh: build it first")
    load = os.getloadavg()[0]
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(runs):
        for name, check in (("before", before), ("after", after)):
            started = time.perf_counter()
            check()
            times[name].append((time.perf_counter() - started) * 1000)
    files = sum(1 for part in SOURCE_PARTS for _ in project.walk(part))
    print(f"{files:,} source files, load {load:.1f} -> {os.getloadavg()[0]:.1f}: "
          + ", ".join(f"{name} {statistics.median(t):.0f} ms (min {min(t):.0f})"
                      for name, t in times.items()))


if __name__ == "__main__":
    main()
