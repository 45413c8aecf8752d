"""``client.associations``: association records, for both clients.

Each method checks its arguments and describes its requests through
:mod:`hubspot_assoc.record_operations` (no I/O) before anything is sent, then hands them to
the client. The async twin differs from the sync one only by ``await``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import record_operations as rops
    from .client import AsyncClient, Client
    from .models import BatchItemError, BatchResult
    from .records import Association, AssociationsByRecord, UsageReport

    #: One association type: ``("USER_DEFINED", 1000)``, ``"USER_DEFINED:1000"``, a spec...
    TypeLike = Any
    #: One batch item: ``(from_id, to_id[, types])`` or a dict with those keys.
    PairLike = Any
else:

    class _Lazy:
        """Loads the records operations (and the generated client) on first use, so that
        building a client stays as cheap as before (see ``resources._LazyOperations``)."""

        def __getattr__(self, name: str) -> Any:
            from . import record_operations

            globals()["rops"] = record_operations
            return getattr(record_operations, name)

    rops = _Lazy()

    #: One association type: ``("USER_DEFINED", 1000)``, ``"USER_DEFINED:1000"``, a spec...
    TypeLike = Any
    #: One batch item: ``(from_id, to_id[, types])`` or a dict with those keys.
    PairLike = Any

_BATCH = 100


def _checked_listing(
    from_type: object, from_id: object, to_type: object, page_size: object
) -> tuple[str, str, str, int]:
    from . import validation
    from .records import record_id

    return (
        validation.object_type("from_type", from_type),
        record_id("from_id", from_id),
        validation.object_type("to_type", to_type),
        rops.page_size(page_size),
    )


def _merge(
    into: dict[str, list[Association]], chunk: rops.ReadChunk, errors: list[BatchItemError]
) -> None:
    for record, found in chunk.pages.items():
        into.setdefault(record, []).extend(found)
    errors.extend(chunk.errors)


def _by_record(
    merged: dict[str, list[Association]], errors: list[BatchItemError], failed: list[str]
) -> AssociationsByRecord:
    from .records import AssociationsByRecord

    return AssociationsByRecord(merged.items(), errors, failed)


class Associations:
    """Association records: which records are associated with which, and by which types.

    Example::

        with Client() as client:
            client.associations.associate("contacts", 1, "companies", 2)          # default type
            client.associations.associate("contacts", 1, "companies", 3, ["HUBSPOT_DEFINED:1"])
            for a in client.associations.list("contacts", 1, "companies"):
                print(a.to_id, a.labels)
            client.associations.remove("contacts", 1, "companies", 3)

    Record ids are a positive ``int`` or a string of decimal digits; anything else is refused
    before a request is sent. Batch methods split their inputs into requests of
    ``batch_size`` (HubSpot accepts at most 100) and merge the answers into one
    :class:`~hubspot_assoc.models.BatchResult` whose ``succeeded``/``failed``/``not_sent``
    hold your inputs as :class:`~hubspot_assoc.records.RecordPair` values.
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def associate(
        self,
        from_type: str,
        from_id: int | str,
        to_type: str,
        to_id: int | str,
        types: Iterable[TypeLike] | None = None,
    ) -> Association:
        """Associate two records by ``types``, or by the default (unlabelled) type when None.

        A configured association limit that would be exceeded makes HubSpot refuse the call
        (:class:`~hubspot_assoc.errors.BadRequestError`, category VALIDATION_ERROR). The
        default association is answered in a batch's shape: when HubSpot reports its one
        input failed inside a 200, :class:`~hubspot_assoc.errors.BatchPartialFailureError`
        is raised with that result.
        """
        return self._client._execute(rops.associate(from_type, from_id, to_type, to_id, types))

    def remove(self, from_type: str, from_id: int | str, to_type: str, to_id: int | str) -> None:
        """Remove every association between two records (both directions). Removing a pair
        that is not associated succeeds."""
        self._client._execute(rops.remove(from_type, from_id, to_type, to_id))

    def list(
        self, from_type: str, from_id: int | str, to_type: str, *, page_size: int = 500
    ) -> Iterator[Association]:
        """Every association of one record to ``to_type``, following ``after`` to the end.

        Arguments are checked now; the pages are fetched as you iterate, ``page_size`` at a
        time (1 to 500).
        """
        checked = _checked_listing(from_type, from_id, to_type, page_size)
        return self._pages(*checked)

    def _pages(
        self, from_type: str, from_id: str, to_type: str, size: int
    ) -> Iterator[Association]:
        after: str | None = None
        seen: set[str] = set()
        while True:
            page = self._client._execute(rops.list_page(from_type, from_id, to_type, after, size))
            yield from page.items
            if page.after is None or page.after in seen:
                return
            seen.add(page.after)
            after = page.after

    def create_many(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Association]:
        """Associate many pairs by types: items ``(from_id, to_id, types)`` or dicts with
        ``from_id``, ``to_id`` and ``types``.

        Pairs HubSpot refuses (a missing record, an unknown type, a limit reached) are in
        ``failed``; ``failures()`` pairs each with HubSpot's error.
        """
        return self._client._execute_batch(rops.create_many(from_type, to_type, items, batch_size))

    def associate_defaults(
        self,
        from_type: str,
        to_type: str,
        pairs: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Association]:
        """Associate many ``(from_id, to_id)`` pairs by their default (unlabelled) type."""
        return self._client._execute_batch(
            rops.associate_defaults(from_type, to_type, pairs, batch_size)
        )

    def remove_many(
        self,
        from_type: str,
        to_type: str,
        pairs: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Any]:
        """Remove every association between many ``(from_id, to_id)`` pairs; within a request
        the pairs are grouped by their ``from`` id, as HubSpot expects."""
        return self._client._execute_batch(rops.remove_many(from_type, to_type, pairs, batch_size))

    def remove_labels(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Any]:
        """Take association types away from many pairs (items ``(from_id, to_id, types)``);
        each pair stays associated by its other types."""
        return self._client._execute_batch(
            rops.remove_labels(from_type, to_type, items, batch_size)
        )

    def read_many(
        self,
        from_type: str,
        to_type: str,
        ids: Iterable[int | str],
        *,
        batch_size: int = _BATCH,
    ) -> AssociationsByRecord:
        """The associations of many records: ``{from id: [Association, ...]}``.

        Ids go in requests of at most 100 (HubSpot's cap); each id's pages are followed until
        exhausted and merged. Ids HubSpot reports as errors (no associations of that type, no
        such record) are not keys: they are in the result's ``errors`` and ``failed_ids``.
        """
        from_kind, to_kind, chunks = rops.read_ids(from_type, to_type, ids, batch_size)
        merged: dict[str, list[Association]] = {}
        errors: list[BatchItemError] = []
        failed: list[str] = []
        for chunk_ids in chunks:
            wanted: dict[str, str | None] = dict.fromkeys(chunk_ids)
            while wanted:
                answer = self._client._execute(rops.read_chunk(from_kind, to_kind, wanted))
                _merge(merged, answer, errors)
                failed.extend(answer.failed_ids)
                wanted = dict(answer.more)
        return _by_record(merged, errors, failed)

    def high_usage_report(self, user_id: int) -> UsageReport:
        """Ask HubSpot to email ``user_id`` a report of records with many associations."""
        return self._client._execute(rops.high_usage_report(user_id))


class AsyncAssociations:
    """The asyncio twin of :class:`Associations`; ``list`` is an async iterator.

    Example::

        async with AsyncClient() as client:
            await client.associations.associate("contacts", 1, "companies", 2)
            async for a in client.associations.list("contacts", 1, "companies"):
                print(a.to_id)
    """

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def associate(
        self,
        from_type: str,
        from_id: int | str,
        to_type: str,
        to_id: int | str,
        types: Iterable[TypeLike] | None = None,
    ) -> Association:
        """See :meth:`Associations.associate`."""
        operation = rops.associate(from_type, from_id, to_type, to_id, types)
        return await self._client._execute(operation)

    async def remove(
        self, from_type: str, from_id: int | str, to_type: str, to_id: int | str
    ) -> None:
        """See :meth:`Associations.remove`."""
        await self._client._execute(rops.remove(from_type, from_id, to_type, to_id))

    def list(
        self, from_type: str, from_id: int | str, to_type: str, *, page_size: int = 500
    ) -> AsyncIterator[Association]:
        """See :meth:`Associations.list`; use with ``async for``."""
        checked = _checked_listing(from_type, from_id, to_type, page_size)
        return self._pages(*checked)

    async def _pages(
        self, from_type: str, from_id: str, to_type: str, size: int
    ) -> AsyncIterator[Association]:
        after: str | None = None
        seen: set[str] = set()
        while True:
            operation = rops.list_page(from_type, from_id, to_type, after, size)
            page = await self._client._execute(operation)
            for item in page.items:
                yield item
            if page.after is None or page.after in seen:
                return
            seen.add(page.after)
            after = page.after

    async def create_many(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Association]:
        """See :meth:`Associations.create_many`."""
        plan = rops.create_many(from_type, to_type, items, batch_size)
        return await self._client._execute_batch(plan)

    async def associate_defaults(
        self,
        from_type: str,
        to_type: str,
        pairs: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Association]:
        """See :meth:`Associations.associate_defaults`."""
        plan = rops.associate_defaults(from_type, to_type, pairs, batch_size)
        return await self._client._execute_batch(plan)

    async def remove_many(
        self,
        from_type: str,
        to_type: str,
        pairs: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Any]:
        """See :meth:`Associations.remove_many`."""
        plan = rops.remove_many(from_type, to_type, pairs, batch_size)
        return await self._client._execute_batch(plan)

    async def remove_labels(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[PairLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Any]:
        """See :meth:`Associations.remove_labels`."""
        plan = rops.remove_labels(from_type, to_type, items, batch_size)
        return await self._client._execute_batch(plan)

    async def read_many(
        self,
        from_type: str,
        to_type: str,
        ids: Iterable[int | str],
        *,
        batch_size: int = _BATCH,
    ) -> AssociationsByRecord:
        """See :meth:`Associations.read_many`."""
        from_kind, to_kind, chunks = rops.read_ids(from_type, to_type, ids, batch_size)
        merged: dict[str, list[Association]] = {}
        errors: list[BatchItemError] = []
        failed: list[str] = []
        for chunk_ids in chunks:
            wanted: dict[str, str | None] = dict.fromkeys(chunk_ids)
            while wanted:
                answer = await self._client._execute(rops.read_chunk(from_kind, to_kind, wanted))
                _merge(merged, answer, errors)
                failed.extend(answer.failed_ids)
                wanted = dict(answer.more)
        return _by_record(merged, errors, failed)

    async def high_usage_report(self, user_id: int) -> UsageReport:
        """See :meth:`Associations.high_usage_report`."""
        return await self._client._execute(rops.high_usage_report(user_id))
