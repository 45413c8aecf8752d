"""Pieces of ``hubspot-assoc associations`` tested in process: the progress bar and the summary."""

from __future__ import annotations

import argparse
import io

from hubspot_assoc.bulk import JobSummary
from hubspot_assoc.cli.associations import _Bar, _report_job
from hubspot_assoc.cli.context import Context


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def context(json: bool = False) -> Context:
    args = argparse.Namespace(json=json)
    return Context(args, io.StringIO(), Terminal())


def test_the_bar_redraws_one_line_and_ends_it() -> None:
    ctx = context()
    bar = _Bar(ctx, "import")
    summary = JobSummary("import-create", "contacts", "companies")
    bar(500, 1000, summary)
    bar(1000, 1000, summary)
    bar.finish()
    text = ctx.stderr.getvalue()
    assert text.count("\r") == 2 and text.endswith("\n")
    assert "[###############---------------] 500/1,000 rows  50%" in text
    assert "1,000/1,000 rows 100%" in text


def test_the_summary_and_its_exit_codes() -> None:
    ctx = context()
    done = JobSummary("import-create", "c", "d", rows=10, applied=10, calls=1, seconds=0.2)
    assert _report_job(ctx, done) == 0
    assert "10 associations written, 0 rejected" in ctx.stdout.getvalue()
    ctx = context()
    rejected = JobSummary("import-remove", "c", "d", rows=10, applied=8, rejected=2)
    assert _report_job(ctx, rejected) == 3
    assert "8 associations removed" in ctx.stdout.getvalue()
    assert "--rejects PATH" in ctx.stdout.getvalue()
    ctx = context(json=True)
    stopped = JobSummary("export", "c", "d", rows=4, interrupted=True, checkpoint="ck")
    assert _report_job(ctx, stopped) == 130
    assert '"interrupted": true' in ctx.stdout.getvalue()
    assert "Resume with the same command" in ctx.stderr.getvalue()
