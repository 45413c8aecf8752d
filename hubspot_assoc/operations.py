"""What each endpoint sends, and how its answer becomes a facade model.

Every public method of the resources turns into an :class:`Operation`: a request built by
the generated client's own request builder (so paths, quoting and bodies come from the
spec) and a parser that runs the generated response parser and converts its models into
the facade's. Nothing here performs I/O, so the sync and async clients share all of it.

A parser only ever sees a 2xx answer. Anything it cannot understand (a missing field, a
non-JSON body, a status the spec does not list) becomes :class:`UnexpectedResponseError`
carrying the raw body, the status and the correlation id; no generator exception escapes.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

import attrs
import httpx
from hubspot_assoc_api import Client as _GeneratedClient
from hubspot_assoc_api.types import Unset

from . import validation
from ._constants import DEFAULT_BATCH_SIZE
from .errors import (
    BadRequestError,
    HubSpotError,
    InvalidInputError,
    NotFoundError,
    unexpected_response,
)
from .models import (
    AssociationLabel,
    AssociationLimit,
    AssociationSpec,
    BatchInput,
    BatchItemError,
    BatchResult,
    LimitInput,
    split_outcomes,
)

if TYPE_CHECKING:
    from hubspot_assoc_api.models.batch_limit_response import BatchLimitResponse
    from hubspot_assoc_api.models.batch_limit_update_response import BatchLimitUpdateResponse
    from hubspot_assoc_api.models.batch_purge_response import BatchPurgeResponse
    from hubspot_assoc_api.models.standard_error import StandardError

T = TypeVar("T")
InputT = TypeVar("InputT", AssociationSpec, LimitInput)

# The generated parsers take a client only to decide what to do with statuses the spec
# does not list; every operation has a `default` response, so any instance will do.
_PARSER_CLIENT = _GeneratedClient(base_url="")
# Each generated endpoint module imports only the models it uses, so loading them one by
# one, on first use, keeps a program that only purges from loading the whole API.
_ENDPOINTS = {
    "list_all_limits": "limits",
    "get_limits": "limits",
    "create_limits": "limits",
    "update_limits": "limits",
    "purge_limits": "limits",
    "list_labels": "labels",
    "create_label": "labels",
    "update_label": "labels",
    "delete_label": "labels",
}
# What the generated parsers raise on a body that does not fit the spec.
_PARSE_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)


@attrs.frozen
class Operation(Generic[T]):
    """One HTTP request and the function that reads its successful answer.

    ``idempotent`` says whether repeating the request after an ambiguous failure (a 5xx
    or a timeout) is harmless; the retry decision uses it.
    """

    name: str
    method: str
    path: str
    json: Any
    idempotent: bool
    parse: Callable[[httpx.Response], T]
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


def _endpoint(name: str) -> ModuleType:
    """The generated module of operation ``name`` (imported once, then cached)."""
    return importlib.import_module(f"hubspot_assoc_api.api.{_ENDPOINTS[name]}.{name}")


def _model(module: str, name: str) -> Any:
    """A generated model class, importing only its own module."""
    return getattr(importlib.import_module(f"hubspot_assoc_api.models.{module}"), name)


def _optional(value: T | Unset) -> T | None:
    return None if isinstance(value, Unset) else value


def _operation(
    name: str,
    *,
    idempotent: bool,
    parse: Callable[[httpx.Response], T],
    already_done: Callable[[HubSpotError], bool] | None = None,
    **kwargs: Any,
) -> Operation[T]:
    """The operation ``name``, its request built by the generated code from ``kwargs``."""
    built: dict[str, Any] = _endpoint(name)._get_kwargs(**kwargs)
    return Operation(
        name=name,
        method=str(built["method"]).upper(),
        path=str(built["url"]),
        json=built.get("json"),
        idempotent=idempotent,
        parse=parse,
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


def _results(
    name: str, collection: tuple[str, str], convert: Callable[[Any], T]
) -> Callable[[httpx.Response], list[T]]:
    """A parser for an answer ``{"results": [...]}``, each result converted."""

    def parse(response: httpx.Response) -> list[T]:
        parsed = _parse_generated(_endpoint(name), response, _model(*collection))
        return [convert(item) for item in parsed.results]

    return parse


_LIMITS = ("limit_collection", "LimitCollection")
_LABELS = ("label_collection", "LabelCollection")


def _parse_generated(module: ModuleType, response: httpx.Response, expected: type[T]) -> T:
    """Run the generated parser; anything but an ``expected`` model is unexpected."""
    try:
        parsed = module._parse_response(client=_PARSER_CLIENT, response=response)
    except (json.JSONDecodeError, *_PARSE_ERRORS) as exc:
        raise unexpected_response(response, _describe(exc)) from None
    if not isinstance(parsed, expected):
        raise unexpected_response(
            response, f"status {response.status_code} is not a documented success answer"
        )
    return parsed


def _describe(exc: BaseException) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return "the body is not valid JSON"
    if isinstance(exc, KeyError):
        return f"the required field {exc.args[0]!r} is missing"
    return f"{type(exc).__name__}: {exc}"[:200]


def _limit(item: Any) -> AssociationLimit:
    return AssociationLimit(
        category=str(item.category),
        type_id=item.type_id,
        label=_optional(item.label),
        max_to_object_ids=_optional(item.user_enforced_max_to_object_ids),
    )


def _update_result(item: Any) -> AssociationLimit:
    return AssociationLimit(
        category=str(item.category),
        type_id=item.type_id,
        label=None,
        max_to_object_ids=_optional(item.user_enforced_max_to_object_ids),
    )


def _label(item: Any) -> AssociationLabel:
    return AssociationLabel(
        category=str(item.category),
        type_id=item.type_id,
        label=_optional(item.label),
        from_object_type_id=_optional(item.from_object_type_id),
        to_object_type_id=_optional(item.to_object_type_id),
    )


def _item_error(error: StandardError) -> BatchItemError:
    sub_category = _optional(error.sub_category)
    return BatchItemError(
        status=error.status,
        category=error.category,
        message=error.message,
        context=dict(error.context.additional_properties),
        sub_category=None if sub_category is None else dict(sub_category.additional_properties),
        id=_optional(error.id),
    )


def _batch_result(
    parsed: BatchLimitResponse | BatchLimitUpdateResponse | BatchPurgeResponse,
    inputs: Sequence[InputT],
    convert: Callable[[Any], Any] | None,
) -> BatchResult[Any]:
    errors = [_item_error(e) for e in _optional(parsed.errors) or []]
    results = list(parsed.results)
    succeeded, failed = split_outcomes(list(inputs), results, errors)
    num_errors = _optional(parsed.num_errors)
    return BatchResult(
        status=str(parsed.status),
        results=[convert(r) for r in results] if convert else [],
        errors=errors,
        num_errors=len(errors) if num_errors is None else num_errors,
        requested_at=_optional(parsed.requested_at),
        started_at=parsed.started_at,
        completed_at=parsed.completed_at,
        succeeded=list(succeeded),
        failed=list(failed),
    )


def _chunks(items: list[InputT], batch_size: int) -> Iterable[list[InputT]]:
    for start in range(0, len(items), batch_size):
        yield items[start : start + batch_size]


def _batch_size(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInputError("batch_size", value, "a positive int (HubSpot accepts up to 100)")
    return value


# --------------------------------------------------------------------------- limits


def list_all_limits() -> Operation[list[AssociationLimit]]:
    """GET .../definitions/configurations/all."""
    name = "list_all_limits"
    return _operation(name, idempotent=True, parse=_results(name, _LIMITS, _limit))


def get_limits(from_type: object, to_type: object) -> Operation[list[AssociationLimit]]:
    """GET .../definitions/configurations/{from}/{to}."""
    name = "get_limits"
    pair = _pair(from_type, to_type)
    return _operation(name, idempotent=True, parse=_results(name, _LIMITS, _limit), **pair)


def _batch_plan(
    name: str,
    pair: _Pair,
    inputs: list[InputT],
    batch_size: object,
    body_for: Callable[[list[InputT]], Any],
    read: Callable[[httpx.Response, list[InputT]], BatchResult[Any]],
) -> BatchPlan[InputT]:
    """Split ``inputs`` into requests of ``batch_size``; ``read`` judges each answer."""

    def reader(chunk: list[InputT]) -> Callable[[httpx.Response], BatchResult[Any]]:
        return lambda response: read(response, chunk)

    chunks = []
    for chunk in _chunks(inputs, _batch_size(batch_size)):
        # Every batch call sets (or removes) values, so repeating one is harmless.
        parse = reader(chunk)
        operation = _operation(name, idempotent=True, parse=parse, body=body_for(chunk), **pair)
        chunks.append(BatchChunk(inputs=chunk, operation=operation))
    return BatchPlan(inputs=inputs, chunks=chunks)


def _limit_plan(
    name: str,
    from_type: object,
    to_type: object,
    items: object,
    batch_size: object,
    expected: type[BatchLimitResponse] | type[BatchLimitUpdateResponse],
    convert: Callable[[Any], AssociationLimit],
) -> BatchPlan[LimitInput]:
    pair = _pair(from_type, to_type)
    inputs = validation.limit_inputs(items)
    batch_input = _model("batch_limit_input", "BatchLimitInput")
    api_input = _model("limit_input", "LimitInput")
    api_category = _model("association_category", "AssociationCategory")

    def body_for(chunk: list[LimitInput]) -> Any:
        return batch_input(
            inputs=[
                api_input(
                    category=api_category(str(i.category)),
                    type_id=i.type_id,
                    max_to_object_ids=i.max_to_object_ids,
                )
                for i in chunk
            ]
        )

    def read(response: httpx.Response, chunk: list[LimitInput]) -> BatchResult[Any]:
        return _batch_result(_parse_generated(_endpoint(name), response, expected), chunk, convert)

    return _batch_plan(name, pair, inputs, batch_size, body_for, read)


def create_limits(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[LimitInput]:
    """POST .../batch/create, split into chunks of ``batch_size``."""
    return _limit_plan(
        "create_limits",
        from_type,
        to_type,
        items,
        batch_size,
        _model("batch_limit_response", "BatchLimitResponse"),
        _limit,
    )


def update_limits(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[LimitInput]:
    """POST .../batch/update, split into chunks of ``batch_size``."""
    return _limit_plan(
        "update_limits",
        from_type,
        to_type,
        items,
        batch_size,
        _model("batch_limit_update_response", "BatchLimitUpdateResponse"),
        _update_result,
    )


def purge_limits(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[AssociationSpec]:
    """POST .../batch/purge, split into chunks; 204 and 200-with-body both succeed."""
    pair = _pair(from_type, to_type)
    inputs = validation.association_specs(items)
    batch_input = _model("batch_association_spec_input", "BatchAssociationSpecInput")
    api_spec = _model("association_spec", "AssociationSpec")
    answer = _model("batch_purge_response", "BatchPurgeResponse")

    def body_for(chunk: list[AssociationSpec]) -> Any:
        return batch_input(
            inputs=[api_spec(category=str(i.category), type_id=i.type_id) for i in chunk]
        )

    def read(response: httpx.Response, chunk: list[AssociationSpec]) -> BatchResult[Any]:
        if response.status_code == 204:
            # The current v4 answer: no body, every input applied.
            return BatchResult(status="COMPLETE", succeeded=list(chunk))
        parsed = _parse_generated(_endpoint("purge_limits"), response, answer)
        return _batch_result(parsed, chunk, None)

    return _batch_plan("purge_limits", pair, inputs, batch_size, body_for, read)


# --------------------------------------------------------------------------- labels


def list_labels(from_type: object, to_type: object) -> Operation[list[AssociationLabel]]:
    """GET /crm/associations/v4/{from}/{to}/labels."""
    name = "list_labels"
    pair = _pair(from_type, to_type)
    return _operation(name, idempotent=True, parse=_results(name, _LABELS, _label), **pair)


def create_label(
    from_type: object,
    to_type: object,
    *,
    label: object,
    name: object,
    inverse_label: object = None,
) -> Operation[list[AssociationLabel]]:
    """POST /crm/associations/v4/{from}/{to}/labels."""
    pair = _pair(from_type, to_type)
    body = _model("label_create_request", "LabelCreateRequest")(
        name=validation.label_name("name", name),
        label=validation.label_text("label", label),
    )
    inverse = validation.optional_label_text("inverse_label", inverse_label)
    if inverse is not None:
        body.inverse_label = inverse

    # Creating twice makes two labels (or a conflict), so an ambiguous failure is not
    # retried unless the retry policy opts in.
    parse = _results("create_label", _LABELS, _label)
    return _operation("create_label", idempotent=False, parse=parse, body=body, **pair)


def _no_content(response: httpx.Response) -> None:
    # 204 is documented; any other 2xx also means the change was made.
    return None


def update_label(
    from_type: object,
    to_type: object,
    type_id: object,
    *,
    label: object,
    inverse_label: object = None,
) -> Operation[None]:
    """PUT /crm/associations/v4/{from}/{to}/labels."""
    pair = _pair(from_type, to_type)
    body = _model("label_update_request", "LabelUpdateRequest")(
        association_type_id=validation.type_id("type_id", type_id),
        label=validation.label_text("label", label),
    )
    inverse = validation.optional_label_text("inverse_label", inverse_label)
    if inverse is not None:
        body.inverse_label = inverse
    return _operation("update_label", idempotent=True, parse=_no_content, body=body, **pair)


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
    return _operation(
        "delete_label",
        idempotent=True,
        parse=_no_content,
        already_done=_type_is_gone,
        association_type_id=validation.type_id("type_id", type_id),
        **_pair(from_type, to_type),
    )
