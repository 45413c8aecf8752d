"""The sandbox serves every version's paths and answers as the version it emulates.

What each published version answers comes from HubSpot's specs (tests/fixtures/hubspot-specs);
test_spec_conformance checks whole conversations against them. These tests pin the routing:
which prefix reaches which operation, and which version's shapes answer it.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import bearer

PURGE = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]}
CREATE = {"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 3}]}
PARTIAL = {
    "inputs": [
        {"category": "HUBSPOT_DEFINED", "typeId": 279, "maxToObjectIds": 3},
        {"category": "USER_DEFINED", "typeId": 4242, "maxToObjectIds": 3},
    ]
}
LEGACY = "/crm/v4/associations"


def prefix(version: str) -> str:
    return f"/crm/associations/{version}"


def nine_calls(c: httpx.Client, root: str) -> list[tuple[str, int]]:
    """The nine operations under ``root``; ``(route, status)`` of each answer, in order."""
    limits = f"{root}/definitions/configurations"
    labels = f"{root}/contacts/companies/labels"
    answers = [
        ("limits.list_all", c.get(f"{limits}/all")),
        ("limits.list", c.get(f"{limits}/contacts/companies")),
        ("limits.create", c.post(f"{limits}/contacts/companies/batch/create", json=CREATE)),
        ("limits.update", c.post(f"{limits}/contacts/companies/batch/update", json=CREATE)),
        ("limits.purge", c.post(f"{limits}/contacts/companies/batch/purge", json=PURGE)),
        ("labels.list", c.get(labels)),
        ("labels.create", c.post(labels, json={"name": "boss", "label": "Boss"})),
    ]
    type_id = answers[-1][1].json()["results"][0]["typeId"]
    answers.append(
        ("labels.update", c.put(labels, json={"associationTypeId": type_id, "label": "X"}))
    )
    answers.append(("labels.delete", c.delete(f"{labels}/{type_id}")))
    return [(route, response.status_code) for route, response in answers]


#: What each published version answers on success (HubSpot's specs; see the sandbox docs).
V4 = [
    ("limits.list_all", 200),
    ("limits.list", 200),
    ("limits.create", 201),
    ("limits.update", 200),
    ("limits.purge", 204),
    ("labels.list", 200),
    ("labels.create", 200),
    ("labels.update", 204),
    ("labels.delete", 204),
]
LEGACY_SHAPES = [(r, 200 if r.startswith("limits.") else s) for r, s in V4]
V2026_03 = [(r, 200 if r == "limits.purge" else s) for r, s in V4]


@pytest.fixture
def http(sb: Sandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sb.url, headers=bearer(sb.token), timeout=10) as c:
        yield c


@pytest.mark.parametrize(
    ("root", "expected", "emulated"),
    [
        (prefix("v4"), V4, "v4"),
        (LEGACY, V4, "v4"),
        (prefix("2026-03"), V2026_03, "2026-03"),
        (prefix("2025-09"), LEGACY_SHAPES, "2025-09"),
        # Unknown dated versions: the newest known one published before, else the oldest.
        (prefix("2026-09"), V2026_03, "2026-03"),
        (prefix("2025-12"), LEGACY_SHAPES, "2025-09"),
        (prefix("2024-01"), LEGACY_SHAPES, "2025-09"),
    ],
    ids=["v4", "legacy-prefix", "2026-03", "2025-09", "2026-09", "2025-12", "2024-01"],
)
def test_auto_answers_each_path_as_its_own_version(
    sb: Sandbox, http: httpx.Client, root: str, expected: list[tuple[str, int]], emulated: str
) -> None:
    assert sb.emulate == "auto"
    assert nine_calls(http, root) == expected
    assert {r.emulated for r in sb.requests} == {emulated}
    assert {
        r.path.rsplit("/definitions", 1)[0] for r in sb.requests if "/definitions/" in r.path
    } == {root}


@pytest.mark.parametrize(
    ("emulate", "expected"),
    [("v4", V4), ("v4-legacy", LEGACY_SHAPES), ("2026-03", V2026_03), ("2025-09", LEGACY_SHAPES)],
)
@pytest.mark.parametrize("root", [prefix("v4"), LEGACY, prefix("2026-03"), prefix("2025-09")])
def test_an_emulated_version_answers_on_every_path(
    emulate: str, expected: list[tuple[str, int]], root: str
) -> None:
    with (
        Sandbox(emulate=emulate, rate_limit=None) as sb,
        httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c,
    ):
        assert nine_calls(c, root) == expected
        assert {r.emulated for r in sb.requests} == {emulate}


@pytest.mark.parametrize(
    ("emulate", "status"), [("v4", 207), ("2026-03", 207), ("v4-legacy", 200), ("2025-09", 200)]
)
def test_partial_failures_are_207_or_200_with_errors_as_published(
    emulate: str, status: int
) -> None:
    with (
        Sandbox(emulate=emulate) as sb,
        httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c,
    ):
        path = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/"
        for kind in ("create", "update"):
            answer = c.post(path + kind, json=PARTIAL)
            assert answer.status_code == status
            body = answer.json()
            assert body["numErrors"] == 1 and body["errors"][0]["context"]["typeId"] == ["4242"]
            assert [r["typeId"] for r in body["results"]] == [279]
        # the applied input really was applied, whatever the status says
        assert sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279) == 3


@pytest.mark.parametrize(
    ("emulate", "has_ids"),
    [("v4", True), ("2026-03", True), ("v4-legacy", False), ("2025-09", False)],
)
def test_labels_carry_object_type_ids_only_in_the_versions_that_publish_them(
    emulate: str, has_ids: bool
) -> None:
    with (
        Sandbox(emulate=emulate) as sb,
        httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c,
    ):
        path = "/crm/associations/v4/contacts/companies/labels"
        created = c.post(path, json={"name": "boss", "label": "Boss"}).json()["results"]
        listed = c.get(path).json()["results"]
    for label in (*created, *listed):
        assert {"category", "typeId"} <= label.keys()
        assert ("fromObjectTypeId" in label) is has_ids
        assert ("toObjectTypeId" in label) is has_ids
    assert "Boss" in {label.get("label") for label in listed}


@pytest.mark.parametrize("emulate", ["v4-legacy", "2026-03", "2025-09"])
def test_purge_with_a_body_lists_one_result_per_input(emulate: str) -> None:
    with (
        Sandbox(emulate=emulate) as sb,
        httpx.Client(base_url=sb.url, headers=bearer(sb.token)) as c,
    ):
        sb.state.set_limit("contacts", "companies", "HUBSPOT_DEFINED", 279, 4)
        path = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/purge"
        inputs = [{"category": "HUBSPOT_DEFINED", "typeId": t} for t in (279, 1)]
        answer = c.post(path, json={"inputs": inputs})
        assert answer.status_code == 200
        body = answer.json()
        assert body["status"] == "COMPLETE" and body["results"] == [{}, {}]
        assert {"startedAt", "completedAt"} <= body.keys()
        assert sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279) is None


@pytest.mark.parametrize(
    "path",
    [
        "/crm/associations/v5/contacts/companies/labels",
        "/crm/associations/2026-13/contacts/companies/labels",
        "/crm/associations/26-03/contacts/companies/labels",
        "/crm/v3/associations/contacts/companies/labels",
        "/crm/associations/contacts/companies/labels",
    ],
)
def test_paths_of_no_version_are_not_found(sb: Sandbox, http: httpx.Client, path: str) -> None:
    answer = http.get(path)
    assert answer.status_code == 404
    assert answer.json()["category"] == "NOT_FOUND"


def test_purge_response_is_the_older_name_of_two_emulations() -> None:
    assert Sandbox(purge_response="204").emulate == "v4"
    assert Sandbox(purge_response="body").emulate == "v4-legacy"
    assert Sandbox(purge_response="body", emulate="v4-legacy").emulate == "v4-legacy"
    assert Sandbox().emulate == "auto"


def test_bad_emulate_values_are_rejected_naming_the_choices() -> None:
    with pytest.raises(ValueError, match=r"emulate must be one of auto, v4, v4-legacy, 2026-03"):
        Sandbox(emulate="2026-04")
    with pytest.raises(ValueError, match="contradicts emulate='2026-03'"):
        Sandbox(purge_response="body", emulate="2026-03")


@pytest.mark.hubspot_sandbox(emulate="2025-09")
def test_the_pytest_marker_takes_emulate(hubspot_sandbox: Sandbox) -> None:
    with httpx.Client(base_url=hubspot_sandbox.url, headers=bearer(hubspot_sandbox.token)) as c:
        path = "/crm/associations/v4/definitions/configurations/contacts/companies/batch/create"
        assert c.post(path, json=CREATE).status_code == 200
