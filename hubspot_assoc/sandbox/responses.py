"""HubSpot-shaped answer bodies: the ``Error`` body, batch ``StandardError`` items, 429 bodies.

Everything here builds plain dicts (or bytes for the edge HTML pages); the server serialises them.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

JSON = dict[str, Any]

SCOPES_LINK = "https://developers.hubspot.com/scopes"

_EXTRA_REASONS = {
    521: "Web Server Is Down",
    523: "Origin Is Unreachable",
    524: "A Timeout Occurred",
}


def correlation_id() -> str:
    """A fresh correlation id (a uuid4 string), as HubSpot puts on every answer."""
    return str(uuid.uuid4())


def now_iso() -> str:
    """The current UTC time as HubSpot writes it, e.g. ``2026-01-02T03:04:05.678Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_from_epoch(seconds: float) -> str:
    """An epoch time in HubSpot's ISO form."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dumps(obj: object) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(obj, separators=(",", ":")).encode()


def reason_phrase(status: int) -> str:
    """The reason phrase for a status line, including the Cloudflare-only 52x codes."""
    if status in _EXTRA_REASONS:
        return _EXTRA_REASONS[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def detail(
    message: str,
    *,
    code: str | None = None,
    in_: str | None = None,
    context: dict[str, list[str]] | None = None,
) -> JSON:
    """One ``ErrorDetail``: ``{"message", "code"?, "in"?, "context"?}``."""
    out: JSON = {"message": message}
    if code is not None:
        out["code"] = code
    if in_ is not None:
        out["in"] = in_
    if context is not None:
        out["context"] = context
    return out


class ApiError(Exception):
    """An error answer raised inside a route handler; the server renders it as HubSpot's ``Error``.

    Example: ``raise ApiError(404, "OBJECT_NOT_FOUND", "Unable to infer object type from: foo")``
    """

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: list[JSON] | None = None,
        context: dict[str, list[str]] | None = None,
        sub_category: str | None = None,
        links: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors
        self.context = context
        self.sub_category = sub_category
        self.links = links

    def body(self, cid: str) -> JSON:
        """The ``Error`` JSON body for this error with correlation id ``cid``."""
        out: JSON = {
            "status": "error",
            "message": self.message,
            "correlationId": cid,
            "category": self.category,
        }
        if self.sub_category is not None:
            out["subCategory"] = self.sub_category
        if self.context is not None:
            out["context"] = self.context
        if self.errors is not None:
            out["errors"] = self.errors
        if self.links is not None:
            out["links"] = self.links
        return out


class MethodNotAllowed(ApiError):
    """A 405 answer; ``allow`` is the value of the ``Allow`` header RFC 9110 requires with it."""

    def __init__(self, method: str, allow: str) -> None:
        super().__init__(
            405, "METHOD_NOT_ALLOWED", f"HTTP {method} is not allowed here; use {allow}."
        )
        self.allow = allow


def validation_error(errors: list[JSON]) -> ApiError:
    """A 400 VALIDATION_ERROR carrying ``errors`` (ErrorDetail items)."""
    if len(errors) == 1:
        message = f"Invalid input: {errors[0]['message']}"
    else:
        message = f"Invalid input: {len(errors)} problems, see errors."
    return ApiError(400, "VALIDATION_ERROR", message, errors=errors)


def standard_error(
    category: str,
    message: str,
    context: dict[str, list[str]],
    errors: list[JSON] | None = None,
) -> JSON:
    """One batch ``StandardError`` item (all of its required fields present)."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": context,
        "errors": errors or [],
        "links": {},
    }


def rate_limit_body(cid: str, policy: str, group: str) -> JSON:
    """HubSpot's 429 body; note it has ``errorType`` and ``policyName`` but no ``category``."""
    return {
        "status": "error",
        "message": f"You have reached your {policy.lower()} limit.",
        "errorType": "RATE_LIMIT",
        "correlationId": cid,
        "policyName": policy,
        "groupName": group,
    }


def edge_html(status: int, cid: str) -> bytes:
    """An HTML error page like the ones HubSpot's CDN edge sends for 502/503/504/52x."""
    phrase = reason_phrase(status)
    return (
        "<!DOCTYPE html>\n<html><head><title>"
        f"{status} {phrase}</title></head>\n<body><h1>{status} {phrase}</h1>\n"
        f"<p>The server could not complete your request. Ray ID: {cid[:16]}</p>\n"
        "</body></html>\n"
    ).encode()
