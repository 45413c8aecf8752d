"""Credentials: private app tokens, OAuth apps with the token endpoint, and the scope rule.

Scope rule (a simplification of HubSpot's, kept uniform on purpose):

* an operation on a pair of object types needs, for *both* object types,
  ``crm.objects.<plural>.read`` when it reads (GET) and ``crm.objects.<plural>.write`` when it
  writes (POST, PUT, DELETE); custom objects (``2-...``) use ``crm.objects.custom.*``;
* ``GET .../configurations/all`` needs any one ``crm.objects.<plural>.read`` scope;
* write does not imply read.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hubspot_assoc.sandbox.responses import SCOPES_LINK, ApiError, detail, iso_from_epoch

HUB_ID = 24123456

_NOT_FOUND_MESSAGE = (
    "Authentication credentials not found. This API supports OAuth 2.0 authentication and you "
    "can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview"
)
_MISSING_SCOPES_MESSAGE = (
    "This app hasn't been granted all required scopes to make this call. "
    "Read more about required scopes here: https://developers.hubspot.com/scopes."
)


@dataclass
class Token:
    """A credential the sandbox accepts. ``scopes`` None means every scope."""

    value: str = field(repr=False)
    kind: str  # "private" or "oauth"
    scopes: frozenset[str] | None
    expires_at: float | None = None
    client_id: str | None = None
    private_app: str | None = None  # the private app a private token belongs to

    @property
    def rate_key(self) -> str:
        """Whose rolling-window budget this token spends: always its app's, as on HubSpot."""
        if self.client_id is not None:
            return "app:" + self.client_id
        if self.private_app is not None:
            return "private-app:" + self.private_app
        return "token:" + self.value

    def has(self, scope: str) -> bool:
        """Whether the token carries ``scope``."""
        return self.scopes is None or scope in self.scopes


@dataclass(frozen=True)
class OAuthApp:
    """An OAuth app installed in the sandbox portal, with its first refresh token.

    The refresh token rotates on each refresh when the sandbox is configured to rotate, so
    this value is only the *initial* one.
    """

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scopes: frozenset[str] | None = None


@dataclass
class _App:
    secret: str
    scopes: frozenset[str] | None
    lifetime: int | None


def _oauth_error(status_code: int, error: str, status: str, message: str) -> tuple[int, Any]:
    return status_code, {
        "status": status,
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "error": error,
        "error_description": message,
    }


class AuthRegistry:
    """Tokens, OAuth apps and refresh tokens of the sandbox portal."""

    def __init__(
        self,
        *,
        token_lifetime: int = 1800,
        rotate_refresh_tokens: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token_lifetime = token_lifetime
        self.rotate_refresh_tokens = rotate_refresh_tokens
        self._clock = clock
        self._tokens: dict[str, Token] = {}
        self._apps: dict[str, _App] = {}
        self._refresh_tokens: dict[str, str] = {}
        self.refresh_count = 0
        self.refresh_attempts = 0

    # -- minting ---------------------------------------------------------------------------

    def create_token(
        self, scopes: Iterable[str] | None = None, *, same_app_as: str | None = None
    ) -> str:
        """A new private-app token (``pat-na1-...``); ``scopes`` None means every scope.

        Each token is a private app of its own, unless ``same_app_as`` names a token of the
        app it belongs to (a rotated token): tokens of one app share its rate budget.
        """
        value = f"pat-na1-{uuid.uuid4()}"
        frozen = None if scopes is None else frozenset(scopes)
        app = str(uuid.uuid4())
        if same_app_as is not None:
            sibling = self._tokens.get(same_app_as)
            if sibling is None or sibling.private_app is None:
                raise ValueError("same_app_as must be a private app token of this sandbox")
            app = sibling.private_app
        self._tokens[value] = Token(value, "private", frozen, private_app=app)
        return value

    def create_app(
        self, scopes: Iterable[str] | None = None, token_lifetime: int | None = None
    ) -> OAuthApp:
        """A new OAuth app with a fresh refresh token."""
        client_id = str(uuid.uuid4())
        secret = str(uuid.uuid4())
        frozen = None if scopes is None else frozenset(scopes)
        self._apps[client_id] = _App(secret, frozen, token_lifetime)
        refresh = self._new_refresh_token(client_id)
        return OAuthApp(client_id, secret, refresh, frozen)

    def _new_refresh_token(self, client_id: str) -> str:
        value = f"na1-{uuid.uuid4().hex[:4]}-{uuid.uuid4()}"
        self._refresh_tokens[value] = client_id
        return value

    def issue_access_token(self, client_id: str, lifetime: float | None = None) -> str:
        """An OAuth access token for the app, valid ``lifetime`` seconds (app/sandbox default)."""
        app = self._apps[client_id]
        if lifetime is None:
            lifetime = app.lifetime if app.lifetime is not None else self.token_lifetime
        value = "CO" + secrets.token_urlsafe(32)
        expires = self._clock() + lifetime
        self._tokens[value] = Token(value, "oauth", app.scopes, expires, client_id)
        return value

    def expired_token(self, seconds_ago: float = 5.0) -> str:
        """An OAuth access token (of a throwaway app) that expired ``seconds_ago`` seconds ago."""
        app = self.create_app()
        return self.issue_access_token(app.client_id, lifetime=-seconds_ago)

    def reset_counters(self) -> None:
        """Zero the refresh counters."""
        self.refresh_count = 0
        self.refresh_attempts = 0

    # -- checking --------------------------------------------------------------------------

    def lookup(self, header: str | None) -> Token | None:
        """The token named by an ``Authorization`` header, without judging its expiry."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self._tokens.get(value.strip())

    def authenticate(self, header: str | None) -> Token:
        """The valid token of the request, or raise the 401 HubSpot would answer."""
        token = self.lookup(header)
        if token is None:
            raise ApiError(401, "INVALID_AUTHENTICATION", _NOT_FOUND_MESSAGE)
        if token.expires_at is not None:
            now = self._clock()
            if now >= token.expires_at:
                ago = int(now - token.expires_at)
                raise ApiError(
                    401,
                    "EXPIRED_AUTHENTICATION",
                    f"The OAuth token used to make this call expired {ago} second(s) ago.",
                    context={"expire time": [iso_from_epoch(token.expires_at)]},
                )
        return token

    @staticmethod
    def require(token: Token, scopes: list[str], *, any_of: bool = False) -> None:
        """Raise the 403 MISSING_SCOPES answer unless ``token`` has the scopes.

        With ``any_of`` one of ``scopes`` suffices; otherwise all are needed.
        """
        if any_of:
            if any(token.has(s) for s in scopes):
                return
            missing = list(scopes)
            note = "One or more of the following scopes are required."
        else:
            missing = [s for s in scopes if not token.has(s)]
            if not missing:
                return
            note = "All of the following scopes are required."
        raise ApiError(
            403,
            "MISSING_SCOPES",
            _MISSING_SCOPES_MESSAGE,
            errors=[
                detail(
                    note,
                    context={
                        "requiredGranularScopes": list(scopes),
                        "requiredScopes": list(scopes),
                    },
                )
            ],
            context={"missingScopes": missing},
            links={"scopes": f"{SCOPES_LINK}?scopes={','.join(missing)}"},
        )

    # -- the token endpoint ----------------------------------------------------------------

    def token_endpoint(self, form: dict[str, str]) -> tuple[int, Any]:
        """Answer ``POST /oauth/v1/token`` for a decoded form: ``(status, JSON body)``."""
        self.refresh_attempts += 1
        grant = form.get("grant_type")
        if not grant:
            return _oauth_error(
                400, "invalid_request", "BAD_GRANT_TYPE", "missing required parameter: grant_type"
            )
        if grant != "refresh_token":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "BAD_GRANT_TYPE",
                f"unsupported grant_type {grant!r}; the sandbox supports refresh_token",
            )
        for name in ("client_id", "client_secret", "refresh_token"):
            if not form.get(name):
                return _oauth_error(
                    400, "invalid_request", "BAD_REQUEST", f"missing required parameter: {name}"
                )
        app = self._apps.get(form["client_id"])
        if app is None:
            return _oauth_error(
                400, "invalid_client", "BAD_CLIENT_ID", "missing or unknown client id"
            )
        if not secrets.compare_digest(app.secret, form["client_secret"]):
            return _oauth_error(
                400, "invalid_client", "BAD_CLIENT_SECRET", "missing or invalid client secret"
            )
        if self._refresh_tokens.get(form["refresh_token"]) != form["client_id"]:
            return _oauth_error(
                400, "invalid_grant", "BAD_REFRESH_TOKEN", "missing or invalid refresh token"
            )
        refresh = form["refresh_token"]
        if self.rotate_refresh_tokens:
            del self._refresh_tokens[refresh]
            refresh = self._new_refresh_token(form["client_id"])
        lifetime = app.lifetime if app.lifetime is not None else self.token_lifetime
        access = self.issue_access_token(form["client_id"], lifetime)
        self.refresh_count += 1
        return 200, {
            "token_type": "bearer",
            "refresh_token": refresh,
            "access_token": access,
            "expires_in": lifetime,
            "hub_id": HUB_ID,
        }
