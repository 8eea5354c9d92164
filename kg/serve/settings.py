"""The endpoint's limits and options, named and documented in one place (shown in the README)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from kg.query import WDQS as WIKIDATA  # the one federation target allowed by default


@dataclass(frozen=True)
class Settings:
    database: Path
    host: str = "127.0.0.1"
    port: int = 7878
    timeout_s: float = 30.0
    cors: bool = False
    allow_service: tuple[str, ...] = (WIKIDATA,)
    #: SERVICE endpoints replaced before evaluation (Wikidata's by a mirror or a stand-in).
    service_map: dict[str, str] = field(default_factory=dict)
    #: Largest request body (a POSTed query); larger ones get 413.
    max_body_bytes: int = 1 << 20
    #: Longest query string of a GET; longer ones get 414.
    max_url_bytes: int = 32 << 10
    #: Rows of a SELECT answer; more are cut, and the answer says so (X-Result-Truncated).
    max_rows: int = 10_000
    #: Triples of a CONSTRUCT or DESCRIBE answer; the same.
    max_triples: int = 100_000
    workers: int = field(default_factory=lambda: max(2, os.cpu_count() or 2))
    #: The endpoint's own URL (for the service description and relative IRIs in queries);
    #: by default http://HOST:PORT/ of the bind address, never taken from a request's Host.
    base_url: str | None = None
    #: Address space each query worker may add to what it holds after opening the store;
    #: a query that needs more stops its worker (replaced) and gets 503. 0 for no cap.
    worker_memory_mb: int = 2048
    #: Workers beyond ``workers`` that take a query only when every regular worker has been
    #: busy for ``patience_s``: a short query is not held behind long ones filling the pool.
    reserve_workers: int = 1
    patience_s: float = 0.5
    #: Queries that may wait for a busy worker; more get 503 with Retry-After at once.
    queue_size: int = 16
    #: Longest wait for a worker before 503 with Retry-After.
    queue_timeout_s: float = 10.0
    #: Deepest nesting of braces, parentheses and brackets in a query (deeper: 400).
    max_depth: int = 100
    #: Time for a request's head (request line and headers) to arrive; then the connection
    #: is closed.
    header_timeout_s: float = 10.0
    #: Time for a request's body to arrive; then 408.
    body_timeout_s: float = 30.0
    #: Idle time of a kept-alive connection before it is closed.
    keep_alive_s: float = 5.0
    #: Connections served at once; requests beyond get 503.
    max_connections: int = 1000
    #: Largest request head (request line and headers); larger: 400.
    max_header_bytes: int = 64 << 10
    project_root: Path | None = None
    prefixes: dict[str, str] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        """True when the server listens beyond this machine."""
        try:
            return not ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return self.host not in ("localhost",)


def check_allow_list(urls: tuple[str, ...]) -> list[str]:
    """Refuse non-HTTP federation targets; warn about loopback and private ones."""
    warnings = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--allow-service {url!r}: only http(s) endpoints can be allowed")
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            if parts.hostname == "localhost":
                warnings.append(f"--allow-service {url} lets queries reach this machine")
            continue
        if address.is_loopback or address.is_private or address.is_link_local:
            warnings.append(f"--allow-service {url} lets queries reach a private address")
    return warnings
