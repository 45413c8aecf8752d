"""The in-memory portal: object types, association types (with labels) and configured limits.

The seed mirrors a real HubSpot portal: the standard objects with HubSpot's own association
type ids in both directions. User-defined labels get type ids from a portal-wide counter that
starts at 1000, above every seeded id, so a type id alone never names two types in one pair.

Nothing here locks: the server holds one lock around every call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hubspot_assoc.sandbox.record_store import RecordStore

HUBSPOT_DEFINED = "HUBSPOT_DEFINED"
USER_DEFINED = "USER_DEFINED"
CATEGORIES = ("HUBSPOT_DEFINED", "INTEGRATOR_DEFINED", "USER_DEFINED", "WORK")

MAX_LABELS_PER_PAIR = 10
FIRST_USER_TYPE_ID = 1000

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CUSTOM_ID_RE = re.compile(r"^2-[0-9]+$")


@dataclass(frozen=True)
class ObjectType:
    """A CRM object type: its id (``0-1``), singular and plural names.

    ``scope_name`` is the word used in its scopes (``crm.objects.<scope_name>.read``).
    """

    id: str
    singular: str
    plural: str

    @property
    def scope_name(self) -> str:
        """``custom`` for custom objects (ids ``2-...``), the plural name otherwise."""
        return "custom" if self.id.startswith("2-") else self.plural


@dataclass
class AssocType:
    """One association type in one direction."""

    category: str
    type_id: int
    label: str | None = None
    definition: int | None = None  # the user-defined label definition it belongs to

    def as_label(self, from_id: str, to_id: str) -> dict[str, Any]:
        """The ``AssociationLabel`` JSON for this type."""
        out: dict[str, Any] = {"category": self.category, "typeId": self.type_id}
        if self.label is not None:
            out["label"] = self.label
        out["fromObjectTypeId"] = from_id
        out["toObjectTypeId"] = to_id
        return out


@dataclass
class _Definition:
    """A user-defined label as created by one POST: its name and its types per pair."""

    name: str
    pair: frozenset[str]
    paired: bool
    types: list[tuple[tuple[str, str], int]] = field(default_factory=list)


STANDARD_OBJECTS = (
    ObjectType("0-1", "contact", "contacts"),
    ObjectType("0-2", "company", "companies"),
    ObjectType("0-3", "deal", "deals"),
    ObjectType("0-5", "ticket", "tickets"),
    ObjectType("0-27", "task", "tasks"),
    ObjectType("0-46", "note", "notes"),
    ObjectType("0-47", "meeting", "meetings"),
    ObjectType("0-48", "call", "calls"),
    ObjectType("0-49", "email", "emails"),
)

# (from, to, typeId, label) — HubSpot's own HUBSPOT_DEFINED types.
_SEED_TYPES: tuple[tuple[str, str, int, str | None], ...] = (
    ("0-1", "0-2", 279, None),
    ("0-1", "0-2", 1, "Primary"),
    ("0-2", "0-1", 280, None),
    ("0-2", "0-1", 2, "Primary"),
    ("0-3", "0-1", 3, None),
    ("0-1", "0-3", 4, None),
    ("0-3", "0-2", 341, None),
    ("0-3", "0-2", 5, "Primary"),
    ("0-2", "0-3", 342, None),
    ("0-2", "0-3", 6, "Primary"),
    ("0-2", "0-2", 450, None),
    ("0-2", "0-2", 13, "Child Company"),
    ("0-2", "0-2", 14, "Parent Company"),
    ("0-1", "0-5", 15, None),
    ("0-5", "0-1", 16, None),
    ("0-5", "0-2", 339, None),
    ("0-5", "0-2", 26, "Primary"),
    ("0-2", "0-5", 340, None),
    ("0-2", "0-5", 25, "Primary"),
    ("0-3", "0-5", 27, None),
    ("0-5", "0-3", 28, None),
    ("0-1", "0-1", 449, None),
    ("0-3", "0-3", 451, None),
    ("0-5", "0-5", 452, None),
)

# Engagements: (engagement id, {record id: (record->engagement, engagement->record)}).
_SEED_ENGAGEMENTS: tuple[tuple[str, dict[str, tuple[int, int]]], ...] = (
    ("0-46", {"0-1": (201, 202), "0-2": (189, 190), "0-3": (213, 214), "0-5": (227, 228)}),
    ("0-48", {"0-1": (193, 194), "0-2": (181, 182), "0-3": (205, 206), "0-5": (219, 220)}),
    ("0-49", {"0-1": (197, 198), "0-2": (185, 186), "0-3": (209, 210), "0-5": (223, 224)}),
    ("0-47", {"0-1": (199, 200), "0-2": (187, 188), "0-3": (211, 212), "0-5": (225, 226)}),
    ("0-27", {"0-1": (203, 204), "0-2": (191, 192), "0-3": (215, 216), "0-5": (229, 230)}),
)


def label_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid label name, or None when it is."""
    if not name:
        return "name must not be empty."
    if "-" in name:
        return f"name {name!r} must not contain hyphens."
    if name[0].isdigit():
        return f"name {name!r} must not start with a digit."
    if not _NAME_RE.match(name):
        return f"name {name!r} may contain only letters, digits and underscores."
    return None


class PortalState:
    """The sandbox portal. Use the inspection methods in tests; the server calls the others.

    Example::

        sb.state.limits("contacts", "companies")   # {("HUBSPOT_DEFINED", 279): 5}
        sb.state.labels("0-1", "0-2")              # [{"category": ..., "typeId": 1, ...}, ...]
    """

    def __init__(self) -> None:
        self._objects: dict[str, ObjectType] = {}
        self._names: dict[str, ObjectType] = {}
        self._types: dict[tuple[str, str], dict[tuple[str, int], AssocType]] = {}
        self._limits: dict[tuple[str, str, str, int], int] = {}
        self._definitions: dict[int, _Definition] = {}
        self._next_type_id = FIRST_USER_TYPE_ID
        self._next_definition = 1
        self.records = RecordStore()
        """The association records between the portal's records (both directions)."""
        self.reset()

    # -- seed and object types -------------------------------------------------------------

    def reset(self) -> None:
        """Forget every change: back to the seeded portal (custom object types are dropped)."""
        self._objects.clear()
        self._names.clear()
        self._types.clear()
        self._limits.clear()
        self._definitions.clear()
        self._next_type_id = FIRST_USER_TYPE_ID
        self._next_definition = 1
        self.records.reset()
        for obj in STANDARD_OBJECTS:
            self.add_object_type(obj.id, obj.singular, obj.plural)
        for from_id, to_id, type_id, label in _SEED_TYPES:
            self._add_type(from_id, to_id, AssocType(HUBSPOT_DEFINED, type_id, label))
        for engagement, records in _SEED_ENGAGEMENTS:
            for record, (forward, backward) in records.items():
                self._add_type(record, engagement, AssocType(HUBSPOT_DEFINED, forward))
                self._add_type(engagement, record, AssocType(HUBSPOT_DEFINED, backward))

    def add_object_type(self, object_type_id: str, singular: str, plural: str) -> ObjectType:
        """Register an object type, e.g. ``add_object_type("2-123", "car", "cars")``."""
        obj = ObjectType(object_type_id, singular.lower(), plural.lower())
        self._objects[obj.id] = obj
        for key in (obj.id, obj.singular, obj.plural):
            self._names[key] = obj
        return obj

    def object_types(self) -> list[ObjectType]:
        """Every known object type."""
        return list(self._objects.values())

    def resolve(self, name: str) -> ObjectType | None:
        """The object type named by id (``0-1``) or name (``contacts``/``contact``), or None."""
        return self._names.get(name.lower())

    @staticmethod
    def is_custom_id(name: str) -> bool:
        """Whether ``name`` has the form of a custom object id (``2-<digits>``)."""
        return bool(_CUSTOM_ID_RE.match(name))

    def _add_type(self, from_id: str, to_id: str, assoc: AssocType) -> None:
        self._types.setdefault((from_id, to_id), {})[(assoc.category, assoc.type_id)] = assoc

    # -- association types and labels ------------------------------------------------------

    def find_type(self, from_id: str, to_id: str, category: str, type_id: int) -> AssocType | None:
        """The association type (category, typeId) from one object type to another, if any."""
        return self._types.get((from_id, to_id), {}).get((category, type_id))

    def find_by_id(self, from_id: str, to_id: str, type_id: int) -> AssocType | None:
        """The type with this id in the pair, preferring USER_DEFINED (ids are unique there)."""
        types = self._types.get((from_id, to_id), {})
        found = types.get((USER_DEFINED, type_id))
        if found is not None:
            return found
        for (_, tid), assoc in types.items():
            if tid == type_id:
                return assoc
        return None

    def types(self, from_id: str, to_id: str) -> list[AssocType]:
        """Every association type of the pair (by object type ids), in creation order."""
        return list(self._types.get((from_id, to_id), {}).values())

    def _resolve_pair(self, from_type: str, to_type: str) -> tuple[str, str]:
        a, b = self.resolve(from_type), self.resolve(to_type)
        if a is None or b is None:
            raise KeyError(f"unknown object type in {from_type!r}/{to_type!r}")
        return a.id, b.id

    def labels(self, from_type: str, to_type: str) -> list[dict[str, Any]]:
        """The pair's association types as the labels endpoint lists them (names or ids)."""
        f, t = self._resolve_pair(from_type, to_type)
        return [a.as_label(f, t) for a in self.types(f, t)]

    def user_label_count(self, from_id: str, to_id: str) -> int:
        """How many user-defined label definitions exist between the two object types."""
        pair = frozenset((from_id, to_id))
        return sum(1 for d in self._definitions.values() if d.pair == pair)

    def has_label_name(self, from_id: str, to_id: str, name: str) -> bool:
        """Whether a label definition with this name already exists between the two types."""
        pair = frozenset((from_id, to_id))
        return any(d.pair == pair and d.name == name for d in self._definitions.values())

    def create_label(
        self, from_id: str, to_id: str, name: str, label: str, inverse_label: str | None
    ) -> list[dict[str, Any]]:
        """Create a USER_DEFINED label; returns the new types as ``AssociationLabel`` dicts.

        Between two different object types HubSpot makes a type in each direction (the reverse
        one carries ``inverse_label``, or the same label when unpaired). Within one object type an
        unpaired label is a single type and a paired one two types.
        """
        def_id = self._next_definition
        self._next_definition += 1
        definition = _Definition(name, frozenset((from_id, to_id)), inverse_label is not None)
        self._definitions[def_id] = definition
        created: list[dict[str, Any]] = []
        sides: list[tuple[str, str, str]] = [(from_id, to_id, label)]
        if from_id != to_id:
            sides.append((to_id, from_id, inverse_label if inverse_label is not None else label))
        elif inverse_label is not None:
            sides.append((from_id, to_id, inverse_label))
        for f, t, text in sides:
            assoc = AssocType(USER_DEFINED, self._next_type_id, text, def_id)
            self._next_type_id += 1
            self._add_type(f, t, assoc)
            definition.types.append(((f, t), assoc.type_id))
            created.append(assoc.as_label(f, t))
        return created

    def partner(self, assoc: AssocType) -> tuple[tuple[str, str], AssocType] | None:
        """The other type of the same label definition (the inverse side), if any."""
        if assoc.definition is None:
            return None
        for pair, type_id in self._definitions[assoc.definition].types:
            if type_id != assoc.type_id:
                other = self._types[pair][(USER_DEFINED, type_id)]
                return pair, other
        return None

    def is_paired(self, assoc: AssocType) -> bool:
        """Whether the type belongs to a label created with an inverse label."""
        return assoc.definition is not None and self._definitions[assoc.definition].paired

    def delete_definition(self, assoc: AssocType) -> None:
        """Delete a user-defined label: all its types and any limits configured on them."""
        if assoc.definition is None:
            raise ValueError("only USER_DEFINED types belong to a label definition")
        definition = self._definitions.pop(assoc.definition)
        for (f, t), type_id in definition.types:
            self._types[(f, t)].pop((USER_DEFINED, type_id), None)
            self._limits.pop((f, t, USER_DEFINED, type_id), None)

    # -- limits ----------------------------------------------------------------------------

    def set_limit(
        self, from_type: str, to_type: str, category: str, type_id: int, value: int
    ) -> None:
        """Configure a limit directly (test setup); names or ids accepted, the type must exist."""
        f, t = self._resolve_pair(from_type, to_type)
        if self.find_type(f, t, category, type_id) is None:
            raise KeyError(f"no association type {category} {type_id} from {f} to {t}")
        self._limits[(f, t, category, type_id)] = value

    def put_limit(self, from_id: str, to_id: str, category: str, type_id: int, value: int) -> None:
        """Configure a limit (ids, type known to exist)."""
        self._limits[(from_id, to_id, category, type_id)] = value

    def purge_limit(self, from_id: str, to_id: str, category: str, type_id: int) -> None:
        """Remove a configured limit; a no-op when none is configured."""
        self._limits.pop((from_id, to_id, category, type_id), None)

    def limit(self, from_type: str, to_type: str, category: str, type_id: int) -> int | None:
        """The configured limit of one type, or None when the default applies."""
        f, t = self._resolve_pair(from_type, to_type)
        return self._limits.get((f, t, category, type_id))

    def limits(self, from_type: str, to_type: str) -> dict[tuple[str, int], int]:
        """The configured limits of a pair: ``{(category, typeId): maxToObjectIds}``."""
        f, t = self._resolve_pair(from_type, to_type)
        return {(c, i): v for (a, b, c, i), v in self._limits.items() if (a, b) == (f, t)}

    def configuration(self, from_id: str, to_id: str, assoc: AssocType) -> dict[str, Any]:
        """The ``LimitConfiguration`` JSON of one type."""
        out: dict[str, Any] = {"category": assoc.category, "typeId": assoc.type_id}
        if assoc.label is not None:
            out["label"] = assoc.label
        value = self._limits.get((from_id, to_id, assoc.category, assoc.type_id))
        if value is not None:
            out["userEnforcedMaxToObjectIds"] = value
        return out

    def pair_configurations(self, from_id: str, to_id: str) -> list[dict[str, Any]]:
        """Every type of the pair, with its limit where one is configured."""
        return [self.configuration(from_id, to_id, a) for a in self.types(from_id, to_id)]

    def all_configurations(self) -> list[dict[str, Any]]:
        """Every configured limit in the portal (types without one are left out)."""
        out = []
        for f, t, c, i in self._limits:
            assoc = self.find_type(f, t, c, i)
            if assoc is not None:
                out.append(self.configuration(f, t, assoc))
        return out
