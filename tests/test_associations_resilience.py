# ruff: noqa: F811 - the fixtures imported from test_resilience are parameters here
"""The resilience suite over the association records routes, for BOTH clients.

Same machinery as tests/test_resilience.py (its ``connect`` fixture drives ``Client`` and
``AsyncClient`` through one interface; requests are counted from the sandbox's own log and
effects read from its state).
"""

from __future__ import annotations

from typing import Any

import pytest

from hubspot_assoc import (
    APIConnectionError,
    BatchPartialFailureError,
    RateLimit,
    ServerError,
    UnexpectedResponseError,
)
from hubspot_assoc.sandbox import Sandbox

from .test_resilience import (  # noqa: F401 - fixtures
    RETRYABLE_STATUSES,
    Connect,
    _server,
    connect,
    log,
    pytest_generate_tests,
    sb,
)

PAIR = ("contacts", "companies")
UNLABELLED = ["HUBSPOT_DEFINED:279"]


def targets(sb: Sandbox, contact: str) -> dict[str, Any]:
    return sb.state.records.targets("0-1", contact, "0-2")


def _associate(c: Any) -> Any:
    return c.associations.associate("contacts", 1, "companies", 2, UNLABELLED)


def _create_many(c: Any) -> Any:
    return c.associations.create_many(*PAIR, [(1, n, UNLABELLED) for n in (2, 3, 4)])


def _defaults(c: Any) -> Any:
    return c.associations.associate_defaults(*PAIR, [(1, 2), (1, 3)])


def _remove(c: Any) -> Any:
    return c.associations.remove("contacts", 1, "companies", 2)


def _remove_many(c: Any) -> Any:
    return c.associations.remove_many(*PAIR, [(1, 2), (1, 3)])


def _remove_labels(c: Any) -> Any:
    return c.associations.remove_labels(*PAIR, [(1, 2, ["HUBSPOT_DEFINED:1"])])


def _read_many(c: Any) -> Any:
    return c.associations.read_many(*PAIR, [1])


ROUTES = {
    "associations.create": _associate,
    "associations.batch_create": _create_many,
    "associations.batch_default": _defaults,
    "associations.remove": _remove,
    "associations.batch_archive": _remove_many,
    "associations.batch_archive_labels": _remove_labels,
    "associations.batch_read": _read_many,
}


def _prepare(sb: Sandbox) -> None:
    """Contact 1 associated with companies 2 (Primary) and 3, so every route has work."""
    sb.state.records.add("0-1", "1", "0-2", "2", ("HUBSPOT_DEFINED", 1), ("HUBSPOT_DEFINED", 2))
    for company in ("2", "3"):
        sb.state.records.add(
            "0-1", "1", "0-2", company, ("HUBSPOT_DEFINED", 279), ("HUBSPOT_DEFINED", 280)
        )


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("status", [429, 503, 524])
def test_each_records_route_recovers_from_retryable_statuses(
    connect: Connect, sb: Sandbox, route: str, status: int
) -> None:
    _prepare(sb)
    sb.inject(status, route=route, count=2)
    api = connect(sb)

    api(ROUTES[route])

    entries = log(sb)
    assert entries[:2] == [(route, status, str(status))] * 2
    assert len(entries) == 3 and entries[2][0] == route and entries[2][2] is None
    assert 200 <= (entries[2][1] or 0) < 300


@pytest.mark.parametrize(
    "route", ["associations.create", "associations.batch_create", "associations.batch_archive"]
)
def test_a_lost_answer_is_retried_and_applied_once(
    connect: Connect, sb: Sandbox, route: str
) -> None:
    _prepare(sb)
    sb.inject("drop_after", route=route, count=1)
    api = connect(sb)

    api(ROUTES[route])

    assert [(r, f) for r, _, f in log(sb)] == [(route, "drop_after"), (route, None)]
    if route == "associations.batch_archive":
        assert targets(sb, "1") == {}
    else:
        assert "2" in targets(sb, "1")
        assert sb.state.records.count("0-1", "1", "0-2", ("HUBSPOT_DEFINED", 279)) == len(
            targets(sb, "1")
        )


def test_the_usage_report_is_not_repeated_after_an_ambiguous_failure(
    connect: Connect, sb: Sandbox
) -> None:
    sb.inject(503, route="associations.usage_report", count=1)
    api = connect(sb)

    error = api.fails(ServerError, lambda c: c.associations.high_usage_report(5))

    assert error.attempts == 1
    assert log(sb) == [("associations.usage_report", 503, "503")]


def test_a_429_before_the_usage_report_is_retried(connect: Connect, sb: Sandbox) -> None:
    sb.inject(429, route="associations.usage_report", count=1)
    api = connect(sb)

    report = api(lambda c: c.associations.high_usage_report(5))

    assert report.user_id == 5
    assert [s for _, s, _ in log(sb)] == [429, 200]


def test_listing_survives_a_failure_between_pages(connect: Connect, sb: Sandbox) -> None:
    for company in range(1, 8):
        sb.state.records.add(
            "0-1", "1", "0-2", str(company), ("HUBSPOT_DEFINED", 279), ("HUBSPOT_DEFINED", 280)
        )
    api = connect(sb)

    def listing(c: Any) -> Any:
        found = c.associations.list("contacts", 1, "companies", page_size=3)
        if hasattr(found, "__aiter__"):

            async def collect() -> list[Any]:
                out = []
                async for item in found:
                    out.append(item)
                    if len(out) == 3:
                        sb.inject(503, route="associations.list", count=1)
                return out

            return collect()
        out = []
        for item in found:
            out.append(item)
            if len(out) == 3:
                sb.inject(503, route="associations.list", count=1)
        return out

    items = api(listing)

    assert [a.to_id for a in items] == [str(n) for n in range(1, 8)]
    assert [s for _, s, _ in log(sb)] == [200, 503, 200, 200]


def test_read_many_follows_pages_through_a_rate_limit(connect: Connect, sb: Sandbox) -> None:
    sb.state.records.read_page_size = 2
    for company in range(1, 6):
        sb.state.records.add(
            "0-1", "1", "0-2", str(company), ("HUBSPOT_DEFINED", 279), ("HUBSPOT_DEFINED", 280)
        )
    sb.inject(429, route="associations.batch_read", count=1)
    api = connect(sb)

    found = api(lambda c: c.associations.read_many(*PAIR, [1, 2]))

    assert [a.to_id for a in found["1"]] == ["1", "2", "3", "4", "5"]
    assert found.failed_ids == ["2"]
    assert [s for _, s, _ in log(sb)] == [429, 207, 200, 200]


def test_a_later_chunk_failing_reports_exactly_what_was_applied(
    connect: Connect, sb: Sandbox
) -> None:
    # The first request passes (the zero-second delay fault takes it), the next four fail:
    # the second chunk outlasts the retries after the first was applied.
    sb.inject("delay", route="associations.batch_create", count=1, seconds=0.0)
    sb.inject(503, route="associations.batch_create", count=4)
    api = connect(sb)
    items = [(1, n, UNLABELLED) for n in range(1, 151)]

    error = api.fails(BatchPartialFailureError, lambda c: c.associations.create_many(*PAIR, items))

    result = error.result
    assert len(result.succeeded) == 100 and len(result.failed) == 50
    assert [p.to_id for p in result.failed] == [str(n) for n in range(101, 151)]
    assert len(targets(sb, "1")) == 100
    assert [s for _, s, _ in log(sb)] == [201, 503, 503, 503, 503]


@pytest.mark.parametrize("fault", ["truncate", "nonjson"])
def test_an_unreadable_answer_is_an_unexpected_response(
    connect: Connect, sb: Sandbox, fault: str
) -> None:
    sb.inject(fault, route="associations.list", count=1)
    api = connect(sb)

    error = api.fails(UnexpectedResponseError, _list_all)

    assert error.status_code == 200
    assert len(sb.requests) == 1  # a readable 2xx is never retried; nor an unreadable one


def _list_all(c: Any) -> Any:
    found = c.associations.list("contacts", 1, "companies")
    if hasattr(found, "__aiter__"):

        async def collect() -> list[Any]:
            return [item async for item in found]

        return collect()
    return list(found)


def test_a_dropped_connection_on_the_usage_report_is_not_repeated(
    connect: Connect, sb: Sandbox
) -> None:
    sb.inject("drop_after", route="associations.usage_report", count=1)
    api = connect(sb)

    api.fails(APIConnectionError, lambda c: c.associations.high_usage_report(5))

    assert len(sb.requests) == 1


def test_the_rate_limiter_paces_a_bulk_create(connect: Connect, sb: Sandbox) -> None:
    api = connect(sb, rate_limit=RateLimit(5, 0.5))
    items = [(1, n, UNLABELLED) for n in range(1, 601)]  # six requests of 100

    result = api(lambda c: c.associations.create_many(*PAIR, items))

    assert result.ok and len(targets(sb, "1")) == 600
    assert [s for _, s, _ in log(sb)] == [201] * 6  # paced: no 429


def test_dated_api_version_uses_the_dated_records_paths(connect: Connect) -> None:
    # A sandbox of its own, answering each path as the version it names (emulate "auto").
    with Sandbox(rate_limit=None) as own:
        api = connect(own, api_version="2026-03")

        made = api(lambda c: c.associations.create_many(*PAIR, [(1, 2, UNLABELLED)]))
        removed = api(lambda c: c.associations.remove_many(*PAIR, [(1, 2)]))
        api(lambda c: c.associations.associate("contacts", 1, "companies", 3))

        assert made.ok and removed.ok
        assert [r.path for r in own.requests] == [
            "/crm/associations/2026-03/contacts/companies/batch/create",
            "/crm/associations/2026-03/contacts/companies/batch/archive",
            "/crm/objects/2026-03/contacts/1/associations/default/companies/3",
        ]
        assert [r.status for r in own.requests] == [201, 200, 200]  # 2026-03 archives: a body
        assert set(targets(own, "1")) == {"3"}
