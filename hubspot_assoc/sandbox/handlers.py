"""The operations: one function per route, over :class:`PortalState`, answering HubSpot's shapes.

Validation policy (HubSpot documents little of this; these are the sandbox's rules):

* Structural problems fail the whole request with 400 VALIDATION_ERROR and change nothing:
  malformed JSON, a missing body or field, a wrong JSON type (``code`` INVALID_INTEGER,
  INVALID_TYPE, REQUIRED), a category outside HUBSPOT_DEFINED / INTEGRATOR_DEFINED /
  USER_DEFINED / WORK (INVALID_ENUM), ``maxToObjectIds`` outside 1..10,000 (OUT_OF_RANGE), an
  empty ``inputs`` list or more than ``max_batch_size`` inputs. ``in`` names the field, e.g.
  ``inputs[2].typeId``.
* Batch create/update: an input whose association type does not exist for the pair fails alone
  (207, ``errors`` item with ``context`` ``{"category": [...], "typeId": [...]}``); the others are
  applied. Create and update both set the value, whether or not a limit was configured before.
* Purge: every input's type must exist for the pair, else 400 and nothing is purged. Purging a
  type without a configured limit is fine (idempotent).
* Labels: ``name`` must be letters, digits and underscores, not start with a digit and not
  contain hyphens (400 INVALID_NAME); at most 10 user-defined labels per pair of object types
  (400 LABEL_LIMIT_REACHED); a name already used between the pair is 409 CONFLICT. Renaming or
  deleting a HUBSPOT_DEFINED type, or an unknown type id, is 400. Deleting one side of a
  label deletes the whole label (both directions) and any limits configured on it.

Successful answers take the statuses and shapes of the published version being emulated
(:mod:`hubspot_assoc.sandbox.versions` has the table); validation and errors do not differ.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from hubspot_assoc.sandbox.records import RecordOperations
from hubspot_assoc.sandbox.responses import (
    ApiError,
    detail,
    now_iso,
    standard_error,
    validation_error,
)
from hubspot_assoc.sandbox.state import (
    CATEGORIES,
    MAX_LABELS_PER_PAIR,
    STANDARD_OBJECTS,
    USER_DEFINED,
    ObjectType,
    PortalState,
    label_name_problem,
)
from hubspot_assoc.sandbox.versions import (
    AUTO,
    V4,
    Emulation,
    check_emulate,
    emulation,
    is_dated,
)

MAX_LIMIT = 10_000
INT32 = (-(2**31), 2**31 - 1)

MISSING: Any = object()

JSONBody = Any
Answer = tuple[int, Any]
ScopeCheck = Callable[[list[str], bool], None]


class Malformed:
    """A request body that is not valid JSON."""

    def __init__(self, message: str) -> None:
        self.message = message


def parse_body(raw: bytes) -> JSONBody:
    """The JSON value of a body, :data:`MISSING` when empty, or a :class:`Malformed`."""
    if not raw:
        return MISSING
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return Malformed(f"Invalid input JSON: {exc}")
    except RecursionError:
        return Malformed("Invalid input JSON: nested too deeply.")


class _Checker:
    """Collects ErrorDetail items while reading fields of a JSON object."""

    def __init__(self) -> None:
        self.errors: list[dict[str, Any]] = []

    def fail(self, where: str, code: str, message: str) -> None:
        self.errors.append(detail(message, code=code, in_=where))

    def int32(self, obj: dict[str, Any], key: str, where: str) -> int | None:
        if key not in obj or obj[key] is None:
            self.fail(where, "REQUIRED", f"{where} is required.")
            return None
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, "INVALID_INTEGER", f"{where} must be an integer, got {value!r}.")
            return None
        if not INT32[0] <= value <= INT32[1]:
            self.fail(where, "INVALID_INTEGER", f"{where} {value} does not fit in 32 bits.")
            return None
        return value

    def string(self, obj: dict[str, Any], key: str, where: str, *, required: bool) -> str | None:
        value = obj.get(key)
        if value is None:
            if required:
                self.fail(where, "REQUIRED", f"{where} is required.")
            return None
        if not isinstance(value, str):
            self.fail(where, "INVALID_TYPE", f"{where} must be a string, got {value!r}.")
            return None
        if required and not value.strip():
            self.fail(where, "REQUIRED", f"{where} must not be empty.")
            return None
        return value

    def category(self, obj: dict[str, Any], where: str) -> str | None:
        value = self.string(obj, "category", where, required=True)
        if value is not None and value not in CATEGORIES:
            self.fail(
                where,
                "INVALID_ENUM",
                f"{where} {value!r} is not one of {', '.join(CATEGORIES)}.",
            )
            return None
        return value

    def done(self) -> None:
        if self.errors:
            raise validation_error(self.errors)


def _object(body: JSONBody) -> dict[str, Any]:
    if body is MISSING:
        raise validation_error(
            [detail("A JSON request body is required.", code="REQUIRED", in_="body")]
        )
    if isinstance(body, Malformed):
        raise validation_error([detail(body.message, code="INVALID_JSON", in_="body")])
    if not isinstance(body, dict):
        raise validation_error(
            [detail("The request body must be a JSON object.", code="INVALID_TYPE", in_="body")]
        )
    return body


def _batch_inputs(body: JSONBody, max_batch: int) -> list[Any]:
    obj = _object(body)
    inputs = obj.get("inputs")
    if inputs is None:
        raise validation_error([detail("inputs is required.", code="REQUIRED", in_="inputs")])
    if not isinstance(inputs, list):
        raise validation_error(
            [detail("inputs must be an array.", code="INVALID_TYPE", in_="inputs")]
        )
    if not inputs:
        raise validation_error(
            [detail("inputs must contain at least one item.", code="REQUIRED", in_="inputs")]
        )
    if len(inputs) > max_batch:
        raise validation_error(
            [
                detail(
                    f"inputs may contain at most {max_batch} items, got {len(inputs)}.",
                    code="TOO_MANY_INPUTS",
                    in_="inputs",
                )
            ]
        )
    return inputs


def _item(check: _Checker, item: Any, where: str) -> dict[str, Any] | None:
    if not isinstance(item, dict):
        check.fail(where, "INVALID_TYPE", f"{where} must be a JSON object.")
        return None
    return item


def _labels(labels: list[dict[str, Any]], shapes: Emulation) -> list[dict[str, Any]]:
    """Labels as the emulated version shapes them (older ones name no object type ids)."""
    if shapes.label_object_type_ids:
        return labels
    hidden = ("fromObjectTypeId", "toObjectTypeId")
    return [{k: v for k, v in label.items() if k not in hidden} for label in labels]


def _timestamps() -> dict[str, str]:
    moment = now_iso()
    return {"requestedAt": moment, "startedAt": moment, "completedAt": moment}


class Operations:
    """Runs one routed operation. The caller holds the state lock."""

    def __init__(
        self, state: PortalState, *, emulate: str = AUTO, max_batch_size: int = 100
    ) -> None:
        self.state = state
        self.emulate = check_emulate(emulate)
        self.max_batch_size = max_batch_size
        self.records = RecordOperations(
            state,
            state.records,
            self.resolve,
            lambda body: _batch_inputs(body, self.max_batch_size),
            self.pair_scopes,
        )

    def emulating(self, path_version: str) -> str:
        """The published version that answers a request made under ``path_version``."""
        return emulation(self.emulate, path_version).name

    def resolve(self, name: str) -> ObjectType:
        """The object type named in the path, or the 404 HubSpot answers."""
        obj = self.state.resolve(name)
        if obj is None:
            raise ApiError(
                404,
                "OBJECT_NOT_FOUND",
                f"Unable to infer object type from: {name}",
                context={"objectType": [name]},
            )
        return obj

    @staticmethod
    def pair_scopes(a: ObjectType, b: ObjectType, access: str) -> list[str]:
        """The scopes an operation on the pair needs (``access`` is read or write)."""
        scopes = [f"crm.objects.{a.scope_name}.{access}"]
        other = f"crm.objects.{b.scope_name}.{access}"
        if other not in scopes:
            scopes.append(other)
        return scopes

    def run(
        self,
        route: str,
        params: list[str],
        body: JSONBody,
        check_scopes: ScopeCheck,
        version: str | None = V4,
    ) -> Answer:
        """Run ``route`` with path ``params``, answering as the version emulated for the path's
        ``version``; returns ``(status, JSON body or None)``.

        Records routes (``associations.*``) carry the raw query string as their last parameter.
        """
        shapes = emulation(self.emulate, version or V4)
        if route.startswith("associations."):
            query = parse_qs(params[-1]) if params[-1] else {}
            # The dated versions answer the records archives with a batch body, v4 with 204.
            dated = is_dated(shapes.name)
            return self.records.run(route, params[:-1], body, query, check_scopes, dated=dated)
        if route == "limits.list_all":
            read_any = [f"crm.objects.{o.scope_name}.read" for o in STANDARD_OBJECTS[:4]]
            check_scopes(read_any, True)
            return 200, {"results": self.state.all_configurations()}
        a, b = self.resolve(params[0]), self.resolve(params[1])
        reading = route.endswith(".list")
        check_scopes(self.pair_scopes(a, b, "read" if reading else "write"), False)
        if route == "limits.list":
            return 200, {"results": self.state.pair_configurations(a.id, b.id)}
        if route == "limits.create":
            return self._set_limits(a, b, body, shapes, create=True)
        if route == "limits.update":
            return self._set_limits(a, b, body, shapes, create=False)
        if route == "limits.purge":
            return self._purge(a, b, body, shapes)
        if route == "labels.list":
            labels = [t.as_label(a.id, b.id) for t in self.state.types(a.id, b.id)]
            return 200, {"results": _labels(labels, shapes)}
        if route == "labels.create":
            status, created = self._create_label(a, b, body)
            return status, {"results": _labels(created["results"], shapes)}
        if route == "labels.update":
            return self._update_label(a, b, body)
        if route == "labels.delete":
            return self._delete_label(a, b, params[2])
        raise AssertionError(f"unrouted {route}")

    # -- limits ----------------------------------------------------------------------------

    def _set_limits(
        self, a: ObjectType, b: ObjectType, body: JSONBody, shapes: Emulation, *, create: bool
    ) -> Answer:
        inputs = _batch_inputs(body, self.max_batch_size)
        check = _Checker()
        parsed: list[tuple[int, str, int, int]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = _item(check, raw, where)
            if item is None:
                continue
            category = check.category(item, f"{where}.category")
            type_id = check.int32(item, "typeId", f"{where}.typeId")
            value = check.int32(item, "maxToObjectIds", f"{where}.maxToObjectIds")
            if value is not None and not 1 <= value <= MAX_LIMIT:
                check.fail(
                    f"{where}.maxToObjectIds",
                    "OUT_OF_RANGE",
                    f"{where}.maxToObjectIds must be between 1 and {MAX_LIMIT}, got {value}.",
                )
                value = None
            if category is not None and type_id is not None and value is not None:
                parsed.append((i, category, type_id, value))
        check.done()
        stamps = _timestamps()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for i, category, type_id, value in parsed:
            assoc = self.state.find_type(a.id, b.id, category, type_id)
            if assoc is None:
                message = (
                    f"No association type {category} {type_id} exists from {a.plural} "
                    f"to {b.plural}."
                )
                errors.append(
                    standard_error(
                        "VALIDATION_ERROR",
                        message,
                        {"category": [category], "typeId": [str(type_id)]},
                        [
                            detail(
                                message, code="INVALID_ASSOCIATION_TYPE", in_=f"inputs[{i}].typeId"
                            )
                        ],
                    )
                )
                continue
            self.state.put_limit(a.id, b.id, category, type_id, value)
            if create:
                results.append(self.state.configuration(a.id, b.id, assoc))
            else:
                results.append(
                    {"category": category, "typeId": type_id, "userEnforcedMaxToObjectIds": value}
                )
        out: dict[str, Any] = {"status": "COMPLETE", "results": results, **stamps}
        if errors:
            out["numErrors"] = len(errors)
            out["errors"] = errors
            return shapes.partial_status, out
        return (shapes.create_status if create else 200), out

    def _purge(self, a: ObjectType, b: ObjectType, body: JSONBody, shapes: Emulation) -> Answer:
        inputs = _batch_inputs(body, self.max_batch_size)
        check = _Checker()
        parsed: list[tuple[str, int]] = []
        for i, raw in enumerate(inputs):
            where = f"inputs[{i}]"
            item = _item(check, raw, where)
            if item is None:
                continue
            category = check.category(item, f"{where}.category")
            type_id = check.int32(item, "typeId", f"{where}.typeId")
            if category is None or type_id is None:
                continue
            if self.state.find_type(a.id, b.id, category, type_id) is None:
                check.fail(
                    f"{where}.typeId",
                    "INVALID_ASSOCIATION_TYPE",
                    f"No association type {category} {type_id} exists from {a.plural} "
                    f"to {b.plural}.",
                )
                continue
            parsed.append((category, type_id))
        check.done()
        for category, type_id in parsed:
            self.state.purge_limit(a.id, b.id, category, type_id)
        if not shapes.purge_body:
            return 204, None
        return 200, {
            "status": "COMPLETE",
            "results": [{} for _ in parsed],
            "errors": [],
            "numErrors": 0,
            "links": {},
            **_timestamps(),
        }

    # -- labels ----------------------------------------------------------------------------

    def _create_label(self, a: ObjectType, b: ObjectType, body: JSONBody) -> Answer:
        obj = _object(body)
        check = _Checker()
        name = check.string(obj, "name", "name", required=True)
        label = check.string(obj, "label", "label", required=True)
        inverse = check.string(obj, "inverseLabel", "inverseLabel", required=False)
        if name is not None:
            problem = label_name_problem(name)
            if problem is not None:
                check.fail("name", "INVALID_NAME", problem)
                name = None
        check.done()
        assert name is not None and label is not None
        if self.state.user_label_count(a.id, b.id) >= MAX_LABELS_PER_PAIR:
            raise validation_error(
                [
                    detail(
                        f"There are already {MAX_LABELS_PER_PAIR} association labels between "
                        f"{a.plural} and {b.plural}; delete one first.",
                        code="LABEL_LIMIT_REACHED",
                        in_="name",
                    )
                ]
            )
        if self.state.has_label_name(a.id, b.id, name):
            raise ApiError(
                409,
                "CONFLICT",
                f"An association label named {name!r} already exists between {a.plural} "
                f"and {b.plural}.",
                context={"name": [name]},
            )
        return 200, {"results": self.state.create_label(a.id, b.id, name, label, inverse)}

    def _user_type(self, a: ObjectType, b: ObjectType, type_id: int, verb: str) -> Any:
        assoc = self.state.find_by_id(a.id, b.id, type_id)
        if assoc is None:
            raise validation_error(
                [
                    detail(
                        f"No association type {type_id} exists from {a.plural} to {b.plural}.",
                        code="INVALID_ASSOCIATION_TYPE",
                        in_="associationTypeId",
                    )
                ]
            )
        if assoc.category != USER_DEFINED:
            raise validation_error(
                [
                    detail(
                        f"Association type {type_id} is {assoc.category}; only USER_DEFINED "
                        f"types can be {verb}.",
                        code="NOT_USER_DEFINED",
                        in_="associationTypeId",
                    )
                ]
            )
        return assoc

    def _update_label(self, a: ObjectType, b: ObjectType, body: JSONBody) -> Answer:
        obj = _object(body)
        check = _Checker()
        type_id = check.int32(obj, "associationTypeId", "associationTypeId")
        label = check.string(obj, "label", "label", required=True)
        inverse = check.string(obj, "inverseLabel", "inverseLabel", required=False)
        check.done()
        assert type_id is not None and label is not None
        assoc = self._user_type(a, b, type_id, "renamed")
        partner = self.state.partner(assoc)
        paired = self.state.is_paired(assoc)
        if inverse is not None and not paired:
            raise validation_error(
                [
                    detail(
                        f"Association type {type_id} has no inverse label; omit inverseLabel.",
                        code="NOT_PAIRED",
                        in_="inverseLabel",
                    )
                ]
            )
        assoc.label = label
        if partner is not None:
            if paired and inverse is not None:
                partner[1].label = inverse
            elif not paired:
                partner[1].label = label
        return 204, None

    def _delete_label(self, a: ObjectType, b: ObjectType, raw_id: str) -> Answer:
        # int() also reads "1_000", " 10", "+10" and non-ASCII digits; HubSpot reads ASCII only.
        ascii_int = raw_id.isascii() and raw_id.removeprefix("-").isdigit()
        try:
            if not ascii_int:
                raise ValueError(raw_id)
            type_id = int(raw_id)
        except ValueError:
            raise validation_error(
                [
                    detail(
                        f"associationTypeId must be an integer, got {raw_id!r}.",
                        code="INVALID_INTEGER",
                        in_="associationTypeId",
                    )
                ]
            ) from None
        assoc = self._user_type(a, b, type_id, "deleted")
        self.state.delete_definition(assoc)
        return 204, None
