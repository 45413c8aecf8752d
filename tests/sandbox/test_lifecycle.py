"""Start/stop hygiene, concurrency, and the package boundary."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import batch_path, bearer, labels_path


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_starts_fast_and_stops_cleanly_with_open_keepalive_connections() -> None:
    before = threading.active_count()
    started = time.monotonic()
    sb = Sandbox().start()
    assert time.monotonic() - started < 1.0
    port = sb.port
    assert sb.url == f"http://127.0.0.1:{port}" and sb.running
    clients = [httpx.Client(base_url=sb.url, headers=bearer(sb.token)) for _ in range(4)]
    for c in clients:  # each leaves an idle keep-alive connection (a server thread) open
        assert c.get(labels_path()).status_code == 200
    assert threading.active_count() > before
    sb.inject("delay", seconds=30)
    slow = threading.Thread(target=lambda: _swallow(clients[0]))
    slow.start()
    time.sleep(0.1)
    stopping = time.monotonic()
    sb.stop()
    assert time.monotonic() - stopping < 3.0  # the 30 s delay is cut short
    slow.join(5)
    for c in clients:
        c.close()
    assert threading.active_count() == before
    assert not _port_open(port)
    sb.stop()  # stopping twice is harmless


def _swallow(client: httpx.Client) -> None:
    with contextlib.suppress(httpx.HTTPError):
        client.get(labels_path())


def test_context_manager_and_restart() -> None:
    with Sandbox() as sb:
        assert _port_open(sb.port)
    assert not sb.running
    sb.start()
    try:
        assert httpx.get(sb.url + labels_path(), headers=bearer(sb.token)).status_code == 200
    finally:
        sb.stop()


@pytest.mark.hubspot_sandbox(rate_limit=None)
def test_concurrent_requests_keep_state_consistent(sb: Sandbox) -> None:
    def worker(n: int) -> list[int]:
        statuses = []
        with httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c:
            for i in range(50):
                if i % 5 == 0:
                    r = c.post(labels_path(), json={"name": f"t{n}_{i}", "label": f"T{n}-{i}"})
                    if r.status_code == 200:
                        c.delete(f"{labels_path()}/{r.json()['results'][0]['typeId']}")
                elif i % 2:
                    body = {
                        "inputs": [
                            {"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": n + 1}
                        ]
                    }
                    r = c.post(batch_path("create"), json=body)
                else:
                    r = c.get(labels_path())
                statuses.append(r.status_code)
        return statuses

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(worker, range(8)))
    assert all(s in (200, 201) for statuses in results for s in statuses)
    assert len(sb.requests) == 8 * 50 + 8 * 10  # every label created was deleted again
    assert {r["typeId"] for r in sb.state.labels("contacts", "companies")} == {279, 1}
    assert sb.state.labels("companies", "contacts") and sb.state.user_label_count("0-1", "0-2") == 0
    assert sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279) in range(1, 9)
    assert len({r.correlation_id for r in sb.requests}) == len(sb.requests)


def test_bad_arguments_are_rejected_naming_them() -> None:
    with pytest.raises(ValueError, match="purge_response"):
        Sandbox(purge_response="json")
    with pytest.raises(ValueError, match="rate_limit"):
        Sandbox(rate_limit=(0, 10.0))
    with pytest.raises(ValueError, match="port"):
        Sandbox(port=70000)
    with pytest.raises(ValueError, match="daily_limit"):
        Sandbox(daily_limit=0)
    with pytest.raises(ValueError, match="token_lifetime"):
        Sandbox(token_lifetime=0)


def test_importing_hubspot_assoc_does_not_import_the_sandbox() -> None:
    code = (
        "import sys, hubspot_assoc; "
        "print(any(m.startswith('hubspot_assoc.sandbox') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sandbox_uses_only_the_standard_library() -> None:
    code = (
        "import sys, hubspot_assoc; before = set(sys.modules); import hubspot_assoc.sandbox.core, "
        "hubspot_assoc.sandbox.cli; new = {m.split('.')[0] for m in set(sys.modules) - before}; "
        "print(sorted(new - set(sys.stdlib_module_names) - {'hubspot_assoc'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
