"""The :class:`Sandbox`: a local HubSpot associations server you start, use and stop."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from types import TracebackType

from hubspot_assoc.sandbox.auth import AuthRegistry, OAuthApp
from hubspot_assoc.sandbox.faults import Fault, parse_fault
from hubspot_assoc.sandbox.handlers import Operations
from hubspot_assoc.sandbox.ratelimit import RateLimiter
from hubspot_assoc.sandbox.server import App, RecordedRequest, _Server
from hubspot_assoc.sandbox.state import PortalState
from hubspot_assoc.sandbox.versions import AUTO, PURGE_RESPONSE_ALIASES, check_emulate


class Sandbox:
    """A HubSpot CRM Associations v4 server on 127.0.0.1, over in-memory state.

    Example::

        with Sandbox(port=0, rate_limit=(100, 10.0)) as sb:
            httpx.get(sb.url + "/crm/associations/v4/contacts/companies/labels",
                      headers={"Authorization": f"Bearer {sb.token}"})

    Args:
        port: TCP port; 0 picks a free one.
        rate_limit: ``(max requests, interval seconds)`` per app/token rolling window, or None
            for no limit.
        daily_limit: requests per UTC day for private app tokens, or None for no limit.
        emulate: whose statuses and shapes to answer with: ``"auto"`` (each request as the
            version in its path), or one published version for every path: ``"v4"``,
            ``"v4-legacy"``, ``"2026-03"``, ``"2025-09"``. The table of what each answers is in
            :mod:`hubspot_assoc.sandbox.versions`.
        purge_response: the older name of two emulations: ``"204"`` is ``emulate="v4"``,
            ``"body"`` is ``emulate="v4-legacy"`` (purge, create and update answer 200).
        token_lifetime: seconds an OAuth access token lives (``expires_in``).
        rotate_refresh_tokens: whether each refresh issues a new refresh token and retires the
            old one.
        seed: default seed for fraction faults that name none (None: unseeded).
        max_batch_size: most inputs one batch call may carry.
        max_recorded: how many requests :attr:`requests` keeps (the oldest go first).
        faults: faults (or their compact text form) in force from the start.
        read_timeout: seconds a request may take to arrive once it started (request line,
            headers and body); a client that stops sending mid-request gets a 408 and the
            connection closes. Idle kept-alive connections are not bounded by it.
        max_request_bytes: the largest request body accepted; a larger one gets a 413.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        rate_limit: tuple[int, float] | None = (100, 10.0),
        daily_limit: int | None = 250_000,
        emulate: str = AUTO,
        purge_response: str | None = None,
        token_lifetime: int = 1800,
        rotate_refresh_tokens: bool = True,
        seed: int | None = None,
        max_batch_size: int = 100,
        max_recorded: int = 10_000,
        faults: Iterable[Fault | str] = (),
        read_timeout: float = 10.0,
        max_request_bytes: int = 1_048_576,
    ) -> None:
        if not isinstance(port, int) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
        if rate_limit is not None:
            if (
                len(rate_limit) != 2
                or not isinstance(rate_limit[0], int)
                or rate_limit[0] < 1
                or not float(rate_limit[1]) > 0
            ):
                raise ValueError(
                    "rate_limit must be (max requests >= 1, interval seconds > 0) or None, "
                    f"got {rate_limit!r}"
                )
            rate_limit = (rate_limit[0], float(rate_limit[1]))
        if daily_limit is not None and (not isinstance(daily_limit, int) or daily_limit < 1):
            raise ValueError(f"daily_limit must be a positive integer or None, got {daily_limit!r}")
        emulate = check_emulate(emulate)
        if purge_response is not None:
            alias = PURGE_RESPONSE_ALIASES.get(str(purge_response))
            if alias is None:
                raise ValueError(f"purge_response must be '204' or 'body', got {purge_response!r}")
            if emulate not in (AUTO, alias):
                raise ValueError(
                    f"purge_response={purge_response!r} means emulate={alias!r}, which "
                    f"contradicts emulate={emulate!r}; pass only emulate"
                )
            emulate = alias
        if not isinstance(token_lifetime, int) or token_lifetime < 1:
            raise ValueError(f"token_lifetime must be a positive integer, got {token_lifetime!r}")
        if not isinstance(max_batch_size, int) or max_batch_size < 1:
            raise ValueError(f"max_batch_size must be a positive integer, got {max_batch_size!r}")
        if (
            isinstance(read_timeout, bool)
            or not isinstance(read_timeout, int | float)
            or not 0 < read_timeout < 86_400
        ):
            raise ValueError(f"read_timeout must be seconds in (0, 86400), got {read_timeout!r}")
        if (
            isinstance(max_request_bytes, bool)
            or not isinstance(max_request_bytes, int)
            or max_request_bytes < 1
        ):
            raise ValueError(
                f"max_request_bytes must be a positive integer, got {max_request_bytes!r}"
            )
        self.port = port
        self.seed = seed
        self.read_timeout = float(read_timeout)
        self.max_request_bytes = max_request_bytes
        self.state = PortalState()
        self.auth = AuthRegistry(
            token_lifetime=token_lifetime, rotate_refresh_tokens=rotate_refresh_tokens
        )
        self.limiter = RateLimiter(rate_limit, daily_limit)
        self.operations = Operations(self.state, emulate=emulate, max_batch_size=max_batch_size)
        self._app = App(
            state=self.state,
            auth=self.auth,
            limiter=self.limiter,
            operations=self.operations,
            max_recorded=max_recorded,
        )
        self.token: str = self.auth.create_token()
        """A private app token with every scope."""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        for fault in faults:
            if isinstance(fault, str):
                self.inject_spec(fault)
            else:
                self._add(fault)

    def __repr__(self) -> str:
        state = "running" if self._server is not None else "stopped"
        return f"Sandbox(url={self.url if self._server else None!r}, {state})"

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        self._app.stopping.clear()
        server = _Server(
            ("127.0.0.1", self.port),
            self._app,
            read_timeout=self.read_timeout,
            max_request_bytes=self.max_request_bytes,
        )
        self._server = server
        self.port = server.server_port
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="hubspot-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close every connection and the port, and join all threads."""
        server, self._server = self._server, None
        if server is None:
            return
        self._app.stopping.set()
        server.shutdown()
        server.server_close()
        server.close_connections()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321`` (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def emulate(self) -> str:
        """The ``emulate`` mode: ``"auto"`` or the published version every path answers as."""
        return self.operations.emulate

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    def reset(self) -> None:
        """Back to a fresh portal: seed state, no faults, budgets unspent, nothing recorded,
        refresh counters zero. Tokens and OAuth apps stay valid."""
        with self._app.lock:
            self.state.reset()
            self._app.faults.clear()
            self.limiter.reset()
            self._app.recorded.clear()
            self.auth.reset_counters()

    # -- credentials -----------------------------------------------------------------------

    def create_token(
        self, scopes: Iterable[str] | None = None, *, same_app_as: str | None = None
    ) -> str:
        """A new private app token; ``scopes`` None means every scope.

        ``same_app_as``: a token of the private app this one belongs to (as after a
        rotation); tokens of one app share its ten-second budget, as on HubSpot.

        Example: ``sb.create_token(scopes=["crm.objects.contacts.read"])``
        """
        with self._app.lock:
            scope_list = None if scopes is None else list(scopes)
            return self.auth.create_token(scope_list, same_app_as=same_app_as)

    def create_oauth_app(
        self, scopes: Iterable[str] | None = None, token_lifetime: int | None = None
    ) -> OAuthApp:
        """A new OAuth app: ``client_id``, ``client_secret`` and a first ``refresh_token``.

        Exchange the refresh token at ``{sb.url}/oauth/v1/token``; ``token_lifetime`` overrides
        the sandbox's ``expires_in`` for this app.
        """
        with self._app.lock:
            return self.auth.create_app(scopes, token_lifetime)

    def issue_access_token(self, app: OAuthApp, lifetime: float | None = None) -> str:
        """An access token for ``app`` without a refresh (not counted in :attr:`refresh_count`)."""
        with self._app.lock:
            return self.auth.issue_access_token(app.client_id, lifetime)

    def expired_oauth_token(self, seconds_ago: float = 5.0) -> str:
        """An OAuth access token that expired ``seconds_ago`` seconds ago."""
        with self._app.lock:
            return self.auth.expired_token(seconds_ago)

    @property
    def refresh_count(self) -> int:
        """How many refreshes the token endpoint granted."""
        return self.auth.refresh_count

    @property
    def refresh_attempts(self) -> int:
        """How many requests reached the token endpoint, granted or not (faults excluded)."""
        return self.auth.refresh_attempts

    # -- faults ----------------------------------------------------------------------------

    def _add(self, fault: Fault) -> Fault:
        if fault.fraction is not None and fault.seed is None and self.seed is not None:
            fault.reseed(self.seed)
        with self._app.lock:
            return self._app.faults.add(fault)

    def inject(
        self,
        kind: str | int,
        *,
        route: str | None = None,
        count: int | None = None,
        fraction: float | None = None,
        seed: int | None = None,
        retry_after: float | None = None,
        policy: str = "ten_secondly",
        seconds: float = 1.0,
    ) -> Fault:
        """Inject a fault; see :mod:`hubspot_assoc.sandbox.faults` for kinds and routes.

        Example: ``sb.inject(503, route="purge", count=2, retry_after=1)``
        """
        fault = Fault(
            str(kind),
            route=route,
            count=count,
            fraction=fraction,
            seed=seed,
            retry_after=retry_after,
            policy=policy,
            seconds=seconds,
        )
        return self._add(fault)

    def inject_spec(self, spec: str) -> Fault:
        """Inject a fault given in the compact form, e.g. ``"drop:fraction=0.1:seed=7"``."""
        return self._add(parse_fault(spec))

    def clear_faults(self) -> None:
        """Remove every injected fault."""
        with self._app.lock:
            self._app.faults.clear()

    @property
    def faults(self) -> list[Fault]:
        """The faults still in force."""
        with self._app.lock:
            return list(self._app.faults.faults)

    # -- inspection ------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of the requests received so far, oldest first."""
        with self._app.lock:
            return list(self._app.recorded)

    def clear_requests(self) -> None:
        """Forget the recorded requests."""
        with self._app.lock:
            self._app.recorded.clear()
