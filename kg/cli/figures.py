"""`kg figures`: the catalog's figures (maps, networks, timelines) written as files."""

from __future__ import annotations

from pathlib import Path

import click

from kg.cli.common import CliError, Env, with_env


@click.command()
@click.option("-o", "--output", metavar="DIR", default="build/figures", show_default=True,
              help="Directory to write the figures into.")
@click.option("--png/--no-png", default=True, show_default=True,
              help="Also write a PNG of each figure (taken by headless Chromium).")
@click.option("--scale", type=click.FloatRange(0.5, 4), default=1.0, show_default=True,
              help="Pixels per SVG unit in the PNGs.")
@with_env
def figures(env: Env, output: str, png: bool, scale: float) -> None:
    """Draw every figure of the catalog (the queries tagged `figure`) from the graph.

    Writes NAME.svg, NAME.png, NAME.csv (the answer it is drawn from) and NAME.rq (the
    query) for each, and index.html, a gallery. Exit 0, or 1 when DIR cannot be written or
    a query fails.
    """
    from kg.publish import write_figures
    from kg.query import Catalog

    build = env.live_build()
    try:
        written = write_figures(build.open(), Catalog(env.project.queries_dir),
                                env.compactor(build), Path(output), png, scale,
                                notify=lambda m: click.echo(m, err=True))
    except OSError as error:
        raise CliError(f"cannot write the figures to {output} "
                       f"({error.strerror or error})") from None
    for figure in written:
        click.echo(f"{figure.name}: {figure.rows} rows -> "
                   + ", ".join(p.name for p in figure.files))
    click.echo(f"wrote {len(written)} figures and index.html to {output}")
