"""`kg export`, `kg release`, `kg docs`: the graph as dumps, releases and pages."""

from __future__ import annotations

import os
from pathlib import Path

import click

from kg import __version__
from kg.cli.common import CliError, Env, copy_output, with_env, write_output


@click.command()
@click.option("-f", "--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
              help="RDF format. nquads, trig and jsonld keep each part in its named graph; "
                   "turtle, ntriples and rdfxml cannot carry named graphs and merge the parts.")
@click.option("--part", default="all", show_default=True,
              type=click.Choice(["all", "ontology", "data", "shapes", "osai", "mot"]),
              help="What to dump: the ontology (with its vocabularies), the data, the SHACL "
                   "shapes, the assessments imported from the European Open Source AI Index "
                   "(osai) or the Model Openness Tool (mot), or all of them.")
@click.option("--canonical", is_flag=True,
              help="ntriples/nquads only: RDFC-1.0 canonical form (canonical blank node "
                   "labels, lines in code point order, no header).")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of stdout.")
@with_env
def export(env: Env, fmt: str, part: str, canonical: bool, output: str | None) -> None:
    """Write the graph as a deterministic dump: same sources, same bytes.

    Blank nodes get canonical labels (RDFC-1.0) and statements are sorted. Formats with
    named graphs keep the ontology, data and shapes in graphs of their own
    (https://w3id.org/olckg/graph/PART); the others merge them into one graph, and their
    header comment says so. Only validated sources are dumped. Exit 0, 1 when the sources do
    not build, 2 for usage errors.
    """
    if canonical and fmt not in ("ntriples", "nquads"):
        raise click.UsageError("--canonical is for --format ntriples or nquads")
    build = env.published_build("a dump")
    cached = build.path / "dumps" / f"{part}.{fmt}{'.canonical' if canonical else ''}"
    if cached.is_file():  # a build never changes, so neither do its dumps
        copy_output(cached, output)
        return
    from kg.progress import progress  # not before: a kept dump needs neither
    from kg.publish import FORMATS, PARTS, DumpSources, dump

    parts = PARTS if part == "all" else (part,)
    if fmt in ("ntriples", "nquads") and not canonical:  # streamed: memory stays bounded
        from kg.publish import write_dump

        target = _writable_beside(cached)
        try:
            with progress("exporting", total=3, unit="step") as advance:
                write_dump(env.project, FORMATS[fmt], parts, build.head.get("fingerprint", ""),
                           target, advance=advance)
            if target.parent == cached.parent:
                os.replace(target, cached)
                target = cached
            copy_output(target, output)
        finally:
            if target != cached:
                target.unlink(missing_ok=True)
        return
    with progress("exporting", total=3, unit="step") as advance:
        sources = DumpSources(env.project, parts)
        advance(1)
        # labelled and sorted here, for the progress bar; dump() reuses them
        sources.statements(parts, keep_graphs=FORMATS[fmt].datasets, canonical=canonical)
        advance(1)
        data, _count = dump(sources, FORMATS[fmt], parts, env.compactor(build).prefixes,
                            build.head.get("fingerprint", ""), canonical=canonical)
        advance(1)
    _keep(cached, data)
    write_output(data, output)


def _writable_beside(path: Path) -> Path:
    """A temporary file next to ``path`` (to replace it at once), or elsewhere when the store
    is read-only."""
    import tempfile

    try:
        path.parent.mkdir(exist_ok=True)
        descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError:
        descriptor, name = tempfile.mkstemp(prefix="kg-export-")
    os.close(descriptor)
    os.chmod(name, 0o644)  # as a kept dump written in full is
    return Path(name)


def _keep(path: Path, data: bytes) -> None:
    """Cache a dump in its build; a read-only store simply goes without the cache."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


@click.command()
@click.option("--endpoint", metavar="URL", required=True, envvar="KG_PUBLISH_ENDPOINT",
              help="The store's SPARQL 1.1 Graph Store Protocol endpoint (e.g. Oxigraph's "
                   "/store, Virtuoso's /sparql-graph-crud-auth) [env KG_PUBLISH_ENDPOINT].")
@click.option("--dry-run", is_flag=True, help="Say what would be written; send nothing.")
@click.option("--timeout-s", type=click.FloatRange(min=0, min_open=True), default=120,
              show_default=True, help="How long to wait for each request.")
@with_env
def publish(env: Env, endpoint: str, dry_run: bool, timeout_s: float) -> None:
    """Write the ontology, data and shapes graphs to another store, replacing them.

    One PUT per graph (https://w3id.org/olckg/graph/PART, the dumps' layout), then each graph
    is read back and its triples counted. Credentials come from KG_ENDPOINT_USER and
    KG_ENDPOINT_PASSWORD (Basic or Digest, as the server asks), never from the command line.
    Exit 0 when every count matches, 1 when a request fails or a count differs.
    """
    from kg.publish import PARTS, DumpSources, graphs_of
    from kg.publish import publish as put_graphs
    from kg.store import staleness

    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter(f"{endpoint!r} is not an http(s) URL", param_hint="--endpoint")
    build = env.live_build()
    if staleness(env.project, build) is not None:
        raise CliError("the sources changed since the last good build and do not build; fix "
                       "them (kg validate) first: only validated sources are published")
    graphs = graphs_of(DumpSources(env.project, PARTS).lines)
    if dry_run:
        for graph in graphs:
            click.echo(f"would PUT <{graph.iri}> to {endpoint}: {graph.triples} triples")
        return
    put_graphs(endpoint, graphs, timeout_s, report=click.echo)


@click.command()
@click.option("--version", "version", metavar="X", default=None,
              help="The release's version [default: the kg version].")
@click.option("-o", "--output", metavar="DIR", default="dist", show_default=True,
              help="Where to write the release folder (DIR/olckg-VERSION/).")
@click.option("--previous", metavar="DIR", type=click.Path(exists=True, file_okay=False,
                                                           path_type=Path),
              help="A previous release folder: write CHANGES.md (triples added and removed, "
                   "instances per class).")
@click.option("--sparql-endpoint", metavar="URL",
              help="The public SPARQL endpoint serving this release (void:sparqlEndpoint).")
@click.option("--base-url", metavar="URL",
              help="Where the release will be published; file IRIs in void.ttl are relative "
                   "to void.ttl without it.")
@with_env
def release(env: Env, version: str | None, output: str, previous: Path | None,
            sparql_endpoint: str | None, base_url: str | None) -> None:
    """Write a release folder: every dump, void.ttl (VoID + DCAT), SHA256SUMS, changes.

    The dumps: olckg.{ttl,nt,nq,trig,jsonld,rdf} (everything; olckg.nt in canonical form)
    and olckg-{ontology,data,shapes}.ttl, large ones also gzipped. The folder appears only
    when complete. Exit 0, 1 when the folder exists or the sources do not build.
    """
    from kg.publish import make_release

    build = env.published_build("a release")
    made = make_release(env.project, Path(output), version or __version__,
                        build.head.get("fingerprint", ""), env.compactor(build).prefixes,
                        previous, sparql_endpoint, base_url)
    click.echo(f"release {made.folder}: {made.triples} triples in {len(made.files)} files")
    for name, size in made.files.items():
        click.echo(f"  {name:<28} {size:>10} bytes")
    if made.changes is not None:
        click.echo(f"changes since {previous}: +{made.changes['added']} "
                   f"-{made.changes['removed']} statements (CHANGES.md)")


@click.command()
@click.option("-o", "--output", metavar="DIR", default="build/docs", show_default=True,
              help="Directory to write the HTML pages into.")
@with_env
def docs(env: Env, output: str) -> None:
    """Generate browsable HTML documentation of the ontology and its vocabularies.

    Writes index.html, ontology.html (classes and properties, rendered by pyLODE) and
    vocabularies.html (the SKOS concept schemes) into DIR. Needs the docs extra
    (pip install '.[docs]'). Exit 0, or 1 when pyLODE is missing or the pages cannot be written.
    """
    from kg.publish import write_docs

    build = env.live_build()
    try:
        pages = write_docs(env.project, build.open(), Path(output))
    except OSError as error:
        raise CliError(f"cannot write the documentation to {output} "
                       f"({error.strerror or error})") from None
    for page in pages:
        click.echo(f"wrote {page}")
