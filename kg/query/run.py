"""Running a query on the store and rendering its answer for people or programs."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pyoxigraph as ox

from kg.errors import BadQuery, QueryError
from kg.query.catalog import StoredQuery, bind, page_text, substitute
from kg.terms import Compactor

RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
TABLE_FORMATS = ("table", *RESULT_FORMATS)
#: Widest cell the table prints before eliding with "…" (csv/json always carry everything).
#: Narrowest a wrapped column gets, so a squeezed table stays readable.
MIN_COLUMN = 12


class Answer:
    """A materialised SELECT or ASK answer, for the table renderer.

    A plain class, not a dataclass: a cold `kg query` must not import ``dataclasses``
    (tests/test_cold_query.py).
    """

    __slots__ = ("boolean", "kind", "rows", "variables")

    def __init__(self, kind: str, variables: list[str],
                 rows: list[list[ox.NamedNode | ox.BlankNode | ox.Literal | None]],
                 boolean: bool | None = None) -> None:
        self.kind = kind  # "select" or "ask"
        self.variables, self.rows, self.boolean = variables, rows, boolean

    def __repr__(self) -> str:
        return (f"Answer({self.kind!r}, {self.variables!r}, {len(self.rows)} rows, "
                f"boolean={self.boolean!r})")


#: A list of triples is a CONSTRUCT/DESCRIBE answer from a remote endpoint (kg.query.remote).
Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | list


def execute(store: ox.Store, query: StoredQuery, params: dict[str, str],
            prefixes: dict[str, str], endpoints: dict[str, str] | None = None,
            page: int | None = None, conforms: bool = False) -> Result:
    """Start evaluating ``query`` with its parameters bound as any SPARQL engine would see them.

    Each parameter variable is replaced by its value serialised as an RDF term (see
    :func:`kg.catalog.substitute`): the same text runs here and on a remote endpoint, and a
    parameter need not be selected. ``endpoints`` sends SERVICE calls elsewhere (Wikidata's
    to a mirror or a stand-in). ``page`` (from 1) of a paged query (``#+ pagination``) asks
    for that page and one row more: :func:`take_page` splits them; None asks for everything.
    With ``conforms`` (the store is a validated build), a query ``#+ checked_by`` shapes is
    answered by the validation instead: the build conforms to them and they find every row
    the query could return, so the answer is empty (its variables asked of an empty store)
    and the audit costs nothing, however large the graph.
    """
    if conforms and query.checked_by:
        store = ox.Store()
    text = substitute(query.text, bind(query, params, prefixes))
    if page is not None and query.page_size:
        text = page_text(text, query.page_size, page)
    with _query_errors(query, prefixes):
        text = federated_text(store, query._replace(text=text), endpoints or {})
        return store.query(text, prefixes=prefixes)


def take_page(result: Result, size: int) -> tuple[Result, bool]:
    """The first ``size`` rows of a SELECT answer, and whether there were more.

    For an answer of :func:`kg.query.catalog.page_text` (a page and one row more): the page
    comes back as an answer of its own (rebuilt through SPARQL JSON, so every format renders
    it as any answer), the extra row only says that a next page exists.
    """
    if not isinstance(result, ox.QuerySolutions):
        return result, False
    import itertools
    import json

    variables = [v.value for v in result.variables]
    rows = list(itertools.islice(result, size + 1))
    bindings = [{v: _json_term(row[i]) for i, v in enumerate(variables) if row[i] is not None}
                for row in rows[:size]]
    document = json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}})
    return (ox.parse_query_results(document.encode(), format=ox.QueryResultsFormat.JSON),
            len(rows) > size)


def _json_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if term.language:
        return {"type": "literal", "value": term.value, "xml:lang": term.language}
    return {"type": "literal", "value": term.value, "datatype": term.datatype.value}


def federated_text(store: ox.Store, query: StoredQuery, endpoints: dict[str, str]) -> str:
    """The text to evaluate: SERVICE calls retargeted, linked items sent along to Wikidata."""
    if not endpoints and not query.linked_items:
        return query.text  # nothing to change: no need to load the SERVICE scanner
    from kg.query.federation import WDQS, retarget, send_values

    text = retarget(query.text, endpoints)
    if query.linked_items:
        text = send_values(text, (endpoints.get(WDQS, WDQS),), query.linked_items,
                           linked_wikidata_items(store))
    return text


def linked_wikidata_items(store: ox.Store) -> list[str]:
    """Every Wikidata item the graph links to (owl:sameAs or skos:exactMatch)."""
    from kg.query.federation import ENTITY

    return sorted({row["item"].value for row in store.query(
        "SELECT DISTINCT ?item WHERE { ?s <http://www.w3.org/2002/07/owl#sameAs>"
        "|<http://www.w3.org/2004/02/skos/core#exactMatch> ?item . "
        f'FILTER (STRSTARTS(STR(?item), "{ENTITY}")) }}')})


def render(result: Result, fmt: str | None, compactor: Compactor, query: StoredQuery,
           width: int | None = None) -> bytes:
    """Evaluate and serialise into memory, so an evaluation error never leaves half an answer.

    Standard formats come from Oxigraph's own serialisers; only the table is ours. ``width``
    wraps the table's cells to fit that many columns; None never cuts or wraps a value.
    """
    with _query_errors(query):
        if isinstance(result, (ox.QueryTriples, list)):
            fmt = fmt or "turtle"
            if fmt not in GRAPH_FORMATS:
                raise BadQuery(f"--format {fmt} is for SELECT/ASK answers; a CONSTRUCT or "
                                 f"DESCRIBE answer can be {', '.join(GRAPH_FORMATS)}")
            triples = sorted(result, key=lambda t: (str(t.subject), str(t.predicate),
                                                    str(t.object)))
            prefixes = compactor.prefixes if fmt == "turtle" else None
            return ox.serialize(triples, format=GRAPH_FORMATS[fmt], prefixes=prefixes) or b""
        fmt = fmt or "table"
        if fmt not in TABLE_FORMATS:
            raise BadQuery(f"--format {fmt} is for CONSTRUCT/DESCRIBE answers; a SELECT or "
                             f"ASK answer can be {', '.join(TABLE_FORMATS)}")
        if fmt != "table":
            return result.serialize(format=RESULT_FORMATS[fmt]) or b""
        hidden = {p.variable for p in query.parameters}
        return render_table(materialise(result), compactor, hidden, width).encode()


def materialise(result: ox.QuerySolutions | ox.QueryBoolean) -> Answer:
    if isinstance(result, ox.QueryBoolean):
        return Answer("ask", [], [], boolean=bool(result))
    variables = [v.value for v in result.variables]
    rows = [[solution[i] for i in range(len(variables))] for solution in result]
    return Answer("select", variables, rows)


@contextlib.contextmanager
def _query_errors(query: StoredQuery, prefixes: dict[str, str] | None = None
                  ) -> Iterator[None]:
    try:
        yield
    except SyntaxError as error:
        raise BadQuery(f"query {query.name}: {_syntax_message(error, query.text, prefixes)}"
                       ) from None
    except (OSError, RuntimeError) as error:
        raise QueryError(f"query {query.name} failed: {error}") from None


def _syntax_message(error: SyntaxError, text: str = "",
                    prefixes: dict[str, str] | None = None) -> str:
    """Oxigraph says 'error at 3:14: expected …'; say it in words.

    An undeclared prefix makes Oxigraph list every character a name may hold; name the
    prefix and the ones that are known instead.
    """
    message = str(error)
    match = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    where, reason = (f" at line {match[1]}, column {match[2]}", match[3]) if match \
        else ("", message)
    if "Prefix not found" in reason:
        declared = set(re.findall(r"(?i)\bPREFIX\s+([\w.-]*):", text))
        known = sorted(set(prefixes or {}) | declared)
        unknown = [p for p in _prefixes_used(text) if p not in known]
        if unknown:
            return (f"unknown prefix `{unknown[0]}:`{where} (known: {', '.join(known)}; "
                    "declare others with PREFIX)")
    return f"syntax error{where}: {reason}"


_LEXEMES = re.compile(r'(<[^<>"{}|^`\\\s]*>)|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|#[^\n\r]*')


def _iris_and_names(text: str) -> tuple[list[str], str]:
    """The IRIs written out in a query, and its text without IRIs, strings and comments.

    For messages only (which prefix is unknown, which term is misspelt): the query is
    parsed by Oxigraph, never by this.
    """
    iris: list[str] = []

    def blank(match: re.Match) -> str:
        if match[1]:
            iris.append(match[1][1:-1])
        return " "

    return iris, _LEXEMES.sub(blank, text)


_PNAME = re.compile(r"(?<![\w?$:.-])([A-Za-z][\w.-]*)?:([A-Za-z_][\w-]*)?")


def _prefixes_used(text: str) -> list[str]:
    """The prefixes of prefixed names in a query, outside IRIs, strings and comments."""
    _iris, bare = _iris_and_names(text)
    return list(dict.fromkeys(m[1] or "" for m in _PNAME.finditer(bare)))


def undefined_terms(store: ox.Store, text: str, prefixes: dict[str, str],
                    namespace: str) -> list[str]:
    """Terms of ``namespace`` a query names that nothing in the graph describes.

    A class or property misspelt (``olc:Project`` for ``olc:OpenLLMProject``) matches
    nothing, so the query answers no rows without an error; the CLI warns about these.
    """
    written, bare = _iris_and_names(text)
    declared = dict(re.findall(r"(?i)\bPREFIX\s+([\w.-]*):\s*<([^>]*)>", text))
    known = {**prefixes, **declared}
    iris = set(written) - set(declared.values())
    for match in _PNAME.finditer(bare):
        prefix, local = match[1] or "", match[2]
        if local and prefix in known:
            iris.add(known[prefix] + local)
    missing = []
    for iri in sorted(i for i in iris if i.startswith(namespace) and i != namespace):
        try:
            term = ox.NamedNode(iri)
        except ValueError:
            continue
        if all(next(store.quads_for_pattern(*pattern), None) is None
               for pattern in ((term, None, None), (None, term, None), (None, None, term))):
            missing.append(iri)
    return missing


def humanise(name: str) -> str:
    """``orgType`` or ``org_type`` -> ``org type``: column names that read as English."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return spaced.strip().lower() or name


def readable(answer: Answer, compactor: Compactor, hidden: set[str] = frozenset()
             ) -> tuple[list[str], list[list[str]]]:
    """Column names and cell texts for people: labels for IRIs, words for column names.

    ``?x`` with a ``?xLabel`` column shows the label instead; columns in ``hidden`` (a
    query's parameters, whose value the user just gave) are left out.
    """
    labels = {v[: -len("Label")]: i for i, v in enumerate(answer.variables)
              if v.endswith("Label") and v[: -len("Label")] in answer.variables}
    shown = [i for i, v in enumerate(answer.variables)
             if i not in labels.values() and v not in hidden]
    # A ?xLabel shown on its own (no ?x column) reads as "x".
    header = [humanise(answer.variables[i].removesuffix("Label") or answer.variables[i])
              for i in shown]
    body = []
    for row in answer.rows:
        cells = []
        for i in shown:
            term = row[i]
            label_index = labels.get(answer.variables[i])
            if label_index is not None and row[label_index] is not None:
                term = row[label_index]
            cells.append(" ".join(compactor.term(term).split()))  # no newlines in a cell
        body.append(cells)
    return header, body


def render_table(answer: Answer, compactor: Compactor, hidden: set[str] = frozenset(),
                 width: int | None = None) -> str:
    """An aligned text table of :func:`readable` cells, with a row count.

    With ``width`` (a terminal's), long cells wrap onto more lines so the table fits; a
    value is never cut. Without it, every cell is one line, whole.
    """
    if answer.kind == "ask":
        return ("yes" if answer.boolean else "no") + "\n"
    header, rows = readable(answer, compactor, hidden)
    widths = [max([len(h)] + [len(r[c]) for r in rows]) for c, h in enumerate(header)]
    if width is not None:
        widths = _fit(widths, [len(h) for h in header], width)
    from textwrap import wrap  # here: only a table on a terminal wraps

    def lines(cells: list[str]) -> list[str]:
        wrapped = [wrap(cell, w, break_on_hyphens=False) or [""] if len(cell) > w
                   else [cell] for cell, w in zip(cells, widths, strict=True)]
        return ["  ".join((column[i] if i < len(column) else "").ljust(w)
                          for column, w in zip(wrapped, widths, strict=True)).rstrip()
                for i in range(max(len(c) for c in wrapped))]

    out = [*lines(header), "  ".join("-" * w for w in widths).rstrip()]
    for row in rows:
        out += lines(row)
    count = len(answer.rows)
    out.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(out) + "\n"


def render_markdown(answer: Answer, compactor: Compactor, hidden: set[str] = frozenset()) -> str:
    """A Markdown table of :func:`readable` cells (full text, pipes escaped)."""
    if answer.kind == "ask":
        return ("yes" if answer.boolean else "no") + "\n"
    header, rows = readable(answer, compactor, hidden)
    if not rows:
        return "*(no rows)*\n"

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

    return "\n".join([line(header), line(["---"] * len(header)), *map(line, rows)]) + "\n"


def _fit(widths: list[int], minimum: list[int], total: int) -> list[int]:
    """Narrow the widest columns until the row (with two spaces between) fits ``total``."""
    widths = list(widths)
    room = total - 2 * (len(widths) - 1)
    floor = [min(w, max(MIN_COLUMN, m)) for w, m in zip(widths, minimum, strict=True)]
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floor[i])
        if widths[widest] <= floor[widest]:
            break  # as narrow as it gets: the terminal wraps the rest
        widths[widest] -= 1
    return widths
