"""The committed spec describes every covered operation the way HubSpot does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

SPEC_PATH = Path(__file__).resolve().parent.parent / "openapi" / "hubspot-associations-v4.yaml"
CONFIGS = "/crm/associations/v4/definitions/configurations"
LABELS = "/crm/associations/v4/{fromObjectType}/{toObjectType}/labels"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        loaded: dict[str, Any] = yaml.safe_load(fh)
    return loaded


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        parts = node["$ref"].removeprefix("#/").split("/")
        target: Any = spec
        for part in parts:
            target = target[part]
        node = target
    return node


def _params(spec: dict[str, Any], path: str, method: str) -> dict[str, dict[str, Any]]:
    item = spec["paths"][path]
    params = [_resolve(spec, p) for p in item.get("parameters", [])]
    params += [_resolve(spec, p) for p in item[method].get("parameters", [])]
    return {p["name"]: p for p in params}


def _body_schema(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    body = spec["paths"][path][method]["requestBody"]
    assert body["required"] is True
    return _resolve(spec, body["content"]["application/json"]["schema"])


def _response_schema(spec: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    response = _resolve(spec, spec["paths"][path][method]["responses"][status])
    return _resolve(spec, response["content"]["application/json"]["schema"])


def test_spec_is_valid_openapi_30(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.0.")
    validate(spec)
    assert spec["servers"] == [{"url": "https://api.hubapi.com"}]
    assert spec["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": spec["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert spec["security"] == [{"bearer": []}]


EXPECTED = [
    # method, path, operationId, tag, success statuses, request body schema fields
    ("get", f"{CONFIGS}/all", "list_all_limits", "limits", {"200"}, None),
    (
        "get",
        f"{CONFIGS}/{{fromObjectType}}/{{toObjectType}}",
        "get_limits",
        "limits",
        {"200"},
        None,
    ),
    (
        "post",
        f"{CONFIGS}/{{fromObjectType}}/{{toObjectType}}/batch/create",
        "create_limits",
        "limits",
        # 201/207 in today's v4 and 2026-03, 200 in v4 until April 2026 and in 2025-09.
        {"200", "201", "207"},
        {"category", "typeId", "maxToObjectIds"},
    ),
    (
        "post",
        f"{CONFIGS}/{{fromObjectType}}/{{toObjectType}}/batch/update",
        "update_limits",
        "limits",
        {"200", "207"},
        {"category", "typeId", "maxToObjectIds"},
    ),
    (
        "post",
        f"{CONFIGS}/{{fromObjectType}}/{{toObjectType}}/batch/purge",
        "purge_limits",
        "limits",
        {"200", "204"},
        {"category", "typeId"},
    ),
    ("get", LABELS, "list_labels", "labels", {"200"}, None),
    ("post", LABELS, "create_label", "labels", {"200"}, None),
    ("put", LABELS, "update_label", "labels", {"204"}, None),
    ("delete", f"{LABELS}/{{associationTypeId}}", "delete_label", "labels", {"204"}, None),
]


@pytest.mark.parametrize(("method", "path", "operation_id", "tag", "success", "fields"), EXPECTED)
def test_operation(
    spec: dict[str, Any],
    method: str,
    path: str,
    operation_id: str,
    tag: str,
    success: set[str],
    fields: set[str] | None,
) -> None:
    operation = spec["paths"][path][method]
    assert operation["operationId"] == operation_id
    assert operation["tags"] == [tag]
    statuses = set(operation["responses"])
    assert {s for s in statuses if s.startswith("2")} == success
    # Every operation documents HubSpot's error bodies for any failure.
    assert {"429", "4XX", "5XX", "default"} <= statuses
    for status in ("4XX", "5XX", "default"):
        assert (
            _response_schema(spec, path, method, status) is spec["components"]["schemas"]["Error"]
        )
    assert (
        _response_schema(spec, path, method, "429")
        is spec["components"]["schemas"]["RateLimitError"]
    )
    # Path parameters are exactly the placeholders of the path, all required strings
    # except the integer association type id.
    params = _params(spec, path, method)
    placeholders = {part[1:-1] for part in path.split("/") if part.startswith("{")}
    assert set(params) == placeholders
    for name, param in params.items():
        assert param["in"] == "path"
        assert param["required"] is True
        expected_type = "integer" if name == "associationTypeId" else "string"
        assert param["schema"]["type"] == expected_type
    if fields is not None:
        wrapper = _body_schema(spec, path, method)
        assert wrapper["required"] == ["inputs"]
        item = _resolve(spec, wrapper["properties"]["inputs"]["items"])
        assert set(item["properties"]) == fields
        assert set(item["required"]) == fields
        assert item["properties"]["typeId"] == {
            "type": "integer",
            "format": "int32",
            "description": item["properties"]["typeId"]["description"],
        }


def test_purge_documents_both_answers(spec: dict[str, Any]) -> None:
    path = f"{CONFIGS}/{{fromObjectType}}/{{toObjectType}}/batch/purge"
    responses = spec["paths"][path]["post"]["responses"]
    assert "content" not in responses["204"]
    body = _response_schema(spec, path, "post", "200")
    assert set(body["required"]) == {"status", "results", "startedAt", "completedAt"}
    assert set(body["properties"]) == {
        "status",
        "results",
        "numErrors",
        "errors",
        "requestedAt",
        "startedAt",
        "completedAt",
        "links",
    }
    status = _resolve(spec, body["properties"]["status"])
    assert status["enum"] == ["CANCELED", "COMPLETE", "PENDING", "PROCESSING"]
    for stamp in ("requestedAt", "startedAt", "completedAt"):
        assert body["properties"][stamp] == {"type": "string", "format": "date-time"}
    error = _resolve(spec, body["properties"]["errors"]["items"])
    # Only the message is required: the purge documentation's own example lacks the rest.
    assert error["required"] == ["message"]
    assert "x-differs-from-hubspot" in error


def test_label_bodies(spec: dict[str, Any]) -> None:
    create = _body_schema(spec, LABELS, "post")
    assert set(create["required"]) == {"name", "label"}
    assert set(create["properties"]) == {"name", "label", "inverseLabel"}
    update = _body_schema(spec, LABELS, "put")
    assert set(update["required"]) == {"associationTypeId", "label"}
    assert set(update["properties"]) == {"associationTypeId", "label", "inverseLabel"}
    listed = _response_schema(spec, LABELS, "get", "200")
    label = _resolve(spec, listed["properties"]["results"]["items"])
    assert set(label["properties"]) == {
        "category",
        "typeId",
        "label",
        "fromObjectTypeId",
        "toObjectTypeId",
    }


def test_error_schema(spec: dict[str, Any]) -> None:
    error = spec["components"]["schemas"]["Error"]
    # Nothing required: an error answer is read whatever it carries (and the note says why).
    assert "required" not in error
    assert "x-differs-from-hubspot" in error
    assert set(error["properties"]) == {
        "status",
        "category",
        "correlationId",
        "message",
        "subCategory",
        "context",
        "errors",
        "links",
    }
    # A correlation id that is not a UUID must still parse.
    assert "format" not in error["properties"]["correlationId"]
    detail = _resolve(spec, error["properties"]["errors"]["items"])
    assert detail["required"] == ["message"]
    assert set(detail["properties"]) == {"message", "code", "in", "subCategory", "context"}
