"""Time every prebuilt query in-process on the repository's graph (target: under 50 ms each).

The store is built once into a temporary directory; each query is then evaluated and its
answer fully materialised N times (as `kg query` does before printing), after one warm-up.
Usage: python bench/queries.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.query.catalog import Catalog  # noqa: E402
from kg.query.federation import is_federated  # noqa: E402
from kg.query.run import execute, materialise  # noqa: E402
from kg.sources.project import find_project  # noqa: E402
from kg.store.builds import StoreDir  # noqa: E402
from kg.store.pipeline import build  # noqa: E402
from kg.terms import Compactor  # noqa: E402

TARGET_MS = 50.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    project = find_project(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        result = build(project, StoreDir(Path(tmp)))
        store = result.build.open()
        prefixes = Compactor(result.prefixes).prefixes
        timings = {}
        for query in Catalog(project.queries_dir).all():
            if is_federated(query.text):  # live calls to Wikidata are not ours to time
                continue
            materialise(execute(store, query, {}, prefixes))  # warm-up
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                materialise(execute(store, query, {}, prefixes))
                samples.append((time.perf_counter() - started) * 1000)
            timings[query.name] = {"median_ms": statistics.median(samples),
                                   "min_ms": min(samples), "max_ms": max(samples)}
        triples = result.triples
    ranked = sorted(timings.items(), key=lambda item: -item[1]["median_ms"])
    report = {"machine": f"{platform.machine()}, {platform.system()}, Python "
                         f"{platform.python_version()}",
              "triples": triples, "runs": args.runs, "target_ms": TARGET_MS,
              "queries": dict(ranked)}
    out = REPO / "bench" / "results" / "queries.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(timings)} queries on {triples} triples, {args.runs} runs each\n")
    print("| query | median ms | min ms | max ms |\n|---|---|---|---|")
    for name, t in ranked:
        print(f"| `{name}` | {t['median_ms']:.1f} | {t['min_ms']:.1f} | {t['max_ms']:.1f} |")
    slowest, worst = ranked[0]
    over = [name for name, t in ranked if t["median_ms"] > TARGET_MS]
    print(f"\nslowest: {slowest} ({worst['median_ms']:.1f} ms median); "
          f"over {TARGET_MS:.0f} ms: {', '.join(over) or 'none'}")


if __name__ == "__main__":
    main()
