"""hubspot-assoc: a typed, resilient client for HubSpot's CRM Associations v4 API.

Quickstart::

    from hubspot_assoc import Client

    with Client() as client:  # token from HUBSPOT_ACCESS_TOKEN
        client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])

Everything a user needs is importable from here; ``hubspot_assoc_api`` (the generated
low-level client) is an implementation detail.
"""

from ._version import __version__
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
from .retry import RetryPolicy

__all__ = [
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AssociationLabel",
    "AssociationLimit",
    "AssociationSpec",
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
    "RetryPolicy",
    "ServerError",
    "TokenSet",
    "UnexpectedResponseError",
    "__version__",
]
