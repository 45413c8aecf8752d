"""The generated boundary builds what HubSpot expects and reads both purge answers.

The generated package does no I/O: its ``build_request`` describes the request, plain httpx
sends it here (as hubspot_assoc's core does), and ``read_body`` reads the answer.

The HTTP exchanges are replayed from cassettes in tests/cassettes/test_generated_client/.
They were recorded from the scripted local server below; to record them again run
`python -m pytest tests/test_generated_client.py --record-mode=rewrite`.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from hubspot_assoc_api.api.limits import purge_limits
from hubspot_assoc_api.models import (
    AssociationSpec,
    BatchAssociationSpecInput,
    BatchPurgeResponse,
    BatchStatus,
)

from tests.support.tiny_server import Reply, tiny_server

FAKE_TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
PURGE_PATH = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge"
SEED_BODY = {
    "completedAt": "2023-11-07T05:31:56Z",
    "results": [{}],
    "startedAt": "2023-11-07T05:31:56Z",
    "status": "COMPLETE",
    "errors": [],
    "links": {},
    "numErrors": 0,
    "requestedAt": "2023-11-07T05:31:56Z",
}


def _purge(base_url: str) -> httpx.Response:
    body = BatchAssociationSpecInput(inputs=[AssociationSpec(category="USER_DEFINED", type_id=279)])
    request = purge_limits.build_request("contacts", "companies", body=body)
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {FAKE_TOKEN}"}) as http:
        return http.request(request.method, request.url, json=request.json)


def _run(record_mode: str, reply: Reply) -> tuple[object, list[bytes]]:
    if record_mode == "none":
        # Replaying: no server runs, the cassette answers (any base URL will do).
        return _purge("http://127.0.0.1:9"), []
    with tiny_server([reply]) as server:
        response = _purge(server.url)
        return response, [r.body for r in server.received]


@pytest.mark.vcr
def test_purge_answered_204(record_mode: str, vcr: object) -> None:
    response, _ = _run(record_mode, Reply(204))
    assert response.status_code == 204  # type: ignore[attr-defined]
    assert response.status_code in purge_limits.SUCCESS_STATUSES  # type: ignore[attr-defined]
    request = vcr.requests[0]  # type: ignore[attr-defined]
    assert request.method == "POST"
    assert request.path == PURGE_PATH
    assert json.loads(request.body) == {"inputs": [{"category": "USER_DEFINED", "typeId": 279}]}
    assert "authorization" not in {k.lower() for k in request.headers}


@pytest.mark.vcr
def test_purge_answered_200_with_body(record_mode: str, vcr: object) -> None:
    response, _ = _run(record_mode, Reply.json(200, SEED_BODY))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.status_code in purge_limits.SUCCESS_STATUSES  # type: ignore[attr-defined]
    parsed = purge_limits.read_body(response.json())  # type: ignore[attr-defined]
    assert isinstance(parsed, BatchPurgeResponse)
    assert parsed.status is BatchStatus.COMPLETE
    assert parsed.num_errors == 0
    assert parsed.completed_at.isoformat() == "2023-11-07T05:31:56+00:00"
    request = vcr.requests[0]  # type: ignore[attr-defined]
    assert json.loads(request.body) == {"inputs": [{"category": "USER_DEFINED", "typeId": 279}]}


def test_cassettes_were_recorded_and_hold_no_credentials() -> None:
    folder = Path(__file__).parent / "cassettes" / "test_generated_client"
    names = sorted(p.name for p in folder.glob("*.yaml"))
    assert names == ["test_purge_answered_200_with_body.yaml", "test_purge_answered_204.yaml"]
    for path in folder.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert FAKE_TOKEN not in text
        assert "Bearer" not in text
