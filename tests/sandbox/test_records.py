"""The sandbox's association records routes: shapes, both directions, paging and limits."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox
from hubspot_assoc.sandbox.record_store import decode_cursor, encode_cursor

from .conftest import batch_path

OBJ = "/crm/v4/objects"
ASSOC = "/crm/v4/associations"
UNLABELLED = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}
PRIMARY = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 1}


def put(c: httpx.Client, from_id: object, to_id: object, types: Any = None) -> httpx.Response:
    return c.put(
        f"{OBJ}/contacts/{from_id}/associations/companies/{to_id}",
        json=[UNLABELLED] if types is None else types,
    )


def listing(c: httpx.Client, path: str, **params: object) -> dict[str, Any]:
    r = c.get(path, params=params)
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def set_limit(c: httpx.Client, value: int, type_id: int = 279, pair: str = "contacts/companies"):
    a, b = pair.split("/")
    body = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "maxToObjectIds": value}]}
    assert c.post(batch_path("create", a, b), json=body).status_code == 201


def batch(c: httpx.Client, kind: str, inputs: list[Any], prefix: str = ASSOC) -> httpx.Response:
    return c.post(f"{prefix}/contacts/companies/batch/{kind}", json={"inputs": inputs})


def pair(from_id: str, to_id: str, *types: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"from": {"id": from_id}, "to": {"id": to_id}}
    if types:
        out["types"] = list(types)
    return out


# -- single routes ---------------------------------------------------------------------------


def test_put_answers_201_with_the_pair_and_its_labels(sb: Sandbox, client: httpx.Client) -> None:
    r = put(client, 1, 2, [PRIMARY])
    assert r.status_code == 201
    assert r.json() == {
        "fromObjectTypeId": "0-1",
        "fromObjectId": "1",
        "toObjectTypeId": "0-2",
        "toObjectId": "2",
        "labels": ["Primary"],
    }
    # The labelled type brings the unlabelled one with it, and both have their inverses.
    assert sb.state.records.targets("0-1", "1", "0-2") == {
        "2": {("HUBSPOT_DEFINED", 1), ("HUBSPOT_DEFINED", 279)}
    }
    assert sb.state.records.targets("0-2", "2", "0-1") == {
        "1": {("HUBSPOT_DEFINED", 2), ("HUBSPOT_DEFINED", 280)}
    }


def test_list_shows_both_directions_with_labels(client: httpx.Client) -> None:
    put(client, 1, 2, [PRIMARY])
    forward = listing(client, f"{OBJ}/contacts/1/associations/companies")
    assert forward == {
        "results": [
            {
                "toObjectId": "2",
                "associationTypes": [
                    {"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"},
                    {"category": "HUBSPOT_DEFINED", "typeId": 279},
                ],
            }
        ]
    }
    backward = listing(client, f"{OBJ}/0-2/2/associations/0-1")
    assert [t["typeId"] for t in backward["results"][0]["associationTypes"]] == [2, 280]


def test_put_default_answers_200_batch_shape(sb: Sandbox, client: httpx.Client) -> None:
    r = client.put(f"{OBJ}/deals/7/associations/default/contacts/8")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "COMPLETE"
    assert data["results"] == [
        {
            "from": {"id": "7"},
            "to": {"id": "8"},
            "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3},
        }
    ]
    assert sb.state.records.targets("0-1", "8", "0-3") == {"7": {("HUBSPOT_DEFINED", 4)}}


def test_delete_removes_both_directions_and_is_idempotent(
    sb: Sandbox, client: httpx.Client
) -> None:
    put(client, 1, 2, [PRIMARY])
    for _ in range(2):
        r = client.delete(f"{OBJ}/contacts/1/associations/companies/2")
        assert r.status_code == 204 and r.content == b""
    assert sb.state.records.total() == 0


def test_user_defined_label_gets_its_partner_in_reverse(sb: Sandbox, client: httpx.Client) -> None:
    created = client.post(
        "/crm/associations/v4/contacts/companies/labels",
        json={"name": "billing", "label": "Billing contact", "inverseLabel": "Billed company"},
    ).json()["results"]
    forward = next(t for t in created if t["fromObjectTypeId"] == "0-1")["typeId"]
    backward = next(t for t in created if t["fromObjectTypeId"] == "0-2")["typeId"]
    types = [{"associationCategory": "USER_DEFINED", "associationTypeId": forward}]
    assert put(client, 3, 4, types).json()["labels"] == ["Billing contact"]
    assert sb.state.records.targets("0-2", "4", "0-1")["3"] == {
        ("USER_DEFINED", backward),
        ("HUBSPOT_DEFINED", 280),
    }


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ([], "REQUIRED"),
        ([{"associationCategory": "NOPE", "associationTypeId": 279}], "INVALID_ENUM"),
        (
            [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": "279"}],
            "INVALID_INTEGER",
        ),
        ({"associationCategory": "HUBSPOT_DEFINED"}, "INVALID_TYPE"),
    ],
)
def test_put_rejects_bad_bodies_and_changes_nothing(
    sb: Sandbox, client: httpx.Client, body: Any, code: str
) -> None:
    r = put(client, 1, 2, body)
    assert r.status_code == 400
    assert r.json()["category"] == "VALIDATION_ERROR"
    assert r.json()["errors"][0]["code"] == code
    assert sb.state.records.total() == 0


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "1.5", "01", "12345678901234567890"])
def test_malformed_record_ids_are_400(client: httpx.Client, bad: str) -> None:
    r = put(client, bad, 2)
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "INVALID_OBJECT_ID"


def test_unknown_type_for_the_pair_is_400(client: httpx.Client) -> None:
    r = put(client, 1, 2, [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}])
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "INVALID_ASSOCIATION_TYPE"


def test_unknown_object_type_is_404_and_wrong_method_405(client: httpx.Client) -> None:
    assert client.get(f"{OBJ}/widgets/1/associations/companies").status_code == 404
    assert client.post(f"{OBJ}/contacts/1/associations/companies/2").status_code == 405
    assert client.get(f"{ASSOC}/contacts/companies/batch/create").status_code == 405


def test_deleted_record_is_404_single_and_per_input_in_batch(
    sb: Sandbox, client: httpx.Client
) -> None:
    sb.state.records.delete_record("0-2", "2")
    r = put(client, 1, 2)
    assert r.status_code == 404 and r.json()["category"] == "OBJECT_NOT_FOUND"
    r = batch(client, "create", [pair("1", "2", UNLABELLED), pair("1", "3", UNLABELLED)])
    assert r.status_code == 207
    assert [x["toObjectId"] for x in r.json()["results"]] == ["3"]
    assert r.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"


def test_scopes_are_required_for_both_object_types(sb: Sandbox, client: httpx.Client) -> None:
    token = sb.create_token(scopes=["crm.objects.contacts.write"])
    r = client.put(
        f"{OBJ}/contacts/1/associations/companies/2",
        json=[UNLABELLED],
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403
    assert "crm.objects.companies.write" in r.text
    assert sb.state.records.total() == 0


def test_usage_report(client: httpx.Client) -> None:
    r = client.post(f"{ASSOC}/usage/high-usage-report/42")
    assert r.status_code == 200
    data = r.json()
    assert data["userId"] == 42 and "@" in data["userEmail"]
    assert set(data["enqueueTime"]) == {"value", "dateOnly", "timeZoneShift"}
    assert client.post(f"{ASSOC}/usage/high-usage-report/x").status_code == 400


# -- paging ----------------------------------------------------------------------------------


def test_list_pages_in_numeric_order_with_opaque_cursors(client: httpx.Client) -> None:
    for to_id in (10, 9, 100, 2):
        put(client, 1, to_id)
    seen: list[str] = []
    after = None
    pages = 0
    while True:
        params: dict[str, object] = {"limit": 3}
        if after:
            params["after"] = after
        data = listing(client, f"{OBJ}/contacts/1/associations/companies", **params)
        seen += [r["toObjectId"] for r in data["results"]]
        pages += 1
        after = data.get("paging", {}).get("next", {}).get("after")
        if after is None:
            break
        assert not after.isdigit()  # opaque, not the id itself
    assert seen == ["2", "9", "10", "100"] and pages == 2


def test_cursor_survives_a_removal_between_pages(client: httpx.Client) -> None:
    for to_id in (1, 2, 3, 4):
        put(client, 5, to_id)
    first = listing(client, f"{OBJ}/contacts/5/associations/companies", limit=2)
    client.delete(f"{OBJ}/contacts/5/associations/companies/2")
    after = first["paging"]["next"]["after"]
    rest = listing(client, f"{OBJ}/contacts/5/associations/companies", limit=2, after=after)
    assert [r["toObjectId"] for r in rest["results"]] == ["3", "4"]
    assert "paging" not in rest


def test_bad_cursor_and_limit_are_400(client: httpx.Client) -> None:
    path = f"{OBJ}/contacts/1/associations/companies"
    assert client.get(path, params={"after": "garbage!"}).status_code == 400
    assert client.get(path, params={"limit": "0"}).status_code == 400
    assert client.get(path, params={"limit": "ten"}).status_code == 400
    assert client.get(path, params={"limit": "100000"}).status_code == 200  # clamped to 500


def test_cursor_round_trip() -> None:
    assert decode_cursor(encode_cursor("123")) == 123
    assert decode_cursor("MTIz") is None  # base64 of "123" without our prefix


# -- batches -----------------------------------------------------------------------------------


def test_batch_create_201_then_207_with_per_input_errors(client: httpx.Client) -> None:
    r = batch(client, "create", [pair("1", "2", UNLABELLED), pair("1", "3", PRIMARY)])
    assert r.status_code == 201
    assert [(x["toObjectId"], x["labels"]) for x in r.json()["results"]] == [
        ("2", []),
        ("3", ["Primary"]),
    ]
    bad_type = {"associationCategory": "USER_DEFINED", "associationTypeId": 99999}
    r = batch(client, "create", [pair("1", "4", bad_type), pair("1", "5", UNLABELLED)])
    assert r.status_code == 207
    data = r.json()
    assert data["numErrors"] == 1 and len(data["results"]) == 1
    error = data["errors"][0]
    assert error["status"] == "error" and error["category"] == "VALIDATION_ERROR"
    assert error["context"]["associationTypeId"] == ["99999"]


def test_batch_structural_problems_fail_the_whole_request(
    sb: Sandbox, client: httpx.Client
) -> None:
    r = batch(client, "create", [pair("1", "2", UNLABELLED), {"from": {"id": "1"}}])
    assert r.status_code == 400
    assert {e["in"] for e in r.json()["errors"]} == {"inputs[1].to", "inputs[1].types"}
    assert sb.state.records.total() == 0
    too_many = [pair("1", str(i), UNLABELLED) for i in range(1, 102)]
    assert batch(client, "create", too_many).status_code == 400
    assert client.post(f"{ASSOC}/contacts/companies/batch/read", json={}).status_code == 400


def test_batch_default_answers_200(sb: Sandbox, client: httpx.Client) -> None:
    r = batch(client, "associate/default", [pair("1", "2"), pair("3", "4")])
    assert r.status_code == 200
    assert [x["associationSpec"]["associationTypeId"] for x in r.json()["results"]] == [279, 279]
    assert sb.state.records.targets("0-2", "4", "0-1") == {"3": {("HUBSPOT_DEFINED", 280)}}


def test_batch_read_pages_per_id_and_reports_ids_without_associations(
    sb: Sandbox, client: httpx.Client
) -> None:
    sb.state.records.read_page_size = 2
    for to_id in (1, 2, 3):
        put(client, 10, to_id)
    put(client, 11, 1)
    r = batch(client, "read", [{"id": "10"}, {"id": "11"}, {"id": "12"}])
    assert r.status_code == 207
    data = r.json()
    by_id = {x["from"]["id"]: x for x in data["results"]}
    assert [t["toObjectId"] for t in by_id["10"]["to"]] == ["1", "2"]
    assert "paging" not in by_id["11"]
    assert data["errors"][0]["context"] == {"fromObjectId": ["12"]}
    after = by_id["10"]["paging"]["next"]["after"]
    r = batch(client, "read", [{"id": "10", "after": after}])
    assert r.status_code == 200
    (only,) = r.json()["results"]
    assert [t["toObjectId"] for t in only["to"]] == ["3"] and "paging" not in only


def test_batch_archive_v4_204_and_dated_200(sb: Sandbox, client: httpx.Client) -> None:
    for to_id in (1, 2, 3):
        put(client, 1, to_id)
    r = batch(client, "archive", [{"from": {"id": "1"}, "to": [{"id": "1"}, {"id": "2"}]}])
    assert r.status_code == 204 and r.content == b""
    assert set(sb.state.records.targets("0-1", "1", "0-2")) == {"3"}
    dated = "/crm/associations/2026-03"
    r = batch(client, "archive", [{"from": {"id": "1"}, "to": [{"id": "3"}]}], prefix=dated)
    assert r.status_code == 200 and r.json()["status"] == "COMPLETE"
    assert sb.state.records.total() == 0


def test_batch_archive_labels_keeps_the_unlabelled_type(sb: Sandbox, client: httpx.Client) -> None:
    put(client, 1, 2, [PRIMARY])
    r = batch(client, "labels/archive", [pair("1", "2", PRIMARY)])
    assert r.status_code == 204
    assert sb.state.records.targets("0-1", "1", "0-2") == {"2": {("HUBSPOT_DEFINED", 279)}}
    assert sb.state.records.targets("0-2", "2", "0-1") == {"1": {("HUBSPOT_DEFINED", 280)}}
    unknown = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 4}
    assert batch(client, "labels/archive", [pair("1", "2", unknown)]).status_code == 400


@pytest.mark.parametrize(
    "prefix", ["/crm/associations/2026-03", "/crm/associations/2025-09", "/crm/associations/v4"]
)
def test_dated_paths_serve_the_same_records(sb: Sandbox, client: httpx.Client, prefix: str) -> None:
    version = prefix.rsplit("/", 1)[1]
    objects = f"/crm/objects/{version}"
    assert batch(client, "create", [pair("1", "2", UNLABELLED)], prefix=prefix).status_code == 201
    data = listing(client, f"{objects}/contacts/1/associations/companies")
    assert [r["toObjectId"] for r in data["results"]] == ["2"]
    assert client.put(f"{objects}/contacts/1/associations/default/companies/3").status_code == 200
    assert client.delete(f"{objects}/contacts/1/associations/companies/2").status_code == 204
    assert set(sb.state.records.targets("0-1", "1", "0-2")) == {"3"}


# -- limits ----------------------------------------------------------------------------------


def test_limit_refuses_the_third_association_until_purged(
    sb: Sandbox, client: httpx.Client
) -> None:
    set_limit(client, 2)
    assert put(client, 1, 2).status_code == 201
    assert put(client, 1, 3).status_code == 201
    refused = put(client, 1, 4)
    assert refused.status_code == 400
    body = refused.json()
    assert body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "ASSOCIATION_LIMIT_EXCEEDED"
    assert body["context"]["limit"] == ["2"] and body["context"]["toObjectId"] == ["4"]
    assert "279" in body["message"] and "2" in body["message"]
    assert "4" not in sb.state.records.targets("0-1", "1", "0-2")
    # Re-adding a pair already there takes no room; another contact has its own room.
    assert put(client, 1, 2).status_code == 201
    assert put(client, 9, 4).status_code == 201
    purge = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
    assert client.post(batch_path("purge"), json=purge).status_code == 204
    assert put(client, 1, 4).status_code == 201


def test_limit_counts_labelled_associations_through_their_unlabelled_type(
    client: httpx.Client,
) -> None:
    set_limit(client, 1)
    assert put(client, 1, 2, [PRIMARY]).status_code == 201
    assert put(client, 1, 3, [PRIMARY]).status_code == 400


def test_limit_in_the_reverse_direction_is_enforced(sb: Sandbox, client: httpx.Client) -> None:
    set_limit(client, 1, type_id=280, pair="companies/contacts")
    assert put(client, 1, 7).status_code == 201
    r = put(client, 2, 7)  # company 7 already has its one contact
    assert r.status_code == 400
    assert r.json()["context"]["fromObjectId"] == ["7"]
    assert sb.state.records.targets("0-1", "2", "0-2") == {}


def test_limit_is_enforced_per_input_in_batches(sb: Sandbox, client: httpx.Client) -> None:
    set_limit(client, 2)
    inputs = [pair("1", str(i), UNLABELLED) for i in (1, 2, 3, 4)]
    r = batch(client, "create", inputs)
    assert r.status_code == 207
    data = r.json()
    assert [x["toObjectId"] for x in data["results"]] == ["1", "2"]
    assert [e["context"]["toObjectId"] for e in data["errors"]] == [["3"], ["4"]]
    assert all(e["errors"][0]["code"] == "ASSOCIATION_LIMIT_EXCEEDED" for e in data["errors"])
    r = batch(client, "associate/default", [pair("1", "5"), pair("2", "5")])
    assert r.status_code == 200  # the only status HubSpot publishes for this route
    assert r.json()["numErrors"] == 1
    assert [x["from"]["id"] for x in r.json()["results"]] == ["2"]


def test_limits_are_not_retroactive(sb: Sandbox, client: httpx.Client) -> None:
    for to_id in (1, 2, 3):
        put(client, 1, to_id)
    set_limit(client, 2)
    assert len(listing(client, f"{OBJ}/contacts/1/associations/companies")["results"]) == 3
    assert put(client, 1, 4).status_code == 400
    client.delete(f"{OBJ}/contacts/1/associations/companies/1")
    assert put(client, 1, 4).status_code == 400  # still 2 of 2
    client.delete(f"{OBJ}/contacts/1/associations/companies/2")
    assert put(client, 1, 4).status_code == 201


# -- faults ----------------------------------------------------------------------------------


def test_faults_select_records_routes_by_group_and_name(sb: Sandbox, client: httpx.Client) -> None:
    sb.inject(503, route="associations", count=1)
    assert put(client, 1, 2).status_code == 503
    assert sb.state.records.total() == 0
    sb.inject(500, route="associations.batch_read", count=1)
    assert client.get("/crm/associations/v4/contacts/companies/labels").status_code == 200
    assert batch(client, "read", [{"id": "1"}]).status_code == 500
    sb.inject("drop_after", route="associations.create", count=1)
    with pytest.raises(httpx.TransportError):
        put(client, 1, 3)
    assert "3" in sb.state.records.targets("0-1", "1", "0-2")  # applied, answer lost
    with pytest.raises(ValueError, match="associations"):
        sb.inject(503, route="associationz")


def test_reset_forgets_records(sb: Sandbox, client: httpx.Client) -> None:
    put(client, 1, 2)
    sb.state.records.read_page_size = 1
    sb.reset()
    assert sb.state.records.total() == 0 and sb.state.records.read_page_size == 500
