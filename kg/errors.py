"""Errors the library raises; the CLI turns each into one clear sentence and an exit code."""

from __future__ import annotations

import re


class KgError(Exception):
    """A problem a user can act on. ``exit_code`` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(KgError):
    """Input that cannot be read at all (missing or unparsable files): exit code 2."""

    exit_code = 2


class SourceSyntaxError(InputError):
    """A Turtle file that does not parse, located as ``file:line:column``."""

    def __init__(self, file: str, line: int | None, column: int | None, reason: str) -> None:
        self.file, self.line, self.column, self.reason = file, line, column, reason
        where = file if line is None else f"{file}:{line}:{column or 1}"
        super().__init__(f"{where}: {reason}")


class ValidationFailed(KgError):
    """The data does not conform to the shapes; ``report`` holds the results."""

    def __init__(self, report: object, message: str) -> None:
        super().__init__(message)
        self.report = report


class StoreError(KgError):
    """The store cannot be opened, written or swapped."""


class QueryError(KgError):
    """A query that fails while it is evaluated (exit 1); see ``BadQuery`` for the others."""


class BadQuery(QueryError):
    """A query asked for wrongly: unknown name or parameter, a syntax error, a format that
    does not fit its answer, an unreadable file or header. Usage or input, so exit 2."""

    exit_code = 2


# Oxigraph prefixes its parse messages with a position we already report as file:line:col.
# A pattern, not a compiled one: re compiles it on the first error, not on every `kg query`.
_POSITION_PREFIX = (
    r"^(Parser error )?(at line \d+ between columns \d+ and \d+"
    r"|between line \d+ column \d+ and line \d+ column \d+"
    r"|at line \d+ column \d+|on line \d+)?:\s*"
)


def syntax_error_from_oxigraph(file: str, error: SyntaxError) -> SourceSyntaxError:
    """Turn pyoxigraph's ``SyntaxError`` (which carries line and column) into ours."""
    reason = re.sub(_POSITION_PREFIX, "", error.msg or str(error), count=1) or str(error)
    return SourceSyntaxError(file, error.lineno, error.offset, reason)
