"""Bulk jobs: move many associations in or out of HubSpot from files, resumably.

The engine reads its input as a stream (memory stays flat whatever the file size), sends one
batch at a time through a client (so the client's shared rate budget paces it), writes rows
HubSpot refused to a rejects file, and keeps a checkpoint so that an interrupted job resumes
where it stopped without sending an applied row again.

Example::

    from hubspot_assoc import Client
    from hubspot_assoc.bulk import import_associations

    with Client(access_token=token) as client:
        summary = import_associations(
            client, "contacts", "companies", "pairs.csv",
            checkpoint="pairs.checkpoint", rejects="pairs.rejects.csv",
        )
    print(summary.applied, summary.rejected)

Input files are CSV (``from_id,to_id[,types]``, a header row optional) or JSON Lines
(``{"from_id": "1", "to_id": "2", "types": ["USER_DEFINED:1000"]}``), chosen by the file
extension (``.jsonl``/``.ndjson`` for JSON Lines) or ``fmt``. ``types`` lists association types
as ``CATEGORY:ID`` separated by ``;`` (CSV) or as a list (JSON); rows without types use the
job's ``types``, and when neither gives any, the default (unlabelled) association is written.

How resuming stays exact: before each batch is sent the checkpoint records which rows are in
flight; after HubSpot's answer it records them done. A job stopped cleanly (Ctrl-C, or
:meth:`ImportJob.stop`) finishes its batch first. A job killed in the middle of a batch left
rows whose fate is unknown; on resume those rows are first checked against HubSpot (one batch
read) and only those not yet in effect are sent.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from hubspot_assoc.errors import HubSpotError, InvalidInputError

__all__ = [
    "BulkError",
    "ClientApplier",
    "ClientReader",
    "ExportJob",
    "ImportJob",
    "JobSummary",
    "Row",
    "export_associations",
    "import_associations",
    "parse_type_text",
    "read_rows",
]

Format = Literal["csv", "jsonl"]
Mode = Literal["create", "remove"]
TypeKey = tuple[str, int]
Found = dict[str, list[tuple[str, tuple[TypeKey, ...]]]]
"""What a :class:`Reader` found: ``{from id: [(to id, types)]}``."""

CATEGORIES = ("HUBSPOT_DEFINED", "INTEGRATOR_DEFINED", "USER_DEFINED", "WORK")
CHECKPOINT_VERSION = 1
_ID_RE = re.compile(r"^[1-9][0-9]{0,18}$")
_FINGERPRINT_BYTES = 1 << 16


class BulkError(HubSpotError, ValueError):
    """A bulk job cannot start: a missing input, or a checkpoint that belongs to another job.

    The message says what to do (use another checkpoint path, delete it, ...).
    """


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True, slots=True)
class Row:
    """One association to write or remove: its position in the input and its fields.

    ``index`` counts data rows from 0 (a header is not a data row); ``line`` is the 1-based
    line of the file, for messages.
    """

    index: int
    line: int
    from_id: str
    to_id: str
    types: tuple[TypeKey, ...] = ()


@dataclass(frozen=True, slots=True)
class BadRow:
    """An input row that could not be read; it goes to the rejects file without a request."""

    index: int
    line: int
    raw: str
    reason: str


def parse_type_text(text: str, where: str = "types") -> TypeKey:
    """``"USER_DEFINED:1000"`` as ``("USER_DEFINED", 1000)``; categories are case-insensitive.

    >>> parse_type_text("user_defined:1000")
    ('USER_DEFINED', 1000)
    """
    category, sep, number = text.strip().partition(":")
    category = category.strip().upper()
    if not sep or category not in CATEGORIES or not number.strip().isdigit():
        raise InvalidInputError(
            where,
            text,
            f"CATEGORY:ID with CATEGORY one of {', '.join(CATEGORIES)}, e.g. USER_DEFINED:1000",
        )
    value = int(number)
    if not 0 <= value <= 2_147_483_647:
        raise InvalidInputError(where, text, "a type id between 0 and 2147483647")
    return (category, value)


def _types_from(value: object, where: str) -> tuple[TypeKey, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        parts = [p for p in re.split(r"[;|]", value) if p.strip()]
        return tuple(parse_type_text(p, where) for p in parts)
    if isinstance(value, list):
        out: list[TypeKey] = []
        for j, item in enumerate(value):
            at = f"{where}[{j}]"
            if isinstance(item, str):
                out.append(parse_type_text(item, at))
            elif isinstance(item, dict):
                category = item.get("category", item.get("associationCategory"))
                type_id = item.get("typeId", item.get("type_id", item.get("associationTypeId")))
                if not isinstance(category, str) or isinstance(type_id, bool):
                    raise InvalidInputError(at, item, "{'category': ..., 'typeId': ...}")
                if not isinstance(type_id, int):
                    raise InvalidInputError(at, item, "an integer typeId")
                out.append(parse_type_text(f"{category}:{type_id}", at))
            elif isinstance(item, list) and len(item) == 2:
                out.append(parse_type_text(f"{item[0]}:{item[1]}", at))
            else:
                raise InvalidInputError(at, item, "'CATEGORY:ID', a dict or a pair")
        return tuple(out)
    raise InvalidInputError(where, value, "a list of 'CATEGORY:ID' or a ';'-separated string")


def _record_id(value: object, where: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        value = str(value)
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise InvalidInputError(where, value, "a record id of decimal digits, such as 12345")
    return value


def detect_format(path: str | os.PathLike[str], fmt: str | None = None) -> Format:
    """``fmt`` checked, or the format the file name suggests (``.jsonl``/``.ndjson``: JSON
    Lines; anything else: CSV)."""
    if fmt is not None:
        if fmt not in ("csv", "jsonl"):
            raise InvalidInputError("format", fmt, "'csv' or 'jsonl'")
        return "csv" if fmt == "csv" else "jsonl"
    suffix = Path(path).suffix.lower()
    return "jsonl" if suffix in (".jsonl", ".ndjson", ".json") else "csv"


def read_rows(
    stream: IO[str], fmt: Format, default_types: Sequence[TypeKey] = ()
) -> Iterator[Row | BadRow]:
    """Each data row of ``stream`` as a :class:`Row`, or a :class:`BadRow` saying what is wrong.

    Reads lazily: one line at a time, whatever the size of the input.
    """
    defaults = tuple(default_types)
    if fmt == "jsonl":
        yield from _jsonl_rows(stream, defaults)
    else:
        yield from _csv_rows(stream, defaults)


def _csv_rows(stream: IO[str], defaults: tuple[TypeKey, ...]) -> Iterator[Row | BadRow]:
    reader = csv.reader(stream)
    columns = {"from_id": 0, "to_id": 1, "types": 2}
    index = 0
    for cells in reader:
        line = reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if index == 0 and line == 1 and not cells[0].strip().isdigit():
            header = [c.strip().lower() for c in cells]
            if "from_id" in header and "to_id" in header:
                columns = {
                    name: header.index(name)
                    for name in ("from_id", "to_id", "types")
                    if name in header
                }
                continue
        try:
            from_id = _record_id(_cell(cells, columns.get("from_id")), "from_id")
            to_id = _record_id(_cell(cells, columns.get("to_id")), "to_id")
            types = _types_from(_cell(cells, columns.get("types")), "types") or defaults
            yield Row(index, line, from_id, to_id, types)
        except InvalidInputError as exc:
            yield BadRow(index, line, ",".join(cells), str(exc))
        index += 1


def _cell(cells: list[str], position: int | None) -> str | None:
    if position is None or position >= len(cells):
        return None
    return cells[position].strip()


def _jsonl_rows(stream: IO[str], defaults: tuple[TypeKey, ...]) -> Iterator[Row | BadRow]:
    index = 0
    for line, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            try:
                data = json.loads(text)
            except ValueError as exc:
                raise InvalidInputError("line", text.strip()[:80], "one JSON object") from exc
            if not isinstance(data, dict):
                raise InvalidInputError("line", data, "one JSON object per line")
            from_id = _record_id(data.get("from_id", data.get("fromObjectId")), "from_id")
            to_id = _record_id(data.get("to_id", data.get("toObjectId")), "to_id")
            types = _types_from(data.get("types"), "types") or defaults
            yield Row(index, line, from_id, to_id, types)
        except InvalidInputError as exc:
            yield BadRow(index, line, text.rstrip("\n"), str(exc))
        index += 1


def count_rows(path: str | os.PathLike[str]) -> int:
    """An upper bound on the data rows of a file (its line count), read in flat memory."""
    lines = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
        if f.tell() and not _ends_with_newline(f):
            lines += 1
    return lines


def _ends_with_newline(f: IO[bytes]) -> bool:
    f.seek(-1, os.SEEK_END)
    return f.read(1) == b"\n"


def format_types(types: Iterable[TypeKey]) -> str:
    """Types as the CSV column writes them: ``USER_DEFINED:1000;HUBSPOT_DEFINED:279``."""
    return ";".join(f"{c}:{i}" for c, i in types)


# --------------------------------------------------------------------------- checkpoint


@dataclass
class CheckpointState:
    """What a checkpoint file holds (JSON)."""

    job: dict[str, Any]
    done: int = 0
    inflight: list[int] | None = None
    applied: int = 0
    rejected: int = 0
    already: int = 0
    calls: int = 0
    outputs: dict[str, int] = field(default_factory=dict)
    version: int = CHECKPOINT_VERSION


class Checkpoint:
    """The progress of one job in a small JSON file, replaced atomically on every change.

    ``done`` counts the data rows (or ids) fully handled; ``inflight`` is ``[start, end)`` of a
    batch sent but not yet answered; ``outputs`` remembers the size of each output file at the
    last commit, so that a resumed job cuts away anything written after it.
    """

    def __init__(self, path: str | os.PathLike[str] | None, job: dict[str, Any]) -> None:
        self.path = Path(path) if path is not None else None
        self.state = CheckpointState(job=job)
        self.resumed = False
        if self.path is not None and self.path.exists():
            self._load(job)

    def _load(self, job: dict[str, Any]) -> None:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            state = CheckpointState(**data)
        except (ValueError, TypeError) as exc:
            raise BulkError(
                f"The checkpoint {self.path} cannot be read ({exc}); delete it to start over."
            ) from None
        if state.version != CHECKPOINT_VERSION:
            raise BulkError(f"The checkpoint {self.path} was written by another version.")
        if state.job != job:
            differs = sorted(k for k in set(job) | set(state.job) if job.get(k) != state.job.get(k))
            raise BulkError(
                f"The checkpoint {self.path} belongs to a different job (it differs in "
                f"{', '.join(differs)}); use another --checkpoint path or delete it to start over."
            )
        self.state = state
        self.resumed = True

    def save(self) -> None:
        """Write the state atomically (a temporary file renamed over the old one)."""
        if self.path is None:
            return
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(asdict(self.state), f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)

    def begin(self, start: int, end: int) -> None:
        """Record that rows ``[start, end)`` are about to be sent."""
        self.state.inflight = [start, end]
        self.save()

    def commit(self, end: int, outputs: dict[str, int]) -> None:
        """Record rows before ``end`` as handled and the output sizes that go with them."""
        self.state.done = end
        self.state.inflight = None
        self.state.outputs = outputs
        self.save()


def _fingerprint(path: Path) -> dict[str, Any]:
    size = path.stat().st_size
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        digest.update(f.read(_FINGERPRINT_BYTES))
    return {"file": str(path.resolve()), "size": size, "head_sha256": digest.hexdigest()}


class _Output:
    """An output file opened for appending, cut back to the checkpoint's size on resume."""

    def __init__(self, path: Path | None, header: str | None, resume_size: int | None) -> None:
        self.path = path
        self.stream: IO[str] | None = None
        if path is None:
            return
        if resume_size is not None and path.exists():
            with open(path, "r+b") as f:
                f.truncate(resume_size)
            self.stream = open(path, "a", encoding="utf-8", newline="")  # noqa: SIM115
        else:
            self.stream = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            if header:
                self.stream.write(header)

    def write(self, text: str) -> None:
        if self.stream is not None:
            self.stream.write(text)

    def size(self) -> int:
        if self.stream is None:
            return 0
        self.stream.flush()
        return self.stream.tell()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


# --------------------------------------------------------------------------- summary


@dataclass
class JobSummary:
    """What a bulk job did. ``to_json()`` gives the ``--json`` summary of the CLI.

    ``applied`` rows were written (or removed) by this run and earlier runs of the same
    checkpoint; ``already`` of them were found in effect when a killed run was resumed and
    were not sent again; ``rejected`` rows are in the rejects file; ``calls`` is the number of
    batches sent (a batch mixing rows with and without types takes two requests), plus one
    read per resumed batch of unknown fate. ``interrupted`` is true when the job stopped
    before the end of its input.
    """

    operation: str
    from_type: str
    to_type: str
    rows: int = 0
    applied: int = 0
    rejected: int = 0
    already: int = 0
    calls: int = 0
    seconds: float = 0.0
    interrupted: bool = False
    resumed: bool = False
    checkpoint: str | None = None
    rejects: str | None = None
    output: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The summary as a JSON-ready dict."""
        out = asdict(self)
        out["seconds"] = round(self.seconds, 3)
        return out


class Progress(Protocol):
    """Told about progress after every batch (the CLI draws a bar on a terminal)."""

    def __call__(self, done: int, total: int | None, summary: JobSummary) -> None: ...


# --------------------------------------------------------------------------- import


class Applier(Protocol):
    """Applies rows at HubSpot, one batch per call."""

    def apply(self, rows: Sequence[Row]) -> list[tuple[Row, str]]:
        """Send the rows as one batch; return those HubSpot refused, with the reason."""
        ...

    def in_effect(self, rows: Sequence[Row]) -> set[int]:
        """The ``index`` of each row already in effect at HubSpot (for resuming)."""
        ...


REJECT_COLUMNS = "line,from_id,to_id,types,error\n"


def _reject_line(line: int, from_id: str, to_id: str, types: str, reason: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([line, from_id, to_id, types, reason])
    return buffer.getvalue()


class ImportJob:
    """Write (or remove) the associations listed in a file; see the module docstring.

    Args:
        applier: sends the batches.
        from_type: the object type of every row's ``from_id``.
        to_type: the object type of every row's ``to_id``.
        source: the input file.
        fmt: ``"csv"`` or ``"jsonl"``; None picks by file extension.
        types: association types for rows that name none (``("USER_DEFINED", 1000)``).
        mode: ``"create"`` or ``"remove"``.
        batch_size: rows per request (HubSpot accepts at most 100).
        checkpoint: where progress is kept; None keeps none (the job cannot resume).
        rejects: where refused and unreadable rows are written as CSV
            (``line,from_id,to_id,types,error``); None discards them (they are still counted).
        progress: called after every batch.
    """

    def __init__(
        self,
        applier: Applier,
        from_type: str,
        to_type: str,
        source: str | os.PathLike[str],
        *,
        fmt: str | None = None,
        types: Sequence[TypeKey] = (),
        mode: Mode = "create",
        batch_size: int = 100,
        checkpoint: str | os.PathLike[str] | None = None,
        rejects: str | os.PathLike[str] | None = None,
        progress: Progress | None = None,
    ) -> None:
        if mode not in ("create", "remove"):
            raise InvalidInputError("mode", mode, "'create' or 'remove'")
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, int)
            or not (1 <= batch_size <= 100)
        ):
            raise InvalidInputError("batch_size", batch_size, "an integer from 1 to 100")
        self.applier = applier
        self.source = Path(source)
        if not self.source.is_file():
            raise BulkError(f"The input file {self.source} does not exist or is not a file.")
        self.fmt = detect_format(self.source, fmt)
        self.types = tuple(types)
        self.mode = mode
        self.batch_size = batch_size
        self.rejects_path = Path(rejects) if rejects is not None else None
        self.progress = progress
        self._stop = threading.Event()
        job = {
            "operation": f"import-{mode}",
            "from_type": from_type,
            "to_type": to_type,
            "types": format_types(self.types),
            "format": self.fmt,
            **_fingerprint(self.source),
        }
        self.checkpoint = Checkpoint(checkpoint, job)
        self.summary = JobSummary(
            operation=f"import-{mode}",
            from_type=from_type,
            to_type=to_type,
            checkpoint=str(checkpoint) if checkpoint is not None else None,
            rejects=str(rejects) if rejects is not None else None,
            resumed=self.checkpoint.resumed,
        )

    def stop(self) -> None:
        """Ask the job to stop after the batch in flight (safe from a signal handler or thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def run(self, total: int | None = None) -> JobSummary:
        """Run to the end of the input or until :meth:`stop`; returns the summary.

        ``total`` (a row count, for progress) is optional. Errors from the client other than
        per-row refusals (an invalid token, HubSpot down after retries) propagate; the
        checkpoint then still says where to resume.
        """
        state = self.checkpoint.state
        resume_size = state.outputs.get("rejects") if self.checkpoint.resumed else None
        rejects = _Output(self.rejects_path, REJECT_COLUMNS, resume_size)
        self.summary.applied, self.summary.rejected = state.applied, state.rejected
        self.summary.already, self.summary.calls = state.already, state.calls
        started = time.monotonic()
        try:
            with open(self.source, encoding="utf-8-sig", newline="") as stream:
                rows = read_rows(stream, self.fmt, self.types)
                skipped = _skip(rows, state.done)
                if state.inflight is not None:
                    self._settle_inflight(skipped, state.inflight, rejects)
                batch: list[Row | BadRow] = []
                for item in skipped:
                    batch.append(item)
                    if len(batch) == self.batch_size:
                        self._send(batch, rejects, total)
                        batch = []
                        if self._stop.is_set():
                            break
                else:
                    if batch:
                        self._send(batch, rejects, total)
                        batch = []
                self.summary.interrupted = self._stop.is_set() and bool(
                    batch or next(iter(skipped), None) is not None
                )
        finally:
            rejects.close()
            self.summary.rows = self.checkpoint.state.done
            self.summary.seconds += time.monotonic() - started
        return self.summary

    def _settle_inflight(
        self, rows: Iterator[Row | BadRow], inflight: list[int], rejects: _Output
    ) -> None:
        """A killed run left rows ``[start, end)`` of unknown fate: send only those not in
        effect."""
        start, end = inflight
        pending = list(itertools.islice(rows, end - start))
        good = [r for r in pending if isinstance(r, Row)]
        found = self.applier.in_effect(good) if good else set()
        self.summary.calls += 1 if good else 0
        self.summary.already += len(found)
        self.summary.applied += len(found)
        remaining = [r for r in pending if not (isinstance(r, Row) and r.index in found)]
        self._send(remaining, rejects, None, span=(start, end))

    def _send(
        self,
        batch: Sequence[Row | BadRow],
        rejects: _Output,
        total: int | None,
        span: tuple[int, int] | None = None,
    ) -> None:
        if span is None:
            span = (batch[0].index, batch[-1].index + 1)
        good = [r for r in batch if isinstance(r, Row)]
        refused: list[tuple[Row, str]] = []
        if good:
            self.checkpoint.begin(*span)
            refused = self.applier.apply(good)
            self.summary.calls += 1
        lines = [
            (item.line, _reject_line(item.line, "", "", "", f"unreadable row: {item.reason}"))
            for item in batch
            if isinstance(item, BadRow)
        ]
        lines += [
            (row.line, _reject_line(row.line, row.from_id, row.to_id, format_types(row.types), why))
            for row, why in refused
        ]
        for _, text in sorted(lines, key=lambda pair: pair[0]):
            rejects.write(text)
        bad = sum(1 for r in batch if isinstance(r, BadRow))
        self.summary.rejected += bad + len(refused)
        self.summary.applied += len(good) - len(refused)
        state = self.checkpoint.state
        state.applied, state.rejected = self.summary.applied, self.summary.rejected
        state.already, state.calls = self.summary.already, self.summary.calls
        self.checkpoint.commit(span[1], {"rejects": rejects.size()})
        if self.progress is not None:
            self.progress(span[1], total, self.summary)


def _skip(rows: Iterator[Row | BadRow], done: int) -> Iterator[Row | BadRow]:
    for item in rows:
        if item.index >= done:
            yield item
            break
    yield from rows


# --------------------------------------------------------------------------- export


class Reader(Protocol):
    """Reads the associations of up to 100 records in one go (following every page)."""

    def read(self, ids: Sequence[str]) -> tuple[Found, list[tuple[str, str]]]:
        """``({from id: [(to id, types)]}, [(from id, error)])``."""
        ...


class ExportJob:
    """Write the associations of the records listed in a file (one id per line, or a CSV with
    an ``id`` or ``from_id`` column) to CSV or JSON Lines.

    Output rows are ``from_id,to_id,types`` (the import format, so an export can be imported
    elsewhere). Records without associations produce no rows; ids HubSpot reports as errors
    other than "no associations" go to the rejects file.
    """

    def __init__(
        self,
        reader: Reader,
        from_type: str,
        to_type: str,
        ids: str | os.PathLike[str],
        output: str | os.PathLike[str] | None,
        *,
        fmt: str | None = None,
        batch_size: int = 100,
        checkpoint: str | os.PathLike[str] | None = None,
        rejects: str | os.PathLike[str] | None = None,
        progress: Progress | None = None,
        stdout: IO[str] | None = None,
    ) -> None:
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, int)
            or not (1 <= batch_size <= 100)
        ):
            raise InvalidInputError("batch_size", batch_size, "an integer from 1 to 100")
        self.reader = reader
        self.ids = Path(ids)
        if not self.ids.is_file():
            raise BulkError(f"The id file {self.ids} does not exist or is not a file.")
        self.output = Path(output) if output is not None else None
        if self.output is None and checkpoint is not None:
            raise BulkError("--checkpoint needs an output file (-o PATH): stdout cannot resume.")
        self.fmt = detect_format(self.output or "out.csv", fmt)
        self.batch_size = batch_size
        self.rejects_path = Path(rejects) if rejects is not None else None
        self.progress = progress
        self.stdout = stdout if stdout is not None else sys.stdout
        self._stop = threading.Event()
        job = {
            "operation": "export",
            "from_type": from_type,
            "to_type": to_type,
            "format": self.fmt,
            "output": str(self.output.resolve()) if self.output else None,
            **_fingerprint(self.ids),
        }
        self.checkpoint = Checkpoint(checkpoint, job)
        self.summary = JobSummary(
            operation="export",
            from_type=from_type,
            to_type=to_type,
            checkpoint=str(checkpoint) if checkpoint is not None else None,
            rejects=str(rejects) if rejects is not None else None,
            output=str(output) if output is not None else None,
            resumed=self.checkpoint.resumed,
        )

    def stop(self) -> None:
        """Ask the job to stop after the batch in flight."""
        self._stop.set()

    def _id_stream(self, stream: IO[str]) -> Iterator[tuple[int, int, str | None, str]]:
        """``(index, line, id or None, raw)`` per data line."""
        index = 0
        column = 0
        for line, text in enumerate(stream, start=1):
            raw = text.strip()
            if not raw:
                continue
            cells = next(csv.reader([raw]))
            if line == 1 and not cells[0].strip().isdigit():
                header = [c.strip().lower() for c in cells]
                for name in ("id", "from_id", "record_id"):
                    if name in header:
                        column = header.index(name)
                        break
                else:
                    if not any(c.isdigit() for c in raw):
                        continue
                if any(name in header for name in ("id", "from_id", "record_id")):
                    continue
            value = cells[column].strip() if column < len(cells) else ""
            yield index, line, value if _ID_RE.match(value) else None, raw
            index += 1

    def run(self, total: int | None = None) -> JobSummary:
        """Run to the end of the id file or until :meth:`stop`; returns the summary."""
        state = self.checkpoint.state
        resumed = self.checkpoint.resumed
        header = "from_id,to_id,types\n" if self.fmt == "csv" else None
        out: _Output | None = None
        if self.output is not None:
            out = _Output(self.output, header, state.outputs.get("output") if resumed else None)
        elif header:
            self.stdout.write(header)
        rejects = _Output(
            self.rejects_path, "line,id,error\n", state.outputs.get("rejects") if resumed else None
        )
        self.summary.applied, self.summary.rejected = state.applied, state.rejected
        self.summary.calls = state.calls
        started = time.monotonic()
        write = out.write if out is not None else self.stdout.write
        try:
            with open(self.ids, encoding="utf-8-sig") as stream:
                pending: list[tuple[int, int, str | None, str]] = []
                items = (x for x in self._id_stream(stream) if x[0] >= state.done)
                for item in items:
                    pending.append(item)
                    if len(pending) == self.batch_size:
                        self._read(pending, write, rejects, out, total)
                        pending = []
                        if self._stop.is_set():
                            self.summary.interrupted = next(items, None) is not None
                            break
                else:
                    if pending:
                        self._read(pending, write, rejects, out, total)
        finally:
            if out is not None:
                out.close()
            else:
                self.stdout.flush()
            rejects.close()
            self.summary.rows = self.checkpoint.state.done
            self.summary.seconds += time.monotonic() - started
        return self.summary

    def _read(
        self,
        pending: list[tuple[int, int, str | None, str]],
        write: Callable[[str], object],
        rejects: _Output,
        out: _Output | None,
        total: int | None,
    ) -> None:
        ids = list(dict.fromkeys(i for _, _, i, _ in pending if i is not None))
        found: Found = {}
        errors: list[tuple[str, str]] = []
        if ids:
            found, errors = self.reader.read(ids)
            self.summary.calls += 1
        lines = {i: line for _, line, i, _ in pending if i is not None}
        for _, line, record, raw in pending:
            if record is None:
                rejects.write(_csv_line([line, raw, "not a record id of decimal digits"]))
                self.summary.rejected += 1
        for record, reason in errors:
            rejects.write(_csv_line([lines.get(record, ""), record, reason]))
            self.summary.rejected += 1
        for record in ids:
            for to_id, types in found.get(record, []):
                if self.fmt == "csv":
                    write(_csv_line([record, to_id, format_types(types)]))
                else:
                    obj = {
                        "from_id": record,
                        "to_id": to_id,
                        "types": [f"{c}:{i}" for c, i in types],
                    }
                    write(json.dumps(obj, separators=(",", ":")) + "\n")
                self.summary.applied += 1
        state = self.checkpoint.state
        state.applied, state.rejected, state.calls = (
            self.summary.applied,
            self.summary.rejected,
            self.summary.calls,
        )
        sizes = {"rejects": rejects.size()}
        if out is not None:
            sizes["output"] = out.size()
        self.checkpoint.commit(pending[-1][0] + 1, sizes)
        if self.progress is not None:
            self.progress(pending[-1][0] + 1, total, self.summary)


def _csv_line(cells: Sequence[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


# --------------------------------------------------------------------------- client glue


def _reason(error: Any) -> str:
    if error is None:
        return "HubSpot did not confirm this row (it is missing from the answer's results)"
    category = getattr(error, "category", "") or "error"
    return f"{category}: {getattr(error, 'message', '')}".strip()


class ClientApplier:
    """An :class:`Applier` over ``client.associations`` (a sync :class:`~hubspot_assoc.Client`).

    Rows with types go through ``create_many``; rows without, through ``associate_defaults``;
    in ``remove`` mode every row goes through ``remove_many``. A row is in effect when the pair
    is associated by all of its types (``create``), or not associated at all (``remove``).
    """

    def __init__(self, client: Any, from_type: str, to_type: str, mode: Mode = "create") -> None:
        self.client = client
        self.from_type = from_type
        self.to_type = to_type
        self.mode = mode

    def apply(self, rows: Sequence[Row]) -> list[tuple[Row, str]]:
        """Send the rows; return those HubSpot refused with its reason."""
        api = self.client.associations
        results = []
        if self.mode == "remove":
            pairs = [(r.from_id, r.to_id) for r in rows]
            results.append((rows, api.remove_many(self.from_type, self.to_type, pairs)))
        else:
            typed = [r for r in rows if r.types]
            plain = [r for r in rows if not r.types]
            if typed:
                items = [(r.from_id, r.to_id, [f"{c}:{i}" for c, i in r.types]) for r in typed]
                results.append((typed, api.create_many(self.from_type, self.to_type, items)))
            if plain:
                pairs = [(r.from_id, r.to_id) for r in plain]
                results.append((plain, api.associate_defaults(self.from_type, self.to_type, pairs)))
        refused: list[tuple[Row, str]] = []
        for sent, result in results:
            reasons = {(p.from_id, p.to_id): _reason(e) for p, e in result.failures()}
            refused.extend(
                (r, reasons[(r.from_id, r.to_id)]) for r in sent if (r.from_id, r.to_id) in reasons
            )
        return refused

    def in_effect(self, rows: Sequence[Row]) -> set[int]:
        """Which rows HubSpot already shows applied (one batch read of their ``from`` ids)."""
        ids = list(dict.fromkeys(r.from_id for r in rows))
        found = self.client.associations.read_many(self.from_type, self.to_type, ids)
        done: set[int] = set()
        for row in rows:
            present = {a.to_id: a for a in found.get(row.from_id, [])}
            association = present.get(row.to_id)
            if self.mode == "remove":
                if association is None:
                    done.add(row.index)
                continue
            if association is None:
                continue
            have = {t.key for t in association.types}
            if all((c, i) in have for c, i in row.types):
                done.add(row.index)
        return done


class ClientReader:
    """A :class:`Reader` over ``client.associations.read_many``.

    Records without associations of the target type are not errors for an export (they
    simply have no rows); other errors HubSpot reports are.
    """

    def __init__(self, client: Any, from_type: str, to_type: str) -> None:
        self.client = client
        self.from_type = from_type
        self.to_type = to_type

    def read(self, ids: Sequence[str]) -> tuple[Found, list[tuple[str, str]]]:
        """The associations of up to 100 records, every page followed."""
        found = self.client.associations.read_many(self.from_type, self.to_type, list(ids))
        out: Found = {
            record: [(a.to_id, tuple(t.key for t in a.types)) for a in items]
            for record, items in found.items()
        }
        errors: list[tuple[str, str]] = []
        from hubspot_assoc.records import RecordPair, error_names_pair

        for record in found.failed_ids:
            probe = RecordPair(record, record)
            error = next((e for e in found.errors if error_names_pair(e, probe)), None)
            if (
                error is not None
                and error.category == "OBJECT_NOT_FOUND"
                and ("associated" in error.message.lower() or not error.message)
            ):
                continue  # no associations: nothing to export, not a failure
            errors.append((record, _reason(error)))
        return out, errors


def import_associations(
    client: Any,
    from_type: str,
    to_type: str,
    source: str | os.PathLike[str],
    **options: Any,
) -> JobSummary:
    """Run an :class:`ImportJob` through ``client`` (a sync :class:`~hubspot_assoc.Client`).

    ``options`` are :class:`ImportJob`'s keywords (``types``, ``mode``, ``checkpoint``,
    ``rejects``, ``fmt``, ``batch_size``, ``progress``).
    """
    mode = options.get("mode", "create")
    applier = ClientApplier(client, from_type, to_type, mode)
    return ImportJob(applier, from_type, to_type, source, **options).run()


def export_associations(
    client: Any,
    from_type: str,
    to_type: str,
    ids: str | os.PathLike[str],
    output: str | os.PathLike[str] | None,
    **options: Any,
) -> JobSummary:
    """Run an :class:`ExportJob` through ``client``; ``options`` are its keywords."""
    reader = ClientReader(client, from_type, to_type)
    return ExportJob(reader, from_type, to_type, ids, output, **options).run()
