"""What every command runs with: the parsed arguments, the output streams, the token
(read from ``--token-file`` or the environment, and masked in everything printed) and
a client configured from the global options."""

from __future__ import annotations

import os

from hubspot_assoc._constants import API_VERSION_ENV, BASE_URL_ENV, TOKEN_ENV
from hubspot_assoc.cli.args import base_url_problem
from hubspot_assoc.cli.exits import EXIT_OK, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import IO, Any

    from hubspot_assoc.client import Client

__all__ = ["Context", "enable_request_log"]


class Context:
    """The parsed arguments, the output streams, and the token (for redaction).

    Redaction: every string printed has the token masked by value (when it is at least
    :data:`~hubspot_assoc.scrub.MIN_SECRET_LENGTH` long); error text and log lines, which may
    quote what a server or an exception said, are also scrubbed of anything that looks like
    a credential. JSON is redacted string by string, before it is serialised.
    """

    def __init__(
        self, args: argparse.Namespace, stdout: IO[str], stderr: IO[str], *, json: bool = False
    ) -> None:
        self.args = args
        self.stdout = stdout
        self.stderr = stderr
        self.json: bool = json or bool(getattr(args, "json", False))
        self.token: str | None = None
        #: Whether this run's one JSON document has been written.
        self.emitted = False

    def mask(self, text: str) -> str:
        """*text* with the token (if known) masked: the last line of defence."""
        # Imported here: its patterns are compiled on import, which --help need not pay.
        from hubspot_assoc.scrub import mask_values

        return mask_values(text, [self.token])

    def redact(self, text: str) -> str:
        """*text* that may quote a credential (an error, a log line), made safe to print."""
        from hubspot_assoc.scrub import mask_values, scrub

        return mask_values(scrub(text), [self.token])

    def out(self, text: str = "") -> None:
        """Print a line on stdout."""
        self.stdout.write(self.mask(text) + "\n")

    def err(self, text: str) -> None:
        """Print a line on stderr, at once (errors, progress, prompts)."""
        self.stderr.write(self.redact(text) + "\n")
        self.stderr.flush()

    def emit_json(self, document: object, *, compact: bool = False) -> None:
        """Print *document* as the run's one JSON document (*compact*: on one line)."""
        from hubspot_assoc.cli.jsonout import json_text, redacted

        if self.emitted:
            raise RuntimeError("a --json run prints exactly one JSON document")
        self.emitted = True
        self.stdout.write(json_text(redacted(document, self.mask), compact=compact) + "\n")
        self.stdout.flush()

    def answer(self, document: object, text: str) -> int:
        """Report a command's outcome: *document* as the run's JSON document with ``--json``,
        else the line *text*. Returns the exit code, 0."""
        if self.json:
            self.emit_json(document)
        else:
            self.out(text)
        return EXIT_OK

    def emit_error(self, fields: dict[str, Any]) -> None:
        """Print ``{"error": fields}`` as the run's JSON document, scrubbed like error text."""
        from hubspot_assoc.cli.jsonout import json_text, redacted

        if self.emitted:
            raise RuntimeError("a --json run prints exactly one JSON document")
        self.emitted = True
        self.stdout.write(json_text(redacted({"error": fields}, self.redact)) + "\n")
        self.stdout.flush()

    def read_token(self) -> str:
        """The token from ``--token-file`` or the environment; raises when there is none."""
        from hubspot_assoc.auth import clean_secret
        from hubspot_assoc.errors import MissingCredentialsError

        path = self.args.token_file
        if path is not None:
            try:
                with open(path, encoding="utf-8") as handle:
                    # Without a byte order mark and newline, so that the value the CLI masks
                    # in its output is the token the client sends.
                    token = str(clean_secret(handle.read()))
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
        token = str(clean_secret(os.environ.get(TOKEN_ENV, "")))
        if not token:
            raise MissingCredentialsError(
                f"No HubSpot token: set {TOKEN_ENV} (e.g. a private app token pat-na1-...) or "
                "pass --token-file PATH. Without an account, try: hubspot-assoc demo"
            )
        self.token = token
        return token

    def client(self) -> Client:
        """A client configured from the global options.

        A setting the client refuses is a usage error naming the option (or the
        environment variable) it came from.
        """
        from urllib.parse import urlsplit

        from hubspot_assoc.client import Client
        from hubspot_assoc.errors import InvalidInputError
        from hubspot_assoc.ratelimit import STORE_ENV, RateLimit, redact_url
        from hubspot_assoc.retry import RetryPolicy

        args = self.args
        base_url_source = "--base-url" if args.base_url is not None else f"${BASE_URL_ENV}"
        if args.base_url is None and os.environ.get(BASE_URL_ENV, "").strip():
            problem = base_url_problem(os.environ[BASE_URL_ENV])
            if problem is not None:
                raise UsageError(
                    f"${BASE_URL_ENV} is not a usable base URL: {problem}",
                    kind="InvalidInputError",
                    argument=f"${BASE_URL_ENV}",
                )
        token = self.read_token()
        sources = {
            "base_url": base_url_source,
            "timeout": "--timeout",
            "retry": "--max-retries",
            "max_retries": "--max-retries",
            "api_version": "--api-version"
            if args.api_version is not None
            else f"${API_VERSION_ENV}",
            "store": "--rate-limit-store",
            STORE_ENV: f"${STORE_ENV}",
        }
        if args.rate_limit_store and urlsplit(args.rate_limit_store).password is not None:
            # Like the token, a password does not belong in argv (ps, shell history).
            raise UsageError(
                f"--rate-limit-store {redact_url(args.rate_limit_store)}: a URL with a "
                f"password belongs in ${STORE_ENV}, not on the command line",
                kind="InvalidInputError",
                argument="--rate-limit-store",
            )
        try:
            rate_limit = (
                RateLimit(store=args.rate_limit_store) if args.rate_limit_store else RateLimit()
            )
            retry = (
                RetryPolicy()
                if args.max_retries is None
                else RetryPolicy(max_retries=args.max_retries)
            )
            return Client(
                token,
                base_url=args.base_url,
                timeout=args.timeout,
                retry=retry,
                rate_limit=rate_limit,
                api_version=args.api_version,
            )
        except InvalidInputError as exc:
            option = sources.get(exc.argument)
            if option is None:
                raise
            raise UsageError(
                f"{option}: {exc}", kind="InvalidInputError", argument=option
            ) from None


def enable_request_log(context: Context) -> Callable[[], None]:
    """Send the ``hubspot_assoc`` logger's DEBUG lines to stderr; returns the undo function.

    The handler masks the CLI's token in every line (the library's logger masks anything
    that looks like a credential too; this is belt and braces).
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
