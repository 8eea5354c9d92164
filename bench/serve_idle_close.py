"""How long a query waits right after many idle connections close at once (issue 13, item 3).

Starts `kg serve` on the repository's store (KG_STORE, built if needed) with 1 worker, opens
COUNT idle connections from 4 holder processes (fewer if the open-files limit forbids), closes
them all at once and times the next ASK; the same ASK on the idle server first, for comparison.
`tests/test_serve_http.py` checks that the query is answered; this script says how fast.
Raw numbers go to bench/results/serve-idle-close.json.

    python bench/serve_idle_close.py [--count 20000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

from serve_fairness import ASK, request, start_serve

HOLD = ("import socket, sys\n"
        "socks = [socket.create_connection(('127.0.0.1', int(sys.argv[1])))"
        " for _ in range(int(sys.argv[2]))]\n"
        "print('open', flush=True); sys.stdin.readline()\n"
        "[s.close() for s in socks]\nprint('closed', flush=True)\n")
HOLDERS = 4


def one_run(port: int, count: int) -> float:
    holders = [subprocess.Popen([sys.executable, "-c", HOLD, str(port), str(count // HOLDERS)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
               for _ in range(HOLDERS)]
    try:
        if not all(p.stdout.readline().strip() == "open" for p in holders):
            sys.exit("a holder could not open its connections")
        for p in holders:
            p.stdin.write("\n")
            p.stdin.flush()
        if not all(p.stdout.readline().strip() == "closed" for p in holders):
            sys.exit("a holder could not close its connections")
        status, took = request(port, ASK)
        if status != 200:
            sys.exit(f"the query after the close got HTTP {status}")
        return took * 1000
    finally:
        for p in holders:
            p.kill()
            p.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    count = min(args.count, hard - 200)
    process, port = start_serve("--workers", "1", "--header-timeout-s", "300")
    try:
        idle = [request(port, ASK)[1] * 1000 for _ in range(args.runs)]
        after, loads = [], []
        for _ in range(args.runs):
            loads.append(os.getloadavg()[0])
            after.append(one_run(port, count))
    finally:
        process.terminate()
        process.wait(timeout=30)
    result = {"connections": count, "runs": args.runs, "idle_ms": idle, "after_close_ms": after,
              "load_average": loads}
    out = Path(__file__).parent / "results" / "serve-idle-close.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{count} idle connections closed at once, {args.runs} runs, "
          f"load {statistics.median(loads):.1f} (max {max(loads):.1f})")
    print("| ASK | median ms | max ms |")
    print("|---|---|---|")
    for name, times in (("on the idle server", idle), ("just after the close", after)):
        print(f"| {name} | {statistics.median(times):.1f} | {max(times):.1f} |")


if __name__ == "__main__":
    main()
