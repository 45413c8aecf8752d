"""Running a batch plan with a progress line per request on a terminal.

The chunking, merging and partial-failure report are the library's own
(:func:`hubspot_assoc.client.execute_batch`); this module only adds the progress lines.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from hubspot_assoc.cli.context import Context
    from hubspot_assoc.models import BatchResult
    from hubspot_assoc.operations import BatchChunk, BatchPlan, Operation

__all__ = ["run_batch"]


def run_batch(
    context: Context,
    plan: BatchPlan[Any],
    execute: Callable[[Operation[BatchResult[Any]]], BatchResult[Any]],
    what: str,
) -> BatchResult[Any]:
    """Send *plan* with *execute* (e.g. ``client._execute``), saying on a terminal which
    request of how many is under way when there is more than one."""
    from hubspot_assoc.client import execute_batch

    total = len(plan.inputs)
    count = len(plan.chunks)
    show = count > 1 and context.stderr.isatty()
    first = [0]  # position of the next chunk's first input

    def progress(index: int, chunk: BatchChunk[Any]) -> None:
        size = len(chunk.inputs)
        context.err(
            f"{what}: request {index + 1} of {count} "
            f"({first[0] + 1}-{first[0] + size} of {total})..."
        )
        first[0] += size

    return execute_batch(plan, execute, progress if show else None)
