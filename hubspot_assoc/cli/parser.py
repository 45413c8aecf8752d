"""The argument parser of ``hubspot-assoc``: the root, its global options, and the command
groups, each declared by its own module's ``register()``.

To add a command group, write a module whose ``register(group)`` adds its actions (see
:mod:`hubspot_assoc.cli.labels`) and list it in :data:`COMMAND_GROUPS` with its help. To
add a global option, add an entry to :data:`hubspot_assoc.cli.args.GLOBAL_OPTIONS`.
"""

from __future__ import annotations

import argparse

from hubspot_assoc._constants import TOKEN_ENV
from hubspot_assoc.cli import associations, labels, limits, tools
from hubspot_assoc.cli.args import CATEGORIES, Parser, add_common, add_group
from hubspot_assoc.cli.exits import PROG

__all__ = ["COMMAND_GROUPS", "build_parser"]

#: The command groups, in the order ``--help`` lists them: name, help, description, and
#: the function adding the group's actions.
COMMAND_GROUPS = (
    (
        "limits",
        "association limits (how many records one record may be associated with)",
        "Association limits: list, get, create, update, purge.",
        limits.register,
    ),
    (
        "labels",
        "association labels (the named association types between two object types)",
        "Association labels: list, create, update, delete.",
        labels.register,
    ),
    (
        "associations",
        "association records (which records are associated), and bulk import/export",
        "Association records: list, associate, remove; bulk import and export from files.",
        associations.register,
    ),
)

_EPILOG = f"""\
Specs: CATEGORY:TYPE_ID (purge) or CATEGORY:TYPE_ID=MAX (create, update),
e.g. USER_DEFINED:1001=5. CATEGORY is {", ".join(CATEGORIES[:2])},
{", ".join(CATEGORIES[2:])} (any case), or hubspot, user, integrator.

Credentials: set {TOKEN_ENV}, or pass --token-file PATH. Tokens are never accepted
as arguments (they would show in the process list and shell history).

Exit codes: 0 success, 1 HubSpot error, 2 usage/invalid input/not confirmed,
3 partial batch failure, 4 connection failure, 70 internal error (a bug),
130 interrupted.

Try it without an account: {PROG} demo
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hubspot-assoc`` (standard library only)."""
    parser = Parser(
        prog=PROG,
        description=(
            "Manage HubSpot associations (CRM Associations v4): limits, labels and records."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    add_common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, help_text, description, register in COMMAND_GROUPS:
        register(add_group(commands, name, help_text, description))
    tools.register(commands)  # sandbox and demo: commands without actions
    return parser
