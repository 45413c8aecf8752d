"""Seed contents and the success path of every route."""

from __future__ import annotations

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import LIMITS, batch_path, labels_path


def _types(response: httpx.Response) -> dict[int, dict[str, object]]:
    assert response.status_code == 200, response.text
    return {item["typeId"]: item for item in response.json()["results"]}


def test_seed_has_hubspot_defined_types_in_both_directions(client: httpx.Client) -> None:
    forward = _types(client.get(labels_path("contacts", "companies")))
    backward = _types(client.get(labels_path("companies", "contacts")))
    assert {279, 1} <= forward.keys()
    assert {280, 2} <= backward.keys()
    assert forward[1]["label"] == "Primary" and backward[2]["label"] == "Primary"
    assert "label" not in forward[279]
    assert forward[279]["category"] == "HUBSPOT_DEFINED"
    assert forward[279]["fromObjectTypeId"] == "0-1" and forward[279]["toObjectTypeId"] == "0-2"
    assert 3 in _types(client.get(labels_path("deals", "contacts")))
    assert 4 in _types(client.get(labels_path("contacts", "deals")))
    assert 202 in _types(client.get(labels_path("notes", "contacts")))


@pytest.mark.parametrize(
    ("from_type", "to_type"),
    [("contacts", "companies"), ("contact", "company"), ("0-1", "0-2"), ("CONTACTS", "0-2")],
)
def test_object_types_by_name_singular_plural_or_id(
    client: httpx.Client, from_type: str, to_type: str
) -> None:
    assert {279, 1} <= _types(client.get(labels_path(from_type, to_type))).keys()


def test_custom_object_registered_in_state_is_served(sb: Sandbox, client: httpx.Client) -> None:
    sb.state.add_object_type("2-777", "machine", "machines")
    assert client.get(labels_path("2-777", "contacts")).json() == {"results": []}
    assert client.get(labels_path("2-778", "contacts")).status_code == 404


def test_limit_listing_create_update_and_all(sb: Sandbox, client: httpx.Client) -> None:
    assert client.get(f"{LIMITS}/all").json() == {"results": []}
    body = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 5}]}
    created = client.post(batch_path("create"), json=body)
    assert created.status_code == 201
    data = created.json()
    assert data["status"] == "COMPLETE"
    assert data["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 5}
    ]
    assert {"startedAt", "completedAt", "requestedAt"} <= data.keys()
    assert "errors" not in data
    assert sb.state.limits("contacts", "companies") == {("HUBSPOT_DEFINED", 279): 5}

    pair = _types(client.get(f"{LIMITS}/contacts/companies"))
    assert pair[279]["userEnforcedMaxToObjectIds"] == 5
    assert "userEnforcedMaxToObjectIds" not in pair[1]
    assert pair[1]["label"] == "Primary"

    body["inputs"][0]["maxToObjectIds"] = 7
    updated = client.post(batch_path("update"), json=body)
    assert updated.status_code == 200
    assert updated.json()["results"] == [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 7}
    ]
    everything = client.get(f"{LIMITS}/all").json()["results"]
    assert everything == [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 7}
    ]


def test_purge_204_removes_limit_and_listing_shows_default(
    sb: Sandbox, client: httpx.Client
) -> None:
    sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 3)
    sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 1, 1)
    purge = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
    response = client.post(batch_path("purge"), json=purge)
    assert response.status_code == 204
    assert response.content == b""
    assert sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279) is None
    assert sb.state.limit("0-1", "0-2", "HUBSPOT_DEFINED", 1) == 1
    pair = _types(client.get(f"{LIMITS}/contacts/companies"))
    assert "userEnforcedMaxToObjectIds" not in pair[279]
    # purging again is idempotent
    assert client.post(batch_path("purge"), json=purge).status_code == 204


@pytest.mark.hubspot_sandbox(purge_response="body")
def test_purge_body_mode_answers_batch_response(sb: Sandbox, client: httpx.Client) -> None:
    sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 3)
    inputs = [
        {"category": "HUBSPOT_DEFINED", "typeId": 279},
        {"category": "HUBSPOT_DEFINED", "typeId": 1},
    ]
    response = client.post(batch_path("purge"), json={"inputs": inputs})
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "COMPLETE"
    assert data["results"] == [{}, {}]
    assert data["errors"] == [] and data["numErrors"] == 0 and data["links"] == {}
    assert {"requestedAt", "startedAt", "completedAt"} <= data.keys()
    assert sb.state.limits("contacts", "companies") == {}


def test_label_create_unpaired_pair_update_delete(sb: Sandbox, client: httpx.Client) -> None:
    created = client.post(labels_path(), json={"name": "point_of_contact", "label": "Contact"})
    assert created.status_code == 200
    results = created.json()["results"]
    # between two object types a label exists in both directions
    assert [r["category"] for r in results] == ["USER_DEFINED", "USER_DEFINED"]
    forward, backward = results
    assert (forward["fromObjectTypeId"], forward["toObjectTypeId"]) == ("0-1", "0-2")
    assert (backward["fromObjectTypeId"], backward["toObjectTypeId"]) == ("0-2", "0-1")
    assert forward["label"] == backward["label"] == "Contact"
    assert forward["typeId"] != backward["typeId"]
    listed = _types(client.get(labels_path()))
    assert listed[forward["typeId"]]["label"] == "Contact"

    renamed = client.put(
        labels_path(), json={"associationTypeId": forward["typeId"], "label": "POC"}
    )
    assert renamed.status_code == 204 and renamed.content == b""
    assert _types(client.get(labels_path()))[forward["typeId"]]["label"] == "POC"
    assert (
        _types(client.get(labels_path("companies", "contacts")))[backward["typeId"]]["label"]
        == "POC"
    )

    # a limit on the label goes when the label goes
    sb.state.set_limit("contacts", "companies", "USER_DEFINED", forward["typeId"], 2)
    deleted = client.delete(f"{labels_path()}/{forward['typeId']}")
    assert deleted.status_code == 204
    assert forward["typeId"] not in _types(client.get(labels_path()))
    assert backward["typeId"] not in _types(client.get(labels_path("companies", "contacts")))
    assert sb.state.limits("contacts", "companies") == {}


def test_paired_label_yields_two_type_ids(client: httpx.Client) -> None:
    body = {"name": "manager", "label": "Manager", "inverseLabel": "Employee"}
    results = client.post(labels_path("contacts", "contacts"), json=body).json()["results"]
    assert sorted(r["label"] for r in results) == ["Employee", "Manager"]
    assert len({r["typeId"] for r in results}) == 2
    listed = _types(client.get(labels_path("contacts", "contacts")))
    assert {r["typeId"] for r in results} <= listed.keys()
    manager = next(r for r in results if r["label"] == "Manager")
    update = {"associationTypeId": manager["typeId"], "label": "Boss", "inverseLabel": "Report"}
    assert client.put(labels_path("contacts", "contacts"), json=update).status_code == 204
    labels = {
        v.get("label") for v in _types(client.get(labels_path("contacts", "contacts"))).values()
    }
    assert {"Boss", "Report"} <= labels and "Manager" not in labels


def test_limit_on_user_defined_label(sb: Sandbox, client: httpx.Client) -> None:
    results = client.post(labels_path(), json={"name": "billing", "label": "Billing"}).json()
    type_id = results["results"][0]["typeId"]
    body = {"inputs": [{"category": "USER_DEFINED", "typeId": type_id, "maxToObjectIds": 1}]}
    response = client.post(batch_path("create"), json=body)
    assert response.status_code == 201
    assert response.json()["results"][0]["label"] == "Billing"
    assert sb.state.limits("contacts", "companies") == {("USER_DEFINED", type_id): 1}


def test_reset_restores_the_seed(sb: Sandbox, client: httpx.Client) -> None:
    client.post(labels_path(), json={"name": "x", "label": "X"})
    sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 3)
    sb.inject(503)
    sb.reset()
    assert sb.requests == [] and sb.faults == []
    assert sb.state.limits("contacts", "companies") == {}
    assert {r["typeId"] for r in sb.state.labels("contacts", "companies")} == {279, 1}
    assert client.get(labels_path()).status_code == 200


def test_recorded_requests(sb: Sandbox, client: httpx.Client) -> None:
    client.post(
        batch_path("purge") + "?x=1",
        json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]},
    )
    (req,) = sb.requests
    assert req.method == "POST" and req.route == "limits.purge" and req.status == 204
    assert req.query == {"x": ["1"]}
    assert req.body == {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
    assert req.token == sb.token
    assert sb.token not in repr(req) and "<redacted>" in repr(req)
    assert req.response_headers["x-hubspot-correlation-id"] == req.correlation_id
