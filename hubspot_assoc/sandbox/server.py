"""HTTP plumbing: routing, the request pipeline, recording, and the threaded server.

Pipeline of one API request (one coarse lock around every state step; delays wait outside it):

1. route (unknown path 404, wrong method 405), every version's prefix (see :mod:`.versions`);
2. fault plan: a non-applying fault answers now, spending no budget and changing nothing;
3. a ``delay`` fault waits;
4. authentication (401), rate limits (429, nothing spent), object types (404), scopes (403),
   validation (400), then the operation;
5. an applying fault spoils the answer (``truncate``, ``nonjson``, ``enum``, ``drop_after``).
"""

from __future__ import annotations

import contextlib
import io
import json
import socket
import socketserver
import sys
import threading
import traceback
from collections import deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs, unquote

from hubspot_assoc.sandbox.auth import HUB_ID, AuthRegistry, Token
from hubspot_assoc.sandbox.faults import HTML_STATUSES, Fault, FaultPlan
from hubspot_assoc.sandbox.handlers import MISSING, Malformed, Operations, parse_body
from hubspot_assoc.sandbox.ratelimit import DAILY, RateLimiter
from hubspot_assoc.sandbox.records import match_records_route
from hubspot_assoc.sandbox.responses import (
    ApiError,
    MethodNotAllowed,
    correlation_id,
    dumps,
    edge_html,
    rate_limit_body,
    reason_phrase,
)
from hubspot_assoc.sandbox.state import PortalState
from hubspot_assoc.sandbox.versions import split_api_path

TOKEN_PATHS = ("/oauth/v1/token", "/oauth/2026-03/token")
_SECRET_FORM_FIELDS = ("client_secret", "refresh_token", "code")
_JSON = "application/json;charset=utf-8"


def match_route(method: str, path: str) -> tuple[str, list[str], str | None]:
    """The route name, path parameters and API version (None for the token endpoint) of a
    request, or raise the 404/405 answer."""
    route, params = _match(method, path)
    if route.startswith("associations."):
        return route, params, params[0]  # the records matcher puts the version first
    api = split_api_path(path)
    return route, params, None if api is None else api[0]


def _match(method: str, path: str) -> tuple[str, list[str]]:
    if len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    if path in TOKEN_PATHS:
        return _allow(method, "POST", "oauth.token", [])
    api = split_api_path(path)
    if api is not None:
        parts = [unquote(p) for p in api[1].split("/")]
        if parts[:2] == ["definitions", "configurations"]:
            tail = parts[2:]
            if tail == ["all"]:
                return _allow(method, "GET", "limits.list_all", [])
            if len(tail) == 2 and all(tail):
                return _allow(method, "GET", "limits.list", tail)
            if len(tail) == 4 and tail[2] == "batch" and tail[3] in ("create", "update", "purge"):
                return _allow(method, "POST", "limits." + tail[3], tail[:2])
        elif len(parts) == 3 and parts[2] == "labels" and parts[0] and parts[1]:
            verbs = {"GET": "labels.list", "POST": "labels.create", "PUT": "labels.update"}
            if method in verbs:
                return verbs[method], parts[:2]
            raise _not_allowed(method, "GET, POST, PUT")
        elif len(parts) == 4 and parts[2] == "labels" and parts[0] and parts[1] and parts[3]:
            return _allow(method, "DELETE", "labels.delete", [parts[0], parts[1], parts[3]])
    records = match_records_route(method, path)
    if records is not None:
        return records
    raise ApiError(404, "NOT_FOUND", f"No route for {method} {path}.")


def _allow(method: str, allowed: str, route: str, params: list[str]) -> tuple[str, list[str]]:
    if method != allowed:
        raise _not_allowed(method, allowed)
    return route, params


def _not_allowed(method: str, allowed: str) -> ApiError:
    return MethodNotAllowed(method, allowed)


@dataclass
class Answer:
    """What the server sends back for one request."""

    status: int
    body: bytes | None = None
    content_type: str = _JSON
    headers: list[tuple[str, str]] = field(default_factory=list)
    drop: bool = False

    @classmethod
    def json(cls, status: int, obj: Any, headers: list[tuple[str, str]] | None = None) -> Answer:
        """A JSON answer (``obj`` None means no body)."""
        body = None if obj is None else dumps(obj)
        return cls(status, body, headers=list(headers or []))


@dataclass(repr=False)
class RecordedRequest:
    """One request the sandbox received and what it answered (``status`` None: dropped).

    ``headers`` keys are lower-case; the ``authorization`` value is kept (see :attr:`token`) but
    never shown by ``repr``. For the OAuth token endpoint ``body`` is the form with secrets
    replaced by ``"<redacted>"``.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int | None
    route: str | None
    fault: str | None
    correlation_id: str
    response_headers: dict[str, str]
    response_body: bytes | None
    #: The published version whose statuses and shapes answered (see :mod:`.versions`).
    emulated: str | None = None

    @property
    def token(self) -> str | None:
        """The bearer token the request carried, if any."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" else None

    @property
    def json(self) -> Any:
        """The answer's JSON body, or None when it had none or it was not JSON."""
        if not self.response_body:
            return None
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def __repr__(self) -> str:
        shown = {k: ("<redacted>" if k == "authorization" else v) for k, v in self.headers.items()}
        return (
            f"RecordedRequest(method={self.method!r}, path={self.path!r}, query={self.query!r}, "
            f"status={self.status!r}, route={self.route!r}, fault={self.fault!r}, "
            f"headers={shown!r}, body={self.body!r})"
        )


def _retry_after(fault: Fault) -> list[tuple[str, str]]:
    if fault.retry_after is None:
        return []
    return [("Retry-After", f"{fault.retry_after:g}")]


def _mangle_enums(obj: Any) -> Any:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for key, value in obj.items():
            if key == "category" and isinstance(value, str):
                out[key] = "SOMETHING_NEW"
            elif key == "status" and isinstance(value, str):
                out[key] = "FAILED"
            else:
                out[key] = _mangle_enums(value)
        out["sandboxUnknownField"] = {"addedBy": "enum fault", "values": [1, 2]}
        return out
    if isinstance(obj, list):
        return [_mangle_enums(v) for v in obj]
    return obj


class App:
    """The request pipeline over the portal state; independent of the HTTP server."""

    def __init__(
        self,
        *,
        state: PortalState,
        auth: AuthRegistry,
        limiter: RateLimiter,
        operations: Operations,
        max_recorded: int = 10_000,
    ) -> None:
        self.state = state
        self.auth = auth
        self.limiter = limiter
        self.operations = operations
        self.faults = FaultPlan()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.recorded: deque[RecordedRequest] = deque(maxlen=max_recorded)

    # -- entry point -----------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Answer:
        """Answer one request and record it."""
        path, _, query = target.partition("?")
        cid = correlation_id()
        route: str | None = None
        version: str | None = None
        fault: Fault | None = None
        body: Any = MISSING
        try:
            route, params, version = match_route(method, path)
            if route.startswith("associations."):
                params = [*params, query]
            if route == "oauth.token":
                form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
                body = {
                    k: ("<redacted>" if k in _SECRET_FORM_FIELDS else v) for k, v in form.items()
                }
                answer, fault = self._token(form, cid)
            else:
                body = parse_body(raw)
                answer, fault = self._api(
                    route, params, version, headers.get("authorization"), body, cid
                )
        except ApiError as exc:  # unknown path or method: nothing is spent
            with self.lock:
                peek = self.limiter.peek("anonymous", daily=False)
            if isinstance(exc, MethodNotAllowed):
                peek.append(("Allow", exc.allow))
            answer = Answer.json(exc.status, exc.body(cid), peek)
        except Exception:  # a sandbox bug: answer like HubSpot would, and show it
            traceback.print_exc(file=sys.stderr)
            answer = Answer.json(
                500,
                {
                    "status": "error",
                    "message": "internal error",
                    "correlationId": cid,
                    "category": "INTERNAL_ERROR",
                },
            )
        answer.headers.append(("x-hubspot-correlation-id", cid))
        recorded_body = None if body is MISSING or isinstance(body, Malformed) else body
        record = RecordedRequest(
            method=method,
            path=path,
            query=parse_qs(query) if query else {},
            headers=headers,
            body=recorded_body,
            status=None if answer.drop else answer.status,
            route=route,
            fault=fault.kind if fault is not None else None,
            correlation_id=cid,
            response_headers=dict(answer.headers),
            response_body=answer.body,
            emulated=None if version is None else self.operations.emulating(version),
        )
        with self.lock:
            self.recorded.append(record)
        return answer

    # -- steps -----------------------------------------------------------------------------

    def _token(self, form: dict[str, str], cid: str) -> tuple[Answer, Fault | None]:
        with self.lock:
            fault = self.faults.pick("oauth.token")
        if fault is not None and not fault.applies_operation:
            return self._fault_answer(fault, cid, []), fault
        if fault is not None and fault.kind == "delay":
            self.stopping.wait(fault.seconds)
        with self.lock:
            status, obj = self.auth.token_endpoint(form)
        answer = Answer.json(status, obj)
        return (self._spoil(answer, fault) if fault else answer), fault

    def _api(
        self,
        route: str,
        params: list[str],
        version: str | None,
        auth_header: str | None,
        body: Any,
        cid: str,
    ) -> tuple[Answer, Fault | None]:
        with self.lock:
            fault = self.faults.pick(route)
            if fault is not None and not fault.applies_operation:
                token = self.auth.lookup(auth_header)
                peek = (
                    self.limiter.peek(token.rate_key, daily=token.kind == "private")
                    if token is not None
                    else []
                )
                return self._fault_answer(fault, cid, peek, token), fault
        if fault is not None and fault.kind == "delay":
            self.stopping.wait(fault.seconds)
        with self.lock:
            answer = self._operate(route, params, version, auth_header, body, cid)
        return (self._spoil(answer, fault) if fault else answer), fault

    def _operate(
        self,
        route: str,
        params: list[str],
        version: str | None,
        auth_header: str | None,
        body: Any,
        cid: str,
    ) -> Answer:
        headers: list[tuple[str, str]] = []
        try:
            try:
                token = self.auth.authenticate(auth_header)
            except ApiError:
                headers = self.limiter.peek("anonymous", daily=False)
                raise
            daily = token.kind == "private"
            refused, headers = self.limiter.spend(token.rate_key, daily=daily)
            if refused is not None:
                return Answer.json(429, rate_limit_body(cid, refused, _group(token)), headers)

            def check_scopes(scopes: list[str], any_of: bool) -> None:
                self.auth.require(token, scopes, any_of=any_of)

            status, obj = self.operations.run(route, params, body, check_scopes, version)
            return Answer.json(status, obj, headers)
        except ApiError as exc:
            return Answer.json(exc.status, exc.body(cid), headers)

    def _fault_answer(
        self, fault: Fault, cid: str, headers: list[tuple[str, str]], token: Token | None = None
    ) -> Answer:
        if fault.kind == "drop":
            return Answer(0, drop=True)
        status = int(fault.kind)
        extra = _retry_after(fault)
        if status == 429:
            zeroed = (
                "X-HubSpot-RateLimit-Daily-Remaining"
                if fault.policy == DAILY
                else "X-HubSpot-RateLimit-Remaining"
            )
            headers = [(k, "0" if k == zeroed else v) for k, v in headers]
            group = _group(token) if token is not None else f"publicapi:private-app:{HUB_ID}"
            return Answer.json(429, rate_limit_body(cid, fault.policy, group), headers + extra)
        if status in HTML_STATUSES:
            html = edge_html(status, cid)
            return Answer(status, html, "text/html; charset=UTF-8", headers + extra)
        body = {
            "status": "error",
            "message": "internal error",
            "correlationId": cid,
            "category": "INTERNAL_ERROR",
        }
        return Answer.json(status, body, headers + extra)

    @staticmethod
    def _spoil(answer: Answer, fault: Fault) -> Answer:
        if fault.kind == "drop_after":
            answer.drop = True
        elif fault.kind == "truncate":
            full = answer.body or b'{"status":"COMPLETE","results":[{}],"startedAt":"2026-01-01"}'
            answer.body = full[: max(1, len(full) // 2)]
            answer.content_type = _JSON
            if answer.status == 204:
                answer.status = 200
        elif fault.kind == "nonjson":
            answer.status = 200
            answer.content_type = "text/html; charset=UTF-8"
            answer.body = b"<html><body><h1>Service Temporarily Unavailable</h1></body></html>\n"
        elif fault.kind == "enum" and answer.body:
            answer.body = dumps(_mangle_enums(json.loads(answer.body)))
        return answer


def _group(token: Token) -> str:
    if token.client_id is not None:
        return f"publicapi:oauth:{token.client_id}:{HUB_ID}"
    return f"publicapi:private-app:{HUB_ID}"


class _FramingError(Exception):
    """Framing that cannot be read: answered with ``status``, then the connection closes."""

    def __init__(self, status: int, category: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message


_DIGITS = frozenset(b"0123456789")
_HEX_DIGITS = frozenset(b"0123456789abcdefABCDEF")


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, asks the :class:`App`, writes the whole answer in one send.

    Every request gets a JSON answer, whatever its method or framing: unreadable framing is a
    400, a body over the size limit a 413, a request that stops arriving a 408 after the read
    timeout (each closes the connection). Waiting for the next request on a kept-alive
    connection is not bounded by the read timeout; reading a request once it started is.
    """

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging (it would dominate the cost of a request)."""

    # -- reading ---------------------------------------------------------------------------

    def handle_one_request(self) -> None:
        """Read and answer one request; every method reaches :meth:`_serve`."""
        self.connection.settimeout(None)
        try:
            # Idle until the next request starts (or the peer closes); rfile is buffered.
            if not cast(io.BufferedReader, self.rfile).peek(1):
                self.close_connection = True
                return
        except OSError:
            self.close_connection = True
            return
        self.connection.settimeout(self.server.read_timeout)
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline, self.request_version, self.command = "", "HTTP/1.1", "GET"
                self.send_error(414, "The request line is too long.")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():  # it answered already, through send_error
                return
            self._serve()
            self.wfile.flush()
        except TimeoutError:
            self._send_framing_error(
                _FramingError(
                    408,
                    "TIMEOUT",
                    f"The request did not arrive within {self.server.read_timeout:g} seconds.",
                )
            )

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a request the standard library could not parse with a JSON ``Error`` body."""
        status = code if 400 <= code < 600 else 400
        category = "VALIDATION_ERROR" if status < 500 else "INTERNAL_ERROR"
        text = message or reason_phrase(status)
        self._send_framing_error(_FramingError(status, category, text))

    def _send_framing_error(self, error: _FramingError) -> None:
        self.close_connection = True
        cid = correlation_id()
        body = ApiError(error.status, error.category, error.message).body(cid)
        answer = Answer.json(error.status, body)
        answer.headers.append(("x-hubspot-correlation-id", cid))
        with contextlib.suppress(OSError):
            self._write(answer)
            if error.status == 413:
                self._drain()

    def _drain(self) -> None:
        # Closing a socket with unread input resets the connection, and the client may then lose
        # the 413 before reading it (or block sending the rest): read and drop what still
        # comes, within bounds, before closing.
        self.connection.settimeout(min(self.server.read_timeout, 1.0))
        left = 64 * 1024 * 1024
        while left > 0 and (chunk := self.rfile.read1(65536)):
            left -= len(chunk)

    def _read_body(self) -> bytes:
        limit = self.server.max_request_bytes
        codings = self.headers.get_all("Transfer-Encoding") or []
        if codings:
            names = [c.strip().lower() for v in codings for c in v.split(",") if c.strip()]
            if names != ["chunked"]:
                raise _FramingError(
                    400, "VALIDATION_ERROR", f"Unsupported Transfer-Encoding {', '.join(names)!r}."
                )
            # A request with both Transfer-Encoding and Content-Length is a smuggling attempt
            # or a broken proxy; read it as chunked (RFC 9112 6.3) and close afterwards.
            if self.headers.get("Content-Length") is not None:
                self.close_connection = True
            return self._read_chunked(limit)
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            return b""
        values = {v.strip() for v in lengths}
        value = values.pop().encode("latin-1", "replace") if len(values) == 1 else b""
        if not value or not set(value) <= _DIGITS or len(value) > 18:
            raise _FramingError(
                400, "VALIDATION_ERROR", f"Content-Length {', '.join(lengths)!r} is not a length."
            )
        length = int(value)
        if length > limit:
            raise _too_large(limit)
        body = self.rfile.read(length)
        if len(body) < length:  # the client closed its side before sending the whole body
            raise _FramingError(400, "VALIDATION_ERROR", "The request body ended early.")
        return body

    def _read_chunked(self, limit: int) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1026)
            size_text = line.split(b";")[0].strip()
            if not line.endswith(b"\n") or not size_text or not set(size_text) <= _HEX_DIGITS:
                raise _FramingError(400, "VALIDATION_ERROR", "A chunk size is not a hex number.")
            size = int(size_text, 16)
            if size == 0:
                while self.rfile.readline(65537).strip():  # trailer fields, ignored
                    pass
                return b"".join(chunks)
            total += size
            if total > limit:
                raise _too_large(limit)
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(3).strip():
                raise _FramingError(400, "VALIDATION_ERROR", "A chunk is not framed as declared.")
            chunks.append(chunk)

    # -- answering -------------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            raw = self._read_body()
        except _FramingError as exc:
            self._send_framing_error(exc)
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.server.app.handle(self.command, self.path, headers, raw)
        if answer.drop:
            self.close_connection = True
            return
        self._write(answer)

    def _write(self, answer: Answer) -> None:
        lines = [f"HTTP/1.1 {answer.status} {reason_phrase(answer.status)}"]
        lines.append("Date: " + formatdate(usegmt=True))
        lines.append("Server: hubspot-assoc-sandbox")
        if answer.body is not None:
            lines.append("Content-Type: " + answer.content_type)
        if answer.status != 204:
            lines.append(f"Content-Length: {len(answer.body or b'')}")
        lines.extend(f"{k}: {v}" for k, v in answer.headers)
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # A HEAD answer carries the head a GET would get, without the body (RFC 9110 9.3.2).
        body = b"" if getattr(self, "command", None) == "HEAD" else (answer.body or b"")
        self.wfile.write(head + body)


def _too_large(limit: int) -> _FramingError:
    return _FramingError(
        413, "VALIDATION_ERROR", f"The request body is larger than the limit of {limit} bytes."
    )


class _Server(ThreadingHTTPServer):
    """A threading server that tracks its connections so that ``stop`` can end them all."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        app: App,
        *,
        read_timeout: float = 10.0,
        max_request_bytes: int = 1_048_576,
    ) -> None:
        self.app = app
        self.read_timeout = read_timeout
        self.max_request_bytes = max_request_bytes
        self._connections: dict[threading.Thread, socket.socket] = {}
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS lookup (getfqdn); skip it for a fast start.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection,
            args=(request, client_address),
            name="hubspot-sandbox-connection",
            daemon=True,
        )
        with self._connections_lock:
            self._connections[thread] = request
        thread.start()

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)
            with self._connections_lock:
                self._connections.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError | ValueError) or self.app.stopping.is_set():
            return  # a client went away, or we are closing its socket
        super().handle_error(request, client_address)

    def close_connections(self, timeout: float = 5.0) -> None:
        """Shut every open connection and wait for its thread."""
        with self._connections_lock:
            items = list(self._connections.items())
        for _, sock in items:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _ in items:
            thread.join(timeout)
