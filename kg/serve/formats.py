"""Content negotiation: which serialisation a client gets, from Accept or a format parameter.

``Accept`` is read by python-mimeparse (q-values, wildcards, ``q=0`` as "not this one");
a header it cannot parse counts as ``*/*``, as HTTP lets a server ignore a bad Accept.
"""

from __future__ import annotations

import mimeparse
import pyoxigraph as ox

#: name -> (media type, Oxigraph format), for SELECT and ASK answers.
RESULTS = {
    "json": ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    "xml": ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    "csv": ("text/csv", ox.QueryResultsFormat.CSV),
    "tsv": ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
}
#: name -> (media type, Oxigraph format), for CONSTRUCT and DESCRIBE answers.
GRAPHS = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}
DEFAULT = {"results": "json", "graph": "turtle"}
#: Other names clients send for the same formats, per kind of answer (SPARQLWrapper sends
#: format=xml or json for graphs too, and rdf+xml, json-ld, tsv).
ALIASES = {
    "results": {"application/json": "json", "text/xml": "xml", "application/xml": "xml",
                "text/tsv": "tsv", "srj": "json", "srx": "xml"},
    "graph": {"text/plain": "ntriples", "application/x-turtle": "turtle", "ttl": "turtle",
              "nt": "ntriples", "n-triples": "ntriples", "json-ld": "jsonld", "rdf": "rdfxml",
              "rdf/xml": "rdfxml", "rdf+xml": "rdfxml", "xml": "rdfxml",
              "application/xml": "rdfxml", "text/xml": "rdfxml", "json": "jsonld",
              "application/json": "jsonld", "application/x-json+ld": "jsonld"},
}
HTML = "html"


class NotAcceptable(Exception):
    """No format the client accepts can carry this kind of answer."""


def best(accept: str | None, offered: list[str]) -> str:
    """The offered media type ``accept`` prefers ('' if none); ties go to the last offered."""
    header = (accept or "").strip() or "*/*"
    try:
        return mimeparse.best_match(offered, header)
    except (mimeparse.MimeTypeParseException, ValueError, IndexError):
        return mimeparse.best_match(offered, "*/*")


def format_name(kind: str, value: str) -> str | None:
    """The format a ``format=`` value names for an answer of ``kind``, or None."""
    table = RESULTS if kind == "results" else GRAPHS
    for part in value.split(","):  # SPARQLWrapper sends "application/ld+json,application/…"
        name = part.split(";")[0].strip().lower()
        name = ALIASES[kind].get(name, name)
        for key, (media, _) in table.items():
            if name in (key, media):
                return key
    return None


def choose(kind: str, accept: str | None, formats: list[str] | None = None,
           html: int = 0) -> str:
    """The format name for an answer of ``kind`` ("results" or "graph").

    ``formats`` are the request's ``format`` values (repeats must agree); ``html`` 1 offers
    an HTML page too (for browsers), 2 prefers it when the client has no preference.
    """
    table = RESULTS if kind == "results" else GRAPHS
    values = [v for v in formats or [] if v.strip()]
    if values:
        names = {format_name(kind, v) for v in values}
        if None in names:
            bad = next(v for v in values if format_name(kind, v) is None)
            raise NotAcceptable(f"format={bad} cannot carry this answer; "
                                f"use one of {', '.join(table)}")
        if len(names) > 1:
            raise NotAcceptable(f"the format values ({', '.join(values)}) disagree; give one")
        return names.pop()
    by_media = {media: key for media, key in ALIASES[kind].items() if "/" in media}
    by_media.update({media: key for key, (media, _) in table.items()})
    default = table[DEFAULT[kind]][0]
    # Ties go to the last offered: HTML last of all when preferred, else first (a data
    # format wins */*); then the default; then the formats in the order of the table.
    canonical = [media for media, _ in reversed(list(table.values())) if media != default]
    aliases = [media for media in by_media if media not in canonical and media != default]
    offered = (["text/html"] if html == 1 else []) + aliases + canonical + [default]
    if html == 2:
        offered.append("text/html")
    chosen = best(accept, offered)
    if chosen == "text/html":
        return HTML
    if chosen:
        return by_media[chosen]
    media_list = ", ".join(media for media, _ in table.values())
    raise NotAcceptable(f"none of the accepted types ({accept}) can carry this answer; "
                        f"this endpoint offers {media_list}")
