"""401, 403 and the OAuth token endpoint."""

from __future__ import annotations

import httpx
import pytest

from hubspot_assoc.sandbox import Sandbox

from .conftest import LIMITS, batch_path, bearer, labels_path

TOKEN_URL = "/oauth/v1/token"


@pytest.mark.parametrize("headers", [{}, bearer("pat-na1-unknown"), {"Authorization": "Basic abc"}])
def test_missing_or_unknown_token_is_401(sb: Sandbox, headers: dict[str, str]) -> None:
    response = httpx.get(sb.url + labels_path(), headers=headers)
    assert response.status_code == 401
    body = response.json()
    assert body["category"] == "INVALID_AUTHENTICATION"
    assert body["message"].startswith("Authentication credentials not found.")
    assert body["correlationId"] == response.headers["x-hubspot-correlation-id"]


def test_expired_oauth_token_is_401_with_expiry(sb: Sandbox) -> None:
    token = sb.expired_oauth_token(seconds_ago=42)
    response = httpx.get(sb.url + labels_path(), headers=bearer(token))
    assert response.status_code == 401
    body = response.json()
    assert body["category"] == "EXPIRED_AUTHENTICATION"
    seconds = int(body["message"].split("expired ")[1].split(" ")[0])
    assert 42 <= seconds <= 45
    assert (
        body["message"]
        == f"The OAuth token used to make this call expired {seconds} second(s) ago."
    )
    (expiry,) = body["context"]["expire time"]
    assert expiry.endswith("Z") and "T" in expiry


def _scope_places(response: httpx.Response) -> tuple[list[str], list[str], list[str], str]:
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["category"] == "MISSING_SCOPES"
    (detail,) = body["errors"]
    return (
        detail["context"]["requiredGranularScopes"],
        detail["context"]["requiredScopes"],
        body["context"]["missingScopes"],
        body["links"]["scopes"],
    )


def test_missing_scopes_are_named_in_all_places(sb: Sandbox) -> None:
    token = sb.create_token(scopes=["crm.objects.contacts.read", "crm.objects.companies.read"])
    with httpx.Client(base_url=sb.url, headers=bearer(token)) as c:
        assert c.get(labels_path()).status_code == 200
        assert c.get(f"{LIMITS}/contacts/companies").status_code == 200
        granular, required, missing, link = _scope_places(
            c.post(
                batch_path("purge"),
                json={"inputs": [{"category": "HUBSPOT_DEFINED", "typeId": 279}]},
            )
        )
        expected = ["crm.objects.contacts.write", "crm.objects.companies.write"]
        assert granular == required == missing == expected
        assert all(scope in link for scope in expected)
        assert link.startswith("https://developers.hubspot.com/scopes")
        # the deal side is missing for a deals pair: only the missing one is listed as missing
        granular, _, missing, _ = _scope_places(c.get(labels_path("contacts", "deals")))
        assert granular == ["crm.objects.contacts.read", "crm.objects.deals.read"]
        assert missing == ["crm.objects.deals.read"]


def test_write_scope_does_not_imply_read_and_all_needs_any_read(sb: Sandbox) -> None:
    token = sb.create_token(scopes=["crm.objects.contacts.write", "crm.objects.companies.write"])
    with httpx.Client(base_url=sb.url, headers=bearer(token)) as c:
        assert c.delete(f"{labels_path()}/99999").status_code == 400  # authorised, then validated
        _scope_places(c.get(labels_path()))
        _, _, missing, _ = _scope_places(c.get(f"{LIMITS}/all"))
        assert "crm.objects.contacts.read" in missing
    reader = sb.create_token(scopes=["crm.objects.deals.read"])
    assert httpx.get(sb.url + f"{LIMITS}/all", headers=bearer(reader)).status_code == 200


def _refresh(sb: Sandbox, **form: str) -> httpx.Response:
    return httpx.post(sb.url + TOKEN_URL, data=form)


def test_refresh_issues_working_token_and_rotates(sb: Sandbox) -> None:
    app = sb.create_oauth_app(scopes=["crm.objects.contacts.read", "crm.objects.companies.read"])
    assert app.client_secret not in repr(app) and app.refresh_token not in repr(app)
    form = {
        "grant_type": "refresh_token",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }
    first = _refresh(sb, refresh_token=app.refresh_token, **form)
    assert first.status_code == 200
    data = first.json()
    assert data["token_type"] == "bearer" and data["expires_in"] == 1800
    assert data["refresh_token"] != app.refresh_token
    assert (
        httpx.get(sb.url + labels_path(), headers=bearer(data["access_token"])).status_code == 200
    )
    # the scopes of the app carry over to its tokens
    assert (
        httpx.get(
            sb.url + labels_path("deals", "contacts"), headers=bearer(data["access_token"])
        ).status_code
        == 403
    )
    # the old refresh token is retired, the new one works
    old = _refresh(sb, refresh_token=app.refresh_token, **form)
    assert old.status_code == 400 and old.json()["error"] == "invalid_grant"
    assert old.json()["status"] == "BAD_REFRESH_TOKEN"
    assert _refresh(sb, refresh_token=data["refresh_token"], **form).status_code == 200
    assert sb.refresh_count == 2 and sb.refresh_attempts == 3
    # recorded form bodies never hold the secrets
    assert all(app.client_secret not in repr(r.body) for r in sb.requests)


@pytest.mark.hubspot_sandbox(token_lifetime=60, rotate_refresh_tokens=False)
def test_lifetime_and_no_rotation_are_configurable(sb: Sandbox) -> None:
    app = sb.create_oauth_app()
    form = {
        "grant_type": "refresh_token",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "refresh_token": app.refresh_token,
    }
    data = _refresh(sb, **form).json()
    assert data["expires_in"] == 60 and data["refresh_token"] == app.refresh_token
    assert _refresh(sb, **form).status_code == 200


def test_short_lived_app_token_expires(sb: Sandbox) -> None:
    app = sb.create_oauth_app(token_lifetime=1)
    token = sb.issue_access_token(app, lifetime=-1)
    assert (
        httpx.get(sb.url + labels_path(), headers=bearer(token)).json()["category"]
        == "EXPIRED_AUTHENTICATION"
    )
    assert sb.refresh_count == 0


@pytest.mark.parametrize(
    ("change", "status", "error"),
    [
        ({"grant_type": None}, "BAD_GRANT_TYPE", "invalid_request"),
        ({"grant_type": "authorization_code"}, "BAD_GRANT_TYPE", "unsupported_grant_type"),
        ({"client_id": None}, "BAD_REQUEST", "invalid_request"),
        ({"refresh_token": None}, "BAD_REQUEST", "invalid_request"),
        ({"client_secret": None}, "BAD_REQUEST", "invalid_request"),
        ({"client_id": "nobody"}, "BAD_CLIENT_ID", "invalid_client"),
        ({"client_secret": "wrong"}, "BAD_CLIENT_SECRET", "invalid_client"),
        ({"refresh_token": "na1-nope"}, "BAD_REFRESH_TOKEN", "invalid_grant"),
    ],
)
def test_token_endpoint_errors(
    sb: Sandbox, change: dict[str, str | None], status: str, error: str
) -> None:
    app = sb.create_oauth_app()
    form: dict[str, str | None] = {
        "grant_type": "refresh_token",
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "refresh_token": app.refresh_token,
    }
    form.update(change)
    response = httpx.post(sb.url + TOKEN_URL, data={k: v for k, v in form.items() if v is not None})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == error and body["status"] == status
    assert body["error_description"] and body["message"]
    assert sb.refresh_count == 0


def test_refresh_token_of_another_app_is_invalid_grant(sb: Sandbox) -> None:
    one, two = sb.create_oauth_app(), sb.create_oauth_app()
    form = {
        "grant_type": "refresh_token",
        "client_id": one.client_id,
        "client_secret": one.client_secret,
        "refresh_token": two.refresh_token,
    }
    assert _refresh(sb, **form).json()["error"] == "invalid_grant"
