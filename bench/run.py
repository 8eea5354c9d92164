"""The scale benchmarks: kg against Oxigraph's own tools on the project at 1x, 100x, 1000x...

For each scale factor the synthetic project (bench/synth.py) is written to a temporary
directory, then every step runs as a new process, as a user runs it, several times:

- `oxigraph load` of the same triples as one stream (every source file concatenated into
  one Turtle file beforehand, untimed; synth.py gives each clone its own blank node
  labels, so nothing merges), checked to hold as many triples as kg's build;
- `kg build --no-validate` and `kg build` into a fresh store; `kg validate` alone, from
  scratch and after one project file was edited (large graphs keep each part's results);
- `kg export -f nquads` (its cache removed first, then again from the cache) against
  `oxigraph dump` of the same store;
- every prebuilt query in-process (one process evaluates them all, after a warm-up);
- every prebuilt query without parameters, and `ASK {}`, through `kg query NAME -f csv`
  against `oxigraph query --query-file` and against the floor of Python itself (`python -c`
  opening the store read-only with pyoxigraph, asking, writing CSV), all from a cold start.

Steps compared with each other run interleaved (A, B, C, A, B, C, ...), so both sides of a
ratio see the same machine; each sample records the 1-minute load average at its start, and
a ratio whose two sides' samples lie more than MAX_APART seconds apart is refused (shown as
"refused"), never reported. Wall time is the median, min and max of the runs; peak memory is
the largest resident set (ru_maxrss from wait4) of the step's process. A step whose first
run takes longer than --once-over seconds is run once. Federated queries (SERVICE to
Wikidata) are not timed.

Writes bench/results/scale.json and bench/results/scale.md.

Usage: python bench/run.py [--scales 1,100,1000] [--runs 3] [--no-validation-above 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

MAX_APART = 180.0  # seconds between the middles of a ratio's two sides, at most
RESULTS = REPO / "bench" / "results"
TARGETS = {  # issue 20; see bench/README.md
    "validated_build_ratio": 3.0, "build_ratio": 1.5, "validate_edit_s": 2.0, "query_ms": 100.0,
    "export_ratio": 1.5, "cold_query_floor_ratio": 1.5, "peak_mb": 2048.0,
}
#: The floor of a cold query: Python starting, pyoxigraph opening the store, asking, writing.
FLOOR = ("import os, sys, pyoxigraph as ox\n"
         "store = ox.Store.read_only(sys.argv[1])\n"
         "answer = store.query(open(sys.argv[2], encoding='utf-8').read())\n"
         "with open(os.devnull, 'wb') as out:\n"
         "    answer.serialize(out, ox.QueryResultsFormat.CSV)\n")


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one process; a failure stops the benchmark loudly."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command[:4])}... failed ({process.returncode}):\n"
                             f"{errors.read().decode(errors='replace')[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024


def summary(samples: list[dict]) -> dict[str, float]:
    seconds = [s["s"] for s in samples]
    loads = [s["load"] for s in samples]
    return {"median_s": round(statistics.median(seconds), 3), "min_s": round(min(seconds), 3),
            "max_s": round(max(seconds), 3), "peak_mb": round(max(s["mb"] for s in samples), 1),
            "runs": len(samples), "load_1m": round(statistics.median(loads), 2),
            "load_1m_max": round(max(loads), 2),
            "middle": round(statistics.median((s["at"] + s["s"] / 2) for s in samples), 1)}


def sample(step) -> dict:
    """One run of ``step`` (which returns seconds and MB), with the load average at its start."""
    load, at = os.getloadavg()[0], time.time()
    seconds, mb = step()
    return {"s": seconds, "mb": mb, "load": load, "at": at}


def interleaved(steps: dict, runs: int, once_over: float) -> dict[str, dict]:
    """Run the named steps in turn (A, B, C, A, B, C, ...), so that they share the machine's
    moments; a step slower than ``once_over`` on its first run is not run again."""
    samples: dict[str, list[dict]] = {name: [] for name in steps}
    for round_ in range(runs):
        for name, step in steps.items():
            if round_ and samples[name][0]["s"] > once_over:
                continue
            samples[name].append(sample(step))
    return {name: summary(found) for name, found in samples.items()}


def ratio(ours: dict, theirs: dict) -> dict:
    """Our median over theirs, or refused when the two sides ran too far apart in time."""
    apart = abs(ours["middle"] - theirs["middle"])
    value = round(ours["median_s"] / theirs["median_s"], 2)
    return {"value": value if apart <= MAX_APART else None, "apart_s": round(apart, 1),
            "load_1m": max(ours["load_1m_max"], theirs["load_1m_max"])}


def one_stream(files: list[Path], path: Path) -> Path:
    """Every source file in one Turtle file: the input of the one-stream `oxigraph load`."""
    with path.open("wb") as out:
        for file in files:
            out.write(file.read_bytes())
            out.write(b"\n")
    return path


def oxigraph_load(oxigraph: str, stream: Path, location: Path,
                  env: dict[str, str]) -> tuple[float, float]:
    shutil.rmtree(location, ignore_errors=True)
    return run_once([oxigraph, "load", "--location", str(location), "--file", str(stream)], env)


def fresh_build(kg: str, store: Path, env: dict[str, str], *options: str) -> tuple[float, float]:
    shutil.rmtree(store, ignore_errors=True)
    return run_once([kg, "build", "--store", str(store), *options], env)


def live_build(store: Path) -> Path:
    return store / "builds" / (store / "CURRENT").read_text().strip()


def in_process_queries(project: Path, store: Path, runs: int, once_over: float) -> dict:
    """Run in a child process (``--in-process``) so its peak memory is its own."""
    command = [sys.executable, __file__, "--in-process", str(project), str(store),
               "--runs", str(runs), "--once-over", str(once_over)]
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(command, stdout=out)
        _pid, status, usage = os.wait4(process.pid, 0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit("the in-process query run failed")
        out.seek(0)
        timings = json.loads(out.read())
    return {"peak_mb": round(usage.ru_maxrss / 1024, 1), "queries": timings}


def time_queries_here(project_dir: str, store_dir: str, runs: int, once_over: float) -> None:
    from kg.query.catalog import Catalog
    from kg.query.federation import is_federated
    from kg.query.run import execute, materialise
    from kg.sources.project import find_project
    from kg.store.builds import StoreDir
    from kg.terms import Compactor

    project = find_project(project_dir)
    build = StoreDir(Path(store_dir)).current()
    store = build.open()
    prefixes = Compactor(build.manifest.get("prefixes", {})).prefixes
    timings = {}
    for query in Catalog(project.queries_dir).all():
        if is_federated(query.text):
            continue
        started = time.perf_counter()
        answer = materialise(execute(store, query, {}, prefixes))  # warm-up
        slow = time.perf_counter() - started > once_over
        rows = len(answer.rows) if hasattr(answer, "rows") else 1
        samples = []
        for _ in range(1 if slow else runs):
            started = time.perf_counter()
            materialise(execute(store, query, {}, prefixes))
            samples.append((time.perf_counter() - started) * 1000)
        timings[query.name] = {"median_ms": round(statistics.median(samples), 2),
                               "min_ms": round(min(samples), 2),
                               "max_ms": round(max(samples), 2), "runs": len(samples),
                               "rows": rows}
    json.dump(timings, sys.stdout)


def cold_queries(kg: str, oxigraph: str, project: Path, store: Path, env: dict[str, str],
                 runs: int, once_over: float) -> dict:
    from kg.query.catalog import Catalog
    from kg.query.federation import is_federated

    database = live_build(store) / "oxigraph"
    ask = store.parent / "ask.rq"
    ask.write_text("ASK {}\n", encoding="utf-8")
    asked = [("ASK {}", ["-e", "ASK {}"], ask)]
    for query in Catalog(project / "queries").all():
        if is_federated(query.text) or query.parameters:
            continue  # oxigraph query cannot bind parameters; Wikidata is not ours to time
        asked.append((query.name, [query.name], query.path))
    results = {}
    for name, words, path in asked:
        timed = interleaved({
            "kg query": lambda w=words: run_once(
                [kg, "query", *w, "-f", "csv", "-o", os.devnull], env),
            "oxigraph query": lambda p=path: run_once(
                [oxigraph, "query", "--location", str(database), "--query-file", str(p),
                 "--results-format", "csv"], env),
            "python -c": lambda p=path: run_once(
                [sys.executable, "-c", FLOOR, str(database), str(p)], env),
        }, runs, once_over)
        timed["ratio"] = ratio(timed["kg query"], timed["oxigraph query"])
        timed["floor ratio"] = ratio(timed["kg query"], timed["python -c"])
        results[name] = timed
    return results


RATIOS = (("kg build --no-validate", "oxigraph load"), ("kg build", "oxigraph load"),
          ("kg export", "oxigraph dump"), ("kg export (cached)", "oxigraph dump"))


def measure_scale(scale: int, args, kg: str, oxigraph: str, work: Path) -> dict:
    from synth import generate

    project = work / f"project-{scale}x"
    started = time.perf_counter()
    generate(scale, project)
    print(f"[{scale}x] wrote the synthetic project in {time.perf_counter() - started:.0f} s",
          flush=True)
    store, ox_store = work / f"store-{scale}x", work / f"oxigraph-{scale}x"
    env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(store)}
    env.pop("KG_PROGRESS_DELAY", None)
    # An installed kg has its bytecode compiled; without this every run would compile kg's
    # modules from source again (this machine sets PYTHONDONTWRITEBYTECODE=1).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    files = sorted(p for part in ("ontology", "data") for p in (project / part).rglob("*.ttl"))
    stream = one_stream(files, work / f"stream-{scale}x.ttl")
    result: dict = {"scale": scale, "files": len(files), "steps": {}, "ratios": {}}
    steps = result["steps"]

    def group(actions: dict) -> None:
        """Time the steps not skipped, interleaved with each other."""
        for name in [name for name in actions if name in args.skip]:
            print(f"[{scale}x] {name}: skipped", flush=True)
            del actions[name]
        for name, figures in interleaved(actions, args.runs, args.once_over).items():
            steps[name] = figures
            print(f"[{scale}x] {name}: {figures}", flush=True)

    def step(name: str, action) -> None:
        group({name: action})

    validating = scale <= args.no_validation_above
    group({"oxigraph load": lambda: oxigraph_load(oxigraph, stream, ox_store, env),
           "kg build --no-validate": lambda: fresh_build(kg, store, env, "--no-validate"),
           **({"kg build": lambda: fresh_build(kg, store, env)} if validating else {})})
    if "oxigraph load" in steps:  # the baseline must hold the same graph as kg's build
        import pyoxigraph

        theirs = len(pyoxigraph.Store.read_only(str(ox_store)))
        ours = json.loads((live_build(store) / "manifest.json").read_text())["triples"]
        if theirs != ours:
            raise SystemExit(f"the one-stream load holds {theirs} triples, kg's build {ours}")
    shutil.rmtree(ox_store, ignore_errors=True)
    stream.unlink()
    if validating:

        def cold_validate() -> tuple[float, float]:
            shutil.rmtree(store / "validation-cache", ignore_errors=True)
            return run_once([kg, "validate"], env)

        edited = sorted((project / "data" / "projects").rglob("*.ttl"))[-1]
        original = edited.read_text(encoding="utf-8")
        edits = iter(range(1_000_000))

        def validate_after_edit() -> tuple[float, float]:
            """One project file changed since the last validation: the cache holds the rest."""
            run_once([kg, "validate"], env)  # the cache now matches the sources
            edited.write_text(original + f"\n# edit {next(edits)}\n", encoding="utf-8")
            return run_once([kg, "validate"], env)

        step("kg validate", cold_validate)
        step("kg validate (one file edited)", validate_after_edit)
        edited.write_text(original, encoding="utf-8")
    manifest = json.loads((live_build(store) / "manifest.json").read_text())
    result["triples"] = manifest["triples"]
    if validating:  # kg export refuses a --no-validate build: dump a validated one
        fresh_build(kg, store, env)
    database = live_build(store) / "oxigraph"
    dump = work / "dump.nq"

    def export() -> tuple[float, float]:
        shutil.rmtree(live_build(store) / "dumps", ignore_errors=True)
        return run_once([kg, "export", "-f", "nquads", "-o", str(dump)], env)

    # A build keeps its dumps: the next export of the same sources reads the file. kg
    # exports validated builds only: above --no-validation-above the export steps are skipped.
    if not json.loads((live_build(store) / "manifest.json").read_text()).get("validated"):
        args.skip |= {"kg export", "kg export (cached)", "oxigraph dump"}
    group({"kg export": export,
           "kg export (cached)": lambda: run_once(
               [kg, "export", "-f", "nquads", "-o", str(dump)], env),
           "oxigraph dump": lambda: run_once(
               [oxigraph, "dump", "--location", str(database), "--file", str(dump)], env)})
    dump.unlink(missing_ok=True)
    for ours, theirs in RATIOS:
        if ours in steps and theirs in steps:
            result["ratios"][f"{ours} / {theirs}"] = ratio(steps[ours], steps[theirs])
    result["queries in-process"] = {"peak_mb": 0, "queries": {}} if (
        "queries in-process" in args.skip) else in_process_queries(project, store, args.runs,
                                                                   args.once_over)
    print(f"[{scale}x] in-process queries done", flush=True)
    result["queries cold"] = {} if "queries cold" in args.skip else cold_queries(
        kg, oxigraph, project, store, env, args.runs, args.once_over)
    print(f"[{scale}x] cold queries done", flush=True)
    shutil.rmtree(project, ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    return result


def machine() -> dict[str, str]:
    import pyoxigraph
    import pyshacl
    import rdflib

    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next((int(line.split()[1]) for line in
                      Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal")), 0)
    return {"cpu": f"{os.cpu_count()} x {cpu}", "memory": f"{memory_kb / 1024 ** 2:.0f} GiB",
            "system": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__,
            "pyshacl": pyshacl.__version__, "rdflib": rdflib.__version__}


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        "# Scale benchmark results",
        "",
        f"Generated by `python bench/run.py` on {report['date']}: {m['cpu']}, {m['memory']} "
        f"RAM, {m['system']}, Python {m['python']}, pyoxigraph {m['pyoxigraph']}, "
        f"pySHACL {m['pyshacl']}, rdflib {m['rdflib']}. Up to {report['runs']} runs per "
        "figure (a step slower than "
        f"{report['once_over']:.0f} s on its first run is run once). A build output: "
        "do not edit.",
    ]
    for result in report["scales"]:
        steps = result["steps"]
        lines += ["", f"## {result['scale']}x: {result['triples']:,} triples in "
                      f"{result['files']:,} files", "",
                  "| step | median s | min s | max s | peak MB | runs | load (1 min) |",
                  "|---|---|---|---|---|---|---|"]
        for name, s in steps.items():
            lines.append(f"| {name} | {s['median_s']:.2f} | {s['min_s']:.2f} | "
                         f"{s['max_s']:.2f} | {s['peak_mb']:.0f} | {s['runs']} | "
                         f"{s['load_1m']:.1f} (max {s['load_1m_max']:.1f}) |")
        ratios = list(result.get("ratios", {}).items())
        cold = result["queries cold"]
        for key, against in (("floor ratio", "python -c"), ("ratio", "oxigraph query")):
            values = [q[key]["value"] for name, q in cold.items()
                      if name != "ASK {}" and q[key]["value"] is not None]
            if "ASK {}" in cold:
                ratios.append((f"kg query -e 'ASK {{}}' / {against}", cold["ASK {}"][key]))
            if values:
                ratios.append((f"kg query NAME / {against} (median over queries)",
                               {"value": statistics.median(values), "apart_s": None,
                                "load_1m": None}))
                ratios.append((f"kg query NAME / {against} (worst query)",
                               {"value": max(values), "apart_s": None, "load_1m": None}))
        lines += ["", "| ratio (side by side) | value | sides apart s | load (1 min, max) |",
                  "|---|---|---|---|"]
        for name, r in ratios:
            value = "refused (ran too far apart)" if r["value"] is None else f"{r['value']:.2f}"
            apart = "-" if r["apart_s"] is None else f"{r['apart_s']:.0f}"
            load = "-" if r["load_1m"] is None else f"{r['load_1m']:.1f}"
            lines.append(f"| {name} | {value} | {apart} | {load} |")
        queries = result["queries in-process"]["queries"]
        if not queries:
            continue
        ranked = sorted(queries.items(), key=lambda item: -item[1]["median_ms"])
        over = [name for name, q in ranked if q["median_ms"] > TARGETS["query_ms"]]
        lines += ["", f"In-process queries (peak {result['queries in-process']['peak_mb']:.0f} "
                      f"MB): {len(queries)} timed, {len(over)} over "
                      f"{TARGETS['query_ms']:.0f} ms.", "",
                  "| query | rows | median ms | min ms | max ms | runs | kg query cold ms | "
                  "oxigraph query cold ms | python -c cold ms |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, q in ranked:
            c = cold.get(name)
            cold_cells = " | ".join(f"{c[side]['median_s'] * 1000:.0f}" for side in (
                "kg query", "oxigraph query", "python -c")) if c else "- | - | -"
            lines.append(f"| `{name}` | {q['rows']} | {q['median_ms']:.1f} | {q['min_ms']:.1f} | "
                         f"{q['max_ms']:.1f} | {q['runs']} | {cold_cells} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,100,1000",
                        help="comma-separated scale factors [default: 1,100,1000]")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--once-over", type=float, default=60.0, metavar="S",
                        help="run a step once when its first run takes longer [default: 60]")
    parser.add_argument("--no-validation-above", type=int, default=1000, metavar="N",
                        help="skip kg build (validating) and kg validate above this scale")
    parser.add_argument("--skip", type=lambda text: set(text.split(",")), default=set(),
                        metavar="STEPS", help="comma-separated step names not to run, e.g. "
                        "'oxigraph load,kg validate,queries in-process,queries cold' (10000x)")
    parser.add_argument("--output", default="scale", help="results file name (no suffix)")
    parser.add_argument("--in-process", nargs=2, metavar=("PROJECT", "STORE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        time_queries_here(*args.in_process, args.runs, args.once_over)
        return
    from kg.serve.assets import oxigraph_binary

    kg, oxigraph = str(Path(sys.executable).parent / "kg"), oxigraph_binary()
    if oxigraph is None or not Path(kg).exists():
        raise SystemExit("install the project first: pip install -e . (it brings oxigraph)")
    report = {"date": datetime.now(UTC).isoformat(timespec="minutes"), "machine": machine(),
              "runs": args.runs, "once_over": args.once_over, "targets_at_1000x": TARGETS,
              "scales": []}
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            report["scales"].append(measure_scale(scale, args, kg, oxigraph, Path(tmp)))
            RESULTS.mkdir(exist_ok=True)  # written after each scale: a long run keeps its part
            (RESULTS / f"{args.output}.json").write_text(json.dumps(report, indent=2) + "\n")
            (RESULTS / f"{args.output}.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
