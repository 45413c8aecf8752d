"""Building an exception from an HTTP answer: :func:`error_from_response` and
:func:`unexpected_response`.

Reads HubSpot's error body whatever its shape (JSON of any form, an edge's HTML page, an
empty body) and picks the class from :mod:`hubspot_assoc.errors` by status. Never raises
itself: a malformed body must not replace the real error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hubspot_assoc import errors
from hubspot_assoc._json import JSONError
from hubspot_assoc._json import loads as loads_json
from hubspot_assoc.errors import (
    _clip,
    _coerce_context,
    _coerce_details,
    _status_phrase,
    _str_or_none,
)
from hubspot_assoc.scrub import mask_values

if TYPE_CHECKING:
    import httpx

__all__ = ["error_from_response", "read_response", "response_fields", "unexpected_response"]


def read_response(response: httpx.Response) -> dict[str, Any]:
    """The constructor arguments every API error takes from *response*: ``status_code``,
    ``method``, ``url``, ``body`` (parsed JSON, else the text) and ``headers``. Never raises."""
    try:
        status = int(response.status_code)
    except Exception:
        status = 0
    try:
        headers = {str(k).lower(): str(v) for k, v in response.headers.items()}
    except Exception:
        headers = {}
    try:
        method = str(response.request.method)
        url = str(response.request.url)
    except Exception:  # a Response built without a request raises RuntimeError
        method, url = "", ""
    answer: dict[str, Any] = {
        "status_code": status, "method": method, "url": url, "body": None, "headers": headers,
    }  # fmt: skip
    try:
        content = response.content
    except Exception:  # a streamed response that was never read
        return answer
    if not content.strip():
        answer["body"] = ""
        return answer
    try:
        answer["body"] = loads_json(content)  # bounded nesting, no NaN
    except JSONError:
        try:
            answer["body"] = response.text
        except Exception:
            answer["body"] = content.decode("utf-8", "replace")
    answer["body"] = without_request_token(answer["body"], response)
    return answer


def without_request_token(value: object, response: httpx.Response) -> object:
    """``value`` (a parsed body of *response*) with the bearer token its request carried
    masked in every string, keys included: a server may echo it in any field."""
    return _without_token(value, _bearer_of(response))


# Shorter values are not searched for: masking "4" would corrupt "404", and no real
# HubSpot token is this short.
_MIN_SECRET = 8


def _bearer_of(response: httpx.Response) -> str | None:
    """The bearer token the request carried, when long enough to search for safely."""
    try:
        value = response.request.headers.get("authorization", "")
    except Exception:
        return None
    scheme, _, token = value.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and len(token) >= _MIN_SECRET else None


def _without_token(value: object, token: str | None, depth: int = 0) -> object:
    """``value`` (a parsed body) with every occurrence of ``token`` masked, keys included.

    A server may echo the request's token in any field (``errors[].code``, ``context``...);
    patterns catch known token shapes, this catches the token actually sent.
    """
    if token is None or depth > 100:
        return value
    if isinstance(value, str):
        return mask_values(value, [token])
    if isinstance(value, Mapping):
        return {
            _without_token(k, token, depth + 1): _without_token(v, token, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_token(v, token, depth + 1) for v in value]
    return value


def response_fields(body: object, headers: Mapping[str, str]) -> dict[str, Any]:
    """Constructor arguments read from a HubSpot error body of any shape."""
    data: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    correlation = _str_or_none(data.get("correlationId")) or _str_or_none(
        headers.get("x-hubspot-correlation-id")
    )
    if correlation is not None:
        correlation = _clip(correlation, 80)
    message = _str_or_none(data.get("message"))
    return {
        "category": _str_or_none(data.get("category")) or _str_or_none(data.get("errorType")),
        "sub_category": _str_or_none(data.get("subCategory")),
        "message": message,
        "correlation_id": correlation,
        "context": _coerce_context(data.get("context")),
        "errors": _coerce_details(data.get("errors")),
    }


_CLASS_BY_STATUS: dict[int, type[errors.APIError]] = {
    400: errors.BadRequestError,
    401: errors.AuthenticationError,
    403: errors.PermissionDeniedError,
    404: errors.NotFoundError,
    409: errors.ConflictError,
    429: errors.RateLimitError,
}


def _class_for(status: int, category: str | None) -> type[errors.APIError]:
    if status == 403 and category == "MISSING_SCOPES":
        return errors.MissingScopesError
    if 500 <= status <= 599:
        return errors.ServerError
    return _CLASS_BY_STATUS.get(status, errors.UnexpectedResponseError)


def error_from_response(
    response: httpx.Response, *, attempts: int = 1, fields: Mapping[str, Any] | None = None
) -> errors.APIError:
    """The exception for an error *response* (never raises itself).

    *fields* are the body's ``category``, ``sub_category``, ``message``, ``correlation_id``,
    ``context`` and ``errors`` when the caller has read them (the client reads them with
    the generated error models, see :func:`hubspot_assoc._reading.read_error`); otherwise
    they are read here from whatever JSON came.

    Reads HubSpot's JSON error body whatever its shape, keeps the raw text of a non-JSON
    body (e.g. an edge's HTML 502 page), and picks the class by status: 400
    :class:`BadRequestError`, 401 :class:`AuthenticationError`, 403
    :class:`PermissionDeniedError` or :class:`MissingScopesError`, 404
    :class:`NotFoundError`, 409 :class:`ConflictError`, 429 :class:`RateLimitError`,
    500-599 :class:`ServerError`, anything else :class:`UnexpectedResponseError`.

    >>> import httpx
    >>> r = httpx.Response(404, json={"category": "OBJECT_NOT_FOUND", "message": "nope"},
    ...                    request=httpx.Request("GET", "https://api.hubapi.com/x"))
    >>> type(error_from_response(r)).__name__
    'NotFoundError'
    """
    answer = read_response(response)
    status = answer["status_code"]
    if fields is None:
        fields = response_fields(answer["body"], answer["headers"])
    else:
        fields = dict(fields)
        correlation = fields.get("correlation_id") or _str_or_none(
            answer["headers"].get("x-hubspot-correlation-id")
        )
        fields["correlation_id"] = _clip(correlation, 80) if correlation else None
    cls = _class_for(status, fields["category"])
    detail = None
    if cls is errors.UnexpectedResponseError:
        detail = f"The client does not expect HTTP {status} {_status_phrase(status)} for this call"
    try:
        return cls(**answer, attempts=attempts, detail=detail, **fields)
    except Exception:  # defensive: a malformed body must never replace the real error
        return errors.UnexpectedResponseError(**answer, attempts=attempts)


def unexpected_response(
    response: httpx.Response, reason: str, *, attempts: int = 1
) -> errors.UnexpectedResponseError:
    """The exception for a success answer the client could not understand.

    *reason* says what was wrong: either a fragment ("the body is not valid JSON") or a
    whole sentence starting with "HubSpot answered" (what was answered and what was
    expected), which is then used as it is.
    """
    answer = read_response(response)
    fields = response_fields(answer["body"], answer["headers"])
    status = answer["status_code"]
    return errors.UnexpectedResponseError(
        **answer,
        attempts=attempts,
        category=fields["category"],
        correlation_id=fields["correlation_id"],
        detail=(
            f"{_clip(reason, 400)}; the raw body is on the exception's .body"
            if reason.startswith("HubSpot answered")
            else f"HubSpot answered {status} {_status_phrase(status)} with a body the client "
            f"could not read ({_clip(reason, 160)}); the raw body is on the exception's .body"
        ),
    )
