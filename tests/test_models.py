"""Tests for hubspot_assoc.models: value types, batch results and the per-input outcome rule."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from hubspot_assoc_api.models.association_label import AssociationLabel as ApiLabel
from hubspot_assoc_api.models.batch_limit_response import BatchLimitResponse
from hubspot_assoc_api.models.limit_configuration import LimitConfiguration
from hubspot_assoc_api.models.standard_error import StandardError

from hubspot_assoc import _convert as convert
from hubspot_assoc.errors import BatchPartialFailureError, ErrorDetail, InvalidInputError
from hubspot_assoc.models import (
    AssociationLabel,
    AssociationLimit,
    AssociationSpec,
    BatchItemError,
    BatchResult,
    Category,
    LimitInput,
    split_outcomes,
)

# --------------------------------------------------------------------------- Category


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Category.WORK, Category.WORK),
        ("USER_DEFINED", Category.USER_DEFINED),
        ("user_defined", Category.USER_DEFINED),
        ("  Hubspot_Defined\t", Category.HUBSPOT_DEFINED),
        ("integrator_defined", Category.INTEGRATOR_DEFINED),
        ("work", Category.WORK),
    ],
)
def test_category_parse_accepts_any_case(value: object, expected: Category) -> None:
    assert Category.parse(value) is expected


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("USER_DEFIND", "did you mean USER_DEFINED?"),
        ("user-defined", "did you mean USER_DEFINED?"),
        ("Hubspot Defined", "did you mean HUBSPOT_DEFINED?"),
        ("integrator", "did you mean INTEGRATOR_DEFINED?"),
        ("zzz", None),
        ("", None),
        (None, "pass the category as a str"),
        (1, "pass the category as a str"),
    ],
)
def test_category_parse_rejects_with_a_suggestion(value: object, hint: str | None) -> None:
    with pytest.raises(InvalidInputError) as caught:
        Category.parse(value, "items[4].category")
    error = caught.value
    assert error.argument == "items[4].category"
    assert error.hint == hint
    assert "HUBSPOT_DEFINED, USER_DEFINED, INTEGRATOR_DEFINED, WORK" in str(error)
    assert str(error).startswith("items[4].category: ")


def test_category_is_a_str() -> None:
    assert Category.USER_DEFINED == "USER_DEFINED"
    assert f"{Category.WORK}" == "WORK"


# --------------------------------------------------------------------------- inputs


def test_spec_to_api_uses_hubspots_field_names() -> None:
    assert AssociationSpec(Category.USER_DEFINED, 279).to_api() == {
        "category": "USER_DEFINED",
        "typeId": 279,
    }


def test_limit_input_to_api_uses_hubspots_field_names() -> None:
    assert LimitInput("HUBSPOT_DEFINED", 1, 10).to_api() == {
        "category": "HUBSPOT_DEFINED",
        "typeId": 1,
        "maxToObjectIds": 10,
    }


def test_known_category_strings_become_members_unknown_ones_are_kept() -> None:
    assert AssociationSpec("user_defined", 1).category is Category.USER_DEFINED
    spec = AssociationSpec("PARTNER_DEFINED", 1)
    assert spec.category == "PARTNER_DEFINED"
    assert not isinstance(spec.category, Category)
    assert spec.to_api()["category"] == "PARTNER_DEFINED"


def test_inputs_are_frozen_and_compare_by_value() -> None:
    spec = AssociationSpec("USER_DEFINED", 279)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        spec.type_id = 3  # type: ignore[misc]
    assert spec == AssociationSpec(Category.USER_DEFINED, 279)
    assert hash(spec) == hash(AssociationSpec("USER_DEFINED", 279))
    assert LimitInput("USER_DEFINED", 279, 2).spec == spec


# --------------------------------------------------------------------------- answers


# Answers are read by the generated models, then converted by hubspot_assoc._convert: these
# tests run both steps, as the client does.


def read_limit(data: Any) -> AssociationLimit:
    return convert.limit(LimitConfiguration.from_dict(data))


def read_label(data: Any) -> AssociationLabel:
    return convert.label(ApiLabel.from_dict(data))


def read_item_error(data: Any) -> BatchItemError:
    return convert.item_error(StandardError.from_dict(data))


def test_limit_is_read_from_the_generated_model() -> None:
    limit = read_limit(
        {
            "category": "USER_DEFINED",
            "typeId": 279,
            "label": "Boss",
            "userEnforcedMaxToObjectIds": 3,
        }
    )
    assert limit == AssociationLimit(Category.USER_DEFINED, 279, "Boss", 3)
    assert limit.spec == AssociationSpec("USER_DEFINED", 279)


def test_limit_without_user_limit() -> None:
    limit = read_limit({"category": "HUBSPOT_DEFINED", "typeId": 1})
    assert limit.max_to_object_ids is None
    assert limit.label is None


def test_limit_keeps_an_unknown_category() -> None:
    limit = read_limit({"category": "SHINY_NEW", "typeId": 9, "extra": {}})
    assert limit.category == "SHINY_NEW"


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        {"typeId": 1},
        {"category": "USER_DEFINED"},
        {"category": "USER_DEFINED", "typeId": "x"},
        {"category": "USER_DEFINED", "typeId": True},
        {"category": 5, "typeId": 1},
    ],
)
def test_unusable_limits_are_rejected(data: object) -> None:
    with pytest.raises((TypeError, ValueError, KeyError, AttributeError)):
        read_limit(data)


def test_label_is_read_from_the_generated_model() -> None:
    label = read_label(
        {
            "category": "USER_DEFINED",
            "typeId": 36,
            "label": "Manager",
            "fromObjectTypeId": "0-1",
            "toObjectTypeId": "0-2",
        }
    )
    assert label == AssociationLabel(Category.USER_DEFINED, 36, "Manager", "0-1", "0-2")
    unlabelled = read_label({"category": "HUBSPOT_DEFINED", "typeId": 279})
    assert unlabelled.label is None and unlabelled.from_object_type_id is None


def test_batch_item_error_reads_every_field() -> None:
    error = read_item_error(
        {
            "status": "error",
            "category": "VALIDATION_ERROR",
            "message": "bad",
            "context": {"typeId": ["279"]},
            "subCategory": {"x": 1},
            "id": "e-1",
            "errors": [{"message": "inner", "code": "C", "in": "inputs[0]"}],
            "links": {},
        }
    )
    assert error == BatchItemError(
        "error",
        "VALIDATION_ERROR",
        "bad",
        {"typeId": ["279"]},
        {"x": 1},
        "e-1",
        [ErrorDetail(message="inner", code="C", in_="inputs[0]")],
    )


@pytest.mark.parametrize(
    "data",
    [
        {"message": "m"},
        {"message": 3, "context": 7},
        {"message": "m", "context": {"typeId": 279}},
        {"message": "m", "status": 400, "category": None, "subCategory": "TEXT"},
    ],
)
def test_batch_item_error_needs_only_a_message(data: dict[str, Any]) -> None:
    error = read_item_error(data)
    assert isinstance(error.message, str)
    assert isinstance(error.status, str) and isinstance(error.category, str)
    assert all(isinstance(v, list) for v in error.context.values())


def test_batch_item_error_reads_java_style_context() -> None:
    error = read_item_error({"message": "m", "context": "{typeId=[4, 5]}"})
    assert error.context == {"typeId": ["4", "5"]}


def test_batch_item_error_number_context_is_a_one_item_list() -> None:
    assert read_item_error({"message": "m", "context": {"typeId": 279}}).context == {
        "typeId": ["279"]
    }


@pytest.mark.parametrize(
    "nested_context",
    ["{missingScopes=[scope1, scope2]}", {"missingScopes": ["scope1", "scope2"]}],
    ids=["string form", "object form"],
)
def test_batch_item_error_missing_scopes_in_both_forms(nested_context: object) -> None:
    error = read_item_error(
        {"message": "m", "errors": [{"message": "<string>", "context": nested_context}]}
    )
    assert error.errors[0].context == {"missingScopes": ["scope1", "scope2"]}
    assert error.missing_scopes == ("scope1", "scope2")


def test_batch_item_error_without_scopes_has_none() -> None:
    assert read_item_error({"message": "m"}).missing_scopes == ()


# --------------------------------------------------------------------------- split_outcomes

A = AssociationSpec("USER_DEFINED", 279)
B = AssociationSpec("USER_DEFINED", 1)
C = AssociationSpec("HUBSPOT_DEFINED", 3)


def err(message: str = "failed", context: dict[str, list[str]] | None = None, **kw: Any) -> Any:
    return BatchItemError("error", "VALIDATION_ERROR", message, context or {}, **kw)


def test_no_errors_no_results_means_all_succeeded() -> None:
    assert split_outcomes([A, B], None, []) == ([A, B], [])


def test_error_context_type_id_identifies_the_input() -> None:
    assert split_outcomes([A, B, C], None, [err(context={"typeId": ["1"]})]) == ([A, C], [B])


@pytest.mark.parametrize("key", ["typeId", "typeIds", "associationTypeId", "type_id", "TYPEID"])
def test_type_id_context_keys_are_matched_loosely(key: str) -> None:
    assert split_outcomes([A, B], None, [err(context={key: ["279"]})]) == ([B], [A])


def test_context_category_narrows_the_match() -> None:
    same_id_other_category = AssociationSpec("HUBSPOT_DEFINED", 279)
    error = err(context={"typeId": ["279"], "category": ["HUBSPOT_DEFINED"]})
    assert split_outcomes([A, same_id_other_category], None, [error]) == (
        [A],
        [same_id_other_category],
    )


def test_context_with_several_ids_in_one_string() -> None:
    error = err(context={"typeIds": ["[279, 3]"]})
    assert split_outcomes([A, B, C], None, [error]) == ([B], [A, C])


def test_message_mentioning_the_type_id_identifies_the_input() -> None:
    error = err("Association type 279 has no configurable limit")
    assert split_outcomes([A, B], None, [error]) == ([B], [A])


def test_message_numbers_are_whole_words_only() -> None:
    # 2790 is not 279, and inputs[1] is an index, not type id 1; such an error names nobody
    # and so leaves every input unconfirmed (rule 3).
    error = err("Value 2790 rejected at inputs[1]")
    assert split_outcomes([A, B], None, [error]) == ([], [A, B])


def test_error_id_equal_to_the_type_id_identifies_the_input() -> None:
    assert split_outcomes([A, B], None, [err("x", id="1")]) == ([A], [B])


def test_context_naming_another_type_wins_over_the_message() -> None:
    # The context names type 999 (not an input), so the message's "279" is not consulted;
    # the results confirm both inputs.
    error = err("type 279 blocked", context={"typeId": ["999"]})
    results = [("USER_DEFINED", 279), ("USER_DEFINED", 1)]
    assert split_outcomes([A, B], results, [error]) == ([A, B], [])


def test_results_identify_succeeded_inputs() -> None:
    results = [{"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 2}]
    assert split_outcomes([A, B], results, []) == ([A], [B])


def test_results_may_be_models_or_pairs() -> None:
    assert split_outcomes([A, B], [AssociationLimit("USER_DEFINED", 1)], []) == ([B], [A])
    assert split_outcomes([A, B], [("user_defined", 279)], []) == ([A], [B])


def test_results_without_keys_give_no_information() -> None:
    assert split_outcomes([A, B], [{}, {}], []) == ([A, B], [])


def test_results_naming_none_of_the_inputs_give_no_information() -> None:
    assert split_outcomes([A], [{"category": "WORK", "typeId": 42}], []) == ([A], [])


def test_an_error_wins_over_presence_in_results() -> None:
    results = [
        {"category": "USER_DEFINED", "typeId": 279},
        {"category": "USER_DEFINED", "typeId": 1},
    ]
    assert split_outcomes([A, B], results, [err(context={"typeId": ["1"]})]) == ([A], [B])


def test_an_unattributable_error_fails_every_unconfirmed_input() -> None:
    assert split_outcomes([A, B], None, [err("Something went wrong")]) == ([], [A, B])


def test_an_unattributable_error_with_informative_results() -> None:
    results = [{"category": "USER_DEFINED", "typeId": 279}]
    assert split_outcomes([A, B], results, [err("Something went wrong")]) == ([A], [B])


def test_split_outcomes_keeps_input_order_and_types() -> None:
    limits = [LimitInput("USER_DEFINED", n, 1) for n in (5, 4, 3, 2)]
    succeeded, failed = split_outcomes(limits, None, [err(context={"typeId": ["4", "2"]})])
    assert succeeded == [limits[0], limits[2]]
    assert failed == [limits[1], limits[3]]


# --------------------------------------------------------------------------- BatchResult

T0 = datetime(2026, 1, 1, 10, 0, 0, tzinfo=UTC)
T1 = datetime(2026, 1, 1, 10, 0, 5, tzinfo=UTC)
T2 = datetime(2026, 1, 1, 10, 0, 9, tzinfo=UTC)


def test_empty_result_is_ok() -> None:
    result: BatchResult[Any] = BatchResult.empty()
    assert result.ok
    assert result.status == "COMPLETE"
    assert result.raise_for_errors() is result


@pytest.mark.parametrize(
    "changes",
    [
        {"errors": [BatchItemError("error", "X", "m")]},
        {"num_errors": 1},
        {"failed": [A]},
        {"not_sent": [A]},
    ],
)
def test_result_is_not_ok_when_anything_went_wrong(changes: dict[str, Any]) -> None:
    result: BatchResult[Any] = attrs.evolve(BatchResult.empty(), **changes)
    assert not result.ok
    with pytest.raises(BatchPartialFailureError) as caught:
        result.raise_for_errors()
    assert caught.value.result is result


def read_batch(body: Any, inputs: list[Any]) -> BatchResult[Any]:
    return convert.batch(BatchLimitResponse.from_dict(body), inputs, convert.limit)


def test_batch_with_a_partial_failure() -> None:
    inputs = [LimitInput("USER_DEFINED", 279, 5), LimitInput("USER_DEFINED", 1, 2)]
    body = {
        "status": "COMPLETE",
        "results": [{"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 5}],
        "errors": [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "Limits cannot be set on type 1",
                "context": {"typeId": ["1"]},
                "errors": [],
                "links": {},
            }
        ],
        "numErrors": 1,
        "requestedAt": "2026-01-01T10:00:00Z",
        "startedAt": "2026-01-01T10:00:05Z",
        "completedAt": "2026-01-01T10:00:09.000Z",
        "links": {},
    }
    result = read_batch(body, inputs)
    assert result.status == "COMPLETE"
    assert result.results == [AssociationLimit("USER_DEFINED", 279, None, 5)]
    assert result.succeeded == inputs[:1]
    assert result.failed == inputs[1:]
    assert result.unconfirmed == []
    assert result.num_errors == 1
    assert (result.requested_at, result.started_at, result.completed_at) == (T0, T1, T2)
    assert not result.ok
    assert result.failures() == [(inputs[1], result.errors[0])]


BATCH_TIMES = {"startedAt": "2026-01-01T10:00:05Z", "completedAt": "2026-01-01T10:00:09Z"}


@pytest.mark.parametrize("status", ["CANCELED", "PENDING", "PROCESSING", "ARCHIVED"])
def test_inputs_of_a_batch_not_complete_are_unconfirmed(status: str) -> None:
    result = read_batch({"status": status, "results": [], **BATCH_TIMES}, [A, B])
    assert result.status == status
    assert result.succeeded == [] and result.failed == []
    assert result.unconfirmed == [A, B]
    assert not result.ok
    with pytest.raises(BatchPartialFailureError, match="unconfirmed"):
        result.raise_for_errors()


def test_a_complete_batch_without_errors_is_ok() -> None:
    result = read_batch({"status": "COMPLETE", "results": [], **BATCH_TIMES}, [A, B])
    assert result.succeeded == [A, B] and result.unconfirmed == []
    assert result.ok


def test_an_unknown_status_is_kept_as_a_string_and_not_ok() -> None:
    result = read_batch({"status": "ARCHIVED", "results": [], **BATCH_TIMES}, [A])
    assert result.status == "ARCHIVED"
    assert not result.ok
    assert result.unconfirmed == [A]


@pytest.mark.parametrize("body", [[], "x", {"results": "x"}, {"results": [], "errors": "x"}])
def test_what_is_not_a_batch_answer_is_rejected(body: object) -> None:
    with pytest.raises((TypeError, ValueError, KeyError, AttributeError)):
        read_batch(body, [A])


def test_failures_pairs_an_anonymous_error_and_leaves_missing_ones_unpaired() -> None:
    anonymous = BatchItemError("error", "X", "internal problem")
    result: BatchResult[Any] = BatchResult(status="COMPLETE", errors=[anonymous], failed=[A, B])
    assert result.failures() == [(A, anonymous), (B, anonymous)]
    named = BatchItemError("error", "X", "type 279 bad", {"typeId": ["279"]})
    result = BatchResult(status="COMPLETE", errors=[named], failed=[A, B])
    assert result.failures() == [(A, named), (B, None)]


def test_combine_merges_chunks() -> None:
    first: BatchResult[str] = BatchResult(
        status="COMPLETE",
        results=["r1"],
        num_errors=0,
        requested_at=T1,
        started_at=T1,
        completed_at=T1,
        succeeded=[A],
    )
    error = BatchItemError("error", "X", "m", {"typeId": ["1"]})
    second: BatchResult[str] = BatchResult(
        status="PROCESSING",
        results=["r2"],
        errors=[error],
        num_errors=1,
        requested_at=T0,
        started_at=T2,
        completed_at=T2,
        failed=[B],
    )
    combined = BatchResult.combine([first, second], not_sent=[C])
    assert combined.status == "PROCESSING"
    assert combined.results == ["r1", "r2"]
    assert combined.errors == [error]
    assert combined.num_errors == 1
    assert combined.requested_at == T0
    assert combined.started_at == T1
    assert combined.completed_at == T2
    assert (combined.succeeded, combined.failed, combined.not_sent) == ([A], [B], [C])
    assert not combined.ok


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["COMPLETE", "COMPLETE"], "COMPLETE"),
        (["COMPLETE", "SOMETHING_NEW"], "SOMETHING_NEW"),
        (["SOMETHING_NEW", "PROCESSING"], "PROCESSING"),
        (["PROCESSING", "PENDING"], "PENDING"),
        (["CANCELED", "PENDING", "COMPLETE"], "CANCELED"),
    ],
)
def test_combined_status_is_the_least_finished(statuses: list[str], expected: str) -> None:
    parts: list[BatchResult[Any]] = [BatchResult(status=s) for s in statuses]
    assert BatchResult.combine(parts).status == expected


def test_combine_nothing() -> None:
    combined: BatchResult[Any] = BatchResult.combine([], not_sent=[A])
    assert combined.status == "COMPLETE"
    assert combined.not_sent == [A]
    assert not combined.ok


def test_combine_tolerates_naive_and_aware_times() -> None:
    naive = datetime(2026, 1, 1, 9, 0, 0)
    parts: list[BatchResult[Any]] = [
        BatchResult(status="COMPLETE", started_at=naive, completed_at=naive),
        BatchResult(status="COMPLETE", started_at=T0, completed_at=T0),
    ]
    combined = BatchResult.combine(parts)
    assert combined.started_at == naive
    assert combined.completed_at == T0


# --------------------------------------------------------------------------- import cost


_IMPORT_CHECK = """
import importlib.util, sys, types
# Load the submodule without running hubspot_assoc/__init__.py, which imports the client.
spec = importlib.util.find_spec("hubspot_assoc")
package = types.ModuleType("hubspot_assoc")
package.__path__ = list(spec.submodule_search_locations)
sys.modules["hubspot_assoc"] = package
import hubspot_assoc.models
print("httpx" in sys.modules)
"""


def test_models_do_not_import_httpx() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORT_CHECK], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
