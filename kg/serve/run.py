"""Starting and stopping `kg serve`."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from kg.publish.web import Site
from kg.query import Catalog
from kg.serve.assets import load_assets
from kg.serve.http import KgServer
from kg.serve.pool import WorkerPool
from kg.serve.settings import Settings, check_allow_list


def serve(settings: Settings, queries_dir: Path, assets_cache: Path, triples: int,
          say: Callable[[str], None] = print, ready: Callable[[KgServer], None] | None = None
          ) -> None:
    """Run until SIGINT or SIGTERM; workers are stopped on the way out."""
    for warning in check_allow_list(settings.allow_service):
        say(f"warning: {warning}")
    try:
        assets = load_assets(settings.database, assets_cache)
    except OSError as error:
        say(f"warning: the SPARQL editor is unavailable ({error})")
        assets = {}
    pool = WorkerPool(str(settings.database), settings.workers)
    try:
        # entity pages and descriptions: bounded queries on a read-only handle in this process
        site = Site.open(settings.database, settings.project_root, settings.prefixes)
        server = KgServer(settings, pool, Catalog(queries_dir), assets, triples, site)
    except OSError:
        pool.close()
        raise
    host, port = server.server_address[:2]
    say(f"serving {settings.database} at http://{host}:{port}/ "
        f"(SPARQL at /sparql; {settings.workers} workers, {settings.timeout_s:g} s per query)")
    if settings.public:
        say(f"notice: listening on {settings.host}, reachable from other machines; "
            "put a reverse proxy with TLS in front (see the README)")
    stop = threading.Event()

    def shutdown(*_args) -> None:
        if not stop.is_set():
            stop.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    if ready is not None:
        ready(server)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        pool.close()
        sys.stderr.flush()
