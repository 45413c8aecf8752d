"""``--rate-limit-store``: the CLI shares one budget through Redis, and never needs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hubspot_assoc.sandbox import Sandbox
from tests.cli.conftest import CLI, cli_env
from tests.support.redis_server import RedisServer


def test_store_keeps_the_budget_in_redis(
    cli: CLI, sandbox: Sandbox, redis_server: RedisServer
) -> None:
    import redis

    run = cli("--rate-limit-store", redis_server.url, "labels", "list", "contacts", "companies")
    assert run.code == 0, run
    keys = redis.Redis.from_url(redis_server.url).keys("hubspot-assoc:budget:*")
    assert keys  # the call reserved its start in the store
    assert all(sandbox.token.encode() not in k for k in keys)


def test_an_unreachable_store_warns_once_and_the_command_works(cli: CLI, closed_port: int) -> None:
    url = f"redis://127.0.0.1:{closed_port}/0"
    run = cli("--rate-limit-store", url, "labels", "list", "contacts", "companies")
    assert run.code == 0, run
    assert run.err.count("rate-limit store") == 1


def test_a_password_in_the_store_url_is_refused_on_the_command_line(
    cli: CLI, sandbox: Sandbox
) -> None:
    run = cli("--rate-limit-store", "redis://:hunter2@127.0.0.1:6379/0",
              "labels", "list", "contacts", "companies")  # fmt: skip
    assert run.code == 2, run
    assert "HUBSPOT_RATE_LIMIT_STORE" in run.err and "hunter2" not in run.err
    assert sandbox.requests == []


@pytest.mark.parametrize("store", [None, "redis://127.0.0.1:9/0"])
def test_help_and_a_command_do_not_import_redis_until_needed(store: str | None) -> None:
    env = cli_env(None, None)
    if store is not None:
        env["HUBSPOT_RATE_LIMIT_STORE"] = store
    probe = (
        "import sys, json, runpy\n"
        "sys.argv = ['hubspot-assoc', '--help']\n"
        "try:\n"
        "    runpy.run_module('hubspot_assoc', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'redis')))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=60)  # fmt: skip
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
