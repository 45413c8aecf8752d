"""The ``hubspot-assoc`` command line: one operation on one portal, without writing a script.

Examples::

    hubspot-assoc labels list contacts companies
    hubspot-assoc limits create contacts companies USER_DEFINED:1001=5
    hubspot-assoc limits purge contacts companies USER_DEFINED:1001 --dry-run
    hubspot-assoc --json limits get contacts companies
    hubspot-assoc demo

The token comes from ``HUBSPOT_ACCESS_TOKEN`` or ``--token-file PATH``, never from an
argument. Exit codes: 0 success, 1 HubSpot error, 2 usage or invalid input (also a
confirmation refused), 3 partial batch failure, 4 connection failure, 130 interrupted.

Only the standard library is imported at module level: ``--help`` and argument errors must
not pay for httpx or the generated client. The library is imported inside the handlers.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

# json, logging, contextlib and typing are imported where used: `--help` imports only what
# argparse needs (a benchmark holds it to three times a bare interpreter start).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Iterable, Sequence
    from typing import IO, Any, NoReturn

    from hubspot_assoc.client import Client
    from hubspot_assoc.models import (
        AssociationLabel,
        AssociationLimit,
        AssociationSpec,
        BatchItemError,
        BatchResult,
        LimitInput,
    )

__all__ = [
    "EXIT_API_ERROR",
    "EXIT_CONNECTION",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "build_parser",
    "format_batch",
    "format_labels",
    "format_limits",
    "main",
    "parse_spec",
]

PROG = "hubspot-assoc"

EXIT_OK = 0
"""Success."""
EXIT_API_ERROR = 1
"""HubSpot (or the edge in front of it) answered with an error."""
EXIT_USAGE = 2
"""Bad arguments or input, missing credentials, or a confirmation that was not given."""
EXIT_PARTIAL = 3
"""A batch call applied some inputs and not others."""
EXIT_CONNECTION = 4
"""No answer: connection refused, DNS, TLS, timeout."""
EXIT_INTERRUPTED = 130
"""Ctrl-C."""

TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"
BASE_URL_ENV = "HUBSPOT_BASE_URL"
BATCH_SIZE = 100
INT32_MAX = 2_147_483_647

CATEGORIES = ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK")
# Short forms people type; each maps to exactly one category, so none is a guess.
CATEGORY_ALIASES = {
    "HUBSPOT": "HUBSPOT_DEFINED",
    "USER": "USER_DEFINED",
    "INTEGRATOR": "INTEGRATOR_DEFINED",
}

_TOKEN_FLAGS = ("--token", "--access-token", "--hubspot-token")
_TOKEN_REFUSAL = (
    "{flag} is not accepted: a token given as an argument is visible to every user of this "
    f"machine in the process list and stays in your shell history. Set {TOKEN_ENV} in the "
    "environment, or put the token alone in a file readable only by you and pass "
    "--token-file PATH."
)


class UsageError(Exception):
    """Bad command line or input: printed as is, exit code 2."""

    def __init__(
        self,
        message: str,
        *,
        usage: str | None = None,
        kind: str = "UsageError",
        argument: str | None = None,
        value: str | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.kind = kind
        self.argument = argument
        self.value = value

    @property
    def shown(self) -> str:
        """The message as printed on stderr, led by the program name."""
        if self.message.startswith(PROG):
            return self.message  # argparse's own, already "hubspot-assoc ...: error: ..."
        return f"{PROG}: error: {self.message}"


# --------------------------------------------------------------------------- parsing


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are raised (so ``--json`` can format them) not printed."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}", usage=self.format_usage())


_CATEGORY_HELP = (
    "CATEGORY is one of " + ", ".join(CATEGORIES) + " in any case, or hubspot, user, integrator"
)
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
            f"{where}: {problem}; expected {form} such as {example} ({_CATEGORY_HELP})",
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
        normalised = re.sub(r"[\s\-.]+", "_", raw_category.strip().upper())
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


def _parse_specs(texts: Sequence[str], *, with_max: bool) -> list[tuple[str, int, int | None]]:
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


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return int(text)


def _type_id(text: str) -> int:
    value = _int_in_range(text.strip())
    if value is None:
        raise argparse.ArgumentTypeError(
            f"expected an association type id (a whole number from 1 to {INT32_MAX}), got {text!r}"
        )
    return value


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """The global options, accepted before or after the command.

    On subcommands their defaults are suppressed so that a value given before the command
    is not overwritten by the subcommand's default.
    """

    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    group = parser.add_argument_group("global options")
    group.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print exactly one JSON document on stdout (errors too)",
    )
    group.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help=f"API base URL (default: ${BASE_URL_ENV} or https://api.hubapi.com)",
    )
    group.add_argument(
        "--token-file",
        metavar="PATH",
        default=default(None),
        help=f"read the token from this file (default: ${TOKEN_ENV}); never pass it as an argument",
    )
    group.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        default=default(30.0),
        help="seconds per HTTP attempt (default 30)",
    )
    group.add_argument(
        "--max-retries",
        type=_non_negative_int,
        metavar="N",
        default=default(None),
        help="retries after a 429, a 5xx or a connection failure (default 3; 0 never retries)",
    )
    group.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=default(False),
        help="log every HTTP request on stderr (credentials redacted)",
    )


_COMMON_DEFAULTS: dict[str, object] = {
    "json": False,
    "base_url": None,
    "token_file": None,
    "timeout": 30.0,
    "max_retries": None,
    "verbose": False,
}

_EPILOG = f"""\
Specs: CATEGORY:TYPE_ID (purge) or CATEGORY:TYPE_ID=MAX (create, update),
e.g. USER_DEFINED:1001=5. CATEGORY is {", ".join(CATEGORIES[:2])},
{", ".join(CATEGORIES[2:])} (any case), or hubspot, user, integrator.

Credentials: set {TOKEN_ENV}, or pass --token-file PATH. Tokens are never accepted
as arguments (they would show in the process list and shell history).

Exit codes: 0 success, 1 HubSpot error, 2 usage/invalid input/not confirmed,
3 partial batch failure, 4 connection failure, 130 interrupted.

Try it without an account: {PROG} demo
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``hubspot-assoc`` (standard library only)."""
    parser = _Parser(
        prog=PROG,
        description="Manage HubSpot association limits and labels (CRM Associations v4).",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    _add_common(parser, suppress=False)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def leaf(
        group: Any, name: str, help_text: str, handler: Callable[..., int], **kwargs: Any
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = group.add_parser(
            name, help=help_text, description=help_text, allow_abbrev=False, **kwargs
        )
        _add_common(sub, suppress=True)
        sub.set_defaults(handler=handler)
        return sub

    def pair(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("from_type", metavar="FROM", help="object type, e.g. contacts or 0-1")
        sub.add_argument("to_type", metavar="TO", help="object type, e.g. companies or 0-2")

    def confirm_options(sub: argparse.ArgumentParser, *, yes: bool = True) -> None:
        sub.add_argument(
            "--dry-run",
            action="store_true",
            help="print the request that would be sent (method, path, JSON body); send nothing",
        )
        if yes:
            sub.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")

    # -- limits
    limits = commands.add_parser(
        "limits",
        help="association limits (how many records one record may be associated with)",
        description="Association limits: list, get, create, update, purge.",
        allow_abbrev=False,
    )
    limit_commands = limits.add_subparsers(dest="action", metavar="ACTION", required=True)

    sub = leaf(limit_commands, "list", "list the configured limits", _limits_list)
    sub.add_argument("--from", dest="from_type", metavar="TYPE", help="only this source type")
    sub.add_argument("--to", dest="to_type", metavar="TYPE", help="only this target type")

    sub = leaf(
        limit_commands, "get", "show every association type of a pair and its limit", _limits_get
    )
    pair(sub)

    for name, verb, handler in (
        ("create", "set limits", _limits_create),
        ("update", "change existing limits", _limits_update),
    ):
        sub = leaf(limit_commands, name, f"{verb}: CATEGORY:TYPE_ID=MAX ...", handler)
        pair(sub)
        sub.add_argument("specs", nargs="+", metavar="CATEGORY:TYPE_ID=MAX")
        confirm_options(sub, yes=False)

    sub = leaf(
        limit_commands,
        "purge",
        "remove limits (the default applies again; no association is deleted)",
        _limits_purge,
    )
    pair(sub)
    sub.add_argument("specs", nargs="+", metavar="CATEGORY:TYPE_ID")
    confirm_options(sub)

    # -- labels
    labels = commands.add_parser(
        "labels",
        help="association labels (the named association types between two object types)",
        description="Association labels: list, create, update, delete.",
        allow_abbrev=False,
    )
    label_commands = labels.add_subparsers(dest="action", metavar="ACTION", required=True)

    sub = leaf(label_commands, "list", "list the association types of a pair", _labels_list)
    pair(sub)

    sub = leaf(label_commands, "create", "create a USER_DEFINED label", _labels_create)
    pair(sub)
    sub.add_argument("--name", required=True, help="internal name, e.g. decision_maker")
    sub.add_argument("--label", required=True, help='label people see, e.g. "Decision maker"')
    sub.add_argument("--inverse-label", help="label of the other direction (a paired label)")
    confirm_options(sub, yes=False)

    sub = leaf(label_commands, "update", "rename a label", _labels_update)
    pair(sub)
    sub.add_argument("type_id", type=_type_id, metavar="TYPE_ID")
    sub.add_argument("--label", required=True, help="the new label")
    sub.add_argument("--inverse-label", help="the new label of the other direction")
    confirm_options(sub, yes=False)

    sub = leaf(label_commands, "delete", "delete a USER_DEFINED association type", _labels_delete)
    pair(sub)
    sub.add_argument("type_id", type=_type_id, metavar="TYPE_ID")
    confirm_options(sub)

    # -- sandbox and demo
    # The sandbox's own parser reads the rest of the line (see _sandbox), so that building
    # this parser (and --help) does not import the sandbox package.
    sandbox = commands.add_parser(
        "sandbox",
        help="run a local HubSpot associations server for tests and experiments",
        add_help=False,
        allow_abbrev=False,
    )
    sandbox.set_defaults(handler=_sandbox, accepts_extra=True)

    demo = commands.add_parser(
        "demo",
        help="a guided tour against a built-in sandbox (no account, no network)",
        description="Start a local sandbox and walk through labels, limits, errors and retries.",
        allow_abbrev=False,
    )
    demo.set_defaults(handler=_demo)
    return parser


# --------------------------------------------------------------------------- context


class _Context:
    """The parsed arguments, the output streams, and the token (for redaction)."""

    def __init__(self, args: argparse.Namespace, stdout: IO[str], stderr: IO[str]) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self.json: bool = bool(getattr(args, "json", False))
        self.token: str | None = None

    def redact(self, text: str) -> str:
        """*text* with the token (if known) masked: the last line of defence."""
        if self.token:
            text = text.replace(self.token, "***")
        return text

    def out(self, text: str = "") -> None:
        self.stdout.write(self.redact(text) + "\n")

    def err(self, text: str) -> None:
        self.stderr.write(self.redact(text) + "\n")
        self.stderr.flush()

    def emit_json(self, document: object) -> None:
        self.out(_json_text(document))

    def read_token(self) -> str:
        """The token from ``--token-file`` or the environment; raises when there is none."""
        from hubspot_assoc.errors import MissingCredentialsError

        path = self.args.token_file
        if path is not None:
            try:
                with open(path, encoding="utf-8") as handle:
                    token = handle.read().strip()
            except FileNotFoundError:
                raise MissingCredentialsError(
                    f"--token-file {path!r}: no such file. Put the token alone in that file, "
                    f"or set {TOKEN_ENV}."
                ) from None
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                raise MissingCredentialsError(
                    f"--token-file {path!r}: cannot be read ({reason}). Check the path and its "
                    f"permissions, or set {TOKEN_ENV}."
                ) from None
            if not token:
                raise MissingCredentialsError(
                    f"--token-file {path!r} is empty. Put the token (e.g. a private app token "
                    "pat-na1-...) alone in that file."
                )
            if any(ch.isspace() for ch in token):
                raise MissingCredentialsError(
                    f"--token-file {path!r} must contain only the token, on one line."
                )
            self.token = token
            return token
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            raise MissingCredentialsError(
                f"No HubSpot token: set {TOKEN_ENV} (e.g. a private app token pat-na1-...) or "
                "pass --token-file PATH. Without an account, try: hubspot-assoc demo"
            )
        self.token = token
        return token

    def client(self) -> Client:
        """A client configured from the global options."""
        from hubspot_assoc.client import Client
        from hubspot_assoc.retry import RetryPolicy

        token = self.read_token()
        args = self.args
        retry = (
            RetryPolicy() if args.max_retries is None else RetryPolicy(max_retries=args.max_retries)
        )
        return Client(token, base_url=args.base_url, timeout=args.timeout, retry=retry)


def _enable_request_log(context: _Context) -> Callable[[], None]:
    """Send the ``hubspot_assoc`` logger's DEBUG lines to stderr; returns the undo function.

    The handler masks the CLI's token in every line (the library redacts credentials too;
    this is belt and braces).
    """
    import logging

    def redact(record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = context.redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True

    logger = logging.getLogger("hubspot_assoc")
    handler = logging.StreamHandler(context.stderr)
    handler.setFormatter(logging.Formatter("debug: %(message)s"))
    handler.addFilter(redact)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def undo() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous)

    return undo


# --------------------------------------------------------------------------- formatting


def _table(
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
    return _table(
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
    return _table(
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


def _spec_text(item: object) -> str:
    category = getattr(item, "category", "?")
    text = f"{category}:{getattr(item, 'type_id', '?')}"
    maximum = getattr(item, "max_to_object_ids", None)
    return f"{text}={maximum}" if maximum is not None else text


_VERBS = {"create": "Set", "update": "Updated", "purge": "Purged"}


def format_batch(operation: str, from_type: str, to_type: str, result: BatchResult[Any]) -> str:
    """The summary line of a batch call and, when some inputs failed, one line per input."""
    unconfirmed = list(result.unconfirmed)
    total = len(result.succeeded) + len(result.failed) + len(result.not_sent) + len(unconfirmed)
    noun = "limit" if total == 1 else "limits"
    line = (
        f"{_VERBS.get(operation, operation)} {len(result.succeeded)} of {total} {noun} "
        f"on {from_type} -> {to_type}"
    )
    if result.ok:
        return line
    rows: list[tuple[object, ...]] = []
    for item, error in result.failures():
        if error is None:
            rows.append(("failed", _spec_text(item), "-", "not confirmed in HubSpot's answer"))
        else:
            rows.append(
                ("failed", _spec_text(item), error.category or "-", _one_line(error.message))
            )
    for item in unconfirmed:
        why = f"HubSpot reported the batch {result.status}, not COMPLETE; check whether it applied"
        rows.append(("unconfirmed", _spec_text(item), "-", why))
    for item in result.not_sent:
        rows.append(("not sent", _spec_text(item), "-", "an earlier request failed"))
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
    table = _table(("", "INPUT", "CATEGORY", "MESSAGE"), rows)
    return f"{line}; {', '.join(parts)}:\n" + _indent(table)


def _one_line(text: str) -> str:
    return " ".join(text.split()) or "-"


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.splitlines())


# --------------------------------------------------------------------------- JSON


def _limit_json(item: AssociationLimit) -> dict[str, Any]:
    return {
        "category": str(item.category),
        "type_id": item.type_id,
        "label": item.label,
        "max_to_object_ids": item.max_to_object_ids,
    }


def _label_json(item: AssociationLabel) -> dict[str, Any]:
    return {
        "category": str(item.category),
        "type_id": item.type_id,
        "label": item.label,
        "from_object_type_id": item.from_object_type_id,
        "to_object_type_id": item.to_object_type_id,
    }


def _input_json(item: object) -> dict[str, Any]:
    out: dict[str, Any] = {
        "category": str(getattr(item, "category", "")),
        "type_id": getattr(item, "type_id", None),
    }
    if hasattr(item, "max_to_object_ids"):
        out["max_to_object_ids"] = item.max_to_object_ids
    return out


def _item_error_json(error: BatchItemError) -> dict[str, Any]:
    return {
        "status": error.status,
        "category": error.category,
        "message": error.message,
        "context": dict(error.context),
        "sub_category": error.sub_category,
        "id": error.id,
    }


def _batch_json(
    operation: str, from_type: str, to_type: str, result: BatchResult[Any]
) -> dict[str, Any]:
    results = [_limit_json(r) if hasattr(r, "type_id") else r for r in result.results]
    return {
        "operation": operation,
        "from": from_type,
        "to": to_type,
        "ok": result.ok,
        "status": result.status,
        "succeeded": [_input_json(i) for i in result.succeeded],
        "failed": [
            {
                "input": _input_json(item),
                "error": None if error is None else _item_error_json(error),
            }
            for item, error in result.failures()
        ],
        "not_sent": [_input_json(i) for i in result.not_sent],
        "unconfirmed": [_input_json(i) for i in result.unconfirmed],
        "num_errors": result.num_errors,
        "errors": [_item_error_json(e) for e in result.errors],
        "results": results,
    }


def _json_text(document: object) -> str:
    import json

    return json.dumps(document, indent=2, default=str, ensure_ascii=False)


def _json_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _error_json(exc: BaseException, exit_code: int) -> dict[str, Any]:
    """The fields of an error, for ``--json``: never headers, bodies or credentials."""
    from hubspot_assoc import errors

    out: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc), "exit_code": exit_code}
    if isinstance(exc, UsageError):
        out["type"] = exc.kind
    if isinstance(exc, errors.InvalidInputError):
        out["argument"] = exc.argument
        out["allowed"] = exc.allowed
        out["hint"] = exc.hint
        if _json_scalar(exc.value):
            out["value"] = exc.value
    if isinstance(exc, errors.APIError):
        out.update(
            status_code=exc.status_code,
            category=exc.category,
            sub_category=exc.sub_category,
            correlation_id=exc.correlation_id,
            method=exc.method,
            path=_path_of(exc.url),
            attempts=exc.attempts,
            context={k: list(v) for k, v in exc.context.items()},
            errors=[
                {
                    "message": d.message,
                    "code": d.code,
                    "in": d.in_,
                    "sub_category": d.sub_category,
                    "context": {k: list(v) for k, v in d.context.items()},
                }
                for d in exc.errors
            ],
        )
    if isinstance(exc, errors.MissingScopesError):
        out["missing_scopes"] = list(exc.missing_scopes)
    if isinstance(exc, errors.RateLimitError):
        out["policy"] = exc.policy
        out["retry_after"] = exc.retry_after
    if isinstance(exc, errors.AuthenticationError):
        out["expired"] = getattr(exc, "expired", None)
    if isinstance(exc, errors.APIConnectionError):
        out.update(method=exc.method, path=_path_of(exc.url), attempts=exc.attempts)
    return out


def _path_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).path or url
    except ValueError:
        return url.split("?", 1)[0]


# --------------------------------------------------------------------------- confirmation


def _stdin_is_tty() -> bool:
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (ValueError, OSError):  # closed or detached
        return False


def _refuse_without_terminal(context: _Context) -> None:
    """Raise :class:`UsageError` when confirmation is needed but nobody can answer."""
    if getattr(context.args, "yes", False) or _stdin_is_tty():
        return
    raise UsageError(
        "refusing to change anything without confirmation: stdin is not a "
        "terminal. Pass --yes to confirm (or --dry-run to see the request first).",
        kind="ConfirmationRequired",
    )


def _confirm(context: _Context, description: str, question: str) -> None:
    """Ask *question* on the terminal; raise :class:`UsageError` unless the answer is yes.

    Without a terminal on stdin nobody can answer, so refuse at once instead of hanging.
    """
    if getattr(context.args, "yes", False):
        return
    _refuse_without_terminal(context)
    context.stderr.write(context.redact(description) + "\n" + question + " [y/N] ")
    context.stderr.flush()
    answer = sys.stdin.readline()
    if answer.strip().lower() not in {"y", "yes"}:
        raise UsageError("not confirmed; nothing was changed.", kind="NotConfirmed")


# --------------------------------------------------------------------------- dry run


def _print_dry_run(context: _Context, operations: Sequence[Any]) -> int:
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
            context.out(_json_text(request["body"]))
    return EXIT_OK


# --------------------------------------------------------------------------- batch runs


def _chunks(items: Sequence[Any], size: int) -> list[list[Any]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _run_batch(
    context: _Context,
    items: Sequence[AssociationSpec | LimitInput],
    call: Callable[[list[Any]], BatchResult[Any]],
    what: str,
) -> BatchResult[Any]:
    """Send *items* in requests of up to 100, with a progress line per request on a terminal.

    The chunking mirrors the client's own (which gives no progress hook): when a request
    fails after earlier ones were applied, the error says exactly which inputs were applied,
    which failed and which were never sent.
    """
    from hubspot_assoc.errors import BatchPartialFailureError, HubSpotError
    from hubspot_assoc.models import BatchResult

    chunks = _chunks(items, BATCH_SIZE)
    show = len(chunks) > 1 and context.stderr.isatty()
    parts: list[BatchResult[Any]] = []
    done = 0
    for index, chunk in enumerate(chunks):
        if show:
            context.err(
                f"{what}: request {index + 1} of {len(chunks)} "
                f"({done + 1}-{done + len(chunk)} of {len(items)})..."
            )
        try:
            parts.append(call(chunk))
        except HubSpotError as exc:
            if not parts:
                raise
            not_sent = [item for later in chunks[index + 1 :] for item in later]
            failed: BatchResult[Any] = BatchResult(status="CANCELED", failed=list(chunk))
            result = BatchResult.combine([*parts, failed], not_sent=not_sent)
            raise BatchPartialFailureError(
                result,
                f"{len(result.succeeded)} of {len(items)} inputs were applied before request "
                f"{index + 1} of {len(chunks)} failed ({len(result.failed)} failed, "
                f"{len(result.not_sent)} not sent): {exc}",
            ) from exc
        done += len(chunk)
    return BatchResult.combine(parts) if parts else BatchResult.empty()


def _report_batch(
    context: _Context, operation: str, from_type: str, to_type: str, result: BatchResult[Any]
) -> int:
    from hubspot_assoc.errors import BatchPartialFailureError

    if not result.ok:
        error = BatchPartialFailureError(result)
        if context.json:
            document = _error_json(error, EXIT_PARTIAL)
            document["result"] = _batch_json(operation, from_type, to_type, result)
            context.emit_json({"error": document})
        else:
            context.out(format_batch(operation, from_type, to_type, result))
        return EXIT_PARTIAL
    if context.json:
        context.emit_json(_batch_json(operation, from_type, to_type, result))
        return EXIT_OK
    context.out(format_batch(operation, from_type, to_type, result))
    # Update answers carry no labels, so only create's results make a useful table.
    if operation == "create" and result.results:
        context.out()
        context.out(format_limits(result.results))
    return EXIT_OK


# --------------------------------------------------------------------------- handlers


def _limits_list(context: _Context) -> int:
    args = context.args
    if (args.from_type is None) != (args.to_type is None):
        raise UsageError(
            "--from and --to go together (or give neither to list "
            "every configured limit in the portal)",
            kind="UsageError",
        )
    if args.from_type is not None:
        return _limits_get(context)
    with context.client() as client:
        limits = client.limits.list()
    empty = "No limits are configured in this portal."
    return _show(context, "limits", None, None, limits, _limit_json, format_limits, empty)


def _limits_get(context: _Context) -> int:
    args = context.args
    with context.client() as client:
        limits = client.limits.get(args.from_type, args.to_type)
    empty = f"No association types from {args.from_type} to {args.to_type}."
    return _show(
        context, "limits", args.from_type, args.to_type, limits, _limit_json, format_limits, empty
    )


def _show(
    context: _Context,
    kind: str,
    from_type: str | None,
    to_type: str | None,
    items: Sequence[Any],
    to_json: Callable[[Any], dict[str, Any]],
    to_table: Callable[[Sequence[Any]], str],
    empty: str,
) -> int:
    """Print a listing: one JSON document, a table, or a line saying there is nothing."""
    if context.json:
        context.emit_json({"from": from_type, "to": to_type, kind: [to_json(x) for x in items]})
    elif items:
        context.out(to_table(items))
    else:
        context.out(empty)
    return EXIT_OK


def _set_limits(context: _Context, operation: str) -> int:
    from hubspot_assoc import operations as ops
    from hubspot_assoc.models import LimitInput

    args = context.args
    items = []
    for category, type_id, maximum in _parse_specs(args.specs, with_max=True):
        assert maximum is not None  # parse_spec guarantees it with with_max=True
        items.append(LimitInput(category, type_id, maximum))
    plan_for = ops.create_limits if operation == "create" else ops.update_limits
    # Built first even without --dry-run: it validates the object types before any request.
    plan = plan_for(args.from_type, args.to_type, items, BATCH_SIZE)
    if args.dry_run:
        return _print_dry_run(context, [chunk.operation for chunk in plan.chunks])
    with context.client() as client:
        method = client.limits.create if operation == "create" else client.limits.update
        result = _run_batch(
            context,
            items,
            lambda chunk: method(args.from_type, args.to_type, chunk),
            f"{_VERBS[operation]} limits",
        )
    return _report_batch(context, operation, args.from_type, args.to_type, result)


def _limits_create(context: _Context) -> int:
    return _set_limits(context, "create")


def _limits_update(context: _Context) -> int:
    return _set_limits(context, "update")


def _limits_purge(context: _Context) -> int:
    from contextlib import suppress

    from hubspot_assoc import operations as ops
    from hubspot_assoc.errors import HubSpotError
    from hubspot_assoc.models import AssociationSpec

    args = context.args
    items = [AssociationSpec(c, t) for c, t, _ in _parse_specs(args.specs, with_max=False)]
    plan = ops.purge_limits(args.from_type, args.to_type, items, BATCH_SIZE)
    if args.dry_run:
        return _print_dry_run(context, [chunk.operation for chunk in plan.chunks])
    _refuse_without_terminal(context)  # before reading the token or sending anything
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
                    lines.append(f"  {_spec_text(item)}")
                    continue
                label = f" ({known.label})" if known.label else ""
                limit = (
                    "no limit configured"
                    if known.max_to_object_ids is None
                    else f"limit {known.max_to_object_ids} -> default"
                )
                lines.append(f"  {_spec_text(item)}{label}: {limit}")
            description = (
                f"Purging removes these limits on {args.from_type} -> {args.to_type}; the "
                "default applies again and no association is deleted:\n" + "\n".join(lines)
            )
            noun = "limit" if len(items) == 1 else "limits"
            _confirm(context, description, f"Purge {len(items)} {noun}?")
        result = _run_batch(
            context,
            items,
            lambda chunk: client.limits.purge(args.from_type, args.to_type, chunk),
            "Purging limits",
        )
    return _report_batch(context, "purge", args.from_type, args.to_type, result)


def _labels_list(context: _Context) -> int:
    args = context.args
    with context.client() as client:
        labels = client.labels.list(args.from_type, args.to_type)
    empty = f"No association types from {args.from_type} to {args.to_type}."
    return _show(
        context, "labels", args.from_type, args.to_type, labels, _label_json, format_labels, empty
    )


def _labels_create(context: _Context) -> int:
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
        return _print_dry_run(context, [operation])
    with context.client() as client:
        created = client.labels.create(
            args.from_type,
            args.to_type,
            label=args.label,
            name=args.name,
            inverse_label=args.inverse_label,
        )
    if context.json:
        context.emit_json(
            {
                "from": args.from_type,
                "to": args.to_type,
                "labels": [_label_json(x) for x in created],
            }
        )
        return EXIT_OK
    context.out(f"Created label {args.label!r} on {args.from_type} -> {args.to_type}:")
    context.out()
    context.out(format_labels(created))
    return EXIT_OK


def _labels_update(context: _Context) -> int:
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
        return _print_dry_run(context, [operation])
    with context.client() as client:
        client.labels.update(
            args.from_type,
            args.to_type,
            args.type_id,
            label=args.label,
            inverse_label=args.inverse_label,
        )
    if context.json:
        context.emit_json(
            {
                "from": args.from_type,
                "to": args.to_type,
                "type_id": args.type_id,
                "label": args.label.strip(),
                "inverse_label": None if args.inverse_label is None else args.inverse_label.strip(),
                "updated": True,
            }
        )
        return EXIT_OK
    context.out(
        f"Updated the label of association type {args.type_id} on {args.from_type} -> "
        f"{args.to_type} to {args.label.strip()!r}."
    )
    return EXIT_OK


def _labels_delete(context: _Context) -> int:
    from hubspot_assoc import operations as ops
    from hubspot_assoc.errors import HubSpotError

    args = context.args
    operation = ops.delete_label(args.from_type, args.to_type, args.type_id)
    if args.dry_run:
        return _print_dry_run(context, [operation])
    _refuse_without_terminal(context)
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
            _confirm(
                context,
                f"This deletes {shown} from {args.from_type} to {args.to_type}.",
                "Delete it?",
            )
        client.labels.delete(args.from_type, args.to_type, args.type_id)
    if context.json:
        context.emit_json(
            {"from": args.from_type, "to": args.to_type, "type_id": args.type_id, "deleted": True}
        )
        return EXIT_OK
    context.out(f"Deleted association type {args.type_id} from {args.from_type} to {args.to_type}.")
    return EXIT_OK


def _sandbox(context: _Context) -> int:
    from hubspot_assoc.sandbox.cli import add_arguments, run

    parser = _Parser(
        prog=f"{PROG} sandbox",
        description="Run a local HubSpot CRM Associations v4 server (limits and labels).",
        allow_abbrev=False,
    )
    add_arguments(parser)
    try:
        args = parser.parse_args(context.args.extra)
    except SystemExit as exc:  # --help
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    return run(args)


def _demo(context: _Context) -> int:
    if context.json:
        raise UsageError("the demo has no JSON output; drop --json")
    from hubspot_assoc.demo import run

    return run(context.stdout)


# --------------------------------------------------------------------------- main


def _wants_json(argv: Sequence[str]) -> bool:
    for arg in argv:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


def _rejected_token_flag(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg == "--":
            return None
        for flag in _TOKEN_FLAGS:
            if arg == flag or arg.startswith(flag + "="):
                return flag
    return None


def _exit_code(exc: BaseException) -> int:
    from hubspot_assoc import errors

    if isinstance(exc, UsageError | errors.InvalidInputError | errors.MissingCredentialsError):
        return EXIT_USAGE
    if isinstance(exc, errors.BatchPartialFailureError):
        return EXIT_PARTIAL
    if isinstance(exc, errors.APIConnectionError):
        return EXIT_CONNECTION
    return EXIT_API_ERROR


def _report_error(context: _Context, exc: BaseException) -> int:
    code = _exit_code(exc)
    from hubspot_assoc.errors import BatchPartialFailureError

    if context.json:
        document = _error_json(exc, code)
        if isinstance(exc, BatchPartialFailureError):
            args = context.args
            document["result"] = _batch_json(
                str(getattr(args, "action", "")),
                str(getattr(args, "from_type", "")),
                str(getattr(args, "to_type", "")),
                exc.result,
            )
        context.emit_json({"error": document})
        return code
    if isinstance(exc, BatchPartialFailureError):
        args = context.args
        context.out(
            format_batch(str(args.action), str(args.from_type), str(args.to_type), exc.result)
        )
    context.err(f"{PROG}: error: {exc}")
    return code


def _report_usage_error(
    exc: UsageError, argv: Sequence[str], stdout: IO[str], stderr: IO[str]
) -> int:
    if _wants_json(argv):
        stdout.write(_json_text({"error": _usage_json(exc)}) + "\n")
    else:
        if exc.usage:
            stderr.write(exc.usage)
        stderr.write(exc.shown + "\n")
    return EXIT_USAGE


def _usage_json(exc: UsageError) -> dict[str, Any]:
    out: dict[str, Any] = {"type": exc.kind, "message": exc.message, "exit_code": EXIT_USAGE}
    if exc.argument is not None:
        out["argument"] = exc.argument
        out["value"] = exc.value
    return out


def main(argv: list[str] | None = None) -> int:
    """Run ``hubspot-assoc`` with *argv* (default ``sys.argv[1:]``); return the exit code."""
    from contextlib import suppress

    args_list = list(sys.argv[1:] if argv is None else argv)
    stdout, stderr = sys.stdout, sys.stderr
    flag = _rejected_token_flag(args_list)
    if flag is not None:
        return _report_usage_error(
            UsageError(_TOKEN_REFUSAL.format(flag=flag)),
            args_list,
            stdout,
            stderr,
        )
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(args_list)
        if extra and not getattr(args, "accepts_extra", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.extra = extra
    except UsageError as exc:
        return _report_usage_error(exc, args_list, stdout, stderr)
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else EXIT_OK
    for name, value in _COMMON_DEFAULTS.items():
        if not hasattr(args, name):
            setattr(args, name, value)

    context = _Context(args, stdout, stderr)
    undo_log = _enable_request_log(context) if args.verbose else None
    handler: Callable[[_Context], int] = args.handler
    try:
        return handler(context)
    except KeyboardInterrupt:
        stderr.write(
            f"\n{PROG}: interrupted. A request in flight may or may not have been applied; "
            "read the current configuration before running the command again.\n"
        )
        return EXIT_INTERRUPTED
    except UsageError as exc:
        if context.json:
            context.emit_json({"error": _usage_json(exc)})
        else:
            context.err(exc.shown)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (e.g. `| head`); say nothing more on a closed pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_API_ERROR
    except Exception as exc:
        from hubspot_assoc.errors import HubSpotError

        if not isinstance(exc, HubSpotError):
            raise
        return _report_error(context, exc)
    finally:
        if undo_log is not None:
            undo_log()
        with suppress(BrokenPipeError, ValueError):
            stdout.flush()
