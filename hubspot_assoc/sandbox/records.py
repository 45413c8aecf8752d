"""Association records: which record is associated with which, by what types, and the ten routes.

The store keeps directed edges ``(from type, from id, to type) -> {to id: {(category, typeId)}}``
and writes both directions of every association, as HubSpot does: associating contact 1 with
company 2 by type 279 also associates company 2 with contact 1 by 280. The inverse of a
HUBSPOT_DEFINED type comes from a table of HubSpot's pairs; a USER_DEFINED label's inverse is the
other side of its definition (an unpaired label between records of one object type is its own
inverse).

The sandbox's rules where HubSpot documents little (HubSpot's answer bodies are followed where
they are published; the rest is a choice, written down here):

* Records: every id of decimal digits (no sign, no leading zero, at most 19 digits) names an
  existing record unless a test removed it with :meth:`RecordStore.delete_record`. A malformed id
  in a path or a batch input is a 400 VALIDATION_ERROR for the whole request (``code``
  INVALID_OBJECT_ID); a removed record is a 404 OBJECT_NOT_FOUND on the single routes and a
  per-input error in batches.
* Association limits configured with the limits API are enforced whenever an association type is
  added to a pair of records (single PUT, PUT default, batch create, batch associate default),
  in both directions: the forward type against the forward limit and its inverse against the
  reverse limit. HubSpot's changelog says such a call "fails with an error describing the limit"
  but quotes no body, so the sandbox answers as HubSpot answers other validation failures:
  category VALIDATION_ERROR, a message naming the record, the type and the limit, ``context``
  ``{"fromObjectId", "toObjectId", "associationCategory", "associationTypeId", "limit"}`` (lists
  of strings) and one ``errors`` item with ``code`` ASSOCIATION_LIMIT_EXCEEDED. A single PUT
  answers it as a 400; in a batch it is that input's ``errors`` item (207 for batch create, and
  inside the 200 of batch associate default, the only status HubSpot publishes for it). Adding a
  type a pair already has never counts against the limit; limits are not retroactive.
* An input is applied all or nothing: when one of its types is refused, none of them is added.
* PUT adds the given types to the pair (types already there stay). Adding a labelled type also
  adds the pair's unlabelled HUBSPOT_DEFINED type (as HubSpot does), so a limit on the
  unlabelled type caps every association of the pair.
* Batch read: an id without associations to the target type is a per-input error (category
  OBJECT_NOT_FOUND, as HubSpot reports it), so the answer is 207; each result lists at most
  :attr:`RecordStore.read_page_size` targets and carries ``paging.next.after`` when more remain.
* Listing orders targets by numeric id; ``after`` is an opaque cursor (base64 of the last id
  served), so a page boundary survives inserts and removals between calls. A cursor that does not
  decode is a 400.
* Dated paths (``/crm/associations/2026-03/...``) answer the batch archive routes as the 2026-03
  spec publishes (200 with a batch body); ``v4`` paths answer 204 without a body.
* Batch archive of labels with a type the pair does not have is a 400 for the whole request
  (its v4 answer, 204, has no room for per-input errors); archiving what is not there is a no-op.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote

from hubspot_assoc.sandbox.record_store import (
    ID_RE,
    MAX_PAGE,
    Key,
    RecordStore,
    decode_cursor,
)
from hubspot_assoc.sandbox.responses import (
    ApiError,
    MethodNotAllowed,
    detail,
    now_iso,
    standard_error,
    validation_error,
)
from hubspot_assoc.sandbox.state import (
    _SEED_ENGAGEMENTS,
    CATEGORIES,
    HUBSPOT_DEFINED,
    USER_DEFINED,
    AssocType,
    ObjectType,
    PortalState,
)

INT32_MAX = 2**31 - 1
_VERSION_RE = re.compile(r"^(v4|\d{4}-\d{2})$")
Answer = tuple[int, Any]
ScopeCheck = Callable[[list[str], bool], None]

# HubSpot's HUBSPOT_DEFINED types and their inverses (a type between records of one object type
# that is its own inverse maps to itself).
_PAIRS = (
    (279, 280),
    (1, 2),
    (3, 4),
    (341, 342),
    (5, 6),
    (13, 14),
    (15, 16),
    (339, 340),
    (26, 25),
    (27, 28),
    (449, 449),
    (450, 450),
    (451, 451),
    (452, 452),
)


def _inverse_table() -> dict[int, int]:
    table: dict[int, int] = {}
    pairs = list(_PAIRS)
    for _, records in _SEED_ENGAGEMENTS:
        pairs.extend(records.values())
    for a, b in pairs:
        table[a] = b
        table[b] = a
    return table


_HUBSPOT_INVERSE = _inverse_table()


def match_records_route(method: str, path: str) -> tuple[str, list[str]] | None:
    """The records route and its parameters for ``path``, or None when it is not a records path.

    Parameters start with the API version (``v4`` or ``YYYY-MM``). Raises the 405 answer when
    the path is a records path but the method is wrong.
    """
    parts = path.strip("/").split("/")
    if len(parts) < 4 or parts[0] != "crm":
        return None
    # /crm/v4/objects/..., /crm/v4/associations/..., /crm/objects/V/..., /crm/associations/V/...
    if parts[1] == "v4" and parts[2] in ("objects", "associations"):
        family, version, rest = parts[2], "v4", parts[3:]
    elif parts[1] in ("objects", "associations") and _VERSION_RE.match(parts[2]):
        family, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    rest = [unquote(p) for p in rest]
    if not all(rest):
        return None
    if family == "objects":
        # {type}/{id}/associations/{toType}[/{toId}] or {type}/{id}/associations/default/{t}/{id}
        if len(rest) < 4 or rest[2] != "associations":
            return None
        head = [version, rest[0], rest[1]]
        tail = rest[3:]
        if len(tail) == 1:
            return _allow(method, {"GET": "associations.list"}, head + tail)
        if len(tail) == 3 and tail[0] == "default":
            return _allow(method, {"PUT": "associations.create_default"}, head + tail[1:])
        if len(tail) == 2:
            verbs = {"PUT": "associations.create", "DELETE": "associations.remove"}
            return _allow(method, verbs, head + tail)
        return None
    if rest[0] == "usage" and len(rest) == 3 and rest[1] == "high-usage-report":
        return _allow(method, {"POST": "associations.usage_report"}, [version, rest[2]])
    if len(rest) >= 4 and rest[2] == "batch":
        kinds = {
            ("create",): "associations.batch_create",
            ("associate", "default"): "associations.batch_default",
            ("read",): "associations.batch_read",
            ("archive",): "associations.batch_archive",
            ("labels", "archive"): "associations.batch_archive_labels",
        }
        route = kinds.get(tuple(rest[3:]))
        if route is not None:
            return _allow(method, {"POST": route}, [version, rest[0], rest[1]])
    return None


def _allow(method: str, verbs: dict[str, str], params: list[str]) -> tuple[str, list[str]]:
    if method not in verbs:
        raise MethodNotAllowed(method, ", ".join(verbs))
    return verbs[method], params


def _timestamps() -> dict[str, str]:
    moment = now_iso()
    return {"requestedAt": moment, "startedAt": moment, "completedAt": moment}


def _bad_id(where: str, value: object) -> dict[str, Any]:
    return detail(
        f"{where} must be a record id of decimal digits, got {value!r}.",
        code="INVALID_OBJECT_ID",
        in_=where,
    )


def _as_id(value: object) -> str | None:
    """An id in its wire form; ints are accepted as HubSpot's own parser accepts them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value > 0:
        value = str(value)
    if isinstance(value, str) and ID_RE.match(value):
        return value
    return None


class _Inputs:
    """Reads batch inputs, collecting structural problems as ErrorDetail items."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def fail(self, item: dict[str, Any]) -> None:
        self.errors.append(item)

    def obj(self, value: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(detail(f"{where} must be a JSON object.", code="INVALID_TYPE", in_=where))
            return None
        return value

    def object_id(self, parent: dict[str, Any], key: str, where: str) -> str | None:
        """``parent[key]`` as ``{"id": "123"}``."""
        inner = parent.get(key)
        if inner is None:
            self.fail(detail(f"{where} is required.", code="REQUIRED", in_=where))
            return None
        inner_obj = self.obj(inner, where)
        if inner_obj is None:
            return None
        return self.bare_id(inner_obj, "id", f"{where}.id")

    def bare_id(self, parent: dict[str, Any], key: str, where: str) -> str | None:
        if parent.get(key) is None:
            self.fail(detail(f"{where} is required.", code="REQUIRED", in_=where))
            return None
        found = _as_id(parent[key])
        if found is None:
            self.fail(_bad_id(where, parent[key]))
        return found

    def specs(self, parent: dict[str, Any], key: str, where: str) -> list[Key] | None:
        """``parent[key]`` as a non-empty list of ``{associationCategory, associationTypeId}``."""
        raw = parent.get(key)
        if raw is None:
            self.fail(detail(f"{where} is required.", code="REQUIRED", in_=where))
            return None
        return self.spec_list(raw, where)

    def spec_list(self, raw: Any, where: str) -> list[Key] | None:
        if not isinstance(raw, list):
            self.fail(detail(f"{where} must be an array.", code="INVALID_TYPE", in_=where))
            return None
        if not raw:
            self.fail(detail(f"{where} must not be empty.", code="REQUIRED", in_=where))
            return None
        out: list[Key] = []
        ok = True
        for j, spec in enumerate(raw):
            at = f"{where}[{j}]"
            spec_obj = self.obj(spec, at)
            if spec_obj is None:
                ok = False
                continue
            category = spec_obj.get("associationCategory")
            type_id = spec_obj.get("associationTypeId")
            if not isinstance(category, str) or category not in CATEGORIES:
                self.fail(
                    detail(
                        f"{at}.associationCategory {category!r} is not one of "
                        f"{', '.join(CATEGORIES)}.",
                        code="INVALID_ENUM" if category is not None else "REQUIRED",
                        in_=f"{at}.associationCategory",
                    )
                )
                ok = False
            if (
                isinstance(type_id, bool)
                or not isinstance(type_id, int)
                or not 0 <= type_id <= INT32_MAX
            ):
                self.fail(
                    detail(
                        f"{at}.associationTypeId must be a 32-bit integer, got {type_id!r}.",
                        code="INVALID_INTEGER",
                        in_=f"{at}.associationTypeId",
                    )
                )
                ok = False
            if ok and isinstance(category, str) and isinstance(type_id, int):
                out.append((category, type_id))
        return out if ok else None

    def done(self) -> None:
        if self.errors:
            raise validation_error(self.errors)


class _Refusal(Exception):
    """One input refused: carries its batch ``StandardError`` and its single-route answer."""

    def __init__(
        self, status: int, category: str, message: str, context: dict[str, list[str]], code: str
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.context = context
        self.code = code

    def item(self) -> dict[str, Any]:
        return standard_error(
            self.category, self.message, self.context, [detail(self.message, code=self.code)]
        )

    def error(self) -> ApiError:
        return ApiError(
            self.status,
            self.category,
            self.message,
            context=self.context,
            errors=[detail(self.message, code=self.code)],
        )


class RecordOperations:
    """Runs the ten records routes over the portal state. The caller holds the lock."""

    def __init__(
        self,
        state: PortalState,
        store: RecordStore,
        resolve: Callable[[str], ObjectType],
        batch_inputs: Callable[[Any], list[Any]],
        pair_scopes: Callable[[ObjectType, ObjectType, str], list[str]],
    ) -> None:
        self.state = state
        self.store = store
        self.resolve = resolve
        self.batch_inputs = batch_inputs
        self.pair_scopes = pair_scopes

    def run(
        self,
        route: str,
        params: list[str],
        body: Any,
        query: dict[str, list[str]],
        check_scopes: ScopeCheck,
        *,
        dated: bool = False,
    ) -> Answer:
        """Run one records route; ``params[0]`` is the API version of the path, ``dated`` whether
        the answers take the dated versions' shapes (archives answered 200 with a body)."""
        if route == "associations.usage_report":
            read_any = [f"crm.objects.{o.scope_name}.read" for o in self.state.object_types()[:4]]
            check_scopes(read_any, True)
            return self._usage_report(params[1])
        if route in ("associations.list", "associations.create", "associations.remove") or (
            route == "associations.create_default"
        ):
            a, b = self.resolve(params[1]), self.resolve(params[3])
            access = "read" if route == "associations.list" else "write"
            check_scopes(self.pair_scopes(a, b, access), False)
            from_id = self._path_id(params[2], "objectId")
            if route == "associations.list":
                return self._list(a, from_id, b, query)
            to_id = self._path_id(params[4], "toObjectId")
            if route == "associations.create":
                return self._create(a, from_id, b, to_id, body)
            if route == "associations.create_default":
                return self._create_default(a, from_id, b, to_id)
            return self._remove(a, from_id, b, to_id)
        a, b = self.resolve(params[1]), self.resolve(params[2])
        reading = route == "associations.batch_read"
        check_scopes(self.pair_scopes(a, b, "read" if reading else "write"), False)
        if route == "associations.batch_create":
            return self._batch_create(a, b, body)
        if route == "associations.batch_default":
            return self._batch_default(a, b, body)
        if route == "associations.batch_read":
            return self._batch_read(a, b, body)
        if route == "associations.batch_archive":
            return self._batch_archive(a, b, body, dated=dated)
        if route == "associations.batch_archive_labels":
            return self._batch_archive_labels(a, b, body, dated=dated)
        raise AssertionError(f"unrouted {route}")

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _path_id(raw: str, name: str) -> str:
        found = _as_id(raw)
        if found is None:
            raise validation_error([_bad_id(name, raw)])
        return found

    def _must_exist(self, obj: ObjectType, record_id: str) -> None:
        if not self.store.exists(obj.id, record_id):
            raise _Refusal(
                404,
                "OBJECT_NOT_FOUND",
                f"No {obj.singular} with id {record_id} exists.",
                {"objectType": [obj.plural], "objectId": [record_id]},
                "OBJECT_NOT_FOUND",
            )

    def _assoc_type(self, a: ObjectType, b: ObjectType, key: Key) -> AssocType:
        assoc = self.state.find_type(a.id, b.id, *key)
        if assoc is None:
            raise _Refusal(
                400,
                "VALIDATION_ERROR",
                f"No association type {key[0]} {key[1]} exists from {a.plural} to {b.plural}.",
                {"associationCategory": [key[0]], "associationTypeId": [str(key[1])]},
                "INVALID_ASSOCIATION_TYPE",
            )
        return assoc

    def inverse(self, a: ObjectType, b: ObjectType, assoc: AssocType) -> Key | None:
        """The type the reverse direction (``b`` to ``a``) gets, or None when there is none."""
        if assoc.category == HUBSPOT_DEFINED:
            other = _HUBSPOT_INVERSE.get(assoc.type_id)
            if other is not None and self.state.find_type(b.id, a.id, HUBSPOT_DEFINED, other):
                return (HUBSPOT_DEFINED, other)
            return None
        if assoc.category == USER_DEFINED:
            partner = self.state.partner(assoc)
            if partner is not None and partner[0] == (b.id, a.id):
                return (USER_DEFINED, partner[1].type_id)
            if a.id == b.id and partner is None:
                return (USER_DEFINED, assoc.type_id)
            if partner is not None and a.id == b.id:
                return (USER_DEFINED, partner[1].type_id)
            return None
        if self.state.find_type(b.id, a.id, assoc.category, assoc.type_id) is not None:
            return (assoc.category, assoc.type_id)
        return None

    def _check_limit(
        self, a: ObjectType, fid: str, b: ObjectType, tid: str, key: Key, have: set[Key]
    ) -> None:
        if key in have:
            return  # already there: adding it again takes no room
        limit = self.state.limit(a.id, b.id, *key)
        if limit is None or self.store.count(a.id, fid, b.id, key) < limit:
            return
        many = b.plural if limit != 1 else b.singular
        message = (
            f"Association limit reached: {a.singular} {fid} already has {limit} {many} by "
            f"association type {key[0]} {key[1]}, the most its configured limit allows; "
            f"{b.singular} {tid} was not associated. Remove an association or raise the limit "
            "first."
        )
        raise _Refusal(
            400,
            "VALIDATION_ERROR",
            message,
            {
                "fromObjectId": [fid],
                "toObjectId": [tid],
                "associationCategory": [key[0]],
                "associationTypeId": [str(key[1])],
                "limit": [str(limit)],
            },
            "ASSOCIATION_LIMIT_EXCEEDED",
        )

    def _associate(
        self, a: ObjectType, fid: str, b: ObjectType, tid: str, keys: Iterable[Key]
    ) -> list[AssocType]:
        """Add ``keys`` to the pair, all or none; raises :class:`_Refusal` for the input."""
        self._must_exist(a, fid)
        self._must_exist(b, tid)
        wanted = list(dict.fromkeys(keys))
        default = self._default_or_none(a, b)
        # A labelled association always carries the pair's unlabelled type too, as in HubSpot;
        # it is what limits on the unlabelled type count.
        if (
            default is not None
            and default not in wanted
            and any(self._labelled(a, b, key) for key in wanted)
        ):
            wanted.insert(0, default)
        plan: list[tuple[AssocType, Key, Key | None]] = []
        for key in wanted:
            assoc = self._assoc_type(a, b, key)
            plan.append((assoc, key, self.inverse(a, b, assoc)))
        forward = self.store.targets(a.id, fid, b.id).get(tid, set())
        backward = self.store.targets(b.id, tid, a.id).get(fid, set())
        for _, key, inverse in plan:
            self._check_limit(a, fid, b, tid, key, forward)
            if inverse is not None:
                self._check_limit(b, tid, a, fid, inverse, backward)
        for _, key, inverse in plan:
            self.store.add(a.id, fid, b.id, tid, key, inverse)
        return [assoc for assoc, _, _ in plan]

    def _labelled(self, a: ObjectType, b: ObjectType, key: Key) -> bool:
        assoc = self.state.find_type(a.id, b.id, *key)
        return assoc is not None and assoc.label is not None

    def _default_or_none(self, a: ObjectType, b: ObjectType) -> Key | None:
        for assoc in self.state.types(a.id, b.id):
            if assoc.category == HUBSPOT_DEFINED and assoc.label is None:
                return (assoc.category, assoc.type_id)
        return None

    def _default_key(self, a: ObjectType, b: ObjectType) -> Key:
        found = self._default_or_none(a, b)
        if found is not None:
            return found
        raise _Refusal(
            400,
            "VALIDATION_ERROR",
            f"There is no default association type from {a.plural} to {b.plural}.",
            {"fromObjectType": [a.id], "toObjectType": [b.id]},
            "NO_DEFAULT_ASSOCIATION_TYPE",
        )

    def _labels_result(self, a: ObjectType, fid: str, b: ObjectType, tid: str) -> dict[str, Any]:
        keys = self.store.targets(a.id, fid, b.id).get(tid, set())
        labels = []
        for key in sorted(keys, key=lambda k: (k[0], k[1])):
            assoc = self.state.find_type(a.id, b.id, *key)
            if assoc is not None and assoc.label is not None:
                labels.append(assoc.label)
        return {
            "fromObjectTypeId": a.id,
            "fromObjectId": fid,
            "toObjectTypeId": b.id,
            "toObjectId": tid,
            "labels": labels,
        }

    def _type_json(self, a: ObjectType, b: ObjectType, key: Key) -> dict[str, Any]:
        assoc = self.state.find_type(a.id, b.id, *key)
        out: dict[str, Any] = {"category": key[0], "typeId": key[1]}
        if assoc is not None and assoc.label is not None:
            out["label"] = assoc.label
        return out

    def _targets_json(
        self, a: ObjectType, b: ObjectType, rows: list[tuple[str, set[Key]]]
    ) -> list[dict[str, Any]]:
        return [
            {
                "toObjectId": tid,
                "associationTypes": [
                    self._type_json(a, b, key) for key in sorted(keys, key=lambda k: (k[0], k[1]))
                ],
            }
            for tid, keys in rows
        ]

    # -- single routes ---------------------------------------------------------------------

    def _create(self, a: ObjectType, fid: str, b: ObjectType, tid: str, body: Any) -> Answer:
        from hubspot_assoc.sandbox.handlers import MISSING, Malformed

        reader = _Inputs()
        if body is MISSING:
            reader.fail(detail("A JSON array body is required.", code="REQUIRED", in_="body"))
        elif isinstance(body, Malformed):
            reader.fail(detail(body.message, code="INVALID_JSON", in_="body"))
        keys = None if reader.errors else reader.spec_list(body, "body")
        reader.done()
        assert keys is not None
        try:
            self._associate(a, fid, b, tid, keys)
        except _Refusal as refusal:
            raise refusal.error() from None
        return 201, self._labels_result(a, fid, b, tid)

    def _create_default(self, a: ObjectType, fid: str, b: ObjectType, tid: str) -> Answer:
        try:
            key = self._default_key(a, b)
            self._associate(a, fid, b, tid, [key])
        except _Refusal as refusal:
            raise refusal.error() from None
        result = {
            "from": {"id": fid},
            "to": {"id": tid},
            "associationSpec": {"associationCategory": key[0], "associationTypeId": key[1]},
        }
        return 200, {"status": "COMPLETE", "results": [result], **_timestamps()}

    def _remove(self, a: ObjectType, fid: str, b: ObjectType, tid: str) -> Answer:
        self.store.remove_pair(a.id, fid, b.id, tid)
        return 204, None

    def _list(self, a: ObjectType, fid: str, b: ObjectType, query: dict[str, list[str]]) -> Answer:
        raw_limit = (query.get("limit") or [str(MAX_PAGE)])[0]
        try:
            limit = int(raw_limit)
        except ValueError:
            limit = 0
        if limit < 1:
            raise validation_error(
                [
                    detail(
                        f"limit must be a positive integer, got {raw_limit!r}.",
                        code="INVALID_INTEGER",
                        in_="limit",
                    )
                ]
            )
        limit = min(limit, MAX_PAGE)
        after = self._cursor(query.get("after", [""])[0], "after")
        rows, next_after = self.store.page(a.id, fid, b.id, after, limit)
        out: dict[str, Any] = {"results": self._targets_json(a, b, rows)}
        if next_after is not None:
            out["paging"] = {"next": {"after": next_after}}
        return 200, out

    @staticmethod
    def _cursor(raw: str | None, where: str) -> int | None:
        if raw is None or raw == "":
            return None
        found = decode_cursor(raw)
        if found is None:
            raise validation_error(
                [
                    detail(
                        f"{where} {raw!r} is not a paging cursor this API issued; use the value "
                        "of paging.next.after from the previous page.",
                        code="INVALID_CURSOR",
                        in_=where,
                    )
                ]
            )
        return found

    def _usage_report(self, raw_user: str) -> Answer:
        try:
            user = int(raw_user)
        except ValueError:
            user = -1
        if not 1 <= user <= INT32_MAX:
            raise validation_error(
                [
                    detail(
                        f"userId must be a positive 32-bit integer, got {raw_user!r}.",
                        code="INVALID_INTEGER",
                        in_="userId",
                    )
                ]
            )
        return 200, {
            "userId": user,
            "userEmail": f"user{user}@sandbox.example",
            "enqueueTime": {
                "value": int(time.time() * 1000),
                "dateOnly": False,
                "timeZoneShift": 0,
            },
        }

    # -- batch routes ----------------------------------------------------------------------

    @staticmethod
    def _batch_answer(
        results: list[dict[str, Any]],
        errors: list[dict[str, Any]],
        ok_status: int,
        error_status: int,
    ) -> Answer:
        out: dict[str, Any] = {"status": "COMPLETE", "results": results, **_timestamps()}
        if errors:
            out["numErrors"] = len(errors)
            out["errors"] = errors
            return error_status, out
        return ok_status, out

    def _batch_create(self, a: ObjectType, b: ObjectType, body: Any) -> Answer:
        inputs = self.batch_inputs(body)
        reader = _Inputs()
        parsed: list[tuple[str, str, list[Key]]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = reader.obj(raw, where)
            if item is None:
                continue
            fid = reader.object_id(item, "from", f"{where}.from")
            tid = reader.object_id(item, "to", f"{where}.to")
            keys = reader.specs(item, "types", f"{where}.types")
            if fid is not None and tid is not None and keys is not None:
                parsed.append((fid, tid, keys))
        reader.done()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for fid, tid, keys in parsed:
            try:
                self._associate(a, fid, b, tid, keys)
            except _Refusal as refusal:
                errors.append(refusal.item())
                continue
            results.append(self._labels_result(a, fid, b, tid))
        return self._batch_answer(results, errors, 201, 207)

    def _batch_default(self, a: ObjectType, b: ObjectType, body: Any) -> Answer:
        inputs = self.batch_inputs(body)
        reader = _Inputs()
        parsed: list[tuple[str, str]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = reader.obj(raw, where)
            if item is None:
                continue
            fid = reader.object_id(item, "from", f"{where}.from")
            tid = reader.object_id(item, "to", f"{where}.to")
            if fid is not None and tid is not None:
                parsed.append((fid, tid))
        reader.done()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for fid, tid in parsed:
            try:
                key = self._default_key(a, b)
                self._associate(a, fid, b, tid, [key])
            except _Refusal as refusal:
                errors.append(refusal.item())
                continue
            results.append(
                {
                    "from": {"id": fid},
                    "to": {"id": tid},
                    "associationSpec": {"associationCategory": key[0], "associationTypeId": key[1]},
                }
            )
        # HubSpot publishes only 200 for this route, errors included in the body.
        return self._batch_answer(results, errors, 200, 200)

    def _batch_read(self, a: ObjectType, b: ObjectType, body: Any) -> Answer:
        inputs = self.batch_inputs(body)
        reader = _Inputs()
        parsed: list[tuple[str, int | None]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = reader.obj(raw, where)
            if item is None:
                continue
            fid = reader.bare_id(item, "id", f"{where}.id")
            raw_after = item.get("after")
            after: int | None = None
            if raw_after is not None and not isinstance(raw_after, str):
                reader.fail(
                    detail(
                        f"{where}.after must be a string.",
                        code="INVALID_TYPE",
                        in_=f"{where}.after",
                    )
                )
                continue
            if raw_after:
                after = decode_cursor(raw_after)
                if after is None:
                    reader.fail(
                        detail(
                            f"{where}.after {raw_after!r} is not a paging cursor this API issued.",
                            code="INVALID_CURSOR",
                            in_=f"{where}.after",
                        )
                    )
                    continue
            if fid is not None:
                parsed.append((fid, after))
        reader.done()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for fid, after in parsed:
            rows, next_after = self.store.page(a.id, fid, b.id, after, self.store.read_page_size)
            if not rows:
                message = f"No {b.plural} are associated with {a.singular} {fid}."
                errors.append(
                    standard_error(
                        "OBJECT_NOT_FOUND",
                        message,
                        {"fromObjectId": [fid]},
                        [detail(message, code="NO_ASSOCIATIONS_FOUND")],
                    )
                )
                continue
            result: dict[str, Any] = {"from": {"id": fid}, "to": self._targets_json(a, b, rows)}
            if next_after is not None:
                result["paging"] = {"next": {"after": next_after}}
            results.append(result)
        return self._batch_answer(results, errors, 200, 207)

    def _dated_answer(self, dated: bool) -> Answer:
        if not dated:
            return 204, None
        return 200, {"status": "COMPLETE", "results": [], **_timestamps()}

    def _batch_archive(self, a: ObjectType, b: ObjectType, body: Any, *, dated: bool) -> Answer:
        inputs = self.batch_inputs(body)
        reader = _Inputs()
        pairs: list[tuple[str, str]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = reader.obj(raw, where)
            if item is None:
                continue
            fid = reader.object_id(item, "from", f"{where}.from")
            targets = item.get("to")
            if not isinstance(targets, list):
                reader.fail(
                    detail(
                        f"{where}.to must be an array of {{id}} objects.",
                        code="REQUIRED" if targets is None else "INVALID_TYPE",
                        in_=f"{where}.to",
                    )
                )
                continue
            for j, target in enumerate(targets):
                target_obj = reader.obj(target, f"{where}.to[{j}]")
                if target_obj is None:
                    continue
                tid = reader.bare_id(target_obj, "id", f"{where}.to[{j}].id")
                if fid is not None and tid is not None:
                    pairs.append((fid, tid))
        reader.done()
        for fid, tid in pairs:
            self.store.remove_pair(a.id, fid, b.id, tid)
        return self._dated_answer(dated)

    def _batch_archive_labels(
        self, a: ObjectType, b: ObjectType, body: Any, *, dated: bool
    ) -> Answer:
        inputs = self.batch_inputs(body)
        reader = _Inputs()
        parsed: list[tuple[str, str, list[Key]]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = reader.obj(raw, where)
            if item is None:
                continue
            fid = reader.object_id(item, "from", f"{where}.from")
            tid = reader.object_id(item, "to", f"{where}.to")
            keys = reader.specs(item, "types", f"{where}.types")
            if keys is not None:
                for j, key in enumerate(keys):
                    if self.state.find_type(a.id, b.id, *key) is None:
                        reader.fail(
                            detail(
                                f"No association type {key[0]} {key[1]} exists from {a.plural} "
                                f"to {b.plural}.",
                                code="INVALID_ASSOCIATION_TYPE",
                                in_=f"{where}.types[{j}]",
                            )
                        )
            if fid is not None and tid is not None and keys is not None:
                parsed.append((fid, tid, keys))
        reader.done()
        for fid, tid, keys in parsed:
            for key in keys:
                assoc = self.state.find_type(a.id, b.id, *key)
                assert assoc is not None
                self.store.remove(a.id, fid, b.id, tid, key, self.inverse(a, b, assoc))
        return self._dated_answer(dated)
