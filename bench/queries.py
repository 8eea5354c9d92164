"""Time every prebuilt query in-process on the repository's graph (target: under 100 ms each).

Each query is evaluated and its answer fully materialised N times (as `kg query` does before
printing), after one warm-up; the figure is the median. By default the store is built once
into a temporary directory; ``--store DIR`` times the live build of an existing store
instead (after `kg build`). The load average is recorded before and after (the machine may be
shared). ``--only a,b`` times those queries only. Paged queries (``#+ pagination``) are
timed whole by default; ``--paged first`` times their first page (what `kg query NAME` and
/queries/NAME ask for by default), ``--paged skip`` leaves them out (the answers that do not
grow with the graph, for the 1000x target).

Usage: python bench/queries.py [--runs 5] [--store .kg/store] [--paged whole|first|skip]
                               [--output queries]
"""

from __future__ import annotations

import argparse
import json
import os
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
from kg.query.run import execute, materialise, take_page  # noqa: E402
from kg.sources.project import find_project  # noqa: E402
from kg.store.builds import StoreDir  # noqa: E402
from kg.store.pipeline import build  # noqa: E402
from kg.terms import Compactor  # noqa: E402

TARGET_MS = 100.0


def time_all(store, queries, prefixes: dict[str, str], runs: int, paged: str = "whole"
             ) -> dict[str, dict]:
    timings = {}
    for query in queries:
        if is_federated(query.text):  # live calls to Wikidata are not ours to time
            continue
        if query.page_size and paged == "skip":
            continue
        page = 1 if query.page_size and paged == "first" else None

        def run(query=query, page=page):
            result = execute(store, query, {}, prefixes, page=page)
            return materialise(take_page(result, query.page_size)[0] if page else result)

        answer = run()  # warm-up
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            run()
            samples.append((time.perf_counter() - started) * 1000)
        timings[query.name] = {"median_ms": round(statistics.median(samples), 2),
                               "min_ms": round(min(samples), 2),
                               "max_ms": round(max(samples), 2),
                               "rows": len(answer.rows) if answer.kind == "select" else 1,
                               "paged": query.page_size is not None}
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--store", type=Path, help="time this store's live build")
    parser.add_argument("--only", help="comma-separated query names")
    parser.add_argument("--paged", choices=("whole", "first", "skip"), default="whole",
                        help="paged queries: time the whole answer, the first page, or none")
    parser.add_argument("--output", default="queries",
                        help="write bench/results/OUTPUT.json (default: queries)")
    args = parser.parse_args()
    project = find_project(REPO)
    queries = Catalog(project.queries_dir).all()
    if args.only:
        wanted = set(args.only.split(","))
        queries = [q for q in queries if q.name in wanted]
    with tempfile.TemporaryDirectory() as tmp:
        if args.store:
            live = StoreDir(args.store).current()
            if live is None:
                raise SystemExit(f"{args.store}: no build (run `kg build`)")
            store, prefixes = live.open(), live.manifest.get("prefixes", {})
        else:
            result = build(project, StoreDir(Path(tmp)))
            store, prefixes = result.build.open(), result.prefixes
        triples = len(store)
        load_before = os.getloadavg()
        timings = time_all(store, queries, Compactor(prefixes).prefixes, args.runs, args.paged)
        load_after = os.getloadavg()
    ranked = sorted(timings.items(), key=lambda item: -item[1]["median_ms"])
    report = {"machine": f"{platform.machine()}, {platform.system()}, Python "
                         f"{platform.python_version()}, {os.cpu_count()} cores",
              "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "load_average": {"before": load_before, "after": load_after},
              "triples": triples, "runs": args.runs, "target_ms": TARGET_MS,
              "paged": args.paged,
              "queries": dict(ranked)}
    out = REPO / "bench" / "results" / f"{args.output}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{len(timings)} queries on {triples} triples, median of {args.runs} runs after a "
          f"warm-up; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after\n")
    print("| query | median ms | min ms | max ms | rows | paged |\n|---|---|---|---|---|---|")
    for name, t in ranked:
        print(f"| `{name}` | {t['median_ms']:.1f} | {t['min_ms']:.1f} | {t['max_ms']:.1f} "
              f"| {t['rows']} | {'yes' if t['paged'] else ''} |")
    over = [name for name, t in ranked if t["median_ms"] > TARGET_MS]
    print(f"\nover {TARGET_MS:.0f} ms: {', '.join(over) or 'none'} "
          f"({len(timings) - len(over)} of {len(timings)} under)")


if __name__ == "__main__":
    main()
