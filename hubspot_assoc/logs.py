"""The ``hubspot_assoc`` logger: one DEBUG line per HTTP attempt, secrets redacted.

Set ``HUBSPOT_LOG=debug`` in the environment to see those lines on stderr without writing
any logging configuration; otherwise configure the ``hubspot_assoc`` logger as usual::

    import logging
    logging.getLogger("hubspot_assoc").setLevel(logging.DEBUG)

The SDK never passes a credential to the logger, and a filter on the logger masks anything
that looks like one (``Bearer ...``, ``pat-...`` private app tokens, ``refresh_token=...``)
as a second line of defence, for example in a message quoted from a server.
"""

from __future__ import annotations

import logging
import os
import sys

from .scrub import scrub

__all__ = ["logger", "redact"]

logger = logging.getLogger("hubspot_assoc")


def redact(text: str) -> str:
    """Mask anything in ``text`` that looks like a credential (see :mod:`hubspot_assoc.scrub`).

    >>> redact("Authorization: Bearer abc.def")
    'Authorization: Bearer ***'
    >>> redact("token pat-na1-1234abcd")
    'token pat-***'
    """
    return scrub(text)


class _RedactingFilter(logging.Filter):
    """Masks credentials in every record of the ``hubspot_assoc`` logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


logger.addFilter(_RedactingFilter())
_env_configured = False


def configure_from_environment() -> None:
    """Honour ``HUBSPOT_LOG=debug`` (or ``info``) once per process.

    Adds a stderr handler only when the application has not configured the logger itself.
    """
    global _env_configured
    if _env_configured:
        return
    _env_configured = True
    level = os.environ.get("HUBSPOT_LOG", "").strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        return
    logger.setLevel(level)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
