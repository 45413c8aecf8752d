"""Printing a command's outcome in the chosen form: one JSON document with ``--json``,
else text (tables, summaries, ``error:`` lines on stderr)."""

from __future__ import annotations

import io
from contextlib import contextmanager, redirect_stdout

from hubspot_assoc.cli.exits import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_USAGE,
    PROG,
    UsageError,
    exit_code,
)
from hubspot_assoc.cli.jsonout import batch_json, error_json, json_text, usage_json
from hubspot_assoc.cli.render import format_batch, format_limits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from typing import Any

    from hubspot_assoc.cli.context import Context
    from hubspot_assoc.client import Client
    from hubspot_assoc.models import BatchResult

__all__ = [
    "help_as_json",
    "print_dry_run",
    "report_batch",
    "report_error",
    "report_internal_error",
    "report_interrupted",
    "report_usage_error",
    "show_listing",
    "show_pair",
    "wants_json",
]


def show_listing(
    context: Context,
    kind: str,
    from_type: str | None,
    to_type: str | None,
    items: Sequence[Any],
    to_table: Callable[[Sequence[Any]], str],
    empty: str,
) -> int:
    """Print a listing: one JSON document, a table, or a line saying there is nothing."""
    if context.json:
        context.emit_json({"from": from_type, "to": to_type, kind: [x.to_dict() for x in items]})
    elif items:
        context.out(to_table(items))
    else:
        context.out(empty)
    return EXIT_OK


def show_pair(
    context: Context,
    kind: str,
    fetch: Callable[[Client, str, str], Sequence[Any]],
    to_table: Callable[[Sequence[Any]], str],
) -> int:
    """Fetch and print the *kind* listing of the pair FROM TO on the command line."""
    args = context.args
    with context.client() as client:
        items = fetch(client, args.from_type, args.to_type)
    empty = f"No association types from {args.from_type} to {args.to_type}."
    return show_listing(context, kind, args.from_type, args.to_type, items, to_table, empty)


def print_dry_run(context: Context, operations: Sequence[Any]) -> int:
    """Print the requests *operations* describe (method, path, JSON body); send nothing."""
    requests = [{"method": op.method, "path": op.path, "body": op.json} for op in operations]
    if context.json:
        context.emit_json({"dry_run": True, "requests": requests})
        return EXIT_OK
    count = len(requests)
    context.out(
        f"Dry run: nothing was sent. {'This request' if count == 1 else f'These {count} requests'} "
        "would be sent:"
    )
    for request in requests:
        context.out()
        context.out(f"{request['method']} {request['path']}")
        if request["body"] is not None:
            context.out(json_text(request["body"]))
    return EXIT_OK


def report_batch(
    context: Context, operation: str, from_type: str, to_type: str, result: BatchResult[Any]
) -> int:
    """Print what a batch call did; exit code 3 when some inputs were not applied."""
    from hubspot_assoc.errors import BatchPartialFailureError

    if not result.ok:
        error = BatchPartialFailureError(result)
        if context.json:
            document = error_json(error, EXIT_PARTIAL)
            document["result"] = batch_json(operation, from_type, to_type, result)
            context.emit_error(document)
        else:
            context.out(format_batch(operation, from_type, to_type, result))
        return EXIT_PARTIAL
    if context.json:
        context.emit_json(batch_json(operation, from_type, to_type, result))
        return EXIT_OK
    context.out(format_batch(operation, from_type, to_type, result))
    # Update answers carry no labels, so only create's results make a useful table.
    if operation == "create" and result.results:
        context.out()
        context.out(format_limits(result.results))
    return EXIT_OK


def report_error(context: Context, exc: BaseException) -> int:
    """Print a library error a command raised; return its exit code."""
    code = exit_code(exc)
    from hubspot_assoc.errors import BatchPartialFailureError

    if context.json:
        document = error_json(exc, code)
        if isinstance(exc, BatchPartialFailureError):
            args = context.args
            document["result"] = batch_json(
                str(getattr(args, "action", "")),
                str(getattr(args, "from_type", "")),
                str(getattr(args, "to_type", "")),
                exc.result,
            )
        context.emit_error(document)
        return code
    if isinstance(exc, BatchPartialFailureError):
        args = context.args
        context.out(
            format_batch(str(args.action), str(args.from_type), str(args.to_type), exc.result)
        )
    context.err(f"{PROG}: error: {exc}")
    return code


@contextmanager
def help_as_json(context: Context) -> Iterator[None]:
    """Inside it, argparse's ``--help`` text becomes ``{"help": TEXT}`` on a ``--json`` run
    (the ``SystemExit`` that ends the help still propagates)."""
    if not context.json:
        yield
        return
    captured = io.StringIO()
    try:
        with redirect_stdout(captured):
            yield
    except SystemExit:
        if captured.getvalue():
            context.emit_json({"help": captured.getvalue()})
        raise


def wants_json(argv: Sequence[str]) -> bool:
    """Whether *argv* asks for ``--json`` (before any ``--``), even when it does not parse."""
    for arg in argv:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def report_usage_error(context: Context, exc: UsageError) -> int:
    """Print a usage error (with the usage line when argparse gave one); exit code 2."""
    if context.json and not context.emitted:
        context.emit_error(usage_json(exc))
    else:
        if exc.usage:
            context.stderr.write(exc.usage)
        context.err(exc.shown)
    return EXIT_USAGE


def report_interrupted(context: Context) -> int:
    """Ctrl-C: say that a request in flight may have been applied; exit code 130."""
    message = (
        "interrupted. A request in flight may or may not have been applied; "
        "read the current configuration before running the command again."
    )
    if context.json and not context.emitted:
        context.emit_error(
            {"type": "Interrupted", "message": message, "exit_code": EXIT_INTERRUPTED}
        )
    else:
        context.stderr.write(f"\n{PROG}: {message}\n")
    return EXIT_INTERRUPTED


def report_internal_error(context: Context, exc: BaseException) -> int:
    """An exception nobody expected (a bug): one line, or one JSON document, never a
    traceback unless ``--verbose``; exit code 70."""
    message = (
        f"internal error (a bug in {PROG}; please report it with the command you ran): "
        f"{type(exc).__name__}: {exc}"
    )
    if context.json and not context.emitted:
        context.emit_error(
            {
                "type": "InternalError",
                "exception": type(exc).__name__,
                "message": message,
                "exit_code": EXIT_INTERNAL,
            }
        )
    else:
        context.err(f"{PROG}: {message}")
    if getattr(context.args, "verbose", False):
        import traceback

        context.err("".join(traceback.format_exception(exc)).rstrip())
    return EXIT_INTERNAL
