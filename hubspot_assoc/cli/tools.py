"""``hubspot-assoc sandbox`` and ``hubspot-assoc demo``: a local server and a guided tour."""

from __future__ import annotations

from hubspot_assoc.cli.args import Parser
from hubspot_assoc.cli.exits import EXIT_OK, PROG, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hubspot_assoc.cli.context import Context

__all__ = ["register"]


def register(commands: Any) -> None:
    """Add ``sandbox`` and ``demo`` to the top-level subparsers *commands*."""
    # The sandbox's own parser reads the rest of the line (see sandbox()), so that building
    # this parser (and --help) does not import the sandbox package.
    sub = commands.add_parser(
        "sandbox",
        help="run a local HubSpot associations server for tests and experiments",
        add_help=False,
        allow_abbrev=False,
    )
    sub.set_defaults(handler=sandbox, accepts_extra=True)

    sub = commands.add_parser(
        "demo",
        help="a guided tour against a built-in sandbox (no account, no network)",
        description="Start a local sandbox and walk through labels, limits, errors and retries.",
        allow_abbrev=False,
    )
    sub.set_defaults(handler=demo)


def sandbox(context: Context) -> int:
    """``sandbox [OPTIONS]``: serve the sandbox until interrupted."""
    from hubspot_assoc.sandbox.cli import add_arguments, run

    parser = Parser(
        prog=f"{PROG} sandbox",
        description="Run a local HubSpot CRM Associations v4 server (limits and labels).",
        allow_abbrev=False,
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(context.args.extra)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    return run(args)


def demo(context: Context) -> int:
    """``demo``: the guided tour (text only)."""
    if context.json:
        raise UsageError("the demo has no JSON output; drop --json")
    from hubspot_assoc.demo import run

    return run(context.stdout)
