"""``hubspot-assoc limits ...``: list, get, create, update and purge association limits."""

from __future__ import annotations

from hubspot_assoc.cli.args import (
    add_confirm_options,
    add_leaf,
    parse_specs,
)
from hubspot_assoc.cli.batch import run_batch
from hubspot_assoc.cli.confirm import confirm, refuse_without_terminal
from hubspot_assoc.cli.exits import UsageError
from hubspot_assoc.cli.render import VERBS, format_limits, spec_text
from hubspot_assoc.cli.report import print_dry_run, report_batch, show_listing, show_pair

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from hubspot_assoc.cli.context import Context
    from hubspot_assoc.models import AssociationLimit

__all__ = ["register"]


def register(group: Any) -> None:
    """Add the ``limits`` actions to *group* (see ``parser.COMMAND_GROUPS``)."""
    sub = add_leaf(group, "list", "list the configured limits", limits_list)
    sub.add_argument("--from", dest="from_type", metavar="TYPE", help="only this source type")
    sub.add_argument("--to", dest="to_type", metavar="TYPE", help="only this target type")

    add_leaf(
        group, "get", "show every association type of a pair and its limit", limits_get, pair=True
    )

    for name, verb, handler in (
        ("create", "set limits", limits_create),
        ("update", "change existing limits", limits_update),
    ):
        sub = add_leaf(group, name, f"{verb}: CATEGORY:TYPE_ID=MAX ...", handler, pair=True)
        sub.add_argument("specs", nargs="+", metavar="CATEGORY:TYPE_ID=MAX")
        add_confirm_options(sub, yes=False)

    sub = add_leaf(
        group,
        "purge",
        "remove limits (the default applies again; no association is deleted)",
        limits_purge,
        pair=True,
    )
    sub.add_argument("specs", nargs="+", metavar="CATEGORY:TYPE_ID")
    add_confirm_options(sub)


def limits_list(context: Context) -> int:
    """``limits list``: every configured limit, or one pair's with ``--from``/``--to``."""
    args = context.args
    if (args.from_type is None) != (args.to_type is None):
        raise UsageError(
            "--from and --to go together (or give neither to list "
            "every configured limit in the portal)",
            kind="UsageError",
        )
    if args.from_type is not None:
        return limits_get(context)
    with context.client() as client:
        limits = client.limits.list()
    empty = "No limits are configured in this portal."
    return show_listing(context, "limits", None, None, limits, format_limits, empty)


def limits_get(context: Context) -> int:
    """``limits get FROM TO``: every association type of the pair and its limit."""
    return show_pair(context, "limits", lambda c, f, t: c.limits.get(f, t), format_limits)


def _set_limits(context: Context, operation: str) -> int:
    from hubspot_assoc import operations as ops
    from hubspot_assoc.models import LimitInput

    args = context.args
    items = []
    for category, type_id, maximum in parse_specs(args.specs, with_max=True):
        assert maximum is not None  # parse_spec guarantees it with with_max=True
        items.append(LimitInput(category, type_id, maximum))
    plan_for = ops.create_limits if operation == "create" else ops.update_limits
    # Built first even without --dry-run: it validates the object types before any request.
    plan = plan_for(args.from_type, args.to_type, items)
    if args.dry_run:
        return print_dry_run(context, [chunk.operation for chunk in plan.chunks])
    with context.client() as client:
        result = run_batch(context, plan, client._execute, f"{VERBS[operation]} limits")
    return report_batch(context, operation, args.from_type, args.to_type, result)


def limits_create(context: Context) -> int:
    """``limits create FROM TO SPEC=MAX...``."""
    return _set_limits(context, "create")


def limits_update(context: Context) -> int:
    """``limits update FROM TO SPEC=MAX...``."""
    return _set_limits(context, "update")


def limits_purge(context: Context) -> int:
    """``limits purge FROM TO SPEC...``: asks first (showing the current limits) unless
    ``--yes``."""
    from contextlib import suppress

    from hubspot_assoc import operations as ops
    from hubspot_assoc.errors import HubSpotError
    from hubspot_assoc.models import AssociationSpec

    args = context.args
    items = [AssociationSpec(c, t) for c, t, _ in parse_specs(args.specs, with_max=False)]
    plan = ops.purge_limits(args.from_type, args.to_type, items)
    if args.dry_run:
        return print_dry_run(context, [chunk.operation for chunk in plan.chunks])
    refuse_without_terminal(context)  # before reading the token or sending anything
    with context.client() as client:
        if not args.yes:
            current: dict[tuple[str, int], AssociationLimit] = {}
            # Showing the current values is a courtesy; the purge itself says what fails.
            with suppress(HubSpotError):
                current = {x.spec.key: x for x in client.limits.get(args.from_type, args.to_type)}
            lines = []
            for item in items:
                known = current.get(item.key)
                if known is None:
                    lines.append(f"  {spec_text(item)}")
                    continue
                label = f" ({known.label})" if known.label else ""
                limit = (
                    "no limit configured"
                    if known.max_to_object_ids is None
                    else f"limit {known.max_to_object_ids} -> default"
                )
                lines.append(f"  {spec_text(item)}{label}: {limit}")
            description = (
                f"Purging removes these limits on {args.from_type} -> {args.to_type}; the "
                "default applies again and no association is deleted:\n" + "\n".join(lines)
            )
            noun = "limit" if len(items) == 1 else "limits"
            confirm(context, description, f"Purge {len(items)} {noun}?")
        result = run_batch(context, plan, client._execute, "Purging limits")
    return report_batch(context, "purge", args.from_type, args.to_type, result)
