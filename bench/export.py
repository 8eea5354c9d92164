"""`kg export` against `oxigraph dump` on the same store (target: within 1.5x).

The repository's graph is built into a temporary store; then, N times each, as new processes
(start-up included, as a user runs them): `kg export` in Turtle and in N-Quads (it reads the
validated sources, canonicalises blank nodes and sorts), and `oxigraph dump` of the same
store's default graph in Turtle and of the whole store in N-Quads (store order, no sorting).
Figures are the median, min and max of the runs.

Usage: python bench/export.py [--runs 11]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.serve.assets import oxigraph_binary  # noqa: E402
from kg.sources.project import find_project  # noqa: E402
from kg.store.builds import StoreDir  # noqa: E402
from kg.store.pipeline import build  # noqa: E402

TARGET = 1.5


def timed(command: list[str], env: dict[str, str], runs: int) -> dict[str, float]:
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(samples), 1),
            "min_ms": round(min(samples), 1), "max_ms": round(max(samples), 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    kg = str(Path(sys.executable).parent / "kg")
    oxigraph = oxigraph_binary()
    if oxigraph is None:
        raise SystemExit("the oxigraph binary is missing (pip install oxigraph)")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        result = build(find_project(REPO), StoreDir(store))
        database = str(result.build.database)
        env = {**os.environ, "KG_PROJECT": str(REPO), "KG_STORE": str(store)}
        out = Path(tmp) / "out"
        pairs = {
            "turtle": ([kg, "export", "-f", "turtle", "-o", f"{out}.ttl"],
                       [oxigraph, "dump", "-l", database, "--graph", "default",
                        "-f", f"{out}-ox.ttl"]),
            "nquads": ([kg, "export", "-f", "nquads", "-o", f"{out}.nq"],
                       [oxigraph, "dump", "-l", database, "-f", f"{out}-ox.nq"]),
        }
        report = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                             f"{platform.system()}, Python {platform.python_version()}",
                  "triples": result.triples, "runs": args.runs, "target_ratio": TARGET,
                  "formats": {}}
        for name, (ours, theirs) in pairs.items():
            kg_time, ox_time = timed(ours, env, args.runs), timed(theirs, env, args.runs)
            report["formats"][name] = {"kg export": kg_time, "oxigraph dump": ox_time,
                                       "ratio": round(kg_time["median_ms"]
                                                      / ox_time["median_ms"], 2)}
    (REPO / "bench" / "results" / "export.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{result.triples} triples in the store, {args.runs} runs each\n")
    print("| format | kg export ms (min-max) | oxigraph dump ms (min-max) | ratio |")
    print("|---|---|---|---|")
    for name, row in report["formats"].items():
        ours, theirs = row["kg export"], row["oxigraph dump"]
        print(f"| {name} | {ours['median_ms']} ({ours['min_ms']}-{ours['max_ms']}) | "
              f"{theirs['median_ms']} ({theirs['min_ms']}-{theirs['max_ms']}) | "
              f"{row['ratio']} |")


if __name__ == "__main__":
    main()
