"""Helpers for the hostile-use tests: run the same case through Client and AsyncClient."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from hubspot_assoc import AsyncClient, Client


def call(kind: str, make: Callable[..., Any], do: Callable[[Any], Any]) -> Any:
    """Build a client of ``kind`` ("sync"/"async") with ``make(cls)`` and return ``do(client)``.

    For the async client ``do`` returns an awaitable; it runs in a fresh event loop.
    """
    if kind == "sync":
        with make(Client) as client:
            return do(client)

    async def main() -> Any:
        async with make(AsyncClient) as client:
            return await do(client)

    return asyncio.run(main())


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Run the test for Client and for AsyncClient."""
    return str(request.param)


class Trickle:
    """A loopback server that sends headers at once, then one body byte every ``gap`` seconds."""

    def __init__(self, gap: float = 0.3, length: int = 200) -> None:
        self.gap = gap
        self.length = length
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {self.length}\r\n\r\n".encode()
                )
                for _ in range(self.length):
                    if self._stop.wait(self.gap):
                        return
                    conn.sendall(b" ")
            except OSError:
                return

    def __enter__(self) -> Trickle:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


@pytest.fixture
def trickle() -> Iterator[Trickle]:
    with Trickle() as server:
        yield server


def elapsed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Seconds ``fn`` took, and what it raised (or returned)."""
    started = time.monotonic()
    try:
        out: Any = fn()
    except BaseException as exc:  # the test inspects it
        out = exc
    return time.monotonic() - started, out
