"""``hubspot-assoc demo``: a guided tour of the client against an in-process sandbox.

It needs no HubSpot account and no network (the sandbox listens on 127.0.0.1), and takes
about a second. Each step prints what it does, the equivalent Python line and CLI command,
and what came back: labels, a limit set and read, the limit enforced on association records
(a third association refused), purged and read again (the third goes through), a
MISSING_SCOPES error explained, and a rate limit (429) retried transparently.
"""

from __future__ import annotations

import logging
import os
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

__all__ = ["run"]

FROM, TO = "contacts", "companies"
LIMIT = 2
WINDOW_SECONDS = 1.0


class _Printer:
    """Numbered steps, plain text; bold headings only on a colour-capable terminal."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.step = 0
        isatty = getattr(out, "isatty", None)
        self.colour = bool(isatty and isatty()) and "NO_COLOR" not in os.environ

    def line(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def heading(self, text: str) -> None:
        self.step += 1
        title = f"{self.step}. {text}"
        self.line()
        self.line(f"\033[1m{title}\033[0m" if self.colour else title)

    def code(self, python: str, cli: str | None = None) -> None:
        self.line(f"   Python: {python}")
        if cli is not None:
            self.line(f"   CLI:    {cli}")

    def block(self, text: str) -> None:
        self.line()
        for row in text.splitlines():
            self.line(f"   {row}" if row else "")


class _Capture(logging.Handler):
    """Collects the ``hubspot_assoc`` logger's request lines during one step."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def _request_log() -> Iterator[_Capture]:
    logger = logging.getLogger("hubspot_assoc")
    capture = _Capture()
    previous = logger.level
    logger.addHandler(capture)
    logger.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        logger.removeHandler(capture)
        logger.setLevel(previous)


def run(out: IO[str] | None = None) -> int:
    """Run the demo, printing to *out* (default stdout); returns the exit code (0)."""
    from hubspot_assoc import BadRequestError, Client, MissingScopesError, RetryPolicy
    from hubspot_assoc.cli import format_batch, format_labels, format_limits
    from hubspot_assoc.sandbox import Sandbox

    p = _Printer(out if out is not None else sys.stdout)
    started = time.perf_counter()
    p.line("hubspot-assoc demo: association labels, limits and records, against a local sandbox")
    p.line("(no HubSpot account, no network; the sandbox speaks HubSpot's API on 127.0.0.1)")

    # Short retry delays, and a sandbox whose rate-limit window is 1 s instead of HubSpot's
    # 10 s (the client learns the window from the answers' headers), keep the rate-limit
    # step short. A real client keeps the defaults.
    retry = RetryPolicy(max_retries=3, initial_delay=0.05, max_delay=0.2)
    with Sandbox(rate_limit=(100, WINDOW_SECONDS)) as sandbox:
        p.line()
        p.line(f"Sandbox running at {sandbox.url}. Every step uses this client:")
        p.line()
        p.line("   from hubspot_assoc import Client")
        p.line("   client = Client()  # token from HUBSPOT_ACCESS_TOKEN")
        with Client(sandbox.token, base_url=sandbox.url, retry=retry) as client:
            p.heading(f"List the association types from {FROM} to {TO}")
            p.code(
                f'client.labels.list("{FROM}", "{TO}")',
                f"hubspot-assoc labels list {FROM} {TO}",
            )
            p.block(format_labels(client.labels.list(FROM, TO)))

            p.heading('Create a USER_DEFINED label, "Decision maker"')
            p.code(
                f'client.labels.create("{FROM}", "{TO}", name="decision_maker", '
                'label="Decision maker")',
                f"hubspot-assoc labels create {FROM} {TO} --name decision_maker "
                '--label "Decision maker"',
            )
            created = client.labels.create(FROM, TO, name="decision_maker", label="Decision maker")
            p.block(format_labels(created))
            type_id = created[0].type_id
            spec = f"USER_DEFINED:{type_id}"

            p.heading(f"Limit it: each contact may have at most {LIMIT} decision-maker companies")
            p.code(
                f'client.limits.create("{FROM}", "{TO}", [("USER_DEFINED", {type_id}, {LIMIT})])',
                f"hubspot-assoc limits create {FROM} {TO} {spec}={LIMIT}",
            )
            result = client.limits.create(FROM, TO, [("USER_DEFINED", type_id, LIMIT)])
            p.block(format_batch("create", FROM, TO, result))

            p.heading("Read the limits of the pair")
            p.code(f'client.limits.get("{FROM}", "{TO}")', f"hubspot-assoc limits get {FROM} {TO}")
            p.block(format_limits(client.limits.get(FROM, TO)))

            p.heading(f"Contact 1 gets {LIMIT} decision-maker companies: both go through")
            p.code(
                f'client.associations.create_many("{FROM}", "{TO}", '
                f'[(1, 101, ["{spec}"]), (1, 102, ["{spec}"])])',
                f"hubspot-assoc associations import {FROM} {TO} pairs.csv --type {spec}",
            )
            made = client.associations.create_many(FROM, TO, [(1, 101, [spec]), (1, 102, [spec])])
            p.block(
                f"{len(made.succeeded)} of 2 associated; contact 1 is now associated with "
                + ", ".join(f"company {a.to_id}" for a in client.associations.list(FROM, 1, TO))
            )

            p.heading("A third one is refused: HubSpot enforces the limit")
            p.code(
                f'client.associations.associate("{FROM}", 1, "{TO}", 103, ["{spec}"])',
                f"hubspot-assoc associations associate {FROM} 1 {TO} 103 --type {spec}",
            )
            try:
                client.associations.associate(FROM, 1, TO, 103, [spec])
            except BadRequestError as exc:
                p.block(
                    textwrap.fill(
                        f"BadRequestError ({exc.category}): {exc.message}",
                        96,
                        break_on_hyphens=False,
                    )
                )
            else:  # pragma: no cover - the sandbox enforces limits
                raise RuntimeError("the sandbox accepted an association over the limit")

            p.heading("Purge the limit (the default applies again; no association is deleted)")
            p.code(
                f'client.limits.purge("{FROM}", "{TO}", [("USER_DEFINED", {type_id})])',
                f"hubspot-assoc limits purge {FROM} {TO} {spec} --yes",
            )
            result = client.limits.purge(FROM, TO, [("USER_DEFINED", type_id)])
            p.block(format_batch("purge", FROM, TO, result))

            p.heading("Read them again: the limit is gone")
            p.code(f'client.limits.get("{FROM}", "{TO}")', f"hubspot-assoc limits get {FROM} {TO}")
            after = client.limits.get(FROM, TO)
            p.block(format_limits(after))
            mine = next((x for x in after if x.type_id == type_id), None)
            if mine is None or mine.max_to_object_ids is not None:  # pragma: no cover
                raise RuntimeError("the sandbox still reports the purged limit")

            p.heading("The third association goes through now")
            p.code(
                f'client.associations.associate("{FROM}", 1, "{TO}", 103, ["{spec}"])',
                f"hubspot-assoc associations associate {FROM} 1 {TO} 103 --type {spec}",
            )
            third = client.associations.associate(FROM, 1, TO, 103, [spec])
            count = len(list(client.associations.list(FROM, 1, TO)))
            p.block(
                f"Associated contact {third.from_id} with company {third.to_id} "
                f"({', '.join(third.labels) or spec}); contact 1 now has {count} companies."
            )

            p.heading("A token without the write scopes: a MISSING_SCOPES error, explained")
            read_only = sandbox.create_token(
                scopes=["crm.objects.contacts.read", "crm.objects.companies.read"]
            )
            p.line("   (a private app token that may read contacts and companies, not write them)")
            p.code(
                "try:\n"
                f"{' ' * 15}client.limits.purge"
                f'("{FROM}", "{TO}", [("USER_DEFINED", {type_id})])\n'
                "           except MissingScopesError as exc:\n"
                "               print(exc.missing_scopes)"
            )
            with Client(read_only, base_url=sandbox.url, retry=retry) as limited:
                try:
                    limited.limits.purge(FROM, TO, [("USER_DEFINED", type_id)])
                except MissingScopesError as exc:
                    p.block(
                        textwrap.fill(f"MissingScopesError: {exc}", 96, break_on_hyphens=False)
                        + "\n\n"
                        f"exc.missing_scopes == {exc.missing_scopes!r}\n"
                        "(the CLI prints the same message and exits with code 1)"
                    )
                else:  # pragma: no cover - the sandbox enforces scopes
                    raise RuntimeError("the sandbox accepted a token without the write scopes")

            p.heading("HubSpot says 429 (rate limit): the client waits and retries by itself")
            sandbox.inject(429, route="limits.list", count=1)
            p.line("   (the sandbox will answer the next read of a pair's limits with a 429)")
            p.code(
                f'client.limits.get("{FROM}", "{TO}")',
                f"hubspot-assoc -v limits get {FROM} {TO}",
            )
            before = len(sandbox.requests)
            call_started = time.perf_counter()
            with _request_log() as log:
                limits = client.limits.get(FROM, TO)
            waited = time.perf_counter() - call_started
            received = sandbox.requests[before:]
            statuses = " then ".join(str(r.status) for r in received)
            p.block(
                "The client's request log (logger 'hubspot_assoc', DEBUG; -v on the CLI):\n"
                + "\n".join(f"  {line}" for line in log.lines)
                + f"\n\nThe sandbox answered {statuses}. Its 429 said the rate-limit window "
                f"was full, so the\nclient waited for room in it (the window is "
                f"{WINDOW_SECONDS:g} s long here, 10 s at HubSpot)\nand retried: the call took "
                f"{waited:.1f} s and returned {len(limits)} association types."
            )

    p.line()
    p.line(f"Done in {time.perf_counter() - started:.1f} s. Next:")
    p.line("   export HUBSPOT_ACCESS_TOKEN=pat-...   # a private app token of your portal")
    p.line("   hubspot-assoc limits list")
    p.line("   hubspot-assoc sandbox --port 8080     # this sandbox, for your own experiments")
    return 0
