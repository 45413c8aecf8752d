"""Fixtures for the CLI tests: a sandbox in this process, the real CLI in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubspot_assoc.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]


class Run:
    """One finished CLI run."""

    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    def json(self) -> Any:
        """stdout parsed as exactly one JSON document."""
        return json.loads(self.out)

    def __repr__(self) -> str:
        return f"Run(code={self.code}, out={self.out[:400]!r}, err={self.err[:400]!r})"


def cli_env(sandbox: Sandbox | None, token: str | None) -> dict[str, str]:
    """The environment of a CLI run: nothing HubSpot-related inherited from ours."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    path = [str(ROOT), str(ROOT / "generated")]
    if env.get("PYTHONPATH"):
        path.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(path)
    env["NO_COLOR"] = "1"
    if sandbox is not None:
        env["HUBSPOT_BASE_URL"] = sandbox.url
    if token is not None:
        env["HUBSPOT_ACCESS_TOKEN"] = token
    return env


class CLI:
    """Runs ``python -m hubspot_assoc`` against one sandbox, with its full-scope token.

    Every run checks that neither stdout nor stderr contains a token the test knows of.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.secrets: set[str] = {sandbox.token}

    def __call__(
        self,
        *args: str,
        token: str | bool | None = True,
        stdin: int | None = subprocess.DEVNULL,
        timeout: float = 30,
        python_options: tuple[str, ...] = (),
    ) -> Run:
        chosen = self.sandbox.token if token is True else (None if token is False else token)
        if isinstance(chosen, str):
            self.secrets.add(chosen)
        completed = subprocess.run(
            [sys.executable, *python_options, "-m", "hubspot_assoc", *args],
            capture_output=True,
            text=True,
            env=cli_env(self.sandbox, chosen),
            stdin=stdin,
            timeout=timeout,
            check=False,
        )
        run = Run(completed)
        for secret in self.secrets:
            assert secret not in run.out, f"token on stdout: {run!r}"
            assert secret not in run.err, f"token on stderr: {run!r}"
        return run


@pytest.fixture(scope="module")
def _server() -> Iterator[Sandbox]:
    # No server-side rate limit: a module of CLI runs must never be slowed by a 429.
    with Sandbox(rate_limit=None) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(_server: Sandbox) -> Sandbox:
    """The module's sandbox, back to its seeded portal with nothing recorded."""
    _server.reset()
    return _server


@pytest.fixture
def cli(sandbox: Sandbox) -> CLI:
    """Run the CLI against :func:`sandbox`."""
    return CLI(sandbox)


@pytest.fixture
def closed_port() -> int:
    """A 127.0.0.1 port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
