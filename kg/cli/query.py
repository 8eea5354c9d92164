"""`kg query`, `kg queries`, `kg stats`: questions asked of the store, and what it holds."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import click

from kg.cli.common import CliError, Env, wikidata_map, with_env, write_output


@click.command()
@click.argument("query", required=False, metavar="[NAME|FILE|-]")
@click.option("-e", "--expression", metavar="SPARQL", help="Run this SPARQL text instead.")
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a query parameter (repeatable). Bound by the engine, never pasted.")
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
@click.option("--wikidata-endpoint", metavar="URL", envvar="KG_WIKIDATA_ENDPOINT",
              help="Send SERVICE calls to Wikidata's query service to this endpoint instead "
                   "(a mirror or a local copy) [env KG_WIKIDATA_ENDPOINT].")
@with_env
def query(env: Env, query: str | None, expression: str | None, params: tuple[str, ...],
          fmt: str | None, output: str | None, wide: bool, width: int | None,
          wikidata_endpoint: str | None) -> None:
    """Run a prebuilt query (by NAME), a query FILE, inline SPARQL (-e) or stdin (-).

    The table shows compact names, and a column ?x with a ?xLabel column shows the label;
    csv, tsv, json and xml are the standard SPARQL results formats with full IRIs.
    Exit 0 on success, 1 when the query fails while it runs, 2 when it is asked for wrongly
    (unknown name or parameter, syntax error, a format that does not fit the answer).
    """
    from kg.query import execute, render

    stored = _pick_query(env, query, expression)
    values = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--param")
        values[name.strip()] = value
    build = env.live_build()
    compactor = env.compactor(build)
    store = build.open()
    endpoints = wikidata_map(wikidata_endpoint)
    result = execute(store, stored, values, compactor.prefixes, endpoints)
    _warn_undefined(store, stored.text, compactor)
    if wide:
        width = None
    elif width is None and (output is None or output == "-") and sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    write_output(render(result, fmt, compactor, stored, width), output)


def _warn_undefined(store, text: str, compactor) -> None:
    """A misspelt class or property answers nothing, silently: name it, once, on stderr."""
    from kg import BASE
    from kg.query import undefined_terms

    for iri in undefined_terms(store, text, compactor.prefixes, BASE):
        click.echo(f"warning: {compactor.term(ox_named(iri))} is not in the graph (no "
                   "statement names it), so nothing can match it; check its spelling in "
                   "ontology/ (kg stats lists the classes and properties in use)", err=True)


def ox_named(iri: str):
    import pyoxigraph as ox

    return ox.NamedNode(iri)


def _pick_query(env: Env, query: str | None, expression: str | None):
    from kg.query import Catalog, load_query_file, parse_query

    if expression is not None:
        if query:
            raise click.UsageError("give a query NAME/FILE or -e SPARQL, not both")
        return parse_query(expression, "(inline)")
    if query is None:
        raise click.UsageError("which query? Give a NAME (see `kg queries`), a FILE, "
                               "-e SPARQL, or - for stdin")
    if query == "-":
        return parse_query(sys.stdin.read(), "(stdin)")
    path = Path(query)
    if path.suffix in (".rq", ".sparql") or path.is_file():
        if not path.is_file():
            raise CliError(f"no such query file: {query}", 2)
        return load_query_file(path)
    return Catalog(env.project.queries_dir).get(query)


@click.command()
@click.argument("name", required=False)
@click.option("--markdown", is_flag=True,
              help="Write the whole catalog as Markdown, with each query's current answer.")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@with_env
def queries(env: Env, name: str | None, markdown: bool, output: str | None) -> None:
    """List the prebuilt queries, or print the text of query NAME.

    With --markdown, write the catalog as documentation (docs/queries.md is made this way):
    each question, its parameters, its SPARQL and its current answer. Exit 0, or 1 for an
    unknown name or a broken query header.
    """
    from kg.query import Catalog

    catalog = Catalog(env.project.queries_dir)
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
        lines.append(f"{entry.name.ljust(width)}  {entry.summary}{tags}{params}")
    write_output(("\n".join(lines) + "\n").encode(), output)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@with_env
def stats(env: Env, fmt: str) -> None:
    """Count triples, instances per class and uses per property, and show per-project coverage.

    Coverage lists, for every project, which expected facts are filled, which the sources do
    not give (recorded as olc:unknown) and which are missing. Exit 0, or 1 when the store
    cannot be read.
    """
    from kg.link import entities, linking_report
    from kg.query import EXPECTED, project_coverage
    from kg.store import collect

    build = env.live_build()
    store = build.open()
    result = collect(store)
    coverage = project_coverage(store)
    links = linking_report(entities(store))
    if fmt == "json":
        payload = result.to_json()
        payload["coverage"] = [{"project": c.project, "label": c.label, "states": c.states}
                               for c in coverage]
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
