"""Text output of ``hubspot-assoc``: tables of limits and labels, batch summaries.

Pure functions of the library's values; printing is the caller's job.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any

    from hubspot_assoc.models import AssociationLabel, AssociationLimit, BatchResult

__all__ = ["VERBS", "format_batch", "format_labels", "format_limits", "spec_text", "table"]


def table(
    headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[int] = ()
) -> str:
    """Plain-text columns; ``numeric`` columns are right-aligned."""
    right = set(numeric)
    cells = [[str(h) for h in headers]] + [
        ["-" if v is None else str(v) for v in row] for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def format_limits(limits: Sequence[AssociationLimit]) -> str:
    """Limits as a table; a type without a configured limit shows ``default``."""
    return table(
        ("CATEGORY", "TYPE ID", "LABEL", "LIMIT"),
        [
            (
                str(item.category),
                item.type_id,
                item.label,
                "default" if item.max_to_object_ids is None else item.max_to_object_ids,
            )
            for item in limits
        ],
        numeric=(1,),
    )


def format_labels(labels: Sequence[AssociationLabel]) -> str:
    """Association types as a table (an unlabelled type shows ``-``)."""
    return table(
        ("CATEGORY", "TYPE ID", "LABEL", "FROM", "TO"),
        [
            (
                str(item.category),
                item.type_id,
                item.label,
                item.from_object_type_id,
                item.to_object_type_id,
            )
            for item in labels
        ],
        numeric=(1,),
    )


def spec_text(item: object) -> str:
    """An input as typed on the command line: ``CATEGORY:TYPE_ID`` or ``...=MAX``."""
    category = getattr(item, "category", "?")
    text = f"{category}:{getattr(item, 'type_id', '?')}"
    maximum = getattr(item, "max_to_object_ids", None)
    return f"{text}={maximum}" if maximum is not None else text


VERBS = {"create": "Set", "update": "Updated", "purge": "Purged"}


def format_batch(operation: str, from_type: str, to_type: str, result: BatchResult[Any]) -> str:
    """The summary line of a batch call and, when some inputs failed, one line per input."""
    unconfirmed = list(result.unconfirmed)
    total = len(result.succeeded) + len(result.failed) + len(result.not_sent) + len(unconfirmed)
    noun = "limit" if total == 1 else "limits"
    line = (
        f"{VERBS.get(operation, operation)} {len(result.succeeded)} of {total} {noun} "
        f"on {from_type} -> {to_type}"
    )
    if result.ok:
        return line
    rows: list[tuple[object, ...]] = []
    for item, error in result.failures():
        if error is None:
            rows.append(("failed", spec_text(item), "-", "not confirmed in HubSpot's answer"))
        else:
            rows.append(
                ("failed", spec_text(item), error.category or "-", _one_line(error.message))
            )
    for item in unconfirmed:
        why = f"HubSpot reported the batch {result.status}, not COMPLETE; check whether it applied"
        rows.append(("unconfirmed", spec_text(item), "-", why))
    for item in result.not_sent:
        rows.append(("not sent", spec_text(item), "-", "an earlier request failed"))
    parts = []
    if result.failed:
        parts.append(f"{len(result.failed)} failed")
    if unconfirmed:
        parts.append(f"{len(unconfirmed)} unconfirmed (batch status {result.status})")
    if result.not_sent:
        parts.append(f"{len(result.not_sent)} not sent")
    if not rows:  # HubSpot reported errors without naming any input
        for error in result.errors:
            rows.append(("error", "-", error.category or "-", _one_line(error.message)))
        parts.append(f"HubSpot reported {max(result.num_errors, len(result.errors))} error(s)")
    rows_text = table(("", "INPUT", "CATEGORY", "MESSAGE"), rows)
    return f"{line}; {', '.join(parts)}:\n" + _indent(rows_text)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "-"


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())
