"""What each endpoint sends, and how its answer becomes a facade model.

Every public method of the resources turns into an :class:`Operation`: a request built by
the generated endpoint's ``build_request`` (so paths, quoting and bodies come from the
spec) and a :class:`~hubspot_assoc._reading.SuccessReader` that runs the generated
``read_body`` and one converter per type (:mod:`hubspot_assoc._convert`). Nothing here
performs I/O, so the sync and async clients share all of it.

A reader only ever sees a 2xx answer, inside the one guarded path
(:func:`hubspot_assoc._reading.read_success`): anything it cannot understand becomes
:class:`UnexpectedResponseError` carrying the raw body, the status and the correlation id.

Each generated endpoint module is imported by the function that uses it, so a program
that only purges never loads the listing or label modules and their models.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

import attrs

from . import _convert as convert
from . import validation
from ._constants import DEFAULT_BATCH_SIZE
from ._reading import SuccessReader
from .errors import (
    BadRequestError,
    HubSpotError,
    InvalidInputError,
    NotFoundError,
)
from .models import (
    AssociationLabel,
    AssociationLimit,
    AssociationSpec,
    BatchInput,
    BatchResult,
    LimitInput,
)

if TYPE_CHECKING:
    from hubspot_assoc_api.models.batch_limit_input import BatchLimitInput
    from hubspot_assoc_api.models.error import Error
    from hubspot_assoc_api.models.rate_limit_error import RateLimitError
    from hubspot_assoc_api.types import ApiRequest

T = TypeVar("T")
InputT = TypeVar("InputT", AssociationSpec, LimitInput)

# HubSpot answers 400 to a batch of more than 100 inputs.
MAX_BATCH_SIZE = 100


@attrs.frozen
class Operation(Generic[T]):
    """One HTTP request and how to read its successful answer.

    ``idempotent`` says whether repeating the request after an ambiguous failure (a 5xx
    or a timeout) is harmless; the retry decision uses it. ``read_error`` is the generated
    reader of the operation's error bodies.
    """

    name: str
    method: str
    path: str
    json: Any
    idempotent: bool
    reader: SuccessReader[T]
    read_error: Callable[[int, Any], Error | RateLimitError]
    #: After an attempt that may have taken effect, recognises an error meaning "already
    #: done" (the call then succeeds); None for operations where no such error exists.
    already_done: Callable[[HubSpotError], bool] | None = None


@attrs.frozen
class BatchChunk(Generic[InputT]):
    """One request of a batch that was split into several."""

    inputs: list[InputT]
    operation: Operation[BatchResult[Any]]


@attrs.frozen
class BatchPlan(Generic[InputT]):
    """A batch call: its chunks, sent in order, each answered by a :class:`BatchResult`."""

    inputs: list[InputT]
    chunks: list[BatchChunk[InputT]]

    def not_sent_after(self, index: int) -> list[BatchInput]:
        """The inputs of every chunk after ``index`` (never sent when that chunk failed)."""
        return [item for chunk in self.chunks[index + 1 :] for item in chunk.inputs]


# --------------------------------------------------------------------------- helpers


def _operation(
    name: str,
    request: ApiRequest,
    reader: SuccessReader[T],
    read_error: Callable[[int, Any], Error | RateLimitError],
    *,
    idempotent: bool,
    already_done: Callable[[HubSpotError], bool] | None = None,
) -> Operation[T]:
    """The one place a generated request becomes an :class:`Operation` (method, path, body)."""
    return Operation(
        name=name,
        method=request.method.upper(),
        path=request.url,
        json=request.json,
        idempotent=idempotent,
        reader=reader,
        read_error=read_error,
        already_done=already_done,
    )


class _Pair(TypedDict):
    from_object_type: str
    to_object_type: str


def _pair(from_type: object, to_type: object) -> _Pair:
    """The validated object types of a pair, as the generated builders name them."""
    return {
        "from_object_type": validation.object_type("from_type", from_type),
        "to_object_type": validation.object_type("to_type", to_type),
    }


def _body_reader(
    statuses: frozenset[int], answer: str, read_body: Callable[[Any], T]
) -> SuccessReader[T]:
    """A reader for an operation that always answers with a body."""
    return SuccessReader(statuses, answer, read_body, None)


def _no_content_reader(statuses: frozenset[int]) -> SuccessReader[None]:
    """A reader for an operation that answers without a body: any 2xx means done."""
    return SuccessReader(statuses, "no body", None, _nothing)


def _nothing() -> None:
    return None


def _chunks(items: list[InputT], batch_size: int) -> Iterable[list[InputT]]:
    for start in range(0, len(items), batch_size):
        yield items[start : start + batch_size]


def _batch_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_BATCH_SIZE:
        raise InvalidInputError(
            "batch_size",
            value,
            f"an int from 1 to {MAX_BATCH_SIZE} (HubSpot refuses more inputs per request)",
        )
    return value


def _batch_plan(
    inputs: list[InputT],
    batch_size: object,
    operation_for: Callable[[list[InputT]], Operation[BatchResult[Any]]],
) -> BatchPlan[InputT]:
    """Split ``inputs`` into requests of ``batch_size``, each described by ``operation_for``."""
    chunks = [
        BatchChunk(inputs=chunk, operation=operation_for(chunk))
        for chunk in _chunks(inputs, _batch_size(batch_size))
    ]
    return BatchPlan(inputs=inputs, chunks=chunks)


# --------------------------------------------------------------------------- limits


def list_all_limits() -> Operation[list[AssociationLimit]]:
    """GET .../definitions/configurations/all."""
    from hubspot_assoc_api.api.limits import list_all_limits as endpoint

    def read(data: Any) -> list[AssociationLimit]:
        return [convert.limit(item) for item in endpoint.read_body(data).results]

    reader = _body_reader(endpoint.SUCCESS_STATUSES, "a list of limits", read)
    request = endpoint.build_request()
    return _operation("list_all_limits", request, reader, endpoint.read_error, idempotent=True)


def get_limits(from_type: object, to_type: object) -> Operation[list[AssociationLimit]]:
    """GET .../definitions/configurations/{from}/{to}."""
    from hubspot_assoc_api.api.limits import get_limits as endpoint

    pair = _pair(from_type, to_type)

    def read(data: Any) -> list[AssociationLimit]:
        return [convert.limit(item) for item in endpoint.read_body(data).results]

    reader = _body_reader(endpoint.SUCCESS_STATUSES, "a list of limits", read)
    request = endpoint.build_request(**pair)
    return _operation("get_limits", request, reader, endpoint.read_error, idempotent=True)


def _limit_body(chunk: list[LimitInput]) -> BatchLimitInput:
    """The generated ``BatchLimitInput`` for a chunk of create or update inputs."""
    from hubspot_assoc_api.models.association_category import AssociationCategory
    from hubspot_assoc_api.models.batch_limit_input import BatchLimitInput
    from hubspot_assoc_api.models.limit_input import LimitInput as ApiLimitInput

    return BatchLimitInput(
        inputs=[
            ApiLimitInput(
                category=AssociationCategory(str(i.category)),
                type_id=i.type_id,
                max_to_object_ids=i.max_to_object_ids,
            )
            for i in chunk
        ]
    )


def create_limits(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[LimitInput]:
    """POST .../batch/create, split into chunks of ``batch_size``."""
    from hubspot_assoc_api.api.limits import create_limits as endpoint

    pair = _pair(from_type, to_type)
    inputs = validation.limit_inputs(items)

    def operation_for(chunk: list[LimitInput]) -> Operation[BatchResult[Any]]:
        def read(data: Any) -> BatchResult[Any]:
            return convert.batch(endpoint.read_body(data), chunk, convert.limit)

        reader = _body_reader(endpoint.SUCCESS_STATUSES, "a batch answer", read)
        request = endpoint.build_request(**pair, body=_limit_body(chunk))
        # Every batch call sets (or removes) values, so repeating one is harmless.
        return _operation("create_limits", request, reader, endpoint.read_error, idempotent=True)

    return _batch_plan(inputs, batch_size, operation_for)


def update_limits(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[LimitInput]:
    """POST .../batch/update, split into chunks of ``batch_size``."""
    from hubspot_assoc_api.api.limits import update_limits as endpoint

    pair = _pair(from_type, to_type)
    inputs = validation.limit_inputs(items)

    def operation_for(chunk: list[LimitInput]) -> Operation[BatchResult[Any]]:
        def read(data: Any) -> BatchResult[Any]:
            return convert.batch(endpoint.read_body(data), chunk, convert.update_result)

        reader = _body_reader(endpoint.SUCCESS_STATUSES, "a batch answer", read)
        request = endpoint.build_request(**pair, body=_limit_body(chunk))
        return _operation("update_limits", request, reader, endpoint.read_error, idempotent=True)

    return _batch_plan(inputs, batch_size, operation_for)


def purge_limits(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[AssociationSpec]:
    """POST .../batch/purge, split into chunks; 204 and 200-with-body both succeed."""
    from hubspot_assoc_api.api.limits import purge_limits as endpoint
    from hubspot_assoc_api.models.association_spec import AssociationSpec as ApiSpec
    from hubspot_assoc_api.models.batch_association_spec_input import (
        BatchAssociationSpecInput,
    )

    pair = _pair(from_type, to_type)
    inputs = validation.association_specs(items)

    def operation_for(chunk: list[AssociationSpec]) -> Operation[BatchResult[Any]]:
        def read(data: Any) -> BatchResult[Any]:
            return convert.batch(endpoint.read_body(data), chunk, None)

        def no_body() -> BatchResult[Any]:
            # The current v4 answer: no body, every input applied.
            return BatchResult(status="COMPLETE", succeeded=list(chunk))

        reader = SuccessReader(endpoint.SUCCESS_STATUSES, "a batch answer", read, no_body)
        body = BatchAssociationSpecInput(
            inputs=[ApiSpec(category=str(i.category), type_id=i.type_id) for i in chunk]
        )
        request = endpoint.build_request(**pair, body=body)
        return _operation("purge_limits", request, reader, endpoint.read_error, idempotent=True)

    return _batch_plan(inputs, batch_size, operation_for)


# --------------------------------------------------------------------------- labels


def list_labels(from_type: object, to_type: object) -> Operation[list[AssociationLabel]]:
    """GET /crm/associations/v4/{from}/{to}/labels."""
    from hubspot_assoc_api.api.labels import list_labels as endpoint

    pair = _pair(from_type, to_type)

    def read(data: Any) -> list[AssociationLabel]:
        return [convert.label(item) for item in endpoint.read_body(data).results]

    reader = _body_reader(endpoint.SUCCESS_STATUSES, "a list of labels", read)
    request = endpoint.build_request(**pair)
    return _operation("list_labels", request, reader, endpoint.read_error, idempotent=True)


def create_label(
    from_type: object,
    to_type: object,
    *,
    label: object,
    name: object,
    inverse_label: object = None,
) -> Operation[list[AssociationLabel]]:
    """POST /crm/associations/v4/{from}/{to}/labels."""
    from hubspot_assoc_api.api.labels import create_label as endpoint
    from hubspot_assoc_api.models.label_create_request import LabelCreateRequest

    pair = _pair(from_type, to_type)
    body = LabelCreateRequest(
        name=validation.label_name("name", name),
        label=validation.label_text("label", label),
    )
    inverse = validation.optional_label_text("inverse_label", inverse_label)
    if inverse is not None:
        body.inverse_label = inverse

    def read(data: Any) -> list[AssociationLabel]:
        return [convert.label(item) for item in endpoint.read_body(data).results]

    reader = _body_reader(endpoint.SUCCESS_STATUSES, "a list of labels", read)
    request = endpoint.build_request(**pair, body=body)
    # Creating twice makes two labels (or a conflict), so an ambiguous failure is not
    # retried unless the retry policy opts in.
    return _operation("create_label", request, reader, endpoint.read_error, idempotent=False)


def update_label(
    from_type: object,
    to_type: object,
    type_id: object,
    *,
    label: object,
    inverse_label: object = None,
) -> Operation[None]:
    """PUT /crm/associations/v4/{from}/{to}/labels."""
    from hubspot_assoc_api.api.labels import update_label as endpoint
    from hubspot_assoc_api.models.label_update_request import LabelUpdateRequest

    pair = _pair(from_type, to_type)
    body = LabelUpdateRequest(
        association_type_id=validation.type_id("type_id", type_id),
        label=validation.label_text("label", label),
    )
    inverse = validation.optional_label_text("inverse_label", inverse_label)
    if inverse is not None:
        body.inverse_label = inverse
    reader = _no_content_reader(endpoint.SUCCESS_STATUSES)
    request = endpoint.build_request(**pair, body=body)
    return _operation("update_label", request, reader, endpoint.read_error, idempotent=True)


def _type_is_gone(error: HubSpotError) -> bool:
    """Whether HubSpot answered that the association type does not exist (any more)."""
    if isinstance(error, NotFoundError):
        return True
    if not isinstance(error, BadRequestError):
        return False
    texts = [error.message or "", *(detail.message for detail in error.errors)]
    return any("exist" in text.lower() for text in texts)


def delete_label(from_type: object, to_type: object, type_id: object) -> Operation[None]:
    """DELETE /crm/associations/v4/{from}/{to}/labels/{type_id}.

    If an attempt's answer was lost (a 5xx, a timeout, a dropped connection) and the retry
    is told the type does not exist, the lost attempt deleted it: the call succeeds.
    """
    from hubspot_assoc_api.api.labels import delete_label as endpoint

    pair = _pair(from_type, to_type)
    type_id_value = validation.type_id("type_id", type_id)
    reader = _no_content_reader(endpoint.SUCCESS_STATUSES)
    request = endpoint.build_request(**pair, association_type_id=type_id_value)
    return _operation(
        "delete_label",
        request,
        reader,
        endpoint.read_error,
        idempotent=True,
        already_done=_type_is_gone,
    )
