"""``Client`` and ``AsyncClient``: the entry points of hubspot-assoc.

Both resolve their settings the same way (:class:`_Settings`) and share the request
pipeline of :mod:`hubspot_assoc._core`; each twin only sends and waits in its own way.
"""

from __future__ import annotations

import os
import time
import weakref
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from ._constants import BASE_URL_ENV, DEFAULT_BASE_URL, TOKEN_ENV
from ._core import MAX_TIMEOUT, Core, Done, Fail, Retry, Step
from ._url import normalise_base_url
from .associations import Associations, AsyncAssociations
from .auth import BearerAuth, OAuth, OAuthAuth, clean_secret
from .errors import (
    BatchPartialFailureError,
    HubSpotError,
    InvalidInputError,
    MissingCredentialsError,
)
from .logs import configure_from_environment
from .ratelimit import RateLimit, acquire_async, acquire_sync
from .resources import AsyncLabels, AsyncLimits, Labels, Limits
from .retry import RetryPolicy
from .versions import api_version as _api_version

if TYPE_CHECKING:
    import asyncio

    from .models import BatchResult
    from .operations import BatchChunk, BatchPlan, Operation

__all__ = ["DEFAULT_BASE_URL", "AsyncClient", "Client"]

T = TypeVar("T")


class _Settings:
    """Validated constructor arguments, shared by both clients."""

    def __init__(
        self,
        access_token: str | None,
        oauth: OAuth | None,
        base_url: str | None,
        timeout: float | None,
        retry: RetryPolicy | None,
        rate_limit: RateLimit | None,
        http_client: object,
        http_class: type[httpx.Client] | type[httpx.AsyncClient],
        api_version: str | None = None,
    ) -> None:
        configure_from_environment()
        if base_url is not None:
            self.base_url = normalise_base_url(base_url)
        elif os.environ.get(BASE_URL_ENV):
            self.base_url = normalise_base_url(os.environ[BASE_URL_ENV], source=BASE_URL_ENV)
        else:
            self.base_url = DEFAULT_BASE_URL
        self.api_version = _api_version(api_version)
        if access_token is not None and not isinstance(access_token, str):
            raise InvalidInputError("access_token", "<not shown>", "a str (the token itself)")
        if oauth is not None and not isinstance(oauth, OAuth):
            raise InvalidInputError("oauth", type(oauth).__name__, "an OAuth(...) instance")
        if access_token and oauth is not None:
            raise InvalidInputError(
                "access_token",
                "<not shown>",
                "either access_token or oauth, not both",
                hint="pass the current OAuth access token as OAuth(access_token=...)",
            )
        auth: httpx.Auth
        if oauth is not None:
            token_url = oauth.token_url or f"{self.base_url}/oauth/v1/token"
            auth = OAuthAuth(oauth, token_url=token_url)
            self.credential = "OAuth"
            # The app's installation: a store keys the shared budget by its digest.
            secret = f"oauth\0{oauth.client_id}\0{oauth.refresh_token}"
        else:
            argument, token = "access_token", access_token
            if not token:
                argument, token = TOKEN_ENV, str(clean_secret(os.environ.get(TOKEN_ENV, "")))
            if not token:
                raise MissingCredentialsError(
                    "No HubSpot credentials: pass access_token=... (a private app token) or "
                    f"oauth=OAuth(...) to the client, or set the {TOKEN_ENV} environment variable."
                )
            auth = BearerAuth(token, argument=argument)
            self.credential = "access token"
            secret = f"token\0{token}"
        if timeout is not None and (
            isinstance(timeout, bool)
            or not isinstance(timeout, int | float)
            or not 0 < timeout <= MAX_TIMEOUT  # also false for nan
        ):
            raise InvalidInputError(
                "timeout",
                timeout,
                f"a number of seconds greater than 0 and at most {MAX_TIMEOUT:g}, or None",
            )
        self.timeout = None if timeout is None else float(timeout)
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise InvalidInputError("retry", retry, "a RetryPolicy(...) or None")
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise InvalidInputError("rate_limit", rate_limit, "a RateLimit(...) or None")
        if http_client is not None and not isinstance(http_client, http_class):
            other = "AsyncClient" if http_class is httpx.Client else "Client"
            raise InvalidInputError(
                "http_client",
                type(http_client).__name__,
                f"an httpx.{http_class.__name__} (use {other} for the other kind)",
            )
        self.core = Core(
            base_url=self.base_url,
            auth=auth,
            retry=retry,
            rate_limit=rate_limit,
            api_version=self.api_version,
            timeout=self.timeout,
            budget_secret=f"{self.base_url}\0{secret}",
        )
        # A caller's client is used as is and never closed by us.
        self.owns_http = http_client is None
        self.http = http_client if http_client is not None else http_class(timeout=timeout)


class Client:
    """A synchronous HubSpot associations client.

    Args:
        access_token: a private app token (``pat-...``) or an OAuth access token; defaults to
            the ``HUBSPOT_ACCESS_TOKEN`` environment variable.
        oauth: an :class:`OAuth` configuration instead of a fixed token; the client then
            refreshes the access token itself.
        base_url: defaults to ``HUBSPOT_BASE_URL``, then ``https://api.hubapi.com``; an
            http(s) address without ``user:password@``, ``?query`` or ``#fragment``.
        timeout: the most seconds one HTTP attempt may take, from connecting to the last
            byte of the answer (greater than 0, at most 86,400; ``None``: no limit). A slow
            or trickling answer ends with :class:`APITimeoutError`.
        retry: a :class:`RetryPolicy`, or ``None`` to never retry.
        rate_limit: a :class:`RateLimit` budget shared by every call of this client, or
            ``None`` to send without client-side limiting.
        http_client: an ``httpx.Client`` of yours (proxies, custom CA, mounts), used as is
            and not closed by this client.
        api_version: the HubSpot API version to call: ``"v4"`` (default), or a dated version
            ``"YYYY-MM"`` such as ``"2026-03"`` or ``"2025-09"`` (paths
            ``/crm/associations/2026-03/...``); defaults to ``HUBSPOT_API_VERSION``, then
            ``"v4"``. Anything else raises :class:`InvalidInputError`.

    Example::

        from hubspot_assoc import Client

        with Client() as client:
            result = client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
            result.raise_for_errors()
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        oauth: OAuth | None = None,
        base_url: str | None = None,
        timeout: float | None = 30.0,
        retry: RetryPolicy | None = RetryPolicy(),  # noqa: B008 - frozen value, safe default
        rate_limit: RateLimit | None = RateLimit(),  # noqa: B008 - frozen value, safe default
        http_client: httpx.Client | None = None,
        api_version: str | None = None,
    ) -> None:
        settings = _Settings(
            access_token,
            oauth,
            base_url,
            timeout,
            retry,
            rate_limit,
            http_client,
            httpx.Client,
            api_version,
        )
        self.base_url = settings.base_url
        #: The HubSpot API version this client calls (``"v4"`` or ``"YYYY-MM"``).
        self.api_version = settings.api_version
        self._credential = settings.credential
        self._core = settings.core
        self._owns_http = settings.owns_http
        self._timeout = settings.timeout
        self._http: httpx.Client = settings.http  # type: ignore[assignment]
        self.limits = Limits(self)
        self.labels = Labels(self)
        self.associations = Associations(self)

    def __repr__(self) -> str:
        return (
            f"Client(base_url={self.base_url!r}, api_version={self.api_version!r}, "
            f"credential={self._credential!r})"
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the HTTP connections this client opened (not a caller-supplied client).

        The client stays usable: a later call opens new connections.
        """
        if self._owns_http:
            self._http.close()
        close_store = getattr(self._core.window, "close", None)
        if close_store is not None:  # a shared store's connections
            close_store()

    # The twin's I/O: send, wait, repeat as the core decides.
    def _execute(self, operation: Operation[T]) -> T:
        core = self._core
        self._http = _reopened(self._http, self._owns_http, self._timeout)
        request = core.build_request(self._http, operation)
        attempt = 0
        maybe_applied = False
        while True:
            window = core.window
            ticket = acquire_sync(window) if window is not None else None
            started = time.perf_counter()
            step: Step[T]
            response: httpx.Response | None = None
            try:
                end = core.arm(request)
                # Streamed, then read here: a body httpx cannot decode (a broken gzip) then
                # fails with the answer's status and headers known; the body is read against
                # the attempt's deadline.
                response = self._http.send(request, auth=core.auth, stream=True)
                _read_by(response, end, request)
            except (httpx.RequestError, HubSpotError) as exc:
                if window is not None and ticket is not None:
                    window.finish_sync(ticket, counted=_counted(response))
                step = core.after_error(
                    operation, request, exc, attempt, response, maybe_applied=maybe_applied
                )
            except BaseException:
                if window is not None and ticket is not None:
                    window.abandon(ticket)
                raise
            else:
                # Timed by its answer before the headers are read (see ratelimit).
                if window is not None and ticket is not None:
                    window.finish_sync(ticket, counted=_counted(response))
                elapsed = time.perf_counter() - started
                step = core.after_response(operation, response, attempt, elapsed, maybe_applied)
            if isinstance(step, Done):
                return step.value
            if isinstance(step, Fail):
                raise step.error
            assert isinstance(step, Retry)
            maybe_applied = maybe_applied or step.maybe_applied
            time.sleep(step.delay)
            attempt += 1

    def _execute_batch(self, plan: BatchPlan[Any]) -> BatchResult[Any]:
        return execute_batch(plan, self._execute)


class AsyncClient:
    """The asyncio twin of :class:`Client`: same arguments, every call awaitable.

    Example::

        async with AsyncClient() as client:
            await client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    """

    def __init__(
        self,
        access_token: str | None = None,
        *,
        oauth: OAuth | None = None,
        base_url: str | None = None,
        timeout: float | None = 30.0,
        retry: RetryPolicy | None = RetryPolicy(),  # noqa: B008 - frozen value, safe default
        rate_limit: RateLimit | None = RateLimit(),  # noqa: B008 - frozen value, safe default
        http_client: httpx.AsyncClient | None = None,
        api_version: str | None = None,
    ) -> None:
        settings = _Settings(
            access_token,
            oauth,
            base_url,
            timeout,
            retry,
            rate_limit,
            http_client,
            httpx.AsyncClient,
            api_version,
        )
        self.base_url = settings.base_url
        #: The HubSpot API version this client calls (``"v4"`` or ``"YYYY-MM"``).
        self.api_version = settings.api_version
        self._credential = settings.credential
        self._core = settings.core
        self._owns_http = settings.owns_http
        self._timeout = settings.timeout
        self._http: httpx.AsyncClient = settings.http  # type: ignore[assignment]
        self._loop: weakref.ref[asyncio.AbstractEventLoop] | None = None
        self.limits = AsyncLimits(self)
        self.labels = AsyncLabels(self)
        self.associations = AsyncAssociations(self)

    def __repr__(self) -> str:
        return (
            f"AsyncClient(base_url={self.base_url!r}, api_version={self.api_version!r}, "
            f"credential={self._credential!r})"
        )

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections this client opened (not a caller-supplied client).

        The client stays usable: a later call opens new connections.
        """
        import asyncio

        close_store = getattr(self._core.window, "aclose", None)
        if close_store is not None:  # a shared store's connections
            await close_store()
        if not self._owns_http:
            return
        if self._loop_moved(asyncio.get_running_loop()):
            # Its connections went with the loop that opened them; closing them from this
            # loop would fail. A fresh client, closed, is what aclose leaves behind.
            self._http = httpx.AsyncClient(timeout=self._timeout)
        await self._http.aclose()

    def _http_for_this_loop(self) -> httpx.AsyncClient:
        """The httpx client to use in the running event loop.

        httpx's connections belong to the event loop that opened them; a second
        ``asyncio.run()`` would find them bound to a closed loop. A client of our own is
        replaced (its connections died with their loop); a caller's is theirs to manage.
        """
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop_moved(loop):
            if not self._owns_http:
                raise HubSpotError(
                    "The http_client given to this AsyncClient was used in an event loop that "
                    "is now closed, and httpx connections cannot move to another event loop. "
                    "Create the httpx.AsyncClient inside the event loop that uses it, or leave "
                    "http_client out and let AsyncClient manage its own connections."
                )
            self._http = httpx.AsyncClient(timeout=self._timeout)
        self._http = _reopened(self._http, self._owns_http, self._timeout)
        self._loop = weakref.ref(loop)
        return self._http

    def _loop_moved(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether the connections were opened in another event loop, now closed."""
        previous = self._loop() if self._loop is not None else None
        return previous is not None and previous is not loop and previous.is_closed()

    async def _execute(self, operation: Operation[T]) -> T:
        import asyncio

        core = self._core
        http = self._http_for_this_loop()
        request = core.build_request(http, operation)
        attempt = 0
        maybe_applied = False
        while True:
            window = core.window
            ticket = await acquire_async(window) if window is not None else None
            started = time.perf_counter()
            step: Step[T]
            response: httpx.Response | None = None
            try:
                core.arm(request)
                # httpx bounds each socket operation by the time left (core.arm); this also
                # bounds what happens between them, such as an OAuth refresh.
                async with asyncio.timeout(core.timeout):
                    # Streamed, then read here: a body httpx cannot decode (a broken gzip)
                    # then fails with the answer's status and headers known.
                    response = await http.send(request, auth=core.auth, stream=True)
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
            except (httpx.RequestError, HubSpotError) as exc:
                if window is not None and ticket is not None:
                    await window.finish_async(ticket, counted=_counted(response))
                step = core.after_error(
                    operation, request, exc, attempt, response, maybe_applied=maybe_applied
                )
            except TimeoutError:
                if window is not None and ticket is not None:
                    await window.finish_async(ticket, counted=_counted(response))
                late = httpx.ReadTimeout("the attempt outlasted timeout", request=request)
                step = core.after_error(
                    operation, request, late, attempt, response, maybe_applied=maybe_applied
                )
            except BaseException:  # cancelled: no awaiting now, just free the slot
                if window is not None and ticket is not None:
                    window.abandon(ticket)
                raise
            else:
                if window is not None and ticket is not None:
                    await window.finish_async(ticket, counted=_counted(response))
                elapsed = time.perf_counter() - started
                step = core.after_response(operation, response, attempt, elapsed, maybe_applied)
            if isinstance(step, Done):
                return step.value
            if isinstance(step, Fail):
                raise step.error
            assert isinstance(step, Retry)
            maybe_applied = maybe_applied or step.maybe_applied
            await _async_sleep(step.delay)
            attempt += 1

    async def _execute_batch(self, plan: BatchPlan[Any]) -> BatchResult[Any]:
        parts: list[BatchResult[Any]] = []
        for index, chunk in enumerate(plan.chunks):
            try:
                parts.append(await self._execute(chunk.operation))
            except HubSpotError as exc:
                if not parts:
                    raise
                raise _partial_failure(plan, parts, index, exc) from exc
        return _combine(parts)


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


def _read_by(response: httpx.Response, end: float | None, request: httpx.Request) -> None:
    """Read the streamed ``response`` body, giving up with ``httpx.ReadTimeout`` after ``end``.

    core.arm bounds connecting, sending and the wait for the headers; httpcore fixes the
    read timeout of the body once, when the body starts, so a trickled body is cut here,
    between chunks.
    """
    if end is not None:
        response.stream = _DeadlineStream(response.stream, end, request)
    try:
        response.read()
    finally:
        response.close()


class _DeadlineStream(httpx.SyncByteStream):
    """A response body stream that gives up with ``httpx.ReadTimeout`` after ``end``."""

    def __init__(self, stream: Any, end: float, request: httpx.Request) -> None:
        self._stream = stream
        self._end = end
        self._request = request

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._stream:
            if time.monotonic() > self._end:
                raise httpx.ReadTimeout("the attempt outlasted timeout", request=self._request)
            yield chunk

    def close(self) -> None:
        self._stream.close()


def _reopened(http: H, owned: bool, timeout: float | None) -> H:
    """``http``, or a fresh client of ours in place of one closed by ``close()``/``aclose()``."""
    if not http.is_closed:
        return http
    if not owned:
        raise HubSpotError(
            "The http_client given to this client is closed; pass an open one, or leave "
            "http_client out and let the client manage its own connections."
        )
    return type(http)(timeout=timeout)


def execute_batch(
    plan: BatchPlan[Any],
    execute: Callable[[Operation[BatchResult[Any]]], BatchResult[Any]],
    on_request: Callable[[int, BatchChunk[Any]], None] | None = None,
) -> BatchResult[Any]:
    """Send *plan*'s chunks in order with *execute* and merge their results.

    *on_request* (if given) is told the index and chunk before each request, e.g. to show
    progress. When a chunk fails after earlier ones were applied, the
    :class:`BatchPartialFailureError` says which inputs were applied, failed, not sent.
    """
    parts: list[BatchResult[Any]] = []
    for index, chunk in enumerate(plan.chunks):
        if on_request is not None:
            on_request(index, chunk)
        try:
            parts.append(execute(chunk.operation))
        except HubSpotError as exc:
            if not parts:
                raise
            raise _partial_failure(plan, parts, index, exc) from exc
    return _combine(parts)


def _partial_failure(
    plan: BatchPlan[Any], parts: list[BatchResult[Any]], index: int, cause: HubSpotError
) -> BatchPartialFailureError:
    """Chunk ``index`` failed after earlier chunks were applied: say exactly which were."""
    from .models import BatchResult

    failed_chunk = BatchResult[Any](status="CANCELED", failed=list(plan.chunks[index].inputs))
    result = BatchResult.combine([*parts, failed_chunk], not_sent=plan.not_sent_after(index))
    message = (
        f"{len(result.succeeded)} of {len(plan.inputs)} inputs were applied before request "
        f"{index + 1} of {len(plan.chunks)} failed ({len(result.failed)} failed, "
        f"{len(result.not_sent)} not sent; see .result): {cause}"
    )
    return BatchPartialFailureError(result, message)


async def _async_sleep(seconds: float) -> None:
    # asyncio is imported here, not at module level: it costs as much to import as httpx's
    # own modules, and synchronous programs never need it.
    import asyncio

    await asyncio.sleep(seconds)


def _combine(parts: list[BatchResult[Any]]) -> BatchResult[Any]:
    """One result for a batch sent as ``parts`` (the common single request needs no merge)."""
    if len(parts) == 1:
        return parts[0]
    from .models import BatchResult  # models load with the first call, not with the client

    return BatchResult.combine(parts) if parts else BatchResult.empty()


def _counted(response: httpx.Response | None) -> bool:
    """Whether HubSpot counted the request against the rate budget (a 429 was not)."""
    return response is None or response.status_code != 429
