"""Input checks run before any request is sent.

Each function returns the value normalised to what HubSpot expects, or raises
:class:`~hubspot_assoc.errors.InvalidInputError` (also a ``ValueError``) naming the
argument (with the index for list items, e.g. ``items[3].type_id``), the bad value and
what is allowed. Nothing here talks to the network.

Rules that go beyond HubSpot's documentation, and why:

* Type ids and limits must be real ``int`` values (not ``bool``, ``float`` or numeric
  strings): a float or string type id is nearly always a parsing bug upstream, and
  HubSpot's int32 fields cap them at 2,147,483,647.
* Batch items may be model objects, dicts using HubSpot's JSON names (``typeId``) or the
  Python names (``type_id``), or tuples; unknown dict keys are rejected (a typo such as
  ``typeID`` must not silently drop a field), and so are duplicate association types
  (HubSpot's answer could not say which of two identical inputs failed).
* An item may also be written as text, as the CLI takes it: ``"USER_DEFINED:279"`` to purge,
  ``"USER_DEFINED:279=5"`` to create or update a limit (ASCII digits only).
* An empty list of items is valid and means "nothing to do"; a single item passed where a
  list is expected, a ``str`` or a ``dict`` is rejected.

Example::

    >>> association_specs([("user_defined", 279), {"category": "USER_DEFINED", "typeId": 1}])
    [AssociationSpec(category=<Category.USER_DEFINED: 'USER_DEFINED'>, type_id=279), \
AssociationSpec(category=<Category.USER_DEFINED: 'USER_DEFINED'>, type_id=1)]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias, TypeVar

import attrs

from hubspot_assoc._constants import INT32_MAX
from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.models import (
    AssociationLabel,
    AssociationLimit,
    AssociationSpec,
    Category,
    LimitInput,
)

__all__ = [
    "INT32_MAX",
    "association_specs",
    "label_name",
    "label_text",
    "limit_inputs",
    "max_to_object_ids",
    "object_type",
    "optional_label_text",
    "type_id",
]

_MAX_OBJECT_TYPE_LENGTH = 100


# Control characters (tab, newline, NEL, DEL...), line and paragraph separators, and lone
# surrogates (not encodable as UTF-8). Format characters (category Cf) are allowed: the
# zero-width joiner builds emoji such as "👨\u200d💻", the zero-width non-joiner is part of
# Persian and Indic spelling, the soft hyphen marks where a word may break.
_REFUSED_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})


def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in text)


def object_type(argument: str, value: object) -> str:
    """An object type name or id (``contacts``, ``0-1``, ``2-12345``, ``p123_cars``).

    Returns it stripped of surrounding whitespace. Rejects non-strings, empty strings,
    ``/``, ``?``, ``#``, whitespace or unprintable characters inside, ``.``/``..`` and
    names over 100 characters: these would change which URL is called (quoting the rest
    is the client core's job).

    >>> object_type("from_object_type", " contacts ")
    'contacts'
    """
    allowed = "an object type name or id such as 'contacts', '0-1' or '2-12345'"
    if not isinstance(value, str):
        raise InvalidInputError(argument, value, allowed, hint="pass a str")
    text = value.strip()
    if not text:
        raise InvalidInputError(argument, value, allowed, hint="it is empty")
    bad = sorted({ch for ch in text if ch in "/?#"})
    if bad:
        raise InvalidInputError(
            argument, value, allowed, hint=f"it must not contain {' or '.join(map(repr, bad))}"
        )
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise InvalidInputError(
            argument, value, allowed, hint="it must not contain spaces or control characters"
        )
    if text in {".", ".."} or len(text) > _MAX_OBJECT_TYPE_LENGTH:
        raise InvalidInputError(argument, value, allowed)
    return text


def _positive_int32(argument: str, value: object, allowed: str, example: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        hint = None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            hint = f"pass an int, e.g. {int(value.strip())}, not a str"
        elif isinstance(value, float) and value.is_integer():
            hint = f"pass an int, e.g. {int(value)}, not a float"
        elif isinstance(value, bool):
            hint = "a bool is not a number here"
        elif value is None:
            hint = f"it is required, e.g. {example}"
        raise InvalidInputError(argument, value, allowed, hint=hint)
    if value < 1:
        raise InvalidInputError(argument, value, allowed, hint="it must be 1 or more")
    if value > INT32_MAX:
        raise InvalidInputError(
            argument, value, allowed, hint="HubSpot stores it as a 32-bit integer"
        )
    return value


def type_id(argument: str, value: object) -> int:
    """An association type id: an ``int`` from 1 to 2,147,483,647.

    >>> type_id("type_id", 279)
    279
    """
    return _positive_int32(argument, value, f"an int from 1 to {INT32_MAX:,} (e.g. 279)", 279)


def max_to_object_ids(argument: str, value: object) -> int:
    """A limit: an ``int`` from 1 to 2,147,483,647.

    HubSpot's UI offers up to 10,000; larger values are passed through for HubSpot to
    decide rather than guessed at here.

    >>> max_to_object_ids("max_to_object_ids", 5)
    5
    """
    return _positive_int32(argument, value, f"an int from 1 to {INT32_MAX:,} (e.g. 5)", 5)


# --------------------------------------------------------------------------- batch items

T = TypeVar("T", AssociationSpec, LimitInput)

_CATEGORY_KEYS = ("category",)
_TYPE_ID_KEYS = ("typeId", "type_id")
_MAX_KEYS = ("maxToObjectIds", "max_to_object_ids")

_Check: TypeAlias = Callable[[str, object], object]


@attrs.frozen
class _Shape:
    """How one kind of batch item is written: its fields, accepted keys and examples."""

    fields: tuple[tuple[str, tuple[str, ...], _Check], ...]
    tuple_example: str
    dict_example: str

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for _, keys, _ in self.fields for k in keys)


def _item_list(items: object, argument: str, shape: _Shape) -> list[object]:
    """*items* as a list, rejecting a lone item, a str or a mapping."""
    allowed = f"a list of items such as [{shape.tuple_example}]"
    what = "list of items"
    if isinstance(items, str) and _ITEM_TEXT.fullmatch(items):
        hint = f"this looks like one item; wrap it in a list: [{items!r}]"
        raise InvalidInputError(argument, items, allowed, what=what, hint=hint)
    if isinstance(items, str | bytes | bytearray):
        raise InvalidInputError(argument, items, allowed, what=what, hint="a str is not a list")
    lone = isinstance(
        items, Mapping | AssociationSpec | LimitInput | AssociationLimit | AssociationLabel
    )
    # ("USER_DEFINED", 279) is one item, not a list of two; ["USER_DEFINED:279"] is a list.
    lone = lone or (
        isinstance(items, tuple | list)
        and len(items) in (2, 3)
        and isinstance(items[0], str | Category)
        and ":" not in items[0]
        and not isinstance(items[1], str)
    )
    if lone:
        hint = "this looks like one item; wrap it in a list"
        raise InvalidInputError(argument, items, allowed, what=what, hint=hint)
    if not isinstance(items, Iterable):
        raise InvalidInputError(argument, items, allowed, what=what)
    return list(items)


def _check_keys(entry: Mapping[Any, Any], where: str, shape: _Shape) -> None:
    known = shape.keys
    # First spelling wins, so a near miss such as "typeID" suggests HubSpot's "typeId".
    by_letters = {k.lower().replace("_", ""): k for k in reversed(known)}
    aliases = {"associationtypeid": "typeId", "associationcategory": "category"}
    for key in entry:
        if key in known:
            continue
        letters = str(key).lower().replace("_", "")
        guess = by_letters.get(letters) or aliases.get(letters)
        raise InvalidInputError(
            f"{where}[{key!r}]",
            key,
            f"only the keys {', '.join(map(repr, known))}, e.g. {shape.dict_example}",
            hint=f"did you mean {guess!r}?" if guess else None,
        )


def _pick(entry: Mapping[Any, Any], where: str, names: tuple[str, ...], shape: _Shape) -> str:
    """The one key of *names* present in *entry*."""
    present = [n for n in names if n in entry]
    if not present:
        hint = f"the key {names[0]!r} is missing"
        raise InvalidInputError(where, entry, f"a dict such as {shape.dict_example}", hint=hint)
    if len(present) > 1:
        raise InvalidInputError(
            where, entry, f"only one of {' or '.join(map(repr, present))}", hint="remove one"
        )
    return present[0]


def _parse_items(
    items: object,
    argument: str,
    shape: _Shape,
    build: Callable[..., T],
    from_object: Callable[[object, str], tuple[object, ...] | None],
) -> list[T]:
    """Shared reader for batch items given as objects, dicts or tuples."""
    parsed: list[T] = []
    seen: dict[tuple[str, int], int] = {}
    for index, entry in enumerate(_item_list(items, argument, shape)):
        where = f"{argument}[{index}]"
        values: list[object] = []
        raw = from_object(entry, where)
        if raw is not None:
            for (name, _, check), value in zip(shape.fields, raw, strict=True):
                values.append(check(f"{where}.{name}", value))
        elif isinstance(entry, Mapping):
            _check_keys(entry, where, shape)
            for _, keys, check in shape.fields:
                used = _pick(entry, where, keys, shape)
                values.append(check(f"{where}.{used}", entry[used]))
        elif isinstance(entry, str):
            for (name, _, check), value in zip(
                shape.fields, _item_from_text(entry, where, shape), strict=True
            ):
                values.append(check(f"{where}.{name}", value))
        elif isinstance(entry, tuple | list) and len(entry) == len(shape.fields):
            for (name, _, check), value in zip(shape.fields, entry, strict=True):
                values.append(check(f"{where}.{name}", value))
        else:
            hint = None
            if isinstance(entry, tuple | list):
                hint = f"a tuple needs exactly {len(shape.fields)} values"
            allowed = f"an item such as {shape.tuple_example} or {shape.dict_example}"
            raise InvalidInputError(where, entry, allowed, hint=hint)
        item = build(*values)
        if item.key in seen:
            first = seen[item.key]
            hint = f"it repeats {argument}[{first}]: {item.key[0]} {item.key[1]}"
            raise InvalidInputError(where, entry, "each association type at most once", hint=hint)
        seen[item.key] = index
        parsed.append(item)
    return parsed


# The text form the CLI takes: CATEGORY:ID for a type, CATEGORY:ID=MAX for a limit.
_ITEM_TEXT = re.compile(r"\s*([A-Za-z_]+)\s*:\s*([0-9]+)\s*(?:=\s*([0-9]+)\s*)?")


def _item_from_text(text: str, where: str, shape: _Shape) -> tuple[object, ...]:
    """``"USER_DEFINED:279"`` (or ``"USER_DEFINED:279=5"`` for a limit) as a tuple."""
    with_max = len(shape.fields) == 3
    form = "CATEGORY:ID=MAX" if with_max else "CATEGORY:ID"
    example = "'USER_DEFINED:279=5'" if with_max else "'USER_DEFINED:279'"
    allowed = f"an item such as {shape.tuple_example} or the text form {form}, e.g. {example}"
    match = _ITEM_TEXT.fullmatch(text)
    if match is None:
        raise InvalidInputError(where, text, allowed, what="item")
    category, type_id_text, max_text = match.groups()
    if with_max and max_text is None:
        raise InvalidInputError(where, text, allowed, what="item", hint="the =MAX is missing")
    if not with_max and max_text is not None:
        raise InvalidInputError(where, text, allowed, what="item", hint="remove the =MAX")
    values: tuple[object, ...] = (category, int(type_id_text))
    return (*values, int(max_text)) if with_max else values


def _category(argument: str, value: object) -> Category:
    return Category.parse(value, argument)


_SPEC_SHAPE = _Shape(
    fields=(("category", _CATEGORY_KEYS, _category), ("type_id", _TYPE_ID_KEYS, type_id)),
    tuple_example="('USER_DEFINED', 279)",
    dict_example="{'category': 'USER_DEFINED', 'typeId': 279}",
)

_LIMIT_SHAPE = _Shape(
    fields=(
        ("category", _CATEGORY_KEYS, _category),
        ("type_id", _TYPE_ID_KEYS, type_id),
        ("max_to_object_ids", _MAX_KEYS, max_to_object_ids),
    ),
    tuple_example="('USER_DEFINED', 279, 5)",
    dict_example="{'category': 'USER_DEFINED', 'typeId': 279, 'maxToObjectIds': 5}",
)


def _spec_from_object(entry: object, where: str) -> tuple[object, ...] | None:
    if isinstance(entry, AssociationSpec | LimitInput | AssociationLimit | AssociationLabel):
        return (entry.category, entry.type_id)
    return None


def _limit_from_object(entry: object, where: str) -> tuple[object, ...] | None:
    if isinstance(entry, LimitInput | AssociationLimit):
        return (entry.category, entry.type_id, entry.max_to_object_ids)
    if isinstance(entry, AssociationSpec | AssociationLabel):
        raise InvalidInputError(
            where,
            entry,
            f"an item with a limit, such as {_LIMIT_SHAPE.tuple_example}",
            hint=f"use LimitInput({str(entry.category)!r}, {entry.type_id}, <max>)",
        )
    return None


def association_specs(items: object, argument: str = "items") -> list[AssociationSpec]:
    """Association types to purge, normalised to :class:`AssociationSpec`.

    Each item may be an :class:`AssociationSpec`, an ``AssociationLimit`` or
    ``AssociationLabel`` (so what a list call returned can be passed straight back), a
    dict ``{"category": ..., "typeId": ...}`` (``type_id`` also accepted), a tuple
    ``(category, type_id)`` or the text ``"CATEGORY:ID"``. Categories are matched
    case-insensitively. An empty list gives ``[]``.

    >>> association_specs([{"category": "user_defined", "type_id": 279}])[0].to_api()
    {'category': 'USER_DEFINED', 'typeId': 279}
    """
    return _parse_items(items, argument, _SPEC_SHAPE, AssociationSpec, _spec_from_object)


def limit_inputs(items: object, argument: str = "items") -> list[LimitInput]:
    """Limits to create or update, normalised to :class:`LimitInput`.

    Each item may be a :class:`LimitInput`, an ``AssociationLimit`` that has a limit, a
    dict ``{"category": ..., "typeId": ..., "maxToObjectIds": ...}`` (Python names also
    accepted), a tuple ``(category, type_id, max_to_object_ids)`` or the text
    ``"CATEGORY:ID=MAX"``. An empty list gives ``[]``.

    >>> limit_inputs([("USER_DEFINED", 279, 5)])[0].to_api()
    {'category': 'USER_DEFINED', 'typeId': 279, 'maxToObjectIds': 5}
    """
    return _parse_items(items, argument, _LIMIT_SHAPE, LimitInput, _limit_from_object)


# --------------------------------------------------------------------------- labels

_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def label_name(argument: str, value: object) -> str:
    """A label's internal name: letters, digits and underscores, not starting with a digit.

    HubSpot documents "no hyphens, must not start with a digit"; this also keeps out
    spaces and punctuation, which internal names elsewhere in HubSpot do not allow.
    Surrounding whitespace is stripped.

    >>> label_name("name", "decision_maker")
    'decision_maker'
    """
    allowed = "a name of letters, digits and underscores, not starting with a digit"
    if not isinstance(value, str):
        raise InvalidInputError(argument, value, allowed, hint="pass a str")
    text = value.strip()
    if _LABEL_NAME.fullmatch(text):
        return text
    hint = None
    if not text:
        hint = "it is empty"
    elif text[0].isdigit():
        hint = "it must not start with a digit"
    else:
        suggestion = re.sub(r"[^A-Za-z0-9_]+", "_", text).strip("_")
        if suggestion and _LABEL_NAME.fullmatch(suggestion):
            hint = f"try {suggestion!r}"
    raise InvalidInputError(argument, value, allowed, hint=hint)


def label_text(argument: str, value: object) -> str:
    """A label as people see it (e.g. ``"Decision maker"``): a non-empty string without
    control characters or line breaks; format characters such as the zero-width joiner of
    emoji sequences are kept. Surrounding whitespace is stripped.

    >>> label_text("label", " Manager ")
    'Manager'
    """
    allowed = "a non-empty text such as 'Decision maker'"
    if not isinstance(value, str):
        raise InvalidInputError(argument, value, allowed, hint="pass a str")
    text = value.strip()
    if not text:
        raise InvalidInputError(argument, value, allowed, hint="it is empty")
    if _has_control(text):
        raise InvalidInputError(
            argument,
            value,
            allowed,
            hint="it must not contain control characters or line breaks",
        )
    return text


def optional_label_text(argument: str, value: object) -> str | None:
    """Like :func:`label_text`, but ``None`` (no label, e.g. no inverse label) is allowed."""
    return None if value is None else label_text(argument, value)
