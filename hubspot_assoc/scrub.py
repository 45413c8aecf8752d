"""Masking credentials in text: the one implementation behind errors, logs and the CLI.

:func:`scrub` masks anything that looks like a credential (a private app token, a
``Bearer`` header, ``refresh_token=...`` and similar pairs, long opaque strings);
:func:`safe_url` masks credential-looking query parameters of a URL; :func:`mask_values`
masks values the caller knows to be secret (e.g. the token the CLI read).

>>> scrub("Authorization: Bearer abc.def")
'Authorization: Bearer ***'
>>> scrub("token pat-na1-1234abcd")
'token pat-***'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MIN_SECRET_LENGTH", "mask_values", "safe_url", "scrub"]

#: Known secrets shorter than this are not masked by value: masking "1" or "x" wherever it
#: occurs would corrupt everything printed, and no real HubSpot token is that short
#: (private app tokens are 44 characters, OAuth access tokens longer).
MIN_SECRET_LENGTH = 8

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Private app tokens: pat-<region>-<uuid>.
    (re.compile(r"\bpat-[a-z0-9]+-[A-Za-z0-9-]+", re.IGNORECASE), "pat-***"),
    (re.compile(r"\bBearer\s+[^\s,;\"']+", re.IGNORECASE), "Bearer ***"),
    # Names that only ever mean a credential: as key=value, or as a JSON/YAML-ish key.
    (
        re.compile(
            r"\b((?:access_token|refresh_token|client_secret|hapikey)[\"']?\s*[=:]\s*[\"']?)"
            r"[^\s&,;\"']+",
            re.IGNORECASE,
        ),
        r"\1***",
    ),
    # Names that are credentials in query strings and form bodies echoed back.
    (re.compile(r"\b(code|token)=[^\s&,;\"']+", re.IGNORECASE), r"\1=***"),
    # Long opaque strings (OAuth access tokens are ~100 chars of this alphabet); a UUID
    # (36 chars, e.g. a correlation id) is short enough to survive.
    (re.compile(r"[A-Za-z0-9_\-+=]{40,}"), "***"),
)

_SENSITIVE_QUERY = re.compile(
    r"(^|[?&])(hapikey|access_token|refresh_token|client_secret|code|token)=[^&]*", re.IGNORECASE
)


def scrub(text: str) -> str:
    """*text* with anything that looks like a credential masked as ``***``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def safe_url(url: str) -> str:
    """*url* with any credential-looking query parameter masked."""
    return _SENSITIVE_QUERY.sub(lambda m: f"{m.group(1)}{m.group(2)}=***", url)


def mask_values(text: str, secrets: Iterable[str | None]) -> str:
    """*text* with every occurrence of each known secret value replaced by ``***``.

    Values shorter than :data:`MIN_SECRET_LENGTH` are left alone (see there). Apply it to
    each string of a structure, never to serialised JSON, whose syntax it could break.
    """
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, "***")
    return text
