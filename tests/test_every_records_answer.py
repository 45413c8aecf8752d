"""Every answer HubSpot's records specs document is read by ``client.associations``.

The records twin of tests/test_every_answer.py (whose machinery it reuses): bodies are drawn
from the response schemas of HubSpot's published records specs (v4 and 2026-03, verbatim in
tests/fixtures/hubspot-specs/), for every operation and every 2xx status each documents, and
served to both clients through ``httpx.MockTransport``. Every call must return a value.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubspot_assoc import (
    Association,
    AssociationsByRecord,
    BatchPartialFailureError,
    BatchResult,
    UsageReport,
)

from .test_every_answer import CLIENTS, _deref, _load, strategy_for

VERSIONS = ["associations.v4.json", "associations.2026-03.json"]
FROM, TO = "contacts", "companies"

# How each operation is called; the key is (method, the path without its version segment).
CALLS: dict[tuple[str, str], Callable[[Any], Any]] = {
    ("PUT", "objects/{}/{}/associations/{}/{}"): lambda c: c.associations.associate(
        FROM, 1, TO, 2, ["USER_DEFINED:1000"]
    ),
    ("DELETE", "objects/{}/{}/associations/{}/{}"): lambda c: c.associations.remove(FROM, 1, TO, 2),
    ("PUT", "objects/{}/{}/associations/default/{}/{}"): lambda c: c.associations.associate(
        FROM, 1, TO, 2
    ),
    ("GET", "objects/{}/{}/associations/{}"): lambda c: c.associations.list(FROM, 1, TO),
    ("POST", "associations/{}/{}/batch/create"): lambda c: c.associations.create_many(
        FROM, TO, [(1, 2, ["USER_DEFINED:1000"])]
    ),
    ("POST", "associations/{}/{}/batch/associate/default"): lambda c: (
        c.associations.associate_defaults(FROM, TO, [(1, 2)])
    ),
    ("POST", "associations/{}/{}/batch/read"): lambda c: c.associations.read_many(FROM, TO, [1]),
    ("POST", "associations/{}/{}/batch/archive"): lambda c: c.associations.remove_many(
        FROM, TO, [(1, 2)]
    ),
    ("POST", "associations/{}/{}/batch/labels/archive"): lambda c: c.associations.remove_labels(
        FROM, TO, [(1, 2, ["USER_DEFINED:1000"])]
    ),
    ("POST", "associations/usage/high-usage-report/{}"): lambda c: c.associations.high_usage_report(
        7
    ),
}


def _key(path: str) -> str:
    """``/crm/v4/objects/{objectType}/...`` and ``/crm/objects/2026-03/...`` alike."""
    parts = [p for p in path.strip("/").split("/")[1:] if p not in ("v4", "2026-03")]
    return "/".join("{}" if p.startswith("{") else p for p in parts)


def documented_answers() -> Iterator[tuple[str, str, str, int, dict[str, Any] | None]]:
    """(version file, method, operation key, status, body schema or None)."""
    for name in VERSIONS:
        spec = _load(name)
        for path, item in spec["paths"].items():
            for method, op in item.items():
                key = (method.upper(), _key(path))
                if key not in CALLS:
                    continue  # 2026-03 also publishes a records search: not an associations call
                for code, response in op["responses"].items():
                    if not code.isdigit() or not 200 <= int(code) < 300:
                        continue
                    content = _deref(spec, response).get("content") or {}
                    media = next(iter(content.values()), None)
                    schema = media.get("schema") if media else None
                    yield name, key[0], key[1], int(code), schema


ANSWERS = list(documented_answers())


def test_every_records_operation_of_both_versions_is_covered() -> None:
    for version in VERSIONS:
        assert {(m, k) for v, m, k, _, _ in ANSWERS if v == version} == set(CALLS)


def _serve_once_with_paging(status: int, body: Any) -> Any:
    """The drawn body; later requests (a listing's next page) get it without ``paging``, so a
    drawn cursor is followed once and the listing ends."""
    calls = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        shown = body
        if calls[0] > 1 and isinstance(body, dict):
            shown = {k: v for k, v in body.items() if k != "paging"}
            if isinstance(shown.get("results"), list):
                shown["results"] = [
                    {k: v for k, v in r.items() if k != "paging"} if isinstance(r, dict) else r
                    for r in shown["results"]
                ]
        content = b"" if shown is None else json.dumps(shown).encode()
        return httpx.Response(status, content=content, headers={"content-type": "application/json"})

    return handler


async def _collect(found: Any) -> list[Any]:
    return [item async for item in found]


@pytest.mark.parametrize("call", CLIENTS)
@pytest.mark.parametrize(
    ("version", "method", "key", "status", "schema"),
    [pytest.param(*a, id=f"{a[0].removeprefix('associations.')}-{a[1]}-{a[2]}-{a[3]}")
     for a in ANSWERS],
)  # fmt: skip
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_documented_records_answers_are_read(
    call: Callable[..., Any],
    version: str,
    method: str,
    key: str,
    status: int,
    schema: dict[str, Any] | None,
    data: st.DataObject,
) -> None:
    spec = _load(version)
    body = None if schema is None else data.draw(strategy_for(spec, schema), label="body")
    operation = CALLS[(method, key)]

    def refused(exc: BatchPartialFailureError) -> Any:
        # The default association answered in a batch's shape, its one input not done.
        assert key.endswith("default/{}/{}")
        return exc.result

    def run(client: Any) -> Any:
        try:
            result = operation(client)
        except BatchPartialFailureError as exc:
            return refused(exc)
        if inspect.isawaitable(result):
            pending = result

            async def settle() -> Any:
                try:
                    return await pending
                except BatchPartialFailureError as exc:
                    return refused(exc)

            return settle()
        if hasattr(result, "__aiter__"):
            return _collect(result)
        if hasattr(result, "__next__"):
            return list(result)
        return result

    result = call(run, _serve_once_with_paging(status, body))

    if isinstance(result, BatchResult):
        assert body is None or result.status == body["status"]
        inputs = [*result.succeeded, *result.failed, *result.unconfirmed]
        assert len(inputs) == 1
        if body is not None and body.get("errors"):
            assert len(result.errors) == len(body["errors"])
    elif isinstance(result, AssociationsByRecord):
        assert isinstance(body, dict) and len(result.errors) == len(body.get("errors") or [])
    elif isinstance(result, list):
        assert isinstance(body, dict)
        assert all(isinstance(a, Association) for a in result)
        assert len(result) >= len(body["results"])
    elif isinstance(result, UsageReport):
        assert isinstance(body, dict) and result.user_id == body.get("userId")
    elif isinstance(result, Association):
        assert (result.from_id, result.to_id) == ("1", "2")
    else:
        assert result is None and method == "DELETE"


@pytest.mark.parametrize("call", CLIENTS)
@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ({"value": 1_700_000_000_000, "dateOnly": False, "timeZoneShift": 0}, 1_700_000_000),
        ("2023-11-14T22:13:20Z", 1_700_000_000),
        (1_700_000_000_000, 1_700_000_000),
        ({"dateOnly": True}, None),
        ("soon", None),
    ],
)
def test_the_usage_report_time_is_read_in_every_form(
    call: Callable[..., Any], sent: object, expected: int | None
) -> None:
    body = {"userId": 7, "userEmail": "user@example.com", "enqueueTime": sent}
    report = call(
        CALLS[("POST", "associations/usage/high-usage-report/{}")],
        _serve_once_with_paging(200, body),
    )
    assert report.user_email == "user@example.com"
    if expected is None:
        assert report.enqueued_at is None
    else:
        assert report.enqueued_at.timestamp() == expected
