"""pgraph's own errors, and the one table that maps them to exit codes."""
from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # sysexits EX_SOFTWARE: not the input's fault (a full disk, a bug)
EXIT_INTERRUPTED = 130


class PgraphError(Exception):
    """Base of every error pgraph reports to a user (never shown as a traceback)."""


class UsageError(PgraphError, ValueError):
    """The command or call was asked for something that cannot be done as asked."""


class InputError(PgraphError, ValueError):
    """An input file or directory is missing, unreadable or malformed."""

    def __init__(self, message: str, *, path: str | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.path, self.line, self.column = path, line, column
        where = ":".join(str(x) for x in (path, line, column) if x is not None)
        super().__init__(f"{where}: {message}" if where else message)


class QueryError(UsageError):
    """A saved query is unknown or malformed, or a query was refused."""


class ParameterError(UsageError):
    """A query parameter is unknown, missing or ill-typed."""


class EndpointError(PgraphError):
    """A SPARQL endpoint could not be reached or answered with an error."""

    def __init__(self, url: str, cause: str) -> None:
        self.url, self.cause = url, cause
        super().__init__(f"SPARQL endpoint {url}: {cause}")


class OutputError(PgraphError):
    """An output file could not be written (nothing was replaced)."""


class InternalError(PgraphError):
    """pgraph could not finish for a reason that is not the input's: standard output full or closed, a bug."""


_EXIT_CODES: dict[type[BaseException], int] = {
    PgraphError: EXIT_USAGE,
    InternalError: EXIT_INTERNAL,
    KeyboardInterrupt: EXIT_INTERRUPTED,
}


def exit_code_for(error: BaseException) -> int:
    """Exit code for an error: 2 for usage, input, endpoint and output errors, 70 for internal errors,
    130 for Ctrl-C."""
    for cls in type(error).__mro__:
        if cls in _EXIT_CODES:
            return _EXIT_CODES[cls]
    raise error
