"""Which version of HubSpot's API a client calls, and the paths that version uses.

HubSpot publishes the associations API undated (``v4``) and in dated versions (``2025-09``,
``2026-03``, then one every six months). The operations are the same; only the path differs::

    v4        /crm/associations/v4/definitions/configurations/all
    2026-03   /crm/associations/2026-03/definitions/configurations/all

Operations are built with the ``v4`` paths of the generated client; :func:`versioned_path` is
the one place that turns them into another version's path, just before a request is built.
"""

from __future__ import annotations

import os

from ._constants import API_VERSION_ENV, DEFAULT_API_VERSION, api_version_or_none
from .errors import InvalidInputError

__all__ = ["API_VERSION_ENV", "DEFAULT_API_VERSION", "api_version", "versioned_path"]

#: The dated versions HubSpot had published when this release was made (any ``YYYY-MM`` works).
PUBLISHED_DATED = ("2025-09", "2026-03")

ALLOWED = "'v4' or a dated version 'YYYY-MM' such as '2026-03' or '2025-09'"

# v4 prefix -> dated form with {v} for the version. The records operations' v4 paths put the
# version before the resource (/crm/v4/objects/...); their dated paths put it after.
_PREFIXES = (
    ("/crm/associations/v4/", "/crm/associations/{v}/"),
    ("/crm/v4/associations/", "/crm/associations/{v}/"),
    ("/crm/v4/objects/", "/crm/objects/{v}/"),
)


def api_version(value: object) -> str:
    """``value`` checked: ``"v4"`` or ``"YYYY-MM"``, else :class:`InvalidInputError` naming
    ``api_version`` and the allowed forms. None means ``HUBSPOT_API_VERSION``, then ``v4``.

    >>> api_version("2026-03")
    '2026-03'
    """
    hint = None
    if value is None:
        value = os.environ.get(API_VERSION_ENV, "").strip() or DEFAULT_API_VERSION
        hint = f"read from the {API_VERSION_ENV} environment variable"
    checked = api_version_or_none(value)
    if checked is not None:
        return checked
    raise InvalidInputError("api_version", value, ALLOWED, hint=hint, what="API version")


def versioned_path(path: str, version: str) -> str:
    """``path`` (a ``v4`` path) as ``version`` names it; unchanged for ``v4``.

    >>> versioned_path("/crm/associations/v4/contacts/companies/labels", "2026-03")
    '/crm/associations/2026-03/contacts/companies/labels'
    """
    if version == DEFAULT_API_VERSION:
        return path
    for v4, dated in _PREFIXES:
        if path.startswith(v4):
            return dated.format(v=version) + path[len(v4) :]
    return path
