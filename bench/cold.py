"""Cold `kg query` side by side: this kg, another kg install (before a change), the floor.

The synthetic project at --scale (bench/synth.py) is built once by each kg into its own
store; then, in rounds, each command runs once as a new process, in turn (A, B, C, A, B,
C, ...), so all of them see the same moments of a shared machine:

- `kg query NAME -f csv` of this checkout's kg (and of --before's kg, when given);
- the floor of Python: `python -c` opening the same store read-only with pyoxigraph, asking
  the query's text and writing CSV (bench/run.py's FLOOR);
- `oxigraph query` on the same store.

Prints the median, min and max of each, the ratio to the floor, and the 1-minute load
average at the start and end; writes bench/results/cold-SCALEx.json.

Usage: python bench/cold.py [--scale 1000] [--runs 21] [--before /path/to/venv/bin/kg]
       [--query lifecycle]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) milliseconds of one run; CPU time moves less with load."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(command[:4])}... failed")
    return (time.perf_counter() - started) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def main() -> None:
    from run import FLOOR
    from synth import generate

    from kg.serve.assets import oxigraph_binary

    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--before", metavar="KG", help="another kg executable to compare")
    parser.add_argument("--project", type=Path, metavar="DIR", help="a synthetic project "
                        "already written (bench/synth.py); its stores are DIR.stores/N, built "
                        "only when missing")
    parser.add_argument("--query", default="lifecycle", help="a catalog query without "
                        "parameters [default: lifecycle]")
    args = parser.parse_args()
    kg = str(Path(sys.executable).parent / "kg")
    kgs = {"kg query": kg, **({"kg query (before)": args.before} if args.before else {})}
    with tempfile.TemporaryDirectory(prefix="kg-cold-") as tmp:
        project = args.project or Path(tmp) / "project"
        if args.project is None:
            generate(args.scale, project)
        stores = Path(f"{project}.stores") if args.project else Path(tmp)
        query_file = project / "queries" / f"{args.query}.rq"
        envs, commands = {}, {}
        for name, executable in kgs.items():
            store = stores / f"store-{len(envs)}"
            env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(store)}
            env.pop("KG_PROGRESS_DELAY", None)
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode compiled once
            if not (store / "CURRENT").is_file():
                subprocess.run([executable, "build", "--no-validate"], env=env, check=True,
                               capture_output=True)
            envs[name] = env
            commands[name] = [executable, "query", args.query, "-f", "csv", "-o", os.devnull]
        env = envs["kg query"]
        current = (Path(env["KG_STORE"]) / "CURRENT").read_text().strip()
        database = Path(env["KG_STORE"]) / "builds" / current / "oxigraph"
        envs["python -c"] = envs["oxigraph query"] = env
        commands["python -c"] = [sys.executable, "-c", FLOOR, str(database), str(query_file)]
        commands["oxigraph query"] = [oxigraph_binary(), "query", "--location", str(database),
                                      "--query-file", str(query_file), "--results-format",
                                      "csv"]
        for name in commands:  # warm the page cache and check every command works
            timed(commands[name], envs[name])
        load_before = os.getloadavg()[0]
        samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(timed(command, envs[name]))
        load_after = os.getloadavg()[0]
    floor = statistics.median(wall for wall, _cpu in samples["python -c"])
    floor_cpu = statistics.median(cpu for _wall, cpu in samples["python -c"])
    result = {"scale": args.scale, "query": args.query, "runs": args.runs,
              "load_1m": [round(load_before, 2), round(load_after, 2)], "commands": {}}
    print(f"{args.scale}x, `{args.query}`, {args.runs} interleaved runs, load average "
          f"{load_before:.2f} at the start, {load_after:.2f} at the end")
    print("| command | median ms | min ms | max ms | / floor | CPU ms (median) | CPU / floor |"
          "\n|---|---|---|---|---|---|---|")
    for name, found in samples.items():
        walls, cpus = [w for w, _ in found], [c for _, c in found]
        median, cpu = statistics.median(walls), statistics.median(cpus)
        result["commands"][name] = {"median_ms": round(median, 1), "min_ms": round(min(walls), 1),
                                    "max_ms": round(max(walls), 1), "cpu_ms": round(cpu, 1)}
        print(f"| {name} | {median:.0f} | {min(walls):.0f} | {max(walls):.0f} | "
              f"{median / floor:.2f} | {cpu:.0f} | {cpu / floor_cpu:.2f} |")
    out = REPO / "bench" / "results" / f"cold-{args.scale}x.json"
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
