"""400 / 404 / 405 / 207 / 409 answers and their HubSpot shapes."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import LIMITS, batch_path, labels_path


def _error(response: httpx.Response, status: int, category: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error"
    assert body["category"] == category
    assert isinstance(body["message"], str) and body["message"]
    assert str(uuid.UUID(body["correlationId"], version=4)) == body["correlationId"]
    assert response.headers["x-hubspot-correlation-id"] == body["correlationId"]
    return dict(body)


def _fields(body: dict[str, object]) -> dict[str, str | None]:
    errors = body["errors"]
    assert isinstance(errors, list)
    return {e["in"]: e.get("code") for e in errors}


def test_unknown_object_type_is_404(client: httpx.Client) -> None:
    body = _error(client.get(labels_path("contacts", "widgets")), 404, "OBJECT_NOT_FOUND")
    assert "widgets" in str(body["message"])
    _error(client.get(f"{LIMITS}/2-999/contacts"), 404, "OBJECT_NOT_FOUND")


def test_unknown_path_and_wrong_method(client: httpx.Client) -> None:
    _error(client.get("/crm/associations/v4/nothing"), 404, "NOT_FOUND")
    _error(client.get(batch_path("purge")), 405, "METHOD_NOT_ALLOWED")
    _error(client.patch(labels_path()), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize(
    ("payload", "where", "code"),
    [
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": "279", "maxToObjectIds": 2}]},
            "inputs[0].typeId",
            "INVALID_INTEGER",
        ),
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 2.5}]},
            "inputs[0].maxToObjectIds",
            "INVALID_INTEGER",
        ),
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": True}]},
            "inputs[0].maxToObjectIds",
            "INVALID_INTEGER",
        ),
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 2**31, "maxToObjectIds": 2}]},
            "inputs[0].typeId",
            "INVALID_INTEGER",
        ),
        (
            {"inputs": [{"category": "NOPE", "typeId": 279, "maxToObjectIds": 2}]},
            "inputs[0].category",
            "INVALID_ENUM",
        ),
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 0}]},
            "inputs[0].maxToObjectIds",
            "OUT_OF_RANGE",
        ),
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 10_001}]},
            "inputs[0].maxToObjectIds",
            "OUT_OF_RANGE",
        ),
        (
            {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]},
            "inputs[0].maxToObjectIds",
            "REQUIRED",
        ),
        ({"inputs": ["x"]}, "inputs[0]", "INVALID_TYPE"),
        ({"inputs": []}, "inputs", "REQUIRED"),
        ({"inputs": {}}, "inputs", "INVALID_TYPE"),
        ({}, "inputs", "REQUIRED"),
        ([], "body", "INVALID_TYPE"),
    ],
)
def test_create_validation_is_400_naming_the_field(
    sb: Sandbox, client: httpx.Client, payload: object, where: str, code: str
) -> None:
    body = _error(client.post(batch_path("create"), json=payload), 400, "VALIDATION_ERROR")
    assert _fields(body)[where] == code
    assert sb.state.limits("contacts", "companies") == {}


def test_malformed_json_and_missing_body(client: httpx.Client) -> None:
    bad = client.post(
        batch_path("create"), content=b'{"inputs": [', headers={"Content-Type": "application/json"}
    )
    assert _fields(_error(bad, 400, "VALIDATION_ERROR")) == {"body": "INVALID_JSON"}
    empty = client.post(batch_path("purge"))
    assert _fields(_error(empty, 400, "VALIDATION_ERROR")) == {"body": "REQUIRED"}


def test_too_many_inputs(client: httpx.Client) -> None:
    inputs = [{"category": "HUBSPOT_DEFINED", "typeId": 279}] * 101
    body = _error(
        client.post(batch_path("purge"), json={"inputs": inputs}), 400, "VALIDATION_ERROR"
    )
    assert _fields(body) == {"inputs": "TOO_MANY_INPUTS"}


def test_several_problems_are_all_reported(client: httpx.Client) -> None:
    payload = {"inputs": [{"typeId": "a", "maxToObjectIds": -1}, {"category": 5, "typeId": 1}]}
    fields = _fields(
        _error(client.post(batch_path("update"), json=payload), 400, "VALIDATION_ERROR")
    )
    assert fields == {
        "inputs[0].category": "REQUIRED",
        "inputs[0].typeId": "INVALID_INTEGER",
        "inputs[0].maxToObjectIds": "OUT_OF_RANGE",
        "inputs[1].category": "INVALID_TYPE",
        "inputs[1].maxToObjectIds": "REQUIRED",
    }


@pytest.mark.parametrize(("kind", "good_status"), [("create", 201), ("update", 200)])
def test_partial_failure_is_207_and_applies_the_good_inputs(
    sb: Sandbox, client: httpx.Client, kind: str, good_status: int
) -> None:
    inputs = [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 4},
        {"category": "USER_DEFINED", "typeId": 279, "maxToObjectIds": 4},  # wrong category
        {"category": "HUBSPOT_DEFINED", "typeId": 3, "maxToObjectIds": 4},  # deal->contact type
    ]
    response = client.post(batch_path(kind), json={"inputs": inputs})
    assert response.status_code == 207
    data = response.json()
    assert data["numErrors"] == 2
    assert [r["typeId"] for r in data["results"]] == [279]
    contexts = [e["context"] for e in data["errors"]]
    assert contexts == [
        {"category": ["USER_DEFINED"], "typeId": ["279"]},
        {"category": ["HUBSPOT_DEFINED"], "typeId": ["3"]},
    ]
    for err in data["errors"]:
        assert {"status", "category", "message", "context", "errors", "links"} <= err.keys()
        assert err["status"] == "error" and err["category"] == "VALIDATION_ERROR"
    assert data["errors"][1]["errors"][0]["in"] == "inputs[2].typeId"
    assert sb.state.limits("contacts", "companies") == {("HUBSPOT_DEFINED", 279): 4}
    # all good: the plain success status
    ok = client.post(batch_path(kind), json={"inputs": inputs[:1]})
    assert ok.status_code == good_status


def test_purge_with_unknown_type_is_400_and_purges_nothing(
    sb: Sandbox, client: httpx.Client
) -> None:
    sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 3)
    inputs = [
        {"category": "HUBSPOT_DEFINED", "typeId": 279},
        {"category": "HUBSPOT_DEFINED", "typeId": 12345},
    ]
    body = _error(
        client.post(batch_path("purge"), json={"inputs": inputs}), 400, "VALIDATION_ERROR"
    )
    assert _fields(body) == {"inputs[1].typeId": "INVALID_ASSOCIATION_TYPE"}
    assert sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279) == 3


@pytest.mark.parametrize(
    ("payload", "where", "code"),
    [
        ({"name": "has-hyphen", "label": "X"}, "name", "INVALID_NAME"),
        ({"name": "1starts_with_digit", "label": "X"}, "name", "INVALID_NAME"),
        ({"label": "X"}, "name", "REQUIRED"),
        ({"name": "ok"}, "label", "REQUIRED"),
        ({"name": "ok", "label": 3}, "label", "INVALID_TYPE"),
        ({"name": "ok", "label": "X", "inverseLabel": 3}, "inverseLabel", "INVALID_TYPE"),
    ],
)
def test_label_create_validation(
    client: httpx.Client, payload: object, where: str, code: str
) -> None:
    body = _error(client.post(labels_path(), json=payload), 400, "VALIDATION_ERROR")
    assert _fields(body) == {where: code}


def test_label_limit_of_ten_per_pair_and_duplicate_names(client: httpx.Client) -> None:
    for i in range(10):
        assert (
            client.post(labels_path(), json={"name": f"l{i}", "label": f"L{i}"}).status_code == 200
        )
    body = _error(
        client.post(labels_path(), json={"name": "l10", "label": "L"}), 400, "VALIDATION_ERROR"
    )
    assert _fields(body) == {"name": "LABEL_LIMIT_REACHED"}
    # the reverse direction is the same pair of object types
    _error(
        client.post(labels_path("companies", "contacts"), json={"name": "r", "label": "R"}),
        400,
        "VALIDATION_ERROR",
    )
    # another pair is unaffected; a duplicate name there is a conflict
    assert (
        client.post(labels_path("deals", "contacts"), json={"name": "l0", "label": "A"}).status_code
        == 200
    )
    _error(
        client.post(labels_path("deals", "contacts"), json={"name": "l0", "label": "B"}),
        409,
        "CONFLICT",
    )


def test_hubspot_defined_types_cannot_be_renamed_or_deleted(
    sb: Sandbox, client: httpx.Client
) -> None:
    body = _error(client.delete(f"{labels_path()}/279"), 400, "VALIDATION_ERROR")
    assert _fields(body) == {"associationTypeId": "NOT_USER_DEFINED"}
    body = _error(
        client.put(labels_path(), json={"associationTypeId": 1, "label": "Main"}),
        400,
        "VALIDATION_ERROR",
    )
    assert _fields(body) == {"associationTypeId": "NOT_USER_DEFINED"}
    assert {r["typeId"] for r in sb.state.labels("contacts", "companies")} == {279, 1}


def test_unknown_or_bad_type_ids_on_labels(client: httpx.Client) -> None:
    body = _error(client.delete(f"{labels_path()}/99999"), 400, "VALIDATION_ERROR")
    assert _fields(body) == {"associationTypeId": "INVALID_ASSOCIATION_TYPE"}
    body = _error(client.delete(f"{labels_path()}/abc"), 400, "VALIDATION_ERROR")
    assert _fields(body) == {"associationTypeId": "INVALID_INTEGER"}
    body = _error(
        client.put(labels_path(), json={"associationTypeId": "1", "label": "x"}),
        400,
        "VALIDATION_ERROR",
    )
    assert _fields(body) == {"associationTypeId": "INVALID_INTEGER"}


def test_inverse_label_on_unpaired_label_is_refused(client: httpx.Client) -> None:
    created = client.post(
        labels_path("deals", "deals"), json={"name": "sub", "label": "Sub"}
    ).json()
    type_id = created["results"][0]["typeId"]
    body = {"associationTypeId": type_id, "label": "S", "inverseLabel": "T"}
    _error(client.put(labels_path("deals", "deals"), json=body), 400, "VALIDATION_ERROR")
