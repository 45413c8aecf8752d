"""The public names of :mod:`hubspot_assoc.errors`, listed once.

``errors.__all__`` is built from them, and the package's lazy exports read them without
importing the errors module (``import hubspot_assoc`` stays cheap). Nothing to import here.
"""

ERROR_NAMES = (
    "APIConnectionError",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchPartialFailureError",
    "ConflictError",
    "ErrorDetail",
    "HubSpotError",
    "InvalidInputError",
    "MissingCredentialsError",
    "MissingScopesError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "UnexpectedResponseError",
)
