"""The one guarded path from an answer's bytes to a facade value.

Reading the body (:func:`hubspot_assoc._json.loads`: bounded nesting, no ``NaN``), the
generated reader of the operation and the converter into facade types all run inside
:func:`read_success`, for both clients. Whatever goes wrong in there (a generator
``KeyError``, a converter ``ValueError``, a ``RecursionError``...) leaves it as
:class:`~hubspot_assoc.errors.UnexpectedResponseError` with the status, the raw body, the
correlation id and a reason that says what HubSpot answered and what was expected.

Statuses: every 2xx status an operation documents is a success; a 2xx it does not document
is read as a success too when its body is readable (HubSpot has changed statuses without
notice), with one DEBUG log line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ._error_mapping import error_from_response, unexpected_response, without_request_token
from ._json import JSONError, loads
from .errors import APIError, HubSpotError
from .logs import logger

if TYPE_CHECKING:
    import httpx
    from hubspot_assoc_api.models.error import Error
    from hubspot_assoc_api.models.rate_limit_error import RateLimitError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SuccessReader(Generic[T]):
    """How one operation reads a 2xx answer.

    ``statuses`` are the 2xx statuses the spec documents; ``answer`` names the body's schema
    for messages; ``read_body`` turns the parsed JSON into the facade value (generated
    reader + converter), ``no_body`` gives the value of an answer without a body (``None``
    when the operation always answers with one). An operation that answers with a body only
    sometimes (purge: 200 with, 204 without) has both.
    """

    statuses: frozenset[int]
    answer: str
    read_body: Callable[[Any], T] | None
    no_body: Callable[[], T] | None


def _statuses(codes: Iterable[int]) -> str:
    ordered = [str(c) for c in sorted(codes)]
    if len(ordered) <= 1:
        return "".join(ordered) or "no success status"
    return ", ".join(ordered[:-1]) + " or " + ordered[-1]


def describe(exc: BaseException) -> str:
    """What a generated reader's or converter's exception means, in words."""
    if isinstance(exc, KeyError):
        return (
            f"the required field {exc.args[0]!r} is missing" if exc.args else "a field is missing"
        )
    if isinstance(exc, JSONError | ValueError) and str(exc):
        return str(exc)
    if isinstance(exc, RecursionError):
        return "the body nests too deeply"
    if isinstance(exc, TypeError | AttributeError):
        return f"a field has the wrong JSON type ({type(exc).__name__}: {exc})"[:200]
    return f"{type(exc).__name__}: {exc}"[:200]


def read_success(reader: SuccessReader[T], response: httpx.Response, name: str) -> T:
    """The facade value of a 2xx ``response``, or ``UnexpectedResponseError``; nothing else.

    ``name`` is the operation's name, for the log line of an undocumented status.
    """
    status = response.status_code
    documented = status in reader.statuses
    if not documented:
        logger.debug(
            "%s: HubSpot answered %d, which this operation does not document (%s); "
            "reading it as a success",
            name,
            status,
            _statuses(reader.statuses),
        )
    try:
        return _read(reader, response)
    except HubSpotError:
        raise
    except Exception as exc:  # the guard: no generator or converter exception escapes
        raise unexpected_response(response, _reason(reader, status, documented, exc)) from None


class _Unreadable(Exception):
    """A reason already phrased for the user."""


def _read(reader: SuccessReader[T], response: httpx.Response) -> T:
    content = response.content
    if not content.strip():
        if reader.no_body is not None:
            return reader.no_body()
        raise _Unreadable(f"an empty body where {reader.answer} was expected")
    if reader.read_body is None:
        # An operation that answers without a body: any 2xx means the change was made,
        # whatever the body says.
        assert reader.no_body is not None
        return reader.no_body()
    data = loads(content)
    return reader.read_body(data)


def _reason(reader: SuccessReader[Any], status: int, documented: bool, exc: BaseException) -> str:
    if isinstance(exc, _Unreadable):
        body = f"with {exc}"
    elif isinstance(exc, JSONError):
        body = f"and {exc}"
    else:
        body = f"with a body that is not {reader.answer} ({describe(exc)})"
    if documented:
        return f"HubSpot answered {status} {body}"
    return f"HubSpot answered {status} where {_statuses(reader.statuses)} was expected, {body}"


def read_guarded(
    response: httpx.Response,
    read: Callable[[object], T],
    answer: str,
    *,
    purpose: str = "",
    redact: Callable[[object], object] | None = None,
) -> T:
    """Parse ``response``'s body (bounded JSON) and ``read`` it, or raise
    ``UnexpectedResponseError`` saying HubSpot's answer was not ``answer``.

    The same guard as :func:`read_success`, for answers that are not an operation's (the
    OAuth token endpoint). ``purpose`` completes "HubSpot answered 200 ..." (e.g. "to the
    OAuth token refresh"); ``redact`` replaces the error's raw body (e.g. to hide tokens).
    """
    try:
        return read(loads(response.content))
    except Exception as exc:  # the guard: nothing but HubSpotError leaves
        what = (
            f"and {exc}"
            if isinstance(exc, JSONError)
            else f"with a body that is not {answer} ({describe(exc)})"
        )
        answered = " ".join(filter(None, ["HubSpot answered", str(response.status_code), purpose]))
        error = unexpected_response(response, f"{answered} {what}")
        if redact is not None:
            error.body = redact(error.body)
        raise error from None


def read_error(
    response: httpx.Response,
    read_model: Callable[[int, Any], Error | RateLimitError],
    *,
    attempts: int = 1,
) -> APIError:
    """The exception for a non-2xx ``response``, its body read with the generated error
    models (``read_model`` is the operation's generated ``read_error``).

    A body those models cannot take (not a JSON object, or fields of the wrong JSON type)
    is read field by field by :func:`~hubspot_assoc.errors.error_from_response` instead, so
    its category and correlation id still count; an HTML page is kept as text. Never raises.
    """
    fields = None
    try:
        content = response.content
        data = loads(content) if content.strip() else None
        if isinstance(data, dict):
            from . import _convert

            data = without_request_token(data, response)  # echoed in any field, masked

            fields = _convert.error_fields(read_model(response.status_code, data))
    except Exception:  # the guard: an odd error body must never replace the error itself
        fields = None
    return error_from_response(response, attempts=attempts, fields=fields)


__all__ = ["SuccessReader", "describe", "read_error", "read_guarded", "read_success"]
