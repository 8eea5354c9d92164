"""What every command shares: the error boundary, the project and store, and safe output.

Library code raises ``KgError``; ``KgGroup`` turns each into one sentence on stderr and an
exit code (1 failure, 2 unreadable input or usage, 130 interrupted). ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from kg.cli.asking import output_stream, quiet_stdout, write_output  # noqa: F401 (shared)
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
        except BrokenPipeError:  # `kg stats | head -1`: the reader has all it wanted
            quiet_stdout()
            raise click.exceptions.Exit(0) from None
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
        from kg.sources import find_project

        return find_project(self.project_arg)

    @functools.cached_property
    def store(self):
        from kg.cli.asking import locate_store

        return locate_store(self.project, self.store_arg)

    def live_build(self):
        """The current build, (re)built first if missing or stale (the embedded default)."""
        from kg.store import ensure_built

        return ensure_built(self.project, self.store, notify=lambda m: click.echo(m, err=True))

    def published_build(self, what: str, fresh: bool = True):
        """The live build, for a command that publishes it: validated, and (with ``fresh``)
        built from the sources as they are, since ``what`` must hold validated data only."""
        from kg.store import ensure_built

        try:  # one freshness check: a stale store is rebuilt, or the failure stops us
            build = ensure_built(self.project, self.store, lambda m: click.echo(m, err=True),
                                 fall_back=not fresh)
        except KgError as error:
            if self.store.current() is None:
                raise
            raise CliError(f"the sources changed since the last good build and do not build "
                           f"({error.message.splitlines()[0]}); fix them (kg validate) first: "
                           f"{what} holds validated sources only") from None
        if not build.validated:
            raise CliError(f"the store was built with `kg build --no-validate`; run `kg build` "
                           f"to validate it first: {what} holds validated sources only")
        return build

    def compactor(self, build):
        from kg.terms import Compactor

        return Compactor(build.head.get("prefixes", {}))


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


def copy_output(source: Path, output: str | None) -> None:
    """``write_output`` for a file on disk (a kept dump): streamed, never read whole."""
    import shutil  # not at the top: it loads bz2 and lzma, which `kg query` never needs

    with _reading(source) as handle, output_stream(output) as stream:
        shutil.copyfileobj(handle, stream, 1 << 20)


@contextlib.contextmanager
def _reading(source: Path):
    try:
        handle = source.open("rb")
    except OSError as error:
        raise CliError(f"cannot read {source} ({error.strerror or error})") from None
    with handle:
        yield handle


def wikidata_map(endpoint: str | None) -> dict[str, str]:
    """``--wikidata-endpoint``: SERVICE calls to Wikidata's query service sent there instead."""
    from kg.query import WDQS

    if endpoint is None or endpoint == WDQS:
        return {}
    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter(f"{endpoint!r} is not an http(s) URL",
                                 param_hint="--wikidata-endpoint")
    return {WDQS: endpoint}
