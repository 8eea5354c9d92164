"""The ``kg`` command line: a thin click layer over the library.

Library code raises ``KgError``; this module turns each into one sentence on stderr and an
exit code (1 failure, 2 unreadable input or usage, 130 interrupted). ``--debug`` shows the
traceback instead. Heavy modules (rdflib, pySHACL) are imported only by the commands that
validate, so ``kg --help`` and ``kg query`` on a built store start quickly.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from kg import __version__
from kg.errors import KgError

EXIT_INTERRUPTED = 130


class CliError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class KgGroup(click.Group):
    """Converts library errors to CLI errors in one place."""

    def invoke(self, ctx: click.Context):
        debug = bool(ctx.params.get("debug")) or bool(os.environ.get("KG_DEBUG"))
        try:
            return super().invoke(ctx)
        except KgError as error:
            if debug:
                raise
            raise CliError(error.message, error.exit_code) from None
        except KeyboardInterrupt:
            if debug:
                raise
            raise CliError("interrupted; nothing was changed.", EXIT_INTERRUPTED) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # a bug: say so in one line, keep the traceback for --debug
            if debug:
                raise
            raise CliError(f"unexpected {type(error).__name__}: {error} "
                           "(rerun with --debug to see the traceback)", 70) from None


@dataclass
class Env:
    """What a command needs to find its sources and its store."""

    project_arg: str | None
    store_arg: str | None

    @functools.cached_property
    def project(self):
        from kg.project import find_project

        return find_project(self.project_arg)

    @functools.cached_property
    def store(self):
        from kg.store import StoreDir

        path = self.store_arg or os.environ.get("KG_STORE") or self.project.default_store()
        return StoreDir(Path(path).expanduser())

    def live_build(self):
        """The current build, (re)built first if missing or stale (the embedded default)."""
        from kg.build import ensure_built

        return ensure_built(self.project, self.store, notify=lambda m: click.echo(m, err=True))

    def compactor(self, build):
        from kg.terms import Compactor

        return Compactor(build.manifest.get("prefixes", {}))


def with_env(command: Callable) -> Callable:
    """Add ``--project`` and ``--store`` (and their environment variables) to a command."""

    @click.option("--project", "project_arg", metavar="DIR", envvar="KG_PROJECT",
                  help="Project directory (ontology/, shapes/, data/, queries/) [env KG_PROJECT].")
    @click.option("--store", "store_arg", metavar="DIR", envvar="KG_STORE",
                  help="Store directory [env KG_STORE; default <project>/.kg/store].")
    @functools.wraps(command)
    def wrapper(project_arg: str | None, store_arg: str | None, **kwargs):
        return command(Env(project_arg, store_arg), **kwargs)

    return wrapper


def write_output(data: bytes, output: str | None) -> None:
    """Write to stdout, or to a file replaced atomically (no half-written file on error)."""
    if (output is None or output == "-") and data and not data.endswith(b"\n") \
            and sys.stdout.isatty():
        data += b"\n"  # JSON and XML results end without one; keep the prompt apart
    with _output_stream(output) as stream:
        stream.write(data)


def copy_output(source: Path, output: str | None) -> None:
    """``write_output`` for a file on disk (a kept dump): streamed, never read whole."""
    with _reading(source) as handle, _output_stream(output) as stream:
        shutil.copyfileobj(handle, stream, 1 << 20)


@contextlib.contextmanager
def _output_stream(output: str | None):
    """stdout, or a temporary file that replaces ``output`` only once all was written."""
    if output is None or output == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        with temporary.open("wb") as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException as error:  # Ctrl-C too: never leave the temporary file behind
        temporary.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise CliError(f"cannot write {output} ({error.strerror or error})") from None
        raise


@contextlib.contextmanager
def _reading(source: Path):
    try:
        handle = source.open("rb")
    except OSError as error:
        raise CliError(f"cannot read {source} ({error.strerror or error})") from None
    with handle:
        yield handle


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, envvar="KG_DEBUG",
              help="Show the full traceback when something fails [env KG_DEBUG].")
def cli(debug: bool) -> None:
    """Build, check, query and publish the Open LLM Collaboration Knowledge Graph.

    The graph is built from the Turtle sources (ontology/, data/), validated against the
    SHACL shapes (shapes/) and stored in an on-disk Oxigraph store. Commands that read the
    store build it first when it is missing or its sources changed.
    """


@cli.command()
@click.option("--no-validate", is_flag=True,
              help="Skip SHACL validation (faster; for experiments).")
@with_env
def build(env: Env, no_validate: bool) -> None:
    """Parse, validate and load the sources into a new store, then swap it in.

    The new store is written beside the live one and replaces it only when everything
    succeeded: a parse error, a SHACL violation, a full disk or Ctrl-C leave the previous
    store in place. Exit 0 on success, 1 on violations or store errors, 2 on unreadable input.
    """
    from kg.build import build as run_build
    from kg.errors import ValidationFailed

    project, store = env.project, env.store
    click.echo(f"project: {project.describe()}")
    try:
        result = run_build(project, store, validate=not no_validate,
                           log=click.echo)
    except ValidationFailed as failure:
        from kg.validation import format_text

        click.echo(format_text(failure.report), nl=False)
        raise
    compactor = env.compactor(result.build)
    click.echo("instances per class:")
    width = max((len(compactor.iri(c)) for c, _ in result.classes), default=0)
    for cls, count in result.classes:
        click.echo(f"  {compactor.iri(cls).ljust(width)}  {count:>6}")
    click.echo(f"store: {result.build.database}")
    click.echo(f"built in {result.seconds:.2f} s")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "turtle"]), default="text",
              show_default=True, help="Report format (turtle is the SHACL report graph).")
@with_env
def validate(env: Env, files: tuple[Path, ...], fmt: str) -> None:
    """Check the data against the SHACL shapes and report what to fix.

    Without FILES the whole project is checked. With FILES (in the project or new ones) the
    whole graph is still validated, so links resolve, but only results about entities
    described in FILES are reported. Each result names the file, the focus node, the path,
    the value, the severity and the shape's message.

    Exit 0 when the data conforms (warnings allowed), 1 on violations, 2 on unreadable input.
    """
    from kg.build import VALIDATION_CACHE, validate_project
    from kg.validation import format_json, format_text, format_turtle

    report = validate_project(env.project, files=list(files) if files else None,
                              cache=env.store.path / VALIDATION_CACHE)
    render = {"text": format_text, "json": format_json, "turtle": format_turtle}[fmt]
    click.echo(render(report), nl=False)
    if not report.conforms:
        raise click.exceptions.Exit(1)


@cli.command()
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
@click.option("--wikidata-endpoint", metavar="URL", envvar="KG_WIKIDATA_ENDPOINT",
              help="Send SERVICE calls to Wikidata's query service to this endpoint instead "
                   "(a mirror or a local copy) [env KG_WIKIDATA_ENDPOINT].")
@with_env
def query(env: Env, query: str | None, expression: str | None, params: tuple[str, ...],
          fmt: str | None, output: str | None, wikidata_endpoint: str | None) -> None:
    """Run a prebuilt query (by NAME), a query FILE, inline SPARQL (-e) or stdin (-).

    The table shows compact names, and a column ?x with a ?xLabel column shows the label;
    csv, tsv, json and xml are the standard SPARQL results formats with full IRIs.
    Exit 0 on success, 1 when the query fails, 2 on a usage error.
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
    endpoints = _wikidata_map(wikidata_endpoint)
    result = execute(store, stored, values, compactor.prefixes, endpoints)
    write_output(render(result, fmt, compactor, stored), output)


def _wikidata_map(endpoint: str | None) -> dict[str, str]:
    from kg.wikidata import WDQS

    if endpoint is None or endpoint == WDQS:
        return {}
    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter(f"{endpoint!r} is not an http(s) URL",
                                 param_hint="--wikidata-endpoint")
    return {WDQS: endpoint}


def _pick_query(env: Env, query: str | None, expression: str | None):
    from kg.catalog import Catalog, load_query_file, parse_query

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


@cli.command()
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
    from kg.catalog import Catalog

    catalog = Catalog(env.project.queries_dir)
    if markdown:
        from kg.docs import queries_markdown

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


@cli.command()
@click.option("-f", "--format", "fmt", default="turtle", show_default=True,
              type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]),
              help="RDF format. nquads, trig and jsonld keep each part in its named graph; "
                   "turtle, ntriples and rdfxml cannot carry named graphs and merge the parts.")
@click.option("--part", default="all", show_default=True,
              type=click.Choice(["all", "ontology", "data", "shapes"]),
              help="What to dump: the ontology (with its vocabularies), the data, the SHACL "
                   "shapes, or all three.")
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
    from kg.build import staleness
    from kg.export import FORMATS, PARTS, DumpSources, dump

    if canonical and fmt not in ("ntriples", "nquads"):
        raise click.UsageError("--canonical is for --format ntriples or nquads")
    build = env.live_build()
    if staleness(env.project, build) is not None:
        raise CliError("the sources changed since the last good build and do not build; fix "
                       "them (kg validate) first: a dump holds validated sources only")
    cached = build.path / "dumps" / f"{part}.{fmt}{'.canonical' if canonical else ''}"
    if cached.is_file():  # a build never changes, so neither do its dumps
        copy_output(cached, output)
        return
    from kg.progress import progress

    parts = PARTS if part == "all" else (part,)
    with progress("exporting", total=3, unit="step") as advance:
        sources = DumpSources(env.project, parts)
        advance(1)
        # labelled and sorted here, for the progress bar; dump() reuses them
        sources.statements(parts, keep_graphs=FORMATS[fmt].datasets, canonical=canonical)
        advance(1)
        data, _count = dump(sources, FORMATS[fmt], parts, env.compactor(build).prefixes,
                            build.manifest.get("fingerprint", ""), canonical=canonical)
        advance(1)
    _keep(cached, data)
    write_output(data, output)


def _keep(path: Path, data: bytes) -> None:
    """Cache a dump in its build; a read-only store simply goes without the cache."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(exist_ok=True)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


@cli.command()
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
    from kg.build import staleness
    from kg.release import make_release

    build = env.live_build()
    if staleness(env.project, build) is not None:
        raise CliError("the sources changed since the last good build and do not build; fix "
                       "them (kg validate) first: a release holds validated sources only")
    made = make_release(env.project, Path(output), version or __version__,
                        build.manifest.get("fingerprint", ""), env.compactor(build).prefixes,
                        previous, sparql_endpoint, base_url)
    click.echo(f"release {made.folder}: {made.triples} triples in {len(made.files)} files")
    for name, size in made.files.items():
        click.echo(f"  {name:<28} {size:>10} bytes")
    if made.changes is not None:
        click.echo(f"changes since {previous}: +{made.changes['added']} "
                   f"-{made.changes['removed']} triples (CHANGES.md)")


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@with_env
def stats(env: Env, fmt: str) -> None:
    """Count triples, instances per class and uses per property, and show per-project coverage.

    Coverage lists, for every project, which expected facts are filled, which the sources do
    not give (recorded as olc:unknown) and which are missing. Exit 0, or 1 when the store
    cannot be read.
    """
    from kg.coverage import EXPECTED, project_coverage
    from kg.linking import entities, linking_report
    from kg.stats import collect

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


@cli.command()
@click.option("-o", "--output", metavar="DIR", default="build/docs", show_default=True,
              help="Directory to write the HTML pages into.")
@with_env
def docs(env: Env, output: str) -> None:
    """Generate browsable HTML documentation of the ontology and its vocabularies.

    Writes index.html, ontology.html (classes and properties, rendered by pyLODE) and
    vocabularies.html (the SKOS concept schemes) into DIR. Needs the docs extra
    (pip install '.[docs]'). Exit 0, or 1 when pyLODE is missing or the pages cannot be written.
    """
    from kg.docs import write_docs

    build = env.live_build()
    try:
        pages = write_docs(env.project, build.open(), Path(output))
    except OSError as error:
        raise CliError(f"cannot write the documentation to {output} "
                       f"({error.strerror or error})") from None
    for page in pages:
        click.echo(f"wrote {page}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (loopback by default; anything else prints a notice).")
@click.option("--port", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0 picks a free one).")
@click.option("--timeout-s", default=30.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Time limit per query; longer queries are stopped with 503.")
@click.option("--cors/--no-cors", default=False, show_default=True,
              help="Send CORS headers so that web pages on other sites can query.")
@click.option("--allow-service", "allow_service", multiple=True, metavar="URL",
              help="An endpoint SERVICE may call (repeatable; replaces the default, "
                   "Wikidata's query service).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Query worker processes [default: the number of CPUs, at least 2].")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(min=1),
              help="Rows per SELECT answer; more are cut and the answer says so.")
@click.option("--wikidata-endpoint", metavar="URL", envvar="KG_WIKIDATA_ENDPOINT",
              help="Send SERVICE calls to Wikidata's query service to this endpoint instead, "
                   "and allow it [env KG_WIKIDATA_ENDPOINT].")
@click.option("--base-url", metavar="URL",
              help="The endpoint's public URL, e.g. behind a proxy [default: http://HOST:PORT/].")
@click.option("--worker-memory-mb", default=2048, show_default=True,
              type=click.IntRange(min=0),
              help="Memory a query worker may use for one query (0: no cap); past it 503.")
@click.option("--queue", "queue_size", default=16, show_default=True,
              type=click.IntRange(min=0),
              help="Queries that may wait for a busy worker; more get 503 with Retry-After.")
@click.option("--queue-timeout-s", default=10.0, show_default=True,
              type=click.FloatRange(min=0.1), help="Longest wait for a worker, then 503.")
@click.option("--max-connections", default=1000, show_default=True,
              type=click.IntRange(min=1), help="Connections served at once; beyond, 503.")
@click.option("--header-timeout-s", default=10.0, show_default=True,
              type=click.FloatRange(min=0.1),
              help="Time for a request's line and headers to arrive, then the connection closes.")
@click.option("--body-timeout-s", default=30.0, show_default=True,
              type=click.FloatRange(min=0.1), help="Time for a request's body, then 408.")
@click.option("--keep-alive-s", default=5.0, show_default=True,
              type=click.FloatRange(min=0.1), help="Idle time of a kept-alive connection.")
@with_env
def serve(env: Env, host: str, port: int, timeout_s: float, cors: bool,
          allow_service: tuple[str, ...], workers: int | None, max_rows: int,
          wikidata_endpoint: str | None, base_url: str | None, **limits) -> None:
    """Serve the graph: a read-only SPARQL endpoint at /sparql and a web UI at /.

    Queries run in worker processes on the read-only store (built first if needed), sealed
    off the network but for a relay to the allow-listed SERVICE endpoints: writes are
    refused, a query over --timeout-s or --worker-memory-mb is stopped (503), bodies over
    1 MiB get 413, answers over --max-rows are cut. Stops on Ctrl-C or SIGTERM. Exit 0, or 1
    when the address is taken or the store cannot be opened.
    """
    import dataclasses

    from kg.server.run import serve as run_server
    from kg.server.settings import WIKIDATA, Settings

    service_map = _wikidata_map(wikidata_endpoint)
    allowed = allow_service or (WIKIDATA,)
    if service_map:  # Wikidata's endpoint is replaced by the mirror, which must be allowed
        allowed = tuple(dict.fromkeys((*allowed, *service_map.values())))
    build = env.live_build()
    settings = Settings(database=build.database, host=host, port=port, timeout_s=timeout_s,
                        cors=cors, allow_service=allowed, service_map=service_map,
                        max_rows=max_rows, project_root=env.project.root,
                        prefixes=build.manifest.get("prefixes", {}),
                        base_url=base_url and base_url.rstrip("/") + "/", **limits)
    if workers:
        settings = dataclasses.replace(settings, workers=workers)
    try:
        with build.pinned():  # a rebuild meanwhile must not delete what the workers open
            run_server(settings, env.project.queries_dir, env.store.path / "ui-assets",
                       int(build.manifest.get("triples", 0)),
                       say=lambda m: click.echo(m, err=True))
    except ValueError as error:
        raise CliError(str(error), 2) from None
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None


@cli.group()
def link() -> None:
    """Link the graph's entities to other linked data."""


@link.command("wikidata")
@click.option("--endpoint", default=None, metavar="URL", envvar="KG_WIKIDATA_ENDPOINT",
              help="SPARQL endpoint with Wikidata's data [env KG_WIKIDATA_ENDPOINT; default "
                   "https://query.wikidata.org/sparql].")
@click.option("--check", is_flag=True,
              help="Re-verify existing links: the item exists, is not a redirect, and its "
                   "label still matches.")
@click.option("--write", "writes", multiple=True, metavar="SLUG=QID",
              help="Record an accepted link (or SLUG=none: Wikidata has no item), with its "
                   "evidence, in the file that describes the entity (repeatable).")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only entities of this kind (repeatable): organisation, model family, "
                   "dataset, benchmark, framework, platform, licence, country, region, …")
@click.option("--limit", default=3, show_default=True, type=click.IntRange(min=1),
              help="Candidates shown per entity.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format.")
@click.option("--timeout-s", default=60.0, show_default=True, type=click.FloatRange(min=1),
              help="Time limit per request to the endpoint.")
@with_env
def link_wikidata(env: Env, endpoint: str | None, check: bool, writes: tuple[str, ...],
                  kinds: tuple[str, ...], limit: int, fmt: str, timeout_s: float) -> None:
    """Reconcile entities with Wikidata: propose candidates, check links, record links.

    Without --check or --write, lists the entities that have neither a Wikidata link nor a
    record that Wikidata has none, each with ranked candidate items (found by exact label or
    alias; ranked by how they matched and whether their type fits). Requests go one at a time
    with a descriptive User-Agent, and wait as the endpoint asks on 429/503. Exit 0; 1 when
    --check finds a broken link or a write is refused; 2 for usage errors.
    """
    from kg.linking import KINDS
    from kg.wikidata import WDQS, WikidataClient

    known = {kind.name for kind in KINDS}
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}; kinds are: {', '.join(sorted(known))}",
                                 param_hint="--kind")
    if check and writes:
        raise click.UsageError("give --check or --write, not both")
    client = WikidataClient(endpoint or WDQS, timeout_s=timeout_s,
                            say=lambda m: click.echo(m, err=True))
    from kg.reconcile import run_candidates, run_check, run_writes

    if writes:
        run_writes(env, client, writes)
    elif check:
        run_check(env, client, fmt)
    else:
        run_candidates(env, client, set(kinds), limit, fmt)


@cli.group()
def new() -> None:
    """Start a new record from a template."""


@new.command("project")
@click.argument("slug")
@click.option("--label", metavar="TEXT", help="The project's name (default: the slug).")
@click.option("--organisation", metavar="SLUG",
              help="The developing organisation's slug; when it is not in the data yet, "
                   "the record gets an organisation block to fill in too.")
@with_env
def new_project(env: Env, slug: str, label: str | None, organisation: str | None) -> None:
    """Write data/projects/SLUG.ttl: a project record with every expected fact to fill in.

    Every required and recommended property is there, with a comment on the evidence it
    needs; facts not yet known are written as olc:unknown so that the record is valid RDF
    from the start, and `kg validate` points at what is left (the TODO sources). Never
    overwrites a file. Exit 0, or 2 for a bad or taken slug.
    """
    from kg.template import new_project as write_template

    target = write_template(env.project, slug, label, organisation)
    click.echo(f"wrote {target}")
    click.echo(f"next: fill in the TODOs, then run `kg validate {target}`")


@cli.command()
@with_env
def status(env: Env) -> None:
    """Show which project and store are used, and whether the store is up to date."""
    from kg.build import staleness

    project, store = env.project, env.store
    build = store.current()
    click.echo(f"project: {project.describe()}")
    click.echo(f"store:   {store.path}")
    if build is None:
        click.echo("build:   none yet (the next command that reads the store builds it)")
        return
    manifest = build.manifest
    click.echo(f"build:   {build.database}")
    click.echo(f"         {manifest.get('triples')} triples, built "
               f"{manifest.get('built_at')} by kg {manifest.get('kg_version')}")
    reason = staleness(project, build)
    click.echo("state:   up to date" if reason is None else f"state:   stale ({reason})")


def main() -> None:
    cli.main(prog_name="kg")
