"""Every ``client.associations`` operation, replayed offline from cassettes.

The cassettes in ``tests/cassettes/test_associations_cassettes/`` were recorded from the
sandbox and replay without any server (Authorization headers scrubbed, see tests/conftest.py).

Re-record from the sandbox::

    python -m pytest tests/test_associations_cassettes.py --record-mode=rewrite

Re-record the success paths against a real HubSpot test portal (a private app with the
crm.objects.contacts/companies read and write scopes, and contacts/companies whose ids you put
in HUBSPOT_TEST_CONTACT / HUBSPOT_TEST_COMPANIES, comma-separated) by setting
HUBSPOT_RECORD_LIVE=1 and HUBSPOT_ACCESS_TOKEN as for tests/test_facade_cassettes.py; the
limit-refusal cases are always recorded from the sandbox.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hubspot_assoc import (
    Association,
    AssociationsByRecord,
    BadRequestError,
    Category,
    InvalidInputError,
    RecordPair,
    UsageReport,
)

from .test_facade_cassettes import Target, _target

FROM, TO = "contacts", "companies"
PRIMARY = "HUBSPOT_DEFINED:1"
UNLABELLED = ("HUBSPOT_DEFINED", 279)


def _ids() -> tuple[str, list[str]]:
    if os.environ.get("HUBSPOT_RECORD_LIVE") == "1":
        contact = os.environ["HUBSPOT_TEST_CONTACT"]
        return contact, os.environ["HUBSPOT_TEST_COMPANIES"].split(",")
    return "101", [str(n) for n in range(201, 206)]


@pytest.fixture
def target(record_mode: str) -> Iterator[Target]:
    yield from _target(record_mode, live_allowed=True, rate_limit=None)


@pytest.fixture
def sandbox_target(record_mode: str) -> Iterator[Target]:
    yield from _target(record_mode, live_allowed=False, rate_limit=None)


@pytest.mark.vcr
def test_one_record_round_trip(target: Target) -> None:
    contact, companies = _ids()
    with target.client() as client:
        api = client.associations
        made = api.associate(FROM, contact, TO, companies[0])
        assert isinstance(made, Association)
        assert (made.from_id, made.to_id, made.to_type) == (contact, companies[0], TO)
        assert [t.key for t in made.types] == [UNLABELLED]
        labelled = api.associate(FROM, int(contact), TO, int(companies[1]), [PRIMARY])
        assert (
            labelled.labels == ["Primary"]
            and labelled.types[0].category is Category.HUBSPOT_DEFINED
        )
        listed = list(api.list(FROM, contact, TO, page_size=1))  # one request per page
        assert [a.to_id for a in listed] == companies[:2]
        assert {t.type_id for t in listed[1].types} == {1, 279}
        api.remove(FROM, contact, TO, companies[1])
        assert [a.to_id for a in api.list(FROM, contact, TO)] == companies[:1]
        report = api.high_usage_report(42)
        assert isinstance(report, UsageReport) and report.user_id == 42
        assert report.user_email and report.enqueued_at is not None


@pytest.mark.vcr
def test_batches_round_trip(target: Target) -> None:
    contact, companies = _ids()
    others = [str(int(contact) + n) for n in (1, 2)]
    with target.client() as client:
        api = client.associations
        created = api.create_many(
            FROM, TO, [(contact, c, [PRIMARY if c == companies[0] else "HUBSPOT_DEFINED:279"])
                       for c in companies], batch_size=2,
        )  # fmt: skip
        assert created.ok and created.status == "COMPLETE"
        assert [p.to_id for p in created.succeeded] == companies  # three requests, merged
        assert all(isinstance(p, RecordPair) for p in created.succeeded)
        defaults = api.associate_defaults(FROM, TO, [(o, companies[0]) for o in others])
        assert defaults.ok and [a.from_id for a in defaults.results] == others
        read = api.read_many(FROM, TO, [contact, *others, "999999"])
        assert isinstance(read, AssociationsByRecord)
        assert sorted(a.to_id for a in read[contact]) == sorted(companies)
        assert [a.to_id for a in read[others[0]]] == [companies[0]]
        assert read.failed_ids == ["999999"] and len(read.errors) == 1
        stripped = api.remove_labels(FROM, TO, [(contact, companies[0], [PRIMARY])])
        assert stripped.ok
        kept = next(a for a in api.list(FROM, contact, TO) if a.to_id == companies[0])
        assert [t.key for t in kept.types] == [UNLABELLED]
        removed = api.remove_many(FROM, TO, [(contact, c) for c in companies])
        assert removed.ok and len(removed.succeeded) == len(companies)
        assert list(api.list(FROM, contact, TO)) == []


@pytest.mark.vcr
def test_limits_refuse_per_input_and_single(sandbox_target: Target) -> None:
    with sandbox_target.client() as client:
        client.limits.create(FROM, TO, [("HUBSPOT_DEFINED", 279, 2)])
        api = client.associations
        result = api.create_many(FROM, TO, [(1, n, [UNLABELLED]) for n in (11, 12, 13, 14)])
        assert not result.ok and result.status == "COMPLETE"
        assert [p.to_id for p in result.succeeded] == ["11", "12"]
        failures = result.failures()
        assert [p.to_id for p, _ in failures] == ["13", "14"]
        assert all(e is not None and e.category == "VALIDATION_ERROR" for _, e in failures)
        assert all(e is not None and "limit" in e.message.lower() for _, e in failures)
        with pytest.raises(BadRequestError) as caught:
            api.associate(FROM, 1, TO, 15)
        assert caught.value.category == "VALIDATION_ERROR"
        assert "limit" in str(caught.value).lower()
        client.limits.purge(FROM, TO, [UNLABELLED])
        assert api.associate(FROM, 1, TO, 15).to_id == "15"


def test_bad_input_is_refused_before_any_request(target: Target) -> None:
    with target.client() as client:
        api = client.associations
        for bad in (None, True, 1.0, "", " 1", "1/2", "-1", 0, "01"):
            with pytest.raises(InvalidInputError, match="from_id"):
                api.associate(FROM, bad, TO, 1)  # type: ignore[arg-type]
        with pytest.raises(InvalidInputError, match="page_size"):
            api.list(FROM, 1, TO, page_size=501)
        with pytest.raises(InvalidInputError, match=r"items\[0\]\.types"):
            api.create_many(FROM, TO, [(1, 2)])
        with pytest.raises(InvalidInputError, match=r"ids\[1\]"):
            api.read_many(FROM, TO, [1, "x"])
        with pytest.raises(InvalidInputError, match="batch_size"):
            api.read_many(FROM, TO, [1], batch_size=101)
        with pytest.raises(InvalidInputError, match="types"):
            api.associate(FROM, 1, TO, 2, [])
        with pytest.raises(InvalidInputError, match="to_type"):
            api.remove(FROM, 1, "a/b", 2)
