"""``hubspot-assoc associations ...``: one record's associations, and bulk import/export jobs.

The bulk jobs are :mod:`hubspot_assoc.bulk`'s; this module parses the command line, draws a
progress bar on a terminal, turns Ctrl-C into a clean stop, and prints the summary.
"""

from __future__ import annotations

import contextlib

from hubspot_assoc.cli.args import add_confirm_options, add_leaf, parse_specs
from hubspot_assoc.cli.confirm import confirm
from hubspot_assoc.cli.exits import EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL, PROG, UsageError
from hubspot_assoc.cli.report import print_dry_run

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from hubspot_assoc.bulk import JobSummary, Mode
    from hubspot_assoc.cli.context import Context

__all__ = ["register"]

_TYPE_HELP = "association type CATEGORY:ID, e.g. USER_DEFINED:1000 (repeatable)"


def register(group: Any) -> None:
    """Add the ``associations`` actions to *group* (see ``parser.COMMAND_GROUPS``)."""
    sub = add_leaf(group, "list", "list one record's associations to an object type", assoc_list)
    _record_args(sub, to_id=False)
    sub.add_argument(
        "--page-size", type=int, default=500, metavar="N", help="records per request (1-500)"
    )

    sub = add_leaf(group, "associate", "associate two records", assoc_associate)
    _record_args(sub, to_id=True)
    _type_option(sub, "none: the default (unlabelled) association")

    sub = add_leaf(group, "remove", "remove every association between two records", assoc_remove)
    _record_args(sub, to_id=True)
    add_confirm_options(sub, yes=True)

    what = "write (or remove) the associations listed in a file"
    sub = add_leaf(group, "import", what, assoc_import, pair=True)
    sub.add_argument("file", metavar="FILE", help="CSV (from_id,to_id[,types]) or JSON Lines")
    _type_option(sub, "for rows that name none")
    sub.add_argument(
        "--remove",
        action="store_true",
        help="remove the listed associations instead of writing them",
    )
    sub.add_argument(
        "--dry-run",
        action="store_true",
        help="read the file and report what would be sent (and what is unreadable); send nothing",
    )
    _job_args(sub)

    what = "write the associations of the listed records to a file"
    sub = add_leaf(group, "export", what, assoc_export, pair=True)
    sub.add_argument(
        "--ids",
        required=True,
        metavar="FILE",
        help="record ids, one per line (or a CSV with an id column)",
    )
    sub.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="where to write (default: stdout); .jsonl writes JSON Lines",
    )
    _job_args(sub)


def _type_option(sub: Any, when_none: str) -> None:
    """``--type CATEGORY:ID`` (repeatable); *when_none* says what giving none means."""
    sub.add_argument(
        "--type",
        dest="types",
        action="append",
        default=[],
        metavar="CATEGORY:ID",
        help=f"{_TYPE_HELP}; {when_none}",
    )


def _record_args(sub: Any, *, to_id: bool) -> None:
    sub.add_argument("from_type", metavar="FROM", help="object type, e.g. contacts or 0-1")
    sub.add_argument("from_id", metavar="FROM_ID", help="record id, e.g. 12345")
    sub.add_argument("to_type", metavar="TO", help="object type, e.g. companies or 0-2")
    if to_id:
        sub.add_argument("to_id", metavar="TO_ID", help="record id, e.g. 67890")


def _job_args(sub: Any) -> None:
    sub.add_argument(
        "--format",
        choices=("csv", "jsonl"),
        default=None,
        help="file format (default: from the file name; .jsonl is JSON Lines)",
    )
    sub.add_argument(
        "--checkpoint",
        metavar="PATH",
        help="keep progress here; run the same command again to resume",
    )
    sub.add_argument(
        "--rejects",
        metavar="PATH",
        help="write refused and unreadable rows here (CSV with the reason)",
    )
    sub.add_argument(
        "--batch-size",
        type=int,
        default=100,
        metavar="N",
        help="rows per request (1-100, default 100)",
    )


def _types(context: Context) -> list[str]:
    parsed = parse_specs(context.args.types, with_max=False)
    return [f"{category}:{type_id}" for category, type_id, _ in parsed]


def _type_keys(context: Context) -> list[tuple[str, int]]:
    return [
        (category, type_id)
        for category, type_id, _ in parse_specs(context.args.types, with_max=False)
    ]


def _association_json(item: Any) -> dict[str, Any]:
    return {
        "from_id": item.from_id,
        "to_id": item.to_id,
        "to_type": item.to_type,
        "types": [
            {"category": str(t.category), "type_id": t.type_id, "label": t.label}
            for t in item.types
        ],
    }


def _describe_types(item: Any) -> str:
    return ", ".join(
        f"{t.category}:{t.type_id}" + (f" ({t.label})" if t.label else "") for t in item.types
    )


# --------------------------------------------------------------------------- one record


def assoc_list(context: Context) -> int:
    """``associations list FROM FROM_ID TO``."""
    args = context.args
    with context.client() as client:
        found = client.associations.list(
            args.from_type, args.from_id, args.to_type, page_size=args.page_size
        )
        items = list(found)
    if context.json:
        context.emit_json(
            {
                "from_type": args.from_type,
                "from_id": args.from_id,
                "to_type": args.to_type,
                "associations": [_association_json(a) for a in items],
            }
        )
        return EXIT_OK
    if not items:
        context.out(f"{args.from_type} {args.from_id} has no associations to {args.to_type}.")
        return EXIT_OK
    width = max(len(a.to_id) for a in items)
    for item in items:
        context.out(f"{item.to_id:>{width}}  {_describe_types(item)}")
    return EXIT_OK


def assoc_associate(context: Context) -> int:
    """``associations associate FROM FROM_ID TO TO_ID [--type C:ID]...``."""
    args = context.args
    types = _types(context) or None
    with context.client() as client:
        made = client.associations.associate(
            args.from_type, args.from_id, args.to_type, args.to_id, types
        )
    return context.answer(
        {"associated": True, **_association_json(made)},
        f"Associated {args.from_type} {made.from_id} with {args.to_type} {made.to_id} "
        f"({_describe_types(made) or 'default type'}).",
    )


def assoc_remove(context: Context) -> int:
    """``associations remove FROM FROM_ID TO TO_ID``."""
    from hubspot_assoc import record_operations as rops

    args = context.args
    operation = rops.remove(args.from_type, args.from_id, args.to_type, args.to_id)
    # The operation refused any id that is not a plain record id, so the text is the id.
    source, target = args.from_id, args.to_id
    if args.dry_run:
        return print_dry_run(context, [operation])
    confirm(
        context,
        f"This removes every association between {args.from_type} {source} and "
        f"{args.to_type} {target}, in both directions.",
        "Remove them?",
    )
    with context.client() as client:
        client._execute(operation)
    document = {
        "from_type": args.from_type,
        "from_id": source,
        "to_type": args.to_type,
        "to_id": target,
        "removed": True,
    }
    return context.answer(
        document,
        f"Removed the associations between {args.from_type} {source} and {args.to_type} {target}.",
    )
    context.out(
        f"Removed the associations between {args.from_type} {source} and {args.to_type} {target}."
    )
    return EXIT_OK


# --------------------------------------------------------------------------- bulk jobs


class _Bar:
    """A one-line progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, context: Context, what: str) -> None:
        import time

        self.context = context
        self.what = what
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int | None, summary: JobSummary) -> None:
        import time

        now = time.monotonic()
        if now - self.last < 0.1 and (total is None or done < total):
            return
        self.last = now
        rate = done / max(now - self.started, 1e-6)
        if total:
            share = min(done / total, 1.0)
            filled = int(share * 30)
            bar = "#" * filled + "-" * (30 - filled)
            left = (total - done) / rate if rate > 0 else 0
            text = (
                f"\r{self.what} [{bar}] {done:,}/{total:,} rows {share:4.0%} "
                f"{rate:,.0f} rows/s, {left:,.0f} s left "
            )
        else:
            text = f"\r{self.what}: {done:,} rows, {rate:,.0f} rows/s "
        self.context.stderr.write(text)
        self.context.stderr.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.context.stderr.write("\n")
            self.context.stderr.flush()


def _resume_hint(context: Context) -> str:
    import shlex
    import sys

    argv = [PROG, *sys.argv[1:]] if sys.argv and sys.argv[0] else [PROG]
    return " ".join(shlex.quote(a) for a in argv)


def _run_job(context: Context, job: Any, what: str, total: int | None) -> int:
    """Run *job* with a progress bar on a terminal and a clean stop on Ctrl-C."""
    import signal

    bar = _Bar(context, what) if (not context.json and context.stderr.isatty()) else None
    job.progress = bar
    interrupts = [0]

    def on_interrupt(signum: int, frame: Any) -> None:
        interrupts[0] += 1
        if interrupts[0] > 1:
            raise KeyboardInterrupt
        job.stop()
        if not context.json:
            context.err(
                f"\n{PROG}: stopping after the request in flight "
                "(press Ctrl-C again to stop at once)..."
            )

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        summary: JobSummary = job.run(total)
    except KeyboardInterrupt:
        if bar is not None:
            bar.finish()
        job.summary.interrupted = True
        if context.json:
            context.emit_json(job.summary.to_json())
        checkpoint = job.checkpoint.path
        hint = (
            f" Resume with the same command (its --checkpoint {checkpoint} says where "
            "to go on; rows in flight are checked before they are sent again)."
        )
        context.err(f"{PROG}: stopped at once.{hint if checkpoint else ''}")
        return EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGINT, previous)
    if bar is not None:
        bar.finish()
    return _report_job(context, summary)


def _report_job(context: Context, summary: JobSummary) -> int:
    code = EXIT_OK
    if summary.interrupted:
        code = EXIT_INTERRUPTED
    elif summary.rejected:
        code = EXIT_PARTIAL
    if context.json:
        context.emit_json(summary.to_json())
    else:
        verb = {"import-create": "written", "import-remove": "removed", "export": "exported"}
        done = verb.get(summary.operation, "done")
        already = f" ({summary.already:,} found already in effect)" if summary.already else ""
        context.out(
            f"{summary.applied:,} associations {done}{already}, {summary.rejected:,} rejected, "
            f"{summary.rows:,} rows read, {summary.calls:,} requests, {summary.seconds:,.1f} s."
        )
        if summary.rejected and summary.rejects:
            context.out(f"Rejected rows and the reasons: {summary.rejects}")
        elif summary.rejected:
            context.out("Pass --rejects PATH to keep the rejected rows and the reasons.")
    # How to resume goes to stderr, with or without --json (stdout keeps one document).
    if summary.interrupted:
        if summary.checkpoint:
            context.err(
                f"{PROG}: interrupted. Resume with the same command; "
                f"--checkpoint {summary.checkpoint} says where to go on:\n  "
                f"{_resume_hint(context)}"
            )
        else:
            context.err(
                f"{PROG}: interrupted after {summary.rows:,} rows. Without "
                "--checkpoint the job cannot resume; run it again with one."
            )
    return code


@contextlib.contextmanager
def _usage_errors() -> Iterator[None]:
    """A job that cannot start (missing file, another job's checkpoint) is a usage error."""
    from hubspot_assoc.bulk import BulkError

    try:
        yield
    except BulkError as exc:
        raise UsageError(str(exc)) from None


def _batch_size(context: Context) -> int:
    size = context.args.batch_size
    if not 1 <= size <= 100:
        raise UsageError(f"--batch-size {size}: expected a whole number from 1 to 100")
    return int(size)


def assoc_import(context: Context) -> int:
    """``associations import FROM TO FILE``."""
    from hubspot_assoc.bulk import ClientApplier, ImportJob, count_rows

    args = context.args
    types = _type_keys(context)
    mode: Mode = "remove" if args.remove else "create"
    if args.dry_run:
        return _dry_run(context, types, mode)
    with context.client() as client, _usage_errors():
        job = ImportJob(
            ClientApplier(client, args.from_type, args.to_type, mode),
            args.from_type,
            args.to_type,
            args.file,
            fmt=args.format,
            types=types,
            mode=mode,
            batch_size=_batch_size(context),
            checkpoint=args.checkpoint,
            rejects=args.rejects,
        )
        total = count_rows(args.file) if context.stderr.isatty() else None
        return _run_job(context, job, "import", total)


class _Nothing:
    """An applier that sends nothing: a dry run reads, checks and counts."""

    def __init__(self) -> None:
        self.batches = 0

    def apply(self, rows: Any) -> list[Any]:
        self.batches += 1
        return []

    def in_effect(self, rows: Any) -> set[int]:
        return set()


def _dry_run(context: Context, types: list[tuple[str, int]], mode: Mode) -> int:
    """Read the whole file as the job would, send nothing, say what would happen."""
    from hubspot_assoc.bulk import ImportJob

    args = context.args
    nothing = _Nothing()
    with _usage_errors():
        job = ImportJob(nothing, args.from_type, args.to_type, args.file, fmt=args.format,
                        types=types, mode=mode, batch_size=_batch_size(context),
                        rejects=args.rejects)  # fmt: skip
        summary = job.run()
    readable = summary.applied
    if context.json:
        context.emit_json({**summary.to_json(), "dry_run": True, "applied": 0,
                           "would_send": readable, "requests": nothing.batches})  # fmt: skip
    else:
        verb = "remove" if mode == "remove" else "write"
        context.out(
            f"Dry run: {readable:,} rows would {verb} associations in {nothing.batches:,} "
            f"requests; {summary.rejected:,} rows are unreadable. Nothing was sent."
        )
        if summary.rejected and args.rejects:
            context.out(f"Unreadable rows and the reasons: {args.rejects}")
    return EXIT_PARTIAL if summary.rejected else EXIT_OK


def assoc_export(context: Context) -> int:
    """``associations export FROM TO --ids FILE``."""
    from hubspot_assoc.bulk import ClientReader, ExportJob, count_rows

    args = context.args
    with context.client() as client, _usage_errors():
        job = ExportJob(
            ClientReader(client, args.from_type, args.to_type),
            args.from_type,
            args.to_type,
            args.ids,
            args.output,
            fmt=args.format,
            batch_size=_batch_size(context),
            checkpoint=args.checkpoint,
            rejects=args.rejects,
            stdout=context.stdout if args.output is None else None,
        )
        if args.output is None and context.json:
            raise UsageError("--json needs -o PATH for export: stdout carries the rows")
        total = count_rows(args.ids) if context.stderr.isatty() else None
        return _run_job(context, job, "export", total)
