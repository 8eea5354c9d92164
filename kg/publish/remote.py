"""`kg publish`: the build's graphs written to another store with the SPARQL 1.1 Graph Store
HTTP Protocol, one ``PUT`` per graph (which replaces it), then counted back.

The graphs are the dumps' layout (``https://w3id.org/olckg/graph/PART``), so a store written
this way answers the catalog exactly as one loaded from the N-Quads dump. Each graph is sent
as N-Triples (which every Turtle parser reads, so it goes as ``text/turtle``, the one type
every Graph Store implementation accepts) and read back with ``GET`` to count its triples.
Credentials come from the environment only, never from the command line, where other users
of the machine could read them.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import KgError
from kg.query.remote import GRAPH_BASE, USER_AGENT

USER_ENV, PASSWORD_ENV = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
_READ_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


class PublishError(KgError):
    exit_code = 1


@dataclass(frozen=True)
class Graph:
    """One part of the build as the graph it is published in."""

    name: str
    body: bytes  # N-Triples, each statement once
    triples: int

    @property
    def iri(self) -> str:
        return GRAPH_BASE + self.name


def graphs_of(lines_by_part: dict[str, list[bytes]]) -> list[Graph]:
    """The parts' N-Triples lines (as ``kg.publish.export.DumpSources`` holds them) as graphs."""
    graphs = []
    for part, lines in lines_by_part.items():
        unique = sorted(set(lines))
        graphs.append(Graph(part, b"".join(unique), len(unique)))
    return graphs


def publish(endpoint: str, graphs: list[Graph], timeout_s: float = 120,
            report: Callable[[str], None] = print) -> None:
    """PUT each graph, then GET it back and check its triple count; raise on any difference."""
    opener = _opener(endpoint)
    for graph in graphs:
        url = _graph_url(endpoint, graph.iri)
        put = urllib.request.Request(
            url, data=graph.body, method="PUT",
            headers={"Content-Type": "text/turtle; charset=utf-8", "User-Agent": USER_AGENT})
        _authorise(put, timeout_s)
        _call(opener, put, timeout_s, f"writing <{graph.iri}>")
        remote = count(opener, url, graph.iri, timeout_s)
        if remote != graph.triples:
            raise PublishError(f"the endpoint {endpoint} holds {remote} triples in <{graph.iri}> "
                               f"after the PUT, not the {graph.triples} sent")
        report(f"<{graph.iri}>: {graph.triples} triples written, {remote} counted back")


def count(opener: urllib.request.OpenerDirector, url: str, iri: str, timeout_s: float) -> int:
    body, media = _call(opener, urllib.request.Request(url, headers={
        "Accept": "application/n-triples, text/turtle;q=0.9", "User-Agent": USER_AGENT}),
        timeout_s, f"reading <{iri}> back")
    rdf_format = _READ_TYPES.get(media)
    if rdf_format is None:
        raise PublishError(f"reading <{iri}> back: the endpoint answered in {media}, which kg "
                           "cannot count")
    try:
        return len(set(ox.parse(body, format=rdf_format)))
    except SyntaxError as error:
        raise PublishError(f"reading <{iri}> back: the answer does not parse ({error})") from None


def _graph_url(endpoint: str, iri: str) -> str:
    separator = "&" if urllib.parse.urlsplit(endpoint).query else "?"
    return f"{endpoint}{separator}{urllib.parse.urlencode({'graph': iri})}"


def _opener(endpoint: str) -> urllib.request.OpenerDirector:
    """Basic or Digest authentication, as the server asks, with credentials from the env."""
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV)
    if not user:
        return urllib.request.build_opener()
    passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    passwords.add_password(None, endpoint, user, password or "")
    return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                       urllib.request.HTTPBasicAuthHandler(passwords))


def _authorise(request: urllib.request.Request, timeout_s: float) -> None:
    """Give a PUT its credentials up front, as the server's challenge asks.

    urllib answers a 401 by sending the request again with credentials, but a server that
    refuses a large body before reading it (Virtuoso's Digest-protected Graph Store) has
    closed the connection by then. So a body-less request fetches the challenge first, and
    urllib's own handlers compute the answer to it.
    """
    user, password = os.environ.get(USER_ENV), os.environ.get(PASSWORD_ENV) or ""
    if not user:
        return
    probe = urllib.request.Request(request.full_url, method="HEAD",
                                   headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.build_opener().open(probe, timeout=timeout_s):
            return  # no credentials asked for
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.code == 401 else ""
    except (OSError, ValueError):
        return  # the PUT itself will say what is wrong
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() == "digest":
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, request.full_url, user, password)
        handler = urllib.request.HTTPDigestAuthHandler(passwords)
        chal = urllib.request.parse_keqv_list(
            filter(None, urllib.request.parse_http_list(rest)))
        answer = handler.get_authorization(request, chal)
        if answer:
            request.add_unredirected_header("Authorization", f"Digest {answer}")
    elif scheme.lower() == "basic":
        import base64

        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        request.add_unredirected_header("Authorization", f"Basic {token}")


def _call(opener: urllib.request.OpenerDirector, request: urllib.request.Request,
          timeout_s: float, what: str) -> tuple[bytes, str]:
    endpoint = request.full_url.split("?", 1)[0]
    try:
        with opener.open(request, timeout=timeout_s) as response:
            return response.read(), response.headers.get_content_type()
    except urllib.error.HTTPError as error:
        hint = (f" (set {USER_ENV} and {PASSWORD_ENV})" if error.code in (401, 403)
                and not os.environ.get(USER_ENV) else "")
        raise PublishError(f"{what}: the endpoint {endpoint} answered HTTP {error.code} "
                           f"{error.reason}{hint}") from None
    except TimeoutError:
        raise PublishError(f"{what}: the endpoint {endpoint} did not answer within "
                           f"{timeout_s:g} s") from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise PublishError(f"{what}: the endpoint {endpoint} did not answer within "
                               f"{timeout_s:g} s") from None
        raise PublishError(f"{what}: cannot reach the endpoint {endpoint} "
                           f"({error.reason})") from None
    except (OSError, ValueError) as error:
        raise PublishError(f"{what}: cannot reach the endpoint {endpoint} ({error})") from None
