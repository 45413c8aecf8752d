"""``api_version``: which HubSpot API version the clients call, and the paths that follow.

The expected paths are not written here: they are the path templates of HubSpot's published
spec of each version (tests/fixtures/hubspot-specs), so a client calling a path HubSpot does not
publish fails whatever this code believes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from hubspot_assoc import AsyncClient, Client, InvalidInputError
from hubspot_assoc.sandbox import Sandbox

TOKEN = "pat-na1-00000000-1111-2222-3333-444444444444"
SPECS = Path(__file__).parent / "fixtures" / "hubspot-specs"
PUBLISHED = {
    "v4": "associationsSchema.v4.json",
    "2026-03": "associationsSchema.2026-03.json",
    "2025-09": "associationsSchema.2025-09.json",
}


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HUBSPOT_ACCESS_TOKEN", "HUBSPOT_BASE_URL", "HUBSPOT_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    yield


def published_operations(version: str) -> set[tuple[str, re.Pattern[str]]]:
    """``(METHOD, path regex)`` of every operation in HubSpot's spec of ``version``."""
    spec = json.loads((SPECS / PUBLISHED[version]).read_text())
    out = set()
    for template, operations in spec["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
        out |= {(method.upper(), pattern) for method in operations}
    return out


def nine_calls(client: Any) -> list[Any]:
    """The nine operations, each called once (awaitables for the async client)."""
    pair = ("contacts", "companies")
    return [
        client.limits.list(),
        client.limits.get(*pair),
        client.limits.create(*pair, [("HUBSPOT_DEFINED", 279, 3)]),
        client.limits.update(*pair, [("HUBSPOT_DEFINED", 279, 4)]),
        client.limits.purge(*pair, [("HUBSPOT_DEFINED", 279)]),
        client.labels.list(*pair),
        client.labels.create(*pair, label="Boss", name="boss"),
        client.labels.update(*pair, 1000, label="Chief"),
        client.labels.delete(*pair, 1000),
    ]


def _answer(request: httpx.Request) -> httpx.Response:
    # Just enough for each operation to return: the paths are under test, not the parsing.
    path = request.url.path
    stamps = {"startedAt": "2026-01-01T00:00:00Z", "completedAt": "2026-01-01T00:00:00Z"}
    if request.method in ("PUT", "DELETE") or path.endswith("/purge"):
        return httpx.Response(204)
    if "/batch/" in path:
        status = 201 if path.endswith("/create") else 200
        return httpx.Response(status, json={"status": "COMPLETE", "results": [], **stamps})
    return httpx.Response(200, json={"results": []})


def sent_paths(kind: str, **kwargs: Any) -> list[tuple[str, str]]:
    """``(method, path)`` of the nine calls made by a ``kind`` ("sync"/"async") client."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _answer(request)

    transport = httpx.MockTransport(handler)
    options: dict[str, Any] = {"base_url": "https://hubspot.test", "retry": None}
    options.update(rate_limit=None, **kwargs)
    if kind == "sync":
        with Client(TOKEN, http_client=httpx.Client(transport=transport), **options) as client:
            nine_calls(client)
    else:

        async def run() -> None:
            http = httpx.AsyncClient(transport=transport)
            async with AsyncClient(TOKEN, http_client=http, **options) as client:
                for call in nine_calls(client):
                    await call

        asyncio.run(run())
    return [(r.method, r.url.raw_path.decode()) for r in seen]


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("version", PUBLISHED)
def test_every_operation_calls_the_path_hubspot_publishes_for_the_version(
    kind: str, version: str
) -> None:
    sent = sent_paths(kind, api_version=version)
    operations = published_operations(version)
    assert len(sent) == 9
    for method, path in sent:
        matches = [p for m, p in operations if m == method and p.match(path)]
        assert matches, f"{method} {path} is not in HubSpot's {version} spec"
    # nine calls, nine different operations of the spec
    assert (
        len({(m, p.pattern) for m, p in operations for sm, sp in sent if m == sm and p.match(sp)})
        == 9
    )


def test_v4_is_the_default_and_any_year_month_builds_dated_paths() -> None:
    assert sent_paths("sync") == sent_paths("sync", api_version="v4")
    dated = sent_paths("sync", api_version="2031-12")
    assert dated[0] == ("GET", "/crm/associations/2031-12/definitions/configurations/all")
    assert all(path.startswith("/crm/associations/2031-12/") for _, path in dated)
    assert Client(TOKEN).api_version == "v4"
    assert AsyncClient(TOKEN, api_version="2026-03").api_version == "2026-03"


def test_the_environment_variable_sets_the_version_and_the_argument_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HUBSPOT_API_VERSION", "2025-09")
    assert Client(TOKEN).api_version == "2025-09"
    assert AsyncClient(TOKEN).api_version == "2025-09"
    assert sent_paths("sync")[0][1].startswith("/crm/associations/2025-09/")
    assert Client(TOKEN, api_version="v4").api_version == "v4"
    monkeypatch.setenv("HUBSPOT_API_VERSION", "2026-3")
    with pytest.raises(InvalidInputError) as info:
        Client(TOKEN)
    assert info.value.argument == "api_version"
    assert "HUBSPOT_API_VERSION" in str(info.value) and "'2026-3'" in str(info.value)


@pytest.mark.parametrize(
    "bad", ["v3", "v5", "2026-13", "2026-00", "2026-3", "26-03", "2026-03-01", "latest", "", 4]
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_a_bad_version_is_refused_at_construction_naming_the_allowed_forms(
    cls: Callable[..., Any], bad: object
) -> None:
    seen: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda r: seen.append(r) or httpx.Response(500))
    http = (httpx.Client if cls is Client else httpx.AsyncClient)(transport=transport)
    with pytest.raises(InvalidInputError) as info:
        cls(TOKEN, api_version=bad, http_client=http)
    assert info.value.argument == "api_version"
    assert str(info.value).startswith(f"api_version: {bad!r} is not a valid API version")
    assert "'v4'" in str(info.value) and "YYYY-MM" in str(info.value)
    assert seen == []


@pytest.mark.parametrize("version", ["v4", "2026-03", "2025-09"])
def test_against_the_sandbox_each_version_is_answered_as_itself(version: str) -> None:
    with Sandbox(rate_limit=None) as sb:
        with Client(sb.token, base_url=sb.url, api_version=version, rate_limit=None) as client:
            limits = client.limits.create("contacts", "companies", [("HUBSPOT_DEFINED", 279, 3)])
            assert limits.ok and [r.max_to_object_ids for r in limits.results] == [3]
            assert client.limits.purge("contacts", "companies", [("HUBSPOT_DEFINED", 279)]).ok
            (created, _) = client.labels.create("contacts", "companies", label="Boss", name="boss")
            client.labels.update("contacts", "companies", created.type_id, label="Chief")
            assert "Chief" in {label.label for label in client.labels.list("contacts", "companies")}
            client.labels.delete("contacts", "companies", created.type_id)
        assert sb.state.limit("contacts", "companies", "HUBSPOT_DEFINED", 279) is None
        assert {r.emulated for r in sb.requests} == {version}
        assert all(f"/crm/associations/{version}/" in r.path for r in sb.requests)


def test_records_paths_are_versioned_as_hubspot_publishes_them() -> None:
    """The association records operations (not in the client yet) use other v4 prefixes;
    the one path function turns each into its 2026-03 path too."""
    from hubspot_assoc.versions import versioned_path

    v4 = json.loads((SPECS / "associations.v4.json").read_text())["paths"]
    dated = json.loads((SPECS / "associations.2026-03.json").read_text())["paths"]
    assert len(v4) == 9
    for path in v4:
        assert versioned_path(path, "2026-03") in dated, path
        assert versioned_path(path, "v4") == path


@pytest.mark.parametrize(
    ("emulate", "version"),
    [("v4", "v4"), ("v4-legacy", "v4"), ("2026-03", "2026-03"), ("2025-09", "2025-09")],
)
def test_partial_failures_are_reported_whatever_status_the_version_uses(
    emulate: str, version: str
) -> None:
    """207 (v4, 2026-03) or 200 with errors (older v4, 2025-09): the same BatchResult."""
    inputs = [("HUBSPOT_DEFINED", 279, 3), ("USER_DEFINED", 4242, 3)]
    with Sandbox(emulate=emulate, rate_limit=None) as sb:
        with Client(sb.token, base_url=sb.url, api_version=version, rate_limit=None) as client:
            for call in (client.limits.create, client.limits.update):
                result = call("contacts", "companies", inputs)
                assert not result.ok
                assert [i.type_id for i in result.succeeded] == [279]
                assert [i.type_id for i in result.failed] == [4242]
                assert [e.context.get("typeId") for e in result.errors] == [["4242"]]
        statuses = {r.status for r in sb.requests}
    assert statuses == ({207} if emulate in ("v4", "2026-03") else {200})
