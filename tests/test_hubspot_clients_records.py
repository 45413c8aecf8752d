"""HubSpot's own Python client drives the records operations against the sandbox.

Like tests/test_hubspot_clients.py for the schema operations: the sandbox serves users of any
client. hubspot-api-client (12.x, in the dev extra) calls the v4 records paths; each call's
effect is checked in the sandbox's state and each parsed answer against what it holds.

Nine of the ten operations: hubspot-api-client cannot read the high-usage report answer as
HubSpot's spec publishes it (its generator maps the spec's object named ``DateTime`` to a
Python datetime and fails on the object), so that one is exercised with our client only.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicDefaultAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
    PublicAssociationMultiArchive,
    PublicAssociationMultiPost,
    PublicDefaultAssociationMultiPost,
    PublicFetchAssociationsBatchRequest,
    PublicObjectId,
)

from hubspot_assoc.sandbox import Sandbox

FROM, TO = "contacts", "companies"
UNLABELLED = AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=279)
PRIMARY = AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=None) as sandbox:
        yield sandbox


def targets(sb: Sandbox, contact: str) -> set[str]:
    return set(sb.state.records.targets("0-1", contact, "0-2"))


def test_hubspot_api_client_drives_every_records_operation(sb: Sandbox) -> None:
    api = HubSpot(access_token=sb.token, host=sb.url).crm.associations.v4
    made = api.basic_api.create(FROM, "1", TO, "2", [PRIMARY])
    assert made.labels == ["Primary"] and made.to_object_id == "2"
    api.basic_api.create_default(FROM, "1", TO, "3")
    page = api.basic_api.get_page(FROM, "1", TO, limit=1)
    assert [r.to_object_id for r in page.results] == ["2"] and page.paging.next.after
    rest = api.basic_api.get_page(FROM, "1", TO, after=page.paging.next.after)
    assert [r.to_object_id for r in rest.results] == ["3"] and rest.paging is None

    created = api.batch_api.create(
        FROM, TO, BatchInputPublicAssociationMultiPost(inputs=[
            PublicAssociationMultiPost(_from=PublicObjectId(id="4"), to=PublicObjectId(id=n),
                                       types=[UNLABELLED])
            for n in ("5", "6")
        ]),
    )  # fmt: skip
    assert created.status == "COMPLETE" and len(created.results) == 2
    api.batch_api.create_default(
        FROM, TO, BatchInputPublicDefaultAssociationMultiPost(inputs=[
            PublicDefaultAssociationMultiPost(_from=PublicObjectId(id="7"),
                                              to=PublicObjectId(id="5"))
        ]),
    )  # fmt: skip
    read = api.batch_api.get_page(
        FROM, TO, BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[PublicFetchAssociationsBatchRequest(id="4")]
        ),
    )  # fmt: skip
    assert sorted(t.to_object_id for t in read.results[0].to) == ["5", "6"]
    api.batch_api.archive_labels(
        FROM, TO, BatchInputPublicAssociationMultiPost(inputs=[
            PublicAssociationMultiPost(_from=PublicObjectId(id="1"), to=PublicObjectId(id="2"),
                                       types=[PRIMARY])
        ]),
    )  # fmt: skip
    assert sb.state.records.targets("0-1", "1", "0-2")["2"] == {("HUBSPOT_DEFINED", 279)}
    api.batch_api.archive(
        FROM, TO, BatchInputPublicAssociationMultiArchive(inputs=[
            PublicAssociationMultiArchive(_from=PublicObjectId(id="4"),
                                          to=[PublicObjectId(id="5"), PublicObjectId(id="6")])
        ]),
    )  # fmt: skip
    api.basic_api.archive(FROM, "1", TO, "3")
    assert targets(sb, "4") == set() and targets(sb, "1") == {"2"} and targets(sb, "7") == {"5"}
    assert all(r.status is not None and 200 <= r.status < 300 for r in sb.requests)
    assert {r.route for r in sb.requests} == {
        "associations.create",
        "associations.create_default",
        "associations.list",
        "associations.batch_create",
        "associations.batch_default",
        "associations.batch_read",
        "associations.batch_archive_labels",
        "associations.batch_archive",
        "associations.remove",
    }
