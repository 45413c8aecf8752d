"""A local HubSpot CRM Associations v4 server for tests, demos and CI (standard library only).

Example::

    from hubspot_assoc.sandbox import Sandbox

    with Sandbox() as sb:
        print(sb.url, sb.token)

It serves the paths of every API version (``/crm/associations/v4/``, dated
``/crm/associations/YYYY-MM/``, and the older ``/crm/v4/associations/`` of HubSpot's own
clients); ``Sandbox(emulate=...)`` chooses whose statuses and shapes it answers with, see
:mod:`hubspot_assoc.sandbox.versions` for the table.

Nothing in :mod:`hubspot_assoc` imports this package; import it explicitly.
"""

from hubspot_assoc.sandbox.auth import OAuthApp
from hubspot_assoc.sandbox.core import Sandbox
from hubspot_assoc.sandbox.faults import Fault, parse_fault
from hubspot_assoc.sandbox.server import RecordedRequest
from hubspot_assoc.sandbox.state import PortalState

__all__ = ["Fault", "OAuthApp", "PortalState", "RecordedRequest", "Sandbox", "parse_fault"]
