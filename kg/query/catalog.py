"""The prebuilt query catalog: ``queries/*.rq`` files with grlc-style ``#+`` decorators.

The header stays a SPARQL comment, so the same files work with grlc and other tools::

    #+ summary: Grassroots projects with compute partnerships
    #+ tags: [governance, artefacts]
    #+ defaults:
    #+   - region: Europe

Decorators and parameters are read exactly as grlc reads them (``grlc/gquery.py``): the
header is every line that starts with ``#+``, as YAML; ``?_name`` is a required parameter,
``?__name`` an optional one, and a suffix types the value: ``?_name_iri`` (an IRI),
``?_name_number``, ``?_name_literal``, ``?_name_integer`` (xsd:integer),
``?_name_prefix_type`` (a literal of that datatype), any other ``?_name_xx`` a literal in
language ``xx``. A value is bound as grlc binds it, by replacing the variable in the text, but
serialised as an RDF term by pyoxigraph (quotes and escapes done), so a parameter need not be
selected and a value can never change the query around it.

``#+ pagination: N`` (grlc's decorator) pages a SELECT whose answer grows with the graph: N
rows a page, page 1 by default, ``page`` naming another (grlc's parameter); :func:`page_text`
adds the ``LIMIT``/``OFFSET``, one row more than a page, so that the caller knows whether a
next page exists without counting the answer.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections import namedtuple
from pathlib import Path

import pyoxigraph as ox

from kg.errors import BadQuery

#: Decorators grlc defines; the ones kg does not use are accepted and ignored.
GRLC_KEYS = {"summary", "description", "endpoint", "pagination", "method", "tags", "defaults",
             "enumerate", "endpoint_in_url", "transform", "endpoint-method"}
#: Ours: the variable of a SERVICE block to Wikidata that holds items linked from the graph
#: (kg sends their list along, see kg.query.federation.send_values).
#: ``checked_by``: the shapes (IRIs) whose results include every row the query can return,
#: so a build that conforms to them answers it empty without evaluating it (run.execute).
KG_KEYS = {"linked_items", "view", "checked_by"}
#: The ways a ``#+ view:`` decorator can draw an answer (kg.publish.figures draws them).
VIEWS = ("table", "bar", "timeline", "graph", "map", "matrix")


# Tokens that may contain "?_x" without being a variable: IRIs, strings, comments.
_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
    r"|<[^<>\"{}|^`\\\s]*>|#[^\n]*"
    # [A-Za-z0-9_\u00B7\u00C0-\uFFFF], written so that it compiles in 0.3 ms, not 7 ms
    # (sre builds a bitmap of a range that wide; a cold `kg query` pays it)
    r"|[?$](?P<var>(?:[A-Za-z0-9_\u00B7]|[^\x00-\xBF\U00010000-\U0010FFFF])+)"
)

_PREFIX_DECL = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
#: grlc's parameter pattern (gquery.get_parameters), matched over the whole text as grlc does.
_GRLC_PARAMETER = re.compile(
    r"\?(?P<required>[_]{1,2})(?P<name>[a-zA-Z0-9]+)"
    r"([_](?P<type>(iri)|(number)|(literal)|(integer)))?"
    r"([_](?P<prefix>[a-zA-Z0-9]+)[_](?P<userdefined>[a-zA-Z0-9]+))?"
    r"([_](?P<lang>[a-zA-Z0-9]+))?")
_NUMERIC = {"integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
            "positiveInteger"}
XSD = "http://www.w3.org/2001/XMLSchema#"


# Records as namedtuples, not dataclasses: a cold `kg query` must not import
# ``dataclasses`` (tests/test_cold_query.py).
_ParameterFields = namedtuple("_ParameterFields", (
    "name",      # as users give it: --param name=value
    "variable",  # the query's variable, without ?
    "required",
    "kind",      # "literal", "iri", "number", "lang", or "datatype"
    "detail",    # the language tag, or the datatype as prefix:local
    "default",
    "allowed",   # the values ``#+ enumerate`` allows, or ()
), defaults=(None, None, ()))


class Parameter(_ParameterFields):
    """A query variable users bind with ``--param name=value``."""

    __slots__ = ()

    def describe(self) -> str:
        kind = {"lang": f"text@{self.detail}", "datatype": self.detail}.get(self.kind, self.kind)
        state = f"default {self.default!r}" if self.default is not None else (
            "required" if self.required else "optional")
        return f"{self.name} ({kind}, {state})"


_StoredQueryFields = namedtuple("_StoredQueryFields", (
    "name", "text", "summary", "description",
    "tags",          # tuple of str
    "parameters",    # tuple of Parameter
    "path",          # the .rq file, or None
    "linked_items",  # ``#+ linked_items``: the variable a SERVICE block's items come in
    # How the answer is drawn besides the table (``#+ view:``): a kind from VIEWS and, from
    # a mapping such as ``{type: graph, layout: layered}``, options naming columns.
    "view", "view_options",
    "page_size",     # rows a page (``#+ pagination: N``); None: the answer comes whole
    # ``#+ checked_by``: shapes every validated build conforms to that find each row of
    # this query, so a validated build's answer is empty by construction.
    "checked_by",
), defaults=("", "", (), (), None, None, "table", (), None, ()))


class StoredQuery(_StoredQueryFields):
    """One query of the catalog (or one asked inline), its ``#+`` header read."""

    __slots__ = ()

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def declared_prefixes(self) -> dict[str, str]:
        return {m.group(1) or "": m.group(2) for m in _PREFIX_DECL.finditer(self.text)}


def parse_query(text: str, name: str, path: Path | None = None,
                headers: HeaderCache | None = None) -> StoredQuery:
    """Read the ``#+`` header and the parameters of one query."""
    # grlc: every line that starts with "#+", anywhere, with its leading '#' and '+' removed
    header = [row.lstrip("#+") for row in text.split("\n") if row.startswith("#+")]
    meta = _read_header(header, name, headers) if header else {}
    defaults = _as_mapping(meta.get("defaults"), "defaults", name)
    allowed = _as_mapping(meta.get("enumerate"), "enumerate", name)
    found: dict[str, Parameter] = {}
    for match in _GRLC_PARAMETER.finditer(text):
        found.setdefault(match["name"], _parameter(match, defaults, allowed))
    parameters = tuple(found.values())
    variables = {m["var"] for m in _TOKENS.finditer(text) if m["var"]}
    stray = [f"?{p.variable}" for p in parameters if p.variable not in variables]
    if stray:
        raise BadQuery(f"query {name}: {', '.join(stray)} appears only in a comment, string or "
                       "IRI, yet grlc would offer it as a parameter; rename it")
    unknown = set(defaults) - {p.name for p in parameters}
    if unknown:
        raise BadQuery(f"query {name}: defaults for unknown parameter(s) "
                         f"{', '.join(sorted(unknown))}")
    tags = meta.get("tags") or ()
    view, view_options = _view(meta.get("view"), name)
    page_size = _page_size(meta.get("pagination"), name, parameters)
    return StoredQuery(
        name=name, text=text, path=path,
        summary=str(meta.get("summary") or "").strip(),
        description=str(meta.get("description") or "").strip(),
        tags=tuple(str(t) for t in ([tags] if isinstance(tags, str) else tags)),
        parameters=parameters,
        linked_items=str(meta["linked_items"]).lstrip("?") if meta.get("linked_items") else None,
        view=view, view_options=view_options, page_size=page_size,
        checked_by=_shape_list(meta.get("checked_by"), name),
    )


def _shape_list(value: object, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.startswith("https://")
                                              for v in value):
        raise BadQuery(f"query {name}: #+ checked_by must be a list of shape IRIs")
    return tuple(value)


def _page_size(value: object, name: str, parameters: tuple[Parameter, ...]) -> int | None:
    """``#+ pagination: 100``: a whole number of rows; the query may not name a ``page``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise BadQuery(f"query {name}: #+ pagination must be a whole number of rows a page "
                       f"(such as 100), not {value!r}")
    if any(p.name == PAGE for p in parameters):
        raise BadQuery(f"query {name}: a paged query cannot have a parameter named {PAGE!r} "
                       "(grlc and kg serve use it for the page number)")
    return value


#: The page number's name, in grlc's API, kg serve's URLs and the OpenAPI description.
PAGE = "page"


def page_text(text: str, size: int, page: int) -> str:
    """The query limited to page ``page`` (from 1) of ``size`` rows, and one row more.

    The extra row only tells whether another page follows; callers show ``size`` rows. The
    limit goes after the query's own ORDER BY, so pages follow the query's order, and is the
    same text on any engine.
    """
    if page < 1:
        raise BadQuery(f"page {page}: pages are numbered from 1")
    return f"{text.rstrip()}\nLIMIT {size + 1} OFFSET {(page - 1) * size}\n"


def _view(value: object, name: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``#+ view: graph`` or ``#+ view: {type: graph, layout: layered}``."""
    if value is None:
        return "table", ()
    options: dict[str, object] = {}
    if isinstance(value, dict):
        options = {str(k): v for k, v in value.items()}
        value = options.pop("type", None)
    if not isinstance(value, str) or value not in VIEWS:
        raise BadQuery(f"query {name}: #+ view must be one of {', '.join(VIEWS)} "
                         f"(or a mapping with 'type: …'), not {value!r}")
    if any(not isinstance(v, str | int) for v in options.values()):
        raise BadQuery(f"query {name}: #+ view options must be 'name: value' pairs")
    return value, tuple(sorted((k, str(v)) for k, v in options.items()))


class HeaderCache:
    """The YAML of ``#+`` headers already read, by their text, in a JSON file.

    Importing PyYAML and reading one header costs a cold `kg query` more than the freshness
    check and the query together on a small graph (about 30 ms of a 100 ms command), while
    headers rarely change. Keyed by the header's own text, an entry can never be stale; only
    headers that JSON gives back exactly are kept (a date or a number key is read again).
    A cache that cannot be read or written is simply not used.
    """

    LIMIT = 1000  # entries; past it the file starts again (old headers of edited queries)

    def __init__(self, path: Path) -> None:
        self.path = path
        self._entries: dict | None = None

    def _load(self) -> dict:
        if self._entries is None:
            try:
                entries = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                entries = {}
            self._entries = entries if isinstance(entries, dict) else {}
        return self._entries

    def get(self, header: str) -> object:
        return self._load().get(header)

    def put(self, header: str, meta: object) -> None:
        try:
            if json.loads(json.dumps(meta)) != meta:
                return
        except (TypeError, ValueError):
            return
        entries = self._load()
        if len(entries) >= self.LIMIT:
            entries.clear()
        entries[header] = meta
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_text(json.dumps(entries), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:  # a read-only store: go without (the unlink may fail too)
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def _read_header(lines: list[str], name: str, headers: HeaderCache | None = None) -> dict:
    text = "\n".join(lines)
    meta = headers.get(text) if headers is not None else None
    if meta is None:
        import yaml

        try:
            meta = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" (header line {mark.line + 1})" if mark else ""
            raise BadQuery(f"query {name}: the #+ header is not valid YAML{where}: "
                           f"{getattr(error, 'problem', error)}") from None
        if headers is not None and isinstance(meta, dict):
            headers.put(text, meta)
    if not isinstance(meta, dict):
        raise BadQuery(f"query {name}: the #+ header must be 'key: value' lines")
    unknown = set(meta) - GRLC_KEYS - KG_KEYS
    if unknown:
        raise BadQuery(f"query {name}: unknown #+ decorator(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(sorted(GRLC_KEYS | KG_KEYS))}")
    return meta


def _as_mapping(value: object, key: str, name: str) -> dict[str, object]:
    """grlc writes defaults/enumerate as a list of one-key maps; a plain map is accepted too.

    An ``enumerate`` entry that is only a name (grlc then asks the endpoint for the values)
    restricts nothing here.
    """
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list) and all(isinstance(item, dict) or
                                       (key == "enumerate" and isinstance(item, str))
                                       for item in value):
        return {str(k): v for item in value if isinstance(item, dict) for k, v in item.items()}
    raise BadQuery(f"query {name}: #+ {key} must be a list of 'name: value' entries")


def _parameter(match: re.Match, defaults: dict, allowed: dict) -> Parameter:
    """One parameter as grlc reads it from its variable's name."""
    name, kind, detail = match["name"], "literal", None
    if match["type"] in ("iri", "number", "literal"):
        kind = match["type"]
    elif match["type"] == "integer":
        kind, detail = "datatype", "xsd:integer"
    elif match["prefix"] and match["userdefined"]:
        kind, detail = "datatype", f"{match['prefix']}:{match['userdefined']}"
    if match["lang"]:  # grlc applies a language last, over any type
        kind, detail = "lang", match["lang"]
    default = defaults.get(name)
    values = allowed.get(name) or ()
    return Parameter(name, match[0][1:], len(match["required"]) == 1, kind, detail,
                     None if default is None else str(default),
                     tuple(str(v) for v in values))


class Catalog:
    """The ``.rq`` files of a project's ``queries/`` folder, by name (the file stem)."""

    def __init__(self, directory: Path, headers: HeaderCache | None = None) -> None:
        self.directory = directory
        self.headers = headers

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.directory.glob("*.rq"))

    def get(self, name: str) -> StoredQuery:
        """The query called ``name``: looked up among :meth:`names`, never joined into a path
        (a name such as ``../x`` or ``/tmp/x`` names no query)."""
        if name not in self.names():
            import difflib

            close = difflib.get_close_matches(name[:200], self.names(), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            shown = name if len(name) <= 80 else name[:79] + "…"
            raise BadQuery(f"No prebuilt query named {shown!r}.{hint} "
                           "`kg queries` lists them.")
        return load_query_file(self.directory / f"{name}.rq", name, self.headers)

    def all(self) -> list[StoredQuery]:
        return [self.get(name) for name in self.names()]


def load_query_file(path: Path, name: str | None = None,
                    headers: HeaderCache | None = None) -> StoredQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BadQuery(f"{path}: cannot be read ({error})") from None
    return parse_query(text, name or path.stem, path, headers)


def bind(query: StoredQuery, values: dict[str, str], prefixes: dict[str, str]
         ) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Turn ``--param`` strings into typed RDF terms for the engine to substitute."""
    listing = "; ".join(p.describe() for p in query.parameters) or "none"
    unknown = [name for name in values if query.parameter(name) is None]
    if unknown:
        raise BadQuery(f"query {query.name} has no parameter {', '.join(unknown)}. "
                         f"Its parameters: {listing}")
    missing = [p.name for p in query.parameters
               if p.required and p.default is None and p.name not in values]
    if missing:
        raise BadQuery(f"query {query.name} needs --param {missing[0]}=VALUE"
                         f"{' (and ' + ', '.join(missing[1:]) + ')' if missing[1:] else ''}. "
                         f"Its parameters: {listing}")
    all_prefixes = {**prefixes, **query.declared_prefixes()}
    bindings = {}
    for parameter in query.parameters:
        value = values.get(parameter.name, parameter.default)
        if value is None:
            continue
        if parameter.allowed and value not in parameter.allowed:
            raise BadQuery(f"--param {parameter.name}: {value!r} is not one of "
                             f"{', '.join(parameter.allowed)}")
        bindings[ox.Variable(parameter.variable)] = _term(parameter, value, all_prefixes)
    return bindings


def substitute(text: str, bindings: dict[ox.Variable, ox.NamedNode | ox.Literal]) -> str:
    """The query with each bound parameter variable replaced by its value as an RDF term.

    This is how grlc binds, and what any SPARQL 1.1 engine understands: the value is
    serialised by pyoxigraph (``<iri>`` or a literal with its quotes and escapes), and only
    variable tokens are replaced, never text inside strings, IRIs or comments, so a value
    can never change the query around it.
    """
    values = {variable.value: str(term) for variable, term in bindings.items()}
    if not values:
        return text
    parts, position = [], 0
    for match in _TOKENS.finditer(text):
        value = values.get(match.group("var") or "")
        if value is not None:
            parts += [text[position:match.start()], value]
            position = match.end()
    return "".join(parts) + text[position:]


def _term(parameter: Parameter, value: str, prefixes: dict[str, str]
          ) -> ox.NamedNode | ox.Literal:
    def fail(reason: str) -> BadQuery:
        return BadQuery(f"--param {parameter.name}: {value!r} {reason}")

    from decimal import Decimal, InvalidOperation  # only for numeric parameters

    if parameter.kind == "iri":
        return ox_iri(value, prefixes, fail)
    if parameter.kind == "lang":
        return ox.Literal(value, language=parameter.detail)
    if parameter.kind == "number":
        try:
            return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))
        except ValueError:
            try:
                return ox.Literal(str(Decimal(value)), datatype=ox.NamedNode(XSD + "decimal"))
            except InvalidOperation:
                raise fail("is not a number") from None
    if parameter.kind == "datatype":
        datatype = ox_iri(parameter.detail or "", prefixes, fail)
        if datatype.value.startswith(XSD) and datatype.value[len(XSD):] in _NUMERIC:
            try:
                Decimal(value)
            except InvalidOperation:
                raise fail(f"is not a valid {parameter.detail}") from None
        return ox.Literal(value, datatype=datatype)
    return ox.Literal(value)


def ox_iri(value: str, prefixes: dict[str, str], fail) -> ox.NamedNode:
    """``<iri>``, an absolute IRI, or ``prefix:local`` with a known prefix."""
    value = value.strip()
    if value.startswith("<"):
        if not value.endswith(">"):
            raise fail("is not a valid IRI (it opens with < but does not end with >)")
        value = value[1:-1]
    elif ":" in value and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value):
        prefix, local = value.split(":", 1)
        if prefix in prefixes:
            value = prefixes[prefix] + local
        elif not re.match(r"^(urn|mailto|tag|did):", value):
            raise fail(f"uses the unknown prefix {prefix}:")
    try:
        return ox.NamedNode(value)
    except ValueError as error:
        raise fail(f"is not a valid IRI ({error})") from None
