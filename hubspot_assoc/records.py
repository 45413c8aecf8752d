"""Association records: the value types ``client.associations`` hands out, and its input checks.

Record ids are strings of decimal digits on the wire. The checks accept a positive ``int`` or a
string of digits without a sign or leading zero (``"0012"`` would name another record at
HubSpot than ``12``), up to 19 digits; anything else is refused with
:class:`~hubspot_assoc.errors.InvalidInputError` before a request is sent.

Association types may be given in every form the limits accept (``("USER_DEFINED", 1000)``,
an :class:`~hubspot_assoc.models.AssociationSpec`, a dict ``{"category": ..., "typeId": ...}``,
what a list call returned) and also as the text ``"USER_DEFINED:1000"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from hubspot_assoc import validation
from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.models import AssociationSpec, BatchItemError, Category, _category_or_str

__all__ = [
    "Association",
    "AssociationType",
    "AssociationsByRecord",
    "RecordPair",
    "UsageReport",
    "association_types",
    "record_id",
    "record_ids",
    "record_pairs",
]

_ID = re.compile(r"[1-9][0-9]{0,18}")
_MAX_ID = 2**63 - 1
_ID_ALLOWED = "a record id: a positive int or a str of decimal digits, e.g. '12345'"


# --------------------------------------------------------------------------- values


@attrs.frozen
class AssociationType:
    """One association type between two records: ``(category, type_id)`` and its label
    (``None`` for unlabelled types).

    ``str()`` gives the ``CATEGORY:ID`` form the CLI and bulk files use.

    >>> str(AssociationType("USER_DEFINED", 1000, "Billing contact"))
    'USER_DEFINED:1000'
    """

    category: Category | str = attrs.field(converter=_category_or_str)
    type_id: int
    label: str | None = None

    @property
    def spec(self) -> AssociationSpec:
        """The association type without its label."""
        return AssociationSpec(self.category, self.type_id)

    @property
    def key(self) -> tuple[str, int]:
        """``(CATEGORY, type_id)``."""
        return (str(self.category).upper(), self.type_id)

    def __str__(self) -> str:
        return f"{self.category}:{self.type_id}"


def _type_tuple(items: Iterable[AssociationType]) -> tuple[AssociationType, ...]:
    return tuple(items)


@attrs.frozen
class Association:
    """A record associated with another: ``from_id`` is associated with ``to_id`` (a record
    of ``to_type``) by ``types``.

    >>> a = Association("1", "2", "companies", (AssociationType("HUBSPOT_DEFINED", 1, "Primary"),))
    >>> a.labels
    ['Primary']
    """

    from_id: str
    to_id: str
    to_type: str
    types: tuple[AssociationType, ...] = attrs.field(default=(), converter=_type_tuple)

    @property
    def labels(self) -> list[str]:
        """The labels among :attr:`types` (unlabelled types have none)."""
        return [t.label for t in self.types if t.label]


@attrs.frozen
class UsageReport:
    """A high-usage report HubSpot queued: it is emailed to ``user_email``."""

    user_id: int | None
    user_email: str | None
    enqueued_at: datetime | None


class AssociationsByRecord(dict[str, list[Association]]):
    """What ``read_many`` returns: ``{from id: [Association, ...]}`` plus :attr:`errors`.

    Only ids HubSpot answered with associations are keys. Ids it reported as errors (a
    record without associations of that type, a record that does not exist) are not silently
    missing: each has a :class:`~hubspot_assoc.models.BatchItemError` in :attr:`errors`, and
    :attr:`failed_ids` lists them. ``result.get(record_id, [])`` reads one record either way.
    """

    def __init__(
        self,
        items: Iterable[tuple[str, list[Association]]] = (),
        errors: Iterable[BatchItemError] = (),
        failed_ids: Iterable[str] = (),
    ) -> None:
        super().__init__(items)
        self.errors: list[BatchItemError] = list(errors)
        self.failed_ids: list[str] = list(failed_ids)

    @property
    def ok(self) -> bool:
        """True when HubSpot reported no error for any id."""
        return not self.errors

    def associations(self) -> Iterator[Association]:
        """Every association of every record, in the order read."""
        for found in self.values():
            yield from found

    def __repr__(self) -> str:
        return f"AssociationsByRecord({dict(self)!r}, errors={self.errors!r})"


@attrs.frozen
class RecordPair:
    """One input of a records batch: a pair of records and (for create and label removal)
    association types."""

    from_id: str
    to_id: str
    types: tuple[AssociationSpec, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"from_id", "to_id", "types": ["CATEGORY:ID", ...]}``."""
        return {
            "from_id": self.from_id,
            "to_id": self.to_id,
            "types": [f"{s.category}:{s.type_id}" for s in self.types],
        }


def enqueue_time(value: object) -> datetime | None:
    """HubSpot's ``enqueueTime`` (milliseconds since the epoch, in a ``DateTime`` object or
    bare, or a date-time already read) as a UTC datetime; None when missing or unreadable."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, Mapping):
        value = value.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --------------------------------------------------------------------------- checks


def record_id(argument: str, value: object) -> str:
    """A record id in its wire form (a str of decimal digits).

    >>> record_id("from_id", 12345)
    '12345'
    >>> record_id("from_id", "0012")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hubspot_assoc.errors.InvalidInputError: from_id: '0012' is not a valid from id; ...
    """
    hint = None
    if isinstance(value, bool):
        hint = "a bool is not a record id"
    elif isinstance(value, int):
        if 0 < value <= _MAX_ID:
            return str(value)
        hint = "ids start at 1" if value <= 0 else "it is larger than any HubSpot id"
    elif isinstance(value, str):
        if _ID.fullmatch(value):
            return value
        text = value.strip()
        if not text:
            hint = "it is empty"
        elif text != value:
            hint = "remove the surrounding spaces"
        elif text.isdigit():
            hint = "ids start at 1 and have no leading zero" if text.startswith("0") else None
            hint = hint or "it is longer than any HubSpot id"
        elif "/" in text:
            hint = "it must not contain '/'"
        elif text.startswith("-"):
            hint = "ids are positive"
        if value == "0":
            hint = "ids start at 1"
    elif isinstance(value, float):
        hint = "pass an int or a str, not a float"
    elif value is None:
        hint = "it is required"
    raise InvalidInputError(argument, value, _ID_ALLOWED, hint=hint)


def record_ids(argument: str, values: object) -> list[str]:
    """A list of record ids (a lone str or int is refused: wrap it in a list)."""
    if isinstance(values, str | bytes | int) or not isinstance(values, Iterable):
        raise InvalidInputError(
            argument, values, "a list of record ids such as ['1', '2']", what="list of ids"
        )
    return [record_id(f"{argument}[{i}]", v) for i, v in enumerate(values)]


def _type_text(value: str, where: str) -> tuple[str, int]:
    category, sep, number = value.partition(":")
    if not sep or not number.strip().isdigit():
        raise InvalidInputError(
            where, value, "CATEGORY:ID such as 'USER_DEFINED:1000', or ('USER_DEFINED', 1000)"
        )
    return (category.strip(), int(number))


def association_types(items: object, argument: str = "types") -> list[AssociationSpec]:
    """Association types to add or remove, normalised to :class:`AssociationSpec`.

    Accepts every form the limits accept plus ``"CATEGORY:ID"`` text and
    :class:`AssociationType`; an item repeated is refused (HubSpot's answer could not say
    which one failed).

    >>> association_types(["user_defined:1000", ("HUBSPOT_DEFINED", 279)])[0].to_api()
    {'category': 'USER_DEFINED', 'typeId': 1000}
    """
    if isinstance(items, str):
        raise InvalidInputError(
            argument,
            items,
            "a list of association types such as ['USER_DEFINED:1000']",
            what="list of items",
            hint="wrap it in a list",
        )
    if isinstance(items, AssociationType):
        raise InvalidInputError(
            argument, items, "a list of association types", hint="wrap it in a list"
        )
    if not isinstance(items, Iterable) or isinstance(items, Mapping):
        return validation.association_specs(items, argument)
    normalised: list[object] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            normalised.append(_type_text(item, f"{argument}[{index}]"))
        elif isinstance(item, AssociationType):
            normalised.append(item.spec)
        else:
            normalised.append(item)
    return validation.association_specs(normalised, argument)


def _pair_fields(entry: object, where: str, with_types: bool) -> tuple[object, object, object]:
    fields = "(from_id, to_id, types)" if with_types else "(from_id, to_id)"
    if isinstance(entry, Association):
        return entry.from_id, entry.to_id, [t.spec for t in entry.types]
    if isinstance(entry, RecordPair):
        return entry.from_id, entry.to_id, list(entry.types)
    if isinstance(entry, Mapping):
        known = {"from_id", "to_id", "types", "fromObjectId", "toObjectId"}
        unknown = [k for k in entry if k not in known]
        if unknown:
            raise InvalidInputError(
                f"{where}[{unknown[0]!r}]", unknown[0], "only the keys from_id, to_id, types"
            )
        from_id = entry.get("from_id", entry.get("fromObjectId"))
        to_id = entry.get("to_id", entry.get("toObjectId"))
        return from_id, to_id, entry.get("types")
    if isinstance(entry, tuple | list) and len(entry) in (2, 3):
        return entry[0], entry[1], entry[2] if len(entry) == 3 else None
    raise InvalidInputError(where, entry, f"a tuple {fields} or a dict with those keys")


def record_pairs(
    items: object, argument: str = "items", *, types: str = "none"
) -> list[RecordPair]:
    """Batch inputs as :class:`RecordPair` items.

    ``types`` says what the operation needs: ``"none"`` (pairs only; types given are refused),
    ``"required"`` (each item names at least one type) or ``"optional"``.
    """
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        raise InvalidInputError(
            argument,
            items,
            "a list of (from_id, to_id" + (", types)" if types != "none" else ")") + " items",
            what="list of items",
        )
    pairs: list[RecordPair] = []
    for index, entry in enumerate(items):
        where = f"{argument}[{index}]"
        if isinstance(entry, str | int):
            raise InvalidInputError(
                where, entry, "a (from_id, to_id) pair", hint="the whole list looks like one item"
            )
        from_raw, to_raw, types_raw = _pair_fields(entry, where, types != "none")
        from_id = record_id(f"{where}.from_id", from_raw)
        to_id = record_id(f"{where}.to_id", to_raw)
        specs: list[AssociationSpec] = []
        if types_raw is not None:
            if types == "none":
                raise InvalidInputError(
                    f"{where}.types", types_raw, "no types here (this call writes the default)"
                )
            specs = association_types(types_raw, f"{where}.types")
        if types == "required" and not specs:
            raise InvalidInputError(
                f"{where}.types",
                types_raw,
                "at least one association type, e.g. ['USER_DEFINED:1000']",
                hint="use associate_defaults() for the unlabelled default type",
            )
        pairs.append(RecordPair(from_id, to_id, tuple(specs)))
    return pairs


def from_wire_id(value: Any) -> str:
    """An id from an answer (a str or, as some HubSpot answers send it, a number) as a str."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --------------------------------------------------------------------------- outcomes

_FROM_KEYS = {"fromobjectid", "fromid", "from", "fromobjectids"}
_TO_KEYS = {"toobjectid", "toid", "to", "toobjectids"}
_EITHER_KEYS = {"objectid", "objectids", "id", "ids"}
_SLOTS = {
    **dict.fromkeys(_FROM_KEYS, 0),
    **dict.fromkeys(_TO_KEYS, 1),
    **dict.fromkeys(_EITHER_KEYS, 2),
}


def _context_ids(error: BatchItemError) -> tuple[set[str], set[str], set[str]]:
    """(from ids, to ids, ids of either side) that an error's context names."""
    found: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    for key, values in error.context.items():
        norm = re.sub(r"[^a-z]", "", key.lower())
        slot = _SLOTS.get(norm)
        if slot is None:
            continue
        for value in values:
            found[slot].update(p for p in re.split(r"[\s,\[\]]+", str(value)) if p.isdigit())
    return found


def _mentions_id(message: str, value: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])", message) is not None


def error_names_pair(error: BatchItemError, pair: RecordPair) -> bool:
    """Whether ``error`` says it is about ``pair``.

    By its ``context`` (``fromObjectId``/``toObjectId``, or ``objectId`` naming either side;
    keys compared ignoring case and punctuation), or, when the context names no id, by a
    message that mentions both ids as whole numbers.
    """
    froms, tos, either = _context_ids(error)
    if froms or tos or either:
        if froms and pair.from_id not in froms:
            return False
        if tos and pair.to_id not in tos:
            return False
        return not either or bool({pair.from_id, pair.to_id} & either)
    return _mentions_id(error.message, pair.from_id) and _mentions_id(error.message, pair.to_id)


def split_pair_outcomes(
    inputs: list[RecordPair],
    answered: Iterable[tuple[str, str]] | None,
    errors: list[BatchItemError],
) -> tuple[list[RecordPair], list[RecordPair]]:
    """Split the inputs of one records batch into ``(succeeded, failed)``, keeping order.

    ``answered`` are the ``(from id, to id)`` pairs the answer's results confirm, or None when
    the answer carries none (a 204, or results without ids). The rule, in order: an input an
    error names failed; else, when the results name any input, an input they leave out
    failed; else, when an error names no input, every input is unconfirmed and counted as
    failed; else it succeeded.
    """
    confirmed = set(answered or ())
    informative = bool(confirmed & {(p.from_id, p.to_id) for p in inputs})
    named = [any(error_names_pair(e, p) for e in errors) for p in inputs]
    unattributed = any(not any(error_names_pair(e, p) for p in inputs) for e in errors)
    succeeded: list[RecordPair] = []
    failed: list[RecordPair] = []
    for pair, hit in zip(inputs, named, strict=True):
        if hit:
            failed.append(pair)
        elif informative:
            (succeeded if (pair.from_id, pair.to_id) in confirmed else failed).append(pair)
        elif unattributed:
            failed.append(pair)
        else:
            succeeded.append(pair)
    return succeeded, failed


def pair_failures(
    failed: list[RecordPair], errors: list[BatchItemError]
) -> list[tuple[RecordPair, BatchItemError | None]]:
    """Each failed pair with the error that names it (or the only error naming no input)."""
    anonymous = [e for e in errors if not any(error_names_pair(e, p) for p in failed)]
    out: list[tuple[RecordPair, BatchItemError | None]] = []
    for pair in failed:
        match = next((e for e in errors if error_names_pair(e, pair)), None)
        if match is None and len(anonymous) == 1:
            match = anonymous[0]
        out.append((pair, match))
    return out
