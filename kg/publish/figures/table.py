"""An answer as rows of plain values, and the columns a view draws (its roles).

Views find their columns by name, the way the Wikidata Query Service's views do
(``?item``/``?itemLabel``, ``?groupLabel``, ``?colourLabel``, ``?date``, ``?value``, ``?source``
/``?target`` and ``?edgeLabel`` for graphs); a ``#+ view:`` mapping can name other columns
(``{type: bar, group: modelLabel, value: projects}``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.query import Answer, StoredQuery
from kg.terms import Compactor

NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger",
    "positiveInteger")}


@dataclass
class Rows:
    """Values by column (IRIs as full IRIs, literals by their text; '' when unbound)."""

    name: str
    columns: list[str]
    rows: list[dict[str, str]]
    numeric: set[str]
    iris: set[str]
    options: dict[str, str]
    compactor: Compactor

    def role(self, role: str, default: str | None = None) -> str | None:
        """The column playing ``role``: the view's option, else the conventional name."""
        column = self.options.get(role, default if default is not None else role)
        return column if column in self.columns else None

    def text(self, row: dict[str, str], column: str | None) -> str:
        """What people read for a cell: its ``?xLabel`` when there is one, never a bare IRI
        when a label exists; otherwise the compact name."""
        if column is None:
            return ""
        value = row.get(f"{column}Label") or row.get(column, "")
        if value and value == row.get(column) and column in self.iris:
            return self.compactor.iri(value)
        return value


def rows_of(query: StoredQuery, answer: Answer, compactor: Compactor) -> Rows:
    numeric: set[str] = set()
    iris: set[str] = set()
    rows = []
    for values in answer.rows:
        row = {}
        for variable, term in zip(answer.variables, values, strict=True):
            row[variable] = "" if term is None else term.value
            if isinstance(term, ox.Literal) and term.datatype.value in NUMERIC:
                numeric.add(variable)
            elif isinstance(term, ox.NamedNode):
                iris.add(variable)
        rows.append(row)
    return Rows(query.name, list(answer.variables), rows, numeric, iris, dict(query.view_options),
                compactor)
