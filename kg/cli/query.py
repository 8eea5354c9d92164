"""`kg query`, `kg queries`, `kg stats`: questions asked of the store, and what it holds."""

from __future__ import annotations

import json

import click

from kg.cli.common import Env, wikidata_map, with_env, write_output


@click.command()
@click.argument("query", required=False, metavar="[NAME|FILE|-]")
@click.option("-e", "--expression", metavar="SPARQL", help="Run this SPARQL text instead.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable): the variable is replaced by the value "
                   "as an RDF term (an IRI, or a literal with its escapes), never pasted.")
@click.option("-f", "--format", "fmt", metavar="FORMAT",
              type=click.Choice(["table", "csv", "tsv", "json", "xml",
                                 "turtle", "ntriples", "jsonld", "rdfxml"]),
              help="SELECT/ASK: table (default), csv, tsv, json, xml. "
                   "CONSTRUCT/DESCRIBE: turtle (default), ntriples, jsonld, rdfxml.")
@click.option("-o", "--output", metavar="FILE", help="Write the answer to FILE.")
@click.option("--wide", is_flag=True,
              help="Table: one line per row, values whole, even on a terminal.")
@click.option("--width", type=click.IntRange(min=20), metavar="N",
              help="Table: wrap long values to fit N columns (default: the terminal's width "
                   "on a terminal; in a pipe or file, values are never wrapped).")
@click.option("--page", type=click.IntRange(min=1), metavar="N",
              help="A paged query (its #+ pagination header): answer page N (default 1).")
@click.option("--all", "all_rows", is_flag=True,
              help="A paged query: answer every row, not one page.")
@click.option("--wikidata-endpoint", metavar="URL", envvar="KG_WIKIDATA_ENDPOINT",
              help="Send SERVICE calls to Wikidata's query service to this endpoint instead "
                   "(a mirror or a local copy) [env KG_WIKIDATA_ENDPOINT].")
@click.option("--endpoint", metavar="URL", envvar="KG_ENDPOINT",
              help="Ask this SPARQL 1.1 endpoint instead of the local store [env KG_ENDPOINT].")
@click.option("--graph", "graphs", multiple=True, metavar="IRI",
              help="With --endpoint: a graph to read as the default graph (repeatable; "
                   "default: the dumps' ontology and data graphs; 'none': the endpoint's own).")
@click.option("--timeout-s", type=click.FloatRange(min=0, min_open=True), default=60,
              show_default=True, help="With --endpoint: how long to wait for the answer.")
@with_env
def query(env: Env, query: str | None, expression: str | None, params: tuple[str, ...],
          fmt: str | None, output: str | None, wide: bool, width: int | None,
          page: int | None, all_rows: bool, wikidata_endpoint: str | None,
          endpoint: str | None, graphs: tuple[str, ...], timeout_s: float) -> None:
    """Run a prebuilt query (by NAME), a query FILE, inline SPARQL (-e) or stdin (-).

    The table shows compact names, and a column ?x with a ?xLabel column shows the label;
    csv, tsv, json and xml are the standard SPARQL results formats with full IRIs.
    A query whose answer grows with the graph comes a page at a time (#+ pagination):
    page 1 unless --page N or --all; stderr says when a next page follows.
    Exit 0 on success, 1 when the query fails while it runs, 2 when it is asked for wrongly
    (unknown name or parameter, syntax error, a format that does not fit the answer).
    """
    from kg.cli.asking import Request, UsageProblem, answer_locally

    request = Request(query, expression, params, fmt, output, wide, width, page, all_rows)
    try:
        if endpoint:
            return _remote(env, request, endpoint, graphs, timeout_s)
        request.endpoints = wikidata_map(wikidata_endpoint)
        answer_locally(env.store, env.project, env.live_build(), request)
    except UsageProblem as problem:  # shown as click shows its own usage errors
        if problem.param:
            raise click.BadParameter(problem.message, param_hint=problem.param) from None
        raise click.UsageError(problem.message) from None


def _remote(env: Env, request, endpoint: str, graphs: tuple[str, ...],
            timeout_s: float) -> None:
    """The same query, parameters bound the same way, asked of another store."""
    from kg.cli.asking import page_note, prepare, write_output
    from kg.query import (
        GRAPHS,
        bind,
        page_text,
        query_endpoint,
        render,
        substitute,
        take_page,
        with_prefixes,
    )
    from kg.terms import Compactor

    stored, page, values, width = prepare(env.project, env.store, request)
    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter(f"{endpoint!r} is not an http(s) URL", param_hint="--endpoint")
    build = env.store.current()  # prefixes of the last build, if any; nothing is built
    compactor = env.compactor(build) if build else Compactor({})
    text = substitute(stored.text, bind(stored, values, compactor.prefixes))
    if page is not None:
        text = page_text(text, stored.page_size, page)
    text = with_prefixes(text, compactor.prefixes)
    chosen = () if graphs == ("none",) else (graphs or GRAPHS)
    result = query_endpoint(endpoint, text, chosen, timeout_s, stored.name)
    more = False
    if page is not None:
        result, more = take_page(result, stored.page_size)
    write_output(render(result, request.fmt, compactor, stored, width), request.output)
    page_note(stored, page, more)


@click.command()
@click.argument("name", required=False)
@click.option("--markdown", is_flag=True,
              help="Write the whole catalog as Markdown, with each query's current answer.")
@click.option("--openapi", "as_openapi", is_flag=True,
              help="Write an OpenAPI 3 description of the catalog as `kg serve` answers it.")
@click.option("--server", metavar="URL", default="http://127.0.0.1:7878", show_default=True,
              help="With --openapi: the server the description names.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@with_env
def queries(env: Env, name: str | None, markdown: bool, as_openapi: bool, server: str,
            output: str | None) -> None:
    """List the prebuilt queries, or print the text of query NAME.

    With --markdown, write the catalog as documentation (docs/queries.md is made this way):
    each question, its parameters, its SPARQL and its current answer. With --openapi, an
    OpenAPI 3 description of /queries/NAME on `kg serve`, as grlc makes one. Exit 0, or 1 for an
    unknown name or a broken query header.
    """
    from kg.query import Catalog

    catalog = Catalog(env.project.queries_dir)
    if as_openapi:
        from kg.query import openapi_document

        document = openapi_document(catalog.all(), server)
        write_output((json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode(), output)
        return
    if markdown:
        from kg.publish import queries_markdown

        build = env.live_build()
        text = queries_markdown(catalog.all(), build.open(), env.compactor(build))
        write_output(text.encode(), output)
        return
    if name:
        write_output(catalog.get(name).text.encode(), output)
        return
    entries = catalog.all()
    width = max((len(q.name) for q in entries), default=0)
    lines = []
    for entry in entries:
        tags = f" [{', '.join(entry.tags)}]" if entry.tags else ""
        params = ""
        if entry.parameters:
            params = " (params: " + ", ".join(p.name for p in entry.parameters) + ")"
        if entry.page_size:
            params += f" ({entry.page_size} rows a page)"
        lines.append(f"{entry.name.ljust(width)}  {entry.summary}{tags}{params}")
    write_output(("\n".join(lines) + "\n").encode(), output)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--markdown", is_flag=True,
              help="Write the coverage tables as Markdown (docs/coverage.md is made this way).")
@click.option("-o", "--output", metavar="FILE", help="With --markdown: write to FILE.")
@with_env
def stats(env: Env, fmt: str, markdown: bool, output: str | None) -> None:
    """Count triples, instances per class and uses per property, and show coverage.

    Coverage lists, for every project and for releases, datasets, organisations and papers,
    which expected facts are filled, which the sources do not give (recorded as olc:unknown)
    and which are missing. Exit 0, or 1 when the store cannot be read.
    """
    from kg.link import entities, linking_report
    from kg.query import EXPECTED, class_coverage, project_coverage
    from kg.store import collect

    build = env.live_build()
    store = build.open()
    coverage = project_coverage(store)
    classes = class_coverage(store)
    if markdown:
        from kg.publish import coverage_markdown

        write_output(coverage_markdown(classes, coverage, EXPECTED).encode(), output)
        return
    result = collect(store)
    links = linking_report(entities(store))
    if fmt == "json":
        payload = result.to_json()
        payload["coverage"] = [{"project": c.project, "label": c.label, "states": c.states}
                               for c in coverage]
        payload["class_coverage"] = [
            {"class": c.name, "instances": c.instances,
             "properties": [{"property": p.name, "filled": p.filled, "unknown": p.unknown,
                             "missing": p.missing} for p in c.properties]}
            for c in classes]
        payload["wikidata_links"] = [{"kind": r.kind, "entities": r.entities,
                                      "linked": r.linked, "no_item": r.no_item,
                                      "unchecked": r.unchecked} for r in links]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    compactor = env.compactor(build)
    click.echo(f"triples: {result.triples}")
    for title, rows in (("classes", result.classes), ("properties", result.properties)):
        click.echo(f"\n{title} ({len(rows)}):")
        width = max((len(compactor.iri(iri)) for iri, _ in rows), default=0)
        for iri, count in rows:
            click.echo(f"  {compactor.iri(iri).ljust(width)}  {count:>6}")
    click.echo(f"\nproject coverage ({len(EXPECTED)} expected facts; "
               "+ filled, ? unknown in the sources, - missing):")
    marks = {"filled": "+", "unknown": "?", "missing": "-"}
    width = max((len(c.label) for c in coverage), default=0)
    for index, expectation in enumerate(EXPECTED, 1):
        click.echo(f"  {' ' * width}  {index:>2} = {expectation.name}")
    header = " ".join(f"{i:>2}" for i in range(1, len(EXPECTED) + 1))
    click.echo(f"  {'project'.ljust(width)}  {header}  filled")
    for entry in coverage:
        cells = " ".join(f"{marks[entry.states[e.name]]:>2}" for e in EXPECTED)
        click.echo(f"  {entry.label.ljust(width)}  {cells}  {entry.filled:>3}/{len(EXPECTED)}")
    click.echo("\nclass coverage (instances with each expected fact filled, unknown in the "
               "sources, missing):")
    width = max((len(p.name) for c in classes for p in c.properties), default=0) + 2
    for entry in classes:
        click.echo(f"  {f'{entry.name} ({entry.instances})'.ljust(width + 2)}"
                   f"{'filled':>7} {'unknown':>8} {'missing':>8}")
        for p in entry.properties:
            click.echo(f"    {p.name.ljust(width)}{p.filled:>7} {p.unknown:>8} {p.missing:>8}")
    total = sum(r.entities for r in links)
    linked = sum(r.linked for r in links)
    click.echo(f"\nwikidata links: {linked} of {total} linkable entities linked "
               f"({100 * linked / max(total, 1):.0f}%), {sum(r.no_item for r in links)} with no "
               f"item, {sum(r.unchecked for r in links)} unchecked (`kg link wikidata` proposes "
               "candidates):")
    width = max((len(r.kind) for r in links), default=0)
    for r in links:
        click.echo(f"  {r.kind.ljust(width)}  {r.linked:>3} of {r.entities:<3} linked "
                   f"({100 * r.linked / r.entities:>3.0f}%)  {r.no_item:>3} no item  "
                   f"{r.unchecked:>3} unchecked")
