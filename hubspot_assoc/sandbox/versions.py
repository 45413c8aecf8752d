"""Which published version of HubSpot's API the sandbox answers as, and the paths it serves.

HubSpot publishes the limits and labels operations under several versions, and they do not
answer alike. The sandbox serves all of their paths:

* ``/crm/associations/v4/...`` - the undated v4 API;
* ``/crm/associations/YYYY-MM/...`` - a dated version (``2025-09``, ``2026-03``, any month);
* ``/crm/v4/associations/...`` - the older prefix HubSpot's own clients still call for the same
  nine operations (hubspot-api-client 12, @hubspot/api-client 14); answered like ``v4``.

``emulate`` chooses the statuses and shapes (``Sandbox(emulate=...)``,
``hubspot-assoc sandbox --emulate ...``). ``auto`` (the default) answers each request as the
version its path names; any other value answers every path as that one version:

=====================  ============  ===============  ============  ===============
operation              ``v4``        ``v4-legacy``    ``2026-03``   ``2025-09``
=====================  ============  ===============  ============  ===============
limits list, get       200           200              200           200
limits batch create    201; 207 (1)  200 (2)          201; 207 (1)  200 (2)
limits batch update    200; 207 (1)  200 (2)          200; 207 (1)  200 (2)
limits batch purge     204, no body  200 + body (3)   200 + body    200 + body (3)
labels list, create    200 (4)       200              200 (4)       200
labels update, delete  204           204              204           204
=====================  ============  ===============  ============  ===============

1. 207 when some inputs failed, with ``numErrors`` and ``errors``; the 201/200 body has neither.
2. One status whatever happened: failed inputs are reported in ``errors`` of the 200 body.
3. The body is the spec's ``BatchResponseVoid`` (``results`` items untyped); for ``2026-03`` it
   is ``BatchResponse`` (``results`` items objects). The sandbox sends ``{}`` per purged input.
4. With ``fromObjectTypeId`` and ``toObjectTypeId`` on each label; the older shapes have neither.

The association records routes (:mod:`.records`) follow the same choice: their two batch
archives answer 204 without a body as ``v4`` and ``v4-legacy``, and 200 with a batch body as
the dated versions (HubSpot's 2026-03 records spec); their other answers are alike in every
version.

``v4`` is HubSpot's current v4 spec; ``v4-legacy`` is the v4 spec as published until April 2026
(HubSpot's spec collection at commit 7add9eb). ``2025-09`` answers like ``v4-legacy`` and
``2026-03`` like ``v4`` except for purge. Errors (4xx, 429, 5xx) have the same ``Error`` body in
every version. In ``auto`` mode a dated version the sandbox does not know answers like the
newest known one published before it (``2026-09`` like ``2026-03``; one before ``2025-09`` like
``2025-09``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AUTO = "auto"
V4 = "v4"
V4_LEGACY = "v4-legacy"

#: The ``emulate`` values besides ``auto``, newest shapes first.
EMULATIONS = (V4, V4_LEGACY, "2026-03", "2025-09")

#: ``--purge-response`` is kept as another name for two of them.
PURGE_RESPONSE_ALIASES = {"204": V4, "body": V4_LEGACY}

_PREFIX = "/crm/associations/"
#: The prefix of the same operations in HubSpot's older clients.
LEGACY_PREFIX = "/crm/v4/associations/"
_DATED = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Emulation:
    """How one published version answers the operations that differ between versions."""

    name: str
    #: Batch create when every input was applied.
    create_status: int
    #: Batch create and update when some inputs failed (the errors are in the body).
    partial_status: int
    #: Purge: 200 with a batch body, or 204 without one.
    purge_body: bool
    #: Whether each label carries ``fromObjectTypeId`` and ``toObjectTypeId``.
    label_object_type_ids: bool


_SHAPES = {
    V4: Emulation(V4, 201, 207, purge_body=False, label_object_type_ids=True),
    V4_LEGACY: Emulation(V4_LEGACY, 200, 200, purge_body=True, label_object_type_ids=False),
    "2026-03": Emulation("2026-03", 201, 207, purge_body=True, label_object_type_ids=True),
    "2025-09": Emulation("2025-09", 200, 200, purge_body=True, label_object_type_ids=False),
}
_DATED_KNOWN = sorted(name for name in _SHAPES if _DATED.match(name))


def is_dated(version: str) -> bool:
    """Whether ``version`` has the ``YYYY-MM`` form of HubSpot's dated versions."""
    return _DATED.match(version) is not None


def check_emulate(value: object) -> str:
    """``value`` if it is ``auto`` or a published version's name; else ValueError naming them."""
    if value == AUTO or value in _SHAPES:
        return str(value)
    allowed = ", ".join((AUTO, *EMULATIONS))
    raise ValueError(f"emulate must be one of {allowed}; got {value!r}")


def split_api_path(path: str) -> tuple[str, str] | None:
    """``(version, rest)`` of a limits/labels path, or None for a path outside the API.

    ``/crm/associations/2026-03/x/y/labels`` gives ``("2026-03", "x/y/labels")``; the legacy
    ``/crm/v4/associations/x/y/labels`` gives ``("v4", "x/y/labels")``.
    """
    if path.startswith(LEGACY_PREFIX):
        return V4, path[len(LEGACY_PREFIX) :]
    if path.startswith(_PREFIX):
        version, slash, rest = path[len(_PREFIX) :].partition("/")
        if slash and (version == V4 or is_dated(version)):
            return version, rest
    return None


def emulation(mode: str, path_version: str) -> Emulation:
    """The shapes that answer a request to ``path_version`` when the sandbox emulates ``mode``."""
    if mode != AUTO:
        return _SHAPES[mode]
    if path_version in _SHAPES:
        return _SHAPES[path_version]
    earlier = [name for name in _DATED_KNOWN if name <= path_version]
    return _SHAPES[earlier[-1] if earlier else _DATED_KNOWN[0]]
