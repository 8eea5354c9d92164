"""Starting and stopping `kg serve`."""

from __future__ import annotations

import resource
import shutil
import socket
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import uvicorn

from kg.errors import StoreError
from kg.publish.web import Site
from kg.query import Catalog
from kg.serve.app import App
from kg.serve.assets import load_assets
from kg.serve.front import LOGGING, Server, protocol
from kg.serve.pool import WorkerPool
from kg.serve.sandbox import Relay, can_seal
from kg.serve.settings import Settings, check_allow_list


def serve(settings: Settings, queries_dir: Path, assets_cache: Path, triples: int,
          say: Callable[[str], None] = print) -> None:
    """Run until SIGINT or SIGTERM; workers are stopped on the way out."""
    for warning in check_allow_list(settings.allow_service):
        say(f"warning: {warning}")
    # first, so that a store that cannot be opened is the one error (StoreError), before any
    # warning about what depends on it; entity pages and descriptions are bounded queries on
    # this read-only handle in this process
    site = Site.open(settings.database, settings.project_root or queries_dir.parent,
                     settings.prefixes)
    try:
        assets = load_assets(settings.database, assets_cache)
    except OSError as error:
        say(f"warning: the SPARQL editor is unavailable ({error})")
        assets = {}
    _raise_open_files_limit()
    listener = _listen(settings.host, settings.port)  # OSError: the address is taken
    relay_dir = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    relay = None
    problem = can_seal()
    if problem is None:
        relay = Relay(relay_dir, settings.allow_service, settings.timeout_s)
    else:
        say("notice: the query workers cannot be sealed off the network on this machine "
            f"({problem}), so federation is off: queries with SERVICE get 400")
    try:
        site.warm()
        pool = WorkerPool(str(settings.database), settings.workers,
                          queue_size=settings.queue_size,
                          queue_timeout_s=settings.queue_timeout_s,
                          memory_mb=settings.worker_memory_mb,
                          reserve=settings.reserve_workers, patience_s=settings.patience_s,
                          relay_socket=relay.path if relay else None)
    except (OSError, StoreError):
        listener.close()
        raise
    host, port = listener.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    base_url = settings.base_url or f"http://{shown}:{port}/"
    app = App(settings, pool, Catalog(queries_dir), assets, triples, base_url,
              settings.allow_service if relay else None, site)
    config = uvicorn.Config(
        app, http=protocol(settings.header_timeout_s), lifespan="off", interface="asgi3",
        limit_concurrency=settings.max_connections, timeout_keep_alive=settings.keep_alive_s,
        h11_max_incomplete_event_size=settings.max_header_bytes, backlog=2048,
        access_log=False, log_config=LOGGING, server_header=False,
        timeout_graceful_shutdown=5)
    say(f"serving {settings.database} at http://{shown}:{port}/ "
        f"(SPARQL at /sparql; {settings.workers} workers and {settings.reserve_workers} in "
        f"reserve, {settings.timeout_s:g} s per query"
        f"{'; federation through the sealed relay' if relay else ''})")
    if settings.public:
        say(f"notice: listening on {settings.host}, reachable from other machines; "
            "put a reverse proxy with TLS in front (see the README)")
    try:
        Server(config).run(sockets=[listener])
    finally:
        listener.close()
        pool.close()
        app.executor.shutdown(wait=False, cancel_futures=True)
        if relay:
            relay.close()
        shutil.rmtree(relay_dir, ignore_errors=True)
        sys.stderr.flush()


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
        listener.listen(2048)
    except (OSError, StoreError):
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener


def _raise_open_files_limit() -> None:
    """Each connection is a file descriptor: allow as many as the hard limit does."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
