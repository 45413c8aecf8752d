"""The command line: ``python -m hubspot_assoc.sandbox`` and the ``add_arguments``/``run`` pair."""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import time

import httpx
import pytest

from hubspot_assoc.sandbox.cli import add_arguments, emulate_option, parse_rate_limit

from .conftest import batch_path, bearer, labels_path


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubspot_assoc.sandbox", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout is not None
    seen: dict[str, str] = {}
    deadline = time.monotonic() + 10
    while "export" not in seen and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if found := re.search(r"listening on (http://127\.0\.0\.1:\d+)", line):
            seen["url"] = found.group(1)
        elif line.startswith("token: "):
            seen["token"] = line.split(": ", 1)[1].strip()
        elif line.startswith("oauth client_id: "):
            seen["client_id"] = line.split(": ", 1)[1].strip()
        elif line.startswith("emulating: "):
            seen["emulating"] = line.split(": ", 1)[1].strip()
        elif line.startswith("export "):
            seen["export"] = line.strip()
    return proc, seen


def test_cli_prints_url_token_export_and_stops_on_sigint() -> None:
    proc, seen = _start(
        "--rate-limit",
        "5/1s",
        "--purge-response",
        "body",
        "--fault",
        "503:count=1:route=purge",
        "--oauth-app",
    )
    try:
        assert seen["token"].startswith("pat-na1-")
        assert (
            seen["export"]
            == f"export HUBSPOT_BASE_URL={seen['url']} HUBSPOT_ACCESS_TOKEN={seen['token']}"
        )
        assert seen["client_id"]
        with httpx.Client(base_url=seen["url"], headers=bearer(seen["token"])) as c:
            response = c.get(labels_path())
            assert response.status_code == 200
            assert response.headers["x-hubspot-ratelimit-max"] == "5"
            assert response.headers["x-hubspot-ratelimit-interval-milliseconds"] == "1000"
            purge = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
            assert c.post(batch_path("purge"), json=purge).status_code == 503
            assert c.post(batch_path("purge"), json=purge).status_code == 200  # body mode
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_cli_emulates_the_version_it_is_told_on_every_path() -> None:
    proc, seen = _start("--emulate", "2025-09")
    try:
        assert seen["emulating"].startswith("2025-09")
        create = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 2}]}
        with httpx.Client(base_url=seen["url"], headers=bearer(seen["token"])) as c:
            assert c.post(batch_path("create"), json=create).status_code == 200  # not 201
            dated = "/crm/associations/2026-03/definitions/configurations/contacts/companies"
            assert c.post(f"{dated}/batch/create", json=create).status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


def test_cli_stops_on_sigterm() -> None:
    proc, seen = _start()
    assert "url" in seen
    proc.send_signal(signal.SIGTERM)
    proc.communicate(timeout=10)
    assert proc.returncode == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--fault", "teapot"], "unknown kind 'teapot'"),
        (["--rate-limit", "fast"], "invalid rate limit 'fast'"),
        (["--purge-response", "json"], "invalid choice"),
        (["--emulate", "v5"], "invalid choice"),
        (["--emulate", "2026-03", "--purge-response", "204"], "means --emulate v4"),
        (["--daily-limit", "-3"], "invalid daily limit"),
    ],
)
def test_cli_rejects_bad_options(args: list[str], fragment: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "hubspot_assoc.sandbox", *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=20,
    )
    assert out.returncode == 2
    assert fragment in out.stderr


def test_add_arguments_parses_for_a_host_cli() -> None:
    parser = argparse.ArgumentParser(prog="hubspot-assoc sandbox")
    add_arguments(parser)
    args = parser.parse_args(
        [
            "--port",
            "0",
            "--fault",
            "drop:fraction=0.1:seed=7",
            "--fault",
            "429",
            "--daily-limit",
            "off",
        ]
    )
    assert [f.kind for f in args.fault] == ["drop", "429"]
    assert args.daily_limit is None and args.rate_limit == (100, 10.0)
    assert emulate_option(args) == "auto"
    assert parser.parse_args([]).port == 8080


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], "auto"),
        (["--emulate", "2025-09"], "2025-09"),
        (["--purge-response", "204"], "v4"),
        (["--purge-response", "body"], "v4-legacy"),
        (["--purge-response", "body", "--emulate", "v4-legacy"], "v4-legacy"),
    ],
)
def test_purge_response_is_another_name_for_two_emulations(argv: list[str], expected: str) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    assert emulate_option(parser.parse_args(argv)) == expected


def test_contradicting_purge_response_and_emulate_are_refused() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    with pytest.raises(ValueError, match="--purge-response body means --emulate v4-legacy"):
        emulate_option(parser.parse_args(["--purge-response", "body", "--emulate", "2026-03"]))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("100/10s", (100, 10.0)), ("190/10", (190, 10.0)), ("10/500ms", (10, 0.5)), ("off", None)],
)
def test_parse_rate_limit(text: str, expected: tuple[int, float] | None) -> None:
    assert parse_rate_limit(text) == expected
