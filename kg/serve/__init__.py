"""`kg serve`: a read-only SPARQL endpoint and web UI over the built store.

The HTTP front (``http.py``, the standard library's threading HTTP server) checks every
request (read-only, the SERVICE allow-list of ``kg.query.federation``, size limits) before a pool
of worker processes (``pool.py``, ``worker.py``) evaluates it with pyoxigraph on the
read-only store. Workers are processes so that a query over the time limit can be stopped:
it is killed and replaced.
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "serve": "run",
    "Settings": "settings",
    "WIKIDATA": "settings",
})
