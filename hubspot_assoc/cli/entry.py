"""The entry point of ``hubspot-assoc``: refuse tokens in argv, parse, run the command,
and turn whatever it raises into a message and an exit code."""

from __future__ import annotations

import os
import sys

from hubspot_assoc._constants import TOKEN_ENV
from hubspot_assoc.cli.args import COMMON_DEFAULTS
from hubspot_assoc.cli.context import Context, enable_request_log
from hubspot_assoc.cli.exits import (
    EXIT_API_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    UsageError,
)
from hubspot_assoc.cli.jsonout import usage_json
from hubspot_assoc.cli.parser import build_parser
from hubspot_assoc.cli.report import report_error, report_usage_error

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


def main(argv: list[str] | None = None) -> int:
    """Run ``hubspot-assoc`` with *argv* (default ``sys.argv[1:]``); return the exit code."""
    from contextlib import suppress

    args_list = list(sys.argv[1:] if argv is None else argv)
    stdout, stderr = sys.stdout, sys.stderr
    flag = _rejected_token_flag(args_list)
    if flag is not None:
        return report_usage_error(
            UsageError(_TOKEN_REFUSAL.format(flag=flag)),
            args_list,
            stdout,
            stderr,
        )
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(args_list)
        if extra and not getattr(args, "accepts_extra", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
    except UsageError as exc:
        return report_usage_error(exc, args_list, stdout, stderr)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    for name, value in COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)

    context = Context(args, stdout, stderr)
    undo_log = enable_request_log(context) if args.verbose else None
    handler: Callable[[Context], int] = args.handler
    try:
        return handler(context)
    except KeyboardInterrupt:
        stderr.write(
            f"\n{PROG}: interrupted. A request in flight may or may not have been applied; "
            "read the current configuration before running the command again.\n"
        )
        return EXIT_INTERRUPTED
    except UsageError as exc:
        if context.json:
            context.emit_json({"error": usage_json(exc)})
        else:
            context.err(exc.shown)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); say nothing more on a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_API_ERROR
    except Exception as exc:
        from hubspot_assoc.errors import HubSpotError

        if not isinstance(exc, HubSpotError):
            raise
        return report_error(context, exc)
    finally:
        if undo_log is not None:
            undo_log()
        with suppress(BrokenPipeError, ValueError):
            stdout.flush()
