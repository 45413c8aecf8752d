"""Exceptions raised by hubspot-assoc, and the sentences they say.

Every exception the client raises derives from :class:`HubSpotError`, so one ``except``
catches them all::

    HubSpotError
      InvalidInputError (also a ValueError)      bad argument, caught before any request
      MissingCredentialsError                    no token / OAuth settings found
      APIConnectionError                         the request never got an answer
        APITimeoutError                          ... because it timed out
      APIError                                   HubSpot (or its edge) answered with an error
        .status_code .category .sub_category .message .correlation_id .context
        .errors .body .method .url .headers .attempts
        BadRequestError          400
        AuthenticationError      401  (.expired)
        PermissionDeniedError    403
          MissingScopesError     403 MISSING_SCOPES  (.missing_scopes)
        NotFoundError            404
        ConflictError            409
        RateLimitError           429  (.policy, .retry_after)
        ServerError              5xx (500-599, including the edge's 520-524)
        UnexpectedResponseError  any other status, or a success body the client could not read
      BatchPartialFailureError   a batch call did not apply (or confirm) every input (.result)

``str(error)`` is a sentence a person can act on: status and category, HubSpot's own
message, the specific detail, what to do, the method and path, and the correlation id
(which HubSpot support asks for). It never contains a token, the headers or a dump of
the body; the parsed body stays available on ``error.body``.

Example::

    try:
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    except MissingScopesError as exc:
        print(exc.missing_scopes)        # ('crm.objects.contacts.write',)
    except RateLimitError as exc:
        print(exc.policy, exc.retry_after)
    except APIError as exc:
        print(exc.status_code, exc.category, exc.correlation_id)
"""

from __future__ import annotations

import http
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

from hubspot_assoc._error_names import ERROR_NAMES as _ERROR_NAMES
from hubspot_assoc.scrub import safe_url as _safe_url
from hubspot_assoc.scrub import scrub as _scrub

if TYPE_CHECKING:
    from hubspot_assoc._error_mapping import error_from_response, unexpected_response
    from hubspot_assoc.auth import token_refresh_error
    from hubspot_assoc.models import BatchResult
    from hubspot_assoc.retry import parse_retry_after

# These functions live next to the code they serve (building an exception from an answer,
# the retry policy, the OAuth flow) and load httpx; this module stays importable without it.
_ELSEWHERE = {
    "error_from_response": "hubspot_assoc._error_mapping",
    "unexpected_response": "hubspot_assoc._error_mapping",
    "parse_retry_after": "hubspot_assoc.retry",
    "token_refresh_error": "hubspot_assoc.auth",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Plain imports (no import by string), loaded on first use.
    if module == "hubspot_assoc._error_mapping":
        from hubspot_assoc import _error_mapping

        return getattr(_error_mapping, name)
    if module == "hubspot_assoc.retry":
        from hubspot_assoc import retry

        return getattr(retry, name)
    from hubspot_assoc import auth

    return getattr(auth, name)


__all__ = [
    *_ERROR_NAMES,
    "ErrorDetailLike",
    "error_from_response",
    "parse_retry_after",
    "token_refresh_error",
    "unexpected_response",
]

# Longest piece of server-provided text copied into an exception message.
_MAX_TEXT = 300
# How many error details / failed inputs a message lists before saying "and N more".
_MAX_LISTED = 3


# --------------------------------------------------------------------------- helpers


def _restore(cls: type[HubSpotError], args: tuple[Any, ...], state: dict[str, Any]) -> HubSpotError:
    """Rebuild a pickled exception without calling its keyword-only ``__init__``."""
    obj = cls.__new__(cls)
    Exception.__init__(obj, *args)
    obj.__dict__.update(state)
    return obj


def _clip(text: str, limit: int = _MAX_TEXT) -> str:
    """Collapse whitespace, scrub credentials and cut *text* to at most *limit* characters."""
    # Cut first (generously, so a token at the edge of what is shown is still whole): a
    # body of megabytes must not cost seconds of scrubbing for 300 characters of message.
    text = _scrub(" ".join(text[: max(limit * 4, 2000)].split()))
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


_JAVA_ENTRY = re.compile(r"([A-Za-z_][\w .-]*?)\s*=\s*\[([^\]]*)\]")


def _parse_java_map(text: str) -> dict[str, list[str]]:
    """Parse Java's ``Map.toString`` form, ``{missingScopes=[a, b], other=[c]}``.

    HubSpot's spec documents ``context`` in this form, and some answers send it as a
    string where a JSON object is expected.
    """
    result: dict[str, list[str]] = {}
    for key, values in _JAVA_ENTRY.findall(text):
        items = [v.strip() for v in values.split(",") if v.strip()]
        result.setdefault(key.strip(), []).extend(items)
    return result


def _coerce_context(value: object) -> dict[str, list[str]]:
    """Turn whatever HubSpot sent as ``context`` into ``{str: [str, ...]}``, never raising."""
    if isinstance(value, str):
        return _parse_java_map(value)
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, list[str]] = {}
    for key, raw in value.items():
        if isinstance(raw, str):
            items = [raw]
        elif isinstance(raw, list | tuple):
            items = [str(v) for v in raw if isinstance(v, str | int | float) and v is not True]
        elif isinstance(raw, int | float) and not isinstance(raw, bool):
            items = [str(raw)]
        else:
            continue
        result[str(key)] = items
    return result


def _status_phrase(status: int) -> str:
    edge = {
        520: "Unknown Error",
        521: "Web Server Is Down",
        522: "Connection Timed Out",
        523: "Origin Is Unreachable",
        524: "A Timeout Occurred",
    }
    if status in edge:
        return edge[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Status"


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return url.split("?", 1)[0]


# --------------------------------------------------------------------------- details


# A stdlib dataclass rather than attrs: building a client must not import attrs (~10 ms).
# No slots: a frozen slotted dataclass raises TypeError, not FrozenInstanceError, when a
# name that is not a field is assigned (CPython gh-105936, still so in 3.11-3.13).
@dataclass(frozen=True)
class ErrorDetail:
    """One item of the ``errors`` list in a HubSpot error body.

    ``in_`` is HubSpot's ``in`` (the field or parameter at fault); ``context`` is always a
    ``{name: [values]}`` mapping, even when HubSpot sent its Java-style string form.

    >>> ErrorDetail.from_json({"message": "bad", "in": "inputs[0].typeId"}).in_
    'inputs[0].typeId'
    """

    message: str
    code: str | None = None
    in_: str | None = None
    sub_category: str | None = None
    context: Mapping[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, value: object) -> ErrorDetail | None:
        """Build from one parsed JSON item; ``None`` when it is not an object."""
        if isinstance(value, ErrorDetail):
            return value
        if not isinstance(value, Mapping):
            return None
        message = value.get("message")
        return cls(
            message=message if isinstance(message, str) else "",
            code=_str_or_none(value.get("code")),
            in_=_str_or_none(value.get("in")),
            sub_category=_str_or_none(value.get("subCategory")),
            context=_coerce_context(value.get("context")),
        )

    def to_dict(self) -> dict[str, Any]:
        """This detail as plain JSON-ready data (``in`` under HubSpot's own name)."""
        return {
            "message": self.message,
            "code": self.code,
            "in": self.in_,
            "sub_category": self.sub_category,
            "context": {k: list(v) for k, v in self.context.items()},
        }


ErrorDetailLike: TypeAlias = "ErrorDetail | Mapping[str, Any]"
"""An :class:`ErrorDetail`, or the JSON object HubSpot sent for one."""


def _coerce_details(values: object) -> list[ErrorDetail]:
    if not isinstance(values, list | tuple):
        return []
    details = []
    for item in values:
        detail = ErrorDetail.from_json(item)
        if detail is not None:
            details.append(detail)
    return details


# --------------------------------------------------------------------------- base classes


class HubSpotError(Exception):
    """Base class of every exception raised by hubspot-assoc."""

    def __reduce__(self) -> tuple[Callable[..., HubSpotError], tuple[Any, ...]]:
        return (_restore, (type(self), self.args, dict(self.__dict__)))


_VALUE_REPR = reprlib.Repr()
_VALUE_REPR.maxstring = 60
_VALUE_REPR.maxother = 100
_VALUE_REPR.maxlist = 6
_VALUE_REPR.maxdict = 6


def _noun(argument: str) -> str:
    """What an argument path names: ``items[2].typeId`` -> ``type id``, ``items[2]`` -> ``item``."""
    last = argument.rsplit(".", 1)[-1]
    if last.endswith("']") or last.endswith('"]'):
        return "key"
    if last.endswith("]"):
        return "item"
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", last).replace("_", " ").lower()
    return words.strip() or "value"


class InvalidInputError(HubSpotError, ValueError):
    """An argument was rejected before any request was sent.

    Attributes: ``argument`` (e.g. ``items[2].category``), ``value`` (what was passed),
    ``allowed`` (what would have been accepted) and ``hint``. ``what`` overrides the noun
    the message uses for the argument (by default derived from its name).

    >>> str(InvalidInputError("type_id", 0, "a positive integer"))
    'type_id: 0 is not a valid type id; expected a positive integer'
    """

    def __init__(
        self,
        argument: str,
        value: object,
        allowed: str,
        *,
        hint: str | None = None,
        what: str | None = None,
    ):
        self.argument = argument
        self.value = value
        self.allowed = allowed
        self.hint = hint
        self.what = what
        super().__init__(self._compose())

    def _compose(self) -> str:
        try:
            shown = _VALUE_REPR.repr(self.value)
        except Exception:  # a user object whose __repr__ fails must not hide the real error
            shown = f"<{type(self.value).__name__} object>"
        leaf = self.what or _noun(self.argument)
        message = (
            f"{self.argument}: {shown} is not a valid {leaf or 'value'}; expected {self.allowed}"
        )
        if self.hint:
            message += f" ({self.hint})"
        return message

    def __repr__(self) -> str:
        return f"InvalidInputError({self.argument!r}, allowed={self.allowed!r})"


class MissingCredentialsError(HubSpotError):
    """No credentials were given and none were found in the environment."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class APIConnectionError(HubSpotError):
    """The request got no HTTP answer (DNS, TLS, connection reset, proxy...).

    The transport's exception is chained as ``__cause__``. Attributes: ``method``, ``url``
    (credential-looking query parameters masked), ``attempts``, and
    ``may_have_been_applied``: true when a write was sent and its answer was lost, so the
    change may have happened at HubSpot (read the current state before running it again).
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        url: str,
        attempts: int = 1,
        may_have_been_applied: bool = False,
    ):
        self.message = message
        self.method = method
        self.url = _safe_url(url)
        self.attempts = attempts
        self.may_have_been_applied = may_have_been_applied
        super().__init__(message)

    def __str__(self) -> str:
        where = f"{self.method} {_path_of(self.url)}".strip()
        tail = f", after {self.attempts} attempts" if self.attempts > 1 else ""
        return f"{self.message} ({where}{tail})"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, method={self.method!r}, "
            f"url={_path_of(self.url)!r}, attempts={self.attempts})"
        )


class APITimeoutError(APIConnectionError):
    """The request timed out before HubSpot answered."""


class APIError(HubSpotError):
    """HubSpot (or the edge in front of it) answered with a status the call does not accept.

    Attributes:
        status_code: the HTTP status.
        category: HubSpot's ``category`` (e.g. ``VALIDATION_ERROR``), or ``None``.
        sub_category: HubSpot's ``subCategory`` when it is a string.
        message: HubSpot's own message, or ``None`` (e.g. for an HTML error page).
        correlation_id: from the body, else from ``x-hubspot-correlation-id``.
        context: ``{name: [values]}`` from the body's ``context``.
        errors: the body's ``errors`` as :class:`ErrorDetail` objects.
        body: the parsed JSON (dict/list/...) when the body was JSON, else the raw text.
        method, url: of the request (credential-looking query values masked in ``url``).
        headers: the response headers, lower-cased keys (never printed).
        attempts: how many attempts the client made (set by the client after retries).
        detail: an extra sentence the client adds (e.g. why a success body was unreadable).
    """

    def __init__(
        self,
        *,
        status_code: int,
        method: str,
        url: str,
        body: object,
        headers: Mapping[str, str],
        category: str | None = None,
        sub_category: str | None = None,
        message: str | None = None,
        correlation_id: str | None = None,
        context: Mapping[str, list[str]] | None = None,
        errors: Sequence[ErrorDetailLike] | None = None,
        attempts: int = 1,
        detail: str | None = None,
    ):
        self.status_code = status_code
        self.method = method
        self.url = _safe_url(url)
        self.body = body
        self.headers: dict[str, str] = {str(k).lower(): str(v) for k, v in headers.items()}
        self.category = category
        self.sub_category = sub_category
        self.message = message
        self.correlation_id = correlation_id
        self.context: dict[str, list[str]] = _coerce_context(context)
        self.errors: list[ErrorDetail] = _coerce_details(errors)
        self.attempts = attempts
        self.detail = detail
        super().__init__(self._summary())

    # -- message -----------------------------------------------------------------------

    def _heading(self) -> str:
        return f"{self.status_code} {self.category}" if self.category else str(self.status_code)

    def _specifics(self) -> list[str]:
        """Sentences naming what exactly was wrong (subclasses extend)."""
        return []

    def _advice(self) -> str | None:
        """One sentence on what to do (subclasses override)."""
        return None

    def _summary(self) -> str:
        parts: list[str] = []
        if self.message:
            parts.append(_sentence(_clip(self.message)))
        elif (
            not 200 <= self.status_code <= 299  # for a 2xx, `detail` says what was unreadable
            and self.body is not None
            and not isinstance(self.body, Mapping | list)
        ):
            parts.append(_sentence(_describe_text_body(self.status_code, self.body, self.headers)))
        parts.extend(self._specifics())
        if self.detail:
            parts.append(_sentence(self.detail))
        advice = self._advice()
        if advice:
            parts.append(_sentence(advice))
        where = f"{self.method} {_path_of(self.url)}".strip()
        tail = [where] if where else []
        if self.attempts > 1:
            tail.append(f"after {self.attempts} attempts")
        if self.correlation_id:
            tail.append(f"correlation id {self.correlation_id}")
        text = f"{self._heading()}: {' '.join(parts) or 'HubSpot gave no explanation.'}"
        if tail:
            text += f" ({', '.join(tail)})"
        # Every part comes from the server's answer; any of them may echo a credential.
        return _scrub(text)

    def __str__(self) -> str:
        # Computed on demand so that attempts set by the client after construction show up.
        return self._summary()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code}, category={self.category!r}, "
            f"correlation_id={self.correlation_id!r})"
        )


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?…" else text + "."


def _describe_text_body(status: int, body: object, headers: Mapping[str, str]) -> str:
    text = body if isinstance(body, str) else ""
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    who = "HubSpot's edge" if status >= 500 else "HubSpot"
    answered = f"{who} answered {status} {_status_phrase(status)}"
    if not text.strip():
        return f"{answered} with an empty body"
    if "html" in content_type or text.lstrip()[:1] == "<":
        return f"{answered} (HTML page, not JSON)"
    return f"{answered} (not JSON): {_clip(text, 120)}"


class BadRequestError(APIError):
    """400: HubSpot rejected the request's content; ``str()`` names the fields at fault."""

    def _specifics(self) -> list[str]:
        items = []
        for detail in self.errors:
            label = detail.in_ or ", ".join(
                k for k in detail.context if k not in {"missingScopes", "requiredScopes"}
            )
            text = _clip(detail.message, 160) if detail.message else ""
            code = f" ({detail.code})" if detail.code else ""
            if label or text:
                items.append(f"{_clip(label, 80) or 'input'}: {text or 'invalid'}{code}")
        if not items:
            for key, values in self.context.items():
                items.append(f"{_clip(key, 80)}: {_clip(', '.join(values), 120)}")
        if not items:
            return []
        more = len(items) - _MAX_LISTED
        listed = "; ".join(items[:_MAX_LISTED]) + (f"; and {more} more" if more > 0 else "")
        return [f"Invalid: {listed}."]

    def _advice(self) -> str:
        if self._specifics():
            return "Fix the input named above; retrying it unchanged will fail again"
        return "Check the request's input; retrying it unchanged will fail again"


class AuthenticationError(APIError):
    """401: the token was missing, not recognised, or expired (``expired``), or an OAuth
    refresh was rejected (see :func:`token_refresh_error`)."""

    @property
    def expired(self) -> bool:
        """True when HubSpot said the OAuth access token has expired."""
        return self.category == "EXPIRED_AUTHENTICATION"

    def _advice(self) -> str | None:
        if self.category == REFRESH_FAILED:
            return None  # token_refresh_error puts its own advice in `detail`
        if self.expired:
            return (
                "The OAuth access token has expired: refresh it with your refresh token "
                "(or create the client with Client(oauth=...) so it refreshes by itself)"
            )
        return (
            "HubSpot did not recognise the access token: check HUBSPOT_ACCESS_TOKEN or the "
            "private app token you passed (it may have been rotated or the app uninstalled)"
        )


class PermissionDeniedError(APIError):
    """403: the token is valid but not allowed to make this call."""

    def _advice(self) -> str | None:
        return (
            "The token is valid but lacks permission for this call: check the app's scopes and "
            "that the HubSpot account's plan includes this feature (association limits need "
            "Professional or Enterprise)"
        )


_SCOPE_SPLIT = re.compile(r"[\s,\[\]{}]+")


def _scopes_from(values: Iterable[str]) -> list[str]:
    found: list[str] = []
    for value in values:
        found.extend(s for s in _SCOPE_SPLIT.split(value) if s)
    return found


def _missing_scopes_in(
    context: Mapping[str, list[str]], details: Sequence[ErrorDetail], message: str | None
) -> tuple[tuple[str, ...], bool]:
    """(scopes, any_of): the scopes an error body (or one batch item's error) says are missing.

    ``missingScopes`` (in ``context``, in a detail's context, or in the
    ``{missingScopes=[...]}`` string form in a message) names exactly what the token lacks;
    ``requiredScopes`` and ``requiredGranularScopes`` name everything the call needs, some of
    which the token may already have, so they are only the fallback. ``any_of`` is true when
    HubSpot said one of the required scopes would do.
    """
    missing: list[str] = _scopes_from(context.get("missingScopes", []))
    required: list[str] = []
    any_of = False
    for detail in details:
        missing += _scopes_from(detail.context.get("missingScopes", []))
        missing += _scopes_from(_parse_java_map(detail.message).get("missingScopes", []))
        for key in ("requiredScopes", "requiredGranularScopes"):
            values = detail.context.get(key, [])
            required += _scopes_from(values)
            if values and "one or more" in detail.message.lower():
                any_of = True
    if message:
        missing += _scopes_from(_parse_java_map(message).get("missingScopes", []))
    if missing:
        return tuple(dict.fromkeys(missing)), False
    return tuple(dict.fromkeys(required)), any_of


class MissingScopesError(PermissionDeniedError):
    """403 ``MISSING_SCOPES``: the token lacks a scope; ``missing_scopes`` says which.

    The scopes are read from the body's ``context.missingScopes``, from each
    ``errors[].context.requiredScopes`` / ``requiredGranularScopes``, and from the
    Java-style ``{missingScopes=[a, b]}`` text wherever it appears.
    """

    missing_scopes: tuple[str, ...]

    def __init__(self, **kwargs: Any):
        # Set before the base class composes the message, which lists the scopes.
        self.missing_scopes = ()
        self._any_of = False
        super().__init__(**kwargs)
        self.missing_scopes, self._any_of = self._find_scopes()

    def _find_scopes(self) -> tuple[tuple[str, ...], bool]:
        return _missing_scopes_in(self.context, self.errors, self.message)

    def _specifics(self) -> list[str]:
        scopes, any_of = self._find_scopes()
        if not scopes:
            return ["HubSpot did not say which scopes are missing (see .body['links'])."]
        label = "Needs one of these scopes" if any_of else "Missing scopes"
        return [
            f"{label}: {_clip(', '.join(scopes), 400)} — add them in your app's settings "
            "(Scopes) and reinstall the app or regenerate the token."
        ]

    def _advice(self) -> str | None:
        if self._find_scopes()[0]:
            return None  # already said together with the scope list
        return (
            "Add the scopes this call needs in your app's settings (Scopes) and reinstall the "
            "app or regenerate the token"
        )


class NotFoundError(APIError):
    """404: the object type, association type or label does not exist in this account."""

    def _advice(self) -> str:
        return (
            "Check the object types (e.g. contacts, 0-1, 2-12345 for a custom object) and the "
            "association type id exist in this HubSpot account"
        )


class ConflictError(APIError):
    """409: the request conflicts with the current state (e.g. a label name already used)."""

    def _advice(self) -> str:
        return "Read the current configuration, then change the request so it no longer conflicts"


class RateLimitError(APIError):
    """429: a HubSpot rate limit was hit.

    ``policy`` is HubSpot's ``policyName`` (``TEN_SECONDLY_ROLLING``, ``DAILY``...) or
    ``None``; ``retry_after`` is the ``Retry-After`` header in seconds, or ``None``
    (HubSpot's REST 429s usually carry none).
    """

    def __init__(
        self, *, policy: str | None = None, retry_after: float | None = None, **kwargs: Any
    ):
        self.policy = policy
        self.retry_after = retry_after
        super().__init__(**kwargs)
        if self.policy is None and isinstance(self.body, Mapping):
            self.policy = _str_or_none(self.body.get("policyName"))
        if self.retry_after is None:
            from hubspot_assoc.retry import parse_retry_after

            self.retry_after = parse_retry_after(self.headers.get("retry-after"))

    @property
    def is_daily(self) -> bool:
        """True for the daily limit, which no short wait will lift."""
        return (self.policy or "").upper() == "DAILY"

    def _advice(self) -> str:
        policy = (self.policy or "").upper()
        if policy == "DAILY":
            return (
                "This is the account's daily limit (policy DAILY): it resets at midnight in the "
                "HubSpot account's time zone, so retrying now is pointless"
            )
        wait = f"wait {self.retry_after:g} s, then " if self.retry_after is not None else ""
        if policy == "TEN_SECONDLY_ROLLING":
            return (
                f"Policy TEN_SECONDLY_ROLLING (requests per 10 seconds): {wait}slow down, "
                "or enable the client's rate limiter"
            )
        text = f"{wait}slow down and retry later"
        if self.policy:
            return f"Policy {self.policy}: {text}"
        return text[:1].upper() + text[1:]


class ServerError(APIError):
    """5xx: HubSpot or its edge failed (500-599, including the edge's 520-524).

    ``may_have_been_applied`` is true for a write: HubSpot may have made the change before
    failing.
    """

    @property
    def may_have_been_applied(self) -> bool:
        """Whether the failed call was a write that HubSpot may still have carried out."""
        return self.method.upper() not in {"GET", "HEAD", "OPTIONS", ""}

    def _advice(self) -> str:
        text = "This is on HubSpot's side and usually brief; retry later"
        if self.status_code == 524:
            text = "HubSpot did not answer within 100 seconds; retry later"
        if self.may_have_been_applied:
            text += (
                " — the change may or may not have been applied, so read the current "
                "configuration before retrying"
            )
        return text


class UnexpectedResponseError(APIError):
    """HubSpot answered a status this call does not expect (3xx, 418...), or a 2xx answer the
    client could not read: not JSON, nested deeper than 200 levels, undecodable (a broken
    gzip), or not the shape any published version of HubSpot's spec documents. The message
    says what HubSpot answered and what was expected; the raw body is on ``body`` (``None``
    when httpx could not decode it).

    A 2xx status the operation does not document is not an error when its body is readable:
    it is read as a success and logged once at DEBUG."""


class BatchPartialFailureError(HubSpotError):
    """A batch call did not apply every input, or HubSpot did not report the batch COMPLETE.

    ``result`` is the :class:`~hubspot_assoc.models.BatchResult`: ``succeeded``,
    ``failed``, ``unconfirmed`` and ``not_sent`` say which inputs are in which state,
    ``errors`` what HubSpot said. Raised by ``BatchResult.raise_for_errors()``.
    """

    def __init__(self, result: BatchResult[Any], message: str | None = None):
        self.result = result
        super().__init__(message if message is not None else _batch_summary(result))

    def __repr__(self) -> str:
        failed = len(getattr(self.result, "failed", ()))
        return f"BatchPartialFailureError(failed={failed}, status={self.result.status!r})"


def _batch_summary(result: BatchResult[Any]) -> str:
    succeeded = list(result.succeeded)
    failed = list(result.failed)
    not_sent = list(result.not_sent)
    unconfirmed = list(getattr(result, "unconfirmed", ()))
    total = len(succeeded) + len(failed) + len(not_sent) + len(unconfirmed)
    parts = []
    if failed or not (not_sent or unconfirmed):
        count = len(failed) if failed else result.num_errors
        parts.append(f"{count} of {total} inputs failed")
    if unconfirmed:
        parts.append(f"{len(unconfirmed)} of {total} inputs are unconfirmed")
    if not_sent:
        parts.append(f"{len(not_sent)} of {total} inputs were not sent")
    text = "; ".join(parts) + f" (batch status {result.status})"
    listed = []
    for item, error in result.failures()[:_MAX_LISTED]:
        if error is None:
            reason = "not in HubSpot's results (not confirmed as applied)"
        else:
            reason = _clip(error.message, 160) if error.message else (error.category or "failed")
        listed.append(f"{_describe_input(item)}: {reason}")
    if listed:
        more = len(failed) - len(listed)
        text += ": " + "; ".join(listed) + (f"; and {more} more" if more > 0 else "")
    elif result.errors:
        text += ": " + "; ".join(_clip(e.message, 160) for e in result.errors[:_MAX_LISTED])
    if unconfirmed:
        text = (
            _sentence(text) + " HubSpot did not report the batch COMPLETE: read the current "
            "configuration to see whether the unconfirmed inputs were applied"
        )
    return (
        _sentence(text)
        + " The result is on .result (succeeded, failed, unconfirmed, not_sent, errors)."
    )


def _describe_input(item: object) -> str:
    category = getattr(item, "category", None)
    type_id = getattr(item, "type_id", None)
    if category is not None and type_id is not None:
        return f"{category} {type_id}"
    return reprlib.repr(item)


#: The category of an AuthenticationError raised for a failed OAuth token refresh (set by
#: the client: HubSpot's token endpoint sends none).
REFRESH_FAILED = "OAUTH_REFRESH_FAILED"
