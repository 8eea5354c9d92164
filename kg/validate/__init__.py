"""Validate: the parsed graph checked against the SHACL shapes, reported for curators.

Takes parsed sources and shapes (``kg.sources``); gives a ``ValidationReport`` of results in a
curator's words (file, focus node, path, value, message) and its text, JSON and Turtle forms.
``validate`` is the one entry point: Oxigraph runs the SHACL Core constraints
(``core_sparql``) and the SPARQL-based ones (``sparql_constraints``), each once for all focus
nodes. Shapes those do not cover (or ``KG_VALIDATOR=pyshacl``) go to pySHACL (with its fast
paths, ``pyshacl_run``), with large graphs checked in parts in parallel processes with a
per-part cache (``partitions``, ``parts``). rdflib holds the shapes and the report, and the
data only where pySHACL needs it (``rdflib_bridge``).
"""

import logging

from kg import lazy_exports


class _NoLexicalFormTracebacks(logging.Filter):
    """rdflib logs a traceback for every ill-typed literal (``"2023-13-45"^^xsd:date``) it
    turns into a term; the shapes report those literals to the curator in plain words, so
    the traceback is noise, and the house rule is no tracebacks for bad input."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal lexical form")


logging.getLogger("rdflib.term").addFilter(_NoLexicalFormTracebacks())

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "validate": "core",
    "ValidationReport": "report",
    "ValidationResult": "report",
    "format_text": "report",
    "format_json": "report",
    "format_turtle": "report",
    "summary": "report",
    "to_rdflib": "rdflib_bridge",
})
