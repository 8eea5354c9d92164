"""Which SERVICE endpoints a query would call, checked and redirected before evaluation.

Federation is the one way a SPARQL query makes the server send requests elsewhere. The
guarantee that only allow-listed endpoints are reached does not rest on this module: `kg
serve` evaluates queries in worker processes sealed off the network (``kg.serve.sandbox``),
whose only way out is a relay to the allow-listed endpoints. What this module does is give a
clear 400 before evaluation, and retarget SERVICE IRIs (to a mirror, or to the relay).

The scan is lexical. It reads the text twice, once as Oxigraph does (codepoint escapes are
left alone) and once with SPARQL's codepoint escapes decoded (\\u0053ERVICE is SERVICE), and
a target either reading finds must be allowed. Whitespace is SPARQL's (space, tab, CR, LF),
comments end at CR or LF, and a word that merely contains SERVICE (``trueSERVICE``) is
refused, since the engine's grammar needs no space between tokens.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\r\n]|\\.)*"|\'(?:[^\'\\\r\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<comment>#[^\r\n]*)"
    r"|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\U0010FFFF]+)"
    r"|(?P<pname>[A-Za-z\u00C0-\U0010FFFF][\w.\-\u00B7\u00C0-\U0010FFFF]*?:"
    r"(?:\\.|[^\x00-\x20{}()<>\"',;\\])*"
    r"|:(?:\\.|[^\x00-\x20{}()<>\"',;\\])*)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<other>[^ \t\r\n])",
    re.DOTALL,
)
_NESTING = {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}

#: Wikidata's query service, the default endpoint for linking and for federated queries.
WDQS = "https://query.wikidata.org/sparql"
#: The namespace of Wikidata's entity IRIs (items are http://www.wikidata.org/entity/Qnnn).
ENTITY = "http://www.wikidata.org/entity/"


class Refused(Exception):
    """The query asks for something the endpoint does not do; the message says what."""


def decode_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def service_targets(query: str) -> list[str]:
    """The IRIs every SERVICE clause of ``query`` would call; Refused for any it cannot pin.

    Both readings of the text count: as written, and with codepoint escapes decoded.
    """
    found = [target for target, _span in _services(query)]
    decoded = decode_escapes(query)
    if decoded != query:
        found += [t for t, _span in _services(decoded) if t not in found]
    return found


def nesting_depth(query: str) -> int:
    """The deepest nesting of braces, parentheses and brackets outside strings and IRIs."""
    depth = deepest = 0
    for match in _TOKEN.finditer(query):
        if match.lastgroup == "other":
            depth += _NESTING.get(match.group(), 0)
            deepest = max(deepest, depth)
    return deepest


def is_federated(query: str) -> bool:
    """Whether evaluating ``query`` would call another endpoint."""
    try:
        return bool(service_targets(query))
    except Refused:
        return True


def check_federation(query: str, allowed: tuple[str, ...]) -> None:
    """Refused unless every SERVICE endpoint of ``query`` is on the allow-list."""
    for target in service_targets(query):
        if target not in allowed:
            allowed_text = ", ".join(allowed) or "none"
            raise Refused(f"SERVICE <{target}> is not allowed: this endpoint federates only "
                          f"with {allowed_text}")


def retarget(query: str, endpoints: dict[str, str]) -> str:
    """``query`` with every SERVICE call to a key of ``endpoints`` sent to its value instead.

    How a federated prebuilt query written for Wikidata's endpoint runs against a mirror or
    a local stand-in: the SERVICE IRI is replaced, nothing else in the text changes.
    """
    if not endpoints:
        return query
    text = query
    pieces, last = [], 0
    for target, (start, end) in _services_or_none(text):
        if target in endpoints:
            pieces += [text[last:start], f"<{endpoints[target]}>"]
            last = end
    return "".join(pieces) + text[last:] if pieces else query


def send_values(query: str, endpoints: tuple[str, ...], variable: str,
                iris: list[str]) -> str:
    """``query`` with ``VALUES ?variable { <iri> … }`` first in each SERVICE block to ``endpoints``.

    Oxigraph sends a SERVICE block's pattern without the bindings the rest of the query has
    found, so a join on ``?item`` would ask the remote endpoint for every item it has. Given
    the items the local graph can join with, the remote side answers only for those.
    """
    text = query
    pieces, last = [], 0
    values = f" VALUES ?{variable} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"
    for target, (_start, end) in _services_or_none(text):
        if target not in endpoints:
            continue
        brace = text.index("{", end)
        pieces += [text[last:brace + 1], values]
        last = brace + 1
    return "".join(pieces) + text[last:] if pieces else query


def _services_or_none(text: str) -> list[tuple[str, tuple[int, int]]]:
    """The SERVICE calls to rewrite; none when one cannot be pinned (the engine decides)."""
    try:
        return _services(text)
    except Refused:
        return []


def _services(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Each SERVICE clause's endpoint IRI and where its IRI token is in ``text``."""
    tokens = [(m.lastgroup, m.group(), m.span()) for m in _TOKEN.finditer(text)
              if m.lastgroup not in ("string", "comment")]
    prefixes: dict[str, str] = {}
    base: str | None = None
    found = []
    for index, (kind, value, _span) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        if upper != "SERVICE" and "SERVICE" in upper:
            raise Refused(f"{value}: write SERVICE as a word of its own, with a space "
                          "before and after it")
        if upper == "PREFIX" and index + 2 < len(tokens):
            name, iri = tokens[index + 1][1], tokens[index + 2][1]
            if iri.startswith("<"):
                prefixes[name.rstrip(":")] = _resolve(iri[1:-1], base)
        elif upper == "BASE" and index + 1 < len(tokens) and tokens[index + 1][0] == "iri":
            base = _resolve(tokens[index + 1][1][1:-1], base)
        elif upper == "SERVICE":
            rest = tokens[index + 1:index + 3]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
                rest = rest[1:]
            if not rest:
                raise Refused("SERVICE without an endpoint")
            found.append((_target(rest[0][:2], prefixes, base), rest[0][2]))
    return found


def _resolve(iri: str, base: str | None) -> str:
    return urljoin(base, iri) if base and not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri) else iri


def _target(token: tuple[str, str], prefixes: dict[str, str], base: str | None) -> str:
    kind, value = token
    if kind == "var":
        raise Refused(f"SERVICE {value}: federation to an endpoint chosen at run time "
                      "(a variable) is not allowed; name the endpoint")
    if kind == "iri":
        iri = _resolve(value[1:-1], base)
    elif kind == "pname":
        prefix, local = value.split(":", 1)
        if prefix not in prefixes:
            raise Refused(f"SERVICE {value}: unknown prefix {prefix}:")
        iri = prefixes[prefix] + local
    else:
        raise Refused(f"SERVICE {value}: not an endpoint IRI")
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri):
        raise Refused(f"SERVICE <{iri}>: a relative IRI cannot be an endpoint")
    return iri
