"""The entry point of ``hubspot-assoc``: refuse tokens in argv, parse, run the command,
and turn whatever it raises into a message and an exit code."""

from __future__ import annotations

import argparse
import os
import sys

from hubspot_assoc._constants import TOKEN_ENV
from hubspot_assoc.cli.args import COMMON_DEFAULTS
from hubspot_assoc.cli.context import Context, enable_request_log
from hubspot_assoc.cli.exits import EXIT_API_ERROR, EXIT_OK, UsageError
from hubspot_assoc.cli.parser import build_parser
from hubspot_assoc.cli.report import (
    help_as_json,
    report_error,
    report_internal_error,
    report_interrupted,
    report_usage_error,
    wants_json,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["main"]

_TOKEN_FLAGS = ("--token", "--access-token", "--hubspot-token")
_TOKEN_REFUSAL = (
    "{flag} is not accepted: a token given as an argument is visible to every user of this "
    f"machine in the process list and stays in your shell history. Set {TOKEN_ENV} in the "
    "environment, or put the token alone in a file readable only by you and pass "
    "--token-file PATH."
)


def _rejected_token_flag(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg == "--":
            return None
        for flag in _TOKEN_FLAGS:
            if arg == flag or arg.startswith(flag + "="):
                return flag
    return None


def _parse(context: Context, argv: list[str]) -> argparse.Namespace | int:
    """The parsed command line, or the exit code when there is nothing to run (an error,
    or ``--help``, which a ``--json`` run gets as ``{"help": TEXT}``)."""
    flag = _rejected_token_flag(argv)
    if flag is not None:
        return report_usage_error(context, UsageError(_TOKEN_REFUSAL.format(flag=flag)))
    parser = build_parser(argv)
    try:
        with help_as_json(context):
            args, extra = parser.parse_known_args(argv)
            if extra and not getattr(args, "accepts_extra", False):
                parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except UsageError as exc:
        return report_usage_error(context, exc)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    args.extra = extra
    for name, value in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run ``hubspot-assoc`` with *argv* (default ``sys.argv[1:]``); return the exit code.

    Every way out of a ``--json`` run prints exactly one JSON document on stdout: the
    result, an error (usage, HubSpot, interrupted, internal), or ``{"help": ...}``.
    """
    from contextlib import suppress

    args_list = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    # A context from the start, so that even a failure while parsing is reported in the
    # form asked for; it gets the parsed arguments once there are some.
    context = Context(argparse.Namespace(), stdout, sys.stderr, json=wants_json(args_list))
    undo_log: Callable[[], None] | None = None
    try:
        parsed = _parse(context, args_list)
        if isinstance(parsed, int):
            return parsed
        context.args = parsed
        context.json = context.json or bool(parsed.json)
        undo_log = enable_request_log(context) if parsed.verbose else None
        handler: Callable[[Context], int] = parsed.handler
        return handler(context)
    except KeyboardInterrupt:
        return report_interrupted(context)
    except UsageError as exc:
        return report_usage_error(context, exc)
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); say nothing more on a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_API_ERROR
    except Exception as exc:
        from hubspot_assoc.errors import HubSpotError

        if isinstance(exc, HubSpotError):
            return report_error(context, exc)
        return report_internal_error(context, exc)
    finally:
        if undo_log is not None:
            undo_log()
        with suppress(BrokenPipeError, ValueError):
            stdout.flush()
