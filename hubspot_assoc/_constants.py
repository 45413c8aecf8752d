"""Facts the whole package shares: API limits, environment variable names, categories.

Standard library only, so the command line's ``--help`` can read them without loading
httpx, attrs or the generated client. Every other module imports them from here.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "API_VERSION_ENV",
    "BASE_URL_ENV",
    "DEFAULT_API_VERSION",
    "DEFAULT_BASE_URL",
    "DEFAULT_BATCH_SIZE",
    "INT32_MAX",
    "MAX_TIMEOUT",
    "TOKEN_ENV",
    "Category",
    "api_version_or_none",
]

DEFAULT_BASE_URL = "https://api.hubapi.com"
#: The environment variable holding the access token when none is passed.
TOKEN_ENV = "HUBSPOT_ACCESS_TOKEN"
#: The environment variable overriding the API base URL.
BASE_URL_ENV = "HUBSPOT_BASE_URL"
#: The API version called when none is chosen; dated versions are "YYYY-MM".
DEFAULT_API_VERSION = "v4"
#: The environment variable choosing the API version when none is passed.
API_VERSION_ENV = "HUBSPOT_API_VERSION"
_DATED_VERSION = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
#: HubSpot's largest accepted type id and limit (a signed 32-bit integer).
INT32_MAX = 2_147_483_647
#: Inputs per request of a batch call (HubSpot accepts at most 100).
DEFAULT_BATCH_SIZE = 100
#: The most seconds a ``timeout`` may be (one day): beyond it the socket and asyncio layers
#: overflow, and no caller means it.
MAX_TIMEOUT = 86_400.0


class Category(StrEnum):
    """The category of an association type; with a type id it names the type.

    HubSpot's SDKs list three values, its spec four; answers may carry values newer than
    this list, and models keep those as plain strings.
    """

    HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
    USER_DEFINED = "USER_DEFINED"
    INTEGRATOR_DEFINED = "INTEGRATOR_DEFINED"
    WORK = "WORK"

    @classmethod
    def parse(cls, value: object, argument: str = "category") -> Category:
        """The :class:`Category` for *value*: a member, or its name in any case.

        Surrounding whitespace is ignored; anything else (``"user-defined"``, ``None``,
        ``1``) raises :class:`~hubspot_assoc.errors.InvalidInputError` naming *argument*
        and, for a near miss, the closest valid value.

        >>> Category.parse(" user_defined ")
        <Category.USER_DEFINED: 'USER_DEFINED'>
        """
        import difflib  # only for a near miss; --help reads this module too

        from hubspot_assoc.errors import InvalidInputError

        if isinstance(value, Category):
            return value
        allowed = "one of " + ", ".join(c.value for c in cls)
        if not isinstance(value, str):
            raise InvalidInputError(argument, value, allowed, hint="pass the category as a str")
        wanted = value.strip().upper()
        try:
            return cls(wanted)
        except ValueError:
            pass
        # Match on a normalised form so "user-defined" or "User Defined" find USER_DEFINED,
        # but only suggest: guessing what the caller meant is not our place.
        normalised = normalise_category(wanted)
        close = difflib.get_close_matches(normalised, [c.value for c in cls], n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}?" if close else None
        raise InvalidInputError(argument, value, allowed, hint=hint)


# Documented as living in hubspot_assoc.models, where users import it from (and pickle it).
Category.__module__ = "hubspot_assoc.models"


def normalise_category(text: str) -> str:
    """*text* upper-cased with spaces, dashes and dots turned into ``_``: a near-miss key."""
    return re.sub(r"[\s\-.]+", "_", text.strip().upper())


def api_version_or_none(value: object) -> str | None:
    """``value`` as an API version (``"v4"`` or a dated ``"YYYY-MM"``), or None if it is not one.

    >>> api_version_or_none(" 2026-03 "), api_version_or_none("2026-3")
    ('2026-03', None)
    """
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    return text if text == DEFAULT_API_VERSION or _DATED_VERSION.match(text) else None
