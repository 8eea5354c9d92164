"""The ASGI app of `kg serve`: the SPARQL 1.1 Protocol, the catalog pages and the editor.

uvicorn (on h11) does the HTTP framing, timeouts and connection limits (see ``front.py``);
this app checks every request (read-only, the SERVICE allow-list, size and nesting limits)
before a query reaches a worker of the pool. Every failure is answered with a 4xx/5xx status
and one message (JSON when the client prefers it, else plain text or an HTML page); no
traceback ever reaches a client or the log. One escaped access-log line per request.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlencode

import pyoxigraph as ox

from kg.errors import QueryError
from kg.publish.web import Site, dispatch
from kg.publish.web.iris import Links
from kg.publish.web.render import Pages
from kg.query import (
    PAGE,
    WDQS,
    Answer,
    Catalog,
    Refused,
    StoredQuery,
    bind,
    check_federation,
    nesting_depth,
    page_text,
    readable,
    retarget,
    service_targets,
    substitute,
)
from kg.serve import pages
from kg.serve.assets import FILES
from kg.serve.formats import GRAPHS, HTML, NotAcceptable, best, choose
from kg.serve.pool import Busy, QueryTimeout, WorkerPool
from kg.serve.sandbox import relay_url
from kg.serve.settings import Settings
from kg.terms import Compactor

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS_SEE_ALSO = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")  # VoID
_DRAIN_CAP = 16 << 20  # bytes of an oversized body read and dropped so the client sees 413
READ_ONLY = "this endpoint is read-only: SPARQL Update is refused"


class HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass
class Request:
    method: str
    target: str  # the request target as sent (ASCII), for the log
    path: str  # percent-decoded
    query_string: str
    headers: dict[str, list[str]]
    client: str
    body_read: bool = False
    disconnected: bool = False
    extra_log: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None

    @classmethod
    def from_scope(cls, scope: dict) -> Request:
        headers: dict[str, list[str]] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1").lower(), []).append(
                value.decode("latin-1"))
        raw = scope.get("raw_path") or scope["path"].encode()
        raw_path = raw.decode("latin-1")
        query = scope["query_string"].decode("latin-1")
        client = scope.get("client") or ("-", 0)
        return cls(scope["method"], raw_path + ("?" + query if query else ""),
                   unquote(raw_path, errors="replace"), query, headers, str(client[0]))


@dataclass
class Response:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


class App:
    def __init__(self, settings: Settings, pool: WorkerPool, catalog: Catalog,
                 assets: dict[str, bytes], triples: int, base_url: str,
                 relay_routes: tuple[str, ...] | None, site: Site) -> None:
        self.settings, self.pool, self.catalog, self.site = settings, pool, catalog, site
        self.assets, self.triples, self.base_url = assets, triples, base_url
        #: allow-listed endpoint -> the relay URL the sealed workers reach it at; None when
        #: federation is off (workers could not be sealed).
        self.relay = ({url: relay_url(i) for i, url in enumerate(relay_routes)}
                      if relay_routes is not None else None)
        self.compactor = Compactor(settings.prefixes)
        self.executor = ThreadPoolExecutor(
            max_workers=settings.workers + settings.reserve_workers + settings.queue_size + 2,
            thread_name_prefix="kg-query")

    # -- plumbing ---------------------------------------------------------------------------

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] != "http":
            return
        started = time.perf_counter()
        request = Request.from_scope(scope)
        try:
            response = await self.handle(request, receive)
        except HttpError as error:
            response = self.failure(request, error)
        except Exception as error:  # a bug: one line in the log, no traceback to the client
            request.extra_log.append(f"internal error {type(error).__name__}: "
                                     f"{_escape(str(error))[:200]}")
            response = self.failure(request, HttpError(500, "internal error; it has been logged"))
        await self._send(send, request, response)
        self.log(request, response.status, started)

    async def _send(self, send, request: Request, response: Response) -> None:
        headers = [(b"content-type", response.content_type.encode()),
                   (b"content-length", str(len(response.body)).encode()),
                   (b"x-content-type-options", b"nosniff")]
        if self.settings.cors:
            headers += [(b"access-control-allow-origin", b"*"),
                        (b"access-control-expose-headers",
                         b"X-Result-Truncated, X-Result-Rows, X-Result-Triples")]
        headers += [(k.lower().encode("latin-1"), str(v).encode("latin-1"))
                    for k, v in response.headers.items()]
        await send({"type": "http.response.start", "status": response.status,
                    "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    def log(self, request: Request, status: int, started: float) -> None:
        target = _escape(request.target)
        target = target if len(target) <= 120 else target[:119] + "…"
        note = "".join(f" ({n})" for n in request.extra_log)
        if request.disconnected:
            note += " (the client disconnected before the answer)"
        print(f"{request.client} {_escape(request.method)} {target} {status} "
              f"{(time.perf_counter() - started) * 1000:.1f}ms{note}",
              file=sys.stderr, flush=True)

    def failure(self, request: Request, error: HttpError) -> Response:
        if not request.body_read and request.method == "POST":
            error.headers.setdefault("Connection", "close")  # never parse a refused body
        chosen = best(request.header("accept"),
                      ["application/json", "application/sparql-results+json", "text/html",
                       "text/plain"])
        if chosen in ("application/json", "application/sparql-results+json"):
            body = json.dumps({"ok": False, "error": error.message, "status": error.status})
            return Response(error.status, "application/json", body.encode(), error.headers)
        if chosen == "text/html":
            return Response(error.status, "text/html; charset=utf-8",
                            pages.error(error.status, error.message), error.headers)
        return Response(error.status, "text/plain; charset=utf-8",
                        f"{error.message}\n".encode(), error.headers)

    # -- routes ----------------------------------------------------------------------------

    async def handle(self, request: Request, receive) -> Response:
        if request.header("transfer-encoding") and "content-length" in request.headers:
            raise HttpError(400, "a request with both Transfer-Encoding and Content-Length is "
                                 "refused (RFC 9112, 6.1)", {"Connection": "close"})
        method = request.method
        if method in ("GET", "HEAD"):
            return await self.route_get(request, receive)
        if method == "POST":
            return await self.route_post(request, receive)
        if method in ("PUT", "DELETE", "PATCH"):
            raise self.write_refused(method)
        if method == "OPTIONS":
            headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
            if self.settings.cors:
                headers.update({"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                                "Access-Control-Allow-Headers": "Content-Type, Accept",
                                "Access-Control-Max-Age": "86400"})
            return Response(204, "text/plain", b"", headers)
        raise HttpError(405, f"{_escape(method)[:20]} is not accepted; use GET, HEAD or POST",
                        {"Allow": "GET, HEAD, POST, OPTIONS"})

    def params(self, request: Request) -> dict[str, list[str]]:
        limit = self.settings.max_url_bytes
        if len(request.target) > limit:
            raise HttpError(414, f"the URL is {len(request.target)} bytes; the limit is "
                                 f"{limit}; POST long queries instead")
        return _parse_form(request.query_string, "the query string")

    async def route_get(self, request: Request, receive) -> Response:
        params = self.params(request)
        path = _route(request.path)
        if path in ("/sparql", "/query"):
            if "update" in params:
                raise HttpError(403, READ_ONLY)
            if "query" not in params:
                return self.service_description(request)
            return await self.sparql(request, _one(params, "query"), params, receive)
        if path in ("/update", "/store") or path.startswith("/store/"):
            raise self.write_refused(request.method)
        if path == "/editor":
            return Response(200, "text/html; charset=utf-8",
                            pages.editor(self.site.editor_examples(), bool(self.assets)))
        if path.startswith("/static/") and path[len("/static/"):] in self.assets:
            name = path[len("/static/"):]
            return Response(200, FILES[name], self.assets[name],
                            {"Cache-Control": "public, max-age=86400"})
        if path == "/health":
            return Response(200, "text/plain; charset=utf-8", b"ok\n")
        if path in ("/queries", "/queries.json"):
            return self.catalog_page(path.endswith(".json"))
        if path.startswith("/queries/"):
            return await self.stored_query(request, path[len("/queries/"):], params, receive)
        # the landing page, entity pages, search, /.well-known/, downloads (kg.publish.web);
        # links are made from the endpoint's own URL (--base-url), never from Host
        origin = self.base_url.rstrip("/")
        reply = await self.off_loop(dispatch, self.site, path, params, request.header("accept"),
                                    origin, origin + "/sparql")
        if reply is not None:
            return Response(reply.status, reply.content_type, reply.body, reply.headers)
        raise HttpError(404, f"no such page: {_escape(path)[:200]}")

    async def route_post(self, request: Request, receive) -> Response:
        params = self.params(request)
        path = _route(request.path)
        if path in ("/update", "/store") or path.startswith("/store/"):
            raise self.write_refused("POST")
        if path == "/figure":
            return await self.figure(request, params, receive)
        if path not in ("/sparql", "/query"):
            raise HttpError(405, f"POST is not accepted at {_escape(path)[:200]}",
                            {"Allow": "GET, HEAD"})
        if "update" in params:
            raise HttpError(403, READ_ONLY)
        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            raise HttpError(403, READ_ONLY)
        if content_type not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise HttpError(415, "POST a query as application/sparql-query or as the 'query' "
                                 "field of application/x-www-form-urlencoded")
        body = await self.read_body(request, receive)
        if content_type == "application/x-www-form-urlencoded":
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise HttpError(400, "the form body is not valid UTF-8") from None
            form = _parse_form(text, "the form body")
            if "update" in form:
                raise HttpError(403, READ_ONLY)
            if "query" not in form:
                raise HttpError(400, "the form has no 'query' field")
            merged = {key: params.get(key, []) + form.get(key, [])
                      for key in {*params, *form} if key != "query"}
            return await self.sparql(request, _one(form, "query"), merged, receive)
        if "query" in params:
            raise HttpError(400, "a POST of application/sparql-query carries the query in its "
                                 "body, not in the URL")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise HttpError(400, "the query is not valid UTF-8") from None
        return await self.sparql(request, text, params, receive)

    async def figure(self, request: Request, params: dict[str, list[str]], receive
                     ) -> Response:
        """POST /figure?view=KIND[&query=NAME]: the SPARQL JSON results in the body drawn as
        that view (the editor's view switch). Nothing is queried: the answer is the body."""
        from kg.errors import QueryError
        from kg.publish.figures.results import RESULTS_TYPES, draw_results

        content_type = (request.header("content-type") or "").split(";")[0].strip().lower()
        if content_type not in RESULTS_TYPES:
            raise HttpError(415, "POST the answer to draw as application/sparql-results+json")
        view = _one(params, "view") if "view" in params else ""
        name = _one(params, "query") if "query" in params else ""
        query = self.catalog.get(name) if name and name in self.catalog.names() else None
        if name and query is None:
            raise HttpError(404, f"no catalog query is named {_escape(name)[:100]}")
        body = await self.read_body(request, receive)
        try:
            svg = await self.off_loop(draw_results, body, view, self.compactor, query)
        except QueryError as error:
            raise HttpError(400, error.message) from None
        return Response(200, "image/svg+xml; charset=utf-8", svg.encode("utf-8"))

    def write_refused(self, method: str) -> HttpError:
        return HttpError(405 if method in ("PUT", "DELETE", "PATCH") else 403,
                         "this endpoint is read-only: updates and Graph Store writes are "
                         "refused; query it at /sparql or download a dump",
                         {"Allow": "GET, HEAD, POST"})

    async def read_body(self, request: Request, receive) -> bytes:
        """The whole body, within the size limit and the body time limit."""
        limit = self.settings.max_body_bytes
        length = request.header("content-length")
        size = int(length) if length and length.isdigit() else None
        if size is not None and size > limit:
            if (request.header("expect") or "").lower() != "100-continue":
                await self._drain(receive, size)
            raise HttpError(413, f"the request body is {size} bytes; the limit is {limit}",
                            {"Connection": "close"})
        deadline = time.monotonic() + self.settings.body_timeout_s
        chunks, total = [], 0
        while True:
            message = await self._receive_until(receive, deadline)
            if message["type"] == "http.disconnect":
                request.disconnected = True
                raise HttpError(400, "the client disconnected while sending the body",
                                {"Connection": "close"})
            chunk = message.get("body", b"")
            total += len(chunk)
            if total > limit:
                raise HttpError(413, f"the request body is over the limit of {limit} bytes",
                                {"Connection": "close"})
            chunks.append(chunk)
            if not message.get("more_body"):
                request.body_read = True
                return b"".join(chunks)

    async def _receive_until(self, receive, deadline: float) -> dict:
        try:
            return await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise HttpError(408, f"the request body took longer than "
                                 f"{self.settings.body_timeout_s:g} s to arrive",
                            {"Connection": "close"}) from None

    async def _drain(self, receive, size: int) -> None:
        """Read and drop an oversized body (up to a cap), so the client can read our 413."""
        remaining = min(size, _DRAIN_CAP)
        deadline = time.monotonic() + self.settings.body_timeout_s
        try:
            while remaining > 0:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
                remaining -= len(message.get("body", b""))
                if message["type"] != "http.request" or not message.get("more_body"):
                    return
        except TimeoutError:
            return

    # -- SPARQL ----------------------------------------------------------------------------

    def checked(self, query: str) -> tuple[str, bool]:
        """The query ready for a worker and whether it federates; 400 for a refused one."""
        depth = nesting_depth(query)
        if depth > self.settings.max_depth:
            raise HttpError(400, f"the query nests {depth} levels deep (braces, parentheses, "
                                 f"brackets); the limit is {self.settings.max_depth}")
        settings = self.settings
        try:
            query = retarget(query, settings.service_map)
            targets = service_targets(query)
            if targets and self.relay is None:
                raise Refused("SERVICE is not available on this server: federation is off, "
                              "because its query workers could not be sealed off the network")
            check_federation(query, settings.allow_service)
        except Refused as refused:
            raise HttpError(400, str(refused)) from None
        if targets:
            query = retarget(query, self.relay)
        return query, bool(targets)

    async def sparql(self, request: Request, query: str, params: dict[str, list[str]],
                     receive) -> Response:
        text, federated = self.checked(query)
        settings = self.settings
        job = {
            "query": text,
            "base_iri": self.base_url + "sparql",
            "accept": request.header("accept"),
            "formats": params.get("format", []),
            "html": 1 if request.method in ("GET", "HEAD") else 0,
            "default_graph": params.get("default-graph-uri", []),
            "named_graphs": params.get("named-graph-uri", []),
            "max_rows": settings.max_rows,
            "max_triples": settings.max_triples,
            "federated": federated,
            "jsonld_context": (self.site.context, self.base_url + "context.jsonld"),
        }
        reply = await self.evaluate(request, job, receive)
        if reply.get("html"):
            return Response(200, "text/html; charset=utf-8",
                            await self.off_loop(self.answer_page, reply, query, None, {}))
        return Response(reply["status"], reply["content_type"], reply["body"], reply["headers"])

    async def evaluate(self, request: Request, job: dict, receive) -> dict:
        """Run ``job`` on the pool, noting meanwhile whether the client hangs up."""
        settings = self.settings
        loop = asyncio.get_running_loop()
        work = loop.run_in_executor(self.executor, self.pool.run, job, settings.timeout_s)
        watch = asyncio.ensure_future(self._watch(request, receive))
        try:
            reply = await work
        except QueryTimeout:
            request.extra_log.append("stopped at the time limit")
            raise HttpError(503, f"the query ran longer than the limit of "
                                 f"{settings.timeout_s:g} s and was stopped",
                            {"Retry-After": "60"}) from None
        except Busy:
            request.extra_log.append("busy")
            raise HttpError(503, f"the server is busy: all {settings.workers} query workers "
                                 f"are taken and {settings.queue_size} queries wait; try again",
                            {"Retry-After": str(max(1, round(settings.timeout_s / 4)))}
                            ) from None
        finally:
            watch.cancel()
        if reply["status"] != 200:
            if reply["status"] >= 500:
                request.extra_log.append(reply["message"])
            headers = {"Retry-After": str(reply["retry_after"])} if "retry_after" in reply else {}
            raise HttpError(reply["status"], reply["message"], headers)
        return reply

    async def off_loop(self, function, *args):
        """Run page rendering (store look-ups for labels, counts) off the event loop, so a
        slow page never holds back the framing and timeouts of every other connection."""
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    @staticmethod
    async def _watch(request: Request, receive) -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                request.disconnected = True
                return

    def service_description(self, request: Request) -> Response:
        service = ox.BlankNode("service")
        dataset = ox.BlankNode("dataset")
        graph = ox.BlankNode("graph")
        sd = lambda name: ox.NamedNode(SD + name)  # noqa: E731
        triples = [
            ox.Triple(service, RDF_TYPE, sd("Service")),
            ox.Triple(service, sd("endpoint"), ox.NamedNode(self.base_url + "sparql")),
            ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
            ox.Triple(service, sd("defaultDataset"), dataset),
            ox.Triple(service, RDFS_SEE_ALSO, ox.NamedNode(self.base_url + ".well-known/void")),
            ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
            ox.Triple(dataset, sd("defaultGraph"), graph),
            ox.Triple(graph, RDF_TYPE, sd("Graph")),
            ox.Triple(graph, ox.NamedNode("http://rdfs.org/ns/void#triples"),
                      ox.Literal(str(self.triples),
                                 datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
        if self.relay:
            triples.append(ox.Triple(service, sd("feature"), sd("BasicFederatedQuery")))
        for media in ("application/sparql-results+json", "application/sparql-results+xml",
                      "text/csv", "text/tab-separated-values", *(m for m, _ in GRAPHS.values())):
            triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(
                "http://www.w3.org/ns/formats/" + _W3C_FORMATS[media])))
        try:
            name = choose("graph", request.header("accept"))
        except NotAcceptable as error:
            raise HttpError(406, str(error)) from None
        media, fmt = GRAPHS[name]
        body = ox.serialize(triples, format=fmt,
                            prefixes={"sd": SD} if name == "turtle" else None) or b""
        return Response(200, media + "; charset=utf-8", body)

    # -- the catalog -----------------------------------------------------------------------

    def catalog_page(self, as_json: bool) -> Response:
        queries = self.catalog.all()
        if as_json:
            listing = [{"name": q.name, "summary": q.summary, "description": q.description,
                        "tags": list(q.tags), "url": f"/queries/{q.name}",
                        "parameters": [{"name": p.name, "required": p.required,
                                        "kind": p.kind, "default": p.default}
                                       for p in q.parameters],
                        "page_size": q.page_size} for q in queries]
            return Response(200, "application/json", json.dumps(listing, indent=2).encode())
        return Response(200, "text/html; charset=utf-8", pages.catalog(queries))

    async def stored_query(self, request: Request, name: str, params: dict[str, list[str]],
                           receive) -> Response:
        formats = params.get("format", [])
        for suffix in (".json", ".csv", ".tsv", ".xml"):
            if name.endswith(suffix):
                name, formats = name[: -len(suffix)], [suffix[1:]]
        try:
            query = self.catalog.get(name)  # looked up among the catalog's names, never a path
        except QueryError as error:
            raise HttpError(404, error.message) from None
        page, size = None, self.settings.max_rows
        if query.page_size:  # a paged query: one page (the first by default), one row more
            page, size = _page_number(params), min(query.page_size, self.settings.max_rows)
        values = {key: _one(params, key) for key in params
                  if key != "format" and not (page and key == PAGE)}
        try:
            substitutions = bind(query, values, self.compactor.prefixes)
        except QueryError as error:
            raise HttpError(400, error.message) from None
        text = substitute(query.text, substitutions)
        if page:
            text = page_text(text, size, page)
        text, federated = self.checked(text)
        job = {
            "query": text,
            "base_iri": self.base_url + "sparql",
            "accept": request.header("accept"),
            "formats": formats,
            "html": 0 if formats else 2,
            "max_rows": size,
            "max_triples": self.settings.max_triples,
            "federated": federated,
            "linked_items": query.linked_items,
            "linked_endpoint": self._linked_endpoint(),
            "checked_by_validation": bool(query.checked_by),
            "jsonld_context": (self.site.context, self.base_url + "context.jsonld"),
        }
        reply = await self.evaluate(request, job, receive)
        paging = None  # (not "pages": that is kg.serve.pages, the page templates)
        if page:
            # the worker stopped at the page's size: a row more means a next page
            more = reply["headers"].pop("X-Result-Truncated", None) is not None
            paging = self._paging(request.path, params, page, size, more)
            reply["headers"]["Link"] = ", ".join(
                f'<{self.base_url.rstrip("/")}{href}>; rel="{rel}"' for rel, href in
                (("first", paging.first), ("prev", paging.previous), ("next", paging.next))
                if href)
        if reply.get("html"):
            return Response(200, "text/html; charset=utf-8",
                            await self.off_loop(self.answer_page, reply, query.text, query,
                                                values, paging))
        return Response(200, reply["content_type"], reply["body"], reply["headers"])

    @staticmethod
    def _paging(path: str, params: dict[str, list[str]], page: int, size: int, more: bool
               ) -> Pages:
        """The hrefs of the pages around ``page``: the same path and parameters."""
        kept = [(key, value) for key in params if key != PAGE for value in params[key]]

        def href(number: int) -> str:
            return path + "?" + urlencode([*kept, (PAGE, str(number))])

        return Pages(page, size, href(page - 1) if page > 1 else None,
                     href(page + 1) if more else None, href(1))

    def _linked_endpoint(self) -> str:
        """Where a catalog query's linked items go: Wikidata's endpoint as the worker sees it."""
        target = self.settings.service_map.get(WDQS, WDQS)
        return (self.relay or {}).get(target, target)

    def answer_page(self, reply: dict, text: str, query: StoredQuery | None,
                    values: dict[str, str], paging: Pages | None = None) -> bytes:
        truncated = reply["headers"].get("X-Result-Truncated")
        limit = truncated.split("limit=")[-1] if truncated else None
        if reply["html"] == "graph":
            triples = ox.parse(reply["body"], format=ox.RdfFormat.N_TRIPLES)
            header = ["subject", "predicate", "object"]
            rows = [[self.compactor.term(t.subject), self.compactor.term(t.predicate),
                     self.compactor.term(t.object)] for t in triples]
            return pages.sparql_answer(text, header, rows, limit)
        parsed = ox.parse_query_results(reply["body"], format=ox.QueryResultsFormat.JSON)
        if query is not None:  # a catalog page: cells link to entity pages, by label
            if isinstance(parsed, ox.QueryBoolean):
                return self.site.answer_html(query, values, [], None, bool(parsed), limit,
                                             Links())
            variables = [v.value for v in parsed.variables]
            rows = [[s[i] for i in range(len(variables))] for s in parsed]
            return self.site.answer_html(query, values, variables, rows, None, limit, Links(),
                                         paging)
        if isinstance(parsed, ox.QueryBoolean):
            header, rows = ["answer"], [["yes" if bool(parsed) else "no"]]
        else:
            variables = [v.value for v in parsed.variables]
            answer = Answer("select", variables,
                            [[s[i] for i in range(len(variables))] for s in parsed])
            header, rows = readable(answer, self.compactor)
        return pages.sparql_answer(text, header, rows, limit)


def _route(path: str) -> str:
    """/sparql/ is /sparql (the W3C protocol tests use the former)."""
    return path[:-1] if path in ("/sparql/", "/query/") else path


def _parse_form(text: str, what: str) -> dict[str, list[str]]:
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise HttpError(400, f"{what} is not valid UTF-8 percent-encoding") from None


def _page_number(params: dict[str, list[str]]) -> int:
    """``page=N`` of a paged query, from 1; 1 when not given."""
    text = _one(params, PAGE) if PAGE in params else "1"
    if not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise HttpError(400, f"page must be a whole number from 1, not {_escape(text)[:20]!r}")
    return int(text)


def _one(params: dict[str, list[str]], key: str) -> str:
    values = params.get(key) or [""]
    if len(set(values)) > 1:
        raise HttpError(400, f"give '{key}' once (or the same value each time)")
    return values[0]


def _escape(text: str) -> str:
    """Printable ASCII as is, everything else as an escape: a log line stays one line."""
    return "".join(c if 0x20 <= ord(c) < 0x7F and c != "\\" else
                   ("\\\\" if c == "\\" else c.encode("unicode_escape").decode("ascii")
                    if ord(c) > 0xFF else f"\\x{ord(c):02x}") for c in text)


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

__all__ = ["HTML", "App", "HttpError"]
