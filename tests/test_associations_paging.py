"""Paging properties: whatever the page size, every associated record comes back exactly once.

Hypothesis draws the set of associated records, the page size of ``list`` and, for
``read_many``, the sandbox's page size per record and the number of ids per request; the
sandbox is changed directly (not through the client) so the client is judged only on reading.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubspot_assoc import AsyncClient, Client
from hubspot_assoc.sandbox import Sandbox

KEY = ("HUBSPOT_DEFINED", 279)
INVERSE = ("HUBSPOT_DEFINED", 280)
SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=None, daily_limit=None) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(sb: Sandbox) -> Iterator[Client]:
    with Client(sb.token, base_url=sb.url, rate_limit=None) as c:
        yield c


def _seed(sb: Sandbox, contact: str, companies: set[int]) -> None:
    for company in companies:
        sb.state.records.add("0-1", contact, "0-2", str(company), KEY, INVERSE)


ids = st.sets(st.integers(min_value=1, max_value=10**12), max_size=60)


@SETTINGS
@given(companies=ids, page_size=st.integers(min_value=1, max_value=25))
def test_list_returns_every_association_once_in_order(
    sb: Sandbox, client: Client, companies: set[int], page_size: int
) -> None:
    sb.reset()
    _seed(sb, "1", companies)
    sb.clear_requests()

    found = [a.to_id for a in client.associations.list("contacts", 1, "companies",
                                                      page_size=page_size)]  # fmt: skip

    assert found == [str(c) for c in sorted(companies)]
    # One request per page; the last page carries no cursor, so nothing is asked twice.
    assert len(sb.requests) == max(1, -(-len(companies) // page_size))


@SETTINGS
@given(
    per_record=st.dictionaries(st.integers(min_value=1, max_value=40), ids, max_size=12),
    read_page=st.integers(min_value=1, max_value=15),
    batch_size=st.integers(min_value=1, max_value=5),
)
def test_read_many_returns_every_association_of_every_id_once(
    sb: Sandbox,
    client: Client,
    per_record: dict[int, set[int]],
    read_page: int,
    batch_size: int,
) -> None:
    sb.reset()
    sb.state.records.read_page_size = read_page
    for contact, companies in per_record.items():
        _seed(sb, str(contact), companies)
    asked = [*per_record, 999]  # 999 has no associations

    found = client.associations.read_many("contacts", "companies", asked, batch_size=batch_size)

    for contact, companies in per_record.items():
        got = [a.to_id for a in found.get(str(contact), [])]
        assert sorted(got, key=int) == [str(c) for c in sorted(companies)]
        assert len(got) == len(set(got))
    empty = {str(c) for c, companies in per_record.items() if not companies} | {"999"}
    assert set(found.failed_ids) == empty
    assert not empty & set(found)


def test_async_list_pages_the_same_way(sb: Sandbox) -> None:
    sb.reset()
    _seed(sb, "1", set(range(1, 23)))

    async def collect() -> list[str]:
        async with AsyncClient(sb.token, base_url=sb.url, rate_limit=None) as c:
            return [a.to_id async for a in c.associations.list("contacts", 1, "companies",
                                                               page_size=5)]  # fmt: skip

    assert asyncio.run(collect()) == [str(n) for n in range(1, 23)]
    assert len(sb.requests) == 5
