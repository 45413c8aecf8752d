"""Everything a user needs is importable from hubspot_assoc, with the documented signatures."""

from __future__ import annotations

import inspect
import subprocess
import sys

import hubspot_assoc
from hubspot_assoc import Client, RateLimit, RetryPolicy

PUBLIC = [
    "Client",
    "AsyncClient",
    "OAuth",
    "TokenSet",
    "RetryPolicy",
    "RateLimit",
    "Category",
    "AssociationSpec",
    "LimitInput",
    "AssociationLimit",
    "AssociationLabel",
    "BatchResult",
    "BatchItemError",
    "HubSpotError",
    "InvalidInputError",
    "MissingCredentialsError",
    "APIConnectionError",
    "APITimeoutError",
    "APIError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "MissingScopesError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
    "BatchPartialFailureError",
]


def test_public_names_are_exported() -> None:
    for name in PUBLIC:
        assert name in hubspot_assoc.__all__, name
        assert getattr(hubspot_assoc, name).__doc__, f"{name} needs a docstring"


def test_exception_tree() -> None:
    h = hubspot_assoc
    assert issubclass(h.InvalidInputError, h.HubSpotError)
    assert issubclass(h.InvalidInputError, ValueError)
    assert issubclass(h.MissingCredentialsError, h.HubSpotError)
    assert issubclass(h.APITimeoutError, h.APIConnectionError)
    assert issubclass(h.APIConnectionError, h.HubSpotError)
    for cls in (
        h.BadRequestError,
        h.AuthenticationError,
        h.PermissionDeniedError,
        h.NotFoundError,
        h.ConflictError,
        h.RateLimitError,
        h.ServerError,
        h.UnexpectedResponseError,
    ):
        assert issubclass(cls, h.APIError)
    assert issubclass(h.MissingScopesError, h.PermissionDeniedError)
    assert issubclass(h.BatchPartialFailureError, h.HubSpotError)
    assert issubclass(h.APIError, h.HubSpotError)


def test_client_signature_is_as_documented() -> None:
    for cls in (hubspot_assoc.Client, hubspot_assoc.AsyncClient):
        params = inspect.signature(cls).parameters
        assert list(params) == [
            "access_token",
            "oauth",
            "base_url",
            "timeout",
            "retry",
            "rate_limit",
            "http_client",
            "api_version",
        ]
        assert params["access_token"].default is None
        assert params["access_token"].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY for name in list(params)[1:])
        assert params["timeout"].default == 30.0
        assert params["retry"].default == RetryPolicy()
        assert params["rate_limit"].default == RateLimit()
        assert params["api_version"].default is None  # then $HUBSPOT_API_VERSION, then "v4"


def test_value_class_defaults() -> None:
    assert RetryPolicy() == RetryPolicy(
        max_retries=3, initial_delay=0.5, max_delay=8.0, max_retry_after=60.0
    )
    assert RateLimit() == RateLimit(max_requests=100, interval=10.0)
    oauth_params = list(inspect.signature(hubspot_assoc.OAuth).parameters)
    assert oauth_params == [
        "client_id",
        "client_secret",
        "refresh_token",
        "access_token",
        "expires_at",
        "token_url",
        "on_refresh",
    ]


def test_resource_methods() -> None:
    client = Client("pat-na1-test", base_url="http://127.0.0.1:9")
    with client:
        for name in ("list", "get", "create", "update", "purge"):
            assert callable(getattr(client.limits, name))
        for name in ("list", "create", "update", "delete"):
            assert callable(getattr(client.labels, name))
    params = inspect.signature(client.labels.create).parameters
    assert [p for p in params if params[p].kind is inspect.Parameter.KEYWORD_ONLY] == [
        "label",
        "name",
        "inverse_label",
    ]


def test_import_does_not_pull_in_cli_sandbox_or_generated_code() -> None:
    code = (
        "import sys, hubspot_assoc;"
        "print(sorted(m for m in sys.modules if m in ('hubspot_assoc.cli', 'hubspot_assoc.demo',"
        "'argparse') or m.startswith('hubspot_assoc.sandbox')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_exported_name_resolves_lazily() -> None:
    code = (
        "import sys, hubspot_assoc;"
        "assert 'httpx' not in sys.modules, 'import hubspot_assoc must not load httpx';"
        "from hubspot_assoc import *;"
        "g = globals(); missing = [n for n in hubspot_assoc.__all__ if n not in g];"
        "print(missing)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    assert set(hubspot_assoc.__all__) == {*hubspot_assoc._EXPORTS, "__version__"}


def test_building_a_client_does_not_import_attrs_or_redis() -> None:
    # attrs costs ~10 ms of cold start; it serves the models and the generated code,
    # which load with the first call, not with the client. redis loads with the first
    # reservation in a shared store, never before.
    code = (
        "import sys, hubspot_assoc;"
        "hubspot_assoc.Client('pat-na1-test', base_url='http://127.0.0.1:1');"
        "hubspot_assoc.Client('pat-na1-test', base_url='http://127.0.0.1:1',"
        " rate_limit=hubspot_assoc.RateLimit(store='redis://127.0.0.1:1/0'));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('attr', 'attrs', 'redis')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
