"""``hubspot-assoc associations ...`` end to end: the real CLI in a subprocess, the sandbox here."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import CLI, cli_env


def write_pairs(path: Path, n: int, *, per_contact: int = 10, extra: str = "") -> Path:
    lines = ["from_id,to_id"] + [f"{1 + i // per_contact},{1 + i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def pairs_in(sandbox: Sandbox, contacts: range) -> set[tuple[str, str]]:
    found = set()
    for contact in contacts:
        for company in sandbox.state.records.targets("0-1", str(contact), "0-2"):
            found.add((str(contact), company))
    return found


# -- one record ------------------------------------------------------------------------------


def test_associate_list_remove(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("associations", "associate", "contacts", "1", "companies", "2")
    assert run.code == 0, run
    assert "default type" in run.out or "HUBSPOT_DEFINED:279" in run.out
    run = cli("associations", "associate", "contacts", "1", "companies", "3", "--type", "hubspot:1")
    assert run.code == 0 and "Primary" in run.out, run
    run = cli("associations", "list", "contacts", "1", "companies", "--json")
    assert run.code == 0, run
    listed = run.json()["associations"]
    assert [a["to_id"] for a in listed] == ["2", "3"]
    assert {t["type_id"] for t in listed[1]["types"]} == {1, 279}
    run = cli("associations", "remove", "contacts", "1", "companies", "3", "--yes")
    assert run.code == 0, run
    assert set(sandbox.state.records.targets("0-1", "1", "0-2")) == {"2"}
    run = cli("associations", "list", "contacts", "9", "companies")
    assert run.code == 0 and "no associations" in run.out


def test_remove_without_a_terminal_needs_yes(cli: CLI, sandbox: Sandbox) -> None:
    cli("associations", "associate", "contacts", "1", "companies", "2")
    run = cli("associations", "remove", "contacts", "1", "companies", "2")
    assert run.code == 2 and "--yes" in run.err
    assert sandbox.state.records.total() == 2


def test_remove_dry_run_shows_the_request_and_sends_nothing(cli: CLI, sandbox: Sandbox) -> None:
    cli("associations", "associate", "contacts", "1", "companies", "2")
    sent = len(sandbox.requests)
    run = cli("--json", "associations", "remove", "contacts", "1", "companies", "2", "--dry-run")
    assert run.code == 0, run
    (request,) = run.json()["requests"]
    assert request["method"] == "DELETE"
    assert request["path"].endswith("/objects/contacts/1/associations/companies/2")
    run = cli("associations", "remove", "contacts", "1", "companies", "2", "--dry-run")
    assert run.code == 0 and "Dry run: nothing was sent" in run.out, run
    assert len(sandbox.requests) == sent and sandbox.state.records.total() == 2


def test_bad_record_id_is_refused_before_any_request(cli: CLI, sandbox: Sandbox) -> None:
    run = cli("associations", "associate", "contacts", "1/2", "companies", "3")
    assert run.code == 2 and "from_id" in run.err, run
    assert sandbox.requests == []


def test_limit_story(cli: CLI) -> None:
    assert cli("limits", "create", "contacts", "companies", "HUBSPOT_DEFINED:279=2").code == 0
    for company in ("2", "3"):
        assert cli("associations", "associate", "contacts", "1", "companies", company).code == 0
    refused = cli("associations", "associate", "contacts", "1", "companies", "4")
    assert refused.code == 1, refused
    assert "limit" in refused.err.lower() and "VALIDATION_ERROR" in refused.err
    purge = cli("limits", "purge", "contacts", "companies", "HUBSPOT_DEFINED:279", "--yes")
    assert purge.code == 0, purge
    assert cli("associations", "associate", "contacts", "1", "companies", "4").code == 0


# -- bulk ------------------------------------------------------------------------------------


def test_import_with_rejects_and_json_summary(cli: CLI, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 8)
    source = write_pairs(tmp_path / "pairs.csv", 250, extra="x,1\n")
    rejects = tmp_path / "rejects.csv"
    run = cli(
        "associations", "import", "contacts", "companies", str(source),
        "--type", "HUBSPOT_DEFINED:279", "--rejects", str(rejects), "--json",
    )  # fmt: skip
    assert run.code == 3, run  # some rows rejected
    summary = run.json()
    # 25 contacts of 10 companies each, limit 8: 2 refused per contact.
    assert (summary["applied"], summary["rejected"], summary["rows"]) == (200, 51, 251)
    assert summary["calls"] == 3 and run.err == ""  # no progress bar without a terminal
    assert len(pairs_in(sandbox, range(1, 26))) == 200
    lines = rejects.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "line,from_id,to_id,types,error" and len(lines) == 52
    assert "ASSOCIATION_LIMIT" in lines[1] or "limit" in lines[1].lower()
    assert "unreadable row" in lines[-1]


def test_import_remove_and_export(cli: CLI, sandbox: Sandbox, tmp_path: Path) -> None:
    source = write_pairs(tmp_path / "pairs.jsonl", 0)
    source.write_text(
        "".join(
            json.dumps({"from_id": str(1 + i // 5), "to_id": str(1 + i)}) + "\n" for i in range(30)
        ),
        encoding="utf-8",
    )
    run = cli("associations", "import", "contacts", "companies", str(source), "--json")
    assert run.code == 0 and run.json()["applied"] == 30, run  # no types: the default type
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join(str(i) for i in range(1, 8)) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    run = cli("associations", "export", "contacts", "companies", "--ids", str(ids), "-o", str(out))
    assert run.code == 0, run
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "from_id,to_id,types" and len(rows) == 31
    assert rows[1] == "1,1,HUBSPOT_DEFINED:279"
    removal = tmp_path / "remove.csv"
    removal.write_text("1,1\n1,2\n2,6\n", encoding="utf-8")
    run = cli("associations", "import", "contacts", "companies", str(removal), "--remove")
    assert run.code == 0, run
    assert "3 associations removed" in run.out
    assert len(pairs_in(sandbox, range(1, 7))) == 27
    stdout_export = cli("associations", "export", "contacts", "companies", "--ids", str(ids))
    assert stdout_export.out.splitlines()[1] == "1,3,HUBSPOT_DEFINED:279"


def _import_argv(source: Path, checkpoint: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "hubspot_assoc", "associations", "import", "contacts",
        "companies", str(source), "--type", "HUBSPOT_DEFINED:279", "--batch-size", "20",
        "--checkpoint", str(checkpoint), *extra,
    ]  # fmt: skip


def _wait_for_progress(checkpoint: Path, rows: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the import ended before it could be interrupted"
        try:
            state = json.loads(checkpoint.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = {}
        if state.get("done", 0) >= rows:
            return
        time.sleep(0.01)
    raise AssertionError("the import made no progress")


def _sent_rows(sandbox: Sandbox) -> Counter[tuple[str, str]]:
    """How many create requests carried each pair (answered or not, they were applied)."""
    sent: Counter[tuple[str, str]] = Counter()
    for request in sandbox.requests:
        if request.route == "associations.batch_create" and request.status is not None:
            for item in request.body["inputs"]:
                sent[(item["from"]["id"], item["to"]["id"])] += 1
    return sent


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT"])
def test_an_interrupted_import_resumes_without_redoing_rows(
    sandbox: Sandbox, tmp_path: Path, how: str
) -> None:
    rows = 600
    source = write_pairs(tmp_path / "pairs.csv", rows)
    checkpoint = tmp_path / "job.checkpoint"
    # Each batch takes a while, so the interruption lands in the middle of the job.
    sandbox.inject("delay", route="associations.batch_create", fraction=1.0, seconds=0.03)
    env = cli_env(sandbox, sandbox.token)
    proc = subprocess.Popen(
        _import_argv(source, checkpoint), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    _wait_for_progress(checkpoint, 200, proc)
    proc.send_signal(signal.SIGKILL if how == "SIGKILL" else signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    if how == "SIGINT":
        assert proc.returncode == 130, err
        assert "Resume with the same command" in err and str(checkpoint) in err
        assert json.loads(checkpoint.read_text())["inflight"] is None  # finished its batch
    else:
        assert proc.returncode == -signal.SIGKILL
    time.sleep(0.2)  # let a request the killed process left behind finish at the server
    sandbox.clear_faults()
    done_before = json.loads(checkpoint.read_text())["done"]
    assert 200 <= done_before < rows

    resumed = subprocess.run(
        [*_import_argv(source, checkpoint), "--json"], env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    summary = json.loads(resumed.stdout)
    assert summary["resumed"] and summary["applied"] == rows and summary["rejected"] == 0
    assert pairs_in(sandbox, range(1, rows // 10 + 1)) == {
        (str(1 + i // 10), str(1 + i)) for i in range(rows)
    }
    sent = _sent_rows(sandbox)
    assert len(sent) == rows  # none lost
    assert max(sent.values()) == 1, [p for p, n in sent.items() if n > 1][:5]  # none twice


def test_a_checkpoint_of_another_job_is_a_usage_error(
    cli: CLI, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = write_pairs(tmp_path / "pairs.csv", 5)
    checkpoint = tmp_path / "ck"
    assert cli("associations", "import", "contacts", "companies", str(source),
               "--checkpoint", str(checkpoint)).code == 0  # fmt: skip
    run = cli("associations", "import", "contacts", "deals", str(source),
              "--checkpoint", str(checkpoint))  # fmt: skip
    assert run.code == 2 and "different job" in run.err, run


def test_missing_input_file_is_a_usage_error(cli: CLI, tmp_path: Path) -> None:
    run = cli("associations", "import", "contacts", "companies", str(tmp_path / "nope.csv"))
    assert run.code == 2 and "does not exist" in run.err, run
    assert os.path.exists(tmp_path) and not (tmp_path / "nope.csv").exists()


def test_import_dry_run_reads_everything_and_sends_nothing(
    cli: CLI, sandbox: Sandbox, tmp_path: Path
) -> None:
    source = write_pairs(tmp_path / "pairs.csv", 150, extra="x,1\n")
    rejects = tmp_path / "rejects.csv"
    run = cli("associations", "import", "contacts", "companies", str(source), "--dry-run",
              "--rejects", str(rejects))  # fmt: skip
    assert run.code == 3, run
    assert "150 rows would write associations in 2 requests; 1 rows are unreadable" in run.out
    assert sandbox.requests == [] and sandbox.state.records.total() == 0
    assert "unreadable row" in rejects.read_text(encoding="utf-8")
