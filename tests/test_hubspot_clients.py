"""HubSpot's own Python clients drive the nine operations against the sandbox and read the answers.

The sandbox must serve users of any client, not only ours: hubspot-api-client (12.x) calls the
older ``/crm/v4/associations/...`` prefix, hubspot-sdk (0.1.0a9) the dated ``2026-03`` paths.
Both are in the ``dev`` extra so these tests always run. Each call's effect is checked in the
sandbox's state and its log, and each parsed answer against what the sandbox holds.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hubspot import HubSpot
from hubspot.crm.associations.v4.schema import (
    BatchInputPublicAssociationDefinitionConfigurationCreateRequest,
    BatchInputPublicAssociationDefinitionConfigurationUpdateRequest,
    BatchInputPublicAssociationSpec,
    PublicAssociationDefinitionConfigurationCreateRequest,
    PublicAssociationDefinitionConfigurationUpdateRequest,
    PublicAssociationDefinitionCreateRequest,
    PublicAssociationDefinitionUpdateRequest,
    PublicAssociationSpec,
)
from hubspot_sdk import HubSpot as HubSpotSdk

from hubspot_assoc.sandbox import Sandbox

FROM, TO = "contacts", "companies"
ROUTES = [
    "limits.list_all",
    "limits.create",
    "limits.update",
    "limits.list",
    "labels.create",
    "labels.update",
    "labels.list",
    "labels.delete",
    "limits.purge",
]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=None) as sandbox:
        yield sandbox


def assert_served(sb: Sandbox, prefix: str, emulated: str) -> None:
    """Nine requests, one per operation, all under ``prefix``, all answered with success."""
    requests = sb.requests
    assert [r.route for r in requests] == ROUTES
    assert all(r.path.startswith(prefix) for r in requests), [r.path for r in requests]
    assert all(r.status is not None and 200 <= r.status < 300 for r in requests)
    assert {r.emulated for r in requests} == {emulated}


def test_hubspot_api_client_works_on_the_legacy_prefix(sb: Sandbox) -> None:
    api = HubSpot(access_token=sb.token, host=sb.url)
    configs = api.crm.associations.v4.schema.definition_configurations_api
    definitions = api.crm.associations.v4.schema.definitions_api

    assert configs.get_all().results == []  # a fresh portal has no limits configured
    created = configs.batch_create(
        FROM,
        TO,
        BatchInputPublicAssociationDefinitionConfigurationCreateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationCreateRequest(
                    category="HUBSPOT_DEFINED", type_id=279, max_to_object_ids=3
                )
            ]
        ),
    )
    assert created.status == "COMPLETE"
    assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in created.results] == [(279, 3)]
    updated = configs.batch_update(
        FROM,
        TO,
        BatchInputPublicAssociationDefinitionConfigurationUpdateRequest(
            inputs=[
                PublicAssociationDefinitionConfigurationUpdateRequest(
                    category="HUBSPOT_DEFINED", type_id=279, max_to_object_ids=8
                )
            ]
        ),
    )
    assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in updated.results] == [(279, 8)]
    pair = configs.get_all_between_two_object_types(FROM, TO).results
    assert {(r.type_id, r.user_enforced_max_to_object_ids) for r in pair} >= {(279, 8), (1, None)}

    labels = definitions.create(
        FROM, TO, PublicAssociationDefinitionCreateRequest(name="boss", label="Boss")
    ).results
    assert [label.label for label in labels] == ["Boss", "Boss"]
    type_id = labels[0].type_id
    definitions.update(
        FROM,
        TO,
        PublicAssociationDefinitionUpdateRequest(association_type_id=type_id, label="Chief"),
    )
    listed = {label.type_id: label.label for label in definitions.get_all(FROM, TO).results}
    assert listed[type_id] == "Chief"
    definitions.remove(FROM, TO, type_id)
    configs.batch_remove(
        FROM,
        TO,
        BatchInputPublicAssociationSpec(
            inputs=[PublicAssociationSpec(category="HUBSPOT_DEFINED", type_id=279)]
        ),
    )

    assert_served(sb, "/crm/v4/associations/", "v4")
    assert sb.state.limit(FROM, TO, "HUBSPOT_DEFINED", 279) is None
    assert type_id not in {t["typeId"] for t in sb.state.labels(FROM, TO)}


def test_hubspot_sdk_works_on_the_dated_paths(sb: Sandbox) -> None:
    sdk = HubSpotSdk(access_token=sb.token, base_url=sb.url, max_retries=0)
    schema = sdk.crm.associations_schema
    try:
        assert schema.limits.list().results == []
        created = schema.labels.batch_create(
            TO,
            from_object_type=FROM,
            inputs=[{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 3}],
        )
        assert created.status == "COMPLETE"
        assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in created.results] == [
            (279, 3)
        ]
        updated = schema.limits.batch_update(
            TO,
            from_object_type=FROM,
            inputs=[{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 8}],
        )
        assert [(r.type_id, r.user_enforced_max_to_object_ids) for r in updated.results] == [
            (279, 8)
        ]
        pair = schema.limits.get_by_object_types(TO, from_object_type=FROM).results
        assert {(r.type_id, r.user_enforced_max_to_object_ids) for r in pair} >= {(279, 8)}

        labels = schema.labels.create_label(
            TO, from_object_type=FROM, label="Boss", name="boss"
        ).results
        assert [label.label for label in labels] == ["Boss", "Boss"]
        # 2026-03 labels name their object types (this SDK keeps fields it has no name for)
        first = labels[0].to_dict()
        assert (first["fromObjectTypeId"], first["toObjectTypeId"]) == ("0-1", "0-2")
        type_id = labels[0].type_id
        schema.labels.update_label(
            TO, from_object_type=FROM, association_type_id=type_id, label="Chief"
        )
        listed = schema.labels.list_labels(TO, from_object_type=FROM).results
        assert {label.type_id: label.label for label in listed}[type_id] == "Chief"
        schema.labels.delete_label(type_id, from_object_type=FROM, to_object_type=TO)
        schema.limits.batch_delete(
            TO, from_object_type=FROM, inputs=[{"category": "HUBSPOT_DEFINED", "typeId": 279}]
        )
    finally:
        sdk.close()

    assert_served(sb, "/crm/associations/2026-03/", "2026-03")
    assert sb.state.limit(FROM, TO, "HUBSPOT_DEFINED", 279) is None
    assert type_id not in {t["typeId"] for t in sb.state.labels(FROM, TO)}
