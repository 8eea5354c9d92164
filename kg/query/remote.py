"""Queries on another store: any SPARQL 1.1 Protocol endpoint (Virtuoso, QLever, Jena, Oxigraph).

The dumps keep the ontology, the data and each openness catalogue's assessments in named
graphs of their own (``GRAPHS``); the catalog's queries read the default graph, so a query
sent to an endpoint names those graphs as its default graph with the protocol's
``default-graph-uri`` (their RDF merge, as the embedded store holds them). Answers come back
as SPARQL JSON results (or N-Triples for CONSTRUCT and DESCRIBE) and are parsed by pyoxigraph,
so every output format is the local one.
Only the standard library speaks HTTP here: ``kg query`` must start fast.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox

from kg import __version__
from kg.errors import BadQuery, QueryError

#: Where the dumps (N-Quads, TriG) and ``kg publish`` put each part of the graph.
GRAPH_BASE = "https://w3id.org/olckg/graph/"
#: The graphs a catalog query reads, merged as its default graph.
GRAPHS = tuple(GRAPH_BASE + part for part in ("ontology", "data", "osai", "mot"))
USER_AGENT = f"kg/{__version__} (Open LLM Collaboration Knowledge Graph)"
_RESULTS_ACCEPT = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
# What hides a keyword: strings, IRIs, comments (Virtuoso answers CONSTRUCT in the results
# format when asked for both, so the form decides what to ask for).
_NOT_KEYWORDS = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
                           r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_GRAPH_MEDIA = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # N-Triples' old media type (Virtuoso sends it)
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}

Result = ox.QuerySolutions | ox.QueryBoolean | list


def with_prefixes(text: str, prefixes: dict[str, str]) -> str:
    """Declare the project's prefixes the text uses but does not declare (for inline SPARQL)."""
    declared = {m.group(1) or "" for m in re.finditer(
        r"PREFIX\s+([A-Za-z][\w.-]*)?:", text, re.IGNORECASE)}
    missing = [p for p in prefixes if p not in declared and re.search(
        rf"(?<![\w<\"'#]){re.escape(p)}:", text)]
    return "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in missing) + text


def query_endpoint(url: str, text: str, graphs: tuple[str, ...] = GRAPHS,
                   timeout_s: float = 60, name: str = "(inline)") -> Result:
    """POST ``text`` to ``url`` (SPARQL 1.1 Protocol) and parse the answer.

    ``graphs`` become ``default-graph-uri`` parameters; empty means the endpoint's own default
    graph. Every failure is one sentence (a ``QueryError``), never a traceback.
    """
    match = _FORM.search(_NOT_KEYWORDS.sub(" ", text))
    query_form = match[1].upper() if match else "SELECT"
    graph_form = query_form in ("CONSTRUCT", "DESCRIBE")
    form = [("query", text)] + [("default-graph-uri", g) for g in graphs]
    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(form).encode(), method="POST",
        headers={"Accept": _GRAPH_ACCEPT if graph_form else _RESULTS_ACCEPT,
                 "User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"})
    body, media = _send(request, url, timeout_s, f"query {name}")
    if media in ("application/sparql-results+json", "application/json"):
        return _parse_results(body, url, ask=query_form == "ASK")
    rdf_format = _GRAPH_MEDIA.get(media)
    if rdf_format is None:
        raise QueryError(f"query {name}: the endpoint {url} answered in {media or 'no media type'}"
                         ", which kg cannot read (it asks for SPARQL JSON results or N-Triples)")
    try:
        return list(ox.parse(body, format=rdf_format))
    except SyntaxError as error:
        raise QueryError(f"query {name}: the endpoint {url} sent {media} that does not parse "
                         f"({_first_line(str(error))})") from None


def _send(request: urllib.request.Request, url: str, timeout_s: float, what: str
          ) -> tuple[bytes, str]:
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            media = response.headers.get_content_type()
            return response.read(), media
    except urllib.error.HTTPError as error:
        detail = _first_line(error.read(2000).decode("utf-8", "replace"))
        kind = BadQuery if error.code == 400 else QueryError  # 400: the query, asked wrongly
        raise kind(f"{what}: the endpoint {url} answered HTTP {error.code} "
                   f"{error.reason}{': ' + detail if detail else ''}") from None
    except TimeoutError:
        raise QueryError(f"{what}: the endpoint {url} did not answer within {timeout_s:g} s "
                         "(--timeout-s sets the limit)") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise QueryError(f"{what}: the endpoint {url} did not answer within "
                             f"{timeout_s:g} s (--timeout-s sets the limit)") from None
        raise QueryError(f"{what}: cannot reach the endpoint {url} ({reason})") from None
    except (OSError, ValueError) as error:
        raise QueryError(f"{what}: cannot reach the endpoint {url} ({error})") from None


def _parse_results(body: bytes, url: str, ask: bool = False
                   ) -> ox.QuerySolutions | ox.QueryBoolean:
    """SPARQL JSON results, read as the standard means them.

    Virtuoso 7.2 labels blank nodes ``nodeID://b10011``, which is not a blank node label (the
    label only has to be unique within the answer, so it is rewritten), and answers ASK with a
    one-row table of ``__ASK_RETVAL`` 1 or 0 instead of a boolean.
    """
    try:
        data = json.loads(body)
        if ask and "boolean" not in data and data.get("head", {}).get("vars") == ["__ASK_RETVAL"]:
            rows = data.get("results", {}).get("bindings", [])
            value = rows[0]["__ASK_RETVAL"]["value"] if rows else "0"
            data = {"head": {}, "boolean": value not in ("0", "false")}
        for row in data.get("results", {}).get("bindings", []):
            for term in row.values():
                if term.get("type") == "bnode":
                    term["value"] = "b" + re.sub(r"[^A-Za-z0-9]", "", term["value"])
        return ox.parse_query_results(json.dumps(data).encode(),
                                      format=ox.QueryResultsFormat.JSON)
    except (ValueError, SyntaxError, AttributeError) as error:
        raise QueryError(f"the endpoint {url} sent SPARQL JSON results that do not parse "
                         f"({_first_line(str(error))})") from None


def _first_line(text: str, limit: int = 200) -> str:
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
