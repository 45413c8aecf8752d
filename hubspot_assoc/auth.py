"""Credentials, as :class:`httpx.Auth` classes.

* :class:`BearerAuth` sends a static token (a private app's ``pat-...`` token).
* :class:`OAuthAuth` sends an OAuth access token and keeps it fresh, configured by
  :class:`OAuth`. It refreshes

  - before the token expires (``refresh_margin`` seconds before ``expires_at``), or at once
    when no access token was given;
  - after a ``401`` whose category is ``EXPIRED_AUTHENTICATION``, then replays the request;
  - after any other ``401`` only while the expiry of the token in use is unknown (an
    ``access_token`` given without ``expires_at``): HubSpot then says
    ``INVALID_AUTHENTICATION`` for a token that has simply aged out. Once the client has
    refreshed it knows the expiry, and a later ``INVALID_AUTHENTICATION`` is passed on
    to the caller (the app was uninstalled, the token revoked, ...).

  At most one refresh and one replay happen per request, so a token HubSpot keeps
  rejecting surfaces as :class:`~hubspot_assoc.errors.AuthenticationError` instead of a
  loop. Any number of threads (sync client) or tasks (async client) sharing one
  ``OAuthAuth`` cause one refresh: the refresh runs under a lock, callers re-check after
  taking it, and a 401 only triggers a refresh when the token that request carried is
  still the current one (otherwise the request is replayed with the newer token).

The refresh is an ordinary request that the auth flow yields to httpx (the way httpx's
own ``DigestAuth`` sends its second request), so it goes through the same client,
transport, proxies and timeouts as the call that needed it.

Secrets (access token, refresh token, client secret) never appear in a ``repr``, an
exception or a log line.
"""

from __future__ import annotations

import math
import re
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from ._error_mapping import read_response, response_fields
from ._json import JSONError
from ._json import loads as loads_json
from ._reading import read_guarded
from .errors import REFRESH_FAILED, AuthenticationError, HubSpotError, InvalidInputError
from .logs import logger

if TYPE_CHECKING:  # asyncio itself is imported only when an async flow runs
    import asyncio

__all__ = ["BearerAuth", "OAuth", "OAuthAuth", "TokenSet", "token_refresh_error"]

_EXPIRED = "EXPIRED_AUTHENTICATION"


class _Hidden:
    """Stands in for a secret in an error message: its type and length, never its text."""

    def __init__(self, value: object) -> None:
        self._text = (
            f"<str of {len(value)} characters>"
            if isinstance(value, str)
            else f"<{type(value).__name__}>"
        )

    def __repr__(self) -> str:
        return self._text


def clean_secret(value: object) -> object:
    """A credential without the whitespace and byte order marks around it, else as given.

    Files saved by some Windows editors start with a UTF-8 byte order mark, and files and
    environment variables often end with a newline; neither belongs to the token.
    """
    if not isinstance(value, str):
        return value
    return value.strip().strip("\ufeff").strip()


def _check_secret(argument: str, value: object, example: str) -> str:
    """``value`` cleaned (:func:`clean_secret`), or InvalidInputError naming ``argument``."""
    value = clean_secret(value)
    if not isinstance(value, str) or not value:
        raise InvalidInputError(argument, _Hidden(value), f"a non-empty string, e.g. {example}")
    # Tokens are printable ASCII; anything else cannot go into an HTTP header.
    if any(ch.isspace() or not (ch.isascii() and ch.isprintable()) for ch in value):
        raise InvalidInputError(
            argument,
            _Hidden(value),
            f"a string of printable ASCII without spaces or line breaks, e.g. {example}",
            hint="check for a stray newline or invisible character when reading it from a "
            "file or environment variable",
        )
    return value


class BearerAuth(httpx.Auth):
    """A static token (a private app's access token), sent as ``Authorization: Bearer``.

    Example::

        import httpx
        from hubspot_assoc.auth import BearerAuth

        http = httpx.Client(auth=BearerAuth("pat-na1-..."))
    """

    def __init__(self, token: str, *, argument: str = "token") -> None:
        self._token = _check_secret(argument, token, "'pat-na1-...'")

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token=***)"


# --------------------------------------------------------------------------- configuration


def _validate_expires_at(name: str, value: object) -> None:
    allowed = "a timezone-aware datetime, Unix seconds (int or float), or None"
    if value is None:
        return
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInputError(
                name,
                value,
                allowed,
                hint="a naive datetime is ambiguous; use datetime.now(timezone.utc) + ...",
            )
        return
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(name, value, allowed)


def _validate_optional_secret(name: str, value: object) -> str | None:
    if value is None:
        return None
    return _check_secret(name, value, "the access_token from the last token response")


def _validate_token_url(name: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise InvalidInputError(
            name,
            value,
            "None or an http(s) URL, e.g. 'https://api.hubapi.com/oauth/v1/token'",
        )


def _validate_callback(name: str, value: object) -> None:
    if value is not None and not callable(value):
        raise InvalidInputError(name, value, "None or a function taking a TokenSet")


def _validate_client_id(name: str, value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(name, value, "the app's OAuth client id (a non-empty string)")


# Stdlib dataclasses rather than attrs: building a client must not import attrs (~10 ms).
# No slots: a frozen slotted dataclass raises TypeError, not FrozenInstanceError, when a
# name that is not a field is assigned (CPython gh-105936, still so in 3.11-3.13).
@dataclass(frozen=True)
class TokenSet:
    """The tokens after a refresh, handed to :attr:`OAuth.on_refresh` for persisting.

    ``expires_at`` is timezone-aware (UTC). HubSpot may rotate the refresh token; store
    the one given here, not the one you started with. ``repr`` hides both tokens.
    """

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime

    def __post_init__(self) -> None:
        value: object = self.expires_at
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise InvalidInputError("expires_at", value, "a timezone-aware datetime")


@dataclass(frozen=True)
class OAuth:
    """OAuth settings for a HubSpot app installed in an account.

    Args:
        client_id: the app's client id.
        client_secret: the app's client secret.
        refresh_token: the refresh token from the install (or from the last ``on_refresh``).
        access_token: a still-valid access token to start with, if you kept one.
        expires_at: when ``access_token`` expires: a timezone-aware ``datetime`` or Unix
            seconds. ``None`` with an ``access_token`` means "unknown": the client uses it
            until HubSpot answers 401, then refreshes.
        token_url: the token endpoint; default ``{base_url}/oauth/v1/token``.
        on_refresh: called with a :class:`TokenSet` after every refresh, to persist the
            tokens (HubSpot may rotate the refresh token). An exception it raises is
            logged on the ``hubspot_assoc`` logger and otherwise ignored.

    ``repr`` shows neither secret nor token.

    Example::

        from hubspot_assoc import Client, OAuth

        def save(tokens):
            store.put(refresh_token=tokens.refresh_token, access_token=tokens.access_token,
                      expires_at=tokens.expires_at.isoformat())

        client = Client(oauth=OAuth(client_id="...", client_secret="...",
                                    refresh_token=store.get("refresh_token"), on_refresh=save))
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    access_token: str | None = field(default=None, repr=False)
    expires_at: datetime | int | float | None = None
    token_url: str | None = None
    on_refresh: Callable[[TokenSet], None] | None = None

    def __post_init__(self) -> None:
        # In field order, as the first wrong argument is the one reported.
        _validate_client_id("client_id", self.client_id)
        # Frozen: the cleaned values (see clean_secret) go in through object.__setattr__.
        cleaned = {
            "client_secret": _check_secret(
                "client_secret",
                self.client_secret,
                "the client secret from the app's Auth settings",
            ),
            "refresh_token": _check_secret(
                "refresh_token", self.refresh_token, "the refresh_token from the install flow"
            ),
            "access_token": _validate_optional_secret("access_token", self.access_token),
        }
        for name, value in cleaned.items():
            object.__setattr__(self, name, value)
        _validate_expires_at("expires_at", self.expires_at)
        _validate_token_url("token_url", self.token_url)
        _validate_callback("on_refresh", self.on_refresh)


# --------------------------------------------------------------------------- the auth flow


@dataclass(frozen=True, slots=True)
class _Used:
    """What a request was sent with: which token generation, and whether its expiry is known."""

    generation: int
    token: str = field(repr=False)
    expiry_known: bool


class OAuthAuth(httpx.Auth):
    """Sends an OAuth access token, refreshing it before expiry and once after a 401.

    Build it from an :class:`OAuth`; one instance serves one client (``Client`` or
    ``AsyncClient``) and is safe to share among that client's threads or tasks.

    Args:
        oauth: the app's OAuth settings.
        token_url: where to refresh (the client passes ``oauth.token_url`` or its default).
        clock: Unix time in seconds (injectable for tests).
        refresh_margin: refresh this many seconds before the token expires.

    Attributes:
        refresh_count: refreshes that succeeded (diagnostics and tests).
    """

    requires_request_body = True  # the request may be replayed after a refresh
    requires_response_body = True  # a 401's category and the token answer are read

    def __init__(
        self,
        oauth: OAuth,
        *,
        token_url: str,
        clock: Callable[[], float] = time.time,
        refresh_margin: float = 60.0,
    ) -> None:
        if not isinstance(oauth, OAuth):
            raise InvalidInputError("oauth", type(oauth).__name__, "an OAuth(...) instance")
        _validate_token_url("token_url", token_url)
        if (
            isinstance(refresh_margin, bool)
            or not isinstance(refresh_margin, int | float)
            or not 0 <= refresh_margin < math.inf
        ):
            raise InvalidInputError("refresh_margin", refresh_margin, "seconds >= 0")
        self._client_id = oauth.client_id
        self._client_secret = oauth.client_secret
        self._on_refresh = oauth.on_refresh
        self._token_url = token_url
        self._clock = clock
        self._margin = float(refresh_margin)

        self._access_token = oauth.access_token
        self._refresh_token = oauth.refresh_token
        expires = oauth.expires_at
        self._expires_at: float | None = (
            expires.timestamp() if isinstance(expires, datetime) else None if expires is None
            else float(expires)
        )  # fmt: skip
        self._generation = 0
        self._failures = 0
        self._last_failure: httpx.Response | None = None
        self._last_failure_lost = False
        # True from sending a refresh until its answer arrives: httpx closes the flow at the
        # yield when the token request fails, so it stays true when the answer was lost.
        self._refresh_unanswered = False
        self.refresh_count = 0

        self._state = threading.Lock()  # guards the fields above; held for microseconds
        self._sync_refresh = threading.Lock()  # held across a refresh by the sync flow
        self._async_refresh: MutableMapping[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        return (
            f"OAuthAuth(client_id={self._client_id!r}, token_url={self._token_url!r}, "
            f"refresh_count={self.refresh_count})"
        )

    # --- the two flows: the same steps, with a thread lock or a task lock --------------

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        request.read()
        if self._expiring():
            failures = self._failures
            with self._sync_refresh:
                if self._claim_refresh(failures, None):
                    started, lost = self._clock(), self._sending_refresh()
                    answer = yield self._refresh_request(request)
                    self._refresh_answered()
                    answer.read()
                    self._apply(answer, started, lost)

        used = self._authorize(request)
        response = yield request
        if response.status_code != 401:
            return
        response.read()
        if not self._refreshable(response, used):
            return
        failures = self._failures
        with self._sync_refresh:
            if self._claim_refresh(failures, used.generation):
                started, lost = self._clock(), self._sending_refresh()
                answer = yield self._refresh_request(request)
                self._refresh_answered()
                answer.read()
                self._apply(answer, started, lost)
        self._authorize(request)
        yield request

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        await request.aread()
        if self._expiring():
            failures = self._failures
            async with self._task_lock():
                if self._claim_refresh(failures, None):
                    started, lost = self._clock(), self._sending_refresh()
                    answer = yield self._refresh_request(request)
                    self._refresh_answered()
                    await answer.aread()
                    self._apply(answer, started, lost)

        used = self._authorize(request)
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        if not self._refreshable(response, used):
            return
        failures = self._failures
        async with self._task_lock():
            if self._claim_refresh(failures, used.generation):
                started, lost = self._clock(), self._sending_refresh()
                answer = yield self._refresh_request(request)
                self._refresh_answered()
                await answer.aread()
                self._apply(answer, started, lost)
        self._authorize(request)
        yield request

    # --- the steps ---------------------------------------------------------------------

    def _task_lock(self) -> asyncio.Lock:
        # An asyncio.Lock belongs to one event loop; keep one per loop so the same
        # client works under successive asyncio.run() calls.
        import asyncio

        loop = asyncio.get_running_loop()
        with self._state:
            lock = self._async_refresh.get(loop)
            if lock is None:
                lock = asyncio.Lock()
                self._async_refresh[loop] = lock
            return lock

    def _expiring(self) -> bool:
        """True when the current token is missing or within the margin of its expiry."""
        with self._state:
            if self._access_token is None:
                return True
            return self._expires_at is not None and self._clock() >= self._expires_at - self._margin

    def _claim_refresh(self, failures_before: int, stale_generation: int | None) -> bool:
        """Under the refresh lock: must this caller refresh? (Double-checked.)

        ``stale_generation`` is the generation a 401 was received with (``None`` for the
        proactive check). Raises the refresh error if another caller's refresh failed
        while this one waited, rather than asking HubSpot again at once.
        """
        with self._state:
            if stale_generation is None:
                needed = self._access_token is None or (
                    self._expires_at is not None
                    and self._clock() >= self._expires_at - self._margin
                )
            else:
                needed = self._generation == stale_generation
            failed = self._last_failure if self._failures != failures_before else None
        if needed and failed is not None:
            raise _refresh_failure(failed, earlier_answer_lost=self._last_failure_lost)
        return needed

    def _sending_refresh(self) -> bool:
        """Note that a refresh is being sent; returns whether an earlier one went unanswered.

        With rotating refresh tokens, a refresh that reached HubSpot but whose answer was lost
        retired the refresh token this client still holds: the next refresh is then rejected,
        and its error must say why.
        """
        with self._state:
            lost, self._refresh_unanswered = self._refresh_unanswered, True
            return lost

    def _refresh_answered(self) -> None:
        with self._state:
            self._refresh_unanswered = False

    def _authorize(self, request: httpx.Request) -> _Used:
        with self._state:
            token = self._access_token
            used = _Used(self._generation, token or "", self._expires_at is not None)
        if token is None:  # only when a refresh failed and was reported already
            raise AuthenticationError(
                status_code=0, method=request.method, url=str(request.url), body=None,
                headers={}, detail="No OAuth access token is available",
            )  # fmt: skip
        request.headers["Authorization"] = f"Bearer {token}"
        return used

    def _refreshable(self, response: httpx.Response, used: _Used) -> bool:
        """May this 401 be cured by a refresh (or by a token refreshed meanwhile)?"""
        try:
            body = loads_json(response.content)
        except JSONError:
            body = None
        category = body.get("category") if isinstance(body, dict) else None
        return category == _EXPIRED or not used.expiry_known

    def _refresh_request(self, original: httpx.Request) -> httpx.Request:
        with self._state:
            refresh_token = self._refresh_token
        extensions = {}
        if "timeout" in original.extensions:  # without it the refresh could wait forever
            extensions["timeout"] = original.extensions["timeout"]
        return httpx.Request(
            "POST",
            self._token_url,
            data={
                "grant_type": "refresh_token",
                "client_id": self._client_id,
                "client_secret": self._client_secret,
                "refresh_token": refresh_token,
            },
            headers={"Accept": "application/json"},
            extensions=extensions,
        )

    def _apply(self, answer: httpx.Response, started: float, earlier_lost: bool = False) -> None:
        """Adopt the token answer, or record and raise its failure.

        ``earlier_lost``: an earlier refresh was sent and its answer never arrived.
        """
        try:
            access_token, rotated, expires_in = _read_token_answer(
                answer, earlier_answer_lost=earlier_lost
            )
        except HubSpotError:
            with self._state:
                self._failures += 1
                self._last_failure = answer
                self._last_failure_lost = earlier_lost
                if answer.status_code == 429 or answer.status_code >= 500:
                    # The token endpoint failed before using the refresh token: the doubt
                    # about the lost answer still stands for the next refresh.
                    self._refresh_unanswered = earlier_lost
            # DEBUG only: the caller gets the error; a warning would say it twice.
            logger.debug("OAuth token refresh failed: HubSpot answered %d", answer.status_code)
            raise
        with self._state:
            self._access_token = access_token
            if rotated is not None:
                self._refresh_token = rotated
            # Counted from before the request was sent, so the expiry is never late.
            self._expires_at = started + expires_in
            self._generation += 1
            self.refresh_count += 1
            tokens = TokenSet(
                access_token=access_token,
                refresh_token=self._refresh_token,
                expires_at=datetime.fromtimestamp(self._expires_at, UTC),
            )
        logger.debug("OAuth access token refreshed; it expires at %s", tokens.expires_at)
        if self._on_refresh is not None:
            try:
                self._on_refresh(tokens)
            except Exception as exc:
                # The new tokens are in use either way; the message of the callback's
                # exception is left out because it may quote them.
                logger.error(
                    "OAuth on_refresh callback raised %s; the refreshed tokens are in use "
                    "but were not saved by the callback",
                    type(exc).__name__,
                )


_SECRET_FIELDS = frozenset({"access_token", "refresh_token", "id_token"})


def _redact_token_answer(body: object) -> object:
    """The token answer with its secrets masked, for an error's ``body``."""
    if isinstance(body, dict):
        return {k: "***" if k in _SECRET_FIELDS else v for k, v in body.items()}
    if isinstance(body, str) and body:
        return f"<{len(body)} characters, not shown: they may hold a token>"
    return body


def _refresh_failure(answer: httpx.Response, *, earlier_answer_lost: bool = False) -> HubSpotError:
    """The error for a token answer that gave no usable token."""
    if 200 <= answer.status_code < 300:
        try:
            _read_token_answer(answer)
        except HubSpotError as exc:
            return exc
    return token_refresh_error(answer, earlier_answer_lost=earlier_answer_lost)


def _read_token_answer(
    answer: httpx.Response, *, earlier_answer_lost: bool = False
) -> tuple[str, str | None, float]:
    """(access token, rotated refresh token or None, lifetime in seconds) of a token answer.

    A non-2xx answer raises the refresh error (HubSpot rejected the refresh); a 2xx answer
    goes through the same guard as API answers, so a body without a usable token raises
    ``UnexpectedResponseError`` (secrets masked in its ``body``), never a parser exception.
    """
    if not 200 <= answer.status_code < 300:
        raise token_refresh_error(answer, earlier_answer_lost=earlier_answer_lost)
    return read_guarded(
        answer,
        _token_fields,
        "a token answer",
        purpose="to the OAuth token refresh",
        redact=_redact_token_answer,
    )


def _token_fields(data: object) -> tuple[str, str | None, float]:
    if not isinstance(data, dict):
        raise ValueError("the body is not a JSON object")
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token.strip():
        raise ValueError("access_token is missing or empty")
    expires_in = data.get("expires_in")
    if isinstance(expires_in, str):
        try:
            expires_in = float(expires_in)
        except ValueError:
            raise ValueError("expires_in is not a number") from None
    if (
        isinstance(expires_in, bool)
        or not isinstance(expires_in, int | float)
        or not math.isfinite(expires_in)
        or expires_in <= 0
    ):
        raise ValueError("expires_in is missing or not a positive number")
    rotated = data.get("refresh_token")
    if not isinstance(rotated, str) or not rotated.strip():
        rotated = None
    return access_token, rotated, float(expires_in)


# --------------------------------------------------------------------------- refresh errors

_REFRESH_ADVICE = {
    "invalid_grant": (
        "The refresh token is no longer valid (revoked, the app was uninstalled, or it "
        "belongs to another app): run the OAuth install flow again to get a new refresh token"
    ),
    "invalid_client": (
        "HubSpot did not accept the app's credentials: check the OAuth client id and client "
        "secret (they must belong to the app that issued the refresh token)"
    ),
    "unauthorized_client": (
        "This app is not allowed to use the refresh_token grant: check the app's OAuth settings"
    ),
    "invalid_request": (
        "The refresh request was malformed: check that client id, client secret and "
        "refresh token are all set"
    ),
}
_CODE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,63}")


def token_refresh_error(
    response: httpx.Response, *, earlier_answer_lost: bool = False
) -> AuthenticationError:
    """The exception for a failed OAuth token refresh (RFC 6749 error body).

    ``earlier_answer_lost``: an earlier refresh request got no answer. When HubSpot rotates
    refresh tokens, that lost answer carried the new refresh token and retired the one the
    client still holds, which explains a rejection: the message says so.

    HubSpot's ``error_description`` and ``message`` are deliberately left out of the
    message and of ``body``: they are free text that may echo the refresh token or client
    secret back. Only the short codes (``error``, ``status``) and the correlation id are
    kept; ``body`` holds just those.
    """
    answer = read_response(response)
    raw = answer.pop("body")
    data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    code = data.get("error")
    code = code if isinstance(code, str) and _CODE.fullmatch(code) else None
    status_code_text = data.get("status")
    status_text = (
        status_code_text
        if isinstance(status_code_text, str) and _CODE.fullmatch(status_code_text)
        else None
    )
    fields = response_fields(raw, answer["headers"])
    named = ", ".join(c for c in (code, status_text) if c) or "no error code"
    advice = _REFRESH_ADVICE.get(
        code or "",
        "Check the OAuth client id, client secret and refresh token, or run the OAuth "
        "install flow again to get a new refresh token",
    )
    safe_body = {k: v for k, v in (("error", code), ("status", status_text)) if v is not None}
    status = answer["status_code"]
    if status == 429 or status >= 500:
        # The token endpoint failed, not the refresh token: say so, or users would
        # re-authorise an app whose credentials are fine.
        detail = (
            f"HubSpot's token endpoint answered {status} while refreshing the OAuth access "
            "token; the refresh token was not rejected. This is usually temporary: try the "
            "call again in a moment"
        )
    elif earlier_answer_lost:
        detail = (
            f"HubSpot rejected the OAuth refresh token ({named}). An earlier refresh request "
            "got no answer: HubSpot rotates refresh tokens, so the lost answer most likely "
            "carried the new refresh token and retired the one this client holds. Run the "
            "OAuth install flow again to get a new refresh token"
        )
    else:
        detail = f"HubSpot rejected the OAuth refresh token ({named}). {advice}"
    return AuthenticationError(
        **answer,
        body=safe_body,
        category=REFRESH_FAILED,
        correlation_id=fields["correlation_id"],
        detail=detail,
    )
