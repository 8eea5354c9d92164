"""The Open LLM Collaboration Knowledge Graph: build, check, query and publish it.

The library is organised by pipeline stage: ``project`` (where sources live), ``parsing``
(Turtle to quads, with Oxigraph), ``validation`` (pySHACL), ``store`` (the on-disk Oxigraph
store and its atomic swap), ``build`` (the pipeline), ``catalog`` (prebuilt queries),
``query`` (running and rendering), ``export`` and ``stats``. ``cli`` is a thin click layer.
"""

__version__ = "0.1.0"

#: Persistent namespace for everything this project mints (w3id.org-style; see README).
BASE = "https://w3id.org/olckg/"
