"""Checking the ``base_url`` setting: a bare http(s) server address, never carrying secrets."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx

from .errors import InvalidInputError

_ALLOWED = (
    "an absolute http:// or https:// URL such as https://api.hubapi.com "
    "(no user:password@, ?query or #fragment)"
)
_USERINFO = re.compile(r"//[^/?#]*@")


def _shown(text: str) -> str:
    """``text`` as an error may show it: no user:password@, no query, no fragment."""
    text = _USERINFO.sub("//***@", text)
    for mark in "?#":
        head, found, _ = text.partition(mark)
        text = head + (mark + "..." if found else "")
    return text


def normalise_base_url(value: object, *, source: str | None = None) -> str:
    """``value`` without a trailing slash, or :class:`InvalidInputError` naming ``base_url``.

    ``source`` names the environment variable the value came from, for the message.
    Credentials in the URL are refused rather than sent: HubSpot authenticates with the
    access token, and a ``user:password@`` or ``?hapikey=`` would end up in reprs and logs.
    """
    origin = f"from the {source} environment variable" if source else None

    def refuse(problem: str | None, shown: object) -> InvalidInputError:
        hint = "; ".join(p for p in (origin, problem) if p) or None
        return InvalidInputError("base_url", shown, _ALLOWED, hint=hint, what="base URL")

    if not isinstance(value, str):
        raise refuse(f"got a {type(value).__name__}, not a str", f"<{type(value).__name__}>")
    text = value.strip().rstrip("/")
    shown = _shown(text)
    if any(c.isspace() or not c.isprintable() for c in text):
        raise refuse("it contains spaces or control characters", shown)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - parses the port, raising ValueError when it is not one
        httpx.URL(text)
    except (ValueError, httpx.InvalidURL):
        raise refuse("it cannot be parsed as a URL", shown) from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise refuse(None, shown)
    if "@" in parts.netloc:
        raise refuse("credentials belong in access_token or oauth, never in the URL", shown)
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise refuse("base_url is the server address only; remove the ?query or #fragment", shown)
    return text
