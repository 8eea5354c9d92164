"""`kg link wikidata`: candidates, checks and accepted links to Wikidata."""

from __future__ import annotations

import click

from kg.cli.common import Env, with_env


@click.group()
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
    from kg.link import KINDS, WikidataClient
    from kg.query import WDQS

    known = {kind.name for kind in KINDS}
    unknown = [k for k in kinds if k not in known]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}; kinds are: {', '.join(sorted(known))}",
                                 param_hint="--kind")
    if check and writes:
        raise click.UsageError("give --check or --write, not both")
    client = WikidataClient(endpoint or WDQS, timeout_s=timeout_s,
                            say=lambda m: click.echo(m, err=True))
    from kg.link import run_candidates, run_check, run_writes

    if writes:
        run_writes(env, client, writes)
    elif check:
        run_check(env, client, fmt)
    else:
        run_candidates(env, client, set(kinds), limit, fmt)
