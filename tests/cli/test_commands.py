"""The real ``hubspot-assoc`` entry point (``python -m hubspot_assoc``) against a sandbox.

Every run goes through :class:`~tests.cli.conftest.CLI`, which also checks that the token
never appears on stdout or stderr.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import CLI, cli_env

LIMITS = "/crm/associations/v4/definitions/configurations/contacts/companies"
CATEGORY = "HUBSPOT_DEFINED"  # contacts -> companies 279 and 1 exist in the sandbox seed


def _rows(text: str) -> list[list[str]]:
    """The rows of a plain-text table, split on runs of two or more spaces."""
    return [re.split(r"\s{2,}", line.strip()) for line in text.strip().splitlines()]


# --------------------------------------------------------------------------- help, startup


def test_help_lists_the_commands_and_imports_neither_httpx_nor_the_generated_client(
    cli: CLI,
) -> None:
    run = cli("--help", python_options=("-X", "importtime"), token=False)
    assert run.code == 0, run
    for command in ("limits", "labels", "sandbox", "demo"):
        assert re.search(rf"^\s+{command}\s", run.out, re.MULTILINE), command
    imported = [line.rsplit("|", 1)[-1].strip() for line in run.err.splitlines()]
    heavy_roots = {"httpx", "hubspot_assoc_api", "asyncio", "redis"}
    heavy = [m for m in imported if m.split(".")[0] in heavy_roots]
    assert heavy == [], f"--help imported {heavy[:5]}"
    assert "hubspot_assoc.cli" in imported  # the measurement did cover the CLI
    # Nor what only running a command needs: a group's handlers, the credential scrubber,
    # shutil (argparse's way to the terminal width, which the CLI reads itself).
    unneeded = {
        "hubspot_assoc.cli.limits",
        "hubspot_assoc.cli.labels",
        "hubspot_assoc.cli.associations",
        "hubspot_assoc.scrub",
    }
    assert unneeded.isdisjoint(imported), sorted(unneeded.intersection(imported))
    assert "shutil" not in imported


def test_importing_the_library_does_not_import_the_cli() -> None:
    probe = "import json, sys, hubspot_assoc; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=cli_env(None, None),
        timeout=30, check=True,
    )  # fmt: skip
    modules = json.loads(done.stdout)
    assert "hubspot_assoc" in modules
    assert "hubspot_assoc.cli" not in modules and "hubspot_assoc.demo" not in modules


def test_leaf_help_and_missing_command(cli: CLI) -> None:
    run = cli("limits", "purge", "--help", token=False)
    assert run.code == 0
    assert "--dry-run" in run.out and "--yes" in run.out and "CATEGORY:TYPE_ID" in run.out
    run = cli(token=False)
    assert run.code == 2
    assert "COMMAND" in run.err and run.out == ""


# --------------------------------------------------------------------------- labels


def test_labels_list_as_table_and_json(cli: CLI, sandbox: Sandbox) -> None:
    expected = sandbox.state.labels("contacts", "companies")

    run = cli("labels", "list", "contacts", "companies")
    assert run.code == 0, run
    rows = _rows(run.out)
    assert rows[0] == ["CATEGORY", "TYPE ID", "LABEL", "FROM", "TO"]
    assert sorted(rows[1:]) == sorted(
        [x["category"], str(x["typeId"]), x.get("label") or "-", "0-1", "0-2"] for x in expected
    )

    run = cli("--json", "labels", "list", "contacts", "companies")
    assert run.code == 0, run
    doc = run.json()
    assert doc["from"] == "contacts" and doc["to"] == "companies"
    assert [(x["category"], x["type_id"], x["label"]) for x in doc["labels"]] == [
        (x["category"], x["typeId"], x.get("label")) for x in expected
    ]


def test_label_create_update_delete(cli: CLI, sandbox: Sandbox) -> None:
    run = cli(
        "labels", "create", "contacts", "companies",
        "--name", "decision_maker", "--label", "Decision maker", "--inverse-label", "Decides for",
        "--json",
    )  # fmt: skip
    assert run.code == 0, run
    created = run.json()["labels"]
    assert {x["label"] for x in created} == {"Decision maker", "Decides for"}
    forward = next(x for x in created if x["label"] == "Decision maker")
    type_id = forward["type_id"]
    assert {"category": "USER_DEFINED", "typeId": type_id, "label": "Decision maker"}.items() <= {
        k: v for x in sandbox.state.labels("contacts", "companies") if x["typeId"] == type_id
        for k, v in x.items()
    }.items()  # fmt: skip

    run = cli("labels", "update", "contacts", "companies", str(type_id), "--label", "Decides")
    assert run.code == 0, run
    assert "Decides" in run.out
    labels = {x["typeId"]: x.get("label") for x in sandbox.state.labels("contacts", "companies")}
    assert labels[type_id] == "Decides"

    run = cli("labels", "delete", "contacts", "companies", str(type_id), "--yes")
    assert run.code == 0, run
    remaining = {x["typeId"] for x in sandbox.state.labels("contacts", "companies")}
    assert type_id not in remaining
    assert [r.method for r in sandbox.requests][-1] == "DELETE"


def test_label_create_rejects_a_bad_name_before_any_request(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("labels", "create", "contacts", "companies", "--name", "9lives", "--label", "X")
    assert run.code == 2, run
    assert "name" in run.err and "digit" in run.err
    assert sandbox.requests == []


# --------------------------------------------------------------------------- limits


def test_limit_lifecycle_create_get_list_update_purge(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("--json", "limits", "create", "contacts", "companies", "hubspot_defined:279=5")
    assert run.code == 0, run
    doc = run.json()
    assert doc["ok"] is True and doc["operation"] == "create"
    assert doc["succeeded"] == [{"category": CATEGORY, "type_id": 279, "max_to_object_ids": 5}]
    assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) == 5

    run = cli("limits", "get", "contacts", "companies")
    assert run.code == 0, run
    rows = {tuple(r[:2]): r for r in _rows(run.out)[1:]}
    assert rows[(CATEGORY, "279")][-1] == "5"
    assert rows[(CATEGORY, "1")][-1] == "default"  # no limit configured on type 1

    run = cli("--json", "limits", "list")
    assert run.code == 0, run
    assert [(x["type_id"], x["max_to_object_ids"]) for x in run.json()["limits"]] == [(279, 5)]

    run = cli("limits", "list", "--from", "contacts", "--to", "companies", "--json")
    assert {x["type_id"]: x["max_to_object_ids"] for x in run.json()["limits"]} == {279: 5, 1: None}

    run = cli("limits", "update", "contacts", "companies", "HUBSPOT:279=7")
    assert run.code == 0, run
    assert run.out.startswith("Updated 1 of 1 limit on contacts -> companies")
    assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) == 7

    run = cli("limits", "purge", "contacts", "companies", "hubspot:279", "--yes")
    assert run.code == 0, run
    assert run.out.strip() == "Purged 1 of 1 limit on contacts -> companies"
    assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) is None


def test_limits_list_needs_both_from_and_to(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("limits", "list", "--from", "contacts")
    assert run.code == 2
    assert "--from and --to" in run.err
    assert sandbox.requests == []


# --------------------------------------------------------------------------- exit codes


def test_exit_1_for_a_404_with_the_facade_message_and_json_fields(
    cli: CLI, sandbox: Sandbox
) -> None:
    run = cli("labels", "list", "contacts", "unicorns")
    assert run.code == 1, run
    assert run.out == ""
    assert "404" in run.err and "Traceback" not in run.err
    assert len(run.err.strip().splitlines()) <= 2

    run = cli("--json", "labels", "list", "contacts", "unicorns")
    assert run.code == 1
    error = run.json()["error"]
    assert error["type"] == "NotFoundError" and error["status_code"] == 404
    assert error["correlation_id"] == sandbox.requests[-1].correlation_id
    assert error["path"] == "/crm/associations/v4/contacts/unicorns/labels"
    assert "headers" not in error and "body" not in error


def test_exit_1_for_missing_scopes_names_the_scopes(cli: CLI, sandbox: Sandbox) -> None:
    read_only = sandbox.create_token(["crm.objects.contacts.read", "crm.objects.companies.read"])
    args = ("limits", "purge", "contacts", "companies", "HUBSPOT_DEFINED:279", "--yes")
    run = cli(*args, token=read_only)
    assert run.code == 1, run
    assert "crm.objects.contacts.write" in run.err

    run = cli("--json", *args, "-v", token=read_only)
    assert run.code == 1
    error = run.json()["error"]
    assert error["type"] == "MissingScopesError"
    assert set(error["missing_scopes"]) == {
        "crm.objects.contacts.write",
        "crm.objects.companies.write",
    }
    assert "-> 403" in run.err  # -v logged the request


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("user-defined:279=5", "did you mean USER_DEFINED?"),
        ("USER_DEFINED:abc=5", "type id 'abc'"),
        ("USER_DEFINED:279", "the limit (=MAX) is missing"),
        ("USER_DEFINED:0=5", "type id '0'"),
        ("USER_DEFINED:279=0", "limit '0'"),
        ("279=5", "not of the form CATEGORY:TYPE_ID=MAX"),
    ],
)
def test_exit_2_for_a_bad_spec_names_it_and_the_expected_form(
    cli: CLI, sandbox: Sandbox, spec: str, says: str
) -> None:
    run = cli("limits", "create", "contacts", "companies", "HUBSPOT_DEFINED:1=3", spec)
    assert run.code == 2, run
    assert run.out == ""
    assert run.err.startswith(f"hubspot-assoc: error: argument 2 {spec!r}: ")  # counted from 1
    assert says in run.err
    assert "expected CATEGORY:TYPE_ID=MAX such as USER_DEFINED:1001=5" in run.err
    assert sandbox.requests == []


def test_exit_2_for_a_bad_spec_in_json(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("--json", "limits", "purge", "contacts", "companies", "hubspot:279", "hubspot:279")
    assert run.code == 2
    error = run.json()["error"]
    assert error["type"] == "InvalidInputError"
    assert error["argument"] == "argument 2" and "repeats argument 1" in error["message"]
    assert sandbox.requests == []


def test_exit_2_for_an_invalid_object_type(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("limits", "get", "contacts", "a/b")
    assert run.code == 2, run
    assert "to_type" in run.err and "'a/b'" in run.err
    assert sandbox.requests == []


def test_exit_3_for_a_partial_create(cli: CLI, sandbox: Sandbox) -> None:
    args = ("limits", "create", "contacts", "companies", "HUBSPOT_DEFINED:279=4", "USER:424242=4")
    run = cli(*args)
    assert run.code == 3, run
    assert run.out.startswith("Set 1 of 2 limits on contacts -> companies; 1 failed:")
    failed_rows = [r for r in _rows(run.out) if r[0] == "failed"]
    assert [r[1] for r in failed_rows] == ["USER_DEFINED:424242=4"]
    assert "424242" in failed_rows[0][-1]  # HubSpot's message for that input
    assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) == 4

    sandbox.reset()
    run = cli("--json", *args)
    assert run.code == 3
    error = run.json()["error"]
    assert error["type"] == "BatchPartialFailureError" and error["exit_code"] == 3
    result = error["result"]
    assert result["ok"] is False
    assert [x["type_id"] for x in result["succeeded"]] == [279]
    assert [x["input"]["type_id"] for x in result["failed"]] == [424242]
    assert result["failed"][0]["error"]["category"] == "VALIDATION_ERROR"


def test_exit_4_for_a_refused_connection(cli: CLI, closed_port: int) -> None:
    base = f"http://127.0.0.1:{closed_port}"
    run = cli("--base-url", base, "--max-retries", "0", "labels", "list", "contacts", "companies")
    assert run.code == 4, run
    assert f"127.0.0.1:{closed_port}" in run.err and "Traceback" not in run.err

    run = cli("labels", "list", "contacts", "companies", "--json", "--base-url", base,
              "--max-retries", "0")  # fmt: skip
    assert run.code == 4
    assert run.json()["error"]["type"] == "APIConnectionError"


def test_max_retries_controls_retrying_a_503(cli: CLI, sandbox: Sandbox) -> None:
    sandbox.inject(503, route="labels.list", count=1)
    run = cli("--max-retries", "0", "labels", "list", "contacts", "companies")
    assert run.code == 1, run
    assert "503" in run.err

    sandbox.inject(503, route="labels.list", count=1)
    sandbox.clear_requests()
    run = cli("labels", "list", "contacts", "companies")
    assert run.code == 0, run
    assert [r.status for r in sandbox.requests] == [503, 200]


# --------------------------------------------------------------------------- credentials


def test_no_token_is_a_usage_error_that_says_what_to_do(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("labels", "list", "contacts", "companies", token=False)
    assert run.code == 2
    assert "HUBSPOT_ACCESS_TOKEN" in run.err and "--token-file" in run.err
    assert sandbox.requests == []

    run = cli("--json", "labels", "list", "contacts", "companies", token=False)
    assert run.json()["error"]["type"] == "MissingCredentialsError"


def test_token_file(cli: CLI, sandbox: Sandbox, tmp_path: Path) -> None:
    good = tmp_path / "token"
    good.write_text(f"  {sandbox.token}\n")
    run = cli("--token-file", str(good), "labels", "list", "contacts", "companies", token=False)
    assert run.code == 0, run
    assert sandbox.requests[-1].token == sandbox.token

    empty = tmp_path / "empty"
    empty.write_text("\n")
    for path, says in ((empty, "empty"), (tmp_path / "absent", "no such file")):
        sandbox.clear_requests()
        run = cli("labels", "list", "contacts", "companies", "--token-file", str(path), token=False)
        assert run.code == 2, run
        assert str(path) in run.err and says in run.err
        assert sandbox.requests == []


@pytest.mark.parametrize(
    "args",
    [
        ["--token", "pat-na1-11111111-2222-3333-4444-555555555555", "labels", "list", "a", "b"],
        ["labels", "list", "a", "b", "--token=pat-na1-11111111-2222-3333-4444-555555555555"],
        ["--access-token", "pat-na1-11111111-2222-3333-4444-555555555555", "limits", "list"],
    ],
)
def test_a_token_argument_is_refused_without_echoing_it(
    cli: CLI, sandbox: Sandbox, args: list[str]
) -> None:
    cli.secrets.add("pat-na1-11111111-2222-3333-4444-555555555555")  # must not be echoed
    run = cli(*args)
    assert run.code == 2, run
    assert "process list" in run.err and "--token-file" in run.err
    assert sandbox.requests == []


# --------------------------------------------------------------------------- confirmation, dry run


def test_purge_and_delete_refuse_without_yes_when_stdin_is_not_a_terminal(
    cli: CLI, sandbox: Sandbox
) -> None:
    sandbox.state.set_limit("contacts", "companies", CATEGORY, 279, 3)
    run = cli("limits", "purge", "contacts", "companies", "HUBSPOT_DEFINED:279", timeout=15)
    assert run.code == 2, run
    assert "--yes" in run.err
    run = cli("labels", "delete", "contacts", "companies", "279", "--json", timeout=15)
    assert run.code == 2
    assert run.json()["error"]["type"] == "ConfirmationRequired"
    assert sandbox.requests == []
    assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) == 3


def test_dry_run_prints_the_request_and_sends_nothing(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("limits", "purge", "contacts", "companies", "hubspot:279", "user:1000", "--dry-run")
    assert run.code == 0, run
    assert f"POST {LIMITS}/batch/purge" in run.out
    body = json.loads(run.out[run.out.index("{") :])
    assert body == {
        "inputs": [
            {"category": "HUBSPOT_DEFINED", "typeId": 279},
            {"category": "USER_DEFINED", "typeId": 1000},
        ]
    }

    run = cli("--json", "limits", "create", "contacts", "companies", "user:1000=2", "--dry-run",
              token=False)  # fmt: skip
    assert run.code == 0, run  # no token needed to preview
    assert run.json() == {
        "dry_run": True,
        "requests": [
            {
                "method": "POST",
                "path": f"{LIMITS}/batch/create",
                "body": {
                    "inputs": [{"category": "USER_DEFINED", "typeId": 1000, "maxToObjectIds": 2}]
                },
            }
        ],
    }

    run = cli("labels", "delete", "contacts", "companies", "1000", "--dry-run")
    assert run.code == 0, run
    assert "DELETE /crm/associations/v4/contacts/companies/labels/1000" in run.out

    run = cli("--json", "limits", "purge", "contacts", "companies", "user:0", "--dry-run")
    assert run.code == 2  # a dry run still validates
    assert sandbox.requests == []


def test_dry_run_splits_more_than_100_inputs_into_requests_of_100(cli: CLI) -> None:
    specs = [f"USER_DEFINED:{n}" for n in range(1000, 1150)]
    run = cli("--json", "limits", "purge", "contacts", "companies", *specs, "--dry-run")
    assert run.code == 0, run
    sizes = [len(r["body"]["inputs"]) for r in run.json()["requests"]]
    assert sizes == [100, 50]


# --------------------------------------------------------------------------- logging


def test_verbose_logs_each_request_on_stderr_without_the_token(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("-v", "limits", "get", "contacts", "companies", "--json")
    assert run.code == 0, run
    json.loads(run.out)  # stdout stays one JSON document
    assert re.search(rf"GET {LIMITS} -> 200", run.err), run.err
    # The token check runs on every CLI call; here the request really carried it.
    assert sandbox.requests[-1].token == sandbox.token


# --------------------------------------------------------------------------- sandbox, demo


def test_demo_runs_every_step_and_exits_0(cli: CLI) -> None:
    run = cli("demo", token=False, timeout=60)
    assert run.code == 0, run
    assert "client.limits.purge(" in run.out
    assert "hubspot-assoc limits purge contacts companies USER_DEFINED:" in run.out
    assert "Purged 1 of 1 limit on contacts -> companies" in run.out
    assert "MISSING_SCOPES" in run.out and "crm.objects.contacts.write" in run.out
    assert "-> 429 (attempt 1" in run.out and "-> 200 (attempt 2" in run.out
    assert "Traceback" not in run.err


def test_sandbox_subcommand_serves_until_terminated() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "hubspot_assoc", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=cli_env(None, None),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first)
        assert url is not None, first
        token_line = process.stdout.readline()
        assert token_line.startswith("token: ")
        token = token_line.split(":", 1)[1].strip()
        env = cli_env(None, token)
        env["HUBSPOT_BASE_URL"] = url.group(0)
        listed = subprocess.run(
            [sys.executable, "-m", "hubspot_assoc", "labels", "list", "contacts", "companies"],
            capture_output=True, text=True, env=env, timeout=30, check=False,
        )  # fmt: skip
        assert listed.returncode == 0, listed
        assert "279" in listed.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0


def test_sandbox_subcommand_rejects_bad_options(cli: CLI) -> None:
    run = cli("sandbox", "--rate-limit", "fast", token=False)
    assert run.code == 2
    assert "rate limit" in run.err


def test_ctrl_c_exits_130_with_a_short_line(cli: CLI) -> None:
    import signal
    import socket

    # A server that accepts the connection and never answers: the request is surely in
    # flight once accept() returns.
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.settimeout(20)
        env = cli_env(None, cli.sandbox.token)
        env["HUBSPOT_BASE_URL"] = f"http://127.0.0.1:{server.getsockname()[1]}"
        process = subprocess.Popen(
            [sys.executable, "-m", "hubspot_assoc", "labels", "list", "contacts", "companies"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        connection, _ = server.accept()
        with connection:
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=15)
    assert process.returncode == 130, (out, err)
    assert "interrupted" in err and "Traceback" not in err
    assert out == "" and cli.sandbox.token not in err


def test_purge_on_a_real_terminal_asks_and_proceeds_on_yes(sandbox: Sandbox) -> None:
    import os
    import pty
    import select
    import time

    sandbox.state.set_limit("contacts", "companies", CATEGORY, 279, 5)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "hubspot_assoc", "limits", "purge", "contacts", "companies",
         "hubspot:279"],
        stdin=terminal, stdout=terminal, stderr=terminal, env=cli_env(sandbox, sandbox.token),
    )  # fmt: skip
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 20
    try:
        while b"[y/N]" not in seen and time.monotonic() < deadline:
            if select.select([controller], [], [], 0.1)[0]:
                seen += os.read(controller, 4096)
        assert b"HUBSPOT_DEFINED:279: limit 5 -> default" in seen, seen
        assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) == 5  # still asking
        os.write(controller, b"y\n")
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    assert sandbox.state.limit("contacts", "companies", CATEGORY, 279) is None


def test_api_version_chooses_hubspots_dated_paths(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("--api-version", "2026-03", "labels", "list", "contacts", "companies", "--json")
    assert run.code == 0, run
    assert [r.path for r in sandbox.requests] == [
        "/crm/associations/2026-03/contacts/companies/labels"
    ]
    assert sandbox.requests[0].emulated == "2026-03"
    assert {label["type_id"] for label in run.json()["labels"]} >= {279, 1}


def test_api_version_from_the_environment_and_refused_values(sandbox: Sandbox) -> None:
    def run(env_version: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = cli_env(sandbox, sandbox.token) | {"HUBSPOT_API_VERSION": env_version}
        command = [sys.executable, "-m", "hubspot_assoc", *args, "limits", "list"]
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=30)

    assert run("2025-09").returncode == 0
    assert [r.path for r in sandbox.requests] == [
        "/crm/associations/2025-09/definitions/configurations/all"
    ]
    assert run("2025-09", "--api-version", "v4").returncode == 0  # the option wins
    assert sandbox.requests[-1].path == "/crm/associations/v4/definitions/configurations/all"

    refused = run("2025-09", "--api-version", "2026-3")
    assert refused.returncode == 2
    assert "--api-version" in refused.stderr and "YYYY-MM" in refused.stderr
    from_env = run("v5")
    assert from_env.returncode == 2
    assert "HUBSPOT_API_VERSION" in from_env.stderr and "'v5'" in from_env.stderr
    assert len(sandbox.requests) == 2  # nothing sent for a refused version
