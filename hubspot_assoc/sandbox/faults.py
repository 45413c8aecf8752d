"""Fault plans: make chosen answers fail in the ways HubSpot (and networks) fail.

A fault has a *kind*, a *route filter* and a *trigger*:

* kinds that answer instead of the sandbox, changing nothing: ``429`` (``policy=ten_secondly``
  or ``daily``), ``500`` (HubSpot JSON body), ``502``, ``503``, ``504``, ``521``, ``523``,
  ``524`` (HTML bodies, as from the CDN edge), ``drop`` (close the connection unanswered);
* kinds that let the operation happen and then spoil the answer: ``delay`` (wait ``seconds``,
  then answer normally), ``drop_after`` (apply, then close the connection unanswered),
  ``truncate`` (JSON body cut in half), ``nonjson`` (200 with an HTML body), ``enum`` (JSON body
  with unknown enum values and extra fields).
* routes: the limits, labels and association records routes (``associations.create``,
  ``associations.batch_read``, ...; the group ``associations`` selects all ten) and the OAuth
  token endpoint.
* trigger: ``count=N`` (the next N matching requests), ``fraction=F`` (each matching request
  with probability F, drawn from ``random.Random(seed)`` so a run repeats), or both (at most N
  times, each with probability F). Neither means ``count=1``.

Compact text form (CLI ``--fault`` and :func:`parse_fault`)::

    KIND[:key=value]...      e.g.  503:count=2:route=purge   drop:fraction=0.1:seed=7
                                   429:policy=daily          delay:seconds=2.5:route=labels
                                   503:retry_after=3:count=1
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from hubspot_assoc.sandbox.record_store import RECORD_ROUTES

STATUS_KINDS = ("429", "500", "502", "503", "504", "521", "523", "524")
APPLYING_KINDS = ("delay", "drop_after", "truncate", "nonjson", "enum")
KINDS = (*STATUS_KINDS, "drop", *APPLYING_KINDS)
HTML_STATUSES = frozenset({502, 503, 504, 521, 523, 524})

ROUTES = (
    "limits.list_all",
    "limits.list",
    "limits.create",
    "limits.update",
    "limits.purge",
    "labels.list",
    "labels.create",
    "labels.update",
    "labels.delete",
    *RECORD_ROUTES,
    "oauth.token",
)
_POLICIES = {"ten_secondly": "TEN_SECONDLY_ROLLING", "daily": "DAILY"}
_OPTIONS = ("count", "fraction", "seed", "route", "retry_after", "policy", "seconds")


def route_matches(pattern: str | None, route: str) -> bool:
    """Whether a route filter selects ``route``.

    None, ``all`` and ``*`` select every HubSpot API route (not the OAuth token endpoint); a
    full name (``limits.purge``), a group (``limits``, ``labels``, ``oauth``) or a last part
    (``purge``, ``create``: both create routes) select what they name.
    """
    if pattern in (None, "all", "*"):
        return not route.startswith("oauth.")
    assert pattern is not None
    return route == pattern or route.startswith(pattern + ".") or route.endswith("." + pattern)


def _check_route(pattern: str | None) -> None:
    if pattern in (None, "all", "*"):
        return
    if not any(route_matches(pattern, r) for r in ROUTES):
        allowed = ", ".join(("all", "limits", "labels", "associations", "oauth", *ROUTES))
        raise ValueError(f"route {pattern!r} matches no route; allowed: {allowed}, or a last part")


@dataclass
class Fault:
    """One injected fault; see the module docstring for kinds and triggers.

    Example: ``Fault("503", route="purge", count=2)``
    """

    kind: str
    route: str | None = None
    count: int | None = None
    fraction: float | None = None
    seed: int | None = None
    retry_after: float | None = None
    policy: str = "TEN_SECONDLY_ROLLING"
    seconds: float = 1.0
    fired: int = 0
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.kind = str(self.kind).lower()
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; allowed: {', '.join(KINDS)}")
        _check_route(self.route)
        if self.count is not None and self.count < 1:
            raise ValueError(f"count must be a positive integer, got {self.count}")
        if self.fraction is not None and not 0.0 <= self.fraction <= 1.0:
            raise ValueError(f"fraction must be between 0 and 1, got {self.fraction}")
        if self.count is None and self.fraction is None:
            self.count = 1
        if self.retry_after is not None and self.retry_after < 0:
            raise ValueError(f"retry_after must be >= 0, got {self.retry_after}")
        if self.seconds < 0:
            raise ValueError(f"seconds must be >= 0, got {self.seconds}")
        policy = _POLICIES.get(self.policy.lower(), self.policy.upper())
        if policy not in _POLICIES.values():
            raise ValueError(f"policy must be one of ten_secondly, daily; got {self.policy!r}")
        self.policy = policy
        self._rng = random.Random(self.seed)

    def reseed(self, seed: int | None) -> None:
        """Restart the fraction draws from ``seed``."""
        self.seed = seed
        self._rng = random.Random(seed)

    @property
    def applies_operation(self) -> bool:
        """Whether the request's operation still takes effect under this fault."""
        return self.kind in APPLYING_KINDS

    @property
    def exhausted(self) -> bool:
        """Whether a counted fault has fired its last time."""
        return self.count is not None and self.fired >= self.count

    def fire(self, route: str) -> bool:
        """Decide (and record) whether this fault hits a request to ``route``."""
        if self.exhausted or not route_matches(self.route, route):
            return False
        if self.fraction is not None and self._rng.random() >= self.fraction:
            return False
        self.fired += 1
        return True


def parse_fault(spec: str) -> Fault:
    """Parse the compact form ``KIND[:key=value]...`` into a :class:`Fault`.

    >>> parse_fault("503:count=2:route=purge").count
    2
    """
    parts = [p.strip() for p in spec.strip().split(":")]
    if not parts[0]:
        raise ValueError(f"fault {spec!r}: missing kind; allowed: {', '.join(KINDS)}")
    if parts[0].lower() not in KINDS:
        raise ValueError(f"fault {spec!r}: unknown kind {parts[0]!r}; allowed: {', '.join(KINDS)}")
    values: dict[str, str] = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        key = key.strip().lower().replace("-", "_")
        if not sep or key not in _OPTIONS:
            raise ValueError(
                f"fault {spec!r}: bad option {part!r}; options are key=value with key one of "
                + ", ".join(_OPTIONS)
            )
        values[key] = value.strip()
    try:
        return Fault(
            parts[0],
            route=values.get("route"),
            count=int(values["count"]) if "count" in values else None,
            fraction=float(values["fraction"]) if "fraction" in values else None,
            seed=int(values["seed"]) if "seed" in values else None,
            retry_after=float(values["retry_after"]) if "retry_after" in values else None,
            policy=values.get("policy", "ten_secondly"),
            seconds=float(values["seconds"]) if "seconds" in values else 1.0,
        )
    except ValueError as exc:
        raise ValueError(f"fault {spec!r}: {exc}") from None


class FaultPlan:
    """The faults in force, consulted in order; the first that fires wins. Not locked itself."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Add a fault after the existing ones."""
        self.faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every fault."""
        self.faults.clear()

    def pick(self, route: str) -> Fault | None:
        """The fault that hits this request, if any (exhausted faults are dropped)."""
        if not self.faults:
            return None
        hit = None
        for fault in self.faults:
            if fault.fire(route):
                hit = fault
                break
        self.faults = [f for f in self.faults if not f.exhausted]
        return hit
