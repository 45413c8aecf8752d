"""Values the spec does not list survive parsing in the generated models."""

from __future__ import annotations

from hubspot_assoc_api.models import (
    AssociationCategory,
    BatchPurgeResponse,
    BatchStatus,
    LimitCollection,
)


def test_unknown_batch_status_is_kept() -> None:
    parsed = BatchPurgeResponse.from_dict(
        {
            "status": "FAILED",
            "results": [],
            "startedAt": "2024-01-01T00:00:00Z",
            "completedAt": "2024-01-01T00:00:01Z",
        }
    )
    assert parsed.status == "FAILED"
    assert isinstance(parsed.status, BatchStatus)
    assert parsed.status.value == "FAILED"
    assert parsed.to_dict()["status"] == "FAILED"


def test_unknown_category_is_kept_and_known_ones_are_members() -> None:
    parsed = LimitCollection.from_dict(
        {
            "results": [
                {"category": "SOMETHING_NEW", "typeId": 5},
                {"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 2},
            ]
        }
    )
    unknown, known = parsed.results
    assert unknown.category == "SOMETHING_NEW"
    assert str(unknown.category) == "SOMETHING_NEW"
    assert known.category is AssociationCategory.USER_DEFINED
    assert known.user_enforced_max_to_object_ids == 2
    # The pseudo-member does not join the enum's listed members.
    assert [m.value for m in AssociationCategory] == [
        "HUBSPOT_DEFINED",
        "INTEGRATOR_DEFINED",
        "USER_DEFINED",
        "WORK",
    ]


def test_non_string_enum_value_still_fails() -> None:
    try:
        BatchStatus(7)  # type: ignore[arg-type]
    except ValueError:
        pass
    else:  # pragma: no cover - the assertion below explains the failure
        raise AssertionError("a non-string status must not become a member")
