"""`kg build`, `kg validate`, `kg status`: the sources checked and built into the store."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import Env, with_env


@click.command()
@click.option("--no-validate", is_flag=True,
              help="Skip SHACL validation (faster; for experiments).")
@with_env
def build(env: Env, no_validate: bool) -> None:
    """Parse, validate and load the sources into a new store, then swap it in.

    The new store is written beside the live one and replaces it only when everything
    succeeded: a parse error, a SHACL violation, a full disk or Ctrl-C leave the previous
    store in place. Exit 0 on success, 1 on violations or store errors, 2 on unreadable input.
    """
    from kg.errors import ValidationFailed
    from kg.store import build as run_build

    project, store = env.project, env.store
    click.echo(f"project: {project.describe()}")
    try:
        result = run_build(project, store, validate=not no_validate,
                           log=click.echo)
    except ValidationFailed as failure:
        from kg.validate import format_text

        click.echo(format_text(failure.report), nl=False)
        raise
    compactor = env.compactor(result.build)
    click.echo("instances per class:")
    width = max((len(compactor.iri(c)) for c, _ in result.classes), default=0)
    for cls, count in result.classes:
        click.echo(f"  {compactor.iri(cls).ljust(width)}  {count:>6}")
    click.echo(f"store: {result.build.database}")
    click.echo(f"built in {result.seconds:.2f} s")


@click.command()
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
    from kg.store import VALIDATION_CACHE, validate_project
    from kg.validate import format_json, format_text, format_turtle

    report = validate_project(env.project, files=list(files) if files else None,
                              cache=env.store.path / VALIDATION_CACHE,
                              state=env.store.path)
    render = {"text": format_text, "json": format_json, "turtle": format_turtle}[fmt]
    click.echo(render(report), nl=False)
    if not report.conforms:
        raise click.exceptions.Exit(1)


@click.command()
@with_env
def status(env: Env) -> None:
    """Show which project and store are used, and whether the store is up to date."""
    from kg.store import staleness

    project, store = env.project, env.store
    build = store.current()
    click.echo(f"project: {project.describe()}")
    click.echo(f"store:   {store.path}")
    if build is None:
        click.echo("build:   none yet (the next command that reads the store builds it)")
        return
    manifest = build.head
    click.echo(f"build:   {build.database}")
    click.echo(f"         {manifest.get('triples')} triples, built "
               f"{manifest.get('built_at')} by kg {manifest.get('kg_version')}")
    reason = staleness(project, build)
    click.echo("state:   up to date" if reason is None else f"state:   stale ({reason})")
    click.echo("checked: validated against the shapes" if build.validated else
               "checked: NOT validated (built with --no-validate; kg export, kg release and "
               "kg serve refuse it until `kg build` validates it)")
