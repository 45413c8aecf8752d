"""Client construction, plumbing users expect, and how answers become results or errors.

These tests drive the client through ``httpx.MockTransport`` so that each answer is exactly
the one under test and every request sent can be inspected.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import hubspot_assoc
from hubspot_assoc import (
    AssociationSpec,
    BatchPartialFailureError,
    Category,
    Client,
    InvalidInputError,
    LimitInput,
    MissingCredentialsError,
    NotFoundError,
    ServerError,
    UnexpectedResponseError,
)

TOKEN = "pat-na1-00000000-1111-2222-3333-444444444444"
BASE = "https://hubspot.test"
PURGE = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge"


class Recorder:
    """A MockTransport handler that answers from a function and keeps every request."""

    def __init__(self, answer: Callable[[httpx.Request], httpx.Response]) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def make_client(
    answer: Callable[[httpx.Request], httpx.Response], **kwargs: Any
) -> tuple[Client, Recorder]:
    recorder = Recorder(answer)
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    kwargs.setdefault("retry", None)
    kwargs.setdefault("rate_limit", None)
    return Client(TOKEN, base_url=BASE, http_client=http, **kwargs), recorder


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HUBSPOT_ACCESS_TOKEN", "HUBSPOT_BASE_URL", "HUBSPOT_LOG", "HUBSPOT_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    yield


# --------------------------------------------------------------------------- construction


def test_missing_credentials_names_the_argument_and_the_variable() -> None:
    with pytest.raises(MissingCredentialsError) as info:
        Client()
    assert "access_token" in str(info.value)
    assert "HUBSPOT_ACCESS_TOKEN" in str(info.value)
    assert "oauth" in str(info.value)


def test_token_and_base_url_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("HUBSPOT_BASE_URL", "http://127.0.0.1:1234/")
    with Client() as client:
        assert client.base_url == "http://127.0.0.1:1234"
    monkeypatch.delenv("HUBSPOT_BASE_URL")
    with Client() as client:
        assert client.base_url == "https://api.hubapi.com"


def test_environment_token_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", TOKEN)
    recorder = Recorder(lambda r: httpx.Response(204))
    http = httpx.Client(transport=httpx.MockTransport(recorder))
    with Client(base_url=BASE, http_client=http) as client:
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    assert recorder.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_repr_shows_base_url_and_credential_kind_but_no_secret() -> None:
    client = Client(TOKEN, base_url=BASE)
    text = repr(client)
    assert text == (
        "Client(base_url='https://hubspot.test', api_version='v4', credential='access token')"
    )
    assert TOKEN not in text and TOKEN not in repr(client.__dict__)
    oauth = hubspot_assoc.OAuth("client-id", "client-secret-value", "refresh-token-value")
    with Client(oauth=oauth, base_url=BASE) as oauth_client:
        assert "OAuth" in repr(oauth_client)
        assert "client-secret-value" not in repr(oauth_client)
        assert "refresh-token-value" not in repr(oauth_client.__dict__)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"base_url": "api.hubapi.com"}, "base_url"),
        ({"base_url": "ftp://x"}, "base_url"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": True}, "timeout"),
        ({"retry": 3}, "retry"),
        ({"rate_limit": (100, 10)}, "rate_limit"),
        ({"http_client": object()}, "http_client"),
    ],
)
def test_bad_constructor_arguments(kwargs: dict[str, Any], argument: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        Client(TOKEN, **kwargs)
    assert info.value.argument == argument
    assert argument in str(info.value)


def test_token_and_oauth_together_are_refused() -> None:
    oauth = hubspot_assoc.OAuth("id", "secret-value", "refresh-value")
    with pytest.raises(InvalidInputError) as info:
        Client(TOKEN, oauth=oauth)
    assert TOKEN not in str(info.value)
    assert "secret-value" not in str(info.value)


def test_caller_supplied_http_client_is_used_and_not_closed() -> None:
    client, recorder = make_client(lambda r: httpx.Response(204))
    with client:
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    assert len(recorder.requests) == 1
    assert not client._http.is_closed
    client._http.close()


def test_own_http_client_is_closed() -> None:
    client = Client(TOKEN, base_url=BASE)
    with client:
        pass
    assert client._http.is_closed


# --------------------------------------------------------------------------- requests


def test_purge_request_is_exactly_what_hubspot_expects() -> None:
    client, recorder = make_client(lambda r: httpx.Response(204))
    with client:
        result = client.limits.purge(
            "contacts",
            "companies",
            [
                ("user_defined", 279),
                {"category": "HUBSPOT_DEFINED", "typeId": 1},
                AssociationSpec(Category.WORK, 7),
            ],
        )
    request = recorder.requests[0]
    assert request.method == "POST"
    assert request.url == BASE + PURGE
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "inputs": [
            {"category": "USER_DEFINED", "typeId": 279},
            {"category": "HUBSPOT_DEFINED", "typeId": 1},
            {"category": "WORK", "typeId": 7},
        ]
    }
    # A 204 means every input was applied.
    assert result.ok
    assert result.status == "COMPLETE"
    assert result.results == [] and result.errors == []
    assert [s.type_id for s in result.succeeded] == [279, 1, 7]


def test_user_agent_names_the_sdk_python_and_httpx() -> None:
    client, recorder = make_client(lambda r: httpx.Response(200, json={"results": []}))
    with client:
        client.limits.list()
    agent = recorder.requests[0].headers["user-agent"]
    assert agent.startswith(f"hubspot-assoc/{hubspot_assoc.__version__} ")
    assert f"python/{sys.version_info.major}.{sys.version_info.minor}" in agent
    assert f"httpx/{httpx.__version__}" in agent


def test_object_types_are_url_quoted_in_paths() -> None:
    client, recorder = make_client(lambda r: httpx.Response(200, json={"results": []}))
    with client:
        client.labels.list("p_café", "2-123")
    assert recorder.requests[0].url.raw_path == (b"/crm/associations/v4/p_caf%C3%A9/2-123/labels")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.limits.purge("contacts", "companies", [("NOPE", 1)]),
        lambda c: c.limits.purge("contacts/x", "companies", [("USER_DEFINED", 1)]),
        lambda c: c.limits.purge(" ", "companies", [("USER_DEFINED", 1)]),
        lambda c: c.limits.create("contacts", "companies", [("USER_DEFINED", 1, 0)]),
        lambda c: c.limits.update("contacts", "companies", [{"category": "WORK", "typeId": 1}]),
        lambda c: c.limits.purge("contacts", "companies", [("USER_DEFINED", True)]),
        lambda c: c.limits.purge("contacts", "companies", [("USER_DEFINED", 1)], batch_size=0),
        lambda c: c.labels.create("contacts", "companies", name="1bad", label="x"),
        lambda c: c.labels.delete("contacts", "companies", -4),
        lambda c: c.labels.update("contacts", "companies", 5, label=""),
    ],
)
def test_invalid_input_is_rejected_before_any_request(call: Callable[[Client], Any]) -> None:
    client, recorder = make_client(lambda r: httpx.Response(204))
    with client, pytest.raises(InvalidInputError):
        call(client)
    assert recorder.requests == []


def test_empty_item_list_sends_nothing_and_succeeds() -> None:
    client, recorder = make_client(lambda r: httpx.Response(204))
    with client:
        result = client.limits.purge("contacts", "companies", [])
        created = client.limits.create("contacts", "companies", [])
    assert recorder.requests == []
    assert result.ok and created.ok
    assert result.succeeded == [] and result.status == "COMPLETE"


# --------------------------------------------------------------------------- batches


def _batch_answer(request: httpx.Request) -> httpx.Response:
    inputs = json.loads(request.content)["inputs"]
    return httpx.Response(
        201,
        json={
            "status": "COMPLETE",
            "results": [
                {
                    "category": i["category"],
                    "typeId": i["typeId"],
                    "userEnforcedMaxToObjectIds": i["maxToObjectIds"],
                }
                for i in inputs
            ],
            "startedAt": "2026-01-01T00:00:00Z",
            "completedAt": "2026-01-01T00:00:01Z",
        },
    )


def test_large_batches_are_split_and_merged() -> None:
    client, recorder = make_client(_batch_answer)
    items = [LimitInput("USER_DEFINED", n, 2) for n in range(1, 251)]
    with client:
        result = client.limits.create("contacts", "companies", items)
    sizes = [len(body["inputs"]) for body in recorder.bodies()]
    assert sizes == [100, 100, 50]
    assert [body["inputs"][0]["typeId"] for body in recorder.bodies()] == [1, 101, 201]
    assert result.ok
    assert [r.type_id for r in result.results] == list(range(1, 251))
    assert result.succeeded == items
    assert result.started_at is not None and result.completed_at is not None


def test_a_later_chunk_failing_reports_what_was_applied() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        first = json.loads(request.content)["inputs"][0]["typeId"]
        if first == 3:
            return httpx.Response(
                500,
                json={"category": "INTERNAL_ERROR", "message": "boom", "correlationId": "c-1"},
            )
        return httpx.Response(204)

    client, recorder = make_client(answer)
    items = [("USER_DEFINED", n) for n in range(1, 7)]
    with client, pytest.raises(BatchPartialFailureError) as info:
        client.limits.purge("contacts", "companies", items, batch_size=2)
    assert len(recorder.requests) == 2  # the third chunk was never sent
    result = info.value.result
    assert [s.type_id for s in result.succeeded] == [1, 2]
    assert [s.type_id for s in result.failed] == [3, 4]
    assert [s.type_id for s in result.not_sent] == [5, 6]
    assert not result.ok
    assert isinstance(info.value.__cause__, ServerError)
    assert "2 of 6 inputs were applied" in str(info.value)


def test_a_first_chunk_failing_raises_the_api_error_itself() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(
            404, json={"category": "OBJECT_NOT_FOUND", "message": "no", "correlationId": "c"}
        )
    )
    with client, pytest.raises(NotFoundError):
        client.limits.purge(
            "contacts", "companies", [("USER_DEFINED", n) for n in (1, 2, 3)], batch_size=2
        )


def test_207_says_which_inputs_failed_and_which_succeeded() -> None:
    body = {
        "status": "COMPLETE",
        "results": [{"category": "USER_DEFINED", "typeId": 1, "userEnforcedMaxToObjectIds": 4}],
        "numErrors": 1,
        "errors": [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "No association type USER_DEFINED 2",
                "context": {"typeId": ["2"]},
                "errors": [],
                "links": {},
            }
        ],
        "startedAt": "2026-01-01T00:00:00Z",
        "completedAt": "2026-01-01T00:00:01Z",
    }
    client, _ = make_client(lambda r: httpx.Response(207, json=body))
    with client:
        result = client.limits.create(
            "contacts", "companies", [("USER_DEFINED", 1, 4), ("USER_DEFINED", 2, 4)]
        )
    assert not result.ok
    assert [i.type_id for i in result.succeeded] == [1]
    assert [i.type_id for i in result.failed] == [2]
    assert result.num_errors == 1
    assert result.errors[0].category == "VALIDATION_ERROR"
    with pytest.raises(BatchPartialFailureError) as info:
        result.raise_for_errors()
    assert info.value.result is result


# --------------------------------------------------------------------------- answers


def test_purge_200_with_the_seed_body() -> None:
    body = {
        "completedAt": "2023-11-07T05:31:56Z",
        "results": [{}],
        "startedAt": "2023-11-07T05:31:56Z",
        "status": "COMPLETE",
        "errors": [],
        "links": {},
        "numErrors": 0,
        "requestedAt": "2023-11-07T05:31:56Z",
    }
    client, _ = make_client(lambda r: httpx.Response(200, json=body))
    with client:
        result = client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    assert result.ok
    assert result.status == "COMPLETE"
    assert result.requested_at is not None and result.requested_at.year == 2023


def test_unknown_enum_values_in_answers_are_kept() -> None:
    body = {
        "results": [
            {"category": "SOMETHING_NEW", "typeId": 9, "label": "x", "extra": 1},
            {"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 3},
        ]
    }
    client, _ = make_client(lambda r: httpx.Response(200, json=body))
    with client:
        limits = client.limits.get("contacts", "companies")
    assert limits[0].category == "SOMETHING_NEW"
    assert limits[1].category is Category.USER_DEFINED
    assert limits[1].max_to_object_ids == 3
    assert limits[0].max_to_object_ids is None
    status_body = {
        "status": "FAILED",
        "results": [],
        "startedAt": "2026-01-01T00:00:00Z",
        "completedAt": "2026-01-01T00:00:00Z",
    }
    client, _ = make_client(lambda r: httpx.Response(200, json=status_body))
    with client:
        assert client.limits.purge("contacts", "companies", [("WORK", 1)]).status == "FAILED"


@pytest.mark.parametrize(
    ("status", "content", "reason"),
    [
        (200, b"<html>oops</html>", "not valid JSON"),
        (200, b'{"results": [{"category": "USER_DEFINED", "ty', "not valid JSON"),
        (200, b'{"results": [{"category": "USER_DEFINED"}]}', "typeId"),
        (200, b'{"nothing": true}', "results"),
        (200, b"[1, 2]", ""),
        (202, b"{}", "202"),
    ],
)
def test_unreadable_success_answers_become_unexpected_response_errors(
    status: int, content: bytes, reason: str
) -> None:
    headers = {"x-hubspot-correlation-id": "corr-123", "content-type": "application/json"}
    client, _ = make_client(lambda r: httpx.Response(status, content=content, headers=headers))
    with client, pytest.raises(UnexpectedResponseError) as info:
        client.limits.get("contacts", "companies")
    error = info.value
    assert error.status_code == status
    assert error.correlation_id == "corr-123"
    raw = content.decode()
    assert error.body == raw or json.dumps(error.body) == json.dumps(json.loads(raw))
    assert reason in str(error)
    assert TOKEN not in str(error)


def test_purge_answered_with_an_unparseable_200_keeps_the_raw_body() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, content=b"{not json"))
    with client, pytest.raises(UnexpectedResponseError) as info:
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    assert info.value.body == "{not json"


def test_an_unknown_5xx_status_is_a_server_error_with_the_raw_text() -> None:
    client, _ = make_client(
        lambda r: httpx.Response(
            520, content=b"<html><body>Web server is returning an unknown error"
        )
    )
    with client, pytest.raises(ServerError) as info:
        client.labels.list("contacts", "companies")
    assert info.value.status_code == 520
    assert isinstance(info.value.body, str) and info.value.body.startswith("<html>")


# --------------------------------------------------------------------------- logging


def test_debug_log_has_one_line_per_request_and_no_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _ = make_client(lambda r: httpx.Response(204))
    with caplog.at_level(logging.DEBUG, logger="hubspot_assoc"), client:
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    lines = [r.getMessage() for r in caplog.records if r.name == "hubspot_assoc"]
    assert len(lines) == 1
    assert lines[0].startswith(f"POST {PURGE} -> 204 (attempt 1, ")
    assert lines[0].endswith(" ms)")
    assert TOKEN not in caplog.text


def test_log_filter_masks_anything_that_looks_like_a_secret(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = logging.getLogger("hubspot_assoc")
    with caplog.at_level(logging.DEBUG, logger="hubspot_assoc"):
        logger.debug("server said %s", f"Authorization: Bearer {TOKEN} refresh_token=abc123")
    assert TOKEN not in caplog.text
    assert "abc123" not in caplog.text
    assert "Bearer ***" in caplog.text


def test_hubspot_log_environment_variable_turns_on_debug_output() -> None:
    code = (
        "import httpx, hubspot_assoc;"
        "t = httpx.MockTransport(lambda r: httpx.Response(204));"
        f"c = hubspot_assoc.Client({TOKEN!r}, base_url='https://h.test',"
        " http_client=httpx.Client(transport=t));"
        "c.limits.purge('contacts', 'companies', [('USER_DEFINED', 279)])"
    )
    env = {"HUBSPOT_LOG": "debug", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "hubspot_assoc DEBUG POST " in out.stderr
    assert "-> 204 (attempt 1" in out.stderr
    assert TOKEN not in out.stderr
    quiet = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": ""}, timeout=60
    )
    assert quiet.stderr == ""


# --------------------------------------------------------------------------- lost answers

GONE = {
    "status": "error",
    "category": "VALIDATION_ERROR",
    "message": "No association type 1000 exists from contacts to companies.",
    "correlationId": "c-gone",
}


def _script(*answers: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return answer


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(503, text="<html>Service Unavailable</html>"),
        httpx.ReadTimeout("lost"),
        httpx.RemoteProtocolError("dropped"),
    ],
    ids=["503", "read-timeout", "dropped"],
)
def test_delete_whose_answer_was_lost_succeeds_when_the_retry_finds_it_gone(
    first: httpx.Response | Exception,
) -> None:
    fast = hubspot_assoc.RetryPolicy(initial_delay=0.001, max_delay=0.001)
    client, recorder = make_client(_script(first, httpx.Response(400, json=GONE)), retry=fast)
    with client:
        assert client.labels.delete("contacts", "companies", 1000) is None
    assert len(recorder.requests) == 2


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(429, json={"message": "slow down", "policyName": "TEN_SECONDLY_ROLLING"}),
        httpx.ConnectError("refused"),
    ],
    ids=["429", "connect-error"],
)
def test_delete_of_a_missing_type_still_fails_when_no_attempt_reached_hubspot(
    first: httpx.Response | Exception,
) -> None:
    # A 429 or a refused connection changed nothing: "does not exist" is the real answer.
    fast = hubspot_assoc.RetryPolicy(initial_delay=0.001, max_delay=0.001)
    client, recorder = make_client(_script(first, httpx.Response(400, json=GONE)), retry=fast)
    with client, pytest.raises(hubspot_assoc.BadRequestError):
        client.labels.delete("contacts", "companies", 1000)
    assert len(recorder.requests) == 2


def test_delete_of_a_missing_type_fails_on_a_first_attempt() -> None:
    client, _ = make_client(_script(httpx.Response(404, json={**GONE, "category": "NOT_FOUND"})))
    with client, pytest.raises(NotFoundError):
        client.labels.delete("contacts", "companies", 1000)


def test_connection_errors_name_the_host_and_chain_the_httpx_error() -> None:
    client, recorder = make_client(_script(httpx.ConnectError("refused")))
    with client, pytest.raises(hubspot_assoc.APIConnectionError) as info:
        client.limits.list()
    assert len(recorder.requests) == 1
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "hubspot.test" in str(info.value)
    assert info.value.attempts == 1
    assert TOKEN not in str(info.value) and TOKEN not in repr(info.value)


def test_timeouts_are_api_timeout_errors_after_the_retries() -> None:
    fast = hubspot_assoc.RetryPolicy(max_retries=2, initial_delay=0.001, max_delay=0.001)
    timeouts = [httpx.ReadTimeout("slow") for _ in range(3)]
    client, recorder = make_client(_script(*timeouts), retry=fast)
    with client, pytest.raises(hubspot_assoc.APITimeoutError) as info:
        client.limits.list()
    assert len(recorder.requests) == 3
    assert info.value.attempts == 3
    assert "after 3 attempts" in str(info.value)
