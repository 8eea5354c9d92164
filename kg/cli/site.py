"""`kg site`: the whole publication as static files."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import CliError, Env, with_env


@click.command()
@click.option("-o", "--output", metavar="DIR", default="build/site", show_default=True,
              help="Directory to write the site into (replaced when complete).")
@click.option("--base-url", metavar="URL", default="https://w3id.org/olckg/", show_default=True,
              help="Where the site is published: absolute IRIs in the VoID description, the "
                   "schema.org markup and the examples start with it.")
@click.option("--sparql-endpoint", metavar="URL",
              help="A public SPARQL endpoint serving the same build, named on the landing page, "
                   "in the VoID description and as the examples' target.")
@with_env
def site(env: Env, output: str, base_url: str, sparql_endpoint: str | None) -> None:
    """Write the graph's pages as a static site: one folder per IRI path, and more.

    Every entity, concept, the ontology and the shapes get index.html, index.ttl,
    index.jsonld, index.nt and index.rdf; beside them the landing page, the query catalog
    with each query's current answer (HTML, JSON, CSV), a search page, the release's
    dumps, .well-known/void and .well-known/sparql-examples, context.jsonld and (with the
    docs extra) the kg docs pages. Links are relative. Exit 0, or 1 when DIR cannot be
    written or the sources do not build.
    """
    from kg.publish.web import Site, write_site
    from kg.store import staleness

    build = env.live_build()
    if staleness(env.project, build) is not None:
        raise CliError("the sources changed since the last good build and do not build; fix "
                       "them (kg validate) first: a site shows validated sources only")
    prefixes = env.compactor(build).prefixes
    publication = Site(build.open(), env.project, prefixes, build.path / "site",
                       build.manifest.get("fingerprint", ""), editor=False)
    try:
        written = write_site(publication, Path(output), base_url, sparql_endpoint)
    except OSError as error:
        raise CliError(f"cannot write the site to {output} ({error.strerror or error})"
                       ) from None
    for note in written.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {written.folder}: {written.files} files, {written.pages} pages")
