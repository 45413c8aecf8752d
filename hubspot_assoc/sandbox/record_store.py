"""The association records of the sandbox portal, in both directions, with opaque paging cursors.

Kept apart from the routes (:mod:`hubspot_assoc.sandbox.records`) so that
:class:`~hubspot_assoc.sandbox.state.PortalState` can own a store without an import cycle.
Nothing here locks: the server holds one lock around every call.
"""

from __future__ import annotations

import base64
import binascii
import re

# The ten records routes, as the fault filters and the recorded requests name them.
RECORD_ROUTES = (
    "associations.create",
    "associations.create_default",
    "associations.remove",
    "associations.list",
    "associations.batch_create",
    "associations.batch_default",
    "associations.batch_read",
    "associations.batch_archive",
    "associations.batch_archive_labels",
    "associations.usage_report",
)

MAX_PAGE = 500
ID_RE = re.compile(r"^[1-9][0-9]{0,18}$")
_CURSOR_PREFIX = "sbx1:"

Key = tuple[str, int]  # (category, typeId)


def encode_cursor(last_id: str) -> str:
    """The opaque ``after`` cursor that resumes after ``last_id``."""
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + last_id).encode()).decode().rstrip("=")


def decode_cursor(after: str) -> int | None:
    """The numeric id a cursor resumes after, or None when it is not a cursor of ours."""
    try:
        text = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode()
    except (binascii.Error, ValueError):
        return None
    if not text.startswith(_CURSOR_PREFIX) or not ID_RE.match(text[len(_CURSOR_PREFIX) :]):
        return None
    return int(text[len(_CURSOR_PREFIX) :])


class RecordStore:
    """The portal's association records (both directions). The server holds the lock.

    Inspect it from tests: ``sb.state.records.targets("0-1", "1", "0-2")`` is
    ``{"2": {("HUBSPOT_DEFINED", 279)}}`` once contact 1 is associated with company 2.
    """

    def __init__(self) -> None:
        self._edges: dict[tuple[str, str, str], dict[str, set[Key]]] = {}
        self._counts: dict[tuple[str, str, str, str, int], int] = {}
        self._deleted: set[tuple[str, str]] = set()
        self.read_page_size = MAX_PAGE
        """Most targets one batch read result lists before it pages (HubSpot's own is larger)."""

    def reset(self) -> None:
        """Forget every association and deleted record; page size back to the default."""
        self._edges.clear()
        self._counts.clear()
        self._deleted.clear()
        self.read_page_size = MAX_PAGE

    # -- records ---------------------------------------------------------------------------

    def exists(self, type_id: str, record_id: str) -> bool:
        """Whether the record exists (every well-formed id does unless deleted)."""
        return (type_id, record_id) not in self._deleted

    def delete_record(self, type_id: str, record_id: str) -> None:
        """Make a record not exist (test setup); its associations go with it, both ways."""
        self._deleted.add((type_id, record_id))
        for (f, fid, t), targets in list(self._edges.items()):
            if (f, fid) == (type_id, record_id):
                for to_id in list(targets):
                    self.remove_pair(f, fid, t, to_id)

    def restore_record(self, type_id: str, record_id: str) -> None:
        """Undo :meth:`delete_record` (the record exists again, without associations)."""
        self._deleted.discard((type_id, record_id))

    # -- reading ---------------------------------------------------------------------------

    def targets(self, from_type: str, from_id: str, to_type: str) -> dict[str, set[Key]]:
        """``{to id: {(category, typeId)}}`` of one record towards one object type (a copy)."""
        return {k: set(v) for k, v in self._edges.get((from_type, from_id, to_type), {}).items()}

    def count(self, from_type: str, from_id: str, to_type: str, key: Key) -> int:
        """How many records of ``to_type`` the record is associated with by type ``key``."""
        return self._counts.get((from_type, from_id, to_type, *key), 0)

    def page(
        self, from_type: str, from_id: str, to_type: str, after: int | None, limit: int
    ) -> tuple[list[tuple[str, set[Key]]], str | None]:
        """One page of targets in numeric order after ``after``, and the next cursor if any."""
        edges = self._edges.get((from_type, from_id, to_type), {})
        ids = sorted((int(k) for k in edges), reverse=False)
        if after is not None:
            ids = [i for i in ids if i > after]
        chosen = ids[:limit]
        rows = [(str(i), set(edges[str(i)])) for i in chosen]
        more = len(ids) > limit
        return rows, (encode_cursor(rows[-1][0]) if more and rows else None)

    # -- writing ---------------------------------------------------------------------------

    def _add_one(self, f: str, fid: str, t: str, tid: str, key: Key) -> None:
        types = self._edges.setdefault((f, fid, t), {}).setdefault(tid, set())
        if key not in types:
            types.add(key)
            counter = (f, fid, t, *key)
            self._counts[counter] = self._counts.get(counter, 0) + 1

    def _remove_one(self, f: str, fid: str, t: str, tid: str, key: Key) -> None:
        targets = self._edges.get((f, fid, t))
        if targets is None or key not in targets.get(tid, ()):
            return
        targets[tid].discard(key)
        counter = (f, fid, t, *key)
        self._counts[counter] -= 1
        if not self._counts[counter]:
            del self._counts[counter]
        if not targets[tid]:
            del targets[tid]
        if not targets:
            del self._edges[(f, fid, t)]

    def add(self, f: str, fid: str, t: str, tid: str, key: Key, inverse: Key | None) -> None:
        """Associate by ``key`` and, when it has one, the reverse direction by ``inverse``."""
        self._add_one(f, fid, t, tid, key)
        if inverse is not None:
            self._add_one(t, tid, f, fid, inverse)

    def remove(self, f: str, fid: str, t: str, tid: str, key: Key, inverse: Key | None) -> None:
        """Remove one type (and its inverse) from a pair; a no-op when it is not there."""
        self._remove_one(f, fid, t, tid, key)
        if inverse is not None:
            self._remove_one(t, tid, f, fid, inverse)

    def remove_pair(self, f: str, fid: str, t: str, tid: str) -> None:
        """Remove every association between two records, in both directions."""
        for key in list(self._edges.get((f, fid, t), {}).get(tid, ())):
            self._remove_one(f, fid, t, tid, key)
        for key in list(self._edges.get((t, tid, f), {}).get(fid, ())):
            self._remove_one(t, tid, f, fid, key)

    def total(self) -> int:
        """How many (record, record, type) associations exist, counting each direction."""
        return sum(self._counts.values())
