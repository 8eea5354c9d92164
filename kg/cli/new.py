"""`kg new project`: a new record from the template."""

from __future__ import annotations

import click

from kg.cli.common import Env, with_env


@click.group()
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
    from kg.sources import new_project as write_template

    target = write_template(env.project, slug, label, organisation)
    click.echo(f"wrote {target}")
    click.echo(f"next: fill in the TODOs, then run `kg validate {target}`")
