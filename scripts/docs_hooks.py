"""MkDocs hooks: the parts of the documentation that are written by the code itself.

A page marks a generated section with an HTML comment on a line of its own:

- ``<!-- generated: cli-reference -->`` becomes the ``--help`` of every command, read from
  the argparse parser the ``hubspot-assoc`` command uses;
- ``<!-- generated: error-catalogue -->`` becomes one entry per exception class, with its
  docstring and the messages the library produces for answers of the shapes HubSpot sends.

Because both are produced at build time from the code, neither can drift from it; the
tests call the same functions (``tests/test_docs.py``).
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

MARKER = re.compile(r"^<!-- generated: ([a-z-]+) -->$", re.MULTILINE)


def on_page_markdown(markdown: str, **_: Any) -> str:
    """Replace each generated-section marker of a page with its content."""
    return MARKER.sub(lambda match: GENERATORS[match.group(1)](), markdown)


# --------------------------------------------------------------------------- the CLI


def _subparsers(parser: Any) -> Iterator[tuple[str, Any]]:
    import argparse

    for action in parser._actions:  # argparse offers no public way to walk sub-commands
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def _walk(parser: Any, words: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield words, parser
    for name, child in _subparsers(parser):
        yield from _walk(child, [*words, name])


def cli_reference() -> str:
    """Markdown with the ``--help`` text of ``hubspot-assoc`` and of every sub-command."""
    from hubspot_assoc.cli import build_parser

    parser = build_parser()
    sections = []
    for words, sub in _walk(parser, ["hubspot-assoc"]):
        command = " ".join(words)
        level = "#" * min(len(words) + 1, 4)
        # A fixed width keeps the text identical whatever terminal builds the docs.
        sub.formatter_class = _fixed_width(sub.formatter_class)
        sections.append(f"{level} `{command}`\n\n```text\n{sub.format_help().rstrip()}\n```\n")
    return "\n".join(sections)


def _fixed_width(formatter: Any) -> Any:
    def make(prog: str) -> Any:
        return formatter(prog, width=96)

    return make


# --------------------------------------------------------------------------- the errors

_CORRELATION = "5b1a7c2e-0d4f-4a61-9b3e-2f8d6c7e1a90"
_API = "https://api.hubapi.com/crm/associations/v4/definitions/configurations/contacts/companies"


def _answer(
    status: int,
    body: object,
    *,
    method: str = "POST",
    url: str = _API + "/batch/purge",
    headers: dict[str, str] | None = None,
) -> Any:
    import httpx

    request = httpx.Request(method, url)
    if isinstance(body, str):
        return httpx.Response(status, text=body, headers=headers, request=request)
    content = json.dumps(body).encode()
    all_headers = {"content-type": "application/json", **(headers or {})}
    return httpx.Response(status, content=content, headers=all_headers, request=request)


def _hubspot(category: str, message: str, **extra: object) -> dict[str, object]:
    return {
        "status": "error",
        "message": message,
        "correlationId": _CORRELATION,
        "category": category,
        **extra,
    }


def _raised(call: Callable[[], object]) -> BaseException:
    try:
        call()
    except Exception as exc:
        return exc
    raise AssertionError(f"{call} raised nothing")


def _through_client(
    answer: Callable[[Any], Any], call: Callable[[Any], object], **settings: Any
) -> Callable[[], BaseException]:
    """What a whole call raises when HubSpot (played by *answer*) answers it: retries,
    reading the body and the batch outcome included."""

    def make() -> BaseException:
        import httpx

        from hubspot_assoc import Client, RetryPolicy

        settings.setdefault("retry", RetryPolicy(max_retries=2, initial_delay=0.001))
        if "oauth" not in settings:
            settings["access_token"] = "pat-na1-example"
        http = httpx.Client(transport=httpx.MockTransport(answer))
        with Client(rate_limit=None, http_client=http, **settings) as client:
            return _raised(lambda: call(client))

    return make


def _examples() -> dict[str, list[Callable[[], BaseException]]]:
    """For each exception class, calls that make the library produce one of it."""
    import httpx

    from hubspot_assoc import Client, OAuth
    from hubspot_assoc.errors import error_from_response

    def api(status: int, body: object, **kwargs: Any) -> Callable[[], BaseException]:
        return lambda: error_from_response(_answer(status, body, **kwargs))

    def reply(status: int, body: object = None, **headers: str) -> Callable[[Any], Any]:
        def answer(request: httpx.Request) -> httpx.Response:
            if isinstance(body, str):
                return httpx.Response(status, text=body, headers=headers)
            if body is None:
                return httpx.Response(status, headers=headers)
            return httpx.Response(status, json=body, headers=headers)

        return answer

    def unreachable(error: type[httpx.TransportError]) -> Callable[[Any], Any]:
        def answer(request: httpx.Request) -> httpx.Response:
            raise error("no answer", request=request)

        return answer

    pair = ("contacts", "companies")

    def create(client: Any) -> Any:
        return client.limits.create(*pair, [("USER_DEFINED", 279, 5)])

    def create_checked(client: Any) -> object:
        items = [("USER_DEFINED", 279, 5), ("USER_DEFINED", 36, 5), ("HUBSPOT_DEFINED", 1, 5)]
        return client.limits.create(*pair, items).raise_for_errors()

    batch_done = {
        "status": "COMPLETE",
        "results": [{"category": "USER_DEFINED", "typeId": 279, "userEnforcedMaxToObjectIds": 5}],
        "startedAt": "2026-01-01T10:00:00Z",
        "completedAt": "2026-01-01T10:00:01Z",
    }
    refused_refresh = {
        "error": "invalid_grant",
        "status": "BAD_REFRESH_TOKEN",
        "error_description": "missing or invalid refresh token",
        "correlationId": _CORRELATION,
    }

    def no_credentials() -> BaseException:
        import os

        saved = os.environ.pop("HUBSPOT_ACCESS_TOKEN", None)
        try:
            return _raised(Client)
        finally:
            if saved is not None:
                os.environ["HUBSPOT_ACCESS_TOKEN"] = saved

    def invalid_category() -> BaseException:
        with Client("pat-na1-example", retry=None) as client:
            return _raised(
                lambda: client.limits.purge("contacts", "companies", [("USER_DEFIND", 279)])
            )

    def invalid_key() -> BaseException:
        item = {"category": "USER_DEFINED", "typeID": 279, "maxToObjectIds": 5}
        with Client("pat-na1-example", retry=None) as client:
            return _raised(lambda: client.limits.create("contacts", "companies", [item]))

    def partial_batch() -> BaseException:
        # A real 207 from the sandbox: one limit is accepted, the other refused.
        from hubspot_assoc.sandbox import Sandbox

        with Sandbox() as sandbox, Client(sandbox.token, base_url=sandbox.url) as client:
            items = [("USER_DEFINED", 1000, 2), ("HUBSPOT_DEFINED", 1, 2)]
            result = client.limits.create("contacts", "companies", items)
            return _raised(result.raise_for_errors)

    scopes_message = "This app hasn't been granted all required scopes to make this call."
    return {
        "InvalidInputError": [invalid_category, invalid_key],
        "MissingCredentialsError": [no_credentials],
        "APIConnectionError": [_through_client(unreachable(httpx.ConnectError), create)],
        "APITimeoutError": [_through_client(unreachable(httpx.ReadTimeout), create)],
        "BadRequestError": [
            api(
                400,
                _hubspot(
                    "VALIDATION_ERROR",
                    "Invalid input JSON on line 1, column 40.",
                    errors=[
                        {
                            "message": "Expected an integer but got 'abc'",
                            "code": "INVALID_INTEGER",
                            "in": "inputs[0].typeId",
                        }
                    ],
                ),
            )
        ],
        "AuthenticationError": [
            api(
                401,
                _hubspot(
                    "EXPIRED_AUTHENTICATION",
                    "The OAuth token used to make this call expired 12 second(s) ago.",
                ),
            ),
            api(
                401,
                _hubspot("INVALID_AUTHENTICATION", "Authentication credentials not found."),
                method="GET",
                url=_API,
            ),
            # A refused OAuth refresh: only the short codes are kept, never the description.
            _through_client(
                reply(400, refused_refresh),
                lambda client: client.limits.list(),
                oauth=OAuth(client_id="cid", client_secret="secret", refresh_token="rt-1"),
            ),
        ],
        "PermissionDeniedError": [
            api(403, _hubspot("FORBIDDEN", "This account does not have access to this feature."))
        ],
        "MissingScopesError": [
            api(
                403,
                _hubspot(
                    "MISSING_SCOPES",
                    scopes_message,
                    context={"missingScopes": ["crm.objects.contacts.write"]},
                ),
            ),
            # "One or more of": any one of the scopes named is enough.
            api(
                403,
                _hubspot(
                    "MISSING_SCOPES",
                    scopes_message,
                    errors=[
                        {
                            "message": "One or more of the following scopes are required.",
                            "context": {
                                "requiredGranularScopes": [
                                    "crm.objects.contacts.write",
                                    "crm.objects.companies.write",
                                ]
                            },
                        }
                    ],
                ),
            ),
        ],
        "NotFoundError": [
            api(
                404,
                _hubspot("OBJECT_NOT_FOUND", "Unable to infer object type from: contactz"),
                method="GET",
                url=_API.replace("contacts/", "contactz/"),
            )
        ],
        "ConflictError": [
            api(
                409,
                _hubspot("CONFLICT", "An association label with this name already exists."),
                url="https://api.hubapi.com/crm/associations/v4/contacts/companies/labels",
            )
        ],
        "RateLimitError": [
            api(
                429,
                {
                    "status": "error",
                    "message": "You have reached your ten_secondly_rolling limit.",
                    "errorType": "RATE_LIMIT",
                    "correlationId": _CORRELATION,
                    "policyName": "TEN_SECONDLY_ROLLING",
                },
            ),
            api(
                429,
                {
                    "status": "error",
                    "message": "You have reached your daily limit.",
                    "errorType": "RATE_LIMIT",
                    "correlationId": _CORRELATION,
                    "policyName": "DAILY",
                },
            ),
        ],
        "ServerError": [
            api(
                502,
                "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
                headers={"content-type": "text/html"},
            ),
            api(524, "", method="GET", url=_API),
        ],
        "UnexpectedResponseError": [
            api(418, "short and stout", method="GET", url=_API, headers={"content-type": "text"}),
            _through_client(
                reply(200, "<html>", **{"x-hubspot-correlation-id": _CORRELATION}),
                lambda client: client.limits.get(*pair),
            ),
            _through_client(reply(202, {"category": "X", "message": "m"}), create),
        ],
        "BatchPartialFailureError": [
            partial_batch,
            _through_client(
                reply(
                    207,
                    {
                        **batch_done,
                        "numErrors": 1,
                        "errors": [
                            {
                                "status": "error",
                                "category": "VALIDATION_ERROR",
                                "message": "Association type 1 does not support a user limit.",
                                "context": {"typeId": ["1"]},
                            }
                        ],
                    },
                ),
                create_checked,
            ),
            _through_client(
                reply(201, {**batch_done, "status": "CANCELED", "results": []}),
                lambda client: create(client).raise_for_errors(),
            ),
        ],
    }


def _error_classes() -> list[type[BaseException]]:
    import hubspot_assoc.errors as errors

    classes = []
    for name in errors.__all__:
        value = getattr(errors, name)
        if inspect.isclass(value) and issubclass(value, errors.HubSpotError):
            classes.append(value)
    return classes


def error_catalogue() -> str:
    """Markdown: every exception class, its docstring and messages the code produces."""
    from hubspot_assoc.errors import HubSpotError

    examples = _examples()
    parts = []
    for cls in _error_classes():
        bases = ", ".join(f"`{base.__name__}`" for base in cls.__bases__)
        doc = inspect.cleandoc(cls.__doc__ or "")
        doc = doc.split("\n>>>", 1)[0].strip()
        parts.append(f"### `{cls.__name__}`\n\nSubclass of {bases}.\n\n{doc}\n")
        for make in examples.get(cls.__name__, []):
            error = make()
            if not isinstance(error, cls) or not isinstance(error, HubSpotError):
                raise AssertionError(f"the example for {cls.__name__} made {type(error)!r}")
            parts.append(f"```text\n{error}\n```\n")
    return "\n".join(parts)


GENERATORS: dict[str, Callable[[], str]] = {
    "cli-reference": cli_reference,
    "error-catalogue": error_catalogue,
}
