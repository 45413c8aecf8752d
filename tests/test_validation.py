"""Tests for hubspot_assoc.validation: every input is rejected clearly or normalised exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hubspot_assoc import validation
from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.models import (
    AssociationLabel,
    AssociationLimit,
    AssociationSpec,
    Category,
    LimitInput,
)
from hubspot_assoc.validation import (
    INT32_MAX,
    association_specs,
    label_name,
    label_text,
    limit_inputs,
    max_to_object_ids,
    object_type,
    optional_label_text,
    type_id,
)

CATEGORIES = ["HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED", "WORK"]


def rejected(check: Callable[[], object]) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        check()
    assert isinstance(caught.value, ValueError)
    return caught.value


# --------------------------------------------------------------------------- object_type


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("contacts", "contacts"),
        (" 0-1 ", "0-1"),
        ("2-12345", "2-12345"),
        ("p123_cars", "p123_cars"),
    ],
)
def test_object_type_accepts_names_and_ids(value: str, expected: str) -> None:
    assert object_type("from_object_type", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "contacts/x",
        "a?b",
        "deals#1",
        "con tacts",
        "tab\there",
        "nul\x00",
        ".",
        "..",
        "x" * 101,
        None,
        1,
        b"contacts",
    ],
)
def test_object_type_rejects(value: object) -> None:
    error = rejected(lambda: object_type("to_object_type", value))
    assert error.argument == "to_object_type"
    assert str(error).startswith("to_object_type: ")
    assert "'contacts'" in error.allowed


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", [1, 279, 10_000, 10_001, INT32_MAX])
def test_type_id_accepts_positive_int32(value: int) -> None:
    assert type_id("type_id", value) == value
    assert max_to_object_ids("max_to_object_ids", value) == value


@pytest.mark.parametrize(
    ("value", "hint_part"),
    [
        (True, "bool"),
        (False, "bool"),
        (0, "1 or more"),
        (-1, "1 or more"),
        (2**31, "32-bit"),
        (10**20, "32-bit"),
        ("279", "pass an int, e.g. 279, not a str"),
        (" 12 ", "pass an int, e.g. 12, not a str"),
        (279.0, "pass an int, e.g. 279, not a float"),
        (2.5, None),
        (None, "required"),
        ("abc", None),
        ([279], None),
    ],
)
def test_type_id_rejects(value: object, hint_part: str | None) -> None:
    error = rejected(lambda: type_id("items[3].type_id", value))
    assert error.argument == "items[3].type_id"
    assert "2,147,483,647" in str(error)
    if hint_part is None:
        assert error.hint is None
    else:
        assert error.hint is not None and hint_part in error.hint


@pytest.mark.parametrize("value", [True, 0, -5, 2**31, "5", 5.0, None])
def test_max_to_object_ids_rejects(value: object) -> None:
    error = rejected(lambda: max_to_object_ids("items[0].max_to_object_ids", value))
    assert str(error).startswith("items[0].max_to_object_ids: ")


# --------------------------------------------------------------------------- association_specs


def test_specs_in_every_accepted_form() -> None:
    items = [
        AssociationSpec("USER_DEFINED", 1),
        {"category": "user_defined", "typeId": 2},
        {"category": "USER_DEFINED", "type_id": 3},
        ("HUBSPOT_DEFINED", 4),
        ["work", 5],
        (Category.INTEGRATOR_DEFINED, 6),
        AssociationLimit("USER_DEFINED", 7, "x", 4),
        AssociationLabel("USER_DEFINED", 8, "Boss"),
        LimitInput("USER_DEFINED", 9, 1),
    ]
    specs = association_specs(items)
    assert [s.to_api() for s in specs] == [
        {"category": "USER_DEFINED", "typeId": 1},
        {"category": "USER_DEFINED", "typeId": 2},
        {"category": "USER_DEFINED", "typeId": 3},
        {"category": "HUBSPOT_DEFINED", "typeId": 4},
        {"category": "WORK", "typeId": 5},
        {"category": "INTEGRATOR_DEFINED", "typeId": 6},
        {"category": "USER_DEFINED", "typeId": 7},
        {"category": "USER_DEFINED", "typeId": 8},
        {"category": "USER_DEFINED", "typeId": 9},
    ]
    assert all(isinstance(s.category, Category) for s in specs)


def test_specs_accept_a_generator_and_an_empty_list() -> None:
    assert association_specs(x for x in [("WORK", 1)]) == [AssociationSpec(Category.WORK, 1)]
    assert association_specs([]) == []
    assert association_specs(()) == []


@pytest.mark.parametrize(
    ("items", "argument", "hint_part"),
    [
        ("USER_DEFINED", "items", "a str is not a list"),
        (("USER_DEFINED", 279), "items", "wrap it in a list"),
        (["USER_DEFINED", 279], "items", "wrap it in a list"),
        ({"category": "USER_DEFINED", "typeId": 1}, "items", "wrap it in a list"),
        (AssociationSpec("USER_DEFINED", 1), "items", "wrap it in a list"),
        (None, "items", None),
        (279, "items", None),
        ([{"category": "USER_DEFINED"}], "items[0]", "the key 'typeId' is missing"),
        ([{"typeId": 1}], "items[0]", "the key 'category' is missing"),
        ([{"category": "USER_DEFINED", "typeID": 1}], "items[0]['typeID']", "'typeId'"),
        (
            [{"associationCategory": "USER_DEFINED", "associationTypeId": 1}],
            "items[0]['associationCategory']",
            "did you mean 'category'?",
        ),
        ([{"category": "USER_DEFINED", "typeId": 1, "label": "x"}], "items[0]['label']", None),
        ([{"category": "USER_DEFINED", "typeId": 1, "type_id": 1}], "items[0]", "remove one"),
        ([("USER_DEFINED",)], "items[0]", "exactly 2 values"),
        ([("USER_DEFINED", 1, 5)], "items[0]", "exactly 2 values"),
        ([("USER_DEFIND", 1)], "items[0].category", "did you mean USER_DEFINED?"),
        ([("user-defined", 1)], "items[0].category", "did you mean USER_DEFINED?"),
        ([(" ", 1)], "items[0].category", None),
        ([("USER_DEFINED", 1), ("WORK", True)], "items[1].type_id", "bool"),
        ([{"category": "WORK", "typeId": "279"}], "items[0].typeId", "not a str"),
        ([("WORK", 279.0)], "items[0].type_id", "not a float"),
        ([("WORK", 2**31)], "items[0].type_id", "32-bit"),
        ([("WORK", 1), ("work", 1)], "items[1]", "it repeats items[0]: WORK 1"),
        ([5], "items[0]", None),
    ],
)
def test_specs_reject(items: object, argument: str, hint_part: str | None) -> None:
    error = rejected(lambda: association_specs(items))
    assert error.argument == argument
    assert str(error).startswith(f"{argument}: ")
    if hint_part is not None:
        assert error.hint is not None and hint_part in error.hint, error.hint


def test_specs_name_the_argument_given() -> None:
    error = rejected(lambda: association_specs([("WORK", 0)], argument="specs"))
    assert error.argument == "specs[0].type_id"


def test_unknown_category_of_a_listed_label_is_rejected_for_input() -> None:
    # Answers keep unknown categories as str; sending one back is refused with a clear error.
    error = rejected(lambda: association_specs([AssociationLabel("SHINY_NEW", 3)]))
    assert error.argument == "items[0].category"


# --------------------------------------------------------------------------- limit_inputs


def test_limits_in_every_accepted_form() -> None:
    items = [
        LimitInput("USER_DEFINED", 1, 5),
        {"category": "user_defined", "typeId": 2, "maxToObjectIds": 6},
        {"category": "USER_DEFINED", "type_id": 3, "max_to_object_ids": 7},
        ("HUBSPOT_DEFINED", 4, 8),
        AssociationLimit("USER_DEFINED", 5, None, 20_000),
    ]
    assert [i.to_api() for i in limit_inputs(items)] == [
        {"category": "USER_DEFINED", "typeId": 1, "maxToObjectIds": 5},
        {"category": "USER_DEFINED", "typeId": 2, "maxToObjectIds": 6},
        {"category": "USER_DEFINED", "typeId": 3, "maxToObjectIds": 7},
        {"category": "HUBSPOT_DEFINED", "typeId": 4, "maxToObjectIds": 8},
        {"category": "USER_DEFINED", "typeId": 5, "maxToObjectIds": 20_000},
    ]


@pytest.mark.parametrize(
    ("items", "argument", "hint_part"),
    [
        ([("USER_DEFINED", 1)], "items[0]", "exactly 3 values"),
        ([("USER_DEFINED", 1, 0)], "items[0].max_to_object_ids", "1 or more"),
        ([("USER_DEFINED", 1, False)], "items[0].max_to_object_ids", "bool"),
        ([{"category": "WORK", "typeId": 1}], "items[0]", "'maxToObjectIds' is missing"),
        (
            [{"category": "WORK", "typeId": 1, "maxToObjectIDs": 1}],
            "items[0]['maxToObjectIDs']",
            "did you mean 'maxToObjectIds'?",
        ),
        ([AssociationSpec("WORK", 1)], "items[0]", "LimitInput('WORK', 1, <max>)"),
        ([AssociationLimit("WORK", 1, None, None)], "items[0].max_to_object_ids", "required"),
        (("WORK", 1, 5), "items", "wrap it in a list"),
        ([("WORK", 1, 5), ("WORK", 1, 6)], "items[1]", "repeats items[0]"),
    ],
)
def test_limits_reject(items: object, argument: str, hint_part: str) -> None:
    error = rejected(lambda: limit_inputs(items))
    assert error.argument == argument
    assert error.hint is not None and hint_part in error.hint, error.hint


# --------------------------------------------------------------------------- labels


@pytest.mark.parametrize(
    ("value", "expected"),
    [("manager", "manager"), (" Decision_Maker2 ", "Decision_Maker2"), ("_x", "_x")],
)
def test_label_name_accepts(value: str, expected: str) -> None:
    assert label_name("name", value) == expected


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("decision-maker", "try 'decision_maker'"),
        ("1st_contact", "it must not start with a digit"),
        ("", "it is empty"),
        ("  ", "it is empty"),
        ("two words", "try 'two_words'"),
        ("---", None),
        (None, "pass a str"),
        (5, "pass a str"),
    ],
)
def test_label_name_rejects(value: object, hint: str | None) -> None:
    error = rejected(lambda: label_name("name", value))
    assert error.hint == hint
    assert "not starting with a digit" in error.allowed


def test_label_text_accepts() -> None:
    assert label_text("label", "  Decision maker ") == "Decision maker"
    assert label_text("label", "Chef-in-charge 1") == "Chef-in-charge 1"
    assert optional_label_text("inverse_label", None) is None
    assert optional_label_text("inverse_label", "Report") == "Report"


@pytest.mark.parametrize("value", ["", "   ", "line\nbreak", "bell\x07", None, 3])
def test_label_text_rejects(value: object) -> None:
    error = rejected(lambda: label_text("label", value))
    assert error.argument == "label"


@pytest.mark.parametrize("value", ["", "  ", 3])
def test_optional_label_text_rejects(value: object) -> None:
    assert rejected(lambda: optional_label_text("inverse_label", value)).argument == "inverse_label"


# --------------------------------------------------------------------------- properties


def _expected_spec(category: object, number: object) -> dict[str, Any] | None:
    """What HubSpot must receive for this pair, or None when it must be rejected.

    Written independently of the implementation: the category is one of the four names
    in any case with surrounding whitespace, the type id an int (not bool) in int32 range.
    """
    if isinstance(category, Category):
        name: str | None = category.value
    elif isinstance(category, str) and category.strip().upper() in CATEGORIES:
        name = category.strip().upper()
    else:
        name = None
    if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= INT32_MAX:
        return None
    if name is None:
        return None
    return {"category": name, "typeId": number}


categories = st.one_of(
    st.sampled_from(CATEGORIES),
    st.sampled_from(list(Category)),
    st.sampled_from(CATEGORIES).map(str.lower),
    st.sampled_from(CATEGORIES).map(lambda c: f"  {c.title()}\t"),
    st.sampled_from(CATEGORIES).map(lambda c: c.replace("_", "-")),
    st.text(max_size=20),
    st.none(),
    st.integers(),
)
numbers = st.one_of(
    st.integers(min_value=-5, max_value=INT32_MAX + 5),
    st.integers(),
    st.sampled_from([INT32_MAX, INT32_MAX + 1, 0, 1, -1, True, False]),
    st.floats(allow_nan=False),
    st.integers(min_value=1, max_value=1000).map(str),
    st.none(),
)
shapes = st.sampled_from(["tuple", "list", "dict", "py_dict", "model"])


def _shape(kind: str, category: object, number: object) -> object:
    if kind == "tuple":
        return (category, number)
    if kind == "list":
        return [category, number]
    if kind == "dict":
        return {"category": category, "typeId": number}
    if kind == "py_dict":
        return {"category": category, "type_id": number}
    # A model built around its converter, holding anything: validation must still check it.
    model = AssociationSpec.__new__(AssociationSpec)
    object.__setattr__(model, "category", category)
    object.__setattr__(model, "type_id", number)
    return model


@settings(max_examples=400, deadline=None)
@given(category=categories, number=numbers, kind=shapes)
def test_every_spec_is_rejected_or_normalised_exactly(
    category: object, number: object, kind: str
) -> None:
    expected = _expected_spec(category, number)
    entry = _shape(kind, category, number)
    try:
        specs = association_specs([entry])
    except InvalidInputError as error:
        assert expected is None, f"rejected valid input: {error}"
        assert isinstance(error, ValueError)
        assert error.argument.startswith("items[0]")
        return
    assert expected is not None, f"accepted invalid input {entry!r}"
    assert [s.to_api() for s in specs] == [expected]


@settings(max_examples=300, deadline=None)
@given(category=categories, number=numbers, limit=numbers)
def test_every_limit_is_rejected_or_normalised_exactly(
    category: object, number: object, limit: object
) -> None:
    expected = _expected_spec(category, number)
    limit_ok = isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= INT32_MAX
    try:
        items = limit_inputs([{"category": category, "typeId": number, "maxToObjectIds": limit}])
    except InvalidInputError:
        assert expected is None or not limit_ok
        return
    assert expected is not None and limit_ok
    assert [i.to_api() for i in items] == [{**expected, "maxToObjectIds": limit}]


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=30))
def test_label_name_property(value: str) -> None:
    stripped = value.strip()
    valid = (
        bool(stripped)
        and not stripped[0].isdigit()
        and all(ch == "_" or (ch.isascii() and ch.isalnum()) for ch in stripped)
    )
    try:
        result = label_name("name", value)
    except InvalidInputError:
        assert not valid
        return
    assert valid
    assert result == stripped
    assert "-" not in result


@settings(max_examples=300, deadline=None)
@given(value=st.text(max_size=30))
def test_object_type_property(value: str) -> None:
    try:
        result = object_type("from_object_type", value)
    except InvalidInputError:
        return
    assert result == value.strip()
    assert result and result not in {".", ".."}
    assert not any(ch in "/?#" or ch.isspace() or not ch.isprintable() for ch in result)


def test_module_exports() -> None:
    for name in validation.__all__:
        assert callable(getattr(validation, name)) or name == "INT32_MAX"


@pytest.mark.parametrize("text", ["¹", "²7", "٣"])  # str.isdigit() is true for these
def test_non_ascii_digits_are_rejected_as_input_errors(text: str) -> None:
    with pytest.raises(InvalidInputError, match="max_to_object_ids"):
        validation.limit_inputs([("HUBSPOT_DEFINED", 1, text)])
