"""The one request pipeline that :class:`Client` and :class:`AsyncClient` share.

Each attempt of an :class:`~hubspot_assoc.operations.Operation` goes through the same
steps; only waiting and sending differ between the twins, so the twins own just those
two lines and everything else is decided here:

1. wait for the client-side rate limiter (twin);
2. send with the credential's ``httpx.Auth`` (twin);
3. :meth:`Core.after_response` / :meth:`Core.after_error` log the attempt, teach the
   limiter the budget HubSpot announces, parse a success, or map a failure to its
   exception and ask :func:`~hubspot_assoc.retry.retry_delay` whether to try again;
4. sleep and repeat, or return / raise (twin).
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import httpx

from ._reading import read_error, read_success
from ._version import __version__
from .errors import (
    REFRESH_FAILED,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    HubSpotError,
    RateLimitError,
)
from .logs import logger
from .ratelimit import RateLimit, make_budget
from .retry import RetryPolicy, may_have_been_applied, retry_delay
from .versions import DEFAULT_API_VERSION, versioned_path

if TYPE_CHECKING:
    from .operations import Operation

T = TypeVar("T")

# sys.version_info rather than the platform module, which costs a millisecond to import.
_PYTHON = "{}.{}.{}".format(*sys.version_info[:3])
USER_AGENT = f"hubspot-assoc/{__version__} python/{_PYTHON} httpx/{httpx.__version__}"


# Stdlib dataclasses rather than attrs: httpx has loaded dataclasses already, while attrs
# would add ~10 ms to building a client (attrs serves the models, loaded with the first call).
@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """The attempt succeeded with this value."""

    value: T


@dataclass(frozen=True, slots=True)
class Retry:
    """Wait ``delay`` seconds, then make another attempt.

    ``maybe_applied`` says the failed attempt may still have taken effect at HubSpot (a 5xx
    or a lost answer); the twins pass it on to later attempts of the same call.
    """

    delay: float
    maybe_applied: bool = False


@dataclass(frozen=True, slots=True)
class Fail:
    """Give up and raise ``error``."""

    error: HubSpotError


Step = Done[T] | Retry | Fail

# The most seconds ``timeout`` may be: beyond it the socket and asyncio layers overflow, and
# no HubSpot call should take a day.
MAX_TIMEOUT = 86_400.0


class AttemptDeadline(dict[str, Any]):
    """httpx's per-operation timeouts, each capped by what is left of one attempt's budget.

    httpx's ``timeout`` bounds each socket operation, so a server that trickles its answer
    a byte at a time holds an attempt for as long as it likes. httpcore looks a timeout up in
    the request's ``timeout`` extension before every connect, write and read; answering
    with the time left makes the whole attempt (connect, send, headers, body) end by
    ``seconds`` from now with httpx's own timeout exception.
    """

    def __init__(self, per_operation: dict[str, Any], seconds: float) -> None:
        super().__init__(per_operation)
        self.configured = dict(per_operation)
        self.end = time.monotonic() + seconds

    def get(self, key: str, default: Any = None) -> Any:
        """The timeout for one socket operation: the configured one, or the time left."""
        configured = super().get(key, default)
        # Never 0: a zero socket timeout means "do not block", not "time is up".
        left = max(self.end - time.monotonic(), 0.001)
        return left if configured is None else min(float(configured), left)

    def __getitem__(self, key: str) -> Any:
        return self.get(key)


class Core:
    """Everything about a call except the I/O; one instance per client."""

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth,
        retry: RetryPolicy | None,
        rate_limit: RateLimit | None,
        api_version: str = DEFAULT_API_VERSION,
        timeout: float | None = None,
        budget_secret: str = "",
    ) -> None:
        self.base_url = base_url
        self.api_version = api_version
        self.auth = auth
        self.retry = retry
        self.timeout = timeout
        self.window = make_budget(rate_limit, budget_secret) if rate_limit is not None else None
        self._headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}

    def build_request(
        self, http: httpx.Client | httpx.AsyncClient, operation: Operation[Any]
    ) -> httpx.Request:
        """The request for ``operation`` in the client's API version; httpx streams its body
        again on every attempt."""
        return http.build_request(
            operation.method,
            self.base_url + versioned_path(operation.path, self.api_version),
            json=operation.json,
            headers=self._headers,
        )

    def arm(self, request: httpx.Request) -> float | None:
        """Start an attempt of ``request``: it must end within ``timeout`` seconds from now.

        Returns the deadline (a :func:`time.monotonic` time), or None without a timeout.
        """
        if self.timeout is None:
            return None
        current = request.extensions.get("timeout", {})
        if isinstance(current, AttemptDeadline):  # an earlier attempt's
            per_operation = current.configured
        else:
            per_operation = dict(current) if isinstance(current, dict) else {}
        deadline = AttemptDeadline(per_operation, self.timeout)
        request.extensions["timeout"] = deadline
        return deadline.end

    def after_response(
        self,
        operation: Operation[T],
        response: httpx.Response,
        attempt: int,
        elapsed: float,
        maybe_applied: bool = False,
    ) -> Step[T]:
        """Decide what an answer means: a value, another attempt, or an error.

        ``maybe_applied`` is true when an earlier attempt of this call may have taken
        effect; an operation can then recognise an error that only means "already done".
        """
        status = response.status_code
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %d (attempt %d, %.0f ms)",
                operation.method,
                _path(response.request.url),
                status,
                attempt + 1,
                elapsed * 1000,
            )
        window = self.window
        if window is not None:
            window.learn(response.headers)
        if 200 <= status < 300:
            try:
                return Done(read_success(operation.reader, response, operation.name))
            except HubSpotError as exc:
                # An answer we could not read; its class and raw body say so.
                if hasattr(exc, "attempts"):
                    exc.attempts = attempt + 1
                return Fail(exc)
        error = read_error(response, operation.read_error, attempts=attempt + 1)
        if maybe_applied and operation.already_done is not None and operation.already_done(error):
            # e.g. a delete whose first answer was lost, retried and told "no such type".
            logger.debug("%s: an earlier attempt had already done it (%s)", operation.name, error)
            return Done(cast(T, None))
        if window is not None and isinstance(error, RateLimitError) and not error.is_daily:
            hold = self.retry.max_delay if self.retry is not None else None
            window.on_rate_limited(response.headers, hold=hold)
        if self.retry is None:
            return Fail(error)
        delay = retry_delay(
            self.retry,
            attempt,
            idempotent=operation.idempotent,
            response=response,
            window_wait=window.wait_time() if window is not None else None,
        )
        if delay is None:
            return Fail(error)
        return Retry(delay, may_have_been_applied(response, None))

    def after_error(
        self,
        operation: Operation[T],
        request: httpx.Request,
        exc: httpx.RequestError | HubSpotError,
        attempt: int,
        response: httpx.Response | None = None,
        *,
        maybe_applied: bool = False,
    ) -> Step[T]:
        """Decide what a failure without an API answer means: another attempt or an error.

        ``maybe_applied`` is true when an earlier attempt of this call may have taken effect.

        ``exc`` is a transport failure of the API request or of the OAuth token request the
        credential made first, a body httpx could not decode (``DecodingError``), or the
        ``HubSpotError`` of a failed token refresh. ``response`` is the answer whose body
        could not be read, when there was one.
        """
        if isinstance(exc, AuthenticationError):
            return self._after_refresh_error(exc, attempt)
        if isinstance(exc, HubSpotError):
            return Fail(exc)
        if not isinstance(exc, httpx.TransportError):
            # DecodingError (a broken gzip body of the token answer), TooManyRedirects...:
            # an answer came but could not be read; repeating the request will not help.
            return Fail(undecodable(response, exc, request, attempt + 1))
        failed = _failed_request(exc)
        # A failure of the token request means the API request never left this machine:
        # repeating the call is then safe whatever the operation.
        never_sent = failed is not None and failed.url != request.url
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "%s %s -> %s (attempt %d)",
                failed.method if never_sent and failed else operation.method,
                _path(failed.url if never_sent and failed else request.url),
                type(exc).__name__,
                attempt + 1,
            )
        applied_now = not never_sent and may_have_been_applied(None, exc)
        if self.retry is not None:
            idempotent = operation.idempotent or never_sent
            delay = retry_delay(self.retry, attempt, idempotent=idempotent, error=exc)
            if delay is not None:
                return Retry(delay, applied_now)
        write = request.method.upper() not in {"GET", "HEAD", "OPTIONS"}
        return Fail(
            connection_error(
                failed if never_sent and failed else request,
                exc,
                attempt + 1,
                may_have_been_applied=write and (applied_now or maybe_applied),
            )
        )

    def _after_refresh_error(self, error: AuthenticationError, attempt: int) -> Step[T]:
        # Only an outage of the token endpoint (429, 5xx) is worth another attempt; a
        # rejected refresh token or client secret will be rejected again.
        status = error.status_code
        if (
            self.retry is None
            or error.category != REFRESH_FAILED
            or not (status == 429 or status >= 500)
        ):
            return Fail(error)
        # The delay comes from the one function that computes every delay, fed with what
        # the token endpoint answered; the API request was never sent, so it is idempotent.
        answered = httpx.Response(status, headers=error.headers)
        delay = retry_delay(self.retry, attempt, idempotent=True, response=answered)
        if delay is None:
            error.attempts = attempt + 1
            return Fail(error)
        return Retry(delay)


def undecodable(
    response: httpx.Response | None, exc: Exception, request: httpx.Request, attempts: int
) -> HubSpotError:
    """The error for an answer whose body httpx could not decode (e.g. a broken gzip body).

    The raw bytes are lost inside httpx, so ``body`` is ``None``; the status and headers are
    kept when the response is known.
    """
    from .errors import UnexpectedResponseError

    failed = _failed_request(exc) if isinstance(exc, httpx.RequestError) else None
    where = failed if failed is not None else request
    encoding = response.headers.get("content-encoding", "") if response is not None else ""
    how = f" (Content-Encoding: {encoding})" if encoding else ""
    status = response.status_code if response is not None else 0
    answered = f"HubSpot answered {status}" if status else "HubSpot answered"
    error = UnexpectedResponseError(
        status_code=status,
        method=where.method,
        url=str(where.url),
        body=None,
        headers=dict(response.headers) if response is not None else {},
        correlation_id=(
            response.headers.get("x-hubspot-correlation-id") if response is not None else None
        ),
        attempts=attempts,
        detail=(
            f"{answered} with a body that could not be decoded{how}: "
            f"{type(exc).__name__}: {str(exc)[:160]}"
        ),
    )
    error.__cause__ = exc
    return error


def _failed_request(exc: httpx.RequestError) -> httpx.Request | None:
    """The request whose transport failed (httpx records it), if known."""
    try:
        return exc.request
    except RuntimeError:  # raised by httpx when no request was recorded
        return None


def connection_error(
    request: httpx.Request, exc: Exception, attempts: int, *, may_have_been_applied: bool = False
) -> APIConnectionError:
    """Turn an httpx transport failure into the SDK's connection error.

    ``may_have_been_applied``: the request was a write that was sent and its answer lost.
    """
    host = request.url.host
    port = f":{request.url.port}" if request.url.port else ""
    what = _describe_transport_error(exc)
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    if may_have_been_applied:
        advice = (
            "The request was sent and its answer lost, so the change may have been applied; "
            "read the current configuration before running it again"
        )
        if cls is APITimeoutError:
            advice += " (or raise Client(timeout=...) if HubSpot is just slow)"
    elif cls is APITimeoutError:
        advice = "HubSpot did not answer in time; raise Client(timeout=...) or try again later"
    else:
        advice = "Check the network, the proxy settings and base_url"
    error = cls(
        f"Could not complete the request to {host}{port}: {what}. {advice}.",
        method=request.method,
        url=str(request.url.copy_with(query=None)),
        attempts=attempts,
        may_have_been_applied=may_have_been_applied,
    )
    # The twins raise it later, outside the `except`: chain the httpx error by hand.
    error.__cause__ = exc
    return error


def _describe_transport_error(exc: Exception) -> str:
    names = {
        httpx.ConnectError: "the connection was refused or could not be made",
        httpx.ConnectTimeout: "connecting timed out",
        httpx.ReadTimeout: "no answer within the timeout",
        httpx.WriteTimeout: "sending the request timed out",
        httpx.PoolTimeout: "no free connection in the pool",
        httpx.RemoteProtocolError: "the server closed the connection without a valid answer",
        httpx.ReadError: "the connection broke while reading the answer",
        httpx.WriteError: "the connection broke while sending the request",
    }
    for kind, text in names.items():
        if type(exc) is kind:
            return text
    return type(exc).__name__


def _path(url: httpx.URL) -> str:
    return url.raw_path.decode("ascii", "replace").split("?", 1)[0]


def monotonic() -> float:
    """The clock used for attempt durations (patched in tests)."""
    return time.perf_counter()
