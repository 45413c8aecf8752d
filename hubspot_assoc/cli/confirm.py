"""Asking before a destructive command, and refusing when nobody can answer."""

from __future__ import annotations

import sys

from hubspot_assoc.cli.exits import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from hubspot_assoc.cli.context import Context

__all__ = ["confirm", "refuse_without_terminal"]


def _stdin_is_tty() -> bool:
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def refuse_without_terminal(context: Context) -> None:
    """Raise :class:`UsageError` when confirmation is needed but nobody can answer."""
    if getattr(context.args, "yes", False) or _stdin_is_tty():
        return
    raise UsageError(
        "refusing to change anything without confirmation: stdin is not a "
        "terminal. Pass --yes to confirm (or --dry-run to see the request first).",
        kind="ConfirmationRequired",
    )


def confirm(context: Context, description: str, question: str) -> None:
    """Ask *question* on the terminal; raise :class:`UsageError` unless the answer is yes.

    Without a terminal on stdin nobody can answer, so refuse at once instead of hanging.
    """
    if getattr(context.args, "yes", False):
        return
    refuse_without_terminal(context)
    context.stderr.write(context.mask(description) + "\n" + question + " [y/N] ")
    context.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip().lower() not in {"y", "yes"}:
        raise UsageError("not confirmed; nothing was changed.", kind="NotConfirmed")
