"""`kg import osai|mot DIR`: the public openness catalogues as generated Turtle."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import Env, with_env


@click.command("import")
@click.argument("catalogue", type=click.Choice(["osai", "mot"]))
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--commit", default=None, metavar="SHA",
              help="The catalogue's commit the folder holds (default: from git, or from the "
                   "README of a snapshot folder above it).")
@click.option("--date", default=None, metavar="YYYY-MM-DD", help="The date of that commit.")
@click.option("--suggest", "suggest_only", is_flag=True,
              help="Write nothing: list match candidates (exact label, Hugging Face location, "
                   "organisation name) for a curator to review into data/external/matches.ttl.")
@with_env
def import_(env: Env, catalogue: str, directory: Path, commit: str | None, date: str | None,
            suggest_only: bool) -> None:
    """Import a checkout of an openness catalogue into data/external/CATALOGUE/.

    CATALOGUE is osai (the European Open Source AI Index: DIR is its main-database checkout)
    or mot (the LF AI & Data Model Openness Tool: DIR is its models/ folder). Each record
    becomes one Turtle file, an assessment attributed to the catalogue with the record's file
    at its commit as source. Records are matched to the graph's models and organisations only
    through the reviewed data/external/matches.ttl. The import is written as a whole,
    validated, and swapped in; files whose content did not change are left untouched. Exit 0;
    1 when the result does not validate (nothing is changed); 2 for unreadable input (the file
    and line are named).
    """
    from kg.imports import import_catalogue, suggest

    if suggest_only:
        from kg.imports.run import checkout_version

        found = checkout_version(directory)
        commit, date = commit or (found[0] if found else "0" * 40), date or (
            found[1] if found else "1970-01-01")
        rows = suggest(env.project, catalogue, directory, commit, date)
        for row in rows:
            state = "matched" if row.matched else "candidate"
            click.echo(f"{state:9}  {row.record}  {row.why}: <{row.key}> owl:sameAs "
                       f"<{row.entity}> ({row.label})")
        click.echo(f"{len(rows)} candidate(s), {sum(r.matched for r in rows)} already in "
                   "data/external/matches.ttl", err=True)
        return
    result = import_catalogue(env.project, catalogue, directory, commit, date)
    click.echo(f"{catalogue}: {result.records} records at {result.commit[:12]} "
               f"({result.date}) -> {result.folder}: {len(result.added)} added, "
               f"{len(result.changed)} changed, {len(result.removed)} removed, "
               f"{result.unchanged} unchanged")
