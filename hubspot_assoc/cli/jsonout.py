"""JSON output of ``--json``: the document text, and the fields of errors and batch results.

Values are serialised by the library's own ``to_dict()``; this module only decides what
the CLI's documents contain (never headers, bodies or credentials).
"""

from __future__ import annotations

from hubspot_assoc.cli.exits import EXIT_USAGE, UsageError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from hubspot_assoc.models import BatchResult

__all__ = ["batch_json", "error_json", "json_text", "redacted", "usage_json"]


def json_text(document: object, *, compact: bool = False) -> str:
    """*document* as indented JSON, or on one line when *compact* (non-ASCII kept as is)."""
    import json

    return json.dumps(document, indent=None if compact else 2, default=str, ensure_ascii=False)


def redacted(document: object, redact: Callable[[str], str]) -> object:
    """*document* with *redact* applied to every string in it (keys too), and anything
    that is not JSON made a string first. Redacting the strings, never the serialised
    text, keeps the JSON valid whatever the secret looks like."""
    if isinstance(document, str):
        return redact(document)
    if document is None or isinstance(document, bool | int | float):
        return document
    if isinstance(document, dict):
        return {redact(str(k)): redacted(v, redact) for k, v in document.items()}
    if isinstance(document, list | tuple):
        return [redacted(v, redact) for v in document]
    return redact(str(document))


def batch_json(
    operation: str, from_type: str, to_type: str, result: BatchResult[Any]
) -> dict[str, Any]:
    """A batch call's document: what was asked (operation, pair) and what happened."""
    return {"operation": operation, "from": from_type, "to": to_type, **result.to_dict()}


def _json_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def error_json(exc: BaseException, exit_code: int) -> dict[str, Any]:
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
            path=errors._path_of(exc.url),
            attempts=exc.attempts,
            context={k: list(v) for k, v in exc.context.items()},
            errors=[detail.to_dict() for detail in exc.errors],
        )
    if isinstance(exc, errors.MissingScopesError):
        out["missing_scopes"] = list(exc.missing_scopes)
    if isinstance(exc, errors.RateLimitError):
        out["policy"] = exc.policy
        out["retry_after"] = exc.retry_after
    if isinstance(exc, errors.AuthenticationError):
        out["expired"] = getattr(exc, "expired", None)
    if isinstance(exc, errors.APIConnectionError):
        out.update(method=exc.method, path=errors._path_of(exc.url), attempts=exc.attempts)
    return out


def usage_json(exc: UsageError) -> dict[str, Any]:
    """The fields of a usage error, for ``--json``."""
    out: dict[str, Any] = {"type": exc.kind, "message": exc.message, "exit_code": EXIT_USAGE}
    if exc.argument is not None:
        out["argument"] = exc.argument
        out["value"] = exc.value
    return out
