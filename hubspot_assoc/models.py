"""Value types of hubspot-assoc: what you pass in and what you get back.

All are frozen ``attrs`` classes. Inputs (:class:`AssociationSpec`, :class:`LimitInput`)
serialise to HubSpot's JSON with ``to_api()``. Answers (:class:`AssociationLimit`,
:class:`AssociationLabel`, :class:`BatchResult`) are built by the client from the generated
models that read HubSpot's JSON (one converter per type, in ``hubspot_assoc._convert``); any
enum value HubSpot sends that this version does not know is kept as the plain string, so a
new category or status never makes a response unreadable.

This module imports neither httpx nor the generated client, so it is cheap to import.

Example::

    spec = AssociationSpec(Category.USER_DEFINED, 279)
    spec.to_api()          # {'category': 'USER_DEFINED', 'typeId': 279}
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Generic, Self, TypeAlias, TypeVar

import attrs

# One tolerant reader of HubSpot's `context` (map or Java-style string) for the whole package.
from hubspot_assoc._constants import Category
from hubspot_assoc.errors import (
    BatchPartialFailureError,
    ErrorDetail,
    _missing_scopes_in,
)

__all__ = [
    "AssociationLabel",
    "AssociationLimit",
    "AssociationSpec",
    "BatchInput",
    "BatchItemError",
    "BatchResult",
    "BatchStatus",
    "Category",
    "LimitInput",
    "split_outcomes",
]


def _category_or_str(value: object) -> Category | str:
    """Known categories become :class:`Category`; anything else stays as sent."""
    if isinstance(value, Category):
        return value
    text = value if isinstance(value, str) else str(value)
    try:
        return Category(text.strip().upper())
    except ValueError:
        return text


class BatchStatus(StrEnum):
    """The batch statuses HubSpot documents; ``BatchResult.status`` may hold others."""

    COMPLETE = "COMPLETE"
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    CANCELED = "CANCELED"


def _plain_value(_instance: object, _field: object, value: object) -> object:
    if isinstance(value, ErrorDetail):  # a stdlib dataclass, which attrs does not recurse into
        return value.to_dict()
    return str(value) if isinstance(value, Category) else value


def _as_dict(self: Any) -> dict[str, Any]:
    """This value as plain JSON-ready data, keyed by the Python field names."""
    return attrs.asdict(self, value_serializer=_plain_value)


# --------------------------------------------------------------------------- inputs


@attrs.frozen
class AssociationSpec:
    """An association type, ``(category, type_id)``: the input of a limit purge.

    >>> AssociationSpec("USER_DEFINED", 279).to_api()
    {'category': 'USER_DEFINED', 'typeId': 279}
    """

    category: Category | str = attrs.field(converter=_category_or_str)
    type_id: int

    to_dict = _as_dict

    def to_api(self) -> dict[str, Any]:
        """HubSpot's JSON for this input (``PublicAssociationSpec``)."""
        return {"category": str(self.category), "typeId": self.type_id}

    @property
    def key(self) -> tuple[str, int]:
        """``(CATEGORY, type_id)``, the identity used to match inputs with answers."""
        return (str(self.category).upper(), self.type_id)


@attrs.frozen
class LimitInput:
    """An association limit to create or update: at most ``max_to_object_ids`` records of
    the target type per source record, for the type ``(category, type_id)``.

    >>> LimitInput("USER_DEFINED", 279, 5).to_api()
    {'category': 'USER_DEFINED', 'typeId': 279, 'maxToObjectIds': 5}
    """

    category: Category | str = attrs.field(converter=_category_or_str)
    type_id: int
    max_to_object_ids: int

    to_dict = _as_dict

    def to_api(self) -> dict[str, Any]:
        """HubSpot's JSON for this input (``...ConfigurationCreateRequest``/``UpdateRequest``)."""
        return {
            "category": str(self.category),
            "typeId": self.type_id,
            "maxToObjectIds": self.max_to_object_ids,
        }

    @property
    def key(self) -> tuple[str, int]:
        """``(CATEGORY, type_id)``, the identity used to match inputs with answers."""
        return (str(self.category).upper(), self.type_id)

    @property
    def spec(self) -> AssociationSpec:
        """The association type this limit applies to (e.g. to purge it)."""
        return AssociationSpec(self.category, self.type_id)


BatchInput: TypeAlias = AssociationSpec | LimitInput
"""One input of a batch call."""


# --------------------------------------------------------------------------- answers


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


@attrs.frozen
class AssociationLimit:
    """A configured (or default) association limit for one type and direction.

    ``max_to_object_ids`` is ``None`` when no user limit is configured for the type.
    """

    category: Category | str = attrs.field(converter=_category_or_str)
    type_id: int
    label: str | None = None
    max_to_object_ids: int | None = None

    to_dict = _as_dict

    @property
    def spec(self) -> AssociationSpec:
        """The association type, e.g. to purge this limit."""
        return AssociationSpec(self.category, self.type_id)


@attrs.frozen
class AssociationLabel:
    """An association type between two object types, with its label (``None`` for the
    unlabelled default type)."""

    category: Category | str = attrs.field(converter=_category_or_str)
    type_id: int
    label: str | None = None
    from_object_type_id: str | None = None
    to_object_type_id: str | None = None

    to_dict = _as_dict

    @property
    def spec(self) -> AssociationSpec:
        """The association type ``(category, type_id)``."""
        return AssociationSpec(self.category, self.type_id)


@attrs.frozen
class BatchItemError:
    """One entry of a batch answer's ``errors``: HubSpot's ``StandardError``.

    ``context`` says which inputs it concerns when HubSpot says so (see
    :func:`split_outcomes`); it is a ``{name: [values]}`` mapping whether HubSpot sent an
    object or its string form ``{typeId=[279]}``. ``errors`` are the nested details, each
    with its own ``context``; ``sub_category`` is whatever HubSpot sent (an object per spec).
    """

    status: str
    category: str
    message: str
    context: Mapping[str, list[str]] = attrs.field(factory=dict)
    sub_category: object | None = None
    id: str | None = None
    errors: list[ErrorDetail] = attrs.field(factory=list)

    to_dict = _as_dict

    @property
    def missing_scopes(self) -> tuple[str, ...]:
        """The scopes HubSpot says this input lacked, read as for
        :attr:`~hubspot_assoc.errors.MissingScopesError.missing_scopes`: ``missingScopes``
        in this error's or a nested detail's ``context`` (object or string form) or message,
        else the ``requiredScopes``/``requiredGranularScopes`` named; ``()`` if none."""
        return _missing_scopes_in(self.context, self.errors, self.message)[0]


# --------------------------------------------------------------------------- outcomes

_TYPE_ID_KEYS = {"typeid", "typeids", "associationtypeid", "associationtypeids"}
_CATEGORY_KEYS = {"category", "categories", "associationcategory"}

InputT = TypeVar("InputT", bound=AssociationSpec | LimitInput)


def _norm_key(key: str) -> str:
    return re.sub(r"[^a-z]", "", key.lower())


def _error_targets(error: BatchItemError) -> tuple[set[int], set[str]] | None:
    """(type ids, categories) an error's context names, or ``None`` if it names none."""
    type_ids: set[int] = set()
    categories: set[str] = set()
    for key, values in error.context.items():
        norm = _norm_key(key)
        if norm in _TYPE_ID_KEYS:
            for value in values:
                for part in re.split(r"[\s,\[\]]+", value):
                    number = _int_or_none(part)
                    if number is not None:
                        type_ids.add(number)
        elif norm in _CATEGORY_KEYS:
            categories.update(v.strip().upper() for v in values if v.strip())
    return (type_ids, categories) if type_ids else None


def _mentions(message: str, type_id: int) -> bool:
    # Numbers inside brackets are list indexes (inputs[1]), not type ids.
    without_indexes = re.sub(r"\[\d+\]", "", message)
    return re.search(rf"(?<![\w.-]){type_id}(?![\w.-])", without_indexes) is not None


def _identifies(error: BatchItemError, item: BatchInput) -> bool:
    if not isinstance(item, AssociationSpec | LimitInput):
        # A pair of records (client.associations): errors name records, not types.
        from .records import RecordPair, error_names_pair

        return isinstance(item, RecordPair) and error_names_pair(error, item)
    category, type_id = item.key
    targets = _error_targets(error)
    if targets is not None:
        type_ids, categories = targets
        return type_id in type_ids and (not categories or category in categories)
    if error.id is not None and error.id.strip() == str(type_id):
        return True
    return _mentions(error.message, type_id)


def _result_key(value: object) -> tuple[str, int] | None:
    if isinstance(value, tuple) and len(value) == 2:
        category, type_id = value
    elif isinstance(value, Mapping):
        category, type_id = value.get("category"), value.get("typeId", value.get("type_id"))
    else:
        category, type_id = getattr(value, "category", None), getattr(value, "type_id", None)
    number = _int_or_none(type_id)
    if category is None or number is None:
        return None
    return (str(category).strip().upper(), number)


def split_outcomes(
    inputs: Sequence[InputT],
    results: Iterable[object] | None,
    errors: Sequence[BatchItemError],
) -> tuple[list[InputT], list[InputT]]:
    """Split the *inputs* of one batch request into ``(succeeded, failed)``, keeping order.

    *results* are the answer's ``results`` (models, JSON objects or ``(category,
    type_id)`` pairs) or ``None`` when the answer had no body; *errors* are its
    ``errors``. The rule, in order:

    1. An input **failed** when an error identifies it: the error's ``context`` names its
       type id (keys ``typeId``/``typeIds``/``associationTypeId``, compared ignoring case
       and punctuation) and, if the context also names categories, its category; or, for
       an error whose context names no type id, the error's ``id`` equals the type id or
       its message mentions the type id as a whole number (``inputs[2]`` indexes ignored).
    2. Otherwise, when the results identify at least one input by ``(category, typeId)``,
       an input **failed** if it is absent from them (HubSpot left it out).
    3. Otherwise, when some error could not be matched to any input, every remaining input
       is counted as **failed**: HubSpot reported a failure without saying whose, so no
       input can be claimed as applied.
    4. Otherwise the input **succeeded**.

    So "failed" means "not confirmed as applied". Results without a usable key (the
    ``[{}]`` some purge answers carry) give no information and are ignored.

    >>> a, b = AssociationSpec("USER_DEFINED", 1), AssociationSpec("USER_DEFINED", 2)
    >>> err = BatchItemError("error", "VALIDATION_ERROR", "bad", {"typeId": ["2"]})
    >>> split_outcomes([a, b], None, [err])
    ([AssociationSpec(category=<Category.USER_DEFINED: 'USER_DEFINED'>, type_id=1)], \
[AssociationSpec(category=<Category.USER_DEFINED: 'USER_DEFINED'>, type_id=2)])
    """
    result_keys: set[tuple[str, int]] = set()
    for value in results or ():
        key = _result_key(value)
        if key is not None:
            result_keys.add(key)
    input_keys = {item.key for item in inputs}
    results_informative = bool(result_keys & input_keys)

    identified = [False] * len(inputs)
    unattributed = False
    for error in errors:
        hit = False
        for index, item in enumerate(inputs):
            if _identifies(error, item):
                identified[index] = True
                hit = True
        unattributed = unattributed or not hit

    succeeded: list[InputT] = []
    failed: list[InputT] = []
    for index, item in enumerate(inputs):
        if identified[index]:
            failed.append(item)
        elif results_informative:
            (succeeded if item.key in result_keys else failed).append(item)
        elif unattributed:
            failed.append(item)
        else:
            succeeded.append(item)
    return succeeded, failed


# --------------------------------------------------------------------------- batch result

R = TypeVar("R")

# Least finished last: the status of a combined result is the least finished part's.
_STATUS_RANK = {"COMPLETE": 0, "PROCESSING": 2, "PENDING": 3, "CANCELED": 4}
_UNKNOWN_STATUS_RANK = 1


def _min_time(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present, key=_sortable) if present else None


def _max_time(values: Iterable[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return max(present, key=_sortable) if present else None


def _sortable(value: datetime) -> float:
    # Naive and aware datetimes cannot be compared; HubSpot's are UTC, so treat naive as UTC.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC).timestamp()
    return value.timestamp()


def _input_list(items: Iterable[BatchInput]) -> list[BatchInput]:
    """A fresh list, so ``list[LimitInput]`` is accepted where ``list[BatchInput]`` is stored."""
    return list(items)


def _plain(value: object) -> object:
    to_dict = getattr(value, "to_dict", None)
    return to_dict() if callable(to_dict) else value


@attrs.frozen
class BatchResult(Generic[R]):
    """What a batch call did: HubSpot's answer plus which of *your* inputs were applied.

    ``succeeded``, ``failed``, ``unconfirmed`` and ``not_sent`` partition the inputs:
    ``failed`` are those HubSpot rejected or did not confirm (see :func:`split_outcomes`);
    ``unconfirmed`` those of a batch HubSpot did not report COMPLETE (``CANCELED``,
    ``PENDING``, ``PROCESSING`` or a status word this version does not know), which no error
    names but which may or may not be applied; ``not_sent`` those never sent because an
    earlier chunk of a split batch failed. ``status`` is HubSpot's, unknown words kept as
    sent. Only a COMPLETE batch with nothing failed, unconfirmed or unsent is :attr:`ok`.

    >>> BatchResult.empty().ok
    True
    """

    status: str
    results: list[R] = attrs.field(factory=list)
    errors: list[BatchItemError] = attrs.field(factory=list)
    num_errors: int = 0
    requested_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    succeeded: list[BatchInput] = attrs.field(factory=list, converter=_input_list)
    failed: list[BatchInput] = attrs.field(factory=list, converter=_input_list)
    not_sent: list[BatchInput] = attrs.field(factory=list, converter=_input_list)
    unconfirmed: list[BatchInput] = attrs.field(factory=list, converter=_input_list)

    @property
    def ok(self) -> bool:
        """True when HubSpot reported the batch COMPLETE with no error, and every input is in
        ``succeeded`` (none failed, unconfirmed or unsent)."""
        if str(self.status).upper() != BatchStatus.COMPLETE.value:
            return False
        return not (
            self.errors or self.num_errors or self.failed or self.not_sent or self.unconfirmed
        )

    def raise_for_errors(self) -> Self:
        """Raise :class:`~hubspot_assoc.errors.BatchPartialFailureError` unless :attr:`ok`;
        return ``self`` so calls chain: ``client.limits.create(...).raise_for_errors()``."""
        if not self.ok:
            raise BatchPartialFailureError(self)
        return self

    def failures(self) -> list[tuple[BatchInput, BatchItemError | None]]:
        """Each failed input with the error that names it.

        An input no error names gets the only error that names no input, if there is
        exactly one such error; otherwise ``None`` (it was missing from HubSpot's results).
        """
        inputs = [*self.succeeded, *self.failed, *self.unconfirmed, *self.not_sent]
        anonymous = [e for e in self.errors if not any(_identifies(e, i) for i in inputs)]
        pairs: list[tuple[BatchInput, BatchItemError | None]] = []
        for item in self.failed:
            match = next((e for e in self.errors if _identifies(e, item)), None)
            if match is None and len(anonymous) == 1:
                match = anonymous[0]
            pairs.append((item, match))
        return pairs

    def to_dict(self) -> dict[str, Any]:
        """This result as plain JSON-ready data: ``ok``, ``status``, which inputs
        ``succeeded``, ``failed`` (each with the error naming it), are ``unconfirmed`` or
        were ``not_sent``, HubSpot's ``errors`` and ``results``."""
        return {
            "ok": self.ok,
            "status": self.status,
            "succeeded": [item.to_dict() for item in self.succeeded],
            "failed": [
                {"input": item.to_dict(), "error": None if error is None else error.to_dict()}
                for item, error in self.failures()
            ],
            "not_sent": [item.to_dict() for item in self.not_sent],
            "unconfirmed": [item.to_dict() for item in self.unconfirmed],
            "num_errors": self.num_errors,
            "errors": [error.to_dict() for error in self.errors],
            "results": [_plain(result) for result in self.results],
        }

    @classmethod
    def judge(
        cls,
        *,
        status: str,
        inputs: Sequence[BatchInput],
        results: Sequence[object],
        errors: Sequence[BatchItemError],
        converted: Sequence[R] = (),
        num_errors: int | None = None,
        requested_at: datetime | None = None,
        started_at: datetime | None = None,
        completed_at: datetime | None = None,
    ) -> BatchResult[R]:
        """The result of one batch answer: which *inputs* succeeded, failed or are unconfirmed.

        *results* are the answer's raw ``results`` (used to tell which inputs HubSpot
        confirmed, see :func:`split_outcomes`), *converted* the same as facade models. When
        *status* is not COMPLETE, the inputs no error names are ``unconfirmed``, not
        ``succeeded``.
        """
        succeeded, failed = split_outcomes(list(inputs), results, errors)
        unconfirmed: list[BatchInput] = []
        if str(status).upper() != BatchStatus.COMPLETE.value:
            unconfirmed, succeeded = list(succeeded), []
        return cls(
            status=status,
            results=list(converted),
            errors=list(errors),
            num_errors=len(errors) if num_errors is None else num_errors,
            requested_at=requested_at,
            started_at=started_at,
            completed_at=completed_at,
            succeeded=succeeded,
            failed=failed,
            unconfirmed=unconfirmed,
        )

    @classmethod
    def empty(cls) -> BatchResult[R]:
        """A complete result with nothing in it (e.g. for an empty list of inputs)."""
        return cls(status=BatchStatus.COMPLETE.value)

    @classmethod
    def combine(
        cls, parts: Sequence[BatchResult[R]], *, not_sent: Sequence[BatchInput] = ()
    ) -> BatchResult[R]:
        """Merge the results of the chunks of one split batch.

        Lists are concatenated in order; ``num_errors`` is summed; ``requested_at`` and
        ``started_at`` are the earliest, ``completed_at`` the latest; ``status`` is the
        least finished one (COMPLETE < unknown < PROCESSING < PENDING < CANCELED).
        *not_sent* are inputs of chunks that were never sent.
        """
        if not parts:
            return cls(status=BatchStatus.COMPLETE.value, not_sent=list(not_sent))
        status = max(
            (p.status for p in parts), key=lambda s: _STATUS_RANK.get(s, _UNKNOWN_STATUS_RANK)
        )
        return cls(
            status=status,
            results=[r for p in parts for r in p.results],
            errors=[e for p in parts for e in p.errors],
            num_errors=sum(p.num_errors for p in parts),
            requested_at=_min_time(p.requested_at for p in parts),
            started_at=_min_time(p.started_at for p in parts),
            completed_at=_max_time(p.completed_at for p in parts),
            succeeded=[i for p in parts for i in p.succeeded],
            failed=[i for p in parts for i in p.failed],
            not_sent=[i for p in parts for i in p.not_sent] + list(not_sent),
            unconfirmed=[i for p in parts for i in p.unconfirmed],
        )
