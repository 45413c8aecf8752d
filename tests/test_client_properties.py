"""Property: any purge or create input is either rejected before a request, or sent exactly
as HubSpot expects it."""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspot_assoc import Client, InvalidInputError, UnexpectedResponseError

CATEGORIES = ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK"]
INT32_MAX = 2**31 - 1

categories = st.one_of(
    st.sampled_from(CATEGORIES),
    st.sampled_from(CATEGORIES).map(str.lower),
    st.text(max_size=12),
    st.integers(),
    st.none(),
)
numbers = st.one_of(
    st.integers(min_value=-5, max_value=INT32_MAX + 5),
    st.booleans(),
    st.floats(allow_nan=False),
    st.text(max_size=5),
    st.none(),
)
object_types = st.one_of(
    st.sampled_from(["contacts", "0-1", "companies", "2-123", "p_custom"]),
    st.text(max_size=10),
)


def _expected_category(value: Any) -> str | None:
    if isinstance(value, str) and value.strip().upper() in CATEGORIES:
        return value.strip().upper()
    return None


def _expected_number(value: Any, *, minimum: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if minimum <= value <= INT32_MAX else None


def _send(call: Any) -> tuple[list[httpx.Request], Exception | None]:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    client = Client("t", base_url="https://h.test", http_client=http, retry=None, rate_limit=None)
    try:
        call(client)
    except InvalidInputError as exc:
        return sent, exc
    except UnexpectedResponseError:
        pass  # the fake answer (204) does not fit a create; only the request matters here
    return sent, None


@settings(max_examples=300, deadline=None)
@given(
    from_type=object_types,
    items=st.lists(st.tuples(categories, numbers), min_size=1, max_size=4),
)
def test_purge_input_is_rejected_or_sent_exactly(from_type: str, items: list[Any]) -> None:
    sent, error = _send(lambda c: c.limits.purge(from_type, "companies", items))
    expected = [
        {"category": _expected_category(cat), "typeId": _expected_number(num, minimum=1)}
        for cat, num in items
    ]
    keys = [(e["category"], e["typeId"]) for e in expected]
    valid_type = from_type.strip() == from_type and from_type in {
        "contacts",
        "0-1",
        "companies",
        "2-123",
        "p_custom",
    }
    all_valid = all(None not in key for key in keys) and len(set(keys)) == len(keys)
    if error is not None:
        assert sent == []
        # Whatever was rejected, it names an argument the caller passed.
        assert error.argument.startswith(("items", "from_type"))
        assert not (valid_type and all_valid)
        return
    assert len(sent) == 1
    assert all_valid
    assert json.loads(sent[0].content) == {"inputs": expected}
    assert sent[0].url.path.startswith("/crm/associations/v4/definitions/configurations/")


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.tuples(categories, numbers, numbers), min_size=1, max_size=3))
def test_create_input_is_rejected_or_sent_exactly(items: list[Any]) -> None:
    sent, error = _send(lambda c: c.limits.create("contacts", "companies", items))
    expected = [
        {
            "category": _expected_category(cat),
            "typeId": _expected_number(num, minimum=1),
            "maxToObjectIds": _expected_number(limit, minimum=1),
        }
        for cat, num, limit in items
    ]
    keys = [(e["category"], e["typeId"]) for e in expected]
    all_valid = all(None not in e.values() for e in expected) and len(set(keys)) == len(keys)
    if error is not None:
        assert sent == [] and not all_valid
        return
    assert all_valid
    assert json.loads(sent[0].content) == {"inputs": expected}
