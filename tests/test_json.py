"""hubspot_assoc._json.loads: bounded nesting, no NaN, one error type."""

from __future__ import annotations

import json

import pytest

from hubspot_assoc._json import MAX_DEPTH, JSONError, loads


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_up_to_the_limit_is_read() -> None:
    value = loads(nested(MAX_DEPTH))
    for _ in range(MAX_DEPTH - 1):
        assert isinstance(value, list) and len(value) == 1
        value = value[0]
    assert value == []


@pytest.mark.parametrize("body", [nested(MAX_DEPTH + 1), b"[" * 100_000, b'{"a":' * 100_000])
def test_deeper_nesting_is_rejected_before_parsing(body: bytes) -> None:
    with pytest.raises(JSONError, match=f"deeper than {MAX_DEPTH} levels"):
        loads(body)


def test_brackets_inside_strings_do_not_count() -> None:
    text = "[" * 1000 + "{missingScopes=[a, b]}" + '"\\"[['
    assert loads(json.dumps({"message": text}).encode()) == {"message": text}


def test_utf16_is_read_and_its_depth_checked() -> None:
    assert loads(json.dumps({"a": [1]}).encode("utf-16")) == {"a": [1]}
    with pytest.raises(JSONError, match="deeper"):
        loads(("[" * 1000).encode("utf-16"))


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"NaN", "NaN, which is not valid JSON"),
        (b'{"a": -Infinity}', "-Infinity, which is not valid JSON"),
        (b"", "not valid JSON"),
        (b'{"a": ', "not valid JSON"),
        (b"\xff\xfe\xfa\x00{", "not valid text"),
    ],
)
def test_what_is_not_json_is_one_error_saying_why(body: bytes, reason: str) -> None:
    with pytest.raises(JSONError, match=reason):
        loads(body)
