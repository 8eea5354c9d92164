"""How long a short query waits while long ones keep every worker busy (issue 13, item 8).

Starts `kg serve` on the repository's store (KG_STORE, built if needed) with 2 workers,
keeps LONG clients sending a query that runs into the time limit, and meanwhile sends
short ASKs one after another; prints p50/p99 of the ASKs and how many got 503 (busy), with
no load first for comparison. Raw numbers go to bench/results/serve-fairness.json.

    python bench/serve_fairness.py [--asks 200] [--long 2] [--timeout-s 5] [-- kg serve options]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

KG = str(Path(sys.executable).parent / "kg")
ASK = "ASK { ?s ?p ?o }"
LONG = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def request(port: int, query: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("GET", "/sparql?" + urlencode({"query": query}),
                           headers={"Accept": "application/sparql-results+json"})
        response = connection.getresponse()
        response.read()
        return response.status, time.perf_counter() - started
    finally:
        connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(port: int, asks: int) -> dict:
    times, statuses = [], {}
    for _ in range(asks):
        status, took = request(port, ASK)
        statuses[status] = statuses.get(status, 0) + 1
        if status == 200:
            times.append(took * 1000)
        time.sleep(0.02)
    return {"asks": asks, "statuses": statuses,
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p99_ms": round(percentile(times, 0.99), 1) if times else None,
            "max_ms": round(max(times), 1) if times else None}


def start_serve(*options: str) -> tuple[subprocess.Popen, int]:
    """`kg serve` on a free port with ``options``; its process and port once it listens."""
    process = subprocess.Popen([KG, "serve", "--port", "0", *options],
                               stderr=subprocess.PIPE, text=True)
    while True:
        line = process.stderr.readline()
        if not line:
            sys.exit("kg serve did not start")
        if match := re.search(r"at http://[\d.]+:(\d+)/", line):
            break
    threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()
    return process, int(match.group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--asks", type=int, default=200)
    parser.add_argument("--long", type=int, default=2, help="clients sending long queries")
    parser.add_argument("--timeout-s", type=float, default=5.0)
    parser.add_argument("extra", nargs="*", help="more kg serve options")
    args = parser.parse_args()
    process, port = start_serve("--workers", "2", "--timeout-s", str(args.timeout_s),
                                *args.extra)
    try:
        idle = measure(port, args.asks)
        stop = threading.Event()
        long_statuses: dict[int, int] = {}

        def keep_busy() -> None:
            while not stop.is_set():
                status, _ = request(port, LONG)
                long_statuses[status] = long_statuses.get(status, 0) + 1

        clients = [threading.Thread(target=keep_busy, daemon=True) for _ in range(args.long)]
        for client in clients:
            client.start()
        time.sleep(1)
        busy = measure(port, args.asks)
        stop.set()
        for client in clients:
            client.join(timeout=args.timeout_s * 3)
    finally:
        process.terminate()
        process.wait(timeout=30)
    result = {"workers": 2, "long_clients": args.long, "timeout_s": args.timeout_s,
              "extra": args.extra, "idle": idle, "while_long_queries_run": busy,
              "long_query_statuses": long_statuses}
    out = Path(__file__).parent / "results" / "serve-fairness.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print("| load | ASKs | p50 ms | p99 ms | max ms | statuses |")
    print("|---|---|---|---|---|---|")
    for name, row in (("none", idle), (f"{args.long} long-query clients", busy)):
        print(f"| {name} | {row['asks']} | {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} "
              f"| {row['statuses']} |")


if __name__ == "__main__":
    main()
