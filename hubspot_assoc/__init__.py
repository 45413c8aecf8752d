"""hubspot-assoc: a typed, resilient client for HubSpot's CRM Associations v4 API."""

from ._version import __version__

__all__ = ["__version__"]
