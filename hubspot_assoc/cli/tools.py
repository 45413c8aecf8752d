"""``hubspot-assoc sandbox`` and ``hubspot-assoc demo``: a local server and a guided tour."""

from __future__ import annotations

from hubspot_assoc.cli.args import Parser
from hubspot_assoc.cli.exits import EXIT_OK, PROG, UsageError
from hubspot_assoc.cli.report import help_as_json

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
    """``sandbox [OPTIONS]``: serve the sandbox until interrupted.

    With ``--json`` the run's one JSON document is a single line printed once the server
    is up, ``{"sandbox": {"url": ..., "token": ..., ...}}``; the server then keeps serving
    and says nothing more on stdout.
    """
    from hubspot_assoc.sandbox.cli import add_arguments, describe, run, serve, start

    parser = Parser(
        prog=f"{PROG} sandbox",
        description="Run a local HubSpot CRM Associations v4 server (limits and labels).",
        allow_abbrev=False,
    )
    add_arguments(parser)
    try:
        with help_as_json(context):
            args = parser.parse_args(context.args.extra)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    if not context.json:
        return run(args)
    try:
        server = start(args)
    except (ValueError, OSError) as exc:
        raise UsageError(f"{PROG} sandbox: error: {exc}", kind="SandboxError") from None

    def announce(server: Any) -> None:
        facts = describe(server, oauth_app=args.oauth_app)
        context.emit_json({"sandbox": facts}, compact=True)

    serve(server, announce)
    context.err("sandbox stopped")
    return EXIT_OK


def demo(context: Context) -> int:
    """``demo``: the guided tour (text only)."""
    if context.json:
        raise UsageError("the demo has no JSON output; drop --json")
    from hubspot_assoc.demo import run

    return run(context.stdout)
