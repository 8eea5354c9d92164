"""`kg serve`: a read-only SPARQL endpoint and web UI over the built store.

The HTTP front (``http.py``, the standard library's threading HTTP server) checks every
request (read-only, the SERVICE allow-list of ``kg.federation``, size limits) before a pool
of worker processes (``pool.py``, ``worker.py``) evaluates it with pyoxigraph on the
read-only store. Workers are processes so that a query over the time limit can be stopped:
it is killed and replaced.
"""
