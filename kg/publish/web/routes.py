"""Requests onto pages: a pure function from (path, parameters, Accept) to a response.

`kg serve`'s front calls :func:`dispatch` for every GET or HEAD path it does not answer
itself (SPARQL, the catalog's answers, the editor's assets); ``None`` means "not mine"
(the front answers 404). Content negotiation follows the ``Accept`` header, or a suffix
(``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``, ``.html``) that overrides it; every negotiated
answer says ``Vary: Accept``.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from kg.publish.web.context import context_bytes
from kg.publish.web.iris import BASE, Links, iri_of
from kg.publish.web.render import error_page, not_found
from kg.publish.web.site import DOWNLOAD_TYPES, GRAPH_FORMATS, Site

HTML = "text/html; charset=utf-8"
MEDIA = {
    "html": ("text/html", "application/xhtml+xml"),
    "ttl": ("text/turtle", "application/x-turtle"),
    "nt": ("application/n-triples",),
    "jsonld": ("application/ld+json", "application/json"),
    "rdf": ("application/rdf+xml", "application/xml", "text/xml"),
}
SUFFIXES = (*tuple(GRAPH_FORMATS), "html")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.~-]*$")


class Response(NamedTuple):
    status: int
    content_type: str
    headers: dict[str, str]
    body: bytes


class NotAcceptable(Exception):
    pass


def parse_accept(accept: str | None) -> list[tuple[str, float]]:
    ranges = []
    for part in (accept or "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        if not media:
            continue
        q = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        ranges.append((media.lower(), q))
    return ranges


def negotiate(accept: str | None, offered: tuple[str, ...]) -> str:
    """The offered format (a key of MEDIA) the client prefers; the first offered on a tie."""
    ranges = parse_accept(accept)
    if not ranges:
        return offered[0]
    best, best_score = None, (0.0, -1)
    for rank, name in enumerate(offered):
        for media in MEDIA[name]:
            for wanted, q in ranges:
                if wanted == media:
                    specificity = 2
                elif wanted.endswith("/*") and media.startswith(wanted[:-1]):
                    specificity = 1
                elif wanted == "*/*":
                    specificity = 0
                else:
                    continue
                score = (q, specificity)
                if q > 0 and (best is None or score > best_score or
                              (score == best_score and rank < offered.index(best))):
                    best, best_score = name, score
    if best is None:
        types = ", ".join(m for name in offered for m in MEDIA[name][:1])
        raise NotAcceptable(f"none of the formats asked for can be given; this resource is "
                            f"available as {types}")
    return best


def dispatch(site: Site, path: str, params: dict[str, list[str]], accept: str | None,
             origin: str, sparql_endpoint: str | None = None) -> Response | None:
    """The answer to GET ``path``, or None when the path is not one of the pages'."""
    links = Links()
    try:
        return _route(site, path, params, accept, origin, sparql_endpoint, links)
    except NotAcceptable as error:
        return Response(406, "text/plain; charset=utf-8", {"Vary": "Accept"},
                        f"{error}\n".encode())


def _route(site: Site, path: str, params: dict[str, list[str]], accept: str | None,
           origin: str, sparql_endpoint: str | None, links: Links) -> Response | None:
    if path in ("/", "/index.html"):
        name = negotiate(accept, ("html", *GRAPH_FORMATS))
        if name == "html":
            return _html(site.landing_html(links, origin, sparql_endpoint))
        return _graph(site, site.void_triples(origin, sparql_endpoint), name, origin)
    if path == "/context.jsonld":
        return Response(200, "application/ld+json", {"Access-Control-Allow-Origin": "*"},
                        context_bytes(site.context))
    if path in ("/search", "/search.json"):
        text = (params.get("q") or [""])[0]
        wants_json = path.endswith(".json") or (params.get("format") or [""])[0] == "json" or \
            negotiate(accept, ("html", "jsonld")) == "jsonld"
        if wants_json:
            body = json.dumps({"q": text, "results": [
                {**r, "page": origin + (links.iri(r["iri"]) or "")} for r in site.search(text)]},
                ensure_ascii=False, indent=1).encode()
            return Response(200, "application/json", {"Vary": "Accept"}, body)
        return _html(site.search_html(text, links), vary=True)
    if path in ("/vocab", "/vocab/"):
        return _html(site.vocab_html(links))
    if path in ("/downloads", "/downloads/"):
        return _html(site.downloads_html(links))
    if path.startswith("/downloads/"):
        name = path[len("/downloads/"):]
        file = site.release / name
        if not _NAME.match(name) or not file.is_file():
            return None
        media = DOWNLOAD_TYPES.get(name.rsplit(".", 1)[-1], "text/plain; charset=utf-8")
        return Response(200, media, {"Cache-Control": "public, max-age=3600"}, file.read_bytes())
    if path in ("/.well-known/void", "/.well-known/void.ttl"):
        name = negotiate(accept if path.endswith("void") else None, tuple(GRAPH_FORMATS))
        return _graph(site, site.void_triples(origin, sparql_endpoint), name, origin)
    if path == "/.well-known/sparql-examples":
        name = negotiate(accept, tuple(GRAPH_FORMATS))
        endpoint = sparql_endpoint or origin + "/sparql"
        if name == "ttl":
            return Response(200, "text/turtle; charset=utf-8", {"Vary": "Accept"},
                            site.examples_turtle(endpoint))
        return _graph(site, site.examples_triples(endpoint), name, origin)
    stem, suffix = _split_suffix(path)
    if stem in ("/ontology", "/ontology/"):
        return _resource(suffix, accept, lambda: site.ontology_html(links),
                         site.ontology_triples, site, origin)
    if stem in ("/shapes", "/shapes/"):
        return _resource(suffix, accept, lambda: site.shapes_html(links),
                         site.shapes_triples, site, origin)
    for prefix in ("/id/", "/vocab/"):
        if stem.startswith(prefix):
            name = stem[len(prefix):].rstrip("/")
            if not _NAME.match(name):
                return _missing(path, accept, links)
            description = site.describe(iri_of(prefix + name))
            if not description.exists:
                return _missing(path, accept, links)
            return _resource(suffix, accept, lambda d=description: site.entity_html(d, links),
                             lambda d=description: d.triples, site, origin)
    return None


def _split_suffix(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and ext in SUFFIXES and "/" not in ext:
        return stem, ext
    return path, None


def _resource(suffix: str | None, accept: str | None, html, triples, site: Site, origin: str
              ) -> Response:
    name = suffix or negotiate(accept, ("html", *GRAPH_FORMATS))
    if name == "html":
        return _html(html(), vary=suffix is None)
    return _graph(site, triples(), name, origin, vary=suffix is None)


def _graph(site: Site, triples, name: str, origin: str, vary: bool = True) -> Response:
    media = GRAPH_FORMATS[name][0]
    charset = "; charset=utf-8" if name != "rdf" else ""
    headers = {"Vary": "Accept"} if vary else {}
    return Response(200, media + charset, headers, site.serialise(triples, name, origin))


def _html(body: bytes, vary: bool = True) -> Response:
    return Response(200, HTML, {"Vary": "Accept"} if vary else {}, body)


def _missing(path: str, accept: str | None, links: Links) -> Response:
    message = f"the graph has no resource at {path} ({BASE}{path.lstrip('/')})"
    try:
        html = negotiate(accept, ("html", *GRAPH_FORMATS)) == "html"
    except NotAcceptable:
        html = False
    if html:
        return Response(404, HTML, {"Vary": "Accept"}, not_found(path, links))
    return Response(404, "text/plain; charset=utf-8", {"Vary": "Accept"}, f"{message}\n".encode())


def error_html(status: int, message: str) -> bytes:
    """The front's error page, in the same layout (and with the same search box)."""
    return error_page(status, message, Links())
