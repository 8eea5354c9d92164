"""Query: the prebuilt catalog, running queries on a store, and rendering their answers.

Takes a store and ``queries/`` (``.rq`` files with grlc-style ``#+`` decorators); gives the
``Catalog`` of ``StoredQuery``s with their parameters typed as RDF terms (``bind``) and put
into the text (``substitute``), answers (``execute``) rendered as tables, CSV, JSON,
Markdown (``render``), the SERVICE targets a query would call, checked against an
allow-list and retargeted (``federation``), and the per-project coverage of expected facts
(``coverage``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "Catalog": "catalog",
    "HeaderCache": "catalog",
    "StoredQuery": "catalog",
    "bind": "catalog",
    "substitute": "catalog",
    "page_text": "catalog",
    "PAGE": "catalog",
    "load_query_file": "catalog",
    "parse_query": "catalog",
    "Answer": "run",
    "execute": "run",
    "take_page": "run",
    "render": "run",
    "readable": "run",
    "materialise": "run",
    "render_markdown": "run",
    "undefined_terms": "run",
    "linked_wikidata_items": "run",
    "Refused": "federation",
    "check_federation": "federation",
    "is_federated": "federation",
    "retarget": "federation",
    "send_values": "federation",
    "service_targets": "federation",
    "nesting_depth": "federation",
    "WDQS": "federation",
    "ENTITY": "federation",
    "openapi_document": "openapi",
    "GRAPHS": "remote",
    "query_endpoint": "remote",
    "with_prefixes": "remote",
    "EXPECTED": "coverage",
    "project_coverage": "coverage",
    "CLASS_EXPECTED": "coverage",
    "class_coverage": "coverage",
})
