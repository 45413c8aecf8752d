"""hubspot-assoc: a typed, resilient client for HubSpot's CRM Associations v4 API.

Quickstart::

    from hubspot_assoc import Client

    with Client() as client:  # token from HUBSPOT_ACCESS_TOKEN
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])

Everything a user needs is importable from here; ``hubspot_assoc_api`` (the generated
low-level client) is an implementation detail.
"""

from __future__ import annotations

from ._error_names import ERROR_NAMES as _ERROR_NAMES
from ._version import __version__

# Not `from typing import TYPE_CHECKING`: importing typing costs about a third of what
# `hubspot-assoc --help` may spend, and this package is the first thing it imports.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

    from .auth import OAuth, TokenSet
    from .client import AsyncClient, Client
    from .errors import (
        APIConnectionError,
        APIError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BatchPartialFailureError,
        ConflictError,
        ErrorDetail,
        HubSpotError,
        InvalidInputError,
        MissingCredentialsError,
        MissingScopesError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        UnexpectedResponseError,
    )
    from .models import (
        AssociationLabel,
        AssociationLimit,
        AssociationSpec,
        BatchItemError,
        BatchResult,
        Category,
        LimitInput,
    )
    from .ratelimit import RateLimit
    from .records import (
        Association,
        AssociationsByRecord,
        AssociationType,
        RecordPair,
        UsageReport,
    )
    from .retry import RetryPolicy

# Where each public name lives. Importing them lazily keeps `import hubspot_assoc` cheap for
# programs that need only part of it: `hubspot-assoc --help` must not load httpx at all.
_EXPORTS = {
    "AsyncClient": "client",
    "Client": "client",
    "OAuth": "auth",
    "TokenSet": "auth",
    "RateLimit": "ratelimit",
    "RetryPolicy": "retry",
    **dict.fromkeys(_ERROR_NAMES, "errors"),
    **dict.fromkeys(
        [
            "AssociationLabel",
            "AssociationLimit",
            "AssociationSpec",
            "BatchItemError",
            "BatchResult",
            "Category",
            "LimitInput",
        ],
        "models",
    ),
    **dict.fromkeys(
        ["Association", "AssociationType", "AssociationsByRecord", "RecordPair", "UsageReport"],
        "records",
    ),
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hubspot_assoc' has no attribute {name!r}")
    # A plain import per module (no import by string), so readers and tools see the source.
    source: ModuleType
    if module == "client":
        from . import client as source_client

        source = source_client
    elif module == "auth":
        from . import auth as source_auth

        source = source_auth
    elif module == "ratelimit":
        from . import ratelimit as source_ratelimit

        source = source_ratelimit
    elif module == "retry":
        from . import retry as source_retry

        source = source_retry
    elif module == "errors":
        from . import errors as source_errors

        source = source_errors
    elif module == "records":
        from . import records as source_records

        source = source_records
    else:
        from . import models as source_models

        source = source_models
    value = getattr(source, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])


__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "Association",
    "AssociationLabel",
    "AssociationLimit",
    "AssociationSpec",
    "AssociationType",
    "AssociationsByRecord",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BatchItemError",
    "BatchPartialFailureError",
    "BatchResult",
    "Category",
    "Client",
    "ConflictError",
    "ErrorDetail",
    "HubSpotError",
    "InvalidInputError",
    "LimitInput",
    "MissingCredentialsError",
    "MissingScopesError",
    "NotFoundError",
    "OAuth",
    "PermissionDeniedError",
    "RateLimit",
    "RateLimitError",
    "RecordPair",
    "RetryPolicy",
    "ServerError",
    "TokenSet",
    "UnexpectedResponseError",
    "UsageReport",
    "__version__",
]
