"""Careless input: labels, batch sizes, the CATEGORY:ID form, tokens with a BOM (issue 11,
points 7-8), for both clients, against the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hubspot_assoc import AsyncClient, Client, InvalidInputError, OAuth
from hubspot_assoc.sandbox import Sandbox

from .conftest import call


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(rate_limit=None) as sandbox:
        yield sandbox


def _client(sb: Sandbox, **options: Any) -> Any:
    return lambda cls: cls(sb.token, base_url=sb.url, retry=None, **options)


# -- 7: labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label",
    [
        "\U0001f468\u200d\U0001f4bb Tech lead",  # zero-width joiner
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, zero-width non-joiner
        "co\u00adowner",  # soft hyphen
        "\u200fright-to-left mark",
    ],
    ids=["zwj-emoji", "persian-zwnj", "soft-hyphen", "rlm"],
)
def test_labels_with_format_characters_are_accepted(kind: str, sb: Sandbox, label: str) -> None:
    made = call(
        kind,
        _client(sb),
        lambda c: c.labels.create("contacts", "companies", name="teammate", label=label),
    )
    assert made[0].label == label
    assert sb.requests[-1].body["label"] == label


@pytest.mark.parametrize(
    "label",
    [
        "Tech\nlead",
        "Tech\rlead",
        "Tech\tlead",
        "Tech\x00lead",
        "Tech\x7flead",
        "Tech\x85lead",
        "Tech\u2028lead",
        "Tech\u2029lead",
        "Tech\ud800lead",
    ],
    ids=["LF", "CR", "TAB", "NUL", "DEL", "NEL", "LINE-SEP", "PARA-SEP", "surrogate"],
)
@pytest.mark.parametrize("argument", ["label", "inverse_label"])
def test_labels_with_control_characters_or_line_breaks_are_refused(
    kind: str, sb: Sandbox, label: str, argument: str
) -> None:
    fields = {"label": "Teammate", argument: label}
    with pytest.raises(InvalidInputError) as caught:
        call(
            kind,
            _client(sb),
            lambda c: c.labels.create("contacts", "companies", name="teammate", **fields),
        )
    assert caught.value.argument == argument
    assert "line breaks" in str(caught.value)
    assert sb.requests == []


# -- 8: batch_size ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [101, 1_000, 0, -1, True, 2.0])
@pytest.mark.parametrize("method", ["create", "update", "purge"])
def test_batch_size_outside_1_to_100_is_refused(
    kind: str, sb: Sandbox, size: Any, method: str
) -> None:
    item = ("HUBSPOT_DEFINED", 279) if method == "purge" else ("HUBSPOT_DEFINED", 279, 5)
    with pytest.raises(InvalidInputError) as caught:
        call(
            kind,
            _client(sb),
            lambda c: getattr(c.limits, method)("contacts", "companies", [item], batch_size=size),
        )
    assert caught.value.argument == "batch_size"
    assert "1 to 100" in caught.value.allowed
    assert sb.requests == []


def test_batch_size_100_is_accepted(kind: str, sb: Sandbox) -> None:
    call(
        kind,
        _client(sb),
        lambda c: c.limits.purge(
            "contacts", "companies", [("HUBSPOT_DEFINED", 279)], batch_size=100
        ),
    )
    assert [r.status for r in sb.requests] == [204]


# -- 8: the CATEGORY:ID text form --------------------------------------------------------------


def test_text_items_work_for_create_update_and_purge(kind: str, sb: Sandbox) -> None:
    made = call(
        kind,
        _client(sb),
        lambda c: c.limits.create(
            "contacts", "companies", ["HUBSPOT_DEFINED:279=5", "hubspot_defined:1 = 3"]
        ),
    )
    assert made.ok and sb.state.limits("contacts", "companies") == {
        ("HUBSPOT_DEFINED", 279): 5,
        ("HUBSPOT_DEFINED", 1): 3,
    }
    call(
        kind,
        _client(sb),
        lambda c: c.limits.update("contacts", "companies", [" HUBSPOT_DEFINED : 279=7 "]),
    )
    assert sb.state.limits("contacts", "companies")[("HUBSPOT_DEFINED", 279)] == 7
    call(
        kind,
        _client(sb),
        lambda c: c.limits.purge("contacts", "companies", ["HUBSPOT_DEFINED:279"]),
    )
    assert sb.state.limits("contacts", "companies") == {("HUBSPOT_DEFINED", 1): 3}


@pytest.mark.parametrize(
    ("method", "item", "hint"),
    [
        ("purge", "USER_DEFINED:279=5", "remove the =MAX"),
        ("create", "USER_DEFINED:279", "the =MAX is missing"),
        ("purge", "USER_DEFINED:\uff12\uff17\uff19", None),
        ("purge", "USER_DEFINED:2_79", None),
        ("purge", "USER_DEFINED 279", None),
        ("purge", "NOT_A_CATEGORY:279", None),
    ],
)
def test_bad_text_items_are_refused_naming_the_item(
    kind: str, sb: Sandbox, method: str, item: str, hint: str | None
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        call(
            kind, _client(sb), lambda c: getattr(c.limits, method)("contacts", "companies", [item])
        )
    assert caught.value.argument.startswith("items[0]")
    if hint is not None:
        assert caught.value.hint == hint
    assert sb.requests == []


def test_a_lone_text_item_is_told_to_go_in_a_list(kind: str, sb: Sandbox) -> None:
    with pytest.raises(InvalidInputError) as caught:
        call(
            kind, _client(sb), lambda c: c.limits.purge("contacts", "companies", "USER_DEFINED:279")
        )
    assert "['USER_DEFINED:279']" in str(caught.value)


# -- 8: tokens with a byte order mark or whitespace ------------------------------------------


@pytest.mark.parametrize(
    "dressing", [("\ufeff", ""), ("\ufeff", "\r\n"), (" \t", "\n"), ("\ufeff ", " ")]
)
def test_token_with_bom_and_whitespace_is_cleaned(
    kind: str, sb: Sandbox, dressing: tuple[str, str]
) -> None:
    token = dressing[0] + sb.token + dressing[1]
    listed = call(
        kind,
        lambda cls: cls(token, base_url=sb.url, retry=None),
        lambda c: c.labels.list("contacts", "companies"),
    )
    assert listed
    assert sb.requests[-1].token == sb.token


def test_token_from_the_environment_with_bom_is_cleaned(
    kind: str, sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_ACCESS_TOKEN", "\ufeff" + sb.token + "\n")
    call(
        kind,
        lambda cls: cls(base_url=sb.url, retry=None),
        lambda c: c.labels.list("contacts", "companies"),
    )
    assert sb.requests[-1].token == sb.token


def test_oauth_secrets_with_bom_are_cleaned(kind: str, sb: Sandbox) -> None:
    app = sb.create_oauth_app()
    oauth = OAuth(
        client_id=app.client_id,
        client_secret="\ufeff" + app.client_secret + "\n",
        refresh_token="\ufeff" + app.refresh_token + "\r\n",
    )
    assert oauth.refresh_token == app.refresh_token
    call(
        kind,
        lambda cls: cls(oauth=oauth, base_url=sb.url, retry=None),
        lambda c: c.labels.list("contacts", "companies"),
    )
    assert sb.refresh_count == 1


@pytest.mark.parametrize("inner", ["\u200b", "\u00a0", "\ufeff", "\u00e9"])
def test_token_with_an_invisible_or_non_ascii_character_inside_is_refused(
    inner: str,
) -> None:
    secret = "pat-na1-1234" + inner + "5678-abcd"
    for cls in (Client, AsyncClient):
        with pytest.raises(InvalidInputError) as caught:
            cls(secret, base_url="http://127.0.0.1:9")
        assert caught.value.argument == "access_token"
        assert "1234" not in str(caught.value) + repr(caught.value)


def test_cli_token_file_with_bom_and_crlf_works(sb: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "token.txt"
    path.write_bytes(b"\xef\xbb\xbf" + sb.token.encode() + b"\r\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUBSPOT_")}
    env["HUBSPOT_BASE_URL"] = sb.url
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "hubspot_assoc",
            "--token-file",
            str(path),
            "--json",
            "labels",
            "list",
            "contacts",
            "companies",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert sb.requests[-1].token == sb.token
    assert sb.token not in run.stdout + run.stderr
