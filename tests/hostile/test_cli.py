"""Hostile and careless use of the command line (issue 11, points 9 to 11).

Every case runs the real entry point (``python -m hubspot_assoc``) in a subprocess:
redaction that must not corrupt what it prints, a ``--json`` run that must print exactly
one JSON document however it ends (Ctrl-C, the sandbox, ``--help``, a crash), and
settings that must be usage errors rather than tracebacks.
"""

from __future__ import annotations

import json
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from hubspot_assoc import Client
from hubspot_assoc.sandbox import Sandbox
from tests.cli.conftest import Run, cli_env

PROG_ERROR = "hubspot-assoc: error:"


def run(*args: str, env: dict[str, str], python: tuple[str, ...] = ("-m", "hubspot_assoc")) -> Run:
    """One finished CLI run (no token check: some tests use tokens that must show)."""
    completed = subprocess.run(
        [sys.executable, *python, *args], capture_output=True, text=True, env=env,
        stdin=subprocess.DEVNULL, timeout=60, check=False,
    )  # fmt: skip
    return Run(completed)


def one_document(out: str) -> Any:
    """stdout parsed as exactly one JSON document (json.loads refuses trailing data)."""
    return json.loads(out)


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def portal(server: Sandbox) -> Sandbox:
    server.reset()
    return server


# --------------------------------------------------------------------------- 9: redaction


@pytest.mark.parametrize("token", ["1", "4", "0", "x", "e", "r"])
def test_a_short_token_does_not_corrupt_json(portal: Sandbox, token: str) -> None:
    # Masking "1" by value used to print `"exit_code": ***` and `"status_code": 40***`.
    result = run("--json", "labels", "list", "contacts", "companies", env=cli_env(portal, token))
    assert result.code == 1, result
    error = one_document(result.out)["error"]
    assert error["status_code"] == 401 and error["exit_code"] == 1
    assert error["type"] == "AuthenticationError"
    assert "***" not in result.out


@pytest.mark.parametrize("token", ["e", "x"])
def test_a_short_token_does_not_corrupt_text(portal: Sandbox, token: str) -> None:
    result = run("labels", "list", "contacts", "companies", env=cli_env(portal, token))
    assert result.code == 1, result
    assert result.err.startswith(f"{PROG_ERROR} 401"), result
    assert "***" not in result.err


def test_a_real_token_is_masked_string_by_string_and_the_json_stays_valid(
    portal: Sandbox,
) -> None:
    token = portal.token
    label = f"Echo {token} end"
    result = run(
        "--json", "labels", "create", "contacts", "companies", "--name", "echo_check",
        "--label", label, env=cli_env(portal, token),
    )  # fmt: skip
    assert result.code == 0, result
    created = one_document(result.out)["labels"]
    assert created[0]["label"] == "Echo *** end"
    assert token not in result.out and token not in result.err
    # The label itself was stored as given: only the printing masks it.
    stored = [x.get("label") for x in portal.state.labels("contacts", "companies")]
    assert label in stored


# --------------------------------------------------------------------------- 10: one JSON document


def _read_line(stream: Any, timeout: float) -> str:
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    try:
        if not selector.select(timeout):
            raise AssertionError(f"no line on stdout within {timeout} s")
    finally:
        selector.close()
    line: str = stream.readline()
    return line


def test_ctrl_c_during_a_json_run_prints_one_error_document() -> None:
    # A server that accepts the request and never answers: the CLI waits until Ctrl-C.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(30)
        env = cli_env(None, "pat-na1-00000000-0000-0000-0000-000000000000")
        env["HUBSPOT_BASE_URL"] = f"http://127.0.0.1:{listener.getsockname()[1]}"
        process = subprocess.Popen(
            [sys.executable, "-m", "hubspot_assoc", "--json", "limits", "list"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
            text=True, env=env,
        )  # fmt: skip
        try:
            connection, _ = listener.accept()
            with connection:
                connection.settimeout(30)
                received = b""
                while b"\r\n\r\n" not in received:
                    received += connection.recv(65536)
                time.sleep(0.2)  # let it get to waiting for the answer
                process.send_signal(signal.SIGINT)
                out, err = process.communicate(timeout=30)
        finally:
            process.kill()
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err, err
    error = one_document(out)["error"]
    assert error["type"] == "Interrupted" and error["exit_code"] == 130
    assert "may or may not have been applied" in error["message"]
    assert "Traceback" not in err


def test_json_sandbox_prints_one_line_then_keeps_serving() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hubspot_assoc", "--json", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env=cli_env(None, None),
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = _read_line(process.stdout, 30)
        facts = json.loads(first)["sandbox"]
        assert facts["url"].startswith("http://127.0.0.1:")
        assert facts["env"]["HUBSPOT_BASE_URL"] == facts["url"]
        with Client(facts["token"], base_url=facts["url"], retry=None) as client:
            assert any(x.type_id == 1 for x in client.labels.list("contacts", "companies"))
        process.send_signal(signal.SIGINT)
        rest, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert rest == ""  # the line above was the run's one document
    assert "Traceback" not in err


def test_json_sandbox_that_cannot_start_prints_an_error_document() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run("--json", "sandbox", "--port", port, env=cli_env(None, None))
    assert result.code == 2, result
    error = one_document(result.out)["error"]
    assert error["type"] == "SandboxError" and error["exit_code"] == 2


@pytest.mark.parametrize(
    "args", [("--json", "--help"), ("--json", "limits", "purge", "--help"),
             ("--json", "sandbox", "--help")],
)  # fmt: skip
def test_help_in_a_json_run_is_a_json_document(args: tuple[str, ...]) -> None:
    result = run(*args, env=cli_env(None, None))
    assert result.code == 0, result
    text = one_document(result.out)["help"]
    assert text.startswith("usage: hubspot-assoc")


_CRASH = """\
import sys
from hubspot_assoc.cli import labels

def boom(context):
    raise RuntimeError("kaboom with " + context.read_token())

labels.labels_list = boom  # a bug, planted where a command runs
from hubspot_assoc.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_a_crash_in_a_json_run_is_one_internal_error_document(portal: Sandbox) -> None:
    env = cli_env(portal, portal.token)
    result = run("--json", "labels", "list", "a", "b", env=env, python=("-c", _CRASH))
    assert result.code == 70, result
    error = one_document(result.out)["error"]
    assert error["type"] == "InternalError" and error["exit_code"] == 70
    assert error["exception"] == "RuntimeError"
    assert "RuntimeError: kaboom with " in error["message"]
    assert error["message"].endswith("***")  # the token, masked
    assert portal.token not in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_a_crash_in_a_text_run_is_one_line_and_verbose_adds_the_traceback(
    portal: Sandbox,
) -> None:
    env = cli_env(portal, portal.token)
    result = run("labels", "list", "a", "b", env=env, python=("-c", _CRASH))
    assert result.code == 70, result
    assert result.out == ""
    [line] = result.err.splitlines()
    assert line.startswith(
        "hubspot-assoc: internal error (a bug in hubspot-assoc; please report it with the "
        "command you ran): RuntimeError: kaboom with "
    )
    assert line.endswith("***")
    verbose = run("-v", "labels", "list", "a", "b", env=env, python=("-c", _CRASH))
    assert verbose.code == 70
    assert "Traceback (most recent call last)" in verbose.err
    assert portal.token not in verbose.err


# --------------------------------------------------------------------------- 11: usage errors


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--timeout", "1e300"),
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--timeout", "0"),
        ("--timeout", "-5"),
        ("--timeout", "86401"),
        ("--base-url", "http://[::1"),
        ("--base-url", "http://example.com:99999"),
        ("--base-url", "ftp://example.com"),
        ("--base-url", "example.com"),
        ("--base-url", "http://example.com/?hapikey=s3cr3t-value"),
        ("--base-url", "http://user:s3cr3t-value@example.com"),
        ("--base-url", "http://exa mple.com"),
    ],
)
def test_bad_settings_are_usage_errors_in_one_line(
    portal: Sandbox, option: str, value: str
) -> None:
    env = cli_env(portal, portal.token)
    result = run(option, value, "limits", "list", env=env)
    assert result.code == 2, result
    assert "Traceback" not in result.err
    errors = [line for line in result.err.splitlines() if line.startswith(PROG_ERROR)]
    assert len(errors) == 1 and f"argument {option}" in errors[0], result
    assert "s3cr3t-value" not in result.err
    assert portal.requests == []

    as_json = run("--json", option, value, "limits", "list", env=env)
    assert as_json.code == 2 and as_json.err == ""
    assert one_document(as_json.out)["error"]["exit_code"] == 2


@pytest.mark.parametrize("value", ["http://[::1", "ftp://example.com", "http://x/?token=s3cr3t"])
def test_a_bad_base_url_from_the_environment_is_a_usage_error(portal: Sandbox, value: str) -> None:
    env = cli_env(portal, portal.token)
    env["HUBSPOT_BASE_URL"] = value
    result = run("limits", "list", env=env)
    assert result.code == 2, result
    assert result.err.splitlines() == [result.err.strip()]  # one line
    assert result.err.startswith(f"{PROG_ERROR} $HUBSPOT_BASE_URL is not a usable base URL")
    assert "s3cr3t" not in result.err
