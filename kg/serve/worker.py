"""The query worker: a process that evaluates queries on the read-only store.

Each job is a plain dict and each reply is a plain dict (pickled over a pipe): status,
content type, body and headers. Every failure becomes a reply with a 4xx/5xx status and a
message; a worker never sends a traceback.

Before it opens the store a worker seals itself off the network (``sandbox.seal``) when the
server asks it to, and caps its own address space (RLIMIT_AS), so that one query cannot take
the machine's memory: past the cap the allocation fails, the worker stops, and the pool
answers 503 and starts another.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
from collections.abc import Iterable
from multiprocessing.connection import Connection

import pyoxigraph as ox

from kg.errors import StoreError
from kg.query import linked_wikidata_items, send_values
from kg.serve.formats import GRAPHS, HTML, RESULTS, NotAcceptable, choose
from kg.store.builds import open_read_only

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


#: What a worker says when a query fails in a way that could tell of a SERVICE call's fate.
FEDERATION_FAILED = ("a SERVICE call could not be answered (the endpoint is not allowed, "
                     "unreachable, or gave no valid answer)")
MEMORY = "the query needed more than the memory limit of {mb} MiB per query worker"


def worker_main(conn: Connection, database: str, relay_socket: str | None = None,
                memory_mb: int = 0) -> None:
    """Serve jobs until the pipe closes. The store is opened once, read-only.

    The engine's own last words on an abort (out of memory) would be raw lines in the server
    log; every failure reaches the log as the reply's message instead, so stderr is closed.
    """
    _quiet_stderr()
    if relay_socket is not None:
        from kg.serve.sandbox import seal, start_worker_relay

        seal()
        start_worker_relay(relay_socket)
    try:
        store = open_read_only(database)
    except StoreError as error:
        conn.send({"ready": False, "error": str(error)})
        return
    if memory_mb:
        used = _address_space()
        limit = used + (memory_mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    conn.send({"ready": True})
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run_job(store, job)
        except MemoryError:
            conn.send(failure(503, MEMORY.format(mb=memory_mb)) | {"stop": True})
            return
        except Exception as error:  # never let a job take the worker down
            reply = failure(400, f"the query could not be evaluated ({type(error).__name__}: "
                                 f"{_short(str(error))})")
        conn.send(reply)


def _quiet_stderr() -> None:
    os.environ["RUST_BACKTRACE"] = "0"
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def failure(status: int, message: str) -> dict:
    return {"status": status, "message": message}


def run_job(store: ox.Store, job: dict) -> dict:
    try:
        text = job["query"]
        if job.get("checked_by_validation"):  # kg serve serves validated builds only
            store = ox.Store()  # the answer is empty by construction (run.execute)
        if job.get("linked_items"):  # a catalog query that sends linked items to Wikidata
            text = send_values(text, (job["linked_endpoint"],), job["linked_items"],
                               _linked_items(store))
        result = store.query(
            text, base_iri=job.get("base_iri"),
            default_graph=[ox.NamedNode(g) for g in job.get("default_graph") or []] or None,
            named_graphs=[ox.NamedNode(g) for g in job.get("named_graphs") or []] or None,
        )
        kind = "graph" if isinstance(result, ox.QueryTriples) else "results"
        name = choose(kind, job.get("accept"), job.get("formats"), html=job.get("html", False))
        if name == HTML:  # the front renders the page from JSON results or N-Triples
            name = "json" if kind == "results" else "ntriples"
            reply = (_ok(RESULTS[name][0], result.serialize(format=RESULTS[name][1]))
                     if isinstance(result, ox.QueryBoolean) else
                     _solutions(result, name, job["max_rows"]) if kind == "results" else
                     _triples(result, name, job["max_triples"]))
            return reply | {"html": kind}
        if isinstance(result, ox.QueryBoolean):
            media, fmt = RESULTS[name]
            return _ok(media, result.serialize(format=fmt))
        if isinstance(result, ox.QuerySolutions):
            return _solutions(result, name, job["max_rows"])
        return _triples(result, name, job["max_triples"], job.get("jsonld_context"))
    except NotAcceptable as error:
        return failure(406, str(error))
    except SyntaxError as error:
        return failure(400, f"query syntax error: {_short(str(error))}")
    except ValueError as error:
        return failure(400, f"bad query parameter: {_short(str(error))}")
    except OSError:
        # pyoxigraph raises OSError for a SERVICE call that failed (and for store reads,
        # which do not fail on a read-only store): one message, whatever happened, so that
        # no answer tells how a connection attempt went.
        return failure(502, FEDERATION_FAILED)
    except RuntimeError as error:
        message = _short(str(error))
        if "does not contains variable" in message:
            return failure(400, message)
        return failure(400, f"the query could not be evaluated ({message})")


_LINKED: dict[int, list[str]] = {}


def _linked_items(store: ox.Store) -> list[str]:
    """The store never changes while the server runs: compute the list once per worker."""
    if id(store) not in _LINKED:
        _LINKED[id(store)] = linked_wikidata_items(store)
    return _LINKED[id(store)]


def _ok(media: str, body: bytes, headers: dict | None = None) -> dict:
    charset = "" if media.startswith("application/sparql-results+xml") else "; charset=utf-8"
    return {"status": 200, "content_type": media + charset, "body": body,
            "headers": headers or {}}


def _solutions(result: ox.QuerySolutions, name: str, max_rows: int) -> dict:
    """SPARQL JSON built row by row (stopping at the limit), other formats by Oxigraph."""
    variables = [v.value for v in result.variables]
    rows, truncated = _take(result, max_rows)
    bindings = [{v: _json_term(row[i]) for i, v in enumerate(variables) if row[i] is not None}
                for row in rows]
    document = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode()
    media, fmt = RESULTS[name]
    if name != "json":
        document = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON
                                          ).serialize(format=fmt)
    return _ok(media, document, _count_headers("Rows", len(bindings), truncated, max_rows))


def _triples(result: ox.QueryTriples, name: str, max_triples: int,
             context: tuple[dict, str] | None = None) -> dict:
    triples, truncated = _take(result, max_triples)
    media, fmt = GRAPHS[name]
    if name == "jsonld" and context is not None:  # compact, with the published @context
        from kg.publish.web.context import compact

        body = compact(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", *context)
    else:
        body = ox.serialize(triples, format=fmt) or b""
    return _ok(media, body,
               _count_headers("Triples", len(triples), truncated, max_triples))


def _take(items: Iterable, limit: int) -> tuple[list, bool]:
    """At most ``limit`` items, and whether there were more."""
    taken = list(itertools.islice(items, limit + 1))
    return taken[:limit], len(taken) > limit


def _count_headers(unit: str, count: int, truncated: bool, limit: int) -> dict[str, str]:
    headers = {f"X-Result-{unit}": str(count)}
    if truncated:
        headers["X-Result-Truncated"] = f"true; limit={limit}"
    return headers


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        if term.language:
            return {"type": "literal", "value": term.value, "xml:lang": term.language}
        if term.datatype.value in (XSD_STRING, RDF_LANG_STRING):
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": term.datatype.value}
    return {"type": "literal", "value": str(term)}  # RDF 1.2 triple terms: shown as text


def _short(text: str, limit: int = 300) -> str:
    """First line, bounded: error texts must not relay whole remote responses."""
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= limit else line[: limit - 1] + "…"
