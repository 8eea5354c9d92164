"""An OpenAPI 3 description of the catalog as `kg serve` offers it (``/queries/NAME``).

grlc turns a folder of ``.rq`` files into a web API and describes it with OpenAPI; `kg serve`
answers the same queries at ``/queries/NAME`` (``.json``, ``.csv``, … or by ``Accept``), with
each parameter a URL query parameter. This writes that description, so API tools (Swagger UI,
client generators) can use the catalog without grlc.
"""

from __future__ import annotations

from kg import __version__
from kg.query.catalog import PAGE, Parameter, StoredQuery

_MEDIA = {
    "application/sparql-results+json": "SPARQL 1.1 Query Results JSON",
    "application/sparql-results+xml": "SPARQL 1.1 Query Results XML",
    "text/csv": "SPARQL 1.1 Query Results CSV",
    "text/tab-separated-values": "SPARQL 1.1 Query Results TSV",
    "text/html": "an HTML table",
}


def openapi_document(queries: list[StoredQuery], server: str = "http://127.0.0.1:7878") -> dict:
    """The OpenAPI 3.0 document: one GET operation per query, tagged as the query is."""
    paths = {}
    for query in queries:
        operation = {
            "operationId": query.name.replace("-", "_"),
            "summary": query.summary,
            "tags": list(query.tags),
            "parameters": [_parameter(p) for p in query.parameters] + (
                [_page_parameter(query.page_size)] if query.page_size else []),
            "responses": {
                "200": {"description": "The answer.",
                        "content": {media: {"schema": {"type": "string", "description": what}}
                                    for media, what in _MEDIA.items()}},
                "400": {"description": "A missing or invalid parameter (one sentence)."},
                "503": {"description": "The query ran longer than the server's time limit."},
            },
        }
        if query.description:
            operation["description"] = query.description
        paths[f"/queries/{query.name}"] = {"get": operation}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Open LLM Collaboration Knowledge Graph: query catalog",
            "version": __version__,
            "description": "The prebuilt SPARQL queries of the graph, as `kg serve` answers "
                           "them. The same .rq files work with grlc.",
            "license": {"name": "CC BY 4.0 (data), Apache-2.0 (code)"},
        },
        "servers": [{"url": server.rstrip("/")}],
        "paths": paths,
    }


def _page_parameter(size: int) -> dict:
    """grlc's ``page`` of a paged query; the response's Link header names the next page."""
    return {"name": PAGE, "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "default": 1},
            "description": f"the page of the answer, {size} rows a page (a Link header with "
                           'rel="next" names the next one while more rows follow)'}


def _parameter(parameter: Parameter) -> dict:
    schema: dict = {"type": "string"}
    if parameter.kind == "iri":
        schema["format"] = "iri"
    elif parameter.kind == "number":
        schema = {"type": "number"}
    if parameter.allowed:
        schema["enum"] = list(parameter.allowed)
    if parameter.default is not None:
        schema["default"] = parameter.default
    kind = {"lang": f"text in language {parameter.detail}",
            "datatype": f"a {parameter.detail} literal", "iri": "an IRI",
            "number": "a number"}.get(parameter.kind, "text")
    return {"name": parameter.name, "in": "query", "schema": schema,
            "required": parameter.required and parameter.default is None,
            "description": f"{kind} (the query's ?{parameter.variable})"}
