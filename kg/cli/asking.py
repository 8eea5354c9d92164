"""`kg query` without click: what the command does, shared by its click form and the fast path.

A cold `kg query NAME` should cost little more than Python opening the store and asking
(issue 20, item 2), and importing click alone costs more than that. So the work of the
command lives here, free of click: ``kg.cli.query`` parses options with click and calls it;
``kg.cli.fast`` parses the common invocations itself and calls the same functions. Usage
problems are ``UsageProblem``; the click form shows them as click shows its own.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from kg.errors import InputError, KgError

#: In the store directory: the query headers already read (kg.query.catalog.HeaderCache).
QUERY_HEADERS = "query-headers.json"


class UsageProblem(KgError):
    """The command was asked for wrongly (exit 2); ``param`` names the option, if one."""

    exit_code = 2

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


def say(message: str) -> None:
    """A note on stderr, so that the answer on stdout stays a clean table, CSV or JSON."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


class Request:
    """One `kg query` invocation, its options already read.

    A plain class, not a dataclass: a cold `kg query` must not import ``dataclasses``
    (tests/test_cold_query.py).
    """

    __slots__ = (
        "all_rows",
        "endpoints",
        "expression",
        "fmt",
        "output",
        "page",
        "params",
        "query",
        "wide",
        "width",
    )

    def __init__(self, query: str | None = None, expression: str | None = None,
                 params: tuple[str, ...] = (), fmt: str | None = None,
                 output: str | None = None, wide: bool = False, width: int | None = None,
                 page: int | None = None, all_rows: bool = False,
                 endpoints: dict[str, str] | None = None) -> None:
        self.query, self.expression, self.params, self.fmt = query, expression, params, fmt
        self.output, self.wide, self.width, self.page = output, wide, width, page
        self.all_rows = all_rows
        self.endpoints: dict[str, str] = endpoints if endpoints is not None else {}


def locate_store(project, store_arg: str | None):
    """``--store``, else env KG_STORE, else the project's default: where every command looks."""
    from kg.store.builds import StoreDir

    path = store_arg or os.environ.get("KG_STORE") or project.default_store()
    return StoreDir(Path(path).expanduser())


def prepare(project, store_dir, request: Request):
    """The query, the page, the parameter values and the table width ``request`` asks for,
    checked before any store is asked (the same for the local store and a remote one)."""
    stored = pick_query(project, store_dir, request.query, request.expression)
    return (stored, page_asked(stored, request.page, request.all_rows),
            parameter_values(request.params), table_width(request))


def answer_locally(store_dir, project, build, request: Request, opening=None) -> None:
    """Ask the live ``build`` and write the answer: the whole `kg query` on the local store.

    ``opening``: the build's store already being opened (``Build.open_meanwhile``).
    """
    from kg.query import execute, render, take_page
    from kg.terms import Compactor

    stored, page, values, width = prepare(project, store_dir, request)
    compactor = Compactor(build.head.get("prefixes", {}))
    store = build.open() if opening is None else opening.store()
    result = execute(store, stored, values, compactor.prefixes, request.endpoints, page,
                     conforms=build.validated)
    more = False
    if page is not None:
        result, more = take_page(result, stored.page_size)
    data = render(result, request.fmt, compactor, stored, width)
    warn_undefined(store, stored.text, compactor)  # after the last step that can fail
    write_output(data, request.output)
    page_note(stored, page, more)


def parameter_values(params: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for item in params:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageProblem(f"{item!r} is not NAME=VALUE", "--param")
        values[name.strip()] = value
    return values


def table_width(request: Request) -> int | None:
    """Wrap the table to the terminal only when the answer goes to one."""
    if request.wide:
        return None
    if request.width is None and (request.output is None or request.output == "-") \
            and sys.stdout.isatty():
        import shutil  # not at the top: it loads bz2 and lzma, needed only on a terminal

        return shutil.get_terminal_size().columns
    return request.width


def pick_query(project, store_dir, query: str | None, expression: str | None):
    from kg.query import Catalog, HeaderCache, load_query_file, parse_query

    if expression is not None:
        if query:
            raise UsageProblem("give a query NAME/FILE or -e SPARQL, not both")
        return parse_query(expression, "(inline)")
    if query is None:
        raise UsageProblem("which query? Give a NAME (see `kg queries`), a FILE, "
                           "-e SPARQL, or - for stdin")
    if query == "-":
        return parse_query(sys.stdin.read(), "(stdin)")
    path = Path(query)
    if path.suffix in (".rq", ".sparql") or path.is_file():
        if not path.is_file():
            raise InputError(f"no such query file: {query}")
        return load_query_file(path, headers=HeaderCache(store_dir.path / QUERY_HEADERS))
    return Catalog(project.queries_dir, HeaderCache(store_dir.path / QUERY_HEADERS)).get(query)


def page_asked(stored, page: int | None, all_rows: bool) -> int | None:
    """The page to ask for: None for the whole answer."""
    if page is not None and all_rows:
        raise UsageProblem("give --page N or --all, not both")
    if not stored.page_size:
        if page is not None:
            raise UsageProblem(f"query {stored.name} is not paged (no #+ pagination "
                               "header): its answer always comes whole; drop --page")
        return None
    return None if all_rows else (page or 1)


def page_note(stored, page: int | None, more: bool) -> None:
    if page is None:
        return
    if more:
        say(f"page {page} of {stored.name} ({stored.page_size} rows a page); more "
            f"follow: --page {page + 1} for the next page, --all for every row")
    elif page > 1:
        say(f"page {page} of {stored.name}: the last page")


def warn_undefined(store, text: str, compactor) -> None:
    """A misspelt class or property answers nothing, silently: name it, once, on stderr."""
    import pyoxigraph as ox

    from kg import BASE
    from kg.query import undefined_terms

    for iri in undefined_terms(store, text, compactor.prefixes, BASE):
        say(f"warning: {compactor.term(ox.NamedNode(iri))} is not in the graph (no "
            "statement names it), so nothing can match it; check its spelling in "
            "ontology/ (kg stats lists the classes and properties in use)")


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so flushing at exit does not fail on the closed pipe again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def write_output(data: bytes, output: str | None) -> None:
    """Write to stdout, or to a file replaced atomically (no half-written file on error)."""
    if (output is None or output == "-") and data and not data.endswith(b"\n") \
            and sys.stdout.isatty():
        data += b"\n"  # JSON and XML results end without one; keep the prompt apart
    with output_stream(output) as stream:
        stream.write(data)


@contextlib.contextmanager
def output_stream(output: str | None):
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
            raise KgError(f"cannot write {output} ({error.strerror or error})") from None
        raise
