"""One converter per type: the generated models HubSpot's JSON was read into -> facade models.

The generated readers check the shape (required fields present, nested objects where the
spec puts them) but not the types of leaf values, so each converter checks what it relies
on and raises ``ValueError`` naming the field otherwise. The caller (the one guarded path
in :mod:`hubspot_assoc._reading`) turns that into ``UnexpectedResponseError``.

Loaded with the first call, never by ``import hubspot_assoc``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from hubspot_assoc_api.models.error_context import ErrorContext
from hubspot_assoc_api.types import Unset

from .errors import ErrorDetail, _coerce_context
from .models import (
    AssociationLabel,
    AssociationLimit,
    BatchInput,
    BatchItemError,
    BatchResult,
)

if TYPE_CHECKING:
    from hubspot_assoc_api.models.association_label import AssociationLabel as ApiLabel
    from hubspot_assoc_api.models.batch_limit_response import BatchLimitResponse
    from hubspot_assoc_api.models.batch_limit_update_response import BatchLimitUpdateResponse
    from hubspot_assoc_api.models.batch_purge_response import BatchPurgeResponse
    from hubspot_assoc_api.models.error import Error
    from hubspot_assoc_api.models.error_detail import ErrorDetail as ApiErrorDetail
    from hubspot_assoc_api.models.limit_configuration import LimitConfiguration
    from hubspot_assoc_api.models.limit_update_result import LimitUpdateResult
    from hubspot_assoc_api.models.rate_limit_error import RateLimitError
    from hubspot_assoc_api.models.standard_error import StandardError

T = TypeVar("T")
R = TypeVar("R")


def optional(value: T | Unset) -> T | None:
    """``None`` for a field the answer did not carry."""
    return None if isinstance(value, Unset) else value


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} is {_kind(value)}, not an integer")
    return value


def _optional_int(value: object) -> int | None:
    # An optional number HubSpot sends in another form is dropped, not fatal.
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _category(value: object, name: str = "category") -> str:
    # The generated enum keeps unknown words as pseudo-members (str subclasses).
    if not isinstance(value, str):
        raise ValueError(f"{name} is {_kind(value)}, not a string")
    return str(value)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}"
    )


def _text(value: object) -> str:
    """A text field HubSpot should send as a string; other values are shown, not fatal."""
    if value is None or isinstance(value, Unset):
        return ""
    return value if isinstance(value, str) else str(value)


def _context(value: object) -> dict[str, list[str]]:
    if isinstance(value, ErrorContext):
        return _coerce_context(value.additional_properties)
    return _coerce_context(value)


# --------------------------------------------------------------------------- results


def limit(item: LimitConfiguration) -> AssociationLimit:
    """A ``LimitConfiguration`` (one result of a listing or a create)."""
    return AssociationLimit(
        category=_category(item.category),
        type_id=_int(item.type_id, "typeId"),
        label=_optional_str(optional(item.label)),
        max_to_object_ids=_optional_int(optional(item.user_enforced_max_to_object_ids)),
    )


def update_result(item: LimitUpdateResult) -> AssociationLimit:
    """A ``LimitUpdateResult`` (one result of an update; it carries no label)."""
    return AssociationLimit(
        category=_category(item.category),
        type_id=_int(item.type_id, "typeId"),
        label=None,
        max_to_object_ids=_optional_int(optional(item.user_enforced_max_to_object_ids)),
    )


def label(item: ApiLabel) -> AssociationLabel:
    """An ``AssociationLabel`` of a label listing or create."""
    return AssociationLabel(
        category=_category(item.category),
        type_id=_int(item.type_id, "typeId"),
        label=_optional_str(optional(item.label)),
        from_object_type_id=_optional_str(optional(item.from_object_type_id)),
        to_object_type_id=_optional_str(optional(item.to_object_type_id)),
    )


def error_detail(item: ApiErrorDetail) -> ErrorDetail:
    """One nested ``ErrorDetail`` (context in object or string form)."""
    return ErrorDetail(
        message=_text(item.message),
        code=_optional_str(optional(item.code)),
        in_=_optional_str(optional(item.in_)),
        sub_category=_optional_str(optional(item.sub_category)),
        context=_context(optional(item.context)),
    )


def item_error(error: StandardError) -> BatchItemError:
    """One ``StandardError`` of a batch answer."""
    return BatchItemError(
        status=_text(optional(error.status)),
        category=_text(optional(error.category)),
        message=_text(error.message),
        context=_context(optional(error.context)),
        sub_category=optional(error.sub_category),
        id=_optional_str(optional(error.id)),
        errors=[error_detail(detail) for detail in optional(error.errors) or []],
    )


def _time(value: object) -> datetime | None:
    return value if isinstance(value, datetime) else None


def batch(
    answer: BatchLimitResponse | BatchLimitUpdateResponse | BatchPurgeResponse,
    inputs: Sequence[BatchInput],
    convert: Callable[[Any], R] | None,
) -> BatchResult[R]:
    """A batch answer, judged against the *inputs* sent; *convert* reads each result (None:
    the results carry nothing, as for a purge)."""
    if not isinstance(answer.results, list):
        raise ValueError(f"results is {_kind(answer.results)}, not an array")
    errors = [item_error(e) for e in optional(answer.errors) or []]
    return BatchResult.judge(
        status=_category(answer.status, "status"),
        inputs=inputs,
        results=list(answer.results),
        errors=errors,
        converted=[convert(r) for r in answer.results] if convert is not None else [],
        num_errors=_optional_int(optional(answer.num_errors)),
        requested_at=_time(optional(answer.requested_at)),
        started_at=_time(answer.started_at),
        completed_at=_time(answer.completed_at),
    )


# --------------------------------------------------------------------------- errors


def _nonblank(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def error_fields(model: Error | RateLimitError) -> dict[str, Any]:
    """What an error body says, from the generated ``Error`` or ``RateLimitError``: the
    fields :func:`hubspot_assoc.errors.error_from_response` builds the exception from."""
    from hubspot_assoc_api.models.error import Error
    from hubspot_assoc_api.models.error_detail import ErrorDetail as ApiErrorDetail

    if isinstance(model, Error):
        details = optional(model.errors) or []
        return {
            "category": _nonblank(optional(model.category))
            or _nonblank(model.additional_properties.get("errorType")),
            "sub_category": _nonblank(optional(model.sub_category)),
            "message": _nonblank(optional(model.message)),
            "correlation_id": _nonblank(optional(model.correlation_id)),
            "context": _context(optional(model.context)),
            "errors": [error_detail(d) for d in details if isinstance(d, ApiErrorDetail)],
        }
    return {
        "category": _nonblank(optional(model.error_type))
        or _nonblank(model.additional_properties.get("category")),
        "sub_category": None,
        "message": _nonblank(optional(model.message)),
        "correlation_id": _nonblank(optional(model.correlation_id)),
        "context": {},
        "errors": [],
    }
