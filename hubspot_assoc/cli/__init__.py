"""The ``hubspot-assoc`` command line: one operation on one portal, without writing a script.

Examples::

    hubspot-assoc labels list contacts companies
    hubspot-assoc limits create contacts companies USER_DEFINED:1001=5
    hubspot-assoc limits purge contacts companies USER_DEFINED:1001 --dry-run
    hubspot-assoc --json limits get contacts companies
    hubspot-assoc demo

The token comes from ``HUBSPOT_ACCESS_TOKEN`` or ``--token-file PATH``, never from an
argument. Exit codes: 0 success, 1 HubSpot error, 2 usage or invalid input (also a
confirmation refused), 3 partial batch failure, 4 connection failure, 70 internal error
(a bug), 130 interrupted. With ``--json`` every run prints exactly one JSON document on
stdout, whatever way it ends.

Only the standard library is imported at module level: ``--help`` and argument errors must
not pay for httpx or the generated client. The library is imported inside the handlers.

The package has one module per job: :mod:`~hubspot_assoc.cli.entry` (``main``),
:mod:`~hubspot_assoc.cli.parser` (the parser), :mod:`~hubspot_assoc.cli.args` (argument
types and the global options), one module per command group (``limits``, ``labels``,
``tools``), :mod:`~hubspot_assoc.cli.render` (tables and text),
:mod:`~hubspot_assoc.cli.jsonout` (``--json`` documents), :mod:`~hubspot_assoc.cli.report`
(printing outcomes), :mod:`~hubspot_assoc.cli.context`, :mod:`~hubspot_assoc.cli.confirm`,
:mod:`~hubspot_assoc.cli.batch` and :mod:`~hubspot_assoc.cli.exits`.
"""

from __future__ import annotations

from hubspot_assoc.cli import exits
from hubspot_assoc.cli.args import parse_spec
from hubspot_assoc.cli.entry import main
from hubspot_assoc.cli.exits import *  # noqa: F403 - exit codes and UsageError are public
from hubspot_assoc.cli.parser import build_parser
from hubspot_assoc.cli.render import format_batch, format_labels, format_limits

__all__ = ["build_parser", "format_batch", "format_labels", "format_limits", "main", "parse_spec"]
__all__ += exits.__all__
