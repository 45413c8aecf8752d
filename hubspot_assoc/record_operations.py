"""What each association records call sends, and how its answer becomes facade values.

The records twin of :mod:`hubspot_assoc.operations`: every call of ``client.associations`` is
described here as an :class:`~hubspot_assoc.operations.Operation` (or a batch plan of them),
without I/O, so that the sync and async clients share all of it. Requests are built by the
generated endpoints; answers are read by the generated models and converted here, once per
type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

import attrs

from . import _convert as convert
from . import records as rec
from . import validation
from ._constants import DEFAULT_BATCH_SIZE
from ._reading import SuccessReader
from .errors import BatchPartialFailureError
from .models import BatchItemError, BatchResult, BatchStatus
from .operations import BatchChunk, BatchPlan, Operation, _batch_size, _operation, _pair
from .records import Association, AssociationType, RecordPair, UsageReport

if TYPE_CHECKING:
    from types import ModuleType

_optional = convert.optional
_item_error = convert.item_error


class _Unreadable(ValueError):
    """A body that parsed but says something the facade cannot accept (the guard in
    :mod:`hubspot_assoc._reading` turns it into ``UnexpectedResponseError``)."""


MAX_PAGE_SIZE = 500
"""The most associations one listing page holds (HubSpot's cap)."""


@attrs.frozen
class Page:
    """One page of a record's associations and the cursor of the next page (None: last)."""

    items: list[Association]
    after: str | None


@attrs.frozen
class ReadChunk:
    """The answer to one batch read request: a page per id, the ids to continue, the errors."""

    pages: dict[str, list[Association]]
    more: dict[str, str]
    errors: list[BatchItemError]
    failed_ids: list[str]


# --------------------------------------------------------------------------- helpers


def _request(
    name: str,
    endpoint: ModuleType,
    read_body: Callable[[Any], Any] | None,
    *,
    idempotent: bool,
    answer: str = "a batch answer",
    no_body: Callable[[], Any] | None = None,
    **kwargs: Any,
) -> Operation[Any]:
    """The operation ``name``: the generated request, read by ``read_body`` (the parsed JSON
    to a facade value) inside the one guarded path; ``no_body`` for a 2xx without a body."""
    reader = SuccessReader(endpoint.SUCCESS_STATUSES, answer, read_body, no_body)
    request = endpoint.build_request(**kwargs)
    return _operation(name, request, reader, endpoint.read_error, idempotent=idempotent)


def _types(items: Iterable[Any], to_type: str) -> tuple[AssociationType, ...]:
    out = []
    for item in items:
        label = _optional(getattr(item, "label", None))
        category = _optional(getattr(item, "category", None))
        out.append(
            AssociationType(
                "" if category is None else str(category),
                item.type_id,
                label if isinstance(label, str) else None,
            )
        )
    return tuple(out)


def _association(from_id: str, to_type: str, record: Any) -> Association:
    return Association(
        from_id=from_id,
        to_id=rec.from_wire_id(record.to_object_id),
        to_type=to_type,
        types=_types(_optional(record.association_types) or [], to_type),
    )


def _next_after(paging: Any) -> str | None:
    paging = _optional(paging)
    if paging is None:
        return None
    following = _optional(paging.next_)
    if following is None:
        return None
    after = following.after
    return after if isinstance(after, str) and after else None


def _spec_models(specs: Iterable[Any]) -> list[Any]:
    from hubspot_assoc_api.models.association_category import AssociationCategory
    from hubspot_assoc_api.models.association_type_input import AssociationTypeInput

    return [
        AssociationTypeInput(
            association_category=AssociationCategory(str(s.category)),
            association_type_id=s.type_id,
        )
        for s in specs
    ]


def _ref(record_id: str) -> Any:
    from hubspot_assoc_api.models.record_ref import RecordRef

    return RecordRef(id=record_id)


def _batch_result(
    parsed: Any, inputs: list[RecordPair], results: list[Any], answered: list[tuple[str, str]]
) -> BatchResult[Any]:
    errors = [_item_error(e) for e in _optional(parsed.errors) or []]
    succeeded, failed = rec.split_pair_outcomes(inputs, answered or None, errors)
    status = str(parsed.status)
    unconfirmed: list[RecordPair] = []
    if status.upper() != BatchStatus.COMPLETE.value:
        # A batch HubSpot has not finished (or cancelled) confirms nothing it did not name.
        unconfirmed, succeeded = succeeded, []
    num_errors = _optional(parsed.num_errors)
    return BatchResult(
        unconfirmed=cast(list[Any], unconfirmed),
        status=status,
        results=results,
        errors=errors,
        num_errors=len(errors) if num_errors is None else num_errors,
        requested_at=_optional(parsed.requested_at),
        started_at=_optional(parsed.started_at),
        completed_at=_optional(parsed.completed_at),
        succeeded=cast(list[Any], succeeded),
        failed=cast(list[Any], failed),
    )


def _plan(
    inputs: list[RecordPair],
    batch_size: object,
    operation_for: Callable[[list[RecordPair]], Operation[BatchResult[Any]]],
) -> BatchPlan[Any]:
    size = _batch_size(batch_size)
    chunks: list[BatchChunk[Any]] = [
        BatchChunk(inputs=cast(list[Any], chunk), operation=operation_for(chunk))
        for chunk in (inputs[i : i + size] for i in range(0, len(inputs), size))
    ]
    return BatchPlan(inputs=cast(list[Any], inputs), chunks=chunks)


# --------------------------------------------------------------------------- single records


def associate(
    from_type: object, from_id: object, to_type: object, to_id: object, types: object
) -> Operation[Association]:
    """PUT .../objects/{type}/{id}/associations/{toType}/{toId} (or .../default/... when
    ``types`` is None)."""
    from_kind = validation.object_type("from_type", from_type)
    to_kind = validation.object_type("to_type", to_type)
    source = rec.record_id("from_id", from_id)
    target = rec.record_id("to_id", to_id)
    if types is None:
        from hubspot_assoc_api.api.associations import associate_default as default_endpoint

        def read_default(data: Any) -> Association:
            parsed = default_endpoint.read_body(data)
            # This answer has a batch's shape: HubSpot may report the one input failed (a limit
            # reached) or not done inside it. That is a readable refusal, raised as such.
            judged = _batch_result(parsed, [RecordPair(source, target)], [], [])
            if not judged.ok:
                raise BatchPartialFailureError(
                    judged,
                    "HubSpot did not associate the records: "
                    + (judged.errors[0].message if judged.errors else f"status {judged.status}"),
                )
            found: list[AssociationType] = []
            for item in parsed.results:
                spec = _optional(item.association_spec)
                origin = _optional(item.from_)
                if spec is None or (origin is not None and rec.from_wire_id(origin.id) != source):
                    continue
                found.append(
                    AssociationType(str(spec.association_category), spec.association_type_id)
                )
            return Association(source, target, to_kind, tuple(found))

        return _request(
            "associate_default",
            default_endpoint,
            read_default,
            idempotent=True,
            from_object_type=from_kind,
            from_object_id=source,
            to_object_type=to_kind,
            to_object_id=target,
        )
    specs = rec.association_types(types, "types")
    if not specs:
        raise validation_error_types()
    from hubspot_assoc_api.api.associations import associate as endpoint

    def read(data: Any) -> Association:
        parsed = endpoint.read_body(data)
        labels = [x for x in _optional(parsed.labels) or [] if isinstance(x, str)]
        sent = tuple(AssociationType(s.category, s.type_id) for s in specs)
        # HubSpot answers labels, not types: put them on the types when it is unambiguous.
        if len(labels) == 1 and len(sent) == 1:
            sent = (AssociationType(sent[0].category, sent[0].type_id, labels[0]),)
        return Association(source, target, to_kind, sent)

    return _request(
        "associate",
        endpoint,
        read,
        idempotent=True,
        object_type=from_kind,
        object_id=source,
        to_object_type=to_kind,
        to_object_id=target,
        body=_spec_models(specs),
    )


def validation_error_types() -> Exception:
    """The refusal of an empty ``types`` list (None writes the default association)."""
    from .errors import InvalidInputError

    return InvalidInputError(
        "types",
        [],
        "at least one association type such as ['USER_DEFINED:1000'], or None for the default",
        what="list of types",
    )


def remove(from_type: object, from_id: object, to_type: object, to_id: object) -> Operation[None]:
    """DELETE .../objects/{type}/{id}/associations/{toType}/{toId}."""
    from hubspot_assoc_api.api.associations import remove_association as endpoint

    return _request(
        "remove_association",
        endpoint,
        None,
        idempotent=True,
        answer="no body",
        no_body=_nothing,
        object_type=validation.object_type("from_type", from_type),
        object_id=rec.record_id("from_id", from_id),
        to_object_type=validation.object_type("to_type", to_type),
        to_object_id=rec.record_id("to_id", to_id),
    )


def page_size(value: object) -> int:
    """A listing page size: an int from 1 to 500."""
    from .errors import InvalidInputError

    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
        raise InvalidInputError(
            "page_size", value, f"an int from 1 to {MAX_PAGE_SIZE} (HubSpot's most per page)"
        )
    return value


def list_page(
    from_type: str, from_id: str, to_type: str, after: str | None, limit: int
) -> Operation[Page]:
    """GET .../objects/{type}/{id}/associations/{toType}?after=&limit= (arguments checked)."""
    from hubspot_assoc_api.api.associations import list_associations as endpoint

    def read(data: Any) -> Page:
        parsed = endpoint.read_body(data)
        items = [_association(from_id, to_type, r) for r in parsed.results]
        return Page(items, _next_after(parsed.paging))

    kwargs: dict[str, Any] = {"limit": limit}
    if after is not None:
        kwargs["after"] = after
    return _request(
        "list_associations",
        endpoint,
        read,
        idempotent=True,
        object_type=from_type,
        object_id=from_id,
        to_object_type=to_type,
        **kwargs,
    )


def high_usage_report(user_id: object) -> Operation[UsageReport]:
    """POST .../associations/usage/high-usage-report/{userId}."""
    from hubspot_assoc_api.api.associations import request_high_usage_report as endpoint

    user = validation.type_id("user_id", user_id)

    def read(data: Any) -> UsageReport:
        from hubspot_assoc_api.models.enqueue_time import EnqueueTime

        parsed = endpoint.read_body(data)
        queued: Any = _optional(parsed.enqueue_time)
        if isinstance(queued, EnqueueTime):
            queued = _optional(queued.value)
        when = rec.enqueue_time(queued)
        user, email = _optional(parsed.user_id), _optional(parsed.user_email)
        return UsageReport(
            user if isinstance(user, int) and not isinstance(user, bool) else None,
            email if isinstance(email, str) else None,
            when,
        )

    # Asking twice queues two emails: an ambiguous failure is not repeated by default.
    return _request("request_high_usage_report", endpoint, read, idempotent=False, user_id=user)


# --------------------------------------------------------------------------- batches


def create_many(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[Any]:
    """POST .../associations/{from}/{to}/batch/create, in chunks."""
    from hubspot_assoc_api.api.associations import batch_create_associations as endpoint
    from hubspot_assoc_api.models.association_input import AssociationInput
    from hubspot_assoc_api.models.batch_association_input import BatchAssociationInput

    pair = _pair(from_type, to_type)
    inputs = rec.record_pairs(items, "items", types="required")
    to_kind = pair["to_object_type"]

    def operation_for(chunk: list[RecordPair]) -> Operation[BatchResult[Any]]:
        body = BatchAssociationInput(
            inputs=[
                AssociationInput(
                    from_=_ref(p.from_id), to=_ref(p.to_id), types=_spec_models(p.types)
                )
                for p in chunk
            ]
        )
        sent = {(p.from_id, p.to_id): p for p in chunk}

        def read(data: Any) -> BatchResult[Any]:
            parsed = endpoint.read_body(data)
            answered: list[tuple[str, str]] = []
            results: list[Association] = []
            for item in parsed.results:
                origin, target = _optional(item.from_object_id), _optional(item.to_object_id)
                if origin is None or target is None:
                    continue
                key = (rec.from_wire_id(origin), rec.from_wire_id(target))
                answered.append(key)
                if key in sent:
                    types = tuple(AssociationType(s.category, s.type_id) for s in sent[key].types)
                    results.append(Association(key[0], key[1], to_kind, types))
            return _batch_result(parsed, chunk, results, answered)

        return _request(
            "batch_create_associations", endpoint, read, idempotent=True, body=body, **pair
        )

    return _plan(inputs, batch_size, operation_for)


def associate_defaults(
    from_type: object, to_type: object, pairs: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[Any]:
    """POST .../associations/{from}/{to}/batch/associate/default, in chunks."""
    from hubspot_assoc_api.api.associations import batch_associate_defaults as endpoint
    from hubspot_assoc_api.models.batch_record_pair_input import BatchRecordPairInput
    from hubspot_assoc_api.models.record_pair_input import RecordPairInput

    pair = _pair(from_type, to_type)
    inputs = rec.record_pairs(pairs, "pairs", types="none")
    to_kind = pair["to_object_type"]

    def operation_for(chunk: list[RecordPair]) -> Operation[BatchResult[Any]]:
        body = BatchRecordPairInput(
            inputs=[RecordPairInput(from_=_ref(p.from_id), to=_ref(p.to_id)) for p in chunk]
        )
        sent = {(p.from_id, p.to_id) for p in chunk}

        def read(data: Any) -> BatchResult[Any]:
            parsed = endpoint.read_body(data)
            answered: list[tuple[str, str]] = []
            results: list[Association] = []
            for item in parsed.results:
                origin, target = _optional(item.from_), _optional(item.to)
                spec = _optional(item.association_spec)
                if origin is None or target is None:
                    continue
                key = (rec.from_wire_id(origin.id), rec.from_wire_id(target.id))
                answered.append(key)
                if key in sent and spec is not None:
                    kind = AssociationType(str(spec.association_category), spec.association_type_id)
                    results.append(Association(key[0], key[1], to_kind, (kind,)))
            return _batch_result(parsed, chunk, results, answered)

        return _request(
            "batch_associate_defaults", endpoint, read, idempotent=True, body=body, **pair
        )

    return _plan(inputs, batch_size, operation_for)


def _nothing() -> None:
    return None


def _archive_request(
    name: str, endpoint: ModuleType, chunk: list[RecordPair], **kwargs: Any
) -> Operation[BatchResult[Any]]:
    """An archive: v4 answers 204 (every input applied), 2026-03 200 with a batch body."""

    def read(data: Any) -> BatchResult[Any]:
        return _batch_result(endpoint.read_body(data), chunk, [], [])

    def no_body() -> BatchResult[Any]:
        return BatchResult(status="COMPLETE", succeeded=cast(list[Any], chunk))

    return _request(name, endpoint, read, idempotent=True, no_body=no_body, **kwargs)


def remove_many(
    from_type: object, to_type: object, pairs: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[Any]:
    """POST .../associations/{from}/{to}/batch/archive, pairs grouped by their ``from`` id."""
    from hubspot_assoc_api.api.associations import batch_archive_associations as endpoint
    from hubspot_assoc_api.models.archive_input import ArchiveInput
    from hubspot_assoc_api.models.batch_archive_input import BatchArchiveInput

    pair = _pair(from_type, to_type)
    inputs = rec.record_pairs(pairs, "pairs", types="none")

    def operation_for(chunk: list[RecordPair]) -> Operation[BatchResult[Any]]:
        grouped: dict[str, list[str]] = {}
        for p in chunk:
            targets = grouped.setdefault(p.from_id, [])
            if p.to_id not in targets:
                targets.append(p.to_id)
        body = BatchArchiveInput(
            inputs=[
                ArchiveInput(from_=_ref(source), to=[_ref(t) for t in targets])
                for source, targets in grouped.items()
            ]
        )
        return _archive_request("batch_archive_associations", endpoint, chunk, body=body, **pair)

    return _plan(inputs, batch_size, operation_for)


def remove_labels(
    from_type: object, to_type: object, items: object, batch_size: object = DEFAULT_BATCH_SIZE
) -> BatchPlan[Any]:
    """POST .../associations/{from}/{to}/batch/labels/archive, in chunks."""
    from hubspot_assoc_api.api.associations import batch_archive_association_labels as endpoint
    from hubspot_assoc_api.models.association_input import AssociationInput
    from hubspot_assoc_api.models.batch_association_input import BatchAssociationInput

    pair = _pair(from_type, to_type)
    inputs = rec.record_pairs(items, "items", types="required")

    def operation_for(chunk: list[RecordPair]) -> Operation[BatchResult[Any]]:
        body = BatchAssociationInput(
            inputs=[
                AssociationInput(
                    from_=_ref(p.from_id), to=_ref(p.to_id), types=_spec_models(p.types)
                )
                for p in chunk
            ]
        )
        return _archive_request(
            "batch_archive_association_labels", endpoint, chunk, body=body, **pair
        )

    return _plan(inputs, batch_size, operation_for)


def read_ids(
    from_type: object, to_type: object, ids: object, batch_size: object
) -> tuple[str, str, list[list[str]]]:
    """The checked pair and the ids in chunks of at most ``batch_size`` (at most 100)."""
    pair = _pair(from_type, to_type)
    size = _batch_size(batch_size)
    if size > 100:
        from .errors import InvalidInputError

        raise InvalidInputError(
            "batch_size", batch_size, "an int from 1 to 100 (HubSpot reads at most 100 ids a call)"
        )
    unique = list(dict.fromkeys(rec.record_ids("ids", ids)))
    chunks = [unique[i : i + size] for i in range(0, len(unique), size)]
    return pair["from_object_type"], pair["to_object_type"], chunks


def read_chunk(from_type: str, to_type: str, wanted: dict[str, str | None]) -> Operation[ReadChunk]:
    """POST .../batch/read for ``{id: after cursor or None}`` (at most 100 ids)."""
    from hubspot_assoc_api.api.associations import batch_read_associations as endpoint
    from hubspot_assoc_api.models.batch_read_input import BatchReadInput
    from hubspot_assoc_api.models.read_input import ReadInput

    inputs = []
    for record, after in wanted.items():
        item = ReadInput(id=record)
        if after is not None:
            item.after = after
        inputs.append(item)

    def read(data: Any) -> ReadChunk:
        parsed = endpoint.read_body(data)
        pages: dict[str, list[Association]] = {}
        more: dict[str, str] = {}
        for result in parsed.results:
            record = rec.from_wire_id(result.from_.id)
            found = [_association(record, to_type, r) for r in _optional(result.to) or []]
            pages.setdefault(record, []).extend(found)
            after = _next_after(result.paging)
            if after is not None and record in wanted:
                if after == wanted[record]:
                    raise _Unreadable(
                        f"HubSpot returned the same paging cursor twice for id {record}"
                    )
                more[record] = after
        errors = [_item_error(e) for e in _optional(parsed.errors) or []]
        failed = [
            record
            for record in wanted
            if record not in pages
            and any(rec.error_names_pair(e, RecordPair(record, record)) for e in errors)
        ]
        # An error naming no id: every id the answer left out is failed with it.
        if errors and len(failed) < len(errors):
            failed = [r for r in wanted if r not in pages]
        return ReadChunk(pages, more, errors, failed)

    return _request(
        "batch_read_associations",
        endpoint,
        read,
        idempotent=True,
        body=BatchReadInput(inputs=inputs),
        from_object_type=from_type,
        to_object_type=to_type,
    )
