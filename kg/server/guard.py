"""Checks a query before anything evaluates it: which SERVICE endpoints it would call.

Federation is the one way a SPARQL query makes the server send requests elsewhere, and
the bare Oxigraph server follows any SERVICE IRI, loopback and private addresses included,
and echoes the remote body in its errors. So every SERVICE target is found before
evaluation and must be on the allow-list, written out in full: a variable, a relative IRI or
an unknown prefix is refused. The scan is lexical, on the query text after SPARQL's codepoint
escapes (\\u0053ERVICE is SERVICE) are decoded, skipping strings, IRIs and comments, so a
SERVICE keyword cannot hide from it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_TOKEN = re.compile(
    r'(?P<string>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r"|(?P<iri><[^<>\"{}|^`\\\s]*>)"
    r"|(?P<comment>#[^\n]*)"
    r"|(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)"
    r"|(?P<pname>[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*?:[^\s{}()<>\"',;]*"
    r"|:[^\s{}()<>\"',;]*)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<other>\S)",
    re.DOTALL,
)


class Refused(Exception):
    """The query asks for something the endpoint does not do; the message says what."""


def decode_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def service_targets(query: str) -> list[str]:
    """The IRIs every SERVICE clause of ``query`` would call; Refused for any it cannot pin."""
    text = decode_escapes(query)
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)
              if m.lastgroup not in ("string", "comment")]
    prefixes: dict[str, str] = {}
    base: str | None = None
    targets = []
    for index, (kind, value) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
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
            targets.append(_target(rest[0], prefixes, base))
    return targets


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


def check_federation(query: str, allowed: tuple[str, ...]) -> None:
    """Refused unless every SERVICE endpoint of ``query`` is on the allow-list."""
    for target in service_targets(query):
        if target not in allowed:
            allowed_text = ", ".join(allowed) or "none"
            raise Refused(f"SERVICE <{target}> is not allowed: this endpoint federates only "
                          f"with {allowed_text}")
