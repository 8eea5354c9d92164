"""Link: the graph's entities joined with Wikidata.

Takes the store and Wikidata's SPARQL endpoint (a polite client, ``WikidataClient``); gives
candidate items for unlinked entities ranked for a curator (``run_candidates``), checks of
existing links (``run_check``), and accepted links written back into the sources with their
evidence, validated, or rolled back (``run_writes``).
"""

from kg import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(globals(), {
    "WikidataClient": "wikidata",
    "EndpointError": "wikidata",
    "KINDS": "candidates",
    "entities": "candidates",
    "linking_report": "candidates",
    "run_candidates": "reconcile",
    "run_check": "reconcile",
    "run_writes": "reconcile",
})
