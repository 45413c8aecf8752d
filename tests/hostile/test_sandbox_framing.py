"""Hostile requests against the sandbox: framing, methods, nesting, type ids (issue 11, 12-15).

Raw sockets, because httpx will not send a broken request on purpose.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox

LABELS = "/crm/associations/v4/contacts/companies/labels"
PURGE = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(port=0, rate_limit=None, read_timeout=0.5, max_request_bytes=4096) as sandbox:
        yield sandbox


def _exchange(sb: Sandbox, raw: bytes, *, wait: float = 5.0) -> bytes:
    """Send ``raw`` on a fresh connection and read until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", sb.port), timeout=wait) as sock:
        sock.sendall(raw)
        chunks: list[bytes] = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if _complete(b"".join(chunks)):
                    break
        except TimeoutError:
            pass
    return b"".join(chunks)


def _complete(data: bytes) -> bool:
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def _parse(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def _error_body(body: bytes, category: str) -> dict[str, object]:
    parsed = json.loads(body)
    assert parsed["status"] == "error"
    assert parsed["category"] == category
    assert isinstance(parsed["message"], str) and parsed["message"]
    assert isinstance(parsed["correlationId"], str)
    return parsed  # type: ignore[no-any-return]


def _request(method: str, path: str, *extra: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


# -- 12: deep nesting ------------------------------------------------------------------------


@pytest.fixture
def roomy() -> Iterator[Sandbox]:
    with Sandbox(port=0, rate_limit=None) as sandbox:
        yield sandbox


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_body_is_a_400_error_body(roomy: Sandbox, depth: int) -> None:
    sb = roomy
    body = b"[" * depth + b"]" * depth
    with httpx.Client(base_url=sb.url, timeout=10) as client:
        answer = client.post(
            PURGE,
            content=body,
            headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/json"},
        )
    assert answer.status_code == 400, answer.text
    _error_body(answer.content, "VALIDATION_ERROR")


def test_deep_nesting_without_a_token_is_still_answered(roomy: Sandbox) -> None:
    sb = roomy
    body = b"[" * 1_000 + b"]" * 1_000
    answer = httpx.post(sb.url + PURGE, content=body, timeout=10)
    assert answer.status_code in (400, 401)
    assert json.loads(answer.content)["status"] == "error"


# -- 13: every method --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PATCH", "FROB", "CONNECT"])
def test_unknown_and_unrouted_methods_get_a_json_405_with_allow(sb: Sandbox, method: str) -> None:
    status, headers, body = _parse(_exchange(sb, _request(method, LABELS)))
    assert status == 405
    assert headers["allow"] == "GET, POST, PUT"
    assert headers["content-type"].startswith("application/json")
    _error_body(body, "METHOD_NOT_ALLOWED")


def test_405_on_a_single_method_route_names_that_method(sb: Sandbox) -> None:
    answer = httpx.get(sb.url + PURGE, headers={"Authorization": f"Bearer {sb.token}"})
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/crm/v4/objects/contacts/1/associations/companies/2", "PUT, DELETE"),
        ("/crm/v4/associations/contacts/companies/batch/create", "POST"),
    ],
)
def test_records_routes_answer_a_wrong_method_with_allow(
    sb: Sandbox, path: str, allow: str
) -> None:
    # The records routes came after the 405 work; the fuzz run found their 405 had no Allow.
    answer = httpx.request("TRACE", sb.url + path, headers={"Authorization": f"Bearer {sb.token}"})
    assert answer.status_code == 405
    assert answer.headers["allow"] == allow


def test_head_gets_a_405_with_allow_and_no_body(sb: Sandbox) -> None:
    raw = _request("HEAD", LABELS) + _request("GET", LABELS, f"Authorization: Bearer {sb.token}")
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as sock:
        sock.sendall(raw)
        data = b""
        deadline = time.monotonic() + 5
        while data.count(b"HTTP/1.1 ") < 2 or not data.rstrip().endswith(b"}"):
            assert time.monotonic() < deadline, data
            data += sock.recv(65536)
    # The second answer starts right after the first one's head: the HEAD answer has no body.
    first, _, rest = data.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 405 ")
    assert b"\r\nAllow: GET, POST, PUT" in first
    assert rest.startswith(b"HTTP/1.1 200 ")


# -- 14: framing ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-5", "1e3", " ", "12, 13"])
def test_unreadable_content_length_is_a_400(sb: Sandbox, value: str) -> None:
    raw = _request("POST", PURGE, f"Content-Length: {value}", body=b"{}")
    status, headers, body = _parse(_exchange(sb, raw))
    assert status == 400
    assert headers.get("connection") == "close"
    _error_body(body, "VALIDATION_ERROR")


@pytest.mark.parametrize("chunk", [b"zz\r\n{}\r\n0\r\n\r\n", b"-1\r\n{}\r\n0\r\n\r\n"])
def test_bad_chunk_size_is_a_400(sb: Sandbox, chunk: bytes) -> None:
    raw = _request("POST", PURGE, "Transfer-Encoding: chunked", body=chunk)
    status, _, body = _parse(_exchange(sb, raw))
    assert status == 400
    _error_body(body, "VALIDATION_ERROR")


def test_unknown_transfer_coding_is_a_400(sb: Sandbox) -> None:
    raw = _request("POST", PURGE, "Transfer-Encoding: gzip", body=b"{}")
    status, _, _ = _parse(_exchange(sb, raw))
    assert status == 400


def test_short_body_times_out_and_others_are_served_meanwhile() -> None:
    with Sandbox(port=0, rate_limit=None, read_timeout=2) as sb:
        started = time.monotonic()
        got: list[bytes] = []
        stalled = threading.Thread(
            target=lambda: got.append(
                _exchange(sb, _request("POST", PURGE, "Content-Length: 100", body=b"{"), wait=10)
            )
        )
        stalled.start()
        time.sleep(0.1)
        answer = httpx.get(sb.url + LABELS, headers={"Authorization": f"Bearer {sb.token}"})
        assert answer.status_code == 200
        assert stalled.is_alive() and not got  # served while the other request stalls
        stalled.join(10)
        elapsed = time.monotonic() - started
    status, headers, body = _parse(got[0])
    assert status == 408
    assert headers.get("connection") == "close"
    _error_body(body, "TIMEOUT")
    assert 1.9 < elapsed < 8


def test_idle_keep_alive_connection_is_not_cut_by_the_read_timeout(sb: Sandbox) -> None:
    auth = f"Authorization: Bearer {sb.token}"
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as sock:
        for _ in range(2):
            sock.sendall(_request("GET", LABELS, auth))
            data = b""
            while not _complete(data):
                chunk = sock.recv(65536)
                assert chunk, "the server closed an idle keep-alive connection"
                data += chunk
            assert _parse(data)[0] == 200
            time.sleep(0.8)  # longer than read_timeout: waiting between requests is not reading


def test_oversized_body_is_a_413_error_body(sb: Sandbox) -> None:
    body = json.dumps({"inputs": [{"category": "USER_DEFINED", "typeId": 1}] * 200}).encode()
    assert len(body) > 4096
    answer = httpx.post(
        sb.url + PURGE,
        content=body,
        headers={"Authorization": f"Bearer {sb.token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    _error_body(answer.content, "VALIDATION_ERROR")


def test_oversized_chunked_body_is_a_413(sb: Sandbox) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b" " * 1000

    answer = httpx.post(
        sb.url + PURGE, content=chunks(), headers={"Authorization": f"Bearer {sb.token}"}
    )
    assert answer.status_code == 413


def test_sandbox_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="read_timeout"):
        Sandbox(read_timeout=0)
    with pytest.raises(ValueError, match="max_request_bytes"):
        Sandbox(max_request_bytes=0)


def test_default_read_timeout_is_ten_seconds() -> None:
    assert Sandbox().read_timeout == 10.0


# -- 15: type ids in paths -----------------------------------------------------------------


_FULL_WIDTH = str.maketrans(
    "0123456789", "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19"
)
_ARABIC = str.maketrans(
    "0123456789", "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
)


@pytest.mark.parametrize(
    "spell",
    [
        lambda s: s[0] + "_" + s[1:],
        lambda s: s.translate(_FULL_WIDTH),
        lambda s: s.translate(_ARABIC),
        lambda s: " " + s,
        lambda s: "+" + s,
    ],
    ids=["underscore", "full-width", "arabic-indic", "space", "plus"],
)
def test_type_id_in_path_takes_ascii_digits_only(sb: Sandbox, spell: object) -> None:
    with httpx.Client(base_url=sb.url, headers={"Authorization": f"Bearer {sb.token}"}) as c:
        made = c.post(LABELS, json={"name": "x_partner", "label": "Partner"})
        assert made.status_code == 200
        real = made.json()["results"][0]["typeId"]
        assert real >= 10
        hostile = spell(str(real))  # type: ignore[operator]
        answer = c.delete(f"{LABELS}/{hostile}")
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["code"] == "INVALID_INTEGER"
        assert real in [r["typeId"] for r in c.get(LABELS).json()["results"]]


def test_custom_object_id_takes_ascii_digits_only() -> None:
    from hubspot_assoc.sandbox.state import PortalState

    assert PortalState.is_custom_id("2-123")
    assert not PortalState.is_custom_id("2-\uff11\uff12")


def test_sandbox_command_takes_the_read_timeout() -> None:
    import os
    import subprocess
    import sys

    env = dict(os.environ)
    command = [sys.executable, "-m", "hubspot_assoc.sandbox", "--port", "0", "--read-timeout",
               "0.5", "--max-request-bytes", "64", "--rate-limit", "off"]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().split()[-1]
            port = int(url.rsplit(":", 1)[1])
            started = time.monotonic()
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(_request("POST", PURGE, "Content-Length: 10", body=b"{"))
                status = _parse(sock.recv(65536))[0]
            assert status == 408
            assert time.monotonic() - started < 3
            answer = httpx.post(url + PURGE, content=b"x" * 65)
            assert answer.status_code == 413
        finally:
            process.terminate()
            process.wait(10)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 200 + b"\r\n", 431),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET / HTTP/1.1\r\nHost: x\r\n", 408),  # the headers never end
    ],
    ids=["syntax", "long-line", "long-header", "many-headers", "version", "unfinished"],
)
def test_unparsable_requests_get_a_json_error_body(sb: Sandbox, raw: bytes, status: int) -> None:
    answer, headers, body = _parse(_exchange(sb, raw))
    assert answer == status
    assert headers.get("connection") == "close"
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["status"] == "error"
