"""``hubspot-assoc labels ...``: list, create, update and delete association labels."""

from __future__ import annotations

from hubspot_assoc.cli.args import add_confirm_options, add_leaf, type_id
from hubspot_assoc.cli.confirm import confirm, refuse_without_terminal
from hubspot_assoc.cli.exits import EXIT_OK
from hubspot_assoc.cli.render import format_labels
from hubspot_assoc.cli.report import print_dry_run, show_pair

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hubspot_assoc.cli.context import Context

__all__ = ["register"]


def register(group: Any) -> None:
    """Add the ``labels`` actions to *group* (see ``parser.COMMAND_GROUPS``)."""
    add_leaf(group, "list", "list the association types of a pair", labels_list, pair=True)

    sub = add_leaf(group, "create", "create a USER_DEFINED label", labels_create, pair=True)
    sub.add_argument("--name", required=True, help="internal name, e.g. decision_maker")
    sub.add_argument("--label", required=True, help='label people see, e.g. "Decision maker"')
    sub.add_argument("--inverse-label", help="label of the other direction (a paired label)")
    add_confirm_options(sub, yes=False)

    for name, help_text, handler in (
        ("update", "rename a label", labels_update),
        ("delete", "delete a USER_DEFINED association type", labels_delete),
    ):
        sub = add_leaf(group, name, help_text, handler, pair=True)
        sub.add_argument("type_id", type=type_id, metavar="TYPE_ID")
        if name == "update":
            sub.add_argument("--label", required=True, help="the new label")
            sub.add_argument("--inverse-label", help="the new label of the other direction")
        add_confirm_options(sub, yes=name == "delete")


def labels_list(context: Context) -> int:
    """``labels list FROM TO ...``."""
    return show_pair(context, "labels", lambda c, f, t: c.labels.list(f, t), format_labels)


def labels_create(context: Context) -> int:
    """``labels create FROM TO ...``."""
    from hubspot_assoc import operations as ops

    args = context.args
    operation = ops.create_label(
        args.from_type,
        args.to_type,
        label=args.label,
        name=args.name,
        inverse_label=args.inverse_label,
    )
    if args.dry_run:
        return print_dry_run(context, [operation])
    # The operation the dry run prints is the one sent: built (and validated) once.
    with context.client() as client:
        created = client._execute(operation)
    if context.json:
        context.emit_json(
            {
                "from": args.from_type,
                "to": args.to_type,
                "labels": [x.to_dict() for x in created],
            }
        )
        return EXIT_OK
    context.out(f"Created label {args.label!r} on {args.from_type} -> {args.to_type}:")
    context.out()
    context.out(format_labels(created))
    return EXIT_OK


def labels_update(context: Context) -> int:
    """``labels update FROM TO ...``."""
    from hubspot_assoc import operations as ops

    args = context.args
    operation = ops.update_label(
        args.from_type,
        args.to_type,
        args.type_id,
        label=args.label,
        inverse_label=args.inverse_label,
    )
    if args.dry_run:
        return print_dry_run(context, [operation])
    with context.client() as client:
        client._execute(operation)
    document = {
        "from": args.from_type,
        "to": args.to_type,
        "type_id": args.type_id,
        "label": args.label.strip(),
        "inverse_label": None if args.inverse_label is None else args.inverse_label.strip(),
        "updated": True,
    }
    return context.answer(
        document,
        f"Updated the label of association type {args.type_id} on {args.from_type} -> "
        f"{args.to_type} to {args.label.strip()!r}.",
    )
    context.out(
        f"Updated the label of association type {args.type_id} on {args.from_type} -> "
        f"{args.to_type} to {args.label.strip()!r}."
    )
    return EXIT_OK


def labels_delete(context: Context) -> int:
    """``labels delete FROM TO ...``."""
    from hubspot_assoc import operations as ops
    from hubspot_assoc.errors import HubSpotError

    args = context.args
    operation = ops.delete_label(args.from_type, args.to_type, args.type_id)
    if args.dry_run:
        return print_dry_run(context, [operation])
    refuse_without_terminal(context)
    with context.client() as client:
        if not args.yes:
            shown = f"association type {args.type_id}"
            try:
                for item in client.labels.list(args.from_type, args.to_type):
                    if item.type_id == args.type_id:
                        label = f" ({item.label})" if item.label else ""
                        shown = f"association type {item.category}:{item.type_id}{label}"
            except HubSpotError:
                pass  # a courtesy only; the delete itself reports what is wrong
            confirm(
                context,
                f"This deletes {shown} from {args.from_type} to {args.to_type}.",
                "Delete it?",
            )
        client._execute(operation)
    return context.answer(
        {"from": args.from_type, "to": args.to_type, "type_id": args.type_id, "deleted": True},
        f"Deleted association type {args.type_id} from {args.from_type} to {args.to_type}.",
    )
