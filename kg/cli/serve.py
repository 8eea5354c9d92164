"""`kg serve`: the SPARQL endpoint and web UI over the store."""

from __future__ import annotations

import click

from kg.cli.common import CliError, Env, wikidata_map, with_env


@click.command()
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

    from kg.serve import WIKIDATA, Settings
    from kg.serve import serve as run_server

    service_map = wikidata_map(wikidata_endpoint)
    allowed = allow_service or (WIKIDATA,)
    if service_map:  # Wikidata's endpoint is replaced by the mirror, which must be allowed
        allowed = tuple(dict.fromkeys((*allowed, *service_map.values())))
    build = env.published_build("the endpoint", fresh=False)
    settings = Settings(database=build.database, host=host, port=port, timeout_s=timeout_s,
                        cors=cors, allow_service=allowed, service_map=service_map,
                        max_rows=max_rows, project_root=env.project.root,
                        prefixes=build.head.get("prefixes", {}),
                        base_url=base_url and base_url.rstrip("/") + "/", **limits)
    if workers:
        settings = dataclasses.replace(settings, workers=workers)
    try:
        with build.pinned():  # a rebuild meanwhile must not delete what the workers open
            run_server(settings, env.project.queries_dir, env.store.path / "ui-assets",
                       int(build.head.get("triples", 0)),
                       say=lambda m: click.echo(m, err=True))
    except ValueError as error:
        raise CliError(str(error), 2) from None
    except OSError as error:
        raise CliError(f"cannot listen on {host}:{port} ({error.strerror or error})") from None
