"""Cold start of `kg query` against `oxigraph query` on the same store.

Each run is a new process (interpreter or binary start, store open, query, output), so this
measures what a user waits for at the shell. Usage: python bench/startup.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 20"


def timed(command: list[str], runs: int, **kwargs) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
        samples.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(samples), "min_ms": min(samples),
            "max_ms": max(samples), "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    bin_dir = Path(sys.executable).parent
    kg, oxigraph = str(bin_dir / "kg"), shutil.which("oxigraph", path=str(bin_dir))
    if oxigraph is None:
        sys.exit("the `oxigraph` command is missing: pip install oxigraph")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        env_args = ["--project", str(REPO), "--store", str(store)]
        subprocess.run([kg, "build", *env_args], check=True, stdout=subprocess.DEVNULL)
        database = (store / "builds" / (store / "CURRENT").read_text().strip() / "oxigraph")
        results = {
            "kg query": timed([kg, "query", "-e", QUERY, "-f", "csv", *env_args], args.runs),
            "oxigraph query": timed([oxigraph, "query", "--location", str(database),
                                     "--query", QUERY, "--results-format", "csv"], args.runs),
        }
    ratio = results["kg query"]["median_ms"] / results["oxigraph query"]["median_ms"]
    report = {"machine": f"{platform.machine()}, {platform.system()}, Python "
                         f"{platform.python_version()}",
              "query": QUERY, "results": results, "ratio": ratio}
    out = REPO / "bench" / "results" / "startup.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print("| command | median ms | min ms | max ms |\n|---|---|---|---|")
    for name, r in results.items():
        print(f"| `{name}` | {r['median_ms']:.0f} | {r['min_ms']:.0f} | {r['max_ms']:.0f} |")
    print(f"\nkg / oxigraph (median): {ratio:.1f}x   (written to {out.relative_to(REPO)})")


if __name__ == "__main__":
    main()
