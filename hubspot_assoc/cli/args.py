"""Argument types of ``hubspot-assoc``: specs such as ``USER_DEFINED:1001=5``, numbers,
and the global options every command accepts.

Standard library only (plus :mod:`hubspot_assoc._constants`), so ``--help`` stays light.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from hubspot_assoc._constants import (
    API_VERSION_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    INT32_MAX,
    MAX_TIMEOUT,
    TOKEN_ENV,
    Category,
    api_version_or_none,
    normalise_category,
)
from hubspot_assoc.cli.exits import UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, NoReturn

    from hubspot_assoc.cli.context import Context

    Handler = Callable[[Context], int]

__all__ = [
    "CATEGORIES",
    "CATEGORY_ALIASES",
    "COMMON_DEFAULTS",
    "GLOBAL_OPTIONS",
    "Parser",
    "add_common",
    "add_confirm_options",
    "add_group",
    "add_leaf",
    "base_url",
    "base_url_problem",
    "non_negative_int",
    "parse_spec",
    "parse_specs",
    "timeout_seconds",
    "type_id",
]

CATEGORIES = tuple(c.value for c in Category)
# Short forms people type; each maps to exactly one category, so none is a guess.
CATEGORY_ALIASES = {
    "HUBSPOT": Category.HUBSPOT_DEFINED.value,
    "USER": Category.USER_DEFINED.value,
    "INTEGRATOR": Category.INTEGRATOR_DEFINED.value,
}
CATEGORY_HELP = (
    "CATEGORY is one of " + ", ".join(CATEGORIES) + " in any case, or hubspot, user, integrator"
)


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size()`` finds it, without importing
    shutil: with the compression modules it loads, that import is a tenth of what
    ``--help`` may spend, and argparse makes it for every formatter it builds."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def _sized(formatter: Any) -> Any:
    """*formatter* (a help formatter class), told the terminal's width unless given one."""

    def make(prog: str, **settings: Any) -> Any:
        settings.setdefault("width", _columns() - 2)  # argparse's own margin
        return formatter(prog, **settings)

    return make


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised (so ``--json`` can format them) not printed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["formatter_class"] = _sized(kwargs.get("formatter_class", argparse.HelpFormatter))
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}", usage=self.format_usage())


_SPEC_RE = re.compile(r"^\s*([^:=]*?)\s*:\s*([^=\s]*)\s*(?:=\s*(\S*)\s*)?$")


def _category_from(text: str) -> str | None:
    wanted = text.strip().upper()
    if wanted in CATEGORIES:
        return wanted
    return CATEGORY_ALIASES.get(wanted)


def _int_in_range(text: str) -> int | None:
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= INT32_MAX else None


def parse_spec(text: str, *, with_max: bool, position: int = 1) -> tuple[str, int, int | None]:
    """Parse ``CATEGORY:TYPE_ID`` (``with_max=False``) or ``CATEGORY:TYPE_ID=MAX``.

    Returns ``(CATEGORY, type_id, max or None)``; raises :class:`UsageError` naming the
    argument (its position among the specs and its text) and the expected form.

    >>> parse_spec("user_defined:279=5", with_max=True)
    ('USER_DEFINED', 279, 5)
    >>> parse_spec("user:1001", with_max=False)
    ('USER_DEFINED', 1001, None)
    """
    form = "CATEGORY:TYPE_ID=MAX" if with_max else "CATEGORY:TYPE_ID"
    example = "USER_DEFINED:1001=5" if with_max else "USER_DEFINED:1001"
    where = f"argument {position} {text!r}"

    def fail(problem: str) -> NoReturn:
        raise UsageError(
            f"{where}: {problem}; expected {form} such as {example} ({CATEGORY_HELP})",
            kind="InvalidInputError",
            argument=f"argument {position}",
            value=text,
        )

    found = _SPEC_RE.match(text)
    if found is None:
        fail("not of the form " + form)
    raw_category, raw_type_id, raw_max = found.groups()
    category = _category_from(raw_category)
    if category is None:
        if not raw_category:
            fail("the category is missing")
        normalised = normalise_category(raw_category)
        hint = f" (did you mean {normalised}?)" if normalised in CATEGORIES else ""
        fail(f"unknown category {raw_category!r}{hint}")
    type_id = _int_in_range(raw_type_id)
    if type_id is None:
        fail(f"the type id {raw_type_id!r} is not a whole number from 1 to {INT32_MAX}")
    if not with_max:
        if raw_max is not None:
            fail("a limit (=MAX) has no place here")
        return category, type_id, None
    if raw_max is None:
        fail("the limit (=MAX) is missing")
    maximum = _int_in_range(raw_max)
    if maximum is None:
        fail(f"the limit {raw_max!r} is not a whole number from 1 to {INT32_MAX}")
    return category, type_id, maximum


def parse_specs(texts: Sequence[str], *, with_max: bool) -> list[tuple[str, int, int | None]]:
    """Parse every spec of a command line; a type given twice is a usage error."""
    parsed: list[tuple[str, int, int | None]] = []
    seen: dict[tuple[str, int], int] = {}
    for position, text in enumerate(texts, start=1):
        item = parse_spec(text, with_max=with_max, position=position)
        key = item[:2]
        if key in seen:
            raise UsageError(
                f"argument {position} {text!r}: repeats argument {seen[key]} "
                f"({key[0]}:{key[1]}); give each association type once",
                kind="InvalidInputError",
                argument=f"argument {position}",
                value=text,
            )
        seen[key] = position
        parsed.append(item)
    return parsed


def timeout_seconds(text: str) -> float:
    """argparse type: seconds per attempt, more than 0 and at most :data:`MAX_TIMEOUT`."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= MAX_TIMEOUT:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"expected a number of seconds above 0 and at most {MAX_TIMEOUT:g}, got {text!r}"
        )
    return value


def base_url_problem(text: str) -> str | None:
    """Why *text* cannot be an API base URL, or ``None`` when it can.

    The client checks its settings too; checking here as well makes a bad value a usage
    error whichever client version is installed, without loading it for ``--help``.
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - parses the port, raising ValueError when it is not one
    except ValueError:
        return "it cannot be parsed as a URL"
    if any(c.isspace() or not c.isprintable() for c in text.strip()):
        return "it contains spaces or control characters"
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return f"it is not an absolute http:// or https:// URL such as {DEFAULT_BASE_URL}"
    if "@" in parts.netloc:
        return "credentials belong in the token, never in the URL"
    if parts.query or parts.fragment:
        return "the base URL is the server address only; remove the ?query or #fragment"
    return None


def base_url(text: str) -> str:
    """argparse type: an absolute http(s) URL without credentials, query or fragment."""
    problem = base_url_problem(text)
    if problem is not None:
        # The value is not echoed: it may carry user:password@ or a ?hapikey=.
        raise argparse.ArgumentTypeError(f"not a usable base URL: {problem}")
    return text


def non_negative_int(text: str) -> int:
    """argparse type: a whole number >= 0."""
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def type_id(text: str) -> int:
    """argparse type: an association type id."""
    value = _int_in_range(text.strip())
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected an association type id (a whole number from 1 to {INT32_MAX}), got {text!r}"
        )
    return value


def api_version(text: str) -> str:
    """argparse type: ``v4`` or a dated HubSpot API version ``YYYY-MM``."""
    value = api_version_or_none(text)
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected v4 or a dated version YYYY-MM such as 2026-03 or 2025-09, got {text!r}"
        )
    return value


# The global options: flags and argparse settings, one entry each. Adding a global option
# is adding an entry here (its value is then on `context.args` in every command).
GLOBAL_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (("--json",), {"action": "store_true", "default": False,
                   "help": "print exactly one JSON document on stdout (errors too)"}),
    (("--base-url",), {"type": base_url, "metavar": "URL", "default": None,
                       "help": f"API base URL (default: ${BASE_URL_ENV} or {DEFAULT_BASE_URL})"}),
    (("--api-version",), {"type": api_version, "metavar": "VERSION", "default": None,
                          "help": f"HubSpot API version: v4 or a dated YYYY-MM such as 2026-03 "
                                  f"(default: ${API_VERSION_ENV} or v4)"}),
    (("--token-file",), {"metavar": "PATH", "default": None,
                         "help": f"read the token from this file (default: ${TOKEN_ENV}); "
                                 "never pass it as an argument"}),
    (("--timeout",), {"type": timeout_seconds, "metavar": "SECONDS", "default": 30.0,
                      "help": f"seconds per HTTP attempt (default 30, at most {MAX_TIMEOUT:g})"}),
    (("--max-retries",), {"type": non_negative_int, "metavar": "N", "default": None,
                          "help": "retries after a 429, a 5xx or a connection failure "
                                  "(default 3; 0 never retries)"}),
    (("--rate-limit-store",), {"metavar": "URL", "default": None,
                               "help": "share one rate budget with other processes: a Redis "
                                       "URL such as redis://localhost:6379/0 (default: "
                                       "$HUBSPOT_RATE_LIMIT_STORE; needs hubspot-assoc[redis])"}),
    (("-v", "--verbose"), {"action": "store_true", "default": False,
                           "help": "log every HTTP request on stderr (credentials redacted)"}),
)  # fmt: skip

# The global options' values when given nowhere (see add_common's `suppress`).
COMMON_DEFAULTS: dict[str, object] = {
    flags[-1].lstrip("-").replace("-", "_"): settings["default"]
    for flags, settings in GLOBAL_OPTIONS
}


def add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options, accepted before or after the command.

    On subcommands their defaults are suppressed so that a value given before the command
    is not overwritten by the subcommand's default.
    """
    group = parser.add_argument_group("global options")
    for flags, settings in GLOBAL_OPTIONS:
        if suppress:
            settings = {**settings, "default": argparse.SUPPRESS}
        group.add_argument(*flags, **settings)


# --------------------------------------------------------------------------- building blocks
# What a command module uses to declare its commands (see hubspot_assoc.cli.parser).


def add_group(commands: Any, name: str, help_text: str, description: str) -> Any:
    """A command group such as ``limits``; returns the subparsers to add its actions to."""
    group = commands.add_parser(name, help=help_text, description=description, allow_abbrev=False)
    return group.add_subparsers(dest="action", metavar="ACTION", required=True)


def add_leaf(
    group: Any, name: str, help_text: str, handler: Handler, *, pair: bool = False
) -> argparse.ArgumentParser:
    """A command that runs *handler*; it accepts the global options too, and with *pair*
    the FROM and TO object types of the pair it is about."""
    sub: argparse.ArgumentParser = group.add_parser(
        name, help=help_text, description=help_text, allow_abbrev=False
    )
    add_common(sub, suppress=True)
    sub.set_defaults(handler=handler)
    if pair:
        sub.add_argument("from_type", metavar="FROM", help="object type, e.g. contacts or 0-1")
        sub.add_argument("to_type", metavar="TO", help="object type, e.g. companies or 0-2")
    return sub


def add_confirm_options(sub: argparse.ArgumentParser, *, yes: bool = True) -> None:
    """``--dry-run``, and ``--yes`` for commands that ask before they change anything."""
    sub.add_argument(
        "--dry-run",
        action="store_true",
        help="print the request that would be sent (method, path, JSON body); send nothing",
    )
    if yes:
        sub.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
