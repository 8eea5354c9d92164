"""The HTTP front of `kg serve`: the SPARQL 1.1 Protocol, the catalog pages and the editor.

Every request is checked here before any query reaches a worker: writes are refused,
SERVICE targets must be allow-listed, bodies and URLs are bounded. Every failure is answered
with a 4xx/5xx status and one message (JSON when the client prefers it, else plain text or an
HTML page); no traceback ever reaches a client.
"""

from __future__ import annotations

import json
import sys
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import pyoxigraph as ox

from kg import __version__
from kg.errors import QueryError
from kg.publish.web import Site, dispatch
from kg.publish.web.iris import Links
from kg.query import (
    WDQS,
    Catalog,
    Refused,
    StoredQuery,
    bind,
    check_federation,
    retarget,
    service_targets,
    substitute,
)
from kg.serve import pages
from kg.serve.assets import FILES
from kg.serve.formats import GRAPHS, NotAcceptable, choose, parse_accept
from kg.serve.pool import Busy, QueryTimeout, WorkerPool
from kg.serve.settings import Settings
from kg.terms import Compactor

SD = "http://www.w3.org/ns/sparql-service-description#"
_DRAIN_CAP = 64 << 20  # bytes of an oversized body read and dropped before answering 413
RDFS_SEE_ALSO = "http://www.w3.org/2000/01/rdf-schema#seeAlso"  # the VoID description
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class KgServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, settings: Settings, pool: WorkerPool, catalog: Catalog,
                 assets: dict[str, bytes], triples: int, site: Site) -> None:
        self.settings, self.pool, self.catalog, self.site = settings, pool, catalog, site
        self.assets, self.triples = assets, triples
        self.compactor = Compactor(settings.prefixes)
        super().__init__((settings.host, settings.port), Handler)


class Handler(BaseHTTPRequestHandler):
    server: KgServer
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes; with Nagle's algorithm on, a keep-alive client's
    # delayed ACK holds the body back ~40 ms per request.
    disable_nagle_algorithm = True
    server_version = f"kg/{__version__}"
    sys_version = ""

    # -- plumbing ---------------------------------------------------------------------------

    def log_message(self, format: str, *args) -> None:  # replaced by one line per request
        pass

    def handle_one_request(self) -> None:
        self._started = time.perf_counter()
        self._status = None
        self._body_read = False
        super().handle_one_request()
        if self._status is not None:
            path = self.path if len(self.path) <= 120 else self.path[:119] + "…"
            duration = (time.perf_counter() - self._started) * 1000
            print(f"{self.client_address[0]} {self.command} {path} {self._status} "
                  f"{duration:.1f}ms", file=sys.stderr, flush=True)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None
                   ) -> None:
        """Errors the standard library raises itself (bad request line, URL too long, ...)."""
        headers = {"Connection": "close"}
        if code == HTTPStatus.NOT_IMPLEMENTED:  # an unknown method, such as BREW
            code, message = 405, f"{self.command} is not accepted; use GET, HEAD or POST"
            headers["Allow"] = "GET, HEAD, POST, OPTIONS"
        self._send(code, "text/plain; charset=utf-8", f"{message or HTTPStatus(code).phrase}\n"
                   .encode(), headers)

    def _send(self, status: int, content_type: str, body: bytes,
              headers: dict | None = None) -> None:
        self._status = status
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.server.settings.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers",
                             "X-Result-Truncated, X-Result-Rows, X-Result-Triples")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _fail(self, error: HttpError) -> None:
        if not self._body_read and (self.headers.get("Content-Length") or "0") != "0":
            # The body was refused unread: close rather than parse it as the next request.
            error.headers.setdefault("Connection", "close")
            self.close_connection = True
        accept = self.headers.get("Accept", "")
        best = parse_accept(accept)[0][0] if accept else ""
        if best in ("application/json", "application/sparql-results+json"):
            body = json.dumps({"ok": False, "error": error.message, "status": error.status})
            self._send(error.status, "application/json", body.encode(), error.headers)
        elif best == "text/html":
            self._send(error.status, "text/html; charset=utf-8",
                       pages.error(error.status, error.message), error.headers)
        else:
            self._send(error.status, "text/plain; charset=utf-8",
                       f"{error.message}\n".encode(), error.headers)

    def _dispatch(self, route) -> None:
        try:
            route()
        except HttpError as error:
            self._fail(error)
        except Exception as error:  # a bug: one line in the log, no traceback to the client
            print(f"kg serve: internal error on {self.command} {self.path[:120]}: "
                  f"{type(error).__name__}: {error}", file=sys.stderr, flush=True)
            self._fail(HttpError(500, "internal error; it has been logged"))

    # -- methods ---------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch(self._route_get)

    def do_HEAD(self) -> None:
        self._dispatch(self._route_get)

    def do_POST(self) -> None:
        self._dispatch(self._route_post)

    def do_PUT(self) -> None:
        self._dispatch(self._refuse_write)

    def do_DELETE(self) -> None:
        self._dispatch(self._refuse_write)

    def do_PATCH(self) -> None:
        self._dispatch(self._refuse_write)

    def do_OPTIONS(self) -> None:
        headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self.server.settings.cors:
            headers.update({"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Content-Type, Accept",
                            "Access-Control-Max-Age": "86400"})
        self._send(204, "text/plain", b"", headers)

    # -- routes ----------------------------------------------------------------------------

    def _path_and_params(self) -> tuple[str, dict[str, list[str]]]:
        limit = self.server.settings.max_url_bytes
        if len(self.path) > limit:
            raise HttpError(414, f"the URL is {len(self.path)} bytes; the limit is {limit}; "
                                 "POST long queries instead")
        parts = urlsplit(self.path)
        try:
            params = parse_qs(parts.query, keep_blank_values=True, strict_parsing=False,
                              errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "the query string is not valid UTF-8 percent-encoding") from None
        return unquote(parts.path), params

    def _route_get(self) -> None:
        path, params = self._path_and_params()
        if path in ("/sparql", "/query"):
            if "update" in params:
                raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
            if "query" not in params:
                return self._service_description()
            return self._sparql(_one(params, "query"), params)
        if path in ("/update", "/store") or path.startswith("/store/"):
            return self._refuse_write()
        if path == "/editor":
            return self._send(200, "text/html; charset=utf-8",
                              pages.editor(self.server.site.editor_examples(),
                                           bool(self.server.assets)))
        if path.startswith("/static/") and path[len("/static/"):] in self.server.assets:
            name = path[len("/static/"):]
            return self._send(200, FILES[name], self.server.assets[name],
                              {"Cache-Control": "public, max-age=86400"})
        if path == "/health":
            return self._send(200, "text/plain; charset=utf-8", b"ok\n")
        if path in ("/queries", "/queries.json"):
            return self._catalog(path.endswith(".json"))
        if path.startswith("/queries/"):
            return self._stored_query(path[len("/queries/"):], params)
        # Entity pages, landing page, search, /.well-known/, downloads (kg.publish.web)
        origin = _origin(self.headers, self.server.settings)
        reply = dispatch(self.server.site, path, params, self.headers.get("Accept"), origin,
                         origin + "/sparql")
        if reply is not None:
            return self._send(reply.status, reply.content_type, reply.body, reply.headers)
        raise HttpError(404, f"no such page: {path}")

    def _route_post(self) -> None:
        path, params = self._path_and_params()
        if path in ("/update", "/store") or path.startswith("/store/"):
            return self._refuse_write()
        if path not in ("/sparql", "/query"):
            raise HttpError(405, f"POST is not accepted at {path}", {"Allow": "GET, HEAD"})
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
        body = self._read_body()
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True, errors="strict")
            except (UnicodeDecodeError, ValueError):
                raise HttpError(400, "the form body is not valid UTF-8") from None
            if "update" in form:
                raise HttpError(403, "this endpoint is read-only: SPARQL Update is refused")
            if "query" not in form:
                raise HttpError(400, "the form has no 'query' field")
            merged = {**params, **form}
            return self._sparql(_one(form, "query"), merged)
        if content_type == "application/sparql-query":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(400, "the query is not valid UTF-8") from None
            return self._sparql(text, params)
        raise HttpError(415, "POST a query as application/sparql-query or as the 'query' field "
                             "of application/x-www-form-urlencoded")

    def _refuse_write(self) -> None:
        raise HttpError(405 if self.command in ("PUT", "DELETE", "PATCH") else 403,
                        "this endpoint is read-only: updates and Graph Store writes are refused; "
                        "query it at /sparql or download a dump",
                        {"Allow": "GET, HEAD, POST"})

    def _read_body(self) -> bytes:
        length = self.headers.get("Content-Length")
        if length is None:
            raise HttpError(411, "a POST needs a Content-Length")
        try:
            size = int(length)
        except ValueError:
            raise HttpError(400, "Content-Length is not a number") from None
        limit = self.server.settings.max_body_bytes
        if size > limit:
            self._drain(size)
            raise HttpError(413, f"the request body is {size} bytes; the limit is {limit}",
                            {"Connection": "close"})
        self._body_read = True
        return self.rfile.read(size)

    def _drain(self, size: int) -> None:
        """Read and drop an oversized body, so a client still sending it can read our 413.

        Clients that send `Expect: 100-continue` are refused before they send anything (see
        `handle_expect_100`); the rest would otherwise see a reset connection. Past a cap
        the connection is simply closed.
        """
        remaining = min(size, _DRAIN_CAP)
        self.connection.settimeout(5)
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, 1 << 16))
                if not chunk:
                    break
                remaining -= len(chunk)
        except OSError:
            pass
        self._body_read = size <= _DRAIN_CAP

    def handle_expect_100(self) -> bool:
        try:
            size = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            size = 0
        limit = self.server.settings.max_body_bytes
        if size > limit:
            self._fail(HttpError(413, f"the request body is {size} bytes; the limit is {limit}",
                                 {"Connection": "close"}))
            return False
        return super().handle_expect_100()

    # -- SPARQL ----------------------------------------------------------------------------

    def _sparql(self, query: str, params: dict[str, list[str]]) -> None:
        settings = self.server.settings
        query = self._federation_checked(query)
        job = {
            "query": query,
            "accept": self.headers.get("Accept"),
            "format": _one(params, "format") if "format" in params else None,
            "default_graph": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
            "max_rows": settings.max_rows,
            "max_triples": settings.max_triples,
            "federated": bool(service_targets(query)),
            "jsonld_context": (self.server.site.context,
                               _origin(self.headers, settings) + "/context.jsonld"),
        }
        reply = self._evaluate(job)
        self._send(reply["status"], reply["content_type"], reply["body"], reply["headers"])

    def _federation_checked(self, query: str) -> str:
        """The query with Wikidata's SERVICE calls retargeted; 400 for a refused SERVICE."""
        settings = self.server.settings
        try:
            query = retarget(query, settings.service_map)
            check_federation(query, settings.allow_service)
        except Refused as refused:
            raise HttpError(400, str(refused)) from None
        return query

    def _evaluate(self, job: dict) -> dict:
        settings = self.server.settings
        try:
            reply = self.server.pool.run(job, settings.timeout_s)
        except QueryTimeout:
            raise HttpError(503, f"the query ran longer than the limit of {settings.timeout_s:g} s "
                                 "and was stopped", {"Retry-After": "60"}) from None
        except Busy:
            raise HttpError(503, "the server is busy; try again", {"Retry-After": "5"}) from None
        if reply["status"] != 200:
            raise HttpError(reply["status"], reply["message"])
        return reply

    def _service_description(self) -> None:
        settings = self.server.settings
        host = self.headers.get("Host") or f"{settings.host}:{settings.port}"
        service = ox.BlankNode("service")
        dataset = ox.BlankNode("dataset")
        graph = ox.BlankNode("graph")
        sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
        triples = [
            ox.Triple(service, RDF_TYPE, sd("Service")),
            ox.Triple(service, sd("endpoint"), ox.NamedNode(f"http://{host}/sparql")),
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")),
            ox.Triple(service, sd("defaultDataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
            ox.Triple(service, ox.NamedNode(RDFS_SEE_ALSO), ox.NamedNode(
                _origin(self.headers, settings) + "/.well-known/void")),
            ox.Triple(dataset, sd("defaultGraph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, ox.NamedNode("http://rdfs.org/ns/void#triples"),
                      ox.Literal(str(self.server.triples),
                                 datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
        for media in ("application/sparql-results+json", "application/sparql-results+xml",
                      "text/csv", "text/tab-separated-values", *(m for m, _ in GRAPHS.values())):
            triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(
                "http://www.w3.org/ns/formats/" + _W3C_FORMATS[media])))
        try:
            name = choose("graph", self.headers.get("Accept"), None)
        except NotAcceptable as error:
            raise HttpError(406, str(error)) from None
        media, fmt = GRAPHS[name]
        body = ox.serialize(triples, format=fmt,
                            prefixes={"sd": SD} if name == "turtle" else None) or b""
        self._send(200, media + "; charset=utf-8", body)

    # -- the catalog -----------------------------------------------------------------------

    def _catalog(self, as_json: bool) -> None:
        queries = self.server.catalog.all()
        if as_json:
            listing = [{"name": q.name, "summary": q.summary, "description": q.description,
                        "tags": list(q.tags), "url": f"/queries/{q.name}",
                        "parameters": [{"name": p.name, "required": p.required,
                                        "kind": p.kind, "default": p.default}
                                       for p in q.parameters]} for q in queries]
            return self._send(200, "application/json", json.dumps(listing, indent=2).encode())
        self._send(200, "text/html; charset=utf-8", pages.catalog(queries))

    def _stored_query(self, name: str, params: dict[str, list[str]]) -> None:
        fmt = None
        for suffix in (".json", ".csv", ".tsv", ".xml"):
            if name.endswith(suffix):
                name, fmt = name[: -len(suffix)], suffix[1:]
        try:
            query = self.server.catalog.get(name)
        except QueryError as error:
            raise HttpError(404, error.message) from None
        values = {key: _one(params, key) for key in params if key != "format"}
        if fmt is None and "format" in params:
            fmt = _one(params, "format")
        try:
            substitutions = bind(query, values, self.server.compactor.prefixes)
        except QueryError as error:
            raise HttpError(400, error.message) from None
        wants_html = fmt is None and not _prefers_machine(self.headers.get("Accept"))
        text = self._federation_checked(substitute(query.text, substitutions))
        job = {
            "query": text,
            "accept": None if wants_html else self.headers.get("Accept"),
            "format": "json" if wants_html else fmt,
            "max_rows": self.server.settings.max_rows,
            "max_triples": self.server.settings.max_triples,
            "federated": bool(service_targets(text)),
            "linked_items": query.linked_items,
            "linked_endpoint": self.server.settings.service_map.get(WDQS, WDQS),
        }
        reply = self._evaluate(job)
        if not wants_html or not reply["content_type"].startswith("application/sparql-results"):
            return self._send(200, reply["content_type"], reply["body"], reply["headers"])
        self._send(200, "text/html; charset=utf-8", self._answer_page(query, values, reply))

    def _answer_page(self, query: StoredQuery, values: dict[str, str], reply: dict) -> bytes:
        parsed = ox.parse_query_results(reply["body"], format=ox.QueryResultsFormat.JSON)
        truncated = reply["headers"].get("X-Result-Truncated")
        limit = truncated.split("limit=")[-1] if truncated else None
        links = Links()
        if isinstance(parsed, ox.QueryBoolean):
            return self.server.site.answer_html(query, values, [], None, bool(parsed), limit,
                                                links)
        variables = [v.value for v in parsed.variables]
        rows = [[s[i] for i in range(len(variables))] for s in parsed]
        return self.server.site.answer_html(query, values, variables, rows, None, limit, links)


def _origin(headers, settings: Settings) -> str:
    """Where the client reached us: scheme (a proxy's X-Forwarded-Proto) and Host."""
    scheme = "https" if headers.get("X-Forwarded-Proto") == "https" else "http"
    return f"{scheme}://{headers.get('Host') or f'{settings.host}:{settings.port}'}"


def _one(params: dict[str, list[str]], key: str) -> str:
    values = params.get(key) or [""]
    if len(values) > 1:
        raise HttpError(400, f"give '{key}' once")
    return values[0]


def _prefers_machine(accept: str | None) -> bool:
    """Datasette-style: a page for people unless the client asks for a data format first."""
    ranges = parse_accept(accept)
    if not ranges:
        return False
    media = ranges[0][0]
    return media not in ("*/*", "text/*", "text/html", "application/xhtml+xml")


_W3C_FORMATS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}
