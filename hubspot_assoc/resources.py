"""``client.limits`` and ``client.labels``: the operations, for both clients.

Each method validates its arguments and describes its request through
:mod:`hubspot_assoc.operations` (no I/O), then hands it to the client. The async twins
differ from the sync ones only by ``await``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from . import operations as ops
    from .client import AsyncClient, Client
    from .models import (
        AssociationLabel,
        AssociationLimit,
        AssociationSpec,
        BatchResult,
        LimitInput,
    )

    #: What the purge call accepts as one item.
    SpecLike: TypeAlias = AssociationSpec | dict[str, Any] | tuple[Any, Any]
    #: What the create and update calls accept as one item.
    LimitLike: TypeAlias = LimitInput | dict[str, Any] | tuple[Any, Any, Any]
    # Aliases, because inside the classes `list` names the method, not the builtin.
    LimitList = list[AssociationLimit]
    LabelList = list[AssociationLabel]
else:

    class _LazyOperations:
        """Loads :mod:`hubspot_assoc.operations` (and the generated client) on first use.

        The generated package costs about a third of the import time, and a program that
        only builds a client (a CLI printing help, a serverless cold start) never needs it.
        """

        def __getattr__(self, name: str) -> Any:
            from . import operations

            globals()["ops"] = operations
            return getattr(operations, name)

    ops = _LazyOperations()

#: How many inputs one request carries at most (HubSpot's batch limit).
_BATCH = 100


class Limits:
    """Association limits: how many target records one source record may be associated with.

    Example::

        with Client() as client:
            client.limits.create("contacts", "companies", [("USER_DEFINED", 279, 5)])
            client.limits.get("contacts", "companies")
            client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)])
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self) -> LimitList:
        """Every association type in the portal that has a configured limit."""
        return self._client._execute(ops.list_all_limits())

    def get(self, from_type: str, to_type: str) -> LimitList:
        """The association types from ``from_type`` to ``to_type`` and their limits.

        ``max_to_object_ids`` is ``None`` where no limit is configured.
        """
        return self._client._execute(ops.get_limits(from_type, to_type))

    def create(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[LimitLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[AssociationLimit]:
        """Set limits. Items: ``LimitInput``, ``{"category", "typeId", "maxToObjectIds"}``
        dicts or ``(category, type_id, max)`` tuples.

        A 207 answer returns a result whose ``failed`` lists the inputs HubSpot refused;
        call ``.raise_for_errors()`` to turn that into an exception.
        """
        return self._client._execute_batch(ops.create_limits(from_type, to_type, items, batch_size))

    def update(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[LimitLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[AssociationLimit]:
        """Change existing limits; items as for :meth:`create`."""
        return self._client._execute_batch(ops.update_limits(from_type, to_type, items, batch_size))

    def purge(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[SpecLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Any]:
        """Remove limits so the default applies again; no association is deleted.

        Items: ``AssociationSpec``, ``{"category", "typeId"}`` dicts or ``(category,
        type_id)`` tuples. HubSpot answers 204 (then every input is in ``succeeded``) or 200
        with a batch body; both give a :class:`BatchResult`.

        >>> client.limits.purge("contacts", "companies", [("USER_DEFINED", 279)]).ok
        True
        """
        return self._client._execute_batch(ops.purge_limits(from_type, to_type, items, batch_size))


class Labels:
    """Association labels: the named association types between two object types.

    Example::

        with Client() as client:
            created = client.labels.create("contacts", "companies", name="manager", label="Manager")
            client.labels.delete("contacts", "companies", created[0].type_id)
    """

    def __init__(self, client: Client) -> None:
        self._client = client

    def list(self, from_type: str, to_type: str) -> LabelList:
        """Every association type from ``from_type`` to ``to_type``, labelled or not."""
        return self._client._execute(ops.list_labels(from_type, to_type))

    def create(
        self,
        from_type: str,
        to_type: str,
        *,
        label: str,
        name: str,
        inverse_label: str | None = None,
    ) -> LabelList:
        """Create a USER_DEFINED label; with ``inverse_label`` both directions are returned."""
        return self._client._execute(
            ops.create_label(
                from_type, to_type, label=label, name=name, inverse_label=inverse_label
            )
        )

    def update(
        self,
        from_type: str,
        to_type: str,
        type_id: int,
        *,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        """Rename the label of association type ``type_id``."""
        self._client._execute(
            ops.update_label(from_type, to_type, type_id, label=label, inverse_label=inverse_label)
        )

    def delete(self, from_type: str, to_type: str, type_id: int) -> None:
        """Delete the USER_DEFINED association type ``type_id`` and its label."""
        self._client._execute(ops.delete_label(from_type, to_type, type_id))


class AsyncLimits:
    """The awaitable twin of :class:`Limits`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def list(self) -> LimitList:
        """Every association type in the portal that has a configured limit."""
        return await self._client._execute(ops.list_all_limits())

    async def get(self, from_type: str, to_type: str) -> LimitList:
        """The association types from ``from_type`` to ``to_type`` and their limits."""
        return await self._client._execute(ops.get_limits(from_type, to_type))

    async def create(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[LimitLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[AssociationLimit]:
        """Set limits; see :meth:`Limits.create`."""
        return await self._client._execute_batch(
            ops.create_limits(from_type, to_type, items, batch_size)
        )

    async def update(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[LimitLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[AssociationLimit]:
        """Change existing limits; see :meth:`Limits.update`."""
        return await self._client._execute_batch(
            ops.update_limits(from_type, to_type, items, batch_size)
        )

    async def purge(
        self,
        from_type: str,
        to_type: str,
        items: Iterable[SpecLike],
        *,
        batch_size: int = _BATCH,
    ) -> BatchResult[Any]:
        """Remove limits; see :meth:`Limits.purge`."""
        return await self._client._execute_batch(
            ops.purge_limits(from_type, to_type, items, batch_size)
        )


class AsyncLabels:
    """The awaitable twin of :class:`Labels`."""

    def __init__(self, client: AsyncClient) -> None:
        self._client = client

    async def list(self, from_type: str, to_type: str) -> LabelList:
        """Every association type from ``from_type`` to ``to_type``."""
        return await self._client._execute(ops.list_labels(from_type, to_type))

    async def create(
        self,
        from_type: str,
        to_type: str,
        *,
        label: str,
        name: str,
        inverse_label: str | None = None,
    ) -> LabelList:
        """Create a USER_DEFINED label; see :meth:`Labels.create`."""
        return await self._client._execute(
            ops.create_label(
                from_type, to_type, label=label, name=name, inverse_label=inverse_label
            )
        )

    async def update(
        self,
        from_type: str,
        to_type: str,
        type_id: int,
        *,
        label: str,
        inverse_label: str | None = None,
    ) -> None:
        """Rename a label; see :meth:`Labels.update`."""
        await self._client._execute(
            ops.update_label(from_type, to_type, type_id, label=label, inverse_label=inverse_label)
        )

    async def delete(self, from_type: str, to_type: str, type_id: int) -> None:
        """Delete a USER_DEFINED association type; see :meth:`Labels.delete`."""
        await self._client._execute(ops.delete_label(from_type, to_type, type_id))
