"""Record ids, association types and batch items for ``client.associations``, checked offline."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hubspot_assoc.errors import InvalidInputError
from hubspot_assoc.models import AssociationSpec, BatchItemError
from hubspot_assoc.records import (
    Association,
    AssociationsByRecord,
    AssociationType,
    RecordPair,
    association_types,
    enqueue_time,
    error_names_pair,
    from_wire_id,
    pair_failures,
    record_id,
    record_ids,
    record_pairs,
    split_pair_outcomes,
)


@given(st.integers(min_value=1, max_value=2**63 - 1))
def test_positive_ints_become_their_decimal_string(value: int) -> None:
    assert record_id("from_id", value) == str(value)
    assert record_id("from_id", str(value)) == str(value)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (None, "required"),
        (True, "bool"),
        (False, "bool"),
        (1.0, "float"),
        (0, "start at 1"),
        (-5, "start at 1"),
        ("", "empty"),
        (" 12", "spaces"),
        ("12 ", "spaces"),
        ("1/2", "/"),
        ("-12", "positive"),
        ("0", "start at 1"),
        ("012", "leading zero"),
        ("12a", None),
        (2**63, "larger"),
        ([1], None),
    ],
)
def test_bad_record_ids_are_refused_naming_the_argument(value: object, hint: str | None) -> None:
    with pytest.raises(InvalidInputError) as caught:
        record_id("to_id", value)
    message = str(caught.value)
    assert message.startswith("to_id: ")
    assert "decimal digits" in message
    if hint:
        assert hint in message


@given(st.text().filter(lambda s: not (s.isascii() and s.isdigit() and s[:1] not in ("", "0"))))
def test_anything_but_plain_digits_is_refused(value: str) -> None:
    with pytest.raises(InvalidInputError):
        record_id("id", value)


def test_record_ids_needs_a_list() -> None:
    assert record_ids("ids", [1, "2"]) == ["1", "2"]
    for lone in ("12", 12):
        with pytest.raises(InvalidInputError, match="list of ids"):
            record_ids("ids", lone)
    with pytest.raises(InvalidInputError, match=r"ids\[1\]"):
        record_ids("ids", ["1", "x"])


def test_association_types_accept_every_form() -> None:
    specs = association_types(
        [
            "USER_DEFINED:1000",
            ("HUBSPOT_DEFINED", 279),
            {"category": "work", "typeId": 3},
            AssociationSpec("INTEGRATOR_DEFINED", 9),
            AssociationType("USER_DEFINED", 7, "Billing"),
        ]
    )
    assert [s.key for s in specs] == [
        ("USER_DEFINED", 1000),
        ("HUBSPOT_DEFINED", 279),
        ("WORK", 3),
        ("INTEGRATOR_DEFINED", 9),
        ("USER_DEFINED", 7),
    ]


@pytest.mark.parametrize(
    ("types", "match"),
    [
        ("USER_DEFINED:1000", "wrap it in a list"),
        (["USER_DEFINED"], "CATEGORY:ID"),
        (["USER_DEFINED:x"], "CATEGORY:ID"),
        (["NOPE:1"], "category"),
        (["USER_DEFINED:1", ("USER_DEFINED", 1)], "at most once"),
        (AssociationType("USER_DEFINED", 1), "wrap it in a list"),
    ],
)
def test_association_types_refusals(types: object, match: str) -> None:
    with pytest.raises(InvalidInputError, match=match):
        association_types(types)


def test_record_pairs_forms_and_requirements() -> None:
    pairs = record_pairs(
        [(1, "2", ["USER_DEFINED:5"]), {"from_id": "3", "to_id": 4, "types": [("WORK", 1)]}],
        types="required",
    )
    assert pairs == [
        RecordPair("1", "2", (AssociationSpec("USER_DEFINED", 5),)),
        RecordPair("3", "4", (AssociationSpec("WORK", 1),)),
    ]
    assert record_pairs([(1, 2)]) == [RecordPair("1", "2")]
    with pytest.raises(InvalidInputError, match=r"items\[0\]\.types.*associate_defaults"):
        record_pairs([(1, 2)], types="required")
    with pytest.raises(InvalidInputError, match=r"items\[0\]\.types"):
        record_pairs([(1, 2, ["WORK:1"])], types="none")
    with pytest.raises(InvalidInputError, match=r"items\[1\]\.to_id"):
        record_pairs([(1, 2), (3, "x")])
    with pytest.raises(InvalidInputError, match=r"items\[0\]\['form_id'\]"):
        record_pairs([{"form_id": 1, "to_id": 2}])
    with pytest.raises(InvalidInputError, match="one item"):
        record_pairs(["1", "2"])
    with pytest.raises(InvalidInputError, match="list of items"):
        record_pairs({"from_id": 1, "to_id": 2})


def test_values_read_well() -> None:
    association = Association(
        "1",
        "2",
        "companies",
        [AssociationType("HUBSPOT_DEFINED", 279), AssociationType("HUBSPOT_DEFINED", 1, "Primary")],
    )
    assert association.labels == ["Primary"]
    assert isinstance(association.types, tuple)
    assert str(association.types[1]) == "HUBSPOT_DEFINED:1"
    assert AssociationType("brand_new", 5).category == "brand_new"  # unknown kept as sent
    error = BatchItemError("error", "OBJECT_NOT_FOUND", "none")
    result = AssociationsByRecord([("1", [association])], [error], ["9"])
    assert result["1"] == [association] and result.get("9", []) == []
    assert not result.ok and result.failed_ids == ["9"]
    assert list(result.associations()) == [association]


def test_wire_ids_and_enqueue_time() -> None:
    assert from_wire_id(12) == "12" and from_wire_id("12") == "12" and from_wire_id(12.0) == "12"
    moment = enqueue_time({"value": 1_700_000_000_000, "dateOnly": False})
    assert moment == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    assert enqueue_time(1_700_000_000_000) == moment
    assert enqueue_time({"value": "soon"}) is None and enqueue_time(None) is None


# -- outcomes of a records batch -----------------------------------------------------------------


def _error(message: str, **context: list[str]) -> BatchItemError:
    return BatchItemError("error", "VALIDATION_ERROR", message, context)


def test_errors_name_pairs_by_context_or_message() -> None:
    pair = RecordPair("1", "2")
    assert error_names_pair(_error("x", fromObjectId=["1"], toObjectId=["2"]), pair)
    assert not error_names_pair(_error("x", fromObjectId=["1"], toObjectId=["3"]), pair)
    assert error_names_pair(_error("x", objectId=["2"]), pair)  # a missing record, either side
    assert error_names_pair(_error("contact 1 and company 2 are not allowed"), pair)
    assert not error_names_pair(_error("contact 12 and company 2"), pair)


def test_split_pair_outcomes_rules() -> None:
    a, b, c = RecordPair("1", "2"), RecordPair("1", "3"), RecordPair("4", "5")
    limit = _error("limit", fromObjectId=["1"], toObjectId=["3"])
    assert split_pair_outcomes([a, b, c], [("1", "2"), ("4", "5")], [limit]) == ([a, c], [b])
    # results leave c out: not confirmed
    assert split_pair_outcomes([a, b, c], [("1", "2"), ("1", "3")], []) == ([a, b], [c])
    # an error naming nobody, and nothing else to go on: nobody is confirmed
    assert split_pair_outcomes([a, b], None, [_error("went wrong")]) == ([], [a, b])
    assert split_pair_outcomes([a, b], None, []) == ([a, b], [])
    failures = pair_failures([b], [limit])
    assert failures == [(b, limit)]
    anonymous = _error("went wrong")
    assert pair_failures([a, b], [anonymous]) == [(a, anonymous), (b, anonymous)]


def test_enqueue_time_in_every_form() -> None:
    naive = datetime(2026, 3, 1, 12, 0)
    assert enqueue_time(naive) == naive.replace(tzinfo=UTC)
    aware = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert enqueue_time(aware) is aware
