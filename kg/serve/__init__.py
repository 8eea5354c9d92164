"""`kg serve`: a read-only SPARQL endpoint and web UI over the built store.

The HTTP front (``front.py``: uvicorn on h11) hands each request to the ASGI app
(``app.py``), which checks it (read-only, the SERVICE allow-list, size and nesting limits)
before a pool of worker processes (``pool.py``, ``worker.py``) evaluates it with pyoxigraph
on the read-only store. Workers are processes so that a query over the time or memory limit
can be stopped (killed and replaced), and each is sealed off the network (``sandbox.py``)
but for a relay to the allow-listed SERVICE endpoints.
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "serve": "run",
    "Settings": "settings",
    "WIKIDATA": "settings",
})
