"""The argument parser of ``hubspot-assoc``: the root, its global options, and the command
groups, each declared by its own module's ``register()``.

To add a command group, write a module whose ``register(group)`` adds its actions (see
:mod:`hubspot_assoc.cli.labels`) and list it in :data:`COMMAND_GROUPS` with its help. To
add a global option, add an entry to :data:`hubspot_assoc.cli.args.GLOBAL_OPTIONS`.
"""

from __future__ import annotations

import argparse

from hubspot_assoc._constants import TOKEN_ENV
from hubspot_assoc.cli import tools
from hubspot_assoc.cli.args import CATEGORIES, Parser, add_common, add_group
from hubspot_assoc.cli.exits import PROG

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = ["COMMAND_GROUPS", "build_parser"]


# A command module is imported only when its group is built (see build_parser), so that
# `hubspot-assoc --help` does not load the handlers' rendering and reporting code.
def _limits(group: Any) -> None:
    from hubspot_assoc.cli import limits

    limits.register(group)


def _labels(group: Any) -> None:
    from hubspot_assoc.cli import labels

    labels.register(group)


def _associations(group: Any) -> None:
    from hubspot_assoc.cli import associations

    associations.register(group)


#: The command groups, in the order ``--help`` lists them: name, help, description, and
#: the function adding the group's actions.
COMMAND_GROUPS = (
    (
        "limits",
        "association limits (how many records one record may be associated with)",
        "Association limits: list, get, create, update, purge.",
        _limits,
    ),
    (
        "labels",
        "association labels (the named association types between two object types)",
        "Association labels: list, create, update, delete.",
        _labels,
    ),
    (
        "associations",
        "association records (which records are associated), and bulk import/export",
        "Association records: list, associate, remove; bulk import and export from files.",
        _associations,
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


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``hubspot-assoc`` (standard library only).

    With *argv*, only the command groups named somewhere in it get their actions; the
    others are listed by name and help alone. A group that is not named cannot be the
    command, so parsing *argv* is unchanged, and ``--help`` or a short command builds a
    fraction of the parser.
    """
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
        group = add_group(commands, name, help_text, description)
        if argv is None or name in argv:
            register(group)
    tools.register(commands)  # sandbox and demo: commands without actions
    return parser
