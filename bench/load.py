"""Load `kg serve` and a bare `oxigraph serve-read-only` on the same store, side by side.

Loopback only, a fixed number of requests: CLIENTS concurrent clients (threads spread over a
few processes, each with a keep-alive connection) send GET /sparql requests cycling through
the prebuilt query mix (every catalog query that needs no network; parameters take their
default values, bound with a VALUES clause so both servers get the same SPARQL text). Every
answer must be a 200 with a SPARQL JSON body; any other answer counts as an error.
Reports requests per second and p50/p99 latency for each server and the ratio (target: kg
serve reaches at least 0.7 of the bare server's throughput).

Usage: python bench/load.py [--requests 4000] [--clients 16] [--serve-args '--workers 3']
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kg.query.catalog import Catalog, bind, substitute  # noqa: E402
from kg.query.federation import service_targets  # noqa: E402
from kg.serve.assets import serve_read_only  # noqa: E402
from kg.sources.project import find_project  # noqa: E402
from kg.store.builds import StoreDir  # noqa: E402
from kg.store.pipeline import build  # noqa: E402
from kg.terms import Compactor  # noqa: E402

TARGET_RATIO = 0.7
CLIENT_PROCESSES = 4


def query_mix(prefixes: dict[str, str]) -> list[str]:
    """The catalog's queries as plain SPARQL, default parameter values put in the text."""
    mix = []
    for query in Catalog(REPO / "queries").all():
        if service_targets(query.text):
            continue
        if any(p.required and p.default is None for p in query.parameters):
            continue
        mix.append(substitute(query.text, bind(query, {}, prefixes)))
    return mix


def client(port: int, queries: list[str], count: int, offset: int,
           latencies: list[float], errors: list[str]) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    for i in range(count):
        path = "/sparql?" + urlencode({"query": queries[(offset + i) % len(queries)]})
        started = time.perf_counter()
        try:
            connection.request("GET", path,
                               headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or not body.startswith(b"{"):
                errors.append(f"{response.status}: {body[:200]!r}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__}: {error}")
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        latencies.append((time.perf_counter() - started) * 1000)
    connection.close()


def client_process(port: int, queries: list[str], threads: int, per_client: int, first: int,
                   out: multiprocessing.Queue) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    workers = [threading.Thread(target=client, args=(port, queries, per_client,
                                                     (first + t) * 7, latencies, errors))
               for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    out.put((latencies, errors))


def run_load(port: int, queries: list[str], requests: int, clients: int) -> dict:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    processes = min(CLIENT_PROCESSES, clients)
    per_client = requests // clients
    threads = [clients // processes + (1 if p < clients % processes else 0)
               for p in range(processes)]
    firsts = [sum(threads[:p]) for p in range(processes)]
    started = time.perf_counter()
    workers = [context.Process(target=client_process,
                               args=(port, queries, threads[p], per_client, firsts[p], out))
               for p in range(processes)]
    for worker in workers:
        worker.start()
    results = [out.get() for _ in workers]
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = [e for _, err in results for e in err]
    return {"requests": len(latencies), "errors": len(errors), "first_errors": errors[:3],
            "seconds": round(elapsed, 2), "rps": round(len(latencies) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 1)}


def start_kg(project: Path, store: Path, extra: list[str]) -> tuple[subprocess.Popen, int]:
    kg = Path(sys.executable).parent / "kg"
    env = {**os.environ, "KG_PROJECT": str(project), "KG_STORE": str(store)}
    process = subprocess.Popen([str(kg), "serve", "--port", "0", "--max-rows", "100000", *extra],
                               env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               text=True)
    for line in process.stderr:
        match = re.search(r"at http://[\d.]+:(\d+)/", line)
        if match:
            threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
            return process, int(match.group(1))
    raise SystemExit(f"kg serve did not start (exit {process.wait()})")


def start_oxigraph(database: Path) -> tuple[subprocess.Popen, int]:
    try:
        return serve_read_only(database)
    except OSError as error:
        raise SystemExit(str(error)) from None


def wait_ready(port: int, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit(f"a server stopped while starting (exit {process.returncode})")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/sparql?" + urlencode({"query": "ASK {}"}),
                               headers={"Accept": "application/sparql-results+json"})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("a server did not answer within 30 s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--serve-args", default="",
                        help="extra options for kg serve, such as '--workers 3'")
    args = parser.parse_args()
    project = find_project(REPO)
    with tempfile.TemporaryDirectory() as tmp:
        result = build(project, StoreDir(Path(tmp) / "store"))
        queries = query_mix(Compactor(result.prefixes).prefixes)
        report: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
                                   f"{platform.system()}, Python {platform.python_version()}",
                        "triples": result.triples, "queries_in_mix": len(queries),
                        "clients": args.clients, "target_ratio": TARGET_RATIO}
        # The bare server runs first and alone, then kg serve alone: same store, same mix.
        for name, starter in (("oxigraph serve-read-only",
                               lambda: start_oxigraph(result.build.database)),
                              ("kg serve", lambda: start_kg(project.root, Path(tmp) / "store",
                                                 args.serve_args.split()))):
            process, port = starter()
            try:
                wait_ready(port, process)
                run_load(port, queries, len(queries) * 2, args.clients)  # warm-up
                report[name] = run_load(port, queries, args.requests, args.clients)
            finally:
                stop(process)
    bare, ours = report["oxigraph serve-read-only"], report["kg serve"]
    report["ratio"] = round(ours["rps"] / bare["rps"], 2)
    out = REPO / "bench" / "results" / "load.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"{args.requests} requests, {args.clients} clients, {len(queries)} queries in the "
          f"mix, {result.triples} triples\n")
    print("| server | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|")
    for name in ("oxigraph serve-read-only", "kg serve"):
        row = report[name]
        print(f"| {name} | {row['rps']} | {row['p50_ms']} | {row['p99_ms']} | "
              f"{row['errors']} |")
    verdict = "meets" if report["ratio"] >= TARGET_RATIO else "MISSES"
    print(f"\nkg serve / bare = {report['ratio']} ({verdict} the {TARGET_RATIO} target)")
    if ours["errors"] or bare["errors"]:
        print("errors:", ours["first_errors"] or bare["first_errors"], file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
