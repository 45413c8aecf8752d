"""The CLI's parsing, formatting and batching, and its prompt, in process (no subprocess)."""

from __future__ import annotations

import io
import sys
from typing import Any

import httpx
import pytest

from hubspot_assoc import cli
from hubspot_assoc import operations as ops
from hubspot_assoc._reading import read_success
from hubspot_assoc.cli import confirm as cli_confirm
from hubspot_assoc.cli.batch import run_batch
from hubspot_assoc.cli.context import Context
from hubspot_assoc.cli.jsonout import redacted
from hubspot_assoc.errors import BatchPartialFailureError, ServerError
from hubspot_assoc.models import (
    AssociationLabel,
    AssociationLimit,
    AssociationSpec,
    BatchItemError,
    BatchResult,
    LimitInput,
)
from hubspot_assoc.sandbox import Sandbox
from hubspot_assoc.scrub import MIN_SECRET_LENGTH, mask_values

# --------------------------------------------------------------------------- specs


@pytest.mark.parametrize(
    ("text", "with_max", "expected"),
    [
        ("USER_DEFINED:279", False, ("USER_DEFINED", 279, None)),
        ("user_defined:279", False, ("USER_DEFINED", 279, None)),
        (" hubspot_defined : 1 ", False, ("HUBSPOT_DEFINED", 1, None)),
        ("user:1001=5", True, ("USER_DEFINED", 1001, 5)),
        ("Hubspot:279=10000", True, ("HUBSPOT_DEFINED", 279, 10000)),
        ("integrator:7=1", True, ("INTEGRATOR_DEFINED", 7, 1)),
        ("work:3=2147483647", True, ("WORK", 3, 2147483647)),
    ],
)
def test_parse_spec_accepts_any_case_and_the_short_aliases(
    text: str, with_max: bool, expected: tuple[str, int, int | None]
) -> None:
    assert cli.parse_spec(text, with_max=with_max) == expected


@pytest.mark.parametrize(
    ("text", "with_max", "says"),
    [
        ("USER_DEFINED", False, "not of the form CATEGORY:TYPE_ID"),
        (":279", False, "the category is missing"),
        ("users:279", False, "unknown category 'users'"),
        ("user defined:279", False, "did you mean USER_DEFINED?"),
        ("USER_DEFINED:2147483648", False, "not a whole number from 1 to 2147483647"),
        ("USER_DEFINED:-1", False, "type id '-1'"),
        ("USER_DEFINED:\uff11\uff12", False, "type id '\uff11\uff12'"),  # not ASCII digits
        ("USER_DEFINED:279=5", False, "a limit (=MAX) has no place here"),
        ("USER_DEFINED:279=", True, "limit ''"),
        ("USER_DEFINED:279=1.5", True, "limit '1.5'"),
    ],
)
def test_parse_spec_errors_name_the_argument_and_the_form(
    text: str, with_max: bool, says: str
) -> None:
    with pytest.raises(cli.UsageError) as caught:
        cli.parse_spec(text, with_max=with_max, position=3)
    message = caught.value.message
    assert message.startswith(f"argument 3 {text!r}: ")
    assert says in message
    assert ("CATEGORY:TYPE_ID=MAX" if with_max else "CATEGORY:TYPE_ID") in message
    assert caught.value.argument == "argument 3" and caught.value.value == text


# --------------------------------------------------------------------------- formatting


def test_format_limits_aligns_columns_and_says_default() -> None:
    text = cli.format_limits(
        [
            AssociationLimit("HUBSPOT_DEFINED", 279, None, None),
            AssociationLimit("USER_DEFINED", 1000, "Decision maker", 25),
        ]
    )
    assert text.splitlines() == [
        "CATEGORY         TYPE ID  LABEL           LIMIT",
        "HUBSPOT_DEFINED      279  -               default",
        "USER_DEFINED        1000  Decision maker  25",
    ]


def test_format_labels_shows_from_and_to() -> None:
    text = cli.format_labels([AssociationLabel("USER_DEFINED", 1000, "Boss", "0-1", "0-2")])
    assert text.splitlines()[1].split() == ["USER_DEFINED", "1000", "Boss", "0-1", "0-2"]


def test_format_batch_lists_each_failed_and_unsent_input() -> None:
    ok = LimitInput("USER_DEFINED", 1, 5)
    bad = LimitInput("USER_DEFINED", 2, 5)
    later = LimitInput("USER_DEFINED", 3, 5)
    error = BatchItemError("error", "VALIDATION_ERROR", "No type 2.", {"typeId": ["2"]})
    result: BatchResult[Any] = BatchResult(
        status="COMPLETE", errors=[error], num_errors=1, succeeded=[ok], failed=[bad],
        not_sent=[later],
    )  # fmt: skip
    lines = cli.format_batch("create", "contacts", "companies", result).splitlines()
    assert lines[0] == "Set 1 of 3 limits on contacts -> companies; 1 failed, 1 not sent:"
    rows = [line.split() for line in lines[2:]]
    assert rows[0][:3] == ["failed", "USER_DEFINED:2=5", "VALIDATION_ERROR"]
    assert rows[1][:3] == ["not", "sent", "USER_DEFINED:3=5"]


def test_format_batch_does_not_claim_a_canceled_batch_was_set() -> None:
    item = LimitInput("USER_DEFINED", 279, 5)
    result: BatchResult[Any] = BatchResult.judge(
        status="CANCELED", inputs=[item], results=[], errors=[]
    )
    text = cli.format_batch("create", "contacts", "companies", result)
    lines = text.splitlines()
    assert lines[0] == (
        "Set 0 of 1 limit on contacts -> companies; 1 unconfirmed (batch status CANCELED):"
    )
    assert lines[2].split()[:2] == ["unconfirmed", "USER_DEFINED:279=5"]
    assert "Set 1 of 1" not in text


# --------------------------------------------------------------------------- batching


class _Recorder:
    """Stands in for ``client._execute``: records chunk sizes, fails on chosen calls, and
    otherwise reads a 204 (every input applied) with the operation's own parser."""

    def __init__(self, fail_on: int | None = None) -> None:
        self.sizes: list[int] = []
        self.fail_on = fail_on

    def __call__(self, operation: ops.Operation[BatchResult[Any]]) -> BatchResult[Any]:
        self.sizes.append(len(operation.json["inputs"]))
        if self.fail_on == len(self.sizes):
            raise ServerError(status_code=503, method="POST", url="http://x/y", body="", headers={})
        return read_success(operation.reader, httpx.Response(204), operation.name)


def _run_batch(
    context: Context, items: list[AssociationSpec], call: _Recorder, what: str
) -> BatchResult[Any]:
    return run_batch(context, ops.purge_limits("contacts", "companies", items), call, what)


def _context(tty: bool = False) -> Context:
    class Err(io.StringIO):
        def isatty(self) -> bool:
            return tty

    args = cli.build_parser().parse_args(["limits", "purge", "a", "b", "user:1"])
    return Context(args, io.StringIO(), Err())


def test_run_batch_sends_requests_of_100_and_shows_progress_on_a_terminal() -> None:
    items = [AssociationSpec("USER_DEFINED", n) for n in range(1, 251)]
    call = _Recorder()
    context = _context(tty=True)
    result = _run_batch(context, items, call, "Purging limits")
    assert call.sizes == [100, 100, 50]
    assert result.succeeded == items and result.ok
    assert isinstance(context.stderr, io.StringIO)
    progress = context.stderr.getvalue().splitlines()
    assert progress[0] == "Purging limits: request 1 of 3 (1-100 of 250)..."
    assert progress[2] == "Purging limits: request 3 of 3 (201-250 of 250)..."

    quiet = _context(tty=False)
    _run_batch(quiet, items, _Recorder(), "Purging limits")
    assert isinstance(quiet.stderr, io.StringIO)
    assert quiet.stderr.getvalue() == ""


def test_run_batch_says_which_inputs_were_applied_when_a_later_request_fails() -> None:
    items = [AssociationSpec("USER_DEFINED", n) for n in range(1, 251)]
    with pytest.raises(BatchPartialFailureError) as caught:
        _run_batch(_context(), items, _Recorder(fail_on=2), "Purging limits")
    result = caught.value.result
    assert result.succeeded == items[:100]
    assert result.failed == items[100:200]
    assert result.not_sent == items[200:]
    assert "request 2 of 3 failed" in str(caught.value)


def test_run_batch_reraises_when_the_first_request_fails() -> None:
    items = [AssociationSpec("USER_DEFINED", n) for n in range(1, 3)]
    with pytest.raises(ServerError):
        _run_batch(_context(), items, _Recorder(fail_on=1), "Purging limits")


# --------------------------------------------------------------------------- prompt


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Any:
    with Sandbox(rate_limit=None) as sandbox:
        monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", sandbox.token)
        monkeypatch.setenv("HUBSPOT_BASE_URL", sandbox.url)
        sandbox.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 3)
        yield sandbox


@pytest.mark.parametrize(("answer", "purged"), [("y\n", True), ("yes\n", True), ("n\n", False),
                                                ("\n", False), ("", False)])  # fmt: skip
def test_purge_asks_on_a_terminal_and_shows_what_will_change(
    portal: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
    purged: bool,
) -> None:
    monkeypatch.setattr(cli_confirm, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO(answer))
    code = cli.main(["limits", "purge", "contacts", "companies", "hubspot:279"])
    captured = capsys.readouterr()
    assert "HUBSPOT_DEFINED:279: limit 3 -> default" in captured.err
    assert "Purge 1 limit? [y/N]" in captured.err
    remaining = portal.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279)
    if purged:
        assert code == 0 and remaining is None
        assert captured.out.strip() == "Purged 1 of 1 limit on contacts -> companies"
    else:
        assert code == 2 and remaining == 3
        assert "nothing was changed" in captured.err
        assert [r.route for r in portal.requests] == ["limits.list"]  # read, never purged


def test_label_delete_asks_with_the_label_shown(
    portal: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_confirm, "_stdin_is_tty", lambda: True)
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    code = cli.main(["labels", "delete", "contacts", "companies", "1"])
    assert code == 2
    assert "HUBSPOT_DEFINED:1 (Primary)" in capsys.readouterr().err
    assert all(r.method == "GET" for r in portal.requests)


# --------------------------------------------------------------------------- redaction


def test_json_is_redacted_string_by_string_never_inside_numbers_or_syntax() -> None:
    token = "12345678"
    document = {"exit_code": 12345678, "message": f"said {token}", token: [token, 1.5, None]}
    masked = redacted(document, lambda text: mask_values(text, [token]))
    assert masked == {"exit_code": 12345678, "message": "said ***", "***": ["***", 1.5, None]}


def test_a_value_shorter_than_the_minimum_is_not_masked() -> None:
    assert MIN_SECRET_LENGTH == 8
    assert mask_values("expected 1 of 10", ["x", "1", "1234567"]) == "expected 1 of 10"
    assert mask_values("a 12345678 b", ["12345678"]) == "a *** b"


@pytest.mark.parametrize(
    "argv",
    [
        ["limits", "purge", "contacts", "companies", "user:1", "--yes"],
        ["--json", "labels", "create", "a", "b", "--name", "limits", "--label", "L"],
        ["-v", "limits", "list", "--from", "contacts"],
        ["associations", "list", "contacts", "1", "companies"],
        ["demo"],
        ["sandbox", "--port", "0"],
    ],
)
def test_a_parser_built_for_the_command_line_parses_it_as_the_whole_parser(
    argv: list[str],
) -> None:
    # build_parser(argv) leaves out the actions of groups argv does not name.
    whole, _ = cli.build_parser().parse_known_args(argv)
    partial, _ = cli.build_parser(argv).parse_known_args(argv)
    assert vars(partial) == vars(whole)
    assert whole.handler.__name__  # a handler was chosen, by both


def test_a_parser_built_for_the_command_line_leaves_out_the_groups_it_does_not_name() -> None:
    parser = cli.build_parser(["labels", "list", "a", "b"])
    with pytest.raises(cli.UsageError):
        parser.parse_args(["limits", "list"])  # the limits group has no actions here
    assert cli.build_parser().parse_args(["limits", "list"]).command == "limits"
