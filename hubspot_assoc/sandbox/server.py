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
from typing import Any
from urllib.parse import parse_qs, unquote

from hubspot_assoc.sandbox.auth import HUB_ID, AuthRegistry, Token
from hubspot_assoc.sandbox.faults import HTML_STATUSES, Fault, FaultPlan
from hubspot_assoc.sandbox.handlers import MISSING, Malformed, Operations, parse_body
from hubspot_assoc.sandbox.ratelimit import DAILY, RateLimiter
from hubspot_assoc.sandbox.responses import (
    ApiError,
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
    raise ApiError(404, "NOT_FOUND", f"No route for {method} {path}.")


def _allow(method: str, allowed: str, route: str, params: list[str]) -> tuple[str, list[str]]:
    if method != allowed:
        raise _not_allowed(method, allowed)
    return route, params


def _not_allowed(method: str, allowed: str) -> ApiError:
    return ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP {method} is not allowed here; use {allowed}.")


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


class _Handler(BaseHTTPRequestHandler):
    """Reads a request, asks the :class:`App`, writes the whole answer in one send."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging (it would dominate the cost of a request)."""

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        raw = self._read_body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        answer = self.server.app.handle(self.command, self.path, headers, raw)
        if answer.drop:
            self.close_connection = True
            return
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
        self.wfile.write(head + (answer.body or b""))

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _Server(ThreadingHTTPServer):
    """A threading server that tracks its connections so that ``stop`` can end them all."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
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
