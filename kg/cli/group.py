"""The ``kg`` click group: every command, the version option and ``--debug``.

Each module sits beside the stage it drives (``build`` -> kg.store, ``query`` -> kg.query,
``publish`` -> kg.publish, ``serve`` -> kg.serve, ``link`` -> kg.link, ``imports`` ->
kg.imports, ``new`` -> kg.sources) and imports its stage inside the command, so ``kg --help``
and ``kg query`` on a built store start quickly (rdflib and pySHACL load only in commands
that validate).
"""

from __future__ import annotations

import click

from kg import __version__
from kg.cli import build, figures, imports, link, new, publish, query, serve, site
from kg.cli.common import KgGroup


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


for command in (build.build, build.validate, build.status, query.query, query.queries,
                query.stats, publish.export, publish.release, publish.publish, publish.docs,
                figures.figures, site.site, serve.serve, link.link, new.new, imports.import_):
    cli.add_command(command)


def main() -> None:
    cli.main(prog_name="kg")
