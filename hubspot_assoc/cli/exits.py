"""Exit codes of ``hubspot-assoc`` and the usage error (bad command line or input).

Standard library only: ``--help`` and argument errors load nothing else.
"""

from __future__ import annotations

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_CONNECTION",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "PROG",
    "UsageError",
    "exit_code",
]

PROG = "hubspot-assoc"

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: --help must not pay for importing typing
if TYPE_CHECKING:
    from typing import TypedDict, Unpack

    class _Details(TypedDict, total=False):
        usage: str | None
        kind: str
        argument: str | None
        value: str | None


EXIT_OK = 0
"""Success."""
EXIT_API_ERROR = 1
"""HubSpot (or the edge in front of it) answered with an error."""
EXIT_USAGE = 2
"""Bad arguments or input, missing credentials, or a confirmation that was not given."""
EXIT_PARTIAL = 3
"""A batch call did not apply (or HubSpot did not confirm) every input."""
EXIT_CONNECTION = 4
"""No answer: connection refused, DNS, TLS, timeout."""
EXIT_INTERNAL = 70
"""A bug in hubspot-assoc: an exception it did not expect (70 is EX_SOFTWARE of sysexits.h)."""
EXIT_INTERRUPTED = 130
"""Ctrl-C."""


class UsageError(Exception):
    """Bad command line or input: printed as is, exit code 2."""

    usage: str | None = None
    """argparse's usage line, printed before the message (argument errors only)."""
    kind: str = "UsageError"
    """The ``type`` of the ``--json`` error document (``NotConfirmed``, ``SandboxError``...)."""
    argument: str | None = None
    """The argument at fault, when one is."""
    value: str | None = None
    """What was given for it."""

    def __init__(self, message: str, **details: Unpack[_Details]) -> None:
        super().__init__(message)
        self.message = message
        # The class attributes above are the defaults; a raise names only what differs.
        vars(self).update(details)

    @property
    def shown(self) -> str:
        """The message as printed on stderr, led by the program name."""
        if self.message.startswith(PROG):
            return self.message  # argparse's own, already "hubspot-assoc ...: error: ..."
        return f"{PROG}: error: {self.message}"


def exit_code(exc: BaseException) -> int:
    """The exit code for an error a command raised."""
    from hubspot_assoc import errors

    if isinstance(exc, UsageError | errors.InvalidInputError | errors.MissingCredentialsError):
        return EXIT_USAGE
    if isinstance(exc, errors.BatchPartialFailureError):
        return EXIT_PARTIAL
    if isinstance(exc, errors.APIConnectionError):
        return EXIT_CONNECTION
    return EXIT_API_ERROR
